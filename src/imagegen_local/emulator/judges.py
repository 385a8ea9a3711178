"""The emulator's own table of the judges it answers, keyed by exact model id: which legacy
InvokeModel body each one reads (Nova's messages-v1 or Anthropic's Messages API), its output
ceiling and its sampling rule, from the model cards. It is written apart from the catalog (nothing
here is imported from it), so that the judge options the product builds meet a second reading.

Inference profiles: Bedrock calls a cross-Region profile `<geography>.<model id>`. The one rule
the emulator applies to an id is to drop a first dot-separated segment that is exactly one of
PROFILE_PREFIXES; what is left must be a key of JUDGES as it stands. No part of an id is searched
for, so an id that is not in the table is refused as Bedrock refuses an unknown model."""

from __future__ import annotations

from dataclasses import dataclass

from .errors import invalid_model

PROFILE_PREFIXES = frozenset({"us", "eu", "jp", "apac", "au", "global"})


@dataclass(frozen=True)
class Judge:
    vendor: str  # "nova" or "anthropic": the legacy InvokeModel body the model reads
    max_output_tokens: int  # Converse inferenceConfig.maxTokens ceiling (model card)
    one_sampling_parameter: bool = False  # temperature and topP cannot both be set


JUDGES: dict[str, Judge] = {
    "amazon.nova-lite-v1:0": Judge("nova", 10_000),
    "amazon.nova-pro-v1:0": Judge("nova", 10_000),
    "amazon.nova-2-lite-v1:0": Judge("nova", 65_536),
    "anthropic.claude-haiku-4-5-20251001-v1:0": Judge("anthropic", 64_000, one_sampling_parameter=True),
    "anthropic.claude-sonnet-4-5-20250929-v1:0": Judge("anthropic", 64_000, one_sampling_parameter=True),
    "anthropic.claude-3-5-sonnet-20240620-v1:0": Judge("anthropic", 8_192),
}


def bare_id(model_id: str) -> str:
    """The model id inside an inference-profile id (`us.amazon.nova-lite-v1:0` gives
    `amazon.nova-lite-v1:0`); any other id as it is."""
    prefix, dot, rest = model_id.partition(".")
    return rest if dot and prefix in PROFILE_PREFIXES else model_id


def judge_for(model_id: str) -> Judge:
    """The judge with this exact id (bare or profile), or Bedrock's ValidationException for an
    unknown model identifier."""
    judge = JUDGES.get(bare_id(model_id))
    if judge is None:
        raise invalid_model()
    return judge
