"""The synthesized templates: snapshots, and what matters about them asserted one by one."""

import json
from datetime import date

import pytest
from imagegen.handlers.routes import ROUTES as ROUTE_TABLE
from syrupy.extensions.json import JSONSnapshotExtension

from tests.infra.conftest import CONFIGS, masked

ROUTES = {(r.resource, r.method): r.function.capitalize() for r in ROUTE_TABLE}  # the handlers' route table


@pytest.mark.parametrize("name", list(CONFIGS))
def test_template_matches_its_snapshot(synthesized, snapshot, name):
    assert masked(synthesized[name].template) == snapshot.use_extension(JSONSnapshotExtension)


def test_the_api_is_named_bedrockimagegeneval_with_stage_prd(synthesized):
    from aws_cdk.assertions import Match, Template

    template = Template.from_stack(synthesized["current"].stack)
    template.has_resource_properties(
        "AWS::ApiGateway::RestApi", {"Name": "BedrockImageGenEval", "EndpointConfiguration": {"Types": ["REGIONAL"]}}
    )
    template.has_resource_properties(
        "AWS::ApiGateway::Stage",
        {
            "StageName": "prd",
            "TracingEnabled": True,
            "MethodSettings": [
                Match.object_like(
                    {
                        "LoggingLevel": "INFO",
                        "MetricsEnabled": True,
                        "ThrottlingRateLimit": 10,
                        "ThrottlingBurstLimit": 20,
                        "DataTraceEnabled": False,
                    }
                )
            ],
            "AccessLogSetting": Match.object_like({"DestinationArn": Match.any_value()}),
        },
    )


def _routes(synth):
    resources = synth.resources("AWS::ApiGateway::Resource")
    paths = {}

    def path_of(logical_id):
        props = resources[logical_id]["Properties"]
        parent = props["ParentId"]
        prefix = path_of(parent["Ref"]) if "Ref" in parent else ""
        return f"{prefix}/{props['PathPart']}"

    for method in synth.resources("AWS::ApiGateway::Method").values():
        props = method["Properties"]
        if props["HttpMethod"] == "OPTIONS":
            continue
        uri = json.dumps(props["Integration"]["Uri"])
        target = next(fn for fn in ("Generate", "Evaluate", "Modify", "Refine", "Batches") if f'"{fn}' in uri)
        paths[(path_of(props["ResourceId"]["Ref"]), props["HttpMethod"])] = (target, props)
    return paths


@pytest.mark.parametrize(("name", "authorization"), [("current", "AWS_IAM"), ("original", "COGNITO_USER_POOLS")])
def test_each_route_reaches_its_function_with_its_modes_authorization(synthesized, name, authorization):
    routes = _routes(synthesized[name])
    assert {route: target for route, (target, _) in routes.items()} == ROUTES
    for _, props in routes.values():
        assert props["AuthorizationType"] == authorization
        assert props["Integration"]["Type"] == "AWS_PROXY"
        assert "RequestValidatorId" in props
    for route in [
        ("/generate-image", "POST"),
        ("/evaluate-image", "POST"),
        ("/modify-image", "POST"),
        ("/refine-image", "POST"),
    ]:
        assert "application/json" in routes[route][1]["RequestModels"]
    assert routes[("/images/{id}", "GET")][1]["RequestParameters"] == {
        "method.request.path.id": True,
        "method.request.querystring.limit": False,
        "method.request.querystring.cursor": False,
    }


def test_request_models_are_the_handlers_json_schemas(synthesized):
    from imagegen.handlers import schemas

    models = {
        m["Properties"]["Name"]: m["Properties"]["Schema"]
        for m in synthesized["current"].resources("AWS::ApiGateway::Model").values()
    }
    for schema in (schemas.GENERATE, schemas.MODIFY, schemas.EVALUATE):
        synthesized_schema = models[schema["title"]]
        assert set(synthesized_schema["properties"]) == set(schema["properties"])
        assert synthesized_schema["required"] == schema["required"]
        assert synthesized_schema["additionalProperties"] is False
        assert synthesized_schema["$schema"] == "http://json-schema.org/draft-04/schema#"


