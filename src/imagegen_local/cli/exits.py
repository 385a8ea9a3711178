"""Exit codes: each error class carries its own (`exit_code`, beside `http_status`); here are what
each code means, the command line's own codes, and the exits of answers from a deployed API.
The help's epilog and the README's table are rendered from this, so they cannot drift."""

from __future__ import annotations

from imagegen import errors
from imagegen.errors import ImageGenError

from .api_http import ApiError

MEANINGS: dict[int, str] = {
    0: "done",
    1: "some batch prompts failed, or an unexpected error",
    2: "bad input or an unknown image",
    3: "content filtered",
    4: "throttled or out of time: nothing was paid for, send it again later",
    5: "model not available, retired or not granted",
    6: "no AWS credentials, refused ones (an expired session token?), or a configuration problem "
    "(no bucket, or one that does not exist)",
    7: "storage",
    8: "Bedrock failed",
    130: "interrupted",
}

# the command line's own error codes, beside the project's
USAGE, LOCAL_ERROR, AWS_CONFIGURATION, INTERRUPTED = "usage", "local_error", "aws_configuration", "interrupted"
OWN_CODES: dict[str, int] = {USAGE: 2, LOCAL_ERROR: 2, AWS_CONFIGURATION: 6, INTERRUPTED: 130}
PARTIAL = 1  # a batch in which some prompts failed

# An answer of a deployed API exits by its error.code, as the same error does here; these HTTP
# statuses are for an answer without a code the CLI knows, such as API Gateway's own
# {"message": ...} (a missing key or signature 403, throttling 429, a 504 timeout). 503 is shared
# by retryable and final errors, so a 503 without a known code is "the service failed".
STATUS_EXIT: dict[int, int] = {400: 2, 401: 6, 403: 6, 404: 2, 413: 2, 422: 3, 429: 4, 502: 8, 503: 8, 504: 8}


def exit_code(exc: ImageGenError) -> int:
    """By the error's class; for an error the deployed API answered, by the class its code names,
    else by its HTTP status."""
    if isinstance(exc, ApiError):
        kind = errors.by_code(exc.code)
        return kind.exit_code if kind else STATUS_EXIT.get(exc.status, 1)
    return exc.exit_code


def codes_by_exit() -> dict[int, list[str]]:
    """Every error code, the project's and the command line's, under the exit code it ends with."""
    found: dict[int, list[str]] = {code: [] for code in MEANINGS}
    for kind in errors.classes():
        found[kind.exit_code].append(kind.code)
    for code, status in OWN_CODES.items():
        found[status].append(code)
    return found


def epilog() -> str:
    return "Exit codes: " + "; ".join(f"{code} {meaning}" for code, meaning in MEANINGS.items()) + "."


def markdown() -> str:
    """The README's exit-code table, and how API answers without a known code exit."""
    rows = ["| exit | meaning | error codes |", "|---|---|---|"]
    for status, codes in codes_by_exit().items():
        rows.append(f"| {status} | {MEANINGS[status]} | {', '.join(f'`{c}`' for c in codes)} |")
    by_exit: dict[int, list[str]] = {}
    for status, code in STATUS_EXIT.items():
        by_exit.setdefault(code, []).append(str(status))
    statuses = "; ".join(f"{', '.join(s)} exit {code}" for code, s in sorted(by_exit.items()))
    rows.append("")
    rows.append(
        "An error a deployed API answers (`imagegen api`) exits as the same error does here, by its "
        f"`error.code`; an answer without a code the command knows (API Gateway's own) exits by its HTTP status: "
        f"{statuses}; any other, 1."
    )
    return "\n".join(rows)
