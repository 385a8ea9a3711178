"""`imagegen models`: the registry as a table (no AWS call, no bucket); with --live, the catalog
checked against the account's Bedrock control plane in the chosen region (live.py)."""

from __future__ import annotations

from typing import Any

from imagegen.config import MODEL_SET, Settings, model_sets
from imagegen.errors import ModelUnavailable
from imagegen.models.registry import all_models
from imagegen.models.request import Task

from . import live
from .aws import region_from, session_from
from .context import Context, Usage
from .options import Parents
from .render import MODELS_HEADER, MODELS_WRAP, model_doc, model_row, table

UNUSED_BUCKET = "not-used-by-models-live"  # Settings needs a bucket; the check reads no object


def add_parser(commands: Any, parents: Parents) -> None:
    parser = commands.add_parser(
        "models",
        parents=[parents.output, parents.aws],
        help="the model registry as a table; --live checks it against your account",
        description="Every model the project knows: its roles, lifecycle, regions and price. With --live, "
        "the account's Bedrock control plane in the region says, for every model the settings use and every "
        "catalog model offered there, whether it is listed, its lifecycle, whether access is granted and "
        "whether its inference profile exists; exit 5 on a drift that would break a call.",
    )
    parser.add_argument("--task", choices=[t.value for t in Task], help="only models that can do this")
    parser.add_argument(
        "--live",
        action="store_true",
        help="ask the account's Bedrock control plane (ListFoundationModels, ListInferenceProfiles, "
        "GetFoundationModelAvailability) and report drift from the catalog",
    )
    parser.add_argument(
        "--model-set",
        choices=sorted(model_sets()),
        help="with --live: the models whose use is checked (default: $IMAGEGEN_MODEL_SET, else current; "
        "IMAGEGEN_*_MODEL variables apply as for the other commands)",
    )
    parser.set_defaults(run=run)


def run(ctx: Context) -> int:
    args = ctx.args
    if args.live:
        return run_live(ctx)
    if args.model_set or args.region or args.aws_profile:
        raise Usage("--model-set, --region and --aws-profile go with --live", "imagegen models")
    task = args.task
    docs = [model_doc(m, task) for m in all_models() if not task or m.supports(task)]
    rows = [MODELS_HEADER, *(model_row(doc) for doc in docs)]
    ctx.emit(table(rows, wrap=MODELS_WRAP), {"command": "models", "models": docs})
    return 0


def run_live(ctx: Context) -> int:
    if ctx.args.task:
        raise Usage("--task does not go with --live (every model the region offers is checked)", "imagegen models")
    env = {**ctx.env, **({MODEL_SET: ctx.args.model_set} if ctx.args.model_set else {})}
    settings = Settings.from_env({**env, "IMAGEGEN_BUCKET": env.get("IMAGEGEN_BUCKET") or UNUSED_BUCKET})
    session = session_from(ctx.args)
    region = region_from(ctx.args, ctx.env, session, settings.model_set)
    client = live.control_client(session, region)
    account = live.read_account(client, region, {m.id for m in all_models()})
    doc = live.check(account, settings)
    ctx.emit(render(doc), doc)
    if doc["summary"]["breaking"]:
        print(f"imagegen: {summary_line(doc)}", file=ctx.err)
        return ModelUnavailable.exit_code
    return 0


def render(doc: dict[str, Any]) -> str:
    """The document as text: the models table, the models the catalog lacks, a line a drift, a summary."""
    region = doc["region"]
    rows = [LIVE_HEADER, *(_cells(row) for row in doc["models"])]
    lines = [f"Bedrock in {region} against the catalog (model set {doc['model_set']})", table(rows, wrap=LIVE_WRAP)]
    if doc["missing_from_catalog"]:
        lines.append(f"Image-capable models listed in {region} that the catalog lacks:")
        lines += [
            f"  {m['id']}  {m['name']} ({m['provider']}), {m['kind']}, {m['lifecycle']}"
            for m in doc["missing_from_catalog"]
        ]
    if doc["drift"]:
        lines.append("Drift:")
        lines += [f"  {'BREAKS' if d['breaks'] else 'note  '} {d['model']}: {d['message']}" for d in doc["drift"]]
    lines.append(summary_line(doc))
    return "\n".join(lines)


def summary_line(doc: dict[str, Any]) -> str:
    s = doc["summary"]
    head = (
        f"{s['breaking']} drift{'' if s['breaking'] == 1 else 's'} would break a call"
        if s["breaking"]
        else "no drift that breaks a call"
    )
    notes = f", {s['notes']} note{'' if s['notes'] == 1 else 's'}" if s["notes"] else ""
    return (
        f"{head}{notes}: {s['models']} models checked in {doc['region']}; "
        f"{s['missing_from_catalog']} image-capable models there the catalog lacks"
    )


LIVE_HEADER = ("MODEL", "LISTED", "LIFECYCLE (HERE/CATALOG)", "ACCESS", "PROFILE")
LIVE_WRAP = (None, 6, 24, 11, 14)


def _cells(row: dict[str, Any]) -> tuple[str, str, str, str, str]:
    life, access, profile = row["lifecycle"], row["access"], row["profile"]
    here = (life["account"] or "-").lower()
    lifecycle = f"{here}/{life['catalog']}" + (f"\nEOL {life['account_eol']}" if life["account_eol"] else "")
    granted = {True: "granted", False: "NOT GRANTED", None: "-"}[access["granted"]]
    if profile is None:
        shown = "bare id" if row["call_id"] and row["listed"] else "-"
    else:
        shown = profile["id"].split(".", 1)[0] + ". " + ("listed" if profile["available"] else "MISSING")
    under = [f"  {', '.join(row['roles'])}"] if row["roles"] else []
    return ("\n".join([row["id"], *under]), "yes" if row["listed"] else "NO", lifecycle, granted, shown)
