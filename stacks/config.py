"""The stack's configuration: cdk.json context, overridable with `-c key=value`, checked against
the model registry before anything is synthesized.

Context keys:
    modelSet         current (default: Active models only) or original (Titan v2, Nova Canvas, Nova Lite);
                     the old key `profile` still works, with a warning (AWS's --profile names credentials)
    region           where to deploy; default: the model set's region (us-west-2 for current, us-east-1 for
                     original), where its models run, whatever the machine's AWS configuration says
    generationModel  one id or several separated by commas (the first is the default)
    judgeModel       the same, for judges
    modifyModels     JSON object, mode -> model id, over the model set's
    allowRetired     true to deploy any model past its end of life (the original model set allows its own)
    urlExpirySeconds lifetime of pre-signed URLs (default 3600)
    judgeSeconds     time kept for a judge call before it is deferred (default 12)
    retainData       true keeps both buckets and their objects on `cdk destroy` (default false)
    authMode         iam (default: SigV4-signed calls), apiKey (an x-api-key header and a usage plan) or
                     cognito (the web page behind CloudFront, its users signing in to a Cognito user pool)
    corsOrigin       the one origin allowed to call the API from a browser, or * (default: none; with
                     authMode=cognito the distribution's origin, and corsOrigin may not be set)
    concurrencyCap   reserved concurrency per function (default: none, which is right for new accounts)
    refineConcurrency  refine jobs running at once: the refine worker's reserved concurrency (default 2)
    batchConcurrency batch worker invocations at once, so image calls at once: the batch queue's event
                     source mapping's maximum concurrency (2 to 1,000; default 4, for Bedrock's default
                     image quotas: imagegen.batches.DEFAULT_CONCURRENCY)
    throttleRate, throttleBurst  stage throttling (default 10 requests/s, burst 20)
    alarmEmail       an address the alarms are mailed to, through an SNS topic (default: none, no topic)
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from imagegen import batches
from imagegen.config import ModelRole, Settings, model_sets, split_ids
from imagegen.errors import ConfigurationError, ImageGenError
from imagegen.jobs import DEFAULT_CONCURRENCY
from imagegen.models.registry import ModelRecord, resolve

Context = Callable[[str], Any]  # app.node.try_get_context
N = TypeVar("N", int, float)

# The context key that sets each of the functions' IMAGEGEN_* settings. The core library checks
# them (Settings.from_env) and names the variable in what it reports; synth names the key.
SETTING_KEYS = {
    "modelSet": "IMAGEGEN_MODEL_SET",
    "profile": "IMAGEGEN_PROFILE",  # modelSet's old name
    "generationModel": "IMAGEGEN_GENERATION_MODEL",
    "judgeModel": "IMAGEGEN_JUDGE_MODEL",
    "modifyModels": "IMAGEGEN_MODIFY_MODELS",
    "allowRetired": "IMAGEGEN_ALLOW_RETIRED",
    "urlExpirySeconds": "IMAGEGEN_URL_EXPIRY",
    "judgeSeconds": "IMAGEGEN_JUDGE_SECONDS",
    "corsOrigin": "IMAGEGEN_CORS_ORIGIN",
}
BUCKET_AT_SYNTH = "named-by-the-stack"  # Settings needs a bucket; the functions get the stack's
AUTH_MODES = ("iam", "apiKey", "cognito")


class StackConfigError(Exception):
    """A configuration that must not be deployed; the message says what to change."""


@dataclass(frozen=True)
class StackConfig:
    # The functions' settings, as they will read them (bucket and evaluate function: the stack's).
    settings: Settings
    region: str
    retain_data: bool = False
    auth_mode: str = "iam"
    concurrency_cap: int | None = None
    refine_concurrency: int = DEFAULT_CONCURRENCY
    batch_concurrency: int = batches.DEFAULT_CONCURRENCY
    throttle_rate: float = 10.0
    throttle_burst: int = 20
    alarm_email: str | None = None
    warnings: tuple[str, ...] = field(default=(), compare=False)

    @property
    def serves_site(self) -> bool:
        """authMode=cognito: the stack serves the web page and its users sign in."""
        return self.auth_mode == "cognito"

    def function_environment(self) -> dict[str, str]:
        """The IMAGEGEN_* settings every function gets (the bucket and function names come from the stack)."""
        return {k: v for k, v in self.settings.to_env().items() if k != "IMAGEGEN_BUCKET"}


def from_context(context: Context, *, today: date | None = None) -> StackConfig:
    """Read and check the configuration; raises StackConfigError, else returns it with the
    warnings synth should show."""
    env = _function_settings(context)
    try:
        settings = Settings.from_env({**env, "IMAGEGEN_BUCKET": BUCKET_AT_SYNTH})
    except ConfigurationError as exc:
        message = exc.message
        for key, variable in SETTING_KEYS.items():
            message = message.replace(variable, key)
        raise StackConfigError(message) from None
    model_set = model_sets()[settings.model_set]
    auth_mode = _text(context, "authMode", "iam")
    if auth_mode not in AUTH_MODES:
        raise StackConfigError(f"authMode must be iam, apiKey or cognito, not {auth_mode!r}")
    if auth_mode == "cognito" and settings.cors_origin:
        raise StackConfigError(
            "corsOrigin cannot be set with authMode=cognito: the API allows the site's distribution only"
        )
    config = StackConfig(
        settings=settings,
        region=_text(context, "region", model_set["region"]),
        retain_data=_flag(context, "retainData", False),
        auth_mode=auth_mode,
        concurrency_cap=_concurrency_cap(context),
        refine_concurrency=_number(context, "refineConcurrency", int, DEFAULT_CONCURRENCY, 1, 1_000),
        batch_concurrency=_number(context, "batchConcurrency", int, batches.DEFAULT_CONCURRENCY, 2, 1_000),
        throttle_rate=_number(context, "throttleRate", float, 10.0, 1, 10_000),
        throttle_burst=_number(context, "throttleBurst", int, 20, 1, 5_000),
        alarm_email=_email(context, "alarmEmail"),
    )
    # allowRetired deploys any model past its end of life; a model set that allows retired models
    # (original) allows its own only.
    allow_any_retired = _flag(context, "allowRetired", False)
    own_models = {model_set["generation"], model_set["judge"], *model_set["modify"].values()}
    retired_ok = own_models if model_set["allow_retired"] else set()
    roles_by_model: dict[str, list[ModelRole]] = {}
    for role in settings.roles:
        roles_by_model.setdefault(role.model_id, []).append(role)
    warnings = _renamed(context) + [
        warning
        for model_id, roles in roles_by_model.items()
        for warning in _lifecycle(roles, config.region, today, allow_any_retired or model_id in retired_ok)
    ]
    return dataclasses.replace(config, warnings=tuple(warnings))


def _function_settings(context: Context) -> dict[str, str]:
    """The IMAGEGEN_* settings the context sets; the core library takes the rest from the model set."""
    env: dict[str, str] = {}
    # modelSet over its old name: an older cdk.json may still hold "profile"
    model_set = "modelSet" if _optional_text(context, "modelSet") is not None else "profile"
    for key in (model_set, "generationModel", "judgeModel"):
        value = _optional_text(context, key)
        if value is None:
            continue
        if key not in ("modelSet", "profile") and not split_ids(value):
            raise StackConfigError(f"{key} needs at least one model id, not {value!r}")
        env[SETTING_KEYS[key]] = value
    modify = _json_object(context, "modifyModels")
    if modify is not None:
        env[SETTING_KEYS["modifyModels"]] = json.dumps(modify)
    if _flag(context, "allowRetired", False):  # else the model set decides (original allows its own models)
        env[SETTING_KEYS["allowRetired"]] = "true"
    url_expiry = _optional_number(context, "urlExpirySeconds", int)  # Settings checks the range
    if url_expiry is not None:
        env[SETTING_KEYS["urlExpirySeconds"]] = str(url_expiry)
    # A judge call that outlasts this is deferred; the synchronous functions must answer within
    # API Gateway's 29 seconds, so the time kept for it is the deployment's business.
    judge_seconds = _optional_number(context, "judgeSeconds", float, 1, 25)
    if judge_seconds is not None:
        env[SETTING_KEYS["judgeSeconds"]] = f"{judge_seconds:g}"
    cors_origin = _optional_text(context, "corsOrigin")
    if cors_origin:
        if cors_origin != "*" and not re.fullmatch(r"https?://[^/\s]+", cors_origin):
            raise StackConfigError(
                f"corsOrigin must be * or an origin such as https://app.example.com, not {cors_origin!r}"
            )
        env[SETTING_KEYS["corsOrigin"]] = cors_origin
    return env


def _renamed(context: Context) -> list[str]:
    """Warnings for the old name of the model set's key."""
    old, new = _optional_text(context, "profile"), _optional_text(context, "modelSet")
    if old is None:
        return []
    if new is None:
        return [f"context key profile is deprecated: use -c modelSet={old} (AWS's --profile names credentials)"]
    if old != new:
        return [f"context key profile={old!r} is ignored: modelSet={new!r} is set (profile is modelSet's old name)"]
    return ["context key profile is deprecated and modelSet is set: remove profile"]


