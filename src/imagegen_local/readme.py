"""The documentation's tables, rendered from the data they show; tests/unit/test_readme_tables.py
keeps each page (docs/cli.md, docs/api.md) equal to them between its markers, and prints the table
to paste when it is not."""

from __future__ import annotations

from collections.abc import Callable

from imagegen import errors
from imagegen.models import fields
from imagegen.models.fields import FIELDS, Field, Kind

from .cli.exits import MEANINGS, OWN_CODES, STATUS_EXIT
from .cli.options import flag_option

BODIES = {"generate": fields.GENERATE, "modify": fields.MODIFY, "evaluate": fields.EVALUATE}


def tables() -> dict[str, tuple[str, Callable[[], str]]]:
    """Each rendered table by the name its markers carry: the page that shows it (relative to the
    repository's root) and its renderer. A page shows the table between
    `<!-- NAME: rendered from imagegen_local.readme -->` and `<!-- end of NAME -->`."""
    return {"exit codes": ("docs/cli.md", exit_codes), "request fields": ("docs/api.md", request_fields)}


def markers(name: str) -> tuple[str, str]:
    """The comments a page puts around the table called `name`."""
    return f"<!-- {name}: rendered from imagegen_local.readme -->", f"<!-- end of {name} -->"


def exit_codes() -> str:
    """Every exit code, what it means and the error codes that end with it; then how answers of a
    deployed API without a code the command knows exit."""
    found: dict[int, list[str]] = {code: [] for code in MEANINGS}
    for kind in errors.classes():
        found[kind.exit_code].append(kind.code)
    for own, status in OWN_CODES.items():
        found[status].append(own)
    rows = ["| exit | meaning | error codes |", "|---|---|---|"]
    rows += [f"| {status} | {MEANINGS[status]} | {_codes(codes)} |" for status, codes in found.items()]
    by_exit: dict[int, list[str]] = {}
    for http, exit_code in STATUS_EXIT.items():
        by_exit.setdefault(exit_code, []).append(str(http))
    statuses = "; ".join(f"{', '.join(https)} exit {code}" for code, https in sorted(by_exit.items()))
    rows += [
        "",
        "An error a deployed API answers (`imagegen api`) exits as the same error does here, by its "
        "`error.code`; an answer without a code the command knows (API Gateway's own) exits by its HTTP status: "
        f"{statuses}; any other, 1.",
    ]
    return "\n".join(rows)


def request_fields() -> str:
    """Every field of the request bodies: its JSON type, the routes that take it, its option."""
    rows = ["| field | JSON | in | command line | what |", "|---|---|---|---|---|"]
    for row in FIELDS:
        taken = [name for name, body in BODIES.items() if row in body.fields()]
        required = [name for name in taken if row.name in BODIES[name].required]
        where = ", ".join(f"{name} (required)" if name in required else name for name in taken)
        rows.append(f"| `{row.name}` | {_json_type(row)} | {where} | {_option(row, taken)} | {row.described()} |")
    return "\n".join(rows)


def _json_type(row: Field) -> str:
    kind = str(row.schema["type"])
    return f"{kind} (base64)" if row.kind is Kind.IMAGE else kind


def _option(row: Field, taken: list[str]) -> str:
    if row.kind is Kind.FLAG:
        return ", ".join(f"`{flag_option(row, BODIES[name])}` ({name})" for name in taken)
    if row.option is None:
        return "an argument" if row.name in ("prompt", "image_id") else "(API only)"
    return f"`{row.option}`"


def _codes(codes: list[str]) -> str:
    return ", ".join(f"`{code}`" for code in codes)