def test_gateway_errors_have_the_handlers_error_shape(synthesized):
    """messageString is API Gateway's message as a quoted JSON string, quotes inside escaped."""
    responses = {
        r["Properties"]["ResponseType"]: r["Properties"]
        for r in synthesized["current"].resources("AWS::ApiGateway::GatewayResponse").values()
    }
    assert set(responses) == {
        "BAD_REQUEST_BODY",
        "THROTTLED",
        "QUOTA_EXCEEDED",
        "UNAUTHORIZED",
        "INTEGRATION_TIMEOUT",
        "DEFAULT_4XX",
        "DEFAULT_5XX",
    }
    assert responses["THROTTLED"]["StatusCode"] == "429"
    assert responses["UNAUTHORIZED"]["StatusCode"] == "401"  # the Cognito authorizer's refusal: sign in again
    message = json.dumps('Invalid request body: [object has missing required properties (["prompt"])]')
    for kind, code in (
        ("BAD_REQUEST_BODY", "invalid_request"),
        ("DEFAULT_4XX", "request_refused"),
        ("THROTTLED", "throttled"),
        ("UNAUTHORIZED", "sign_in_required"),
    ):
        template = responses[kind]["ResponseTemplates"]["application/json"]
        assert "validationErrorString" not in template  # unquoted, it would break the JSON
        filled = template.replace("$context.error.messageString", message)
        assert json.loads(filled) == {"error": {"code": code, "message": json.loads(message)}}


def test_api_key_mode_requires_the_key_on_every_method_and_has_a_usage_plan(synthesized):
    from aws_cdk.assertions import Template

    synth = synthesized["api_key"]
    for _, props in _routes(synth).values():
        assert props["ApiKeyRequired"] is True and props["AuthorizationType"] == "NONE"
    template = Template.from_stack(synth.stack)
    template.resource_count_is("AWS::ApiGateway::ApiKey", 1)
    template.has_resource_properties("AWS::ApiGateway::UsagePlan", {"Throttle": {"RateLimit": 10, "BurstLimit": 20}})
    assert "ApiKeyId" in synth.template["Outputs"]


def test_cors_answers_preflights_and_every_response_when_an_origin_is_configured(synthesized):
    synth = synthesized["api_key"]
    options = [
        m for m in synth.resources("AWS::ApiGateway::Method").values() if m["Properties"]["HttpMethod"] == "OPTIONS"
    ]
    assert len(options) >= 4 and all("'https://app.example.com'" in json.dumps(m) for m in options)
    for response in synth.resources("AWS::ApiGateway::GatewayResponse").values():
        assert response["Properties"]["ResponseParameters"] == {
            "gatewayresponse.header.Access-Control-Allow-Origin": "'https://app.example.com'"
        }
    for name in ("Generate", "Evaluate", "Modify"):  # the handlers add the header to their own answers
        env = synth.one("AWS::Lambda::Function", name)["Properties"]["Environment"]["Variables"]
        assert env["IMAGEGEN_CORS_ORIGIN"] == "https://app.example.com"


def test_a_browser_may_send_an_idempotency_key(synthesized):
    options = [
        m
        for m in synthesized["api_key"].resources("AWS::ApiGateway::Method").values()
        if m["Properties"]["HttpMethod"] == "OPTIONS"
    ]
    allowed = [
        r["ResponseParameters"]["method.response.header.Access-Control-Allow-Headers"]
        for m in options
        for r in m["Properties"]["Integration"]["IntegrationResponses"]
    ]
    assert allowed and all("Idempotency-Key" in headers.split(",") for headers in (a.strip("'") for a in allowed))


