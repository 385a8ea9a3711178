"""How the command line prints a verdict's second-version parts: one compact line."""

from imagegen_local.cli.render import verdict_lines, verdict_parts

DONE = {
    "status": "done",
    "judge_model": "amazon.nova-lite-v1:0",
    "score": 6,
    "description": "d",
    "reason": "r",
    "suggestions": "s",
    "revised_prompt": "p",
}
PARTS = {
    "sub_scores": {"prompt_adherence": {"score": 8, "reason": "r"}, "visual_quality": {"score": 7, "reason": "r"}},
    "checklist": [
        {"element": "a fox", "status": "present", "note": ""},
        {"element": "snow", "status": "present", "note": ""},
        {"element": "a pine", "status": "present", "note": ""},
        {"element": "a red hat", "status": "partial", "note": ""},
        {"element": "two birds", "status": "absent", "note": ""},
    ],
}


def test_sub_scores_and_checklist_counts_print_in_one_line_naming_what_is_missing():
    assert verdict_parts({**DONE, **PARTS}) == (
        "adherence 8, quality 7; checklist: 3 present, 1 partial (a red hat), 1 absent (two birds)"
    )
    assert "    parts   adherence 8, quality 7; checklist" in "\n".join(verdict_lines({**DONE, **PARTS}))


def test_a_first_version_verdict_prints_without_a_parts_line():
    assert verdict_parts(DONE) is None
    assert not any("parts" in line for line in verdict_lines(DONE))
