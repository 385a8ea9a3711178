"""Interpret catalog.json: model records, lifecycle, regions, profile ids and prices."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from .. import clock
from ..errors import ModelRetired, ModelUnavailable, UnknownModel, UnsupportedTask
from .request import Task

CATALOG_PATH = Path(__file__).with_name("catalog.json")

# us.amazon.nova-lite-v1:0, or an ARN of a foundation model or an inference profile
_ARN = re.compile(r"^arn:aws[\w-]*:bedrock:[\w-]*:\d*:(?:foundation-model|inference-profile)/(?P<id>.+)$")


@dataclass(frozen=True)
class Lifecycle:
    declared: str  # "active" | "legacy" | "retired", as last read from the docs
    legacy_on: date | None = None
    eol_on: date | None = None
    extended_access_on: date | None = None  # from this day a Legacy model is billed at extended-access prices

    def state(self, today: date | None = None) -> str:
        """active, legacy or retired on `today` (default: clock.today()); dates win over the declared state."""
        today = today or clock.today()
        if self.declared == "retired" or (self.eol_on and today >= self.eol_on):
            return "retired"
        if self.declared == "legacy" or (self.legacy_on and today >= self.legacy_on):
            return "legacy"
        return "active"

    def notice(self, today: date | None = None) -> str | None:
        """What a caller of the model should be told on `today`: for a Legacy model its dates (Legacy
        since, extended-access pricing, end of life and the days left); for an Active one, that it
        turns Legacy within NEAR_DAYS; None for an Active model with no such date, or a retired one."""
        today = today or clock.today()
        state = self.state(today)
        if state == "active":
            if self.legacy_on and (self.legacy_on - today).days <= NEAR_DAYS:
                days = (self.legacy_on - today).days
                return f"Active until {self.legacy_on}, then Legacy (in {days} day{'' if days == 1 else 's'})"
            return None
        if state == "retired":
            return None
        head = f"Legacy (end of life {self.eol_on})" if self.eol_on else "Legacy"
        details = [f"Legacy since {self.legacy_on}"] if self.legacy_on else []
        if self.extended_access_on:
            since = "since" if today >= self.extended_access_on else "from"
            details.append(f"extended-access pricing {since} {self.extended_access_on}")
        if self.eol_on:
            left = (self.eol_on - today).days
            details.append(f"{left} day{'' if left == 1 else 's'} left")
        return head + (": " + ", ".join(details) if details else "")


NEAR_DAYS = 30  # an Active model this close to its Legacy date is worth a warning


@dataclass(frozen=True)
class Price:
    per_image: Mapping[str, float] | None = None  # quality -> USD ("any" when flat)
    input_per_million: float | None = None
    output_per_million: float | None = None

    def image_cost(self, count: int, quality: str | None = None) -> float | None:
        if not self.per_image:
            return None
        rate = self.per_image.get(quality or "", self.per_image.get("standard", self.per_image.get("any")))
        return None if rate is None else round(rate * count, 6)

    def token_cost(self, input_tokens: int | None, output_tokens: int | None) -> float | None:
        if self.input_per_million is None or self.output_per_million is None:
            return None
        if input_tokens is None or output_tokens is None:
            return None
        cost = input_tokens * self.input_per_million + output_tokens * self.output_per_million
        return round(cost / 1_000_000, 6)


@dataclass(frozen=True)
class ModelRecord:
    id: str
    name: str
    provider: str
    family: str
    tasks: tuple[Task, ...]
    lifecycle: Lifecycle
    regions: tuple[str, ...]  # where the bare id runs on demand
    profiles: Mapping[str, tuple[str, ...]]  # prefix -> source regions ("*": any)
    limits: Mapping[str, Any]
    price: Price
    successor: str | None = None
    successor_note: str | None = None  # why no successor is named, or what is known of one
    fields: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # body fields: required, optional

    def supports(self, task: Task | str) -> bool:
        return Task(task) in self.tasks

    def require(self, task: Task | str) -> None:
        if not self.supports(task):
            raise UnsupportedTask(self.id, str(Task(task)), [t.value for t in self.tasks])

    def profile_ids(self) -> list[str]:
        return [f"{prefix}.{self.id}" for prefix in self.profiles]

    def offered_in(self, region: str) -> bool:
        return region in self.regions or any(_covers(regions, region) for regions in self.profiles.values())

    def invoke_id(self, region: str, requested: str | None = None) -> str:
        """The id to call from `region`: the requested profile id if it serves the region,
        else the bare id where it runs on demand, else a profile that covers the region."""
        if requested and requested != self.id:
            prefix = requested.split(".", 1)[0]
            if _covers(self.profiles.get(prefix, ()), region):
                return requested
            raise ModelUnavailable(f"{requested} cannot be called from {region}")
        if region in self.regions:
            return self.id
        for prefix, regions in self.profiles.items():
            if _covers(regions, region):
                return f"{prefix}.{self.id}"
        raise ModelUnavailable(
            f"{self.id} is not offered in {region}; it runs in {', '.join(self.serving_regions()) or 'no region'}"
        )

    def serving_regions(self) -> list[str]:
        found = set(self.regions)
        for regions in self.profiles.values():
            found.update(r for r in regions if r != "*")
        return sorted(found)

    def check_callable(self, today: date | None = None, task: Task | str | None = None) -> None:
        """Raise ModelRetired past end of life, with advice on what to use for `task` instead."""
        if self.lifecycle.state(today) == "retired":
            raise ModelRetired(f"{self.id} ({self.name}) is retired on Bedrock; {self.instead(task, today)}")

    def lifecycle_warning(self, task: Task | str | None = None, today: date | None = None) -> str | None:
        """A line for whoever is about to use this model for `task`, or None: its Legacy dates (or
        that it turns Legacy soon) and what to use instead."""
        notice = self.lifecycle.notice(today)
        if notice is None:
            return None
        advice = self.instead(task, today)
        if self.successor_note and self.successor_for(None, today) is None:
            advice += " (no successor is confirmed for it)"
        return f"{self.id} is {notice}; {advice}"

    def successor_for(self, task: Task | str | None = None, today: date | None = None) -> str | None:
        """An Active model that can do `task`: the declared successor if it can, else the first
        such model in the catalog. Without a task, the declared successor if it is Active."""
        wanted = None if task is None else Task(task)

        def fits(record: ModelRecord) -> bool:
            return record.lifecycle.state(today) == "active" and (wanted is None or record.supports(wanted))

        declared = _catalog()[0].get(self.successor or "")
        if declared and fits(declared):
            return declared.id
        if wanted is None:
            return None
        return next((m.id for m in all_models() if m.id != self.id and fits(m)), None)

    def instead(self, task: Task | str | None = None, today: date | None = None) -> str:
        """The advice for a caller of this (retired or legacy-only) model."""
        successor = self.successor_for(task, today)
        if successor:
            return f"use {successor} instead"
        if task is not None:
            return f"no Active model in the registry can do '{Task(task)}'"
        return "choose an Active model from the registry"


@dataclass(frozen=True)
class ResolvedModel:
    """A record plus the id the caller gave (bare, profile or ARN-derived)."""

    record: ModelRecord
    requested_id: str
    profile_prefix: str | None = None

    def call_id(self, region: str | None = None) -> str:
        """The id to call: from `region`, a bare id becomes the profile that serves it where
        the model has no on-demand throughput; without a region, the id as given, except that
        a profile-only model gets its first profile."""
        record = self.record
        if region:
            return record.invoke_id(region, self.requested_id)
        if self.requested_id != record.id or record.regions or not record.profiles:
            return self.requested_id
        return f"{next(iter(record.profiles))}.{record.id}"


@lru_cache(maxsize=1)
def _catalog() -> tuple[dict[str, ModelRecord], frozenset[str]]:
    raw = json.loads(CATALOG_PATH.read_text(encoding="utf-8"))
    geographies: dict[str, list[str]] = raw["geographies"]
    records: dict[str, ModelRecord] = {}
    for entry in raw["models"]:
        limits = {**raw["families"][entry["family"]]["limits"], **entry.get("limits", {})}
        limits = {k: v for k, v in limits.items() if v is not None}  # a model may drop a family limit
        life = entry["lifecycle"]
        price = entry["price"]
        per_image = price.get("per_image")
        records[entry["id"]] = ModelRecord(
            id=entry["id"],
            name=entry["name"],
            provider=entry["provider"],
            family=entry["family"],
            tasks=tuple(Task(t) for t in entry["tasks"]),
            lifecycle=Lifecycle(
                declared=life["declared"],
                legacy_on=_date(life.get("legacy")),
                eol_on=_date(life.get("eol")),
                extended_access_on=_date(life.get("extended_access")),
            ),
            regions=tuple(entry.get("regions", ())),
            profiles={
                prefix: tuple(regions if regions is not None else geographies[prefix])
                for prefix, regions in entry.get("profiles", {}).items()
            },
            limits=limits,
            price=Price(
                per_image={"any": per_image} if isinstance(per_image, (int, float)) else per_image,
                input_per_million=price.get("input_per_million"),
                output_per_million=price.get("output_per_million"),
            ),
            successor=entry.get("successor"),
            successor_note=entry.get("successor_note"),
            fields={kind: tuple(names) for kind, names in entry.get("fields", {}).items()},
        )
    return records, frozenset(geographies)


def all_models() -> list[ModelRecord]:
    return list(_catalog()[0].values())


def models_for(task: Task | str) -> list[ModelRecord]:
    return [m for m in all_models() if m.supports(task)]


def resolve(model_id: str) -> ResolvedModel:
    """Find the record behind a bare id, a profile id (us., eu., global. ...) or an ARN."""
    records, prefixes = _catalog()
    if not isinstance(model_id, str) or not model_id.strip():
        raise UnknownModel(repr(model_id), [])
    requested = model_id.strip()
    arn = _ARN.match(requested)
    if arn:
        requested = arn.group("id")
    if requested in records:
        return ResolvedModel(records[requested], requested)
    prefix, _, rest = requested.partition(".")
    if prefix in prefixes and rest in records:
        if prefix not in records[rest].profiles:  # a real model, but no such profile for it
            raise UnknownModel(requested, records[rest].profile_ids() or [rest])
        return ResolvedModel(records[rest], requested, profile_prefix=prefix)
    raise UnknownModel(model_id, close_matches(requested))


def get(model_id: str) -> ModelRecord:
    return resolve(model_id).record


def close_matches(model_id: str, limit: int = 4) -> list[str]:
    records, _ = _catalog()
    known = list(records) + [pid for r in records.values() for pid in r.profile_ids()]
    return difflib.get_close_matches(model_id, known, n=limit, cutoff=0.5)


def _covers(regions: tuple[str, ...] | list[str], region: str) -> bool:
    return "*" in regions or region in regions


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None