def test_no_cors_unless_asked(synthesized):
    synth = synthesized["current"]
    assert not [
        m for m in synth.resources("AWS::ApiGateway::Method").values() if m["Properties"]["HttpMethod"] == "OPTIONS"
    ]
    assert all(
        "ResponseParameters" not in r["Properties"]
        for r in synth.resources("AWS::ApiGateway::GatewayResponse").values()
    )
    assert (
        "IMAGEGEN_CORS_ORIGIN"
        not in synth.one("AWS::Lambda::Function", "Generate")["Properties"]["Environment"]["Variables"]
    )


FUNCTIONS = {
    "Generate": (29, "imagegen.handlers.generate.handler", True),
    "Modify": (29, "imagegen.handlers.modify.handler", True),
    "Evaluate": (60, "imagegen.handlers.evaluate.handler", False),
}


@pytest.mark.parametrize(("name", "expected"), FUNCTIONS.items())
def test_functions_run_python_3_14_on_arm64_with_timeouts_that_fit_the_api(synthesized, name, expected):
    timeout, handler, starts_evaluations = expected
    fn = synthesized["current"].one("AWS::Lambda::Function", name)["Properties"]
    assert (fn["Runtime"], fn["Architectures"], fn["Handler"], fn["Timeout"]) == (
        "python3.14",
        ["arm64"],
        handler,
        timeout,
    )
    assert fn["TracingConfig"] == {"Mode": "Active"}
    assert "ReservedConcurrentExecutions" not in fn
    assert "FunctionName" not in fn
    env = fn["Environment"]["Variables"]
    assert env["IMAGEGEN_BUCKET"] == {
        "Ref": next(lid for lid in synthesized["current"].resources("AWS::S3::Bucket") if lid.startswith("Images"))
    }
    assert env["IMAGEGEN_MODEL_SET"] == "current"
    assert env["IMAGEGEN_GENERATION_MODEL"] == "stability.stable-image-core-v1:1"
    assert env["IMAGEGEN_JUDGE_MODEL"] == "amazon.nova-lite-v1:0"
    assert json.loads(env["IMAGEGEN_MODIFY_MODELS"])["inpaint"] == "stability.stable-image-inpaint-v1:0"
    assert ("IMAGEGEN_EVALUATE_FUNCTION" in env) is starts_evaluations
    assert fn["Code"]["S3Key"].endswith(".zip")


def test_the_environment_settings_parse_as_the_runtime_reads_them(synthesized):
    """The functions read back exactly the settings the stack checked at synth."""
    from imagegen.config import Settings

    from stacks.config import BUCKET_AT_SYNTH

    for name in CONFIGS:
        checked = synthesized[name].stack.config.settings
        env = synthesized[name].one("AWS::Lambda::Function", "Generate")["Properties"]["Environment"]["Variables"]
        assert set(env) >= {"IMAGEGEN_BUCKET", "IMAGEGEN_EVALUATE_FUNCTION"}  # tokens: the stack's bucket and function
        plain = {k: v for k, v in env.items() if isinstance(v, str)}
        assert Settings.from_env({**plain, "IMAGEGEN_BUCKET": BUCKET_AT_SYNTH}) == checked, name


def test_logs_are_kept_thirty_days_and_removed_with_the_stack(synthesized):
    synth = synthesized["current"]
    groups = synth.resources("AWS::Logs::LogGroup")
    assert len(groups) == 9  # seven functions, the API's access log and its execution log
    for group in groups.values():
        assert group["Properties"]["RetentionInDays"] == 30
        assert group["DeletionPolicy"] == "Delete"
    execution = synth.one("AWS::Logs::LogGroup", "ApiExecutionLogs")["Properties"]["LogGroupName"]
    api_id = next(iter(synth.resources("AWS::ApiGateway::RestApi")))
    assert execution == {"Fn::Join": ["", ["API-Gateway-Execution-Logs_", {"Ref": api_id}, "/prd"]]}
    stage = next(iter(synth.resources("AWS::ApiGateway::Stage").values()))
    assert any(d.startswith("ApiExecutionLogs") for d in stage["DependsOn"])


