"""How long the Bedrock emulator takes to render large answers, against Pillow doing the same
kind of pixel work in C, and its hot parts against the implementations they replaced (kept
here, or still in the library), in the same process; each part must give the pixels of the one
it replaced.

Renders (the emulator's work on a request: the checks of its images, sources.verify, which
decodes them, and art.render), best of a few runs, and Pillow's time for the like work (decode
the source, resize it nearest-neighbour, tint it by a lookup table, paste the masked area back,
write a PNG at compress level 1):

- a 4096x4096 generation (a gradient, the stamp and the caption);
- a 4x upscale of a 1024 px source, and a 1.5x variation of it (scaled by a factor that is not
  an integer, then tinted);
- an inpaint of a 1024 px source through a mask.

Parts, new against old:

- the scale by 1.5 (pixels.scale) against the per-channel map it replaced (`mapped_scale`);
- the PNG writer (emulator/pngwrite.py) against imagegen.png.encode at level 1, which the
  emulator used, on the 4096 px generation's rows;
- a source's checks and decode (emulator/sources.py: once) against png.verify then png.decode.

    .venv/bin/python bench/emulator_render.py [--runs 3]
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from imagegen import png  # noqa: E402
from PIL import Image  # noqa: E402

from imagegen_local.emulator import art, pixels, pngwrite, sources  # noqa: E402
from tests.imagefactory import mask_png  # noqa: E402

MODEL = "stability.sd3-5-large-v1:0"
PROMPT = "a lighthouse on a cliff at dusk, oil painting"
SIDE = 1024


def best(runs: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        sources.forget()  # every run decodes its source afresh, as a request with a new source does
        started = time.process_time()
        work()
        times.append(time.process_time() - started)
    return min(times)


def patterned(width: int, height: int) -> list[bytes]:
    """RGB rows whose every pixel differs from its neighbours (no two rows alike)."""
    reds = bytes(x * 7 % 256 for x in range(width))
    blues = bytes(i % 256 for i in range(width + 2 * height))
    rows = []
    for y in range(height):
        line = bytearray(width * 3)
        line[0::3], line[1::3], line[2::3] = reds, bytes([(y * 5 + 40) % 256]) * width, blues[2 * y : 2 * y + width]
        rows.append(bytes(line))
    return rows


def mapped_scale(rows: Sequence[bytes], width: int, height: int, new_width: int, new_height: int, bpp: int) -> list:
    """The scale pixels.scale replaced, for a factor that is not an integer: each distinct source
    row's channels picked byte by byte through map."""
    xs = [x * width // new_width for x in range(new_width)]
    resampled: dict[int, bytes] = {}
    out = []
    for y in range(new_height):
        source_y = y * height // new_height
        if source_y not in resampled:
            row, line = rows[source_y], bytearray(new_width * bpp)
            for c in range(bpp):
                lane = row[c::bpp]
                line[c::bpp] = bytes(map(lane.__getitem__, xs))
            resampled[source_y] = bytes(line)
        out.append(bytearray(resampled[source_y]))
    return out


def pillow_png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=1)
    return out.getvalue()


def pillow_edit(source: bytes, size: tuple[int, int], mask: bytes | None = None, tint: bool = True) -> bytes:
    image = Image.open(io.BytesIO(source)).convert("RGB").resize(size, Image.Resampling.NEAREST)
    if tint:
        tables = pixels.tint_tables(b"\xd0\x40\x20", 0.5)
        tinted = image.point(list(b"".join(tables)))
        if mask is not None:
            image.paste(tinted, mask=Image.open(io.BytesIO(mask)).convert("L").resize(size))
        else:
            image = tinted
    return pillow_png(image)


