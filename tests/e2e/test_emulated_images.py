"""Emulated images show what happened: still plainly EMULATED, they carry the prompt's first
words, the model and the mode, and an edit is derived from its source so a before/after pair
shows where the edit landed.

An edit's own text keeps to a strip at the top and a caption at the bottom, so the middle half
of its rows shows the edit; these tests compare pixels there."""

import base64
import json

import boto3
import pytest
from imagegen import png
from imagegen.models.images import invoke_image_model
from imagegen.models.request import ImageRequest, Task

from imagegen_local.emulator import art, jpeg, pictures
from tests.imagefactory import mask_png, rgba_png

SIZE = 512
BOX = (160, 192, 352, 320)  # x0, y0, x1, y1: inside the middle half of the rows


def patterned_rows(width, height):
    """Rows whose pixels differ from their neighbours: the colour of (x, y) is
    ((7x) % 256, (5y + 40) % 256, (x + 2y) % 256), made a channel at a time."""
    reds = bytes(x * 7 % 256 for x in range(width))
    blues = bytes(i % 256 for i in range(width + 2 * height))
    rows = []
    for y in range(height):
        line = bytearray(width * 3)
        line[0::3], line[1::3], line[2::3] = reds, bytes([(y * 5 + 40) % 256]) * width, blues[2 * y : 2 * y + width]
        rows.append(bytes(line))
    return tuple(rows)


def patterned(width, height):
    return png.encode(png.Raster(width, height, "RGB", patterned_rows(width, height)))


SOURCE_ROWS = patterned_rows(SIZE, SIZE)
SOURCE = png.encode(png.Raster(SIZE, SIZE, "RGB", SOURCE_ROWS))
MASK = mask_png(SIZE, SIZE, white_box=BOX)  # the project's convention: white = change