def _lifecycle(roles: list[ModelRole], region: str, today: date | None, retired_ok: bool) -> list[str]:
    """Refuse a model past its end of life unless allowed; warn for one that is, for a Legacy one
    and for one not offered in the region. `roles`: every role one model plays."""
    model_id = roles[0].model_id
    names = ", ".join(r.role for r in roles)
    resolved = resolve(model_id)  # Settings has checked the id and the tasks
    record = resolved.record
    warnings = []
    state = record.lifecycle.state(today)
    instead = _instead(record, roles, today)
    if state == "retired":
        if not retired_ok:
            raise StackConfigError(
                f"{names} model {model_id} ({record.name}) is past its end of life on Bedrock{instead}, "
                "or deploy it deliberately with -c allowRetired=true (the original model set does)"
            )
        warnings.append(
            f"{names} model {model_id} is past its end of life: calls fail unless "
            f"this account still has access{instead}"
        )
    else:
        notice = record.lifecycle.notice(today)  # Legacy: its dates; Active: near its Legacy date, or None
        if notice:
            warnings.append(f"{names} model {model_id} is {notice}{instead}")
    try:
        resolved.call_id(region)
    except ImageGenError:
        warnings.append(
            f"{names} model {model_id} is not offered in {region}; "
            f"it runs in {', '.join(record.serving_regions()) or 'no region'}"
        )
    return warnings