def pillow_generation(size: tuple[int, int]) -> bytes:
    band = Image.linear_gradient("L").resize(size)
    return pillow_png(Image.merge("RGB", [band, band.point(lambda v: 255 - v), band.point(lambda v: v // 2)]))


def emulated(width: int, height: int, edit: art.Edit) -> bytes:
    """The emulator's work on a request: the checks of its images (which decode them), the render."""
    for image in (edit.source, edit.mask):
        if image is not None:
            sources.verify(image)
    return art.render(width, height, prompt=PROMPT, seed=1, model=MODEL, edit=edit)


def decoded(data: bytes) -> tuple[str, tuple[int, int], bytes]:
    image = Image.open(io.BytesIO(data))
    return image.mode, image.size, image.tobytes()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per case, the best counts")
    args = parser.parse_args()
    rows = patterned(SIDE, SIDE)
    source = png.encode(png.Raster(SIDE, SIDE, "RGB", tuple(rows)))
    mask = mask_png(SIDE, SIDE, white_box=(256, 320, 768, 704))
    renders: list[tuple[str, Callable[[], bytes], Callable[[], bytes]]] = [
        ("generate 4096x4096", lambda: emulated(4096, 4096, art.Edit()), lambda: pillow_generation((4096, 4096))),
        ("upscale 1024 -> 4096 (4x)", lambda: emulated(4096, 4096, art.Edit("upscale", source)),
         lambda: pillow_edit(source, (4096, 4096), tint=False)),
        ("variation 1024 -> 1536 (1.5x)", lambda: emulated(1536, 1536, art.Edit("variation", source)),
         lambda: pillow_edit(source, (1536, 1536))),
        ("inpaint 1024 with a mask", lambda: emulated(SIDE, SIDE, art.Edit("inpaint", source, mask)),
         lambda: pillow_edit(source, (SIDE, SIDE), mask)),
    ]  # fmt: skip
    print("render                          emulator s  Pillow s   ratio")
    for name, ours, theirs in renders:
        ours_s, theirs_s = best(args.runs, ours), best(args.runs, theirs)
        print(f"{name:<31} {ours_s:9.3f}  {theirs_s:8.3f}  {ours_s / theirs_s:6.1f}")

    print("part                            new s     old s   old/new")
    new_rows, old_rows = pixels.scale(rows, SIDE, SIDE, 1536, 1536, 3), mapped_scale(rows, SIDE, SIDE, 1536, 1536, 3)
    if new_rows != old_rows:
        raise SystemExit("pixels.scale and the map it replaced disagree")
    parts: list[tuple[str, Callable[[], object], Callable[[], object]]] = [
        ("scale 1024 -> 1536", lambda: pixels.scale(rows, SIDE, SIDE, 1536, 1536, 3),
         lambda: mapped_scale(rows, SIDE, SIDE, 1536, 1536, 3)),
    ]  # fmt: skip
    generation = pixels.gradient(4096, 4096, b"\x10\x80\xf0", b"\xf0\x20\x10")
    written = pngwrite.encode(4096, 4096, "RGB", generation, {})
    encoded = png.encode(png.Raster(4096, 4096, "RGB", tuple(bytes(r) for r in generation)), level=1)
    if decoded(written) != decoded(encoded):
        raise SystemExit("pngwrite and png.encode wrote different pixels")
    parts.append(
        (
            "write a 4096 px gradient",
            lambda: pngwrite.encode(4096, 4096, "RGB", generation, {}),
            lambda: png.encode(png.Raster(4096, 4096, "RGB", tuple(bytes(r) for r in generation)), level=1),
        )
    )

    def once() -> None:
        sources.verify(source)
        sources.decode(source)

    def twice() -> None:
        png.verify(source)
        png.decode(source)

    parts.append(("check and decode a 1024 source", once, twice))
    for name, new, old in parts:
        new_s, old_s = best(args.runs, new), best(args.runs, old)
        print(f"{name:<31} {new_s:7.3f}  {old_s:8.3f}  {old_s / new_s:7.1f}")


if __name__ == "__main__":
    main()
