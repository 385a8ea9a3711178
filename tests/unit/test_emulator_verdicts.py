"""The emulator's second-version verdicts respond to the prompt's wording by a fixed rule
(emulator/verdicts.py), which the refine loop's tests lean on."""

import json

from imagegen.models.judge import validate_verdict

from imagegen_local.emulator import verdicts
from tests.imagefactory import png_image

JUDGE = "amazon.nova-lite-v1:0"
PROMPT = "a red fox, a blue hat, two birds and a pine tree with snow"
IMAGE = png_image(48, 32)


def judged(prompt, edit=False, image=IMAGE):
    return verdicts.second_version(JUDGE, f"Evaluate:\n{json.dumps(prompt)}\n", [image], edit=edit)


def statuses(verdict):
    return {item["element"]: item["status"] for item in verdict["checklist"]}


def test_the_checklist_has_one_item_per_element_split_at_commas_semicolons_and_and_with():
    verdict = judged("A red fox; two birds AND a pine tree With snow, a red fox")
    assert list(statuses(verdict)) == ["A red fox", "two birds", "a pine tree", "snow"]


def test_an_element_mentioned_twice_is_present_whatever_its_hash_says():
    assert statuses(judged(PROMPT))["a pine tree"] == "absent"  # by its hash
    twice = judged(f"{PROMPT}; clearly showing A Pine Tree")
    item = next(i for i in twice["checklist"] if i["element"] == "a pine tree")
    assert (item["status"], item["note"]) == ("present", "emulated: mentioned twice")


def test_adherence_counts_present_and_half_of_partial_elements():
    verdict = judged(PROMPT)  # 2 present, 2 partial, 1 absent of 5: round(10 * 3 / 5)
    assert verdict["sub_scores"]["prompt_adherence"]["score"] == 6
    assert all(part["reason"].startswith("Emulated:") for part in verdict["sub_scores"].values())
    assert verdict["suggestions"] == "Emulated suggestion: show a red fox, two birds, a pine tree clearly."


def test_judging_the_revised_prompt_again_finds_every_element_and_scores_higher():
    first = judged(PROMPT)
    again = judged(first["revised_prompt"], image=png_image(32, 32))
    assert set(statuses(again).values()) == {"present"}
    assert again["revised_prompt"] == f"{first['revised_prompt']}, sharp focus, balanced composition"
    assert validate_verdict(again)["score"] > validate_verdict(first)["score"] == 6  # capped by the absent tree


def test_only_a_schema_asking_for_edit_success_gets_the_edit_sub_scores():
    edit_schema = {"sub_scores": {"properties": {"edit_success": {}, "preservation": {}}}}
    edit = verdicts.answer(JUDGE, json.dumps(PROMPT), [IMAGE], edit_schema)
    assert {7, 8, 9} >= {edit["sub_scores"][k]["score"] for k in ("edit_success", "preservation")}
    assert set(judged(PROMPT)["sub_scores"]) == {"prompt_adherence", "visual_quality"}
    assert set(validate_verdict(edit, edit=True)["sub_scores"]) == set(edit["sub_scores"])


def test_a_first_version_schema_still_gets_one_overall_score():
    verdict = verdicts.answer(JUDGE, json.dumps(PROMPT), [IMAGE], {"score": {"type": "integer"}})
    assert set(verdict) == {"description", "score", "reason", "suggestions", "revised_prompt"}
    assert 4 <= verdict["score"] <= 9