def test_concurrency_cap_is_only_set_when_asked(synthesized):
    for fn in synthesized["api_key"].resources("AWS::Lambda::Function").values():
        handler = fn["Properties"].get("Handler", "")
        if handler.startswith("imagegen") and handler != "imagegen.handlers.refine.worker":
            assert fn["Properties"]["ReservedConcurrentExecutions"] == 5


def test_no_fixed_physical_names_so_two_stacks_fit_one_account(synthesized):
    named = {"AWS::Lambda::Function": "FunctionName", "AWS::IAM::Role": "RoleName", "AWS::S3::Bucket": "BucketName"}
    for synth in synthesized.values():
        for kind, prop in named.items():
            for resource in synth.resources(kind).values():
                assert prop not in resource["Properties"], (kind, prop)
        for lid, group in synth.resources("AWS::Logs::LogGroup").items():
            name = group["Properties"].get("LogGroupName")
            assert name is None or "Ref" in json.dumps(name), lid  # only the execution log, named after this API's id
    assert synthesized["api_key"].stack.stack_name == "ImageGenTwo"


def test_the_account_level_cloudwatch_role_outlives_the_stack(synthesized):
    """API Gateway's CloudWatch role setting is per account and region, shared by every API there:
    destroying one stack must not delete the role another stack's logging points at."""
    synth = synthesized["current"]
    account = next(iter(synth.resources("AWS::ApiGateway::Account").values()))
    role_id = account["Properties"]["CloudWatchRoleArn"]["Fn::GetAtt"][0]
    assert synth.template["Resources"][role_id]["DeletionPolicy"] == "Retain"
    assert account["DeletionPolicy"] == "Retain"


@pytest.mark.parametrize("name", ["current", "api_key"])
def test_buckets_are_private_encrypted_tls_only_and_logged(synthesized, name):
    synth = synthesized[name]
    buckets = synth.resources("AWS::S3::Bucket")
    assert len(buckets) == 2
    for bucket in buckets.values():
        props = bucket["Properties"]
        assert props["PublicAccessBlockConfiguration"] == {
            "BlockPublicAcls": True,
            "BlockPublicPolicy": True,
            "IgnorePublicAcls": True,
            "RestrictPublicBuckets": True,
        }
        assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"] == {
            "SSEAlgorithm": "AES256"
        }
        assert "ObjectLockEnabled" not in props and "ObjectLockConfiguration" not in props
        rules = props["LifecycleConfiguration"]["Rules"]
        assert any(r.get("AbortIncompleteMultipartUpload") == {"DaysAfterInitiation": 1} for r in rules)
    images = synth.one("AWS::S3::Bucket", "Images")["Properties"]
    log_bucket_id = next(lid for lid in buckets if lid.startswith("AccessLogs"))
    assert images["LoggingConfiguration"] == {
        "DestinationBucketName": {"Ref": log_bucket_id},
        "LogFilePrefix": "images-bucket/",
    }
    for policy in synth.resources("AWS::S3::BucketPolicy").values():
        denies = [s for s in policy["Properties"]["PolicyDocument"]["Statement"] if s["Effect"] == "Deny"]
        assert any(s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for s in denies)


def test_destroy_empties_and_removes_both_buckets_by_default(synthesized):
    synth = synthesized["current"]
    for bucket in synth.resources("AWS::S3::Bucket").values():
        assert (bucket["DeletionPolicy"], bucket["UpdateReplacePolicy"]) == ("Delete", "Delete")
    assert len(synth.resources("Custom::S3AutoDeleteObjects")) == 2


def test_retain_data_keeps_both_buckets_and_their_objects(synthesized):
    synth = synthesized["api_key"]
    for bucket in synth.resources("AWS::S3::Bucket").values():
        assert bucket["DeletionPolicy"] == "Retain"
    assert synth.resources("Custom::S3AutoDeleteObjects") == {}


