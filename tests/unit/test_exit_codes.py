"""Exit codes are data on the error classes; what each means and the help's epilog are rendered
from them (the table in docs/cli.md too: test_readme_tables)."""

import pytest
from imagegen import errors

from imagegen_local.cli import build_parser, exits
from imagegen_local.cli.api_http import ApiError


def test_every_error_class_exits_with_a_code_that_has_a_meaning():
    for kind in errors.classes():
        assert kind.exit_code in exits.MEANINGS, kind
    assert {*exits.OWN_CODES.values(), *exits.STATUS_EXIT.values(), exits.PARTIAL} <= set(exits.MEANINGS)


@pytest.mark.parametrize(
    ("kind", "code"),
    [
        (errors.InvalidParameter, 2),
        (errors.ImageNotFound, 2),
        (errors.ContentFiltered, 3),
        (errors.Throttled, 4),
        (errors.NoTimeLeft, 4),
        (errors.ModelRetired, 5),
        (errors.ModelAccessDenied, 5),
        (errors.CredentialsMissing, 6),
        (errors.ConfigurationError, 6),
        (errors.StorageFailure, 7),
        (errors.UpstreamUnavailable, 8),
        (errors.JudgeAnswerInvalid, 8),
        (errors.ImageGenError, 1),
    ],
)
def test_a_subclass_exits_as_its_family_does(kind, code):
    assert kind.exit_code == code


@pytest.mark.parametrize(
    ("code", "status", "exit_code"),
    [("no_time_left", 503, 4), ("storage_unavailable", 503, 7), ("model_retired", 503, 5), ("http_error", 403, 6)],
)
def test_an_api_answer_exits_by_its_code_else_by_its_status(code, status, exit_code):
    assert ApiError(code, "m", status).exit_code == exit_code


def test_the_epilog_is_rendered_from_the_meanings():
    assert build_parser().epilog == exits.epilog()
    assert exits.epilog().startswith("Exit codes: 0 done; 1 some batch prompts or comparison cells failed")
