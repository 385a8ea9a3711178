"""`imagegen models --live`: the catalog checked against the account's Bedrock control plane
(service `bedrock`) in one region: ListFoundationModels (with each model's lifecycle),
ListInferenceProfiles and GetFoundationModelAvailability. A model the settings use, or a catalog
model offered in the region, that would fail a call there (not listed, Legacy or an earlier end of
life than the catalog knows, access not granted, its inference profile missing) is a drift that
breaks; the command then exits as a model that is not available does (5)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError, NoCredentialsError
from imagegen import clock
from imagegen.config import Settings
from imagegen.errors import ConfigurationError, CredentialsMissing, ImageGenError, UpstreamFailure
from imagegen.models.registry import ModelRecord, all_models, resolve

ACTIONS = "bedrock:ListFoundationModels, bedrock:ListInferenceProfiles and bedrock:GetFoundationModelAvailability"


@dataclass(frozen=True)
class Account:
    """What the control plane answered in one region."""

    region: str
    models: dict[str, dict[str, Any]]  # modelId -> ListFoundationModels' summary
    profiles: dict[str, dict[str, Any]]  # inferenceProfileId -> ListInferenceProfiles' summary
    availability: dict[str, dict[str, Any]]  # modelId -> GetFoundationModelAvailability's answer


def control_client(session: Any, region: str) -> Any:
    """A client of the control plane; AWS_ENDPOINT_URL_BEDROCK points it elsewhere, as boto3 reads it."""
    from botocore.config import Config  # the SDK's HTTP stack: loaded by commands that call AWS only

    return session.client(
        "bedrock", region_name=region, config=Config(read_timeout=30, retries={"mode": "standard", "max_attempts": 3})
    )


def read_account(client: Any, region: str, wanted: set[str]) -> Account:
    """The region's models and profiles, and the availability of each `wanted` model it lists."""
    with _control_call(region):
        models = {m["modelId"]: m for m in client.list_foundation_models().get("modelSummaries", [])}
        pages = client.get_paginator("list_inference_profiles").paginate()
        profiles = {p["inferenceProfileId"]: p for page in pages for p in page.get("inferenceProfileSummaries", [])}
        availability: dict[str, dict[str, Any]] = {}
        for model_id in sorted(wanted & set(models)):
            try:
                availability[model_id] = client.get_foundation_model_availability(modelId=model_id)
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") != "ResourceNotFoundException":
                    raise
    return Account(region, models, profiles, availability)


def check(account: Account, settings: Settings, today: date | None = None) -> dict[str, Any]:
    """The document `models --live` prints: a row a model (the settings' first, then every other
    catalog model offered in the region or listed there), each drift, the image-capable models the
    account lists that the catalog lacks, and a summary."""
    today = today or clock.today()
    region = account.region
    roles: dict[str, list[str]] = {}
    requested: dict[str, str] = {}
    for role in settings.roles:
        record = resolve(role.model_id).record
        roles.setdefault(record.id, []).append(role.role)
        requested.setdefault(record.id, role.model_id)
    catalog = {m.id: m for m in all_models()}
    scope = [*roles, *(m.id for m in all_models() if m.offered_in(region) or m.id in account.models)]
    rows = [_row(catalog[i], roles.get(i, []), requested.get(i), account, today) for i in dict.fromkeys(scope)]
    drift = [{"model": row["id"], **d} for row in rows for d in row.pop("drift")]
    lacking = [_lacking(s) for i, s in account.models.items() if i not in catalog and _image_capable(s)]
    breaking = sum(1 for d in drift if d["breaks"])
    return {
        "command": "models --live",
        "region": region,
        "model_set": settings.model_set,
        "models": rows,
        "drift": drift,
        "missing_from_catalog": lacking,
        "summary": {
            "models": len(rows),
            "breaking": breaking,
            "notes": len(drift) - breaking,
            "missing_from_catalog": len(lacking),
        },
    }


def _row(record: ModelRecord, roles: list[str], requested: str | None, account: Account, today: date) -> dict[str, Any]:
    region = account.region
    drift: list[dict[str, Any]] = []

    def found(kind: str, breaks: bool, message: str) -> None:
        drift.append({"kind": kind, "breaks": breaks, "message": message})

    state = record.lifecycle.state(today)
    expected = state != "retired" or bool(roles)  # a retired model the settings do not use is rightly absent
    call_id: str | None = None
    try:
        call_id = resolve(requested).call_id(region) if requested else record.invoke_id(region)
    except ImageGenError:
        serving = ", ".join(record.serving_regions()) or "no region"
        found("not_offered", True, f"the catalog does not offer it in {region} (it runs in {serving})")
    summary = account.models.get(record.id)
    if summary is None and expected:
        found("not_listed", True, f"not listed in {region}: the account cannot call it there")
    elif summary is not None and not record.offered_in(region):
        found("not_in_catalog_region", False, f"listed in {region}, which the catalog does not name for it")
    life = _account_lifecycle(summary)
    if summary is not None:
        _lifecycle_drift(record, state, life, region, today, found)
    access = _access(account.availability.get(record.id))
    if summary is not None and (roles or state != "retired") and access["granted"] is False:
        hint = grant_hint(region, record.provider)
        found("access_not_granted", True, f"access not granted ({access['why']}): {hint}")
    profile = _profile(record, call_id, account, found)
    return {
        "id": record.id,
        "roles": roles,
        "call_id": call_id,
        "listed": summary is not None,
        "lifecycle": {
            "account": life["status"],
            "account_legacy_since": life["legacy"],
            "account_eol": life["eol"],
            "catalog": state,
            "catalog_eol": None if record.lifecycle.eol_on is None else str(record.lifecycle.eol_on),
        },
        "access": access,
        "profile": profile,
        "drift": drift,
    }


