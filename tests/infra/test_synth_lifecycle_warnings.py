"""Synth warns for a Legacy model with its Bedrock dates (Claude Sonnet 4.5 as the judge)."""

from datetime import date

from stacks.config import from_context

SONNET = "anthropic.claude-sonnet-4-5-20250929-v1:0"


def test_synth_warns_for_a_legacy_judge_with_its_dates_and_days_left():
    values = {"judgeModel": SONNET}
    config = from_context(values.get, today=date(2026, 12, 3))
    assert any(
        w.startswith(
            f"judge model {SONNET} is Legacy (end of life 2027-04-08): Legacy since 2026-10-08, "
            "extended-access pricing from 2027-01-08, 126 days left"
        )
        for w in config.warnings
    ), config.warnings