def _statements(synth, function):
    role_ref = synth.one("AWS::Lambda::Function", function)["Properties"]["Role"]["Fn::GetAtt"][0]
    policy = next(
        p for p in synth.resources("AWS::IAM::Policy").values() if {"Ref": role_ref} in p["Properties"]["Roles"]
    )
    return policy["Properties"]["PolicyDocument"]["Statement"]


def _actions(statement):
    return statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]


def _bedrock_resources(synth, function):
    statements = [s for s in _statements(synth, function) if "bedrock:InvokeModel" in _actions(s)]
    assert len(statements) == 1
    return sorted(json.dumps(r, sort_keys=True) if not isinstance(r, str) else r for r in statements[0]["Resource"])


def _profile_arn(region, profile_id):
    return json.dumps(
        {
            "Fn::Join": [
                "",
                [f"arn:aws:bedrock:{region}:", {"Ref": "AWS::AccountId"}, f":inference-profile/{profile_id}"],
            ]
        },
        sort_keys=True,
    )


def test_bedrock_grants_name_exactly_the_configured_models_current_profile(synthesized):
    synth = synthesized["current"]
    nova = [
        "arn:aws:bedrock:*::foundation-model/amazon.nova-lite-v1:0",
        _profile_arn("us-west-2", "us.amazon.nova-lite-v1:0"),
    ]
    assert _bedrock_resources(synth, "Generate") == sorted(
        ["arn:aws:bedrock:us-west-2::foundation-model/stability.stable-image-core-v1:1", *nova]
    )
    assert _bedrock_resources(synth, "Evaluate") == sorted(nova)
    modify = _bedrock_resources(synth, "Modify")
    assert "arn:aws:bedrock:us-west-2::foundation-model/stability.sd3-5-large-v1:0" in modify
    assert _profile_arn("us-west-2", "us.stability.stable-image-inpaint-v1:0") in modify
    assert "arn:aws:bedrock:*::foundation-model/stability.stable-image-inpaint-v1:0" in modify
    assert not any("titan" in r or "canvas" in r for r in modify)


def test_bedrock_grants_name_exactly_the_configured_models_original_profile(synthesized):
    synth = synthesized["original"]
    assert _bedrock_resources(synth, "Generate") == sorted(
        [
            "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0",
            "arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-image-generator-v2:0",
        ]
    )
    assert _bedrock_resources(synth, "Modify") == sorted(
        [
            "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-canvas-v1:0",
            "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0",
        ]
    )


def test_a_global_profile_also_grants_the_regionless_model_arn(synthesized):
    synth = synthesized["api_key"]
    assert _bedrock_resources(synth, "Evaluate") == sorted(
        [
            _profile_arn("us-west-2", "global.anthropic.claude-haiku-4-5-20251001-v1:0"),
            "arn:aws:bedrock:*::foundation-model/anthropic.claude-haiku-4-5-20251001-v1:0",
            "arn:aws:bedrock:::foundation-model/anthropic.claude-haiku-4-5-20251001-v1:0",
        ]
    )
    assert "arn:aws:bedrock:us-west-2::foundation-model/stability.stable-image-ultra-v1:1" in _bedrock_resources(
        synth, "Generate"
    )


def test_no_statement_allows_every_action_or_bedrock_on_any_resource(synthesized):
    """Every policy the stack writes; CDK's upload function for the web page has its own test (test_site)."""
    for synth in synthesized.values():
        for lid, policy in synth.resources("AWS::IAM::Policy").items():
            if lid.startswith("CustomCDKBucketDeployment"):
                continue
            for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
                actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
                assert not any(a.endswith("*") for a in actions), statement
                if statement["Resource"] == "*":
                    assert set(actions) <= {"xray:PutTraceSegments", "xray:PutTelemetryRecords"}, statement
                assert "s3:GeneratePresignedUrl" not in actions  # the original's made-up action