def _lifecycle_drift(
    record: ModelRecord, state: str, life: dict[str, Any], region: str, today: date, found: Any
) -> None:
    """Legacy in the account while the catalog says Active, or an end of life sooner than the
    catalog's: both break (a Legacy model is closed to new and idle accounts); the other way round is a note."""
    catalog_eol = record.lifecycle.eol_on
    eol = date.fromisoformat(life["eol"]) if life["eol"] else None
    problems = []
    if life["status"] == "LEGACY" and state == "active":
        since = f" since {life['legacy']}" if life["legacy"] else ""
        problems.append(f"Legacy in {region}{since}, Active in the catalog")
    if eol and (catalog_eol is None or eol < catalog_eol):
        problems.append(f"end of life {eol} in {region}, {catalog_eol or 'none'} in the catalog")
    if problems:
        advice = record.instead(record.tasks[0] if record.tasks else None, today)
        found("lifecycle", True, "; ".join(problems) + f": update catalog.json's lifecycle and {advice}")
    elif life["status"] == "ACTIVE" and state != "active":
        found("lifecycle", False, f"Active in {region}, {state} in the catalog")
    elif eol and catalog_eol and eol > catalog_eol:
        found("lifecycle", False, f"end of life {eol} in {region}, {catalog_eol} in the catalog")


def _profile(record: ModelRecord, call_id: str | None, account: Account, found: Any) -> dict[str, Any] | None:
    """The profile the call goes through (None when the bare id is called), and whether the account
    lists it; a missing profile the call does not use is a note."""
    region = account.region
    for prefix, sources in record.profiles.items():
        profile_id = f"{prefix}.{record.id}"
        if ("*" in sources or region in sources) and profile_id not in account.profiles and record.id in account.models:
            used = profile_id == call_id
            found("profile_missing", used, f"inference profile {profile_id} is not listed in {region}")
    if call_id is None or call_id == record.id:
        return None
    listed = account.profiles.get(call_id)
    return {"id": call_id, "available": bool(listed and listed.get("status") == "ACTIVE")}


def _account_lifecycle(summary: dict[str, Any] | None) -> dict[str, Any]:
    life = (summary or {}).get("modelLifecycle") or {}
    return {
        "status": life.get("status"),
        "legacy": _day(life.get("legacyTime")),
        "eol": _day(life.get("endOfLifeTime")),
    }


def _access(answer: dict[str, Any] | None) -> dict[str, Any]:
    """GetFoundationModelAvailability's answer: granted when authorized, the agreement, the
    entitlement and the region all available; `why` names what is not."""
    if answer is None:
        return {"granted": None, "why": None}
    agreement = answer.get("agreementAvailability") or {}
    wrong = [
        f"{name} {value}"
        for name, value, good in (
            ("authorizationStatus", answer.get("authorizationStatus"), "AUTHORIZED"),
            ("agreement", agreement.get("status"), "AVAILABLE"),
            ("entitlementAvailability", answer.get("entitlementAvailability"), "AVAILABLE"),
            ("regionAvailability", answer.get("regionAvailability"), "AVAILABLE"),
        )
        if value != good
    ]
    if agreement.get("errorMessage"):
        wrong.append(str(agreement["errorMessage"]))
    return {
        "granted": not wrong,
        "why": ", ".join(wrong) or None,
        "authorization": answer.get("authorizationStatus"),
        "agreement": agreement.get("status"),
    }


def grant_hint(region: str, provider: str = "") -> str:
    """How to grant access to a model in `region`."""
    first = " (Anthropic first asks for use-case details)" if provider == "Anthropic" else ""
    return (
        f"grant it on the Bedrock console's Model access page "
        f"(https://{region}.console.aws.amazon.com/bedrock/home?region={region}#/modelaccess) "
        f"and accept the model's agreement{first}"
    )


def _image_capable(summary: dict[str, Any]) -> bool:
    """Makes images, or reads them and answers text (a possible judge)."""
    out, given = summary.get("outputModalities") or [], summary.get("inputModalities") or []
    return "IMAGE" in out or ("IMAGE" in given and "TEXT" in out)


def _lacking(summary: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": summary["modelId"],
        "name": summary.get("modelName"),
        "provider": summary.get("providerName"),
        "kind": "image output" if "IMAGE" in (summary.get("outputModalities") or []) else "image input (a judge?)",
        "lifecycle": (summary.get("modelLifecycle") or {}).get("status"),
    }


def _day(value: Any) -> str | None:
    if value is None:
        return None
    return str(value.date() if isinstance(value, datetime) else value)


@contextmanager
def _control_call(region: str) -> Iterator[None]:
    """botocore's failures of a control-plane call as the project's errors."""
    where = f"Bedrock's control plane in {region}"
    try:
        yield
    except NoCredentialsError as exc:
        raise CredentialsMissing("no AWS credentials found: set AWS_PROFILE or configure credentials") from exc
    except EndpointConnectionError as exc:
        raise UpstreamFailure(f"cannot reach {where}: {exc}") from exc
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", ""))
        message = str(exc.response.get("Error", {}).get("Message", ""))
        if code == "AccessDeniedException":
            raise ConfigurationError(f"these credentials may not ask {where}: allow {ACTIONS}") from exc
        if code in ("UnrecognizedClientException", "ExpiredTokenException", "InvalidSignatureException"):
            raise CredentialsMissing(f"the AWS credentials were refused ({code})") from exc
        raise UpstreamFailure(f"{where} answered {code}: {message}") from exc
    except BotoCoreError as exc:
        raise UpstreamFailure(f"calling {where} failed: {exc}") from exc
