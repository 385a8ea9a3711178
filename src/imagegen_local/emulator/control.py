"""The Bedrock control plane (service `bedrock`, not `bedrock-runtime`) as the emulated account
answers it, from account.json (written apart from the catalog), with drift injected by faults.

    GET /foundation-models                         ListFoundationModels (byProvider, byOutputModality,
                                                   byInferenceType, byCustomizationType)
    GET /inference-profiles                        ListInferenceProfiles (maxResults, nextToken, type)
    GET /foundation-model-availability/{modelId}   GetFoundationModelAvailability

The request and response fields are botocore's service model's (bedrock 2023-04-20); an enum
value or a model id that does not fit it is a ValidationException, a well-formed id the region
does not list a ResourceNotFoundException, as the service answers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from .errors import BedrockError, validation

ACCOUNT_PATH = Path(__file__).with_name("account.json")
PATHS = re.compile(r"^/(foundation-models|inference-profiles|foundation-model-availability/(?P<model>[^/]+))$")
# botocore's BedrockModelId pattern, whole
MODEL_ID = re.compile(
    r"[a-z0-9-]{1,63}[.]{1}[a-z0-9-]{1,63}([a-z0-9-]{1,63}[.]){0,2}[a-z0-9-]{1,63}([:][a-z0-9-]{1,63}){0,2}(/[a-z0-9]{12}|)"
)
ENUMS = {
    "byOutputModality": ("TEXT", "IMAGE", "EMBEDDING"),
    "byInferenceType": ("ON_DEMAND", "PROVISIONED"),
    "byCustomizationType": ("FINE_TUNING", "CONTINUED_PRE_TRAINING", "DISTILLATION"),
    "type": ("SYSTEM_DEFINED", "APPLICATION"),
}
PAGE = 100  # ListInferenceProfiles' page when maxResults is not given


@dataclass(frozen=True)
class Drift:
    """What the faults change in the account's answers."""

    today: date
    legacy_models: frozenset[str] = frozenset()  # answered LEGACY (legacyTime: today unless dated)
    unlisted_models: frozenset[str] = frozenset()  # not listed, nor their profiles
    unlisted_profiles: frozenset[str] = frozenset()  # inference profile ids not listed
    deny_models: frozenset[str] = frozenset()  # NOT_AUTHORIZED, agreement NOT_AVAILABLE


def handles(path: str) -> bool:
    return PATHS.match(urlsplit(path).path) is not None


def operation(path: str) -> str:
    """The operation a control-plane path calls."""
    match = PATHS.match(urlsplit(path).path)
    if match is None:
        return "unknown"
    if match.group("model") is not None:
        return "GetFoundationModelAvailability"
    return "ListFoundationModels" if match.group(1) == "foundation-models" else "ListInferenceProfiles"


def answer(path: str, region: str, drift: Drift) -> dict[str, Any]:
    """The operation's JSON answer; raises BedrockError as the service would answer."""
    parts = urlsplit(path)
    query = {key: values[-1] for key, values in parse_qs(parts.query, keep_blank_values=True).items()}
    match = PATHS.match(parts.path)
    if match is None:
        raise BedrockError("UnknownOperationException", "Unknown operation", 404)
    for name, allowed in ENUMS.items():
        if name in query and query[name] not in allowed:
            raise _constraint(query[name], name, f"Member must satisfy enum value set: [{', '.join(allowed)}]")
    if match.group("model") is not None:
        return _availability(unquote(match.group("model")), region, drift)
    if match.group(1) == "foundation-models":
        return {"modelSummaries": _filtered(listed_models(region, drift), query)}
    return _profile_page(region, drift, query)


@lru_cache(maxsize=1)
def account() -> dict[str, Any]:
    return dict(json.loads(ACCOUNT_PATH.read_text(encoding="utf-8")))


def listed_models(region: str, drift: Drift) -> list[dict[str, Any]]:
    """ListFoundationModels' summaries in `region` on `drift.today`."""
    summaries = []
    for entry in account()["models"]:
        model_id = entry["modelId"]
        sources = [s for p in _profiles_of(entry) for s in p["sources"]]
        if model_id in drift.unlisted_models or _ended(entry, drift.today):
            continue
        if region not in entry["on_demand"] and region not in sources and "*" not in sources:
            continue
        keys = ("modelId", "modelName", "providerName", "inputModalities", "outputModalities")
        summary = {key: entry[key] for key in keys}
        summary["modelArn"] = _model_arn(region, model_id)
        summary["responseStreamingSupported"] = entry["responseStreamingSupported"]
        summary["customizationsSupported"] = entry["customizationsSupported"]
        summary["inferenceTypesSupported"] = ["ON_DEMAND" if region in entry["on_demand"] else "INFERENCE_PROFILE"]
        summary["modelLifecycle"] = _lifecycle(entry, drift)
        summaries.append(summary)
    return summaries


