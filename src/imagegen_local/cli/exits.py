"""Exit codes: each error class carries its own (`exit_code`, beside `http_status`); here are what
each code means, the command line's own codes, and the exits of answers from a deployed API.
The help's epilog and the exit-code table of docs/cli.md (imagegen_local.readme) are rendered from this."""

from __future__ import annotations

MEANINGS: dict[int, str] = {
    0: "done",
    1: "some batch prompts or comparison cells failed (or a comparison stopped at its budget), or an unexpected error",
    2: "bad input or an unknown image",
    3: "content filtered",
    4: "throttled or out of time: nothing was paid for, send it again later",
    5: "model not available, retired or not granted",
    6: "no AWS credentials, refused ones (an expired session token?), or a configuration problem "
    "(no bucket, or one that does not exist)",
    7: "storage",
    8: "Bedrock failed",
    130: "interrupted",
    141: "the output's reader (such as head) stopped early: as a shell tool killed by SIGPIPE",
}

# the command line's own error codes, beside the project's
USAGE, LOCAL_ERROR, AWS_CONFIGURATION, INTERRUPTED = "usage", "local_error", "aws_configuration", "interrupted"
READER_GONE = "reader_gone"
OWN_CODES: dict[str, int] = {USAGE: 2, LOCAL_ERROR: 2, AWS_CONFIGURATION: 6, INTERRUPTED: 130, READER_GONE: 141}
PARTIAL = 1  # a batch in which some prompts failed, a comparison with cells failed or not run

# An answer of a deployed API exits by its error.code, as the same error does here; these HTTP
# statuses are for an answer without a code the CLI knows, such as API Gateway's own
# {"message": ...} (a missing key or signature 403, throttling 429, a 504 timeout). 503 is shared
# by retryable and final errors, so a 503 without a known code is "the service failed".
STATUS_EXIT: dict[int, int] = {400: 2, 401: 6, 403: 6, 404: 2, 413: 2, 422: 3, 429: 4, 502: 8, 503: 8, 504: 8}


def epilog() -> str:
    return "Exit codes: " + "; ".join(f"{code} {meaning}" for code, meaning in MEANINGS.items()) + "."
