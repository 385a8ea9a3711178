"""The emulator's own table of the models it answers, keyed by exact model id: which reading of
the documentation (amazon_rules, stability_rules) each one gets, with its limits. It is written
apart from the catalog, so that a limit the builders take from the catalog meets a second reading
here; a model missing from this table is one the emulator does not answer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .amazon_rules import CANVAS, TITAN_V1, TITAN_V2, Envelope, task_envelope
from .stability_rules import SERVICES, Service, TextToImage, stability_service, stability_text_to_image

Validator = Callable[[dict[str, Any]], dict[str, Any]]

MODELS: dict[str, Envelope | TextToImage | Service] = {
    "amazon.titan-image-generator-v1": TITAN_V1,
    "amazon.titan-image-generator-v2:0": TITAN_V2,
    "amazon.nova-canvas-v1:0": CANVAS,
    "stability.sd3-5-large-v1:0": TextToImage(("png", "jpeg", "webp"), image_to_image="mode"),
    "stability.stable-image-core-v1:1": TextToImage(("png", "jpeg"), image_to_image=None),
    "stability.stable-image-ultra-v1:1": TextToImage(("png", "jpeg"), image_to_image="implicit"),
    **SERVICES,
}


def validator_for(model_id: str) -> Validator | None:
    """The validator of the image model with this exact (bare) id, or None for one not in the table."""
    shape = MODELS.get(model_id)
    if isinstance(shape, Envelope):
        return task_envelope(shape)
    if isinstance(shape, TextToImage):
        return stability_text_to_image(shape)
    if isinstance(shape, Service):
        return stability_service(model_id, shape)
    return None
