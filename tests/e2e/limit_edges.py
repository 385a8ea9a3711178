"""The builders meet the emulator at every edge the catalog gives them. For each image model and
each limit its record holds (seed, text lengths, count, the numeric ranges, the input image's
sides, pixels and aspect), a request is made at the builder's edge and one step past it:

- the builder must take the request at its edge, and the emulator (its own reading of the docs,
  keyed by exact model id) must take the body the builder makes: otherwise the builder lets
  through what Bedrock would refuse;
- the builder must refuse the request one step past, and the emulator must refuse that body too
  (the body at the edge with the probed value stepped): otherwise the builder refuses what Bedrock
  takes, as Fast Upscale's 64 px sides did (issue 13).

`check(records, send)` runs every probe against the records given, so a test can run it against
a catalog with one limit changed and see the disagreement reported."""

from __future__ import annotations

import base64
import dataclasses
import functools
import json
import math
import random
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from botocore.exceptions import ClientError
from imagegen import png
from imagegen.errors import ImageGenError
from imagegen.models.images import FAMILIES
from imagegen.models.registry import ModelRecord
from imagegen.models.request import ImageRequest, Margins, Task

Send = Callable[[ModelRecord, dict[str, Any]], "str | None"]  # None: accepted; else the refusal


@dataclass(frozen=True)
class Edge:
    limit: str  # e.g. "seed <= 2147483646", "input_image.max_side 1536"
    field: str  # the request field a builder names when it refuses the value
    change: dict[str, Any]  # the request fields at the edge
    step: dict[str, Any]  # the same fields one step past it
    swap: tuple[Any, Any]  # the value in the body at the edge, and one step past it
    past: str  # one step past, as a person reads it


@dataclass
class Report:
    probed: list[str] = field(default_factory=list)  # "<model id> <task> <limit>", each probe made
    disagreements: list[str] = field(default_factory=list)
    unsent: list[str] = field(default_factory=list)  # probes whose value is not in the body (count 1 of Stability)


NUMBERS = [  # limit key, request field, step, the request's value for a limit value
    ("seed", "seed", 1, None),
    ("count", "count", 1, None),
    ("cfg_scale", "cfg_scale", 0.1, None),
    ("similarity_strength", "strength", 0.1, lambda v: round(1 - v, 6)),  # sent as 1 - strength
    ("strength", "strength", 0.1, None),
    ("creativity", "creativity", 0.1, None),
    ("grow_mask", "grow_mask", 1, None),
    ("control_strength", "control_strength", 0.1, None),
    ("fidelity", "fidelity", 0.1, None),
    ("composition_fidelity", "composition_fidelity", 0.1, None),
    ("style_strength", "style_strength", 0.1, None),
    ("change_strength", "change_strength", 0.1, None),
]
PROMPT = "a red fox in snow"
REQUEST_FIELDS = {f.name for f in dataclasses.fields(ImageRequest)}


@functools.cache  # the same sizes recur in every probe of a model (and across models)
def solid(width: int, height: int) -> bytes:
    return png.solid(width, height, (90, 120, 30))


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def edges(record: ModelRecord) -> Iterator[Edge]:
    limits = record.limits
    for key, name, step, to_request in NUMBERS:
        if key not in limits:
            continue
        low, high = limits[key]
        ends = ((high, high + step), (low, low - step)) if low != high else ((high, high + step),)
        for end, past in ends:
            if past < 0 and name in ("seed", "count", "grow_mask"):
                continue  # below zero is a type error before it is a limit
            past = round(past, 6)
            at, after = (end, past) if to_request is None else (to_request(end), to_request(past))
            limit = f"{key} {'<=' if end == high else '>='} {end}"
            yield Edge(limit, name, {name: at}, {name: after}, (end, past), f"{name}={after}")
    for key, name in (("prompt_chars", "prompt"), ("negative_prompt_chars", "negative_prompt")):
        if key in limits:
            high = limits[key][1]
            at, past = "x" * high, "x" * (high + 1)
            yield Edge(f"{key} <= {high}", name, {name: at}, {name: past}, (at, past), f"{high + 1} characters")
    if "margin" in limits:
        high = limits["margin"][1]
        at_margins, past_margins = Margins(left=high), Margins(left=high + 1)
        margins = {"margins": at_margins}, {"margins": past_margins}
        yield Edge(f"margin <= {high}", "margins", *margins, (high, high + 1), f"left={high + 1}")
    if "input_image" in limits:
        yield from image_edges(limits["input_image"])