def middle(height):
    return range(height // 4, 3 * height // 4)


def pixel(rows, x, y, bpp=3):
    return rows[y][x * bpp : x * bpp + 3]


def client_for(model_id):
    region = "us-east-1" if model_id.startswith("amazon.") else "us-west-2"
    return boto3.client("bedrock-runtime", region_name=region)


def edited(emulator, model_id, request):
    emulator.configure(serve_retired=True)
    _, result = invoke_image_model(client_for(model_id), model_id, request, allow_retired=True)
    return result.images[0].data


def raw(model_id, body):
    """The image a raw InvokeModel body gets (us. profile for the Stability services)."""
    answer = client_for(model_id).invoke_model(modelId=model_id, body=json.dumps(body))
    return base64.b64decode(json.loads(answer["body"].read())["images"][0])


def b64(data):
    return base64.b64encode(data).decode()


def assert_changed_exactly_in(rows, source_rows, box, rows_to_check):
    """Outside the box every pixel is the source's; inside it no pixel is."""
    x0, y0, x1, y1 = box
    for y in rows_to_check:
        row, src = rows[y], source_rows[y]
        if not y0 <= y < y1:
            assert row == src, f"row {y} outside the box changed"
            continue
        assert row[: x0 * 3] == src[: x0 * 3] and row[x1 * 3 :] == src[x1 * 3 :], f"row {y} changed beside the box"
        same = [x for x in range(x0, x1) if pixel(rows, x, y) == pixel(source_rows, x, y)]
        assert not same, f"row {y}: pixels {same[:5]} inside the box kept the source's colour"


@pytest.mark.parametrize(
    ("model_id", "task"),
    [
        ("amazon.nova-canvas-v1:0", Task.INPAINT),
        ("amazon.titan-image-generator-v2:0", Task.INPAINT),
        ("amazon.nova-canvas-v1:0", Task.OUTPAINT),
        ("amazon.titan-image-generator-v2:0", Task.OUTPAINT),
        ("stability.stable-image-inpaint-v1:0", Task.INPAINT),
    ],
)
def test_an_edit_by_mask_changes_the_white_of_the_mask_and_keeps_the_rest_of_the_source(
    emulator, local_env, model_id, task
):
    data = edited(emulator, model_id, ImageRequest(task=task, prompt="a straw hat", images=(SOURCE,), mask_image=MASK))
    raster = png.decode(data)
    assert (raster.width, raster.height) == (SIZE, SIZE)
    assert_changed_exactly_in(raster.rows, SOURCE_ROWS, BOX, middle(SIZE))


def test_an_inpaint_by_mask_prompt_changes_the_centre_and_the_caption_names_what_it_looked_for(emulator, local_env):
    data = edited(
        emulator,
        "amazon.titan-image-generator-v2:0",
        ImageRequest(task=Task.INPAINT, prompt="a straw hat", images=(SOURCE,), mask_prompt="the red hat"),
    )
    rows = png.decode(data).rows
    assert pixel(rows, SIZE // 2, SIZE // 2) != pixel(SOURCE_ROWS, SIZE // 2, SIZE // 2)
    assert rows[SIZE // 2][:12] == SOURCE_ROWS[SIZE // 2][:12]  # the left edge is outside the centre
    assert "INPAINT: THE RED HAT" in art.read_text(data)


def test_an_outpaint_with_margins_holds_the_source_at_the_margins_offset(local_env):
    width, height = 384, 320
    source_rows = patterned_rows(width, height)
    body = {"image": b64(patterned(width, height)), "left": 128, "up": 64, "down": 64, "prompt": "more forest"}
    raster = png.decode(raw("us.stability.stable-outpaint-v1:0", body))
    assert (raster.width, raster.height) == (width + 128, height + 128)
    for y in middle(raster.height):
        assert raster.rows[y][128 * 3 :] == source_rows[y - 64], f"row {y} is not the source's row {y - 64}"
        assert raster.rows[y][: 128 * 3] != source_rows[y - 64][: 128 * 3]


@pytest.mark.parametrize(
    ("model_id", "body", "size"),
    [
        ("us.stability.stable-fast-upscale-v1:0", {}, (1024, 1024)),
        ("us.stability.stable-conservative-upscale-v1:0", {"prompt": "a sharp photograph"}, (2048, 2048)),
    ],
)
def test_an_upscale_is_its_source_scaled_to_the_answered_size(local_env, model_id, body, size):
    source_rows = patterned_rows(256, 256)
    raster = png.decode(raw(model_id, {"image": b64(patterned(256, 256)), **body}))
    assert (raster.width, raster.height) == size
    for y in middle(raster.height)[::37]:
        for x in range(raster.width // 4, 3 * raster.width // 4, 41):
            assert pixel(raster.rows, x, y) == pixel(source_rows, x * 256 // size[0], y * 256 // size[1])


def test_background_removal_keeps_a_centre_subject_and_makes_the_rest_transparent(emulator, local_env):
    data = edited(
        emulator, "amazon.titan-image-generator-v2:0", ImageRequest(task=Task.REMOVE_BACKGROUND, images=(SOURCE,))
    )
    raster = png.decode(data)
    assert raster.mode == "RGBA"
    centre = raster.rows[SIZE // 2][(SIZE // 2) * 4 : (SIZE // 2) * 4 + 4]
    assert centre == pixel(SOURCE_ROWS, SIZE // 2, SIZE // 2) + b"\xff"
    assert raster.rows[SIZE // 2][4 * 4 + 3] == 0  # the left edge's alpha


def test_erase_flattens_the_masked_area_and_keeps_the_rest(local_env):
    body = {"image": b64(SOURCE), "mask": b64(MASK)}
    rows = png.decode(raw("us.stability.stable-image-erase-object-v1:0", body)).rows
    x0, y0, x1, y1 = BOX
    inside = {pixel(rows, x, y) for y in range(y0, y1) for x in range(x0, x1)}
    assert len(inside) == 1
    for y in middle(SIZE):
        if not y0 <= y < y1:
            assert rows[y] == SOURCE_ROWS[y]


def test_the_source_alpha_is_the_mask_when_an_inpaint_has_none(local_env):
    transparent = {(x, y): 0 for x in range(200, 260) for y in range(220, 280)}
    source = rgba_png(SIZE, SIZE, alpha_at=transparent)
    rows = png.decode(raw("us.stability.stable-image-inpaint-v1:0", {"prompt": "sky", "image": b64(source)})).rows
    assert pixel(rows, 230, 250) != bytes([90, 140, 200])
    assert pixel(rows, 300, 250) == bytes([90, 140, 200])


def test_an_image_to_image_is_its_source_tinted(local_env):
    row = b"\x10\x10\x10" * (SIZE // 2) + b"\xf0\xf0\xf0" * (SIZE // 2)
    two_tone = png.encode(png.Raster(SIZE, SIZE, "RGB", (row,) * SIZE))
    body = {"prompt": "autumn", "mode": "image-to-image", "image": b64(two_tone), "strength": 0.5}
    rows = png.decode(raw("stability.sd3-5-large-v1:0", body)).rows
    y = SIZE // 2
    dark, light = pixel(rows, SIZE // 4, y), pixel(rows, 3 * SIZE // 4, y)
    assert dark != b"\x10\x10\x10" and light != b"\xf0\xf0\xf0"
    assert sum(dark) < sum(light)  # still the source's picture, not a fresh one


def test_the_caption_names_the_prompt_model_and_mode(local_env):
    data = raw("stability.stable-image-core-v1:1", {"prompt": "a red fox in snow", "seed": 3})
    assert art.read_text(data) == ["EMULATED", "A RED FOX IN SNOW", "STABLE-IMAGE-CORE-V1:1", "GENERATE"]


def test_two_prompts_draw_different_captions_over_the_same_edit(local_env):
    def inpaint(prompt):
        body = {"prompt": prompt, "image": b64(SOURCE), "mask": b64(MASK), "seed": 9}
        return raw("us.stability.stable-image-inpaint-v1:0", body)

    hat, scarf = inpaint("a straw hat"), inpaint("a blue scarf")
    assert art.read_text(hat)[1:] == ["A STRAW HAT", "STABLE-IMAGE-INPAINT-V1:0", "INPAINT"]
    assert art.read_text(scarf)[1] == "A BLUE SCARF"
    hat_rows, scarf_rows = png.decode(hat).rows, png.decode(scarf).rows
    assert hat_rows[3 * SIZE // 4 :] != scarf_rows[3 * SIZE // 4 :]  # the caption's pixels
    assert all(hat_rows[y] == scarf_rows[y] for y in middle(SIZE) if not BOX[1] <= y < BOX[3])


def test_a_jpeg_source_gets_a_fresh_render_that_says_so(local_env):
    source = jpeg.encode(384, 320, patterned_rows(384, 320))
    data = raw("us.stability.stable-image-inpaint-v1:0", {"prompt": "a hat", "image": b64(source), "mask": b64(MASK)})
    raster = png.decode(data)
    assert (raster.width, raster.height) == (384, 320)
    assert "JPEG SOURCE NOT DECODED" in art.read_text(data)


def test_an_edit_is_deterministic_and_marked_emulated_in_its_metadata(local_env):
    body = {"prompt": "a hat", "image": b64(SOURCE), "mask": b64(MASK), "seed": 4}
    first, again = (
        raw("us.stability.stable-image-inpaint-v1:0", body),
        raw("us.stability.stable-image-inpaint-v1:0", body),
    )
    assert first == again
    assert b"tEXtComment\x00EMULATED image: stability.stable-image-inpaint-v1:0" in first
    assert art.read_text(first)[0] == "EMULATED"


def test_an_edit_answered_as_jpeg_is_a_jpeg_of_the_source_size(local_env):
    body = {"prompt": "a hat", "image": b64(SOURCE), "mask": b64(MASK), "output_format": "jpeg"}
    data = raw("us.stability.stable-image-inpaint-v1:0", body)
    assert data[:3] == b"\xff\xd8\xff" and b"EMULATED" in data
    assert b"\xff\xc0\x00\x11\x08\x02\x00\x02\x00" in data  # SOF0: 8 bits, 512 x 512


@pytest.mark.parametrize("size", [(1, 1), (5, 3), (64, 64), (64, 900), (900, 64)])
@pytest.mark.parametrize("mode", ["generate", "inpaint", "outpaint", "upscale", "remove-background", "recolor"])
def test_any_size_renders_without_crashing_at_the_size_asked(size, mode):
    width, height = size
    source = patterned(width, height)
    edit = {
        "generate": art.Edit(),
        "inpaint": art.Edit("inpaint", source=source, mask=mask_png(width, height, white_box=(0, 0, 1, 1))),
        "outpaint": art.Edit("outpaint", source=source, margins=(3, 2, 1, 0)),
        "upscale": art.Edit("upscale", source=source),
        "remove-background": art.Edit("remove-background", source=source),
        "recolor": art.Edit("recolor", source=source, mask_prompt="the sky"),
    }[mode]
    out = {"outpaint": (width + 4, height + 2), "upscale": (width * 4, height * 4)}.get(mode, size)
    raster = png.decode(art.render(*out, prompt="a fox", seed=1, model="amazon.nova-canvas-v1:0", edit=edit))
    assert (raster.width, raster.height) == out
    if min(out) >= 64:
        assert art.read_text(art.render(*out, prompt="a fox", seed=1, model="m", edit=edit))[0] == "EMULATED"


def test_the_before_after_pair_shows_the_inpaint_where_the_mask_asked(tmp_path):
    before_path, mask_path, after_path = pictures.before_after(tmp_path)
    before, after = png.decode(before_path.read_bytes()), png.decode(after_path.read_bytes())
    assert png.decode(mask_path.read_bytes()).mode == "L"
    assert (before.width, before.height) == (after.width, after.height) == (1024, 1024)
    assert_changed_exactly_in(after.rows, before.rows, pictures.BOX, middle(1024))
    assert art.read_text(before_path.read_bytes())[:2] == ["EMULATED", "A RED FOX IN SNOW AT DAWN"]
    assert art.read_text(after_path.read_bytes()) == ["EMULATED", "A STRAW HAT", "STABLE-IMAGE-INPAINT-V1:0", "INPAINT"]


def test_a_colour_guided_generation_fades_between_the_colours_given(emulator, local_env):
    emulator.configure(serve_retired=True)
    body = {
        "taskType": "COLOR_GUIDED_GENERATION",
        "colorGuidedGenerationParams": {"text": "a fox", "colors": ["#FF0000", "#0000FF"]},
        "imageGenerationConfig": {"width": 512, "height": 512},
    }
    data = raw("amazon.titan-image-generator-v2:0", body)
    assert pixel(png.decode(data).rows, 0, 0) == b"\xff\x00\x00"
    assert art.read_text(data)[3] == "COLOR-GUIDED #FF0000 #0000FF"


def test_a_prompt_beyond_the_font_and_latin_1_is_drawn_with_question_marks():
    data = art.render(512, 512, prompt="un café ☕ 猫", seed=1, model="stability.stable-image-core-v1:1")
    assert art.read_text(data)[1] == "UN CAF? ? ?"
    assert b"Description\x00EMULATED | UN CAF? ? ?" in data
