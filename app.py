#!/usr/bin/env python3
"""The CDK app: reads the configuration, composes the stack, adds the cdk-nag checks."""

from __future__ import annotations

import json
import os
import sys
from datetime import date
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks

from stacks.config import StackConfigError, from_context
from stacks.image_api_stack import ImageGenEvalStack

CDK_JSON = Path(__file__).resolve().parent / "cdk.json"


def build_app(
    context: dict[str, Any] | None = None, *, outdir: str | None = None, today: date | None = None
) -> cdk.App:
    """The app with its one stack; raises StackConfigError for a configuration not to deploy.

    cdk.json's context (feature flags and defaults) is applied here too, so that an app built
    outside the CLI, in tests, is the app `cdk synth` builds; `context` and the CLI's `-c`
    values override it."""
    defaults = json.loads(CDK_JSON.read_text(encoding="utf-8"))["context"]
    app = cdk.App(context={**defaults, **(context or {})}, outdir=outdir, analytics_reporting=False)
    config = from_context(app.node.try_get_context, today=today)
    stack_name = app.node.try_get_context("stackName") or "BedrockImageGenEval"
    ImageGenEvalStack(
        app,
        stack_name,
        config=config,
        env=cdk.Environment(account=os.environ.get("CDK_DEFAULT_ACCOUNT"), region=config.region),
    )
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    return app


def main() -> None:
    try:
        app = build_app()
    except StackConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        sys.exit(1)
    app.synth()


if __name__ == "__main__":
    main()
