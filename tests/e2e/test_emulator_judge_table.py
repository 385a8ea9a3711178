"""The emulator's judges come from its own table keyed by exact model id (judges.py): every
catalog judge has an entry, a profile id reaches it by the one documented rule (a leading
geography segment is dropped), and any other id is refused as Bedrock refuses an unknown model."""

import pytest
from botocore.exceptions import ClientError
from imagegen.models.registry import all_models

from imagegen_local.emulator import judges, judging
from imagegen_local.emulator.errors import BedrockError
from tests.e2e.test_emulator_reads_the_corrected_docs import EMULATOR, id_substring_tests

CATALOG_JUDGES = [m for m in all_models() if m.family == "converse-judge"]
HELLO = {"messages": [{"role": "user", "content": [{"text": "hello"}]}]}


def test_every_catalog_judge_and_each_of_its_profile_ids_has_an_entry_in_the_emulators_table():
    missing = [m.id for m in CATALOG_JUDGES if m.id not in judges.JUDGES]
    assert missing == []
    for record in CATALOG_JUDGES:
        for profile_id in record.profile_ids():
            assert judges.judge_for(profile_id) is judges.JUDGES[record.id], profile_id


def test_the_table_is_written_apart_from_the_catalog():
    source = (EMULATOR / "judges.py").read_text()
    assert "catalog" not in source.split('"""', 2)[2]  # the docstring may name it; the code does not read it
    assert "imagegen.models" not in source and "registry" not in source


@pytest.mark.parametrize(
    "model_id",
    [
        "anthropic.claude-sonnet-4-5",  # a prefix of a real id
        "anthropic.claude-sonnet-4-5-20250929-v2:0",  # a real id's family, another version
        "us.anthropic.claude-haiku-4-5-20251001-v1:0-preview",  # a real profile id with a tail
        "xx.amazon.nova-lite-v1:0",  # an unknown geography
        "us.us.amazon.nova-lite-v1:0",  # only one geography is dropped
        "amazon.nova-2-omni-v1:0",  # a Nova 2 model the emulator has no reading of
    ],
)
def test_an_id_not_in_the_table_is_refused_as_bedrock_refuses_an_unknown_model(model_id):
    for call in (judging.converse_request, judging.legacy_request):
        with pytest.raises(BedrockError) as caught:
            call(model_id, HELLO)
        assert (caught.value.code, caught.value.status) == ("ValidationException", 400)
        assert caught.value.message == "The provided model identifier is invalid."


def test_a_catalog_judge_the_table_lacks_is_refused_over_the_wire(bedrock, monkeypatch):
    monkeypatch.delitem(judges.JUDGES, "amazon.nova-pro-v1:0")
    with pytest.raises(ClientError) as caught:
        bedrock.converse(modelId="us.amazon.nova-pro-v1:0", **HELLO)
    error = caught.value.response["Error"]
    assert (error["Code"], error["Message"]) == ("ValidationException", "The provided model identifier is invalid.")


def test_each_judges_ceiling_and_sampling_rule_come_from_its_entry():
    assert judging.max_output_tokens("us.amazon.nova-2-lite-v1:0") == 65_536
    assert judging.max_output_tokens("amazon.nova-lite-v1:0") == 10_000
    assert judging.max_output_tokens("anthropic.claude-3-5-sonnet-20240620-v1:0") == 8_192
    both = {**HELLO, "inferenceConfig": {"temperature": 0.2, "topP": 0.9}}
    judging.converse_request("global.amazon.nova-2-lite-v1:0", both)  # Nova takes both
    with pytest.raises(BedrockError, match="cannot both be specified"):
        judging.converse_request("jp.anthropic.claude-haiku-4-5-20251001-v1:0", both)


def test_no_judge_behaviour_is_chosen_by_a_substring_or_prefix_of_the_model_id():
    modules = [EMULATOR / name for name in ("judging.py", "judges.py")]
    assert [where for path in modules for where in id_substring_tests(path)] == []
