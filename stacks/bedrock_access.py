"""Least-privilege `bedrock:InvokeModel` resources, derived from the registry: the exact id each
configured model is called by from the stack's region."""

from __future__ import annotations

from imagegen.errors import ImageGenError
from imagegen.models.registry import resolve


def invoke_resources(model_id: str, *, region: str, account: str, partition: str = "aws") -> list[str]:
    """The ARNs one configured model needs.

    A bare id that runs on demand in the region: its foundation-model ARN there. A model reached
    through an inference profile: the profile's ARN, plus the model's foundation-model ARN in
    any region, because Bedrock routes a profile's calls to regions of its choosing (a global
    profile's model ARN also has no region at all). Either way only this model is granted.
    """
    resolved = resolve(model_id)
    record = resolved.record
    try:
        call_id = resolved.call_id(region)
    except ImageGenError:  # not offered here: synth has warned; grant what the id would reach
        call_id = resolved.requested_id
    if call_id == record.id:
        return [f"arn:{partition}:bedrock:{region}::foundation-model/{record.id}"]
    prefix = call_id.split(".", 1)[0]
    resources = [
        f"arn:{partition}:bedrock:{region}:{account}:inference-profile/{call_id}",
        f"arn:{partition}:bedrock:*::foundation-model/{record.id}",
    ]
    if prefix == "global":
        resources.append(f"arn:{partition}:bedrock:::foundation-model/{record.id}")
    return resources
