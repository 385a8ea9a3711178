"""Settings: a model set's models (model_sets.json: current or original), overridden by IMAGEGEN_*
environment variables.

The same names serve the Lambda functions (the stack sets them) and the command line.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from .errors import ConfigurationError, ImageGenError, InvalidParameter
from .models.registry import resolve
from .models.request import Task
from .models.tasks import MODIFY_TASKS

MODEL_SETS_PATH = Path(__file__).with_name("model_sets.json")
MODIFY_MODES = tuple(t.value for t in MODIFY_TASKS)
MODEL_SET = "IMAGEGEN_MODEL_SET"
# old name -> new name; the old one still works (deprecations() says so). IMAGEGEN_PROFILE named the
# model set, while AWS_PROFILE (and the AWS CLI's and the CDK's --profile) name credentials.
RENAMED = {"IMAGEGEN_PROFILE": MODEL_SET}
MAX_URL_EXPIRY = 7 * 24 * 3600  # SigV4's limit; a URL also dies with the credentials that signed it


def deprecations(env: Mapping[str, str]) -> list[str]:
    """A line for each old variable name `env` still uses."""
    return [
        f"{old} is deprecated: set {new} instead (the same values, {' or '.join(model_sets())})"
        for old, new in RENAMED.items()
        if old in env
    ]


def _model_set(env: Mapping[str, str]) -> str:
    given = {name: env[name] for name in (MODEL_SET, *RENAMED) if name in env}
    if len(set(given.values())) > 1:
        both = " and ".join(f"{k}={v!r}" for k, v in given.items())
        raise ConfigurationError(f"{both} disagree; set {MODEL_SET} only")
    name = next(iter(given.values()), "current")
    if name not in model_sets():
        variable = next(iter(given), MODEL_SET)
        raise ConfigurationError(f"unknown {variable} {name!r}; use one of {', '.join(model_sets())}")
    return name


@lru_cache(maxsize=1)
def model_sets() -> dict[str, dict[str, Any]]:
    raw = json.loads(MODEL_SETS_PATH.read_text(encoding="utf-8"))
    return {name: value for name, value in raw.items() if not name.startswith("_")}


class ModelRole(NamedTuple):
    role: str  # "generation", "judge", "modify inpaint", ...
    model_id: str
    task: Task


@dataclass(frozen=True)
class Settings:
    bucket: str
    generation_models: tuple[str, ...]  # the first is the default; callers may pick any of them
    judge_models: tuple[str, ...]
    modify_models: Mapping[str, str] = field(default_factory=dict)
    model_set: str = "current"
    url_expiry_seconds: int = 3600
    judge_seconds: float = 12.0  # time to keep for a judge call before falling back to async
    variation_strength: float = 0.5  # neutral strength when a variation request gives none
    allow_retired: bool = False
    evaluate_function: str | None = None  # the function to invoke for a deferred evaluation
    refine_function: str | None = None  # the refine worker, invoked asynchronously for each job
    batch_queue_url: str | None = None  # the SQS queue that feeds the batch worker
    cors_origin: str | None = None  # the browser origin answers allow, if the API serves browsers

    def __post_init__(self) -> None:
        if not self.bucket:
            raise ConfigurationError("no image bucket configured: set IMAGEGEN_BUCKET")
        if not 1 <= self.url_expiry_seconds <= MAX_URL_EXPIRY:
            raise ConfigurationError(f"IMAGEGEN_URL_EXPIRY must be 1 to {MAX_URL_EXPIRY} seconds")
        unknown = [mode for mode in self.modify_models if mode not in MODIFY_MODES]
        if unknown:
            raise ConfigurationError(f"unknown modify mode(s) {', '.join(unknown)}; modes: {', '.join(MODIFY_MODES)}")
        if not self.generation_models or not self.judge_models:
            raise ConfigurationError("at least one generation model and one judge model are needed")
        for role, model_id, task in self.roles:
            try:
                resolve(model_id).record.require(task)
            except ImageGenError as exc:
                raise ConfigurationError(f"the {role} model is not usable: {exc.message}") from exc

    @property
    def roles(self) -> list[ModelRole]:
        """Every model these settings name, with the role it plays and the task that role needs."""
        roles = [ModelRole("generation", model, Task.GENERATE) for model in self.generation_models]
        roles += [ModelRole("judge", model, Task.JUDGE) for model in self.judge_models]
        roles += [ModelRole(f"modify {mode}", model, Task(mode)) for mode, model in self.modify_models.items()]
        return roles

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        name = _model_set(env)
        chosen = model_sets()[name]
        modify = dict(chosen["modify"])
        if env.get("IMAGEGEN_MODIFY_MODELS"):
            try:
                modify.update(json.loads(env["IMAGEGEN_MODIFY_MODELS"]))
            except (ValueError, TypeError) as exc:
                raise ConfigurationError("IMAGEGEN_MODIFY_MODELS must be a JSON object of mode to model id") from exc
        try:
            return cls(
                bucket=env.get("IMAGEGEN_BUCKET", ""),
                generation_models=split_ids(env.get("IMAGEGEN_GENERATION_MODEL") or chosen["generation"]),
                judge_models=split_ids(env.get("IMAGEGEN_JUDGE_MODEL") or chosen["judge"]),
                modify_models=modify,
                model_set=name,
                url_expiry_seconds=int(env.get("IMAGEGEN_URL_EXPIRY", 3600)),
                judge_seconds=float(env.get("IMAGEGEN_JUDGE_SECONDS", 12.0)),
                allow_retired=env.get("IMAGEGEN_ALLOW_RETIRED", str(chosen["allow_retired"])).lower() == "true",
                evaluate_function=env.get("IMAGEGEN_EVALUATE_FUNCTION") or None,
                refine_function=env.get("IMAGEGEN_REFINE_FUNCTION") or None,
                batch_queue_url=env.get("IMAGEGEN_BATCH_QUEUE_URL") or None,
                cors_origin=env.get("IMAGEGEN_CORS_ORIGIN") or None,
            )
        except ValueError as exc:
            raise ConfigurationError(f"a numeric IMAGEGEN_ setting is not a number ({exc})") from exc

    def to_env(self) -> dict[str, str]:
        """The IMAGEGEN_* variables `from_env` reads back as these settings (the stack gives them to
        the functions), the bucket and the evaluate function last."""
        return {
            MODEL_SET: self.model_set,
            "IMAGEGEN_GENERATION_MODEL": ",".join(self.generation_models),
            "IMAGEGEN_JUDGE_MODEL": ",".join(self.judge_models),
            "IMAGEGEN_MODIFY_MODELS": json.dumps(dict(self.modify_models), sort_keys=True),
            "IMAGEGEN_ALLOW_RETIRED": str(self.allow_retired).lower(),
            "IMAGEGEN_URL_EXPIRY": str(self.url_expiry_seconds),
            "IMAGEGEN_JUDGE_SECONDS": f"{self.judge_seconds:g}",
            **({"IMAGEGEN_CORS_ORIGIN": self.cors_origin} if self.cors_origin else {}),
            "IMAGEGEN_BUCKET": self.bucket,
            **({"IMAGEGEN_EVALUATE_FUNCTION": self.evaluate_function} if self.evaluate_function else {}),
            **({"IMAGEGEN_REFINE_FUNCTION": self.refine_function} if self.refine_function else {}),
            **({"IMAGEGEN_BATCH_QUEUE_URL": self.batch_queue_url} if self.batch_queue_url else {}),
        }

    def modify_model(self, mode: str) -> str:
        if mode not in self.modify_models:
            raise InvalidParameter(
                "mode", mode, f"one of {', '.join(self.modify_models)} (as this deployment is configured)"
            )
        return self.modify_models[mode]


def split_ids(value: str) -> tuple[str, ...]:
    """One model id, or several separated by commas."""
    return tuple(part.strip() for part in value.split(",") if part.strip())
