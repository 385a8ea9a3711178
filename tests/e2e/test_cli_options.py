"""`imagegen`'s command line itself: one clean line for a usage error, the help for no command,
only the options a command uses, defaults and choices in the help, a models table that fits."""

from __future__ import annotations

import argparse
import io
import json

import pytest
from imagegen.models.registry import all_models

from imagegen_local import cli
from tests.e2e.test_cli import pin_today

# a day on which Nova Canvas (end of life 2026-09-30) and Claude 3.5 Sonnet (2026-03-01) are retired
# and Claude Haiku 4.5 is Active, so that the models tests mean the same on any day they run
AFTER_CANVAS = "2026-10-01"


def imagegen(*argv: str) -> tuple[int, str, str]:
    """No AWS is reached: every command here stops at the command line or reads the registry."""
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def subparser(*names: str) -> argparse.ArgumentParser:
    parser = cli.build_parser()
    for name in names:
        (action,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        parser = action.choices[name]
    return parser


def options_of(*names: str) -> set[str]:
    return {option for action in subparser(*names)._actions for option in action.option_strings}


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (["generate"], "imagegen generate: the following arguments are required: prompt"),
        (["evaluate"], "imagegen evaluate: the following arguments are required: image"),
        (["api"], "imagegen api: the following arguments are required: OPERATION"),
        (["api", "get"], "imagegen api get: the following arguments are required: image_id"),
        (
            ["draw"],
            "imagegen: argument COMMAND: invalid choice: 'draw' (choose from 'generate', 'modify', 'evaluate', "
            "'refine', 'interactive', 'batch', 'compare', 'models', 'api', 'serve', 'report')",
        ),
        (["interactive", "--json"], "imagegen interactive: unrecognized arguments: --json"),
        (["models", "--bucket", "b", "--verbose"], "imagegen models: unrecognized arguments: --bucket b --verbose"),
        (
            ["api", "get", "AAAAAAAAAAAAAAAAAAAAAA", "--verbose"],
            "imagegen api get: unrecognized arguments: --verbose",
        ),
        (
            ["generate", "a fox", "--quality", "ultra"],
            "imagegen generate: argument --quality: invalid choice: 'ultra' (choose from 'standard', 'premium')",
        ),
        (
            ["modify", "x.png", "--outpaint-mode", "loose"],
            "imagegen modify: argument --outpaint-mode: invalid choice: 'LOOSE' (choose from 'DEFAULT', 'PRECISE')",
        ),
    ],
)
def test_a_usage_error_is_one_line_with_one_prefix_naming_the_subcommand(argv: list[str], line: str) -> None:
    assert imagegen(*argv) == (2, "", line + "\n")


def test_a_usage_error_with_json_is_a_json_document_too() -> None:
    code, out, err = imagegen("evaluate", "--json")
    assert (code, err) == (2, "imagegen evaluate: the following arguments are required: image\n")
    assert json.loads(out) == {"error": {"code": "usage", "message": "the following arguments are required: image"}}


def test_imagegen_alone_prints_the_help_listing_the_commands() -> None:
    code, out, err = imagegen()
    assert (code, out, err) == (2, "", cli.build_parser().format_help())
    assert "generate   generate an image, save it, upload it, judge it" in err


PIPELINE_OPTIONS = {
    "-h",
    "--help",
    "--region",
    "--aws-profile",
    "--verbose",
    "--bucket",
    "--model-set",
    "--profile",  # --model-set's old name, hidden from the help
    "--allow-retired",
    "--url-expiry",
}
API_OPTIONS = {"-h", "--help", "--json", "--region", "--aws-profile", "--api-url", "--stack-name", "--api-key"}


@pytest.mark.parametrize(
    ("command", "options"),
    [
        (["models"], {"-h", "--help", "--json", "--task", "--live", "--region", "--aws-profile", "--model-set"}),
        (["interactive"], PIPELINE_OPTIONS | {"--mode", "--output-dir", "--updated-dir", "--open"}),
        (["evaluate"], PIPELINE_OPTIONS | {"--json", "--prompt", "--judge-model"}),
        (
            ["batch"],
            PIPELINE_OPTIONS
            | {"--json", "--concurrency", "--report", "--no-evaluate", "--output-dir"}
            | {"--remote", "--api-url", "--stack-name", "--api-key", "--poll-seconds", "--client-token"},
        ),
        (["api", "get"], API_OPTIONS | {"--edits-limit", "--cursor"}),
        (["api", "evaluate"], API_OPTIONS | {"--judge-model"}),
    ],
)
def test_each_command_offers_only_the_options_it_uses(command: list[str], options: set[str]) -> None:
    assert options_of(*command) == options


