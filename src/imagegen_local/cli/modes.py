"""What a modify mode takes with a given model, asked of that model's own request builder: a
prompt, words for the mask (mask_prompt), a mask image (mask_image), margins. `imagegen
interactive` asks for these; `imagegen modify --help` says them for each model set."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from imagegen import png
from imagegen.config import model_sets
from imagegen.errors import ImageGenError, InvalidParameter
from imagegen.models.images import build_request
from imagegen.models.request import ImageRequest, Margins
from imagegen.models.tasks import MODIFY_TASKS, Task

PROBED = ("prompt", "mask_prompt", "mask_image", "margins")
_SOURCE = png.solid(64, 64, (90, 120, 200))
_PROBES = {
    "prompt": "a fox",
    "mask_prompt": "the fox",
    "mask_image": png.solid(64, 64, (255, 255, 255)),
    "margins": Margins(left=64),
}


@dataclass(frozen=True)
class Takes:
    model: str
    task: Task
    prompt: bool
    mask_prompt: bool  # words for the area
    mask_image: bool
    margins: bool

    @property
    def mask(self) -> bool:
        return self.mask_prompt or self.mask_image

    def asks(self) -> str:
        """What a person gives for this mode, in a few words."""
        mask = {
            (True, True): "words or a mask image",
            (True, False): "words for the mask",
            (False, True): "a mask image",
        }
        parts = ["a prompt"] if self.prompt else []
        parts += [mask[self.mask_prompt, self.mask_image]] if self.mask else []
        parts += ["margins"] if self.margins else []
        return ", ".join(parts) or "nothing more"


@cache
def takes(model: str, task: Task) -> Takes:
    """Each probed field set alone, with a value the model would take, on a request its builder
    checks (locally: nothing is called). A builder refuses a field it does not take by naming
    it; a field it takes passes, or the builder stops at another (a missing prompt, say)."""

    def taken(name: str) -> bool:
        request = ImageRequest(task=task, images=(_SOURCE,), **{name: _PROBES[name]})  # type: ignore[arg-type]
        try:
            build_request(model, request, allow_retired=True)
        except InvalidParameter as exc:
            return exc.field != name
        except ImageGenError:
            return True
        return True

    return Takes(model, Task(task), *(taken(name) for name in PROBED))


def masks_epilog() -> str:
    """For each model set, which modes take which mask (and outpaint's margins), from its models."""
    sets = []
    for name, models in model_sets().items():
        groups: dict[str, list[str]] = {}
        for task in MODIFY_TASKS:
            model = models["modify"].get(task.value)
            if model:
                wants = _options(takes(model, task))
                if wants:
                    groups.setdefault(wants, []).append(task.value)
        sets.append(f"{name}: " + "; ".join(f"{', '.join(modes)}: {wants}" for wants, modes in groups.items()))
    return (
        "A mask is white where the image should change. What each mode takes, with the models of each "
        "model set: " + ". ".join(sets) + "."
    )


def _options(taken: Takes) -> str:
    words, image = "words (--mask-prompt)", "a mask image (--mask or --mask-rect)"
    parts = {(True, True): f"{words} or {image}", (True, False): words, (False, True): image}.get(
        (taken.mask_prompt, taken.mask_image), ""
    )
    return parts or ("--margins" if taken.margins else "")
