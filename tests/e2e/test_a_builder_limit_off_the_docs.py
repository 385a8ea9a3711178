"""A builder limit that disagrees with the emulator's table fails the suite: the check the suite
runs at every catalog edge (limit_edges.check, run by test_builders_meet_the_emulator_at_edges), given a
copy of the catalog with one limit moved off the docs and read through the registry, reports it."""

import json

import pytest
from imagegen.models import registry

from tests.e2e import limit_edges
from tests.e2e.test_builders_meet_the_emulator_at_edges import client_for

FAST = "stability.stable-fast-upscale-v1:0"
CANVAS = "amazon.nova-canvas-v1:0"
TITAN = "amazon.titan-image-generator-v2:0"
TRANSFER = "stability.stable-style-transfer-v1:0"


def records_with(tmp_path, monkeypatch, model_id, change):
    """The record of `model_id` from a copy of catalog.json that `change(catalog)` edited, read by
    the registry itself; the registry reads the real catalog again afterwards."""
    catalog = json.loads(registry.CATALOG_PATH.read_text(encoding="utf-8"))
    change(catalog)
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(catalog), encoding="utf-8")
    try:
        with monkeypatch.context() as patched:
            patched.setattr(registry, "CATALOG_PATH", path)
            registry._catalog.cache_clear()
            return [registry.get(model_id)]
    finally:
        registry._catalog.cache_clear()


def entry(catalog, model_id):
    return next(m for m in catalog["models"] if m["id"] == model_id)


def run(emulator, records):
    emulator.configure(serve_retired=True)
    return limit_edges.check(records, limit_edges.emulator_sender(client_for))


def raise_fast_max_side(catalog):
    entry(catalog, FAST)["limits"]["input_image"]["max_side"] = 1537


def raise_canvas_seed(catalog):
    catalog["families"]["nova-canvas"]["limits"]["seed"] = [0, 2147483647]


def fast_min_side_64(catalog):  # issue 13's defect: the builder refused the 32 px sides the docs allow
    entry(catalog, FAST)["limits"]["input_image"]["min_side"] = 64


def narrow_titan_similarity(catalog):
    catalog["families"]["titan-image"]["limits"]["similarity_strength"] = [0.3, 1.0]


def widen_change_strength(catalog):  # the reference: 0.1 to 1
    catalog["families"]["stability-image-services"]["limits"]["change_strength"] = [0.0, 1.0]


@pytest.mark.parametrize(
    ("model_id", "change", "expected"),
    [
        (
            FAST,
            raise_fast_max_side,
            "upscale input_image.max_side 1537 (1537x320): the builder accepts it, the emulator refuses: "
            "ValidationException: image dimensions 1537x320 are too large: at most 1536 pixels a side",
        ),
        (
            CANVAS,
            raise_canvas_seed,
            "generate seed <= 2147483647: the builder accepts it, the emulator refuses: ValidationException: Malformed "
            "input request: #/imageGenerationConfig/seed: 2147483647 is not less or equal to 2147483646",
        ),
        (
            FAST,
            fast_min_side_64,
            "upscale input_image.min_side 64 (64x64): the builder refuses one step past (63x64), the emulator accepts it",
        ),
        (
            TITAN,
            narrow_titan_similarity,
            "variation similarity_strength >= 0.3: the builder refuses one step past (strength=0.8), "
            "the emulator accepts it",
        ),
        (
            TRANSFER,
            widen_change_strength,
            "style-transfer change_strength >= 0.0: the builder accepts it, the emulator refuses: ValidationException: "
            "Malformed input request: #/change_strength: 0.0 is not greater or equal to 0.1",
        ),
    ],
    ids=[
        "fast-max-side-raised",
        "canvas-seed-raised",
        "fast-min-side-64",
        "titan-similarity-narrowed",
        "style-transfer-change-strength-widened",
    ],
)
def test_a_catalog_limit_moved_off_the_docs_is_reported_as_a_disagreement(
    emulator, local_env, tmp_path, monkeypatch, model_id, change, expected
):
    report = run(emulator, records_with(tmp_path, monkeypatch, model_id, change))
    found = [d for d in report.disagreements if expected in d]
    assert found and all(d.startswith(model_id) for d in report.disagreements), report.disagreements
    assert registry.get(model_id) != records_with(tmp_path, monkeypatch, model_id, change)[0]  # the real one is back


@pytest.mark.parametrize("model_id", [FAST, CANVAS, TITAN, TRANSFER])
def test_the_same_check_finds_nothing_in_the_catalog_as_it_is(emulator, local_env, model_id):
    report = run(emulator, [registry.get(model_id)])
    assert report.probed and report.disagreements == []
