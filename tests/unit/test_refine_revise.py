"""The refine loop's next prompt: the checklist's absent and partial elements emphasised once
each, else the judge's revised prompt, within the model's prompt limit."""

from imagegen.usecases.refine import revise


def last_round(prompt, checklist, revised="a judge's better prompt"):
    return {"prompt": prompt, "checklist": checklist, "revised_prompt": revised}


def test_each_absent_or_partial_element_is_emphasised_once():
    checklist = [
        {"element": "a red fox", "status": "present"},
        {"element": "snow", "status": "absent"},
        {"element": "a pine tree", "status": "partial"},
    ]
    prompt, changed = revise(last_round("a red fox, snow and a pine tree", checklist), None)
    assert prompt == "a red fox, snow and a pine tree, clearly showing snow, clearly showing a pine tree"
    assert changed == ["clearly showing snow", "clearly showing a pine tree"]
    again, changed = revise(last_round(prompt, checklist), None)  # already emphasised: the judge's prompt instead
    assert (again, changed) == ("a judge's better prompt", ["the judge's revised prompt"])


def test_with_nothing_missing_the_judges_revised_prompt_is_next():
    checklist = [{"element": "a red fox", "status": "present"}]
    assert revise(last_round("a red fox", checklist), None)[0] == "a judge's better prompt"
    assert revise(last_round("a red fox", [], revised=""), None) == ("a red fox", [])


def test_the_next_prompt_is_trimmed_to_the_models_limit_at_a_word():
    checklist = [{"element": "snow", "status": "absent"}]
    prompt, _ = revise(last_round("a red fox in the forest", checklist), 30)
    assert prompt == "a red fox in the forest" and len(prompt) <= 30