def listed_profiles(region: str, drift: Drift) -> list[dict[str, Any]]:
    """ListInferenceProfiles' summaries (system-defined profiles) whose sources hold `region`."""
    listed = {m["modelId"] for m in listed_models(region, drift)}
    found = []
    for entry in account()["models"]:
        for profile in _profiles_of(entry):
            profile_id = f"{profile['prefix']}.{entry['modelId']}"
            if entry["modelId"] not in listed or profile_id in drift.unlisted_profiles:
                continue
            if region not in profile["sources"] and "*" not in profile["sources"]:
                continue
            destinations = ["" if r == "*" else r for r in profile["sources"]]
            found.append(
                {
                    "inferenceProfileName": f"{profile['name']} {entry['modelName']}",
                    "description": f"Routes requests to {entry['modelName']} in {profile['name']} regions.",
                    "inferenceProfileArn": _profile_arn(region, profile_id),
                    "models": [{"modelArn": _model_arn(r, entry["modelId"])} for r in destinations[:5]],
                    "inferenceProfileId": profile_id,
                    "status": "ACTIVE",
                    "type": "SYSTEM_DEFINED",
                }
            )
    return found


def _availability(model_id: str, region: str, drift: Drift) -> dict[str, Any]:
    if not MODEL_ID.fullmatch(model_id):
        raise _constraint(model_id, "modelId", f"Member must satisfy regular expression pattern: {MODEL_ID.pattern}")
    if model_id not in {m["modelId"] for m in listed_models(region, drift)}:
        raise BedrockError("ResourceNotFoundException", f"The model {model_id} does not exist.", 404)
    geographies = account()["geographies"]
    denied = any(
        d == model_id or d.partition(".")[::2] in ((g, model_id) for g in geographies) for d in drift.deny_models
    )
    return {
        "modelId": model_id,
        "agreementAvailability": {"status": "NOT_AVAILABLE" if denied else "AVAILABLE"},
        "authorizationStatus": "NOT_AUTHORIZED" if denied else "AUTHORIZED",
        "entitlementAvailability": "AVAILABLE",
        "regionAvailability": "AVAILABLE",
    }


def _profile_page(region: str, drift: Drift, query: dict[str, str]) -> dict[str, Any]:
    profiles = [] if query.get("type") == "APPLICATION" else listed_profiles(region, drift)
    size = query.get("maxResults", str(PAGE))
    if not size.isdigit() or not 1 <= int(size) <= 1000:
        raise _constraint(size, "maxResults", "Member must have value between 1 and 1000")
    start = query.get("nextToken", "0")
    if not start.isdigit() or int(start) > len(profiles):
        raise validation("The provided pagination token is invalid.")
    end = int(start) + int(size)
    page: dict[str, Any] = {"inferenceProfileSummaries": profiles[int(start) : end]}
    if end < len(profiles):
        page["nextToken"] = str(end)
    return page


def _filtered(summaries: Iterable[dict[str, Any]], query: dict[str, str]) -> list[dict[str, Any]]:
    def fits(summary: dict[str, Any]) -> bool:
        return (
            query.get("byProvider", summary["providerName"]).lower() == summary["providerName"].lower()
            and query.get("byOutputModality", "") in ("", *summary["outputModalities"])
            and query.get("byInferenceType", "") in ("", *summary["inferenceTypesSupported"])
            and query.get("byCustomizationType", "") in ("", *summary["customizationsSupported"])
        )

    return [s for s in summaries if fits(s)]


def _profiles_of(entry: dict[str, Any]) -> list[dict[str, Any]]:
    geographies = account()["geographies"]
    return [
        {
            "prefix": prefix,
            "name": geographies[prefix]["name"],
            "sources": sources if sources is not None else geographies[prefix]["regions"],
        }
        for prefix, sources in entry["profiles"].items()
    ]


def _lifecycle(entry: dict[str, Any], drift: Drift) -> dict[str, Any]:
    given = dict(entry["modelLifecycle"])
    if entry["modelId"] in drift.legacy_models and given["status"] != "LEGACY":
        given.update(status="LEGACY", legacyTime=drift.today.isoformat())
    return {key: value if key == "status" else _epoch(value) for key, value in given.items()}


def _ended(entry: dict[str, Any], today: date) -> bool:
    end = entry["modelLifecycle"].get("endOfLifeTime")
    return end is not None and date.fromisoformat(end) <= today


def _epoch(day: str) -> float:
    """A day as rest-json sends a timestamp: seconds since the epoch, UTC midnight."""
    return datetime.combine(date.fromisoformat(day), datetime.min.time(), UTC).timestamp()


def _model_arn(region: str, model_id: str) -> str:
    return f"arn:aws:bedrock:{region}::foundation-model/{model_id}"


def _constraint(value: str, member: str, rule: str) -> BedrockError:
    return validation(
        f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: {rule}"
    )


def _profile_arn(region: str, profile_id: str) -> str:
    return f"arn:aws:bedrock:{region}:{account()['account']}:inference-profile/{profile_id}"
