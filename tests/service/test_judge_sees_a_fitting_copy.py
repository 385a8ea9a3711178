"""An image over Converse's limits (3.75 MB, 8000 px a side) is judged from a smaller copy in
its format: the verdict is done, and what the judge received fits the limits."""

import base64
import io
import random

from imagegen.imageinfo import probe
from imagegen.models.registry import resolve
from PIL import Image

PROMPT = "a red fox sitting in fresh snow"


def judged_image(world) -> bytes:
    """The image bytes of the judge's last Converse request."""
    return world.bedrock.conversations[-1]["messages"][0]["content"][0]["image"]["source"]["bytes"]


def judge_limits(world) -> tuple[int, int]:
    limits = resolve(world.settings.judge_models[0]).record.limits
    return limits["max_image_bytes"], limits["max_image_side"]


def noisy_png(width: int, height: int) -> bytes:
    """A PNG of random pixels: it compresses to about its raw size (3 bytes a pixel)."""
    pixels = random.Random(7).randbytes(width * height * 3)
    out = io.BytesIO()
    Image.frombytes("RGB", (width, height), pixels).save(out, format="PNG")
    return out.getvalue()


def test_an_image_wider_than_the_judge_takes_is_judged_from_a_narrower_copy(world):
    world.bedrock.size = (9000, 300)
    _, made = world.generate({"prompt": PROMPT, "evaluate": False})
    status, body = world.evaluate({"image_id": made["image_id"]})
    assert status == 200, body
    assert body["evaluation"]["status"] == "done"
    max_bytes, max_side = judge_limits(world)
    sent = probe(judged_image(world))
    assert (sent.format, sent.width) == ("png", max_side)
    assert round(9000 / 300) == round(sent.width / sent.height)  # the aspect ratio kept
    assert len(judged_image(world)) <= max_bytes
    assert probe(world.object(f"images/{made['image_id']}/image.png")["Body"].read()).width == 9000  # stored whole


def test_an_image_heavier_than_the_judge_takes_is_judged_from_a_lighter_copy_when_generated(world):
    heavy = noisy_png(1400, 1000)
    max_bytes, max_side = judge_limits(world)
    assert len(heavy) > max_bytes
    world.bedrock.image_outcomes = [{"images": [base64.b64encode(heavy).decode()], "error": None}]
    status, body = world.generate({"prompt": PROMPT, "evaluate": True})
    assert status == 200, body
    assert body["evaluation"]["status"] == "done"
    sent = judged_image(world)
    info = probe(sent)
    assert info.format == "png" and len(sent) <= max_bytes and max(info.width, info.height) <= max_side
    assert abs(info.width / info.height - 1.4) < 0.01
