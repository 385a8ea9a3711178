"""cdk-nag, cfn-lint and the CDK CLI over the synthesized app, and synth refusing bad configurations."""

import ast
import json
import os
import subprocess
from datetime import date
from pathlib import Path

import pytest

from stacks.config import StackConfigError, from_context

ROOT = Path(__file__).resolve().parents[2]

# cfn-lint findings we accept, each with its reason
IGNORED_CFN_LINT: dict[str, str] = {
    "W3005": "CDK adds DependsOn from each function to its role, which its GetAtt of the role already implies; "
    "the redundancy is CDK's and harmless.",
}


@pytest.mark.parametrize("name", ["current", "original", "api_key"])
def test_cdk_nag_aws_solutions_reports_no_unacknowledged_finding(synthesized, name):
    """app.synth() in the fixture raises ValidationFailed on any finding; its report is empty."""
    report = json.loads((synthesized[name].outdir / "validation-report.json").read_text())
    assert report["pluginReports"] == []


def test_an_unacknowledged_finding_fails_synth(tmp_path):
    """The checks are live on the real app: one finding nobody acknowledged stops synthesis."""
    from aws_cdk import Stack
    from aws_cdk import aws_s3 as s3

    from app import build_app

    app = build_app({}, outdir=str(tmp_path))
    stack = next(c for c in app.node.children if isinstance(c, Stack))
    s3.Bucket(stack, "Careless")  # no TLS enforcement, no access logs
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()
    report = json.loads((tmp_path / "validation-report.json").read_text())
    rules = {v["ruleName"] for p in report["pluginReports"] for v in p["violations"]}
    assert {"AwsSolutions-S1", "AwsSolutions-S10"} <= rules


