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


def test_an_emphasis_is_added_whole_while_it_fits_the_models_limit_and_what_changed_says_so():
    checklist = [{"element": "snow", "status": "absent"}, {"element": "a pine tree", "status": "partial"}]
    prompt, changed = revise(last_round("a red fox", checklist), 40)
    assert (prompt, changed) == ("a red fox, clearly showing snow", ["clearly showing snow"])


def test_with_no_emphasis_fitting_the_judges_prompt_is_next_trimmed_at_a_word():
    """Not the last prompt with half an emphasis, reported whole, and then the same prompt again."""
    checklist = [{"element": "snow", "status": "absent"}]
    long_revised = "a red fox in the deep forest at dawn, soft light"
    prompt, changed = revise(last_round("a red fox in the forest", checklist, revised=long_revised), 30)
    assert (prompt, changed) == ("a red fox in the deep forest", ["the judge's revised prompt"])
