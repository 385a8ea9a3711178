"""The overall score of a second-version verdict is derived from its sub-scores and checklist:
a weighted mean rounded half up, capped at 6 by an absent element and at 8 by a partial one."""

import pytest
from imagegen.errors import JudgeAnswerInvalid
from imagegen.models import verdict
from imagegen.models.verdict import EDIT_WEIGHTS, GENERATION_WEIGHTS, derived_score


def parts(**scores):
    return {name: {"score": score, "reason": "r"} for name, score in scores.items()}


def checklist(*statuses):
    return [{"element": f"e{i}", "status": status, "note": ""} for i, status in enumerate(statuses)]


@pytest.mark.parametrize(
    ("scores", "statuses", "expected"),
    [
        ({"prompt_adherence": 8, "visual_quality": 7}, ("present",), 8),  # 23 / 3 = 7.67
        ({"prompt_adherence": 7, "visual_quality": 8}, ("present",), 7),  # 22 / 3 = 7.33
        ({"prompt_adherence": 10, "visual_quality": 10}, ("present", "partial"), 8),  # capped by a partial
        ({"prompt_adherence": 10, "visual_quality": 10}, ("partial", "absent"), 6),  # an absent caps lower
        ({"prompt_adherence": 5, "visual_quality": 4}, ("absent",), 5),  # under the cap: the mean stands
        ({"prompt_adherence": 1, "visual_quality": 1}, ("absent",), 1),
    ],
)
def test_a_generations_score_is_its_weighted_mean_under_the_checklists_cap(scores, statuses, expected):
    assert derived_score(parts(**scores), checklist(*statuses), GENERATION_WEIGHTS) == expected


def test_an_edits_score_weighs_edit_success_twice():
    scores = parts(edit_success=9, preservation=6, prompt_adherence=7, visual_quality=8)  # 39 / 5 = 7.8
    assert derived_score(scores, checklist("present"), EDIT_WEIGHTS) == 8
    scores = parts(edit_success=6, preservation=9, prompt_adherence=7, visual_quality=8)  # 36 / 5 = 7.2
    assert derived_score(scores, checklist("present"), EDIT_WEIGHTS) == 7


def test_a_mean_halfway_between_two_scores_rounds_up():
    even = {"a": 1, "b": 1}
    assert derived_score(parts(a=6, b=7), checklist("present"), even) == 7  # 6.5: half up, not half to even
    assert derived_score(parts(a=7, b=8), checklist("present"), even) == 8


@pytest.mark.parametrize("value", [10**400, -(10**400), float("nan"), float("inf")])
def test_a_sub_score_no_float_can_hold_is_an_invalid_answer_not_a_crash(value):
    with pytest.raises(JudgeAnswerInvalid, match="not an integer from 1 to 10"):
        verdict.score_value(value, "prompt_adherence")
