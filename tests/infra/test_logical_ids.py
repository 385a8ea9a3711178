"""Grouping the stack into unit constructs renamed no resource: every logical id is the one the stack
had when it declared each resource directly (a changed id makes CloudFormation replace the resource:
a new, empty bucket; a new API id, so a new URL)."""

import json

import pytest

from tests.infra.conftest import SYNTH_DAY


def _logical_id(construct):
    import aws_cdk as cdk

    element = construct if isinstance(construct, cdk.CfnElement) else construct.node.default_child
    return cdk.Stack.of(element).resolve(element.logical_id)


def test_the_units_are_in_the_construct_paths(synthesized):
    """Not a vacuous check: the resources do sit inside the unit constructs."""
    stack = synthesized["current"].stack
    assert stack.store.images.node.path == "BedrockImageGenEval/ImageStore/Images"
    assert stack.functions.generate.node.path == "BedrockImageGenEval/Functions/Generate"
    assert stack.api.node.path == "BedrockImageGenEval/Api"  # the RestApi keeps its path: see ImageApi


def test_resources_keep_their_pre_refactor_logical_ids(synthesized):
    """The ids the stack had as one class (commit 8ff5842), read from the constructs of each unit."""
    stack = synthesized["current"].stack
    api = stack.api
    expected = {
        stack.store.images: "Images2D38C313",
        stack.store.access_logs: "AccessLogs8B620ECA",
        stack.functions.generate: "Generate299137B4",
        stack.functions.evaluate: "Evaluate79BF8C60",
        stack.functions.modify: "Modify102A2E9C",
        stack.functions.roles["Generate"]: "GenerateRoleCACD10F1",
        stack.functions.node.find_child("GenerateLogs"): "GenerateLogsE0DCD181",
        api: "ApiF70053CD",
        api.deployment_stage: "ApiDeploymentStageprd7AB2826B",
        api.access_logs: "ApiAccessLogsE9DF007D",
        api.execution_logs: "ApiExecutionLogs66FBF5B8",
    }
    assert {c.node.path: _logical_id(c) for c in expected} == {c.node.path: lid for c, lid in expected.items()}


def test_ids_cdk_derives_from_the_rest_apis_path_are_kept(synthesized):
    """LambdaIntegration names each permission after the RestApi's unique id, a usage plan its key
    after the key's: both are made of paths no unit changed."""
    import aws_cdk as cdk

    resources = synthesized["current"].template["Resources"]
    assert "ApigenerateimagePOSTApiPermissionBedrockImageGenEvalApi63476A52POSTgenerateimageA9E60157" in resources
    assert "ApiimagesidGETApiPermissionTestBedrockImageGenEvalApi63476A52GETimagesidAF10AB1D" in resources
    with_key = synthesized["api_key"].template["Resources"]
    assert with_key["ApiApiKey8A01341B"]["Type"] == "AWS::ApiGateway::ApiKey"
    assert "ApiUsagePlanUsagePlanKeyResourceImageGenTwoApiApiKeyF1021E439E689557" in with_key
    assert cdk.Names.node_unique_id(synthesized["current"].stack.api.node) == "BedrockImageGenEvalApi63476A52"


def test_the_paths_cdk_synth_writes_into_the_template_change_no_logical_id(synthesized, tmp_path):
    """`cdk synth` adds each resource's construct path as metadata (aws:cdk:path), and the API's
    deployment id hashes the RestApi's template, metadata included: every other resource keeps
    the snapshot's id and properties, and the RestApi's path, which that hash reads, is the one
    it had before the units (the deployment id under `cdk synth` is therefore unchanged too)."""
    from app import build_app

    app = build_app({"aws:cdk:enable-path-metadata": True}, outdir=str(tmp_path), today=SYNTH_DAY)
    resources = app.synth().get_stack_by_name("BedrockImageGenEval").template["Resources"]
    assert resources["Images2D38C313"]["Metadata"]["aws:cdk:path"] == "BedrockImageGenEval/ImageStore/Images/Resource"
    assert resources["ApiF70053CD"]["Metadata"]["aws:cdk:path"] == "BedrockImageGenEval/Api/Resource"

    def with_the_deployment_masked(template_resources):
        (deployment,) = [lid for lid, r in template_resources.items() if r["Type"] == "AWS::ApiGateway::Deployment"]
        text = json.dumps(
            {lid: {k: v for k, v in r.items() if k != "Metadata"} for lid, r in template_resources.items()}
        )
        return json.loads(text.replace(deployment, "<the deployment>"))

    assert with_the_deployment_masked(resources) == with_the_deployment_masked(
        synthesized["current"].template["Resources"]
    )


@pytest.mark.parametrize("name", ["current", "api_key"])
def test_the_copy_of_cdks_naming_scheme_agrees_with_cdk(synthesized, name):
    """unique_id re-implements CDK's makeUniqueId; on every path of the stack it gives what CDK gives."""
    import aws_cdk as cdk

    from stacks.logical_ids import unique_id

    stack = synthesized[name].stack
    constructs = stack.node.find_all()
    assert len(constructs) > 100
    for construct in constructs:
        path = [scope.node.id for scope in construct.node.scopes[1:]]  # the app, the root, is no part of it
        assert unique_id(path) == cdk.Names.unique_id(construct), construct.node.path


def test_a_unit_is_transparent_and_any_other_construct_is_not(tmp_path):
    import aws_cdk as cdk
    from aws_cdk import aws_s3 as s3
    from constructs import Construct

    from stacks.logical_ids import Unit, UnitStack

    app = cdk.App(outdir=str(tmp_path))
    plain = cdk.Stack(app, "Plain")
    s3.CfnBucket(plain, "Images")
    s3.CfnBucket(Construct(plain, "Group"), "Images")
    grouped = UnitStack(app, "Grouped")
    s3.CfnBucket(Unit(Unit(grouped, "Outer"), "Inner"), "Images")  # units nest, all of them left out
    s3.CfnBucket(Construct(Unit(grouped, "Store"), "Group"), "Images")  # a plain construct still counts
    assembly = app.synth()
    ids = {name: set(assembly.get_stack_by_name(name).template["Resources"]) for name in ("Plain", "Grouped")}
    assert ids["Grouped"] == ids["Plain"]
    assert "Images" in ids["Plain"] and any(i.startswith("GroupImages") for i in ids["Plain"])