def _acknowledgements(tree):
    """(call, rule, reason) for each cdk.Acknowledgment(...) and _acknowledge_wildcard(...) call."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        if isinstance(node.func, ast.Attribute) and node.func.attr == "Acknowledgment":
            keywords = {k.arg: k.value for k in node.keywords}
            rule = keywords["id"]
            if isinstance(rule, ast.JoinedStr):  # f"AwsSolutions-IAM5[{wildcard}]": one per finding
                first = rule.values[0]
                assert isinstance(first, ast.Constant)
                yield node, repr(first.value), keywords["reason"]
            else:
                yield node, ast.unparse(rule), keywords["reason"]
        elif isinstance(node.func, ast.Name) and node.func.id == "_acknowledge_wildcard":
            yield node, "AwsSolutions-IAM5", node.args[2]


def test_every_acknowledgement_sits_beside_its_construct_with_a_reason():
    """Acknowledgements are made in the construct classes that declare what they concern (the image
    store, the functions, the API, the site and its sign-in), each with a written reason; the stack
    that composes those constructs and the app acknowledge nothing."""
    rules = set()
    for module in sorted((ROOT / "stacks").glob("*.py")):
        tree = ast.parse(module.read_text())
        scopes = [n for n in tree.body if isinstance(n, ast.ClassDef)]
        scopes += [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "_acknowledge_wildcard"]
        for call, rule, reason in _acknowledgements(tree):
            assert any(s.lineno <= call.lineno <= s.end_lineno for s in scopes), (module.name, call.lineno)
            if isinstance(reason, ast.Name):  # the wildcard helper passes its caller's reason on
                continue
            text = reason.value if isinstance(reason, ast.Constant) else ast.unparse(reason)
            assert len(text) > 20, (module.name, call.lineno)
            rules.add(rule.strip("'\"").split("[")[0])
    assert rules == {
        "AwsSolutions-S1",
        "AwsSolutions-APIG3",
        "AwsSolutions-APIG4",
        "AwsSolutions-COG4",
        "AwsSolutions-IAM4",
        "AwsSolutions-IAM5",
        "AwsSolutions-SQS3",
        "AwsSolutions-CFR1",
        "AwsSolutions-CFR2",
        "AwsSolutions-CFR4",
        "AwsSolutions-COG2",
        "AwsSolutions-COG3",
        "AwsSolutions-COG8",
        "AwsSolutions-L1",
    }
    assert "acknowledge" not in (ROOT / "stacks" / "image_api_stack.py").read_text()
    assert "acknowledge" not in (ROOT / "app.py").read_text()  # nothing is waved through at the app level


@pytest.fixture(scope="module")
def cfn_lint():
    """cfn-lint over a template, with its rules loaded once for every configuration (cfnlint.api's
    lint loads them again for each: a third of the time). Every error and warning rule, the
    experimental ones too; not the informational (I) rules, which report neither and take a third
    of the time (cfnlint.api.lint_all adds them)."""
    from cfnlint.api import ManualArgs
    from cfnlint.config import ConfigMixIn
    from cfnlint.decode.decode import decode_str
    from cfnlint.runner import Runner, run_template_by_data

    config = ConfigMixIn(**ManualArgs(include_experimental=True))
    rules = Runner(config).rules

    def lint(text: str) -> list:
        template, errors = decode_str(text)
        assert not errors and template is not None, errors
        return list(run_template_by_data(template, config, rules))

    return lint


@pytest.mark.parametrize("name", ["current", "original", "api_key"])
def test_cfn_lint_finds_no_errors(synthesized, cfn_lint, name):
    template = (synthesized[name].outdir / f"{synthesized[name].stack.stack_name}.template.json").read_text()
    findings = [m for m in cfn_lint(template) if m.rule.id not in IGNORED_CFN_LINT]
    assert [f"{m.rule.id} {m.message}" for m in findings if m.rule.id.startswith("E")] == []
    assert [f"{m.rule.id} {m.message}" for m in findings if m.rule.id.startswith("W")] == []


def _context(**values):
    return lambda key: values.get(key)


def test_synth_fails_on_an_unknown_model_id_with_close_matches():
    with pytest.raises(
        StackConfigError, match="unknown model id 'amazon.nova-lite-v2:0'; did you mean amazon.nova-lite-v1:0"
    ):
        from_context(_context(judgeModel="amazon.nova-lite-v2:0"))


def test_synth_fails_on_a_generation_model_used_as_a_judge():
    with pytest.raises(
        StackConfigError,
        match="the judge model is not usable: stability.stable-image-core-v1:1 cannot do 'judge'; it can do: generate",
    ):
        from_context(_context(judgeModel="stability.stable-image-core-v1:1"))


def test_synth_fails_on_a_judge_used_for_generation_or_a_mode_it_cannot_do():
    with pytest.raises(
        StackConfigError, match="the generation model is not usable: amazon.nova-pro-v1:0 cannot do 'generate'"
    ):
        from_context(_context(generationModel="amazon.nova-pro-v1:0"))
    with pytest.raises(
        StackConfigError,
        match="the modify inpaint model is not usable: stability.stable-fast-upscale-v1:0 cannot do 'inpaint'",
    ):
        from_context(_context(modifyModels='{"inpaint": "stability.stable-fast-upscale-v1:0"}'))


def test_synth_fails_on_a_retired_model_unless_allowed():
    today = date(2026, 11, 24)
    with pytest.raises(
        StackConfigError, match="past its end of life on Bedrock; use stability.stable-image-core-v1:1 instead"
    ):
        from_context(_context(generationModel="amazon.titan-image-generator-v2:0"), today=today)
    config = from_context(
        _context(generationModel="amazon.titan-image-generator-v2:0", allowRetired="true", region="us-east-1"),
        today=today,
    )
    assert config.settings.allow_retired and any("past its end of life" in w for w in config.warnings)


def test_the_original_profile_allows_only_its_own_retired_models():
    with pytest.raises(StackConfigError, match="amazon.titan-image-generator-v1 .* past its end of life"):
        from_context(
            _context(profile="original", generationModel="amazon.titan-image-generator-v1"), today=date(2026, 11, 24)
        )


def test_the_original_profile_allows_its_retired_models_with_warnings():
    config = from_context(_context(profile="original"), today=date(2026, 11, 24))
    assert config.region == "us-east-1"
    retired = [w for w in config.warnings if "past its end of life" in w]
    assert len(retired) == 2  # one per model: Titan v2, Nova Canvas (in all its modify modes)
    assert retired[1].startswith(
        "modify variation, modify inpaint, modify outpaint, modify replace, modify erase, "
        "modify remove-background model amazon.nova-canvas-v1:0"
    )


def test_synth_warns_for_a_legacy_model():
    config = from_context(_context(profile="original"), today=date(2026, 5, 1))  # before both end-of-life dates
    assert any(
        w.startswith("generation model amazon.titan-image-generator-v2:0 is Legacy (end of life 2026-06-30)")
        for w in config.warnings
    )


def test_synth_warns_for_a_model_not_offered_in_the_region():
    config = from_context(_context(region="eu-west-1"))
    assert any(
        "stability.stable-image-core-v1:1 is not offered in eu-west-1; it runs in us-west-2" in w
        for w in config.warnings
    )


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"modelSet": "newest"}, "unknown modelSet"),
        ({"authMode": "oauth"}, "authMode must be iam, apiKey or cognito"),
        ({"authMode": "cognito", "corsOrigin": "https://app.example.com"}, "corsOrigin cannot be set with authMode"),
        ({"retainData": "maybe"}, "retainData must be true or false"),
        ({"urlExpirySeconds": "604801"}, "urlExpirySeconds must be 1 to 604800 seconds"),
        ({"urlExpirySeconds": "soon"}, "urlExpirySeconds must be a number"),
        ({"judgeSeconds": "28"}, "judgeSeconds must be from 1 to 25"),
        ({"modifyModels": "{not json"}, "modifyModels must be a JSON object"),
        (
            {"modifyModels": '{"sharpen": "stability.stable-fast-upscale-v1:0"}'},
            r"unknown modify mode\(s\) sharpen; modes: variation",
        ),
        ({"modifyModels": '["stability.stable-fast-upscale-v1:0"]'}, "modifyModels must be a JSON object"),
        ({"concurrencyCap": "lots"}, "concurrencyCap must be a number"),
        ({"generationModel": " , "}, "at least one model id"),
        ({"judgeModel": ""}, "judgeModel needs at least one model id"),
        ({"modelSet": 7}, "modelSet must be text"),
        ({"corsOrigin": "app.example.com/path"}, "corsOrigin must be"),
    ],
)
def test_synth_fails_with_a_clear_message_on_bad_context(values, message):
    with pytest.raises(StackConfigError, match=message):
        from_context(_context(**values))


def _cli_env():
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_EC2_METADATA_DISABLED="true",
        CDK_DISABLE_VERSION_CHECK="true",
        CDK_DISABLE_CLI_TELEMETRY="true",  # else every CLI run looks up cdk-cli-telemetry.us-east-1.api.aws
        JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="1",
    )
    return env


def test_the_pinned_cdk_cli_reads_the_apps_cloud_assembly_offline_without_credentials(synthesized):
    """The CLI pinned in package.json reads the assembly this app writes (an unpinned `npm install
    aws-cdk` gives 3.0.0, which cannot) and prints its template, with no AWS credentials. Its run of
    the app (cdk.json's "app", -c context reaching it) is the next test's: together they are
    `cdk synth`, without a synthesis of their own (a first one in a process takes some 10 s)."""
    cdk = ROOT / "node_modules" / ".bin" / "cdk"
    assert cdk.exists(), "the pinned CDK CLI is missing: `make test` installs it (npm ci)"
    package = json.loads((cdk.resolve().parents[1] / "package.json").read_text(encoding="utf-8"))
    assert (package["name"], package["version"].startswith("2.1148.")) == ("aws-cdk", True)  # what `cdk --version` says
    current = synthesized["current"]
    done = subprocess.run(
        [str(cdk), "synth", "--app", str(current.outdir), current.stack.stack_name, "--json"],
        capture_output=True,
        text=True,
        env=_cli_env(),
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    printed = json.loads(done.stdout)  # the CLI leaves out the bootstrap version's rule when it prints
    assert (printed["Resources"], printed["Outputs"]) == (current.template["Resources"], current.template["Outputs"])


def test_the_cli_refuses_a_bad_model_with_one_readable_line(tmp_path):
    """The pinned CLI runs cdk.json's app, offline and without credentials, with the -c context: the
    app refuses the judge model given there, in one line."""
    cdk = ROOT / "node_modules" / ".bin" / "cdk"
    done = subprocess.run(
        [str(cdk), "synth", "--quiet", "--output", str(tmp_path), "-c", "judgeModel=amazon.nova-lite-v2:0"],
        capture_output=True,
        text=True,
        env=_cli_env(),
        cwd=ROOT,
        timeout=300,
    )
    assert done.returncode != 0
    assert (
        "configuration error: the judge model is not usable: unknown model id 'amazon.nova-lite-v2:0'; did you mean"
        in done.stderr
    )
    assert "Traceback" not in done.stderr


def test_a_retired_modify_model_is_advised_a_successor_per_mode_it_serves():
    config = from_context(_context(profile="original"), today=date(2026, 12, 1))
    canvas = next(w for w in config.warnings if "amazon.nova-canvas-v1:0" in w)
    assert "stability.sd3-5-large-v1:0 for variation" in canvas
    assert "stability.stable-image-inpaint-v1:0 for inpaint" in canvas
    assert "stable-image-core" not in canvas  # a text-to-image model cannot do any of these modes