def walk(parser: argparse.ArgumentParser, path: str = "imagegen"):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from walk(sub, f"{path} {name}")
        else:
            yield path, parser, action


def test_every_option_with_a_default_shows_it_in_the_help() -> None:
    for path, parser, action in walk(cli.build_parser()):
        if action.option_strings and action.default not in (None, False, argparse.SUPPRESS):
            shown = parser._get_formatter()._expand_help(action)
            assert f"(default: {action.default})" in shown, f"{path} {action.option_strings[0]}: {shown}"


@pytest.mark.parametrize(
    ("command", "option", "shown"),
    [
        (["batch"], "--report", "--report REPORT the JSON report to write (default: batch-report.json in OUTPUT_DIR)"),
        (["batch"], "--output-dir", "--output-dir OUTPUT_DIR where to save the images (default: generated-images)"),
        (["generate"], "--quality", "--quality {standard,premium} image quality (Titan, Canvas)"),
        (["api", "generate"], "--quality", "--quality {standard,premium} image quality (Titan, Canvas)"),
        (["modify"], "--outpaint-mode", "--outpaint-mode {DEFAULT,PRECISE} how strictly outpainting keeps"),
    ],
)
def test_the_help_shows_defaults_and_choices(command: list[str], option: str, shown: str) -> None:
    assert shown in " ".join(subparser(*command).format_help().split())


@pytest.mark.parametrize(("option", "limit"), [("--quality", "qualities"), ("--outpaint-mode", "outpaint_modes")])
def test_choices_are_what_the_registry_models_take(option: str, limit: str) -> None:
    (action,) = [a for a in subparser("modify")._actions if option in a.option_strings]
    taken = {value for model in all_models() for value in model.limits.get(limit, ())}
    assert set(action.choices) == taken and taken


def test_choices_take_any_case_and_pass_the_registry_spelling_on() -> None:
    args = cli.build_parser().parse_args(["modify", "x.png", "--quality", "PREMIUM", "--outpaint-mode", "precise"])
    assert (args.quality, args.outpaint_mode) == ("premium", "PRECISE")


def test_the_models_table_fits_in_100_columns_and_starts_a_row_for_every_model(monkeypatch) -> None:
    pin_today(monkeypatch, AFTER_CANVAS)
    code, out, err = imagegen("models")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 100
    assert lines[0].split() == ["MODEL", "ROLES", "REGIONS", "PRICE", "(USD)"]
    assert [line.split()[0] for line in lines[1:] if not line.startswith(" ")] == [m.id for m in all_models()]


def test_the_models_table_names_each_successor_under_its_model(monkeypatch) -> None:
    pin_today(monkeypatch, AFTER_CANVAS)
    _, out, _ = imagegen("models", "--task", "judge")
    lines = out.splitlines()
    row = next(n for n, line in enumerate(lines) if line.startswith("anthropic.claude-3-5-sonnet-20240620-v1:0 "))
    assert lines[row + 1].startswith("  retired, EOL ")
    assert lines[row + 2].startswith("  use anthropic.claude-haiku-4-5-20251001-v1:0 ")


def test_the_models_json_keeps_every_field_whole() -> None:
    _, out, _ = imagegen("models", "--json")
    titan = next(m for m in json.loads(out)["models"] if m["id"] == "amazon.titan-image-generator-v2:0")
    assert titan["price"] == "$0.008/image standard, $0.01/image premium"
    assert titan["tasks"] == ["generate", "variation", "inpaint", "outpaint", "replace", "erase", "remove-background"]


def test_the_models_json_names_a_successor_that_can_do_the_chosen_task(monkeypatch) -> None:
    from imagegen.models.registry import resolve

    pin_today(monkeypatch, AFTER_CANVAS)
    _, out, _ = imagegen("models", "--task", "variation", "--json")
    canvas = next(m for m in json.loads(out)["models"] if m["id"] == "amazon.nova-canvas-v1:0")
    assert canvas["state"] == "retired"
    assert resolve(canvas["successor"]).record.supports("variation")
    _, out, _ = imagegen("models", "--json")
    assert (
        next(m for m in json.loads(out)["models"] if m["id"] == "stability.stable-image-core-v1:1")["successor"] is None
    )


@pytest.mark.parametrize(("day", "state"), [("2026-09-29", "legacy"), ("2026-09-30", "retired")])
def test_the_models_json_states_a_models_lifecycle_on_the_day_it_runs(monkeypatch, day, state) -> None:
    pin_today(monkeypatch, day)  # Nova Canvas is Legacy until its end of life, 2026-09-30
    _, out, _ = imagegen("models", "--json")
    canvas = next(m for m in json.loads(out)["models"] if m["id"] == "amazon.nova-canvas-v1:0")
    assert (canvas["state"], canvas["eol"]) == (state, "2026-09-30")