def test_s3_rights_are_per_function_and_per_prefix(synthesized):
    synth = synthesized["current"]

    def keys(function, action):
        found = []
        for s in _statements(synth, function):
            if action in _actions(s):
                resources = s["Resource"] if isinstance(s["Resource"], list) else [s["Resource"]]
                found += [r["Fn::Join"][1][1] for r in resources]
        return sorted(found)

    assert keys("Generate", "s3:PutObject") == ["/idempotency/*", "/images/*"]
    # a verdict written compare-and-set may be read again; an idempotency key's record is read back
    assert keys("Generate", "s3:GetObject") == ["/idempotency/*", "/images/*/evaluation.json", "/images/*/image.*"]
    assert keys("Evaluate", "s3:PutObject") == ["/images/*/evaluation.json", "/images/.unindexed/*"]
    assert keys("Evaluate", "s3:GetObject") == ["/images/*"]
    assert keys("Modify", "s3:GetObject") == ["/idempotency/*", "/images/*"]
    assert keys("Modify", "s3:PutObject") == ["/idempotency/*", "/images/*"]
    for function in ("Generate", "Modify"):  # a request that paid for nothing frees its key, and only that
        assert keys(function, "s3:DeleteObject") == ["/idempotency/*"]
    assert keys("Evaluate", "s3:DeleteObject") == []
    # a batch or a report's request that could not be queued is forgotten; a report failed on every time, too
    assert keys("Batches", "s3:DeleteObject") == ["/batches/*/batch.json", "/batches/*/report.requested"]
    assert keys("BatchWorker", "s3:DeleteObject") == ["/batches/*/report.requested", "/idempotency/*"]
    bucket_arn = {
        "Fn::GetAtt": [next(lid for lid in synth.resources("AWS::S3::Bucket") if lid.startswith("Images")), "Arn"]
    }
    for function in ("Evaluate", "Modify"):  # they read keys that may not exist: S3 answers 404 only to a lister
        listing = [s for s in _statements(synth, function) if "s3:ListBucket" in _actions(s)]
        assert listing == [{"Action": "s3:ListBucket", "Effect": "Allow", "Resource": bucket_arn}]
    assert not [s for s in _statements(synth, "Generate") if "s3:ListBucket" in _actions(s)]


def test_only_generate_and_modify_may_invoke_the_evaluate_function(synthesized):
    synth = synthesized["current"]
    evaluate_id = next(lid for lid in synth.resources("AWS::Lambda::Function") if lid.startswith("Evaluate"))
    allowed = [{"Action": "lambda:InvokeFunction", "Effect": "Allow", "Resource": {"Fn::GetAtt": [evaluate_id, "Arn"]}}]
    for function, expected in (("Generate", allowed), ("Modify", allowed), ("Evaluate", [])):
        invokes = [s for s in _statements(synth, function) if any(a.startswith("lambda:") for a in _actions(s))]
        assert invokes == expected, function


def test_a_deferred_evaluation_runs_once_within_the_time_a_pending_verdict_waits(synthesized):
    configs = [c["Properties"] for c in synthesized["current"].resources("AWS::Lambda::EventInvokeConfig").values()]
    (config,) = [c for c in configs if c["FunctionName"]["Ref"].startswith("Evaluate")]
    assert (config["MaximumRetryAttempts"], config["MaximumEventAgeInSeconds"]) == (0, 840)


def test_the_asset_is_the_core_library_and_its_data_only(synthesized):
    synth = synthesized["current"]
    key = synth.one("AWS::Lambda::Function", "Generate")["Properties"]["Code"]["S3Key"]
    asset = synth.outdir / f"asset.{key.removesuffix('.zip')}"
    files = {str(p.relative_to(asset)) for p in asset.rglob("*") if p.is_file()}
    assert {"imagegen/models/catalog.json", "imagegen/model_sets.json", "imagegen/handlers/generate.py"} <= files
    assert not [f for f in files if "egg-info" in f or f.endswith(".pyc") or "tests" in f]


