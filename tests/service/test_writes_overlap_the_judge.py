"""The image's writes run beside the judge call (P4): a request takes the image call, the judge
call and the verdict's write, not every S3 write in turn."""

import threading

PROMPT = "a lighthouse on a cliff at dusk"


def _hold_writes_until_judged(world, suffix):
    """Each PutObject of a key ending in `suffix` made after the image model's call waits (up to
    1 s) for the judge call to start; what each one saw is returned: True when the judge had been
    called by then (a write before the model call sees False at once: there is nothing to judge)."""
    imaged, judged = threading.Event(), threading.Event()
    seen: list[bool] = []
    invoke, converse = world.bedrock.invoke_model, world.bedrock.converse

    def invoke_model(**kwargs):
        imaged.set()
        return invoke(**kwargs)

    def judge(**kwargs):
        judged.set()
        return converse(**kwargs)

    def hold(params, **_):
        if params["Key"].endswith(suffix):
            seen.append(judged.wait(timeout=1) if imaged.is_set() else judged.is_set())

    world.bedrock.invoke_model, world.bedrock.converse = invoke_model, judge
    world.s3.meta.events.register("before-parameter-build.s3.PutObject", hold)
    return seen


def test_the_judge_looks_at_a_new_image_while_its_metadata_is_being_written(world):
    seen = _hold_writes_until_judged(world, "/meta.json")
    status, body = world.generate({"prompt": PROMPT})
    assert status == 200 and body["evaluation"]["status"] == "done"
    assert seen == [True]
    assert world.json_object(f"images/{body['image_id']}/meta.json")["image_id"] == body["image_id"]


def test_the_judge_looks_at_an_edit_while_its_link_and_idempotency_record_are_written(world):
    _, parent = world.generate({"prompt": PROMPT, "evaluate": False})
    seen = _hold_writes_until_judged(world, ".json")
    event_body = {"image_id": parent["image_id"], "mode": "variation", "prompt": PROMPT, "evaluate": True}
    status, body = world.modify({**event_body, "client_token": "edit-once"})
    assert status == 200 and body["evaluation"]["status"] == "done"
    claim, *after_the_model_call = seen  # the key is claimed before the model call: nothing to judge yet
    assert claim is False
    assert after_the_model_call == [True, True, True, True], seen  # metadata, link, the key's record, verdict
    assert (
        world.json_object(f"images/{parent['image_id']}/edits/{body['image_id']}.json")["image_id"] == body["image_id"]
    )


def test_a_verdict_is_written_only_after_its_image_and_metadata(world):
    order: list[str] = []
    world.s3.meta.events.register(
        "before-parameter-build.s3.PutObject", lambda params, **_: order.append(params["Key"].rsplit("/", 1)[-1])
    )
    status, body = world.generate({"prompt": PROMPT})
    assert status == 200
    assert order.index("evaluation.json") > max(order.index("meta.json"), order.index("image.png")), order