def image_edges(spec: dict[str, Any]) -> Iterator[Edge]:
    """Sources at each edge of the input image rule, and one pixel (or one row) past it."""
    low_side = spec.get("min_side", 1)
    aspect = spec.get("aspect")

    def edge(limit: str, at: tuple[int, int], past: tuple[int, int]) -> Edge:
        at_image, past_image = solid(*at), solid(*past)
        return Edge(
            f"input_image.{limit} ({at[0]}x{at[1]})",
            "images",
            {"images": (at_image,)},
            {"images": (past_image,)},
            (b64(at_image), b64(past_image)),
            f"{past[0]}x{past[1]}",
        )

    def partner(side: int) -> int:
        """The other side for a source whose long side is `side`: within the aspect and the pixel limits."""
        other = max(low_side, math.ceil(side / aspect[1]) if aspect else 320, 1)
        return min(other, spec.get("max_pixels", side * other) // side)

    if "min_side" in spec:
        side = spec["min_side"]
        yield edge(f"min_side {side}", (side, side), (side - 1, side))
    if "max_side" in spec:
        side = spec["max_side"]
        other = partner(side)
        yield edge(f"max_side {side}", (side, other), (side + 1, other))
    if "min_pixels" in spec:
        width, height = _factor(spec["min_pixels"], low_side)
        yield edge(f"min_pixels {spec['min_pixels']}", (width, height), (width, height - 1))
    if "max_pixels" in spec:
        width, height = _factor(spec["max_pixels"], low_side)
        yield edge(f"max_pixels {spec['max_pixels']}", (width, height), (width, height + 1))
    if aspect:
        for ratio in aspect:
            fraction = Fraction(ratio).limit_denominator(100)
            scale = math.ceil(low_side / min(fraction.numerator, fraction.denominator))
            width, height = fraction.numerator * scale, fraction.denominator * scale
            past = (width + 1, height) if ratio >= 1 else (width, height + 1)
            yield edge(f"aspect {ratio}", (width, height), past)


def _factor(pixels: int, low_side: int) -> tuple[int, int]:
    """Width and height with exactly `pixels` pixels, as square as it can be."""
    width = math.isqrt(pixels)
    while width > 1 and (pixels % width or pixels // width < low_side):
        width -= 1
    return pixels // width, width


def base_request(record: ModelRecord, task: Task, change: dict[str, Any]) -> ImageRequest | None:
    """A plain request for `task` (a prompt where the model takes one, and a source image for an
    edit), with the probed fields `change` set; None where such a request cannot be made."""
    amazon = record.family in ("titan-image", "nova-canvas")
    source = solid(384, 320)
    takes_prompt = not record.fields or "prompt" in (
        *record.fields.get("required", ()),
        *record.fields.get("optional", ()),
    )
    fields: dict[str, Any] = {"task": task, "prompt": PROMPT if takes_prompt else None, "images": (source,)}
    if task is Task.GENERATE:
        fields.pop("images")
        if amazon:
            fields.update(width=512, height=512)
    elif task in (Task.INPAINT, Task.ERASE, Task.OUTPAINT, Task.REPLACE, Task.RECOLOR) and amazon:
        fields["mask_prompt"] = "the fox"
    elif task in (Task.INPAINT, Task.ERASE):
        fields["mask_image"] = png.encode(
            png.Raster(64, 64, "L", tuple(bytes([255] * 32 + [0] * 32) for _ in range(64)))
        )
    elif task is Task.OUTPAINT:
        fields["margins"] = Margins(left=64)
    elif task in (Task.REPLACE, Task.RECOLOR):
        fields["mask_prompt"] = "the fox"
    elif task.value == "style-transfer" and "style_image" in REQUEST_FIELDS:
        fields["style_image"] = source  # the second image: the style to apply
    fields.update(change)
    try:
        return ImageRequest(**{k: v for k, v in fields.items() if v is not None})
    except ImageGenError:
        return None


def check(records: Iterable[ModelRecord], send: Send) -> Report:
    report = Report()
    for record in records:
        if record.family not in FAMILIES:
            continue
        builder = FAMILIES[record.family][0]
        for probe in edges(record):
            _probe(record, builder, probe, send, report)
    return report


def _probe(record: ModelRecord, builder: Any, probe: Edge, send: Send, report: Report) -> None:
    """The first of the record's tasks that takes the probed field is probed; a field no task takes is skipped."""
    for task in record.tasks:
        at = base_request(record, task, probe.change)
        if at is None:
            continue
        where = f"{record.id} {task.value} {probe.limit}"
        try:
            built = builder(record, at, random.Random(7))
        except ImageGenError as exc:
            if getattr(exc, "field", None) == probe.field and getattr(exc, "takes", None) is None:
                report.probed.append(where)
                report.disagreements.append(f"{where}: the builder refuses its own edge: {exc.message}")
                return
            continue  # this task does not take the field (or the plain request does not fit it)
        report.probed.append(where)
        refusal = send(record, built.body)
        if refusal is not None:
            report.disagreements.append(f"{where}: the builder accepts it, the emulator refuses: {refusal}")
            return
        past = base_request(record, task, probe.step)
        try:
            if past is None:
                raise ValueError("the request one step past cannot be made")  # a type check refuses it first
            builder(record, past, random.Random(7))
        except (ImageGenError, ValueError):
            pass  # refused, as it should be; is the emulator as strict?
        else:
            report.disagreements.append(f"{where}: the builder accepts one step past its edge ({probe.past})")
            return
        stepped, found = _swap(built.body, *probe.swap)
        if found != 1:
            report.unsent.append(f"{where}: the value at the edge is in the body {found} times, not once")
        elif send(record, stepped) is None:
            report.disagreements.append(
                f"{where}: the builder refuses one step past ({probe.past}), the emulator accepts it"
            )
        return


def _swap(body: Any, old: Any, new: Any) -> tuple[Any, int]:
    """`body` with every leaf equal to `old` (and of its type) replaced by `new`, and how many there were."""
    if isinstance(body, dict):
        pairs = [(k, _swap(v, old, new)) for k, v in body.items()]
        return {k: v for k, (v, _) in pairs}, sum(n for _, (_, n) in pairs)
    if isinstance(body, list):
        items = [_swap(v, old, new) for v in body]
        return [v for v, _ in items], sum(n for _, n in items)
    if type(body) is type(old) and (body == old or (isinstance(old, float) and math.isclose(body, old))):
        return new, 1
    return body, 0


def emulator_sender(client_for: Callable[[ModelRecord], Any]) -> Send:
    """Send a body to the emulator through boto3, as the product does; the refusal's code and message, or None."""

    clients: dict[str, Any] = {}  # one a model: a check sends hundreds of bodies

    def send(record: ModelRecord, body: dict[str, Any]) -> str | None:
        if record.id not in clients:
            clients[record.id] = client_for(record)
        client = clients[record.id]
        try:
            client.invoke_model(modelId=record.invoke_id(client.meta.region_name), body=json.dumps(body))
        except ClientError as exc:
            return f"{exc.response['Error']['Code']}: {exc.response['Error']['Message']}"
        return None

    return send
