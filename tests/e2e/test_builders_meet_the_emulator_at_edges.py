"""The builders meet the emulator at every edge the catalog gives them (limit_edges.check): at each
limit of each image model, the request at the builder's edge is one the emulator takes, and one
step past it is refused by both. test_a_builder_limit_off_the_docs shows this check failing when a
catalog limit is moved off the emulator's reading of the docs."""

import boto3
import pytest
from imagegen.models.registry import all_models

from tests.e2e import limit_edges

IMAGE_MODELS = [m for m in all_models() if m.family != "converse-judge"]


def client_for(record):
    region = "us-east-1" if record.family in ("titan-image", "nova-canvas") else "us-west-2"
    return boto3.client("bedrock-runtime", region_name=region)


@pytest.mark.parametrize("model_id", [m.id for m in IMAGE_MODELS])
def test_the_builders_meet_the_emulator_at_every_edge_the_catalog_gives_them(emulator, local_env, model_id):
    emulator.configure(serve_retired=True)
    report = limit_edges.check([m for m in IMAGE_MODELS if m.id == model_id], limit_edges.emulator_sender(client_for))
    assert report.disagreements == []
    assert report.probed, f"no limit of {model_id} could be probed"
