"""Claude Sonnet 4.5 is Legacy on Bedrock (since 2026-10-08; extended-access pricing from 2027-01-08;
end of life 2027-04-08): the catalog records the dates, and whoever uses a Legacy model, or an
Active one close to its Legacy date, is told them. "Today" is clock.today(), which a test fixes."""

from datetime import date

import pytest
from imagegen import clock
from imagegen.config import Settings
from imagegen.models import registry
from imagegen.models.registry import Lifecycle

SONNET = "anthropic.claude-sonnet-4-5-20250929-v1:0"
DAY = date(2026, 12, 3)


def test_sonnet_4_5_is_recorded_legacy_with_its_bedrock_dates_and_no_confirmed_successor():
    record = registry.get(SONNET)
    life = record.lifecycle
    assert (life.declared, life.legacy_on, life.extended_access_on, life.eol_on) == (
        "legacy",
        date(2026, 10, 8),
        date(2027, 1, 8),
        date(2027, 4, 8),
    )
    assert (life.state(date(2027, 4, 7)), life.state(date(2027, 4, 8))) == ("legacy", "retired")
    assert record.successor is None
    assert record.successor_note.startswith("No successor confirmed for Bedrock")


def test_a_legacy_models_notice_names_its_dates_and_the_days_left():
    life = registry.get(SONNET).lifecycle
    assert life.notice(DAY) == (
        "Legacy (end of life 2027-04-08): Legacy since 2026-10-08, extended-access pricing from 2027-01-08, "
        "126 days left"
    )
    assert life.notice(date(2027, 1, 8)).endswith("extended-access pricing since 2027-01-08, 90 days left")


def test_an_active_model_is_warned_within_30_days_of_its_legacy_date_and_not_before():
    life = Lifecycle("active", legacy_on=date(2027, 1, 2))
    assert life.notice(DAY) == "Active until 2027-01-02, then Legacy (in 30 days)"
    assert life.notice(date(2026, 12, 2)) is None


def test_lifecycle_decisions_take_today_from_the_clock_module(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: date(2027, 4, 8))
    assert registry.get(SONNET).lifecycle.state() == "retired"
    monkeypatch.setattr(clock, "today", lambda: DAY)
    assert registry.get(SONNET).lifecycle.state() == "legacy"


@pytest.mark.parametrize(
    ("command", "judging", "warned"), [("evaluate", True, True), ("generate", True, True), ("generate", False, False)]
)
def test_the_command_line_warns_for_a_legacy_judge_it_will_call(monkeypatch, command, judging, warned):
    from imagegen_local.cli.aws import lifecycle_warnings

    monkeypatch.setattr(clock, "today", lambda: DAY)
    settings = Settings.from_env({"IMAGEGEN_BUCKET": "b", "IMAGEGEN_JUDGE_MODEL": SONNET})
    lines = lifecycle_warnings(settings, command, None, judging=judging)
    expected = (
        f"{SONNET} is Legacy (end of life 2027-04-08): Legacy since 2026-10-08, extended-access pricing from "
        "2027-01-08, 126 days left; use "
    )
    assert [line.startswith(expected) and line.endswith("(no successor is confirmed for it)") for line in lines] == (
        [True] if warned else []
    )


def test_models_json_shows_sonnet_4_5_legacy_with_its_end_of_life_and_why_no_successor(monkeypatch):
    import io
    import json

    from imagegen_local import cli

    monkeypatch.setattr(clock, "today", lambda: DAY)
    out, err = io.StringIO(), io.StringIO()
    assert cli.main(["models", "--json"], out=out, err=err, ask=lambda _: "") == 0
    sonnet = next(m for m in json.loads(out.getvalue())["models"] if m["id"] == SONNET)
    assert (sonnet["state"], sonnet["legacy_since"], sonnet["extended_access_from"], sonnet["eol"]) == (
        "legacy",
        "2026-10-08",
        "2027-01-08",
        "2027-04-08",
    )
    assert sonnet["successor"] is None and sonnet["successor_note"].startswith("No successor confirmed")
