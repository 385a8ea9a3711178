"""What a model takes for a task, asked of its own request builder (nothing is called): the
request fields it accepts, and those it cannot do without. GET /models reports them, so that a
page asks for exactly these."""

from __future__ import annotations

from functools import cache
from typing import Any, NamedTuple

from .. import png
from ..errors import ImageGenError, InvalidParameter
from .images import build_request
from .request import ImageRequest, Margins
from .tasks import Task

_SOURCE = png.solid(64, 64, (90, 120, 200))
_WHITE = png.solid(64, 64, (255, 255, 255))
# A value each field could take, to find what a builder asks for next; a field whose probe a
# builder refuses is still reported as required (it names the field).
_PROBES: dict[str, Any] = {
    "prompt": "a fox",
    "mask_prompt": "the fox",
    "mask_image": _WHITE,
    "style_image": _SOURCE,
    "margins": Margins(left=64),
    "width": 1024,
    "height": 1024,
}
_NOBODY_TAKES = {Task.GENERATE: {"margins": Margins(left=8)}}  # else colors: generation's only


class Takes(NamedTuple):
    fields: tuple[str, ...]  # ImageRequest fields ("images" is the source)
    required: tuple[str, ...]


@cache
def takes(model: str, task: Task) -> Takes:
    """A request with a field no builder takes for the task names, in its refusal, the fields
    this one does. Then, from a request with only the source, each refusal of a missing field is
    a required one, given a probe value, until the builder has nothing more to ask."""
    task = Task(task)
    sources: tuple[bytes, ...] = () if task is Task.GENERATE else (_SOURCE,)
    odd = _NOBODY_TAKES.get(task, {"colors": ("#000000",)})
    try:
        build_request(model, ImageRequest(task=task, images=sources, **odd), allow_retired=True)
        accepted: tuple[str, ...] = ()
    except InvalidParameter as exc:
        accepted = exc.takes or ()
    except ImageGenError:
        accepted = ()
    given: dict[str, Any] = {}
    required: list[str] = []
    for _ in range(len(_PROBES)):
        try:
            build_request(model, ImageRequest(task=task, images=sources, **given), allow_retired=True)
            break
        except InvalidParameter as exc:
            if exc.field not in _PROBES or exc.field in given or not exc.rule.startswith("required"):
                break
            required.append(exc.field)
            given[exc.field] = _PROBES[exc.field]
        except ImageGenError:
            break
    return Takes(tuple(accepted), tuple(required))
