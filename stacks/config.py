"""The stack's configuration: cdk.json context, overridable with `-c key=value`, checked against
the model registry before anything is synthesized.

Context keys:
    profile          current (default: Active models only) or original (Titan v2, Nova Canvas, Nova Lite)
    region           where to deploy; default: the profile's region (us-west-2 for current, us-east-1 for
                     original), where its models run, whatever the machine's AWS configuration says
    generationModel  one id or several separated by commas (the first is the default)
    judgeModel       the same, for judges
    modifyModels     JSON object, mode -> model id, over the profile's
    allowRetired     true to deploy any model past its end of life (the original profile allows its own)
    urlExpirySeconds lifetime of pre-signed URLs (default 3600)
    judgeSeconds     time kept for a judge call before it is deferred (default 12)
    retainData       true keeps both buckets and their objects on `cdk destroy` (default false)
    authMode         iam (default: SigV4-signed calls) or apiKey (an x-api-key header and a usage plan)
    corsOrigin       the one origin allowed to call the API from a browser, or * (default: none)
    concurrencyCap   reserved concurrency per function (default: none, which is right for new accounts)
    throttleRate, throttleBurst  stage throttling (default 10 requests/s, burst 20)
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from imagegen.config import MAX_URL_EXPIRY, MODIFY_MODES, profiles, split_ids
from imagegen.errors import ImageGenError
from imagegen.models.registry import resolve
from imagegen.models.request import Task


class StackConfigError(Exception):
    """A configuration that must not be deployed; the message says what to change."""


@dataclass(frozen=True)
class Role:
    name: str  # "generation", "judge", "modify inpaint", ...
    model_id: str
    task: Task


@dataclass(frozen=True)
class StackConfig:
    profile: str
    region: str
    generation_models: tuple[str, ...]
    judge_models: tuple[str, ...]
    modify_models: Mapping[str, str]
    allow_retired: bool
    url_expiry_seconds: int = 3600
    judge_seconds: float = 12.0
    retain_data: bool = False
    auth_mode: str = "iam"
    cors_origin: str | None = None
    concurrency_cap: int | None = None
    throttle_rate: float = 10.0
    throttle_burst: int = 20
    warnings: tuple[str, ...] = field(default=(), compare=False)

    @property
    def roles(self) -> list[Role]:
        roles = [Role("generation", m, Task.GENERATE) for m in self.generation_models]
        roles += [Role("judge", m, Task.JUDGE) for m in self.judge_models]
        roles += [Role(f"modify {mode}", m, Task(mode)) for mode, m in self.modify_models.items()]
        return roles

    def function_environment(self) -> dict[str, str]:
        """The IMAGEGEN_* settings every function gets (the bucket and function names come from the stack)."""
        return {
            "IMAGEGEN_PROFILE": self.profile,
            "IMAGEGEN_GENERATION_MODEL": ",".join(self.generation_models),
            "IMAGEGEN_JUDGE_MODEL": ",".join(self.judge_models),
            "IMAGEGEN_MODIFY_MODELS": json.dumps(dict(self.modify_models), sort_keys=True),
            "IMAGEGEN_ALLOW_RETIRED": str(self.allow_retired).lower(),
            "IMAGEGEN_URL_EXPIRY": str(self.url_expiry_seconds),
            "IMAGEGEN_JUDGE_SECONDS": f"{self.judge_seconds:g}",
            **({"IMAGEGEN_CORS_ORIGIN": self.cors_origin} if self.cors_origin else {}),
        }


def from_context(context: Callable[[str], Any], *, today: date | None = None) -> StackConfig:
    """Read and check the configuration; raises StackConfigError, else returns it with the
    warnings synth should show."""
    name = _text(context, "profile", "current")
    if name not in profiles():
        raise StackConfigError(f"unknown profile {name!r}: use one of {', '.join(profiles())}")
    profile = profiles()[name]
    modify = dict(profile["modify"])
    modify.update(_json_object(context, "modifyModels"))
    unknown_modes = sorted(set(modify) - set(MODIFY_MODES))
    if unknown_modes:
        raise StackConfigError(
            f"modifyModels: unknown mode(s) {', '.join(unknown_modes)}; modes: {', '.join(MODIFY_MODES)}"
        )
    allow_any_retired = _flag(context, "allowRetired", False)
    profile_models = {profile["generation"], profile["judge"], *profile["modify"].values()}
    retired_ok = profile_models if profile["allow_retired"] else set()
    cors_origin = _text(context, "corsOrigin", "") or None
    if cors_origin and cors_origin != "*" and not re.fullmatch(r"https?://[^/\s]+", cors_origin):
        raise StackConfigError(
            f"corsOrigin must be * or an origin such as https://app.example.com, not {cors_origin!r}"
        )
    auth_mode = _text(context, "authMode", "iam")
    if auth_mode not in ("iam", "apiKey"):
        raise StackConfigError(f"authMode must be iam or apiKey, not {auth_mode!r}")
    config = StackConfig(
        profile=name,
        region=_text(context, "region", profile["region"]),
        generation_models=split_ids(_text(context, "generationModel", profile["generation"])),
        judge_models=split_ids(_text(context, "judgeModel", profile["judge"])),
        modify_models=modify,
        allow_retired=allow_any_retired or bool(retired_ok),
        url_expiry_seconds=_number(context, "urlExpirySeconds", 3600, int, 1, MAX_URL_EXPIRY),
        judge_seconds=_number(context, "judgeSeconds", 12.0, float, 1, 25),
        retain_data=_flag(context, "retainData", False),
        auth_mode=auth_mode,
        cors_origin=cors_origin,
        concurrency_cap=_optional_int(context, "concurrencyCap"),
        throttle_rate=_number(context, "throttleRate", 10.0, float, 1, 10_000),
        throttle_burst=_number(context, "throttleBurst", 20, int, 1, 5_000),
    )
    if not config.generation_models or not config.judge_models:
        raise StackConfigError("generationModel and judgeModel need at least one model id each")
    roles_by_model: dict[str, list[Role]] = {}
    for role in config.roles:
        roles_by_model.setdefault(role.model_id, []).append(role)
    warnings = [
        w
        for roles in roles_by_model.values()
        for w in _check_model(roles, config, today, allow_any_retired, retired_ok)
    ]
    return dataclasses.replace(config, warnings=tuple(warnings))


def _check_model(
    roles: list[Role], config: StackConfig, today: date | None, allow_any_retired: bool, retired_ok: set[str]
) -> list[str]:
    """Errors for a model that must not be deployed in these roles; warnings for one that may."""
    model_id = roles[0].model_id
    names = ", ".join(r.name for r in roles)
    try:
        resolved = resolve(model_id)
    except ImageGenError as exc:  # an unknown id: the message lists the close matches
        raise StackConfigError(f"{names} model: {exc.message}") from None
    record = resolved.record
    for role in roles:
        if not record.supports(role.task):
            can = ", ".join(t.value for t in record.tasks)
            raise StackConfigError(f"{role.name} model {model_id} cannot do '{role.task}'; it can do: {can}")
    role = Role(names, model_id, roles[0].task)
    warnings = []
    state = record.lifecycle.state(today)
    instead = _instead(record, roles, today)
    if state == "retired":
        if not (allow_any_retired or model_id in retired_ok):
            raise StackConfigError(
                f"{role.name} model {role.model_id} ({record.name}) is past its end of life on Bedrock{instead}, "
                "or deploy it deliberately with -c allowRetired=true (the original profile does)"
            )
        warnings.append(
            f"{role.name} model {role.model_id} is past its end of life: calls fail unless "
            f"this account still has access{instead}"
        )
    elif state == "legacy":
        eol = f" (end of life {record.lifecycle.eol_on})" if record.lifecycle.eol_on else ""
        warnings.append(f"{role.name} model {role.model_id} is Legacy{eol}{instead}")
    try:
        resolved.call_id(config.region)
    except ImageGenError:
        warnings.append(
            f"{role.name} model {role.model_id} is not offered in {config.region}; "
            f"it runs in {', '.join(record.serving_regions()) or 'no region'}"
        )
    return warnings


def _instead(record: Any, roles: list[Role], today: date | None) -> str:
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


def _text(context: Callable[[str], Any], key: str, default: str) -> str:
    value = context(key)
    if value is None:
        return default
    if not isinstance(value, str):
        raise StackConfigError(f"{key} must be text, not {value!r}")
    return value.strip()


def _flag(context: Callable[[str], Any], key: str, default: bool) -> bool:
    value = context(key)
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if str(value).lower() in ("true", "false"):
        return str(value).lower() == "true"
    raise StackConfigError(f"{key} must be true or false, not {value!r}")


def _number(context: Callable[[str], Any], key: str, default: Any, kind: type, low: float, high: float) -> Any:
    value = context(key)
    if value is None:
        return default
    try:
        number = kind(value)
    except (TypeError, ValueError):
        raise StackConfigError(f"{key} must be a number, not {value!r}") from None
    if not low <= number <= high:
        raise StackConfigError(f"{key} must be from {low:g} to {high:g}, not {number}")
    return number


def _optional_int(context: Callable[[str], Any], key: str) -> int | None:
    value = context(key)
    if value in (None, "", "none"):
        return None
    return _number(context, key, None, int, 1, 10_000)


def _json_object(context: Callable[[str], Any], key: str) -> dict[str, str]:
    value = context(key)
    if value is None:
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise StackConfigError(f"{key} must be a JSON object of mode to model id") from None
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise StackConfigError(f"{key} must be a JSON object of mode to model id")
    return value
