"""The REST API: its routes (the handlers' route table), request models, gateway responses in the
handlers' error shape, authorization (IAM, an API key with a usage plan, or a Cognito user pool's
users), CORS and logs."""

from __future__ import annotations

import re

import aws_cdk as cdk
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct
from imagegen.handlers.routes import GATEWAY_ERRORS, ROUTES, STAGE

from .config import StackConfig
from .request_models import gateway_error_template, json_schema


class ImageApi(apigw.RestApi):
    """The REST API in front of the functions, with one stage, `prd`.

    Not a Unit: CDK derives more than logical ids from the RestApi's path, so the API sits at
    <stack>/Api, a path a deployed stack depends on. LambdaIntegration names each method's Lambda permission
    after the RestApi's unique id (`ApiPermission.<its unique id>.POST..generate-image`), and
    the deployment's logical id hashes the RestApi's template, which `cdk synth` gives the path
    metadata `aws:cdk:path`. Its two log groups are declared beside it, named after it: the stage
    (made in the RestApi's constructor) writes to the access log, so it must exist first.

    `cors_origin`: the one origin browsers may call from, or None. `user_pool`: with
    authMode=cognito, the pool whose users' ID tokens every method requires.
    `api_key` is the key callers send in authMode=apiKey, else None."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: StackConfig,
        functions: dict[str, lambda_.Function],
        api_name: str,
        cors_origin: str | None,
        user_pool: cognito.IUserPool | None = None,
    ) -> None:
        access_logs = logs.LogGroup(
            scope,
            f"{construct_id}AccessLogs",
            retention=logs.RetentionDays.ONE_MONTH,
            removal_policy=cdk.RemovalPolicy.DESTROY,
        )
        super().__init__(
            scope,
            construct_id,
            rest_api_name=api_name,
            description="Generate images on Amazon Bedrock, judge them with a vision model, modify them",
            endpoint_types=[apigw.EndpointType.REGIONAL],
            cloud_watch_role=True,
            cloud_watch_role_removal_policy=cdk.RemovalPolicy.RETAIN,  # shared by the account's APIs
            default_cors_preflight_options=_cors(cors_origin),
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
        self.access_logs = access_logs
        self.node.try_remove_child("Endpoint")  # RestApi's output of its URL: the stack outputs it as ApiUrl
        self._gateway_responses(cors_origin)
        validator = self.add_request_validator(
            "BodyValidator", validate_request_body=True, validate_request_parameters=True
        )
        self.api_key = self._usage_plan(config) if config.auth_mode == "apiKey" else None
        self.authorizer = (
            apigw.CognitoUserPoolsAuthorizer(self, "Authorizer", cognito_user_pools=[user_pool])
            if user_pool is not None
            else None
        )
        self._routes(functions, validator)
        self._acknowledge()
        # API Gateway writes execution logs to this group; created here, it has a retention and goes with the stack.
        self.execution_logs = logs.LogGroup(
            scope,
            f"{construct_id}ExecutionLogs",
            log_group_name=f"API-Gateway-Execution-Logs_{self.rest_api_id}/{STAGE}",
            retention=logs.RetentionDays.ONE_MONTH,
            removal_policy=cdk.RemovalPolicy.DESTROY,
        )
        self.deployment_stage.node.add_dependency(self.execution_logs)

    def _gateway_responses(self, cors_origin: str | None) -> None:
        """API Gateway's own refusals (a body the model rejects, throttling...) in the handlers' error shape."""
        cors_headers = {"Access-Control-Allow-Origin": f"'{cors_origin}'"} if cors_origin else None
        for kind, (status, code) in GATEWAY_ERRORS.items():
            self.add_gateway_response(
                "".join(part.capitalize() for part in kind.split("_")),
                type=getattr(apigw.ResponseType, kind.replace("4XX", "4_XX").replace("5XX", "5_XX")),
                status_code=status,
                templates={"application/json": gateway_error_template(code)},
                response_headers=cors_headers,
            )

    def _usage_plan(self, config: StackConfig) -> apigw.IApiKey:
        """authMode=apiKey: one key, in a usage plan with the stage's throttling and a monthly quota."""
        plan = self.add_usage_plan(
            "UsagePlan",
            throttle=apigw.ThrottleSettings(rate_limit=config.throttle_rate, burst_limit=config.throttle_burst),
            quota=apigw.QuotaSettings(limit=10_000, period=apigw.Period.MONTH),
        )
        plan.add_api_stage(stage=self.deployment_stage)
        key = self.add_api_key("ApiKey")
        plan.add_api_key(key)
        cdk.Validations.of(self).acknowledge(
            cdk.Acknowledgment(
                id="AwsSolutions-APIG4",
                reason="authMode=apiKey was chosen: every method requires the usage plan's API key instead of IAM.",
            )
        )
        return key

    def _routes(self, functions: dict[str, lambda_.Function], validator: apigw.RequestValidator) -> None:
        """A method per route of the handlers' table: the API and its code cannot disagree."""
        with_key = self.api_key is not None
        if self.authorizer is not None:
            authorization: apigw.AuthorizationType | None = apigw.AuthorizationType.COGNITO
        else:
            authorization = None if with_key else apigw.AuthorizationType.IAM
        for route in ROUTES:
            resource = self.root.resource_for_path(route.resource)
            path_parameters = re.findall(r"\{(\w+)\}", route.resource)
            integration = apigw.LambdaIntegration(functions[route.function])
            models = None
            if route.schema:
                title = route.schema["title"]
                model = self.add_model(
                    title, content_type="application/json", model_name=title, schema=json_schema(route.schema)
                )
                models = {"application/json": model}
            resource.add_method(
                route.method,
                integration,
                request_validator=validator,
                request_models=models,
                request_parameters={
                    **{f"method.request.path.{p}": True for p in path_parameters},
                    **{f"method.request.querystring.{q}": False for q in route.query},
                }
                or None,
                authorization_type=authorization,
                authorizer=self.authorizer,
                api_key_required=True if with_key else None,
            )

    def _acknowledge(self) -> None:
        cdk.Validations.of(self).acknowledge(
            cdk.Acknowledgment(
                id="AwsSolutions-APIG3",
                reason="WAF is left to the operator: it costs money and the API already has throttling and "
                "authorization; associate a web ACL with the prd stage where needed.",
            )
        )
        if self.authorizer is None:
            cdk.Validations.of(self).acknowledge(
                cdk.Acknowledgment(
                    id="AwsSolutions-COG4",
                    reason="Callers authenticate with IAM (SigV4) by default, or an API key; there are no Cognito "
                    "users unless authMode=cognito, which authorizes every method with the user pool.",
                )
            )
        cdk.Validations.of(self).acknowledge(
            cdk.Acknowledgment(
                id="AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]",
                reason="API Gateway's account-level CloudWatch role uses the AWS-managed policy that the service "
                "documents for it.",
            )
        )


def _cors(origin: str | None) -> apigw.CorsOptions | None:
    if not origin:
        return None
    return apigw.CorsOptions(
        allow_origins=[origin],
        allow_methods=["GET", "POST", "OPTIONS"],
        # Idempotency-Key: a browser's retried POST finds what the first one paid for (imagegen/idempotency.py)
        allow_headers=[*apigw.Cors.DEFAULT_HEADERS, "x-amz-content-sha256", "Idempotency-Key"],
    )
