"""Synthesize each configuration once per test session (synthesis, with cdk-nag, takes seconds).

The tests here import aws_cdk and cfn-lint inside the functions that use them: every pytest worker
collects every module, and only the one that runs these tests should pay for those imports (some
2 s, and aws_cdk starts a jsii process)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "1")

# Lifecycle states follow the calendar; the templates and their warnings must not.
SYNTH_DAY = date(2026, 12, 1)  # Titan v2 and Nova Canvas past their end of life

CONFIGS: dict[str, dict[str, Any]] = {
    "current": {},
    "original": {"modelSet": "original", "authMode": "cognito"},  # the original's models, with the web page
    "api_key": {
        "stackName": "ImageGenTwo",
        "authMode": "apiKey",
        "retainData": True,
        "corsOrigin": "https://app.example.com",
        "concurrencyCap": 5,
        "alarmEmail": "ops@example.com",
        "generationModel": "stability.stable-image-core-v1:1,stability.stable-image-ultra-v1:1",
        "judgeModel": "global.anthropic.claude-haiku-4-5-20251001-v1:0",
    },
}


@dataclass
class Synthesized:
    stack: Any
    template: dict[str, Any]
    outdir: Path
    warnings: list[str]  # what synth reported as warnings (Annotations.from_stack would synthesize again)

    def resources(self, kind: str) -> dict[str, dict[str, Any]]:
        return {lid: r for lid, r in self.template["Resources"].items() if r["Type"] == kind}

    def one(self, kind: str, logical_prefix: str) -> dict[str, Any]:
        found = [r for lid, r in self.resources(kind).items() if lid.startswith(logical_prefix)]
        assert len(found) == 1, f"{len(found)} {kind} named {logical_prefix}*"
        return found[0]


@pytest.fixture(scope="session")
def synthesized(tmp_path_factory) -> dict[str, Synthesized]:
    """Every configuration, synthesized with the AwsSolutions checks: app.synth() raises
    ValidationFailed on any finding that is not acknowledged."""
    from aws_cdk import Stack
    from aws_cdk.cx_api import SynthesisMessageLevel

    from app import build_app

    result = {}
    for name, context in CONFIGS.items():
        outdir = tmp_path_factory.mktemp(f"cdk-{name}")
        app = build_app(context, outdir=str(outdir), today=SYNTH_DAY)
        assembly = app.synth()
        stack = next(c for c in app.node.children if isinstance(c, Stack))
        artifact = assembly.get_stack_by_name(stack.stack_name)
        warnings = [str(m.entry.data) for m in artifact.messages if m.level == SynthesisMessageLevel.WARNING]
        result[name] = Synthesized(stack, artifact.template, outdir, warnings)
    return result


ASSET_HASH = re.compile(r"[0-9a-f]{64}")


def masked(value: Any) -> Any:
    """The template with asset hashes (which change with every code change) replaced."""
    if isinstance(value, dict):
        return {k: masked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [masked(v) for v in value]
    if isinstance(value, str):
        return ASSET_HASH.sub("<asset-hash>", value)
    return value
