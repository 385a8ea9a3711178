"""The deployable stack: two buckets, the REST API `BedrockImageGenEval` and three functions.

Resources only: the behaviour lives in lambda_src (the asset of every function), and the
model ids, checked against the registry before this runs, arrive in a StackConfig.
"""

from __future__ import annotations

import re
from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from constructs import Construct
from imagegen.handlers.routes import GATEWAY_ERRORS, ROUTES
from imagegen.storage import PREFIX

from .bedrock_access import invoke_resources
from .config import StackConfig
from .request_models import gateway_error_template, json_schema

LAMBDA_SRC = Path(__file__).resolve().parent.parent / "lambda_src"
ASSET_EXCLUDES = ["**/__pycache__", "**/*.pyc", "*.egg-info", "**/*.egg-info"]  # pip's editable-install metadata
API_NAME = "BedrockImageGenEval"
STAGE = "prd"


class ImageGenEvalStack(cdk.Stack):
    def __init__(self, scope: Construct, construct_id: str, *, config: StackConfig, **kwargs) -> None:
        super().__init__(
            scope, construct_id, description="Generate, judge and modify images on Amazon Bedrock", **kwargs
        )
        for warning in config.warnings:
            cdk.Annotations.of(self).add_warning_v2("imagegen:model", warning)
        self.config = config
        self.bucket, self.log_bucket = self._buckets()
        evaluate = self._function("Evaluate", "imagegen.handlers.evaluate.handler", timeout=60, memory=512)
        # A deferred evaluation runs once and soon, or never: a pending verdict reads as lost after
        # 15 minutes, and a retry would pay for the judge twice.
        evaluate.configure_async_invoke(retry_attempts=0, max_event_age=cdk.Duration.minutes(14))
        generate = self._function(
            "Generate", "imagegen.handlers.generate.handler", timeout=29, memory=1024, evaluate_function=evaluate
        )
        modify = self._function(
            "Modify", "imagegen.handlers.modify.handler", timeout=29, memory=1024, evaluate_function=evaluate
        )
        self._grant(
            generate,
            models=[*config.settings.generation_models, *config.settings.judge_models],
            read=[f"{PREFIX}/*/image.*"],
            write=[f"{PREFIX}/*"],
        )
        self._grant(
            modify,
            models=[*config.settings.modify_models.values(), *config.settings.judge_models],
            read=[f"{PREFIX}/*"],
            write=[f"{PREFIX}/*"],
            list_bucket=True,
        )
        self._grant(
            evaluate,
            models=list(config.settings.judge_models),
            read=[f"{PREFIX}/*"],
            write=[f"{PREFIX}/*/evaluation.json"],
            list_bucket=True,
        )
        self.api = self._api(generate=generate, evaluate=evaluate, modify=modify)
        self.functions = {"generate": generate, "evaluate": evaluate, "modify": modify}

        cdk.CfnOutput(self, "ApiUrl", value=self.api.url, description="Base URL of the prd stage")
        self.api.node.try_remove_child("Endpoint")  # RestApi's own copy of the same URL
        cdk.CfnOutput(self, "BucketName", value=self.bucket.bucket_name)
        for name, fn in self.functions.items():
            cdk.CfnOutput(self, f"{name.capitalize()}FunctionName", value=fn.function_name)

    # --- storage --------------------------------------------------------------------------------

    def _buckets(self) -> tuple[s3.Bucket, s3.Bucket]:
        keep = self.config.retain_data
        common = {
            "block_public_access": s3.BlockPublicAccess.BLOCK_ALL,
            "encryption": s3.BucketEncryption.S3_MANAGED,
            "enforce_ssl": True,
            "object_ownership": s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            "removal_policy": cdk.RemovalPolicy.RETAIN if keep else cdk.RemovalPolicy.DESTROY,
            "auto_delete_objects": not keep,
        }
        log_bucket = s3.Bucket(
            self,
            "AccessLogs",
            **common,
            lifecycle_rules=[
                s3.LifecycleRule(
                    expiration=cdk.Duration.days(90), abort_incomplete_multipart_upload_after=cdk.Duration.days(1)
                )
            ],
        )
        cdk.Validations.of(log_bucket).acknowledge(
            cdk.Acknowledgment(
                id="AwsSolutions-S1",
                reason="This bucket receives the image bucket's server access logs; logging it would loop.",
            )
        )
        bucket = s3.Bucket(
            self,
            "Images",
            **common,
            server_access_logs_bucket=log_bucket,
            server_access_logs_prefix="images-bucket/",
            lifecycle_rules=[s3.LifecycleRule(abort_incomplete_multipart_upload_after=cdk.Duration.days(1))],
        )
        return bucket, log_bucket

    # --- functions ----------------------------------------------------------------------------

    def _function(
        self, name: str, handler: str, *, timeout: int, memory: int, evaluate_function: lambda_.Function | None = None
    ) -> lambda_.Function:
        log_group = logs.LogGroup(
            self, f"{name}Logs", retention=logs.RetentionDays.ONE_MONTH, removal_policy=cdk.RemovalPolicy.DESTROY
        )
        role = iam.Role(
            self,
            f"{name}Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"The {name.lower()} function of {API_NAME}",
        )
        log_group.grant_write(role)
        environment = {**self.config.function_environment(), "IMAGEGEN_BUCKET": self.bucket.bucket_name}
        if evaluate_function is not None:
            environment["IMAGEGEN_EVALUATE_FUNCTION"] = evaluate_function.function_name
        fn = lambda_.Function(
            self,
            name,
            runtime=lambda_.Runtime.PYTHON_3_14,
            architecture=lambda_.Architecture.ARM_64,
            handler=handler,
            code=lambda_.Code.from_asset(str(LAMBDA_SRC), exclude=ASSET_EXCLUDES),
            timeout=cdk.Duration.seconds(timeout),
            memory_size=memory,
            environment=environment,
            role=role,
            log_group=log_group,
            tracing=lambda_.Tracing.ACTIVE,
            reserved_concurrent_executions=self.config.concurrency_cap,
        )
        if evaluate_function is not None:
            role.add_to_policy(
                iam.PolicyStatement(actions=["lambda:InvokeFunction"], resources=[evaluate_function.function_arn])
            )
        _acknowledge_wildcard(
            role, "*", "Active tracing: X-Ray's PutTraceSegments and PutTelemetryRecords take no resource."
        )
        return fn

    def _grant(
        self, fn: lambda_.Function, *, models: list[str], read: list[str], write: list[str], list_bucket: bool = False
    ) -> None:
        resources = sorted(
            {
                arn
                for model in dict.fromkeys(models)
                for arn in invoke_resources(model, region=self.region, account=self.account, partition=self.partition)
            }
        )
        fn.add_to_role_policy(iam.PolicyStatement(actions=["bedrock:InvokeModel"], resources=resources))
        fn.add_to_role_policy(
            iam.PolicyStatement(actions=["s3:GetObject"], resources=[self.bucket.arn_for_objects(k) for k in read])
        )
        fn.add_to_role_policy(
            iam.PolicyStatement(actions=["s3:PutObject"], resources=[self.bucket.arn_for_objects(k) for k in write])
        )
        role = fn.role
        assert role is not None
        for arn in resources:
            if "*" in arn:
                _acknowledge_wildcard(
                    role,
                    arn,
                    "A model reached through an inference profile runs in a region Bedrock "
                    "chooses; the grant still names only this model.",
                )
        bucket = f"<{self.resolve(self.get_logical_id(self.bucket.node.default_child))}.Arn>"
        for key in dict.fromkeys([*read, *write]):
            _acknowledge_wildcard(
                role,
                f"{bucket}/{key}",
                "Objects under images/ are named by random image ids, "
                "unknown until a request runs; the prefix is the narrowest scope.",
            )
        if list_bucket:
            # Listing lets S3 answer 404, not 403, for a key that does not exist (an unknown image id,
            # an image never evaluated); describe also lists an image's edits. The bucket holds only images/.
            fn.add_to_role_policy(iam.PolicyStatement(actions=["s3:ListBucket"], resources=[self.bucket.bucket_arn]))

    # --- the API --------------------------------------------------------------------------------

    def _api(
        self, *, generate: lambda_.Function, evaluate: lambda_.Function, modify: lambda_.Function
    ) -> apigw.RestApi:
        config = self.config
        access_logs = logs.LogGroup(
            self, "ApiAccessLogs", retention=logs.RetentionDays.ONE_MONTH, removal_policy=cdk.RemovalPolicy.DESTROY
        )
        cors = None
        if config.settings.cors_origin:
            cors = apigw.CorsOptions(
                allow_origins=[config.settings.cors_origin],
                allow_methods=["GET", "POST", "OPTIONS"],
                allow_headers=[*apigw.Cors.DEFAULT_HEADERS, "x-amz-content-sha256"],
            )
        api = apigw.RestApi(
            self,
            "Api",
            rest_api_name=API_NAME,
            description="Generate images on Amazon Bedrock, judge them with a vision model, modify them",
            endpoint_types=[apigw.EndpointType.REGIONAL],
            cloud_watch_role=True,
            cloud_watch_role_removal_policy=cdk.RemovalPolicy.RETAIN,  # shared by the account's APIs
            default_cors_preflight_options=cors,
            deploy_options=apigw.StageOptions(
                stage_name=STAGE,
                throttling_rate_limit=config.throttle_rate,
                throttling_burst_limit=config.throttle_burst,
                logging_level=apigw.MethodLoggingLevel.INFO,
                data_trace_enabled=False,
                metrics_enabled=True,
                tracing_enabled=True,
                access_log_destination=apigw.LogGroupLogDestination(access_logs),
                access_log_format=apigw.AccessLogFormat.json_with_standard_fields(
                    caller=True,
                    http_method=True,
                    ip=True,
                    protocol=True,
                    request_time=True,
                    resource_path=True,
                    response_length=True,
                    status=True,
                    user=True,
                ),
            ),
        )
        cors_headers = (
            {"Access-Control-Allow-Origin": f"'{config.settings.cors_origin}'"} if config.settings.cors_origin else None
        )
        for kind, (status, code) in GATEWAY_ERRORS.items():
            api.add_gateway_response(
                "".join(part.capitalize() for part in kind.split("_")),
                type=getattr(apigw.ResponseType, kind.replace("4XX", "4_XX").replace("5XX", "5_XX")),
                status_code=status,
                templates={"application/json": gateway_error_template(code)},
                response_headers=cors_headers,
            )
        validator = api.add_request_validator(
            "BodyValidator", validate_request_body=True, validate_request_parameters=True
        )
        auth = self._auth(api)

        functions = {"generate": generate, "evaluate": evaluate, "modify": modify}
        for route in ROUTES:  # the handlers' route table: the API and its code cannot disagree
            resource = api.root.resource_for_path(route.resource)
            path_parameters = re.findall(r"\{(\w+)\}", route.resource)
            resource.add_method(
                route.method,
                apigw.LambdaIntegration(functions[route.function]),
                request_validator=validator,
                request_models={"application/json": self._model(api, route.schema)} if route.schema else None,
                request_parameters={f"method.request.path.{p}": True for p in path_parameters} or None,
                **auth,
            )

        cdk.Validations.of(api).acknowledge(
            cdk.Acknowledgment(
                id="AwsSolutions-APIG3",
                reason="WAF is left to the operator: it costs money and the API already has throttling and "
                "authorization; associate a web ACL with the prd stage where needed.",
            )
        )
        cdk.Validations.of(api).acknowledge(
            cdk.Acknowledgment(
                id="AwsSolutions-COG4",
                reason="Callers authenticate with IAM (SigV4) by default, or an API key; there are no Cognito users.",
            )
        )
        cdk.Validations.of(api).acknowledge(
            cdk.Acknowledgment(
                id="AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]",
                reason="API Gateway's account-level CloudWatch role uses the AWS-managed policy that the service "
                "documents for it.",
            )
        )
        # API Gateway writes execution logs to this group; created here, it has a retention and goes with the stack.
        execution_logs = logs.LogGroup(
            self,
            "ApiExecutionLogs",
            log_group_name=f"API-Gateway-Execution-Logs_{api.rest_api_id}/{STAGE}",
            retention=logs.RetentionDays.ONE_MONTH,
            removal_policy=cdk.RemovalPolicy.DESTROY,
        )
        api.deployment_stage.node.add_dependency(execution_logs)
        return api

    def _auth(self, api: apigw.RestApi) -> dict:
        if self.config.auth_mode == "iam":
            return {"authorization_type": apigw.AuthorizationType.IAM}
        plan = api.add_usage_plan(
            "UsagePlan",
            throttle=apigw.ThrottleSettings(
                rate_limit=self.config.throttle_rate, burst_limit=self.config.throttle_burst
            ),
            quota=apigw.QuotaSettings(limit=10_000, period=apigw.Period.MONTH),
        )
        plan.add_api_stage(stage=api.deployment_stage)
        key = api.add_api_key("ApiKey")
        plan.add_api_key(key)
        cdk.CfnOutput(
            self, "ApiKeyId", value=key.key_id, description="aws apigateway get-api-key --include-value --api-key <id>"
        )
        cdk.Validations.of(api).acknowledge(
            cdk.Acknowledgment(
                id="AwsSolutions-APIG4",
                reason="authMode=apiKey was chosen: every method requires the usage plan's API key instead of IAM.",
            )
        )
        return {"api_key_required": True}

    def _model(self, api: apigw.RestApi, schema: dict) -> apigw.Model:
        return api.add_model(
            schema["title"],
            content_type="application/json",
            model_name=schema["title"],
            schema=json_schema(schema),
        )


def _acknowledge_wildcard(scope: Construct, resource: str, reason: str) -> None:
    """Acknowledge one wildcard resource (cdk-nag reports each as its own finding)."""
    cdk.Validations.of(scope).acknowledge(
        cdk.Acknowledgment(id=f"AwsSolutions-IAM5[Resource::{resource}]", reason=reason)
    )