def _instead(record: ModelRecord, roles: list[ModelRole], today: date | None) -> str:
    """What to deploy instead, per task: a successor for generation may not do variation."""
    by_task: dict[str, list[str]] = {}
    for role in roles:
        successor = record.successor_for(role.task, today) or f"no Active model can do '{role.task}'"
        by_task.setdefault(successor, []).append(str(role.task))
    if len(by_task) == 1:
        (advice,) = by_task
        return f"; use {advice} instead" if not advice.startswith("no ") else f"; {advice}"
    return "; instead use " + ", ".join(
        advice if advice.startswith("no ") else f"{advice} for {', '.join(tasks)}" for advice, tasks in by_task.items()
    )


# --- context values: cdk.json holds JSON values, `-c key=value` gives text ------------------


def _optional_text(context: Context, key: str) -> str | None:
    value = context(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise StackConfigError(f"{key} must be text, not {value!r}")
    return value.strip()


def _text(context: Context, key: str, default: str) -> str:
    value = _optional_text(context, key)
    return default if value is None else value


def _flag(context: Context, key: str, default: bool) -> bool:
    value = context(key)
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if str(value).lower() in ("true", "false"):
        return str(value).lower() == "true"
    raise StackConfigError(f"{key} must be true or false, not {value!r}")


def _number(context: Context, key: str, kind: Callable[[Any], N], default: N, low: float, high: float) -> N:
    number = _optional_number(context, key, kind, low, high)
    return default if number is None else number


def _optional_number(
    context: Context, key: str, kind: Callable[[Any], N], low: float | None = None, high: float | None = None
) -> N | None:
    """The key's number, None if not set; from `low` to `high` if they are given."""
    value = context(key)
    if value is None:
        return None
    try:
        number = kind(value)
    except (TypeError, ValueError):
        raise StackConfigError(f"{key} must be a number, not {value!r}") from None
    if low is not None and high is not None and not low <= number <= high:
        raise StackConfigError(f"{key} must be from {low:g} to {high:g}, not {number}")
    return number


def _concurrency_cap(context: Context) -> int | None:
    """Reserved concurrency per function; not set, "" or "none": none reserved."""
    if context("concurrencyCap") in ("", "none"):
        return None
    return _optional_number(context, "concurrencyCap", int, 1, 10_000)


def _email(context: Context, key: str) -> str | None:
    value = _optional_text(context, key)
    if not value:
        return None
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
        raise StackConfigError(f"{key} must be an email address such as ops@example.com, not {value!r}")
    return value


def _json_object(context: Context, key: str) -> dict[str, str] | None:
    value = context(key)
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise StackConfigError(f"{key} must be a JSON object of mode to model id") from None
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise StackConfigError(f"{key} must be a JSON object of mode to model id")
    return value