def test_outputs_name_the_api_the_bucket_and_the_functions(synthesized):
    outputs = synthesized["current"].template["Outputs"]
    assert set(outputs) == {
        "ApiUrl",
        "BucketName",
        "GenerateFunctionName",
        "EvaluateFunctionName",
        "ModifyFunctionName",
        "RefineFunctionName",
        "FailedEvaluationsQueueUrl",
        "FailedRefineRunsQueueUrl",
        "BatchesFunctionName",
        "BatchQueueUrl",
        "BatchDeadLettersQueueUrl",
    }


def test_the_original_profile_synthesizes_with_a_warning_per_retired_model(synthesized):
    texts = " ".join(w for w in synthesized["original"].warnings if "past its end of life" in w)
    assert "amazon.titan-image-generator-v2:0" in texts and "amazon.nova-canvas-v1:0" in texts
    assert synthesized["current"].warnings == []


def test_a_legacy_model_gets_a_warning_annotation_naming_its_end_of_life(tmp_path):
    """The annotation synth reports (the original profile's test above reads it from a synthesis)."""
    from app import build_app

    app = build_app({"modelSet": "original"}, outdir=str(tmp_path), today=date(2026, 5, 1))  # before both EOLs
    stack = app.node.find_child("BedrockImageGenEval")
    texts = [str(e.data) for e in stack.node.metadata if e.type == "aws:cdk:warning"]
    assert any(
        t.startswith("generation model amazon.titan-image-generator-v2:0 is Legacy (end of life 2026-06-30)")
        for t in texts
    )
    assert not any("past its end of life" in t for t in texts)


def test_the_refine_worker_runs_refine_concurrency_jobs_at_once_for_up_to_fifteen_minutes(synthesized):
    synth = synthesized["current"]
    worker = _function(synth, "imagegen.handlers.refine.worker")
    assert (worker["Handler"], worker["Timeout"], worker["ReservedConcurrentExecutions"]) == (
        "imagegen.handlers.refine.worker",
        900,
        2,  # refineConcurrency's default
    )
    configs = [c["Properties"] for c in synth.resources("AWS::Lambda::EventInvokeConfig").values()]
    (retried,) = [c for c in configs if c["FunctionName"]["Ref"].startswith("RefineWorker")]
    assert retried["MaximumRetryAttempts"] == 2  # a retry resumes the job from its last recorded round


def _statements(synth, role_prefix):
    return [
        statement
        for lid, policy in synth.resources("AWS::IAM::Policy").items()
        if lid.startswith(role_prefix + "Role")
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


def test_the_refine_function_may_start_the_worker_only_and_call_no_model(synthesized):
    synth = synthesized["current"]
    statements = _statements(synth, "Refine")
    invoke = [s for s in statements if s["Action"] == "lambda:InvokeFunction"]
    assert len(invoke) == 1 and "RefineWorker" in json.dumps(invoke[0]["Resource"])
    assert not [s for s in statements if "bedrock" in json.dumps(s["Action"])]
    env = _function(synth, "imagegen.handlers.refine.handler")["Environment"]["Variables"]
    assert "RefineWorker" in json.dumps(env["IMAGEGEN_REFINE_FUNCTION"])


def test_the_refine_worker_calls_exactly_the_configured_models_and_writes_under_its_prefixes(synthesized):
    synth = synthesized["current"]
    statements = _statements(synth, "RefineWorker")
    text = json.dumps(statements)
    settings = synth.stack.config.settings
    for model in (*settings.generation_models, *settings.judge_models):
        assert model.split(".", 1)[-1] in text
    (put,) = [s for s in statements if "s3:PutObject" in s["Action"]]
    assert {"/images/*", "/idempotency/*", "/jobs/*"} <= {part for part in _suffixes(put["Resource"])}
    assert not [s for s in statements if s["Action"] == "lambda:InvokeFunction"]


def _suffixes(resources):
    found = resources if isinstance(resources, list) else [resources]
    return {json.dumps(r).split('"')[-2] for r in found}


def _function(synth, handler):
    (found,) = [
        f["Properties"]
        for f in synth.resources("AWS::Lambda::Function").values()
        if f["Properties"].get("Handler") == handler
    ]
    return found
