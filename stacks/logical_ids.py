"""Logical ids that do not depend on how resources are grouped into constructs.

CloudFormation replaces a resource whose logical id changes, and CDK derives a logical id from the
construct path under the stack: a bucket inside an `ImageStore` construct would be named after it
(`ImageStoreImages...`, not `Images2D38C313`), and deploying that over a stack would replace the
bucket, its objects gone. A `Unit` is a construct that only groups: `UnitStack` leaves every Unit
out of the path it derives logical ids from, so a resource's id is the one it has directly in
the stack.

This reaches logical ids only. CDK also derives other things from a construct's path, such as
the ids of constructs it names after another's unique id, or a hash over a resource's template
with its `aws:cdk:path` metadata; a construct whose path matters that way keeps its path (the
REST API: see rest_api.ImageApi).
"""

from __future__ import annotations

import hashlib
import re

import aws_cdk as cdk
from constructs import Construct

# CDK's own naming scheme for a logical id (makeUniqueId in aws-cdk-lib core), which existing
# stacks depend on and CDK therefore never changes. tests/infra checks this copy against CDK's.
_HIDDEN = "Default"  # left out of the id altogether
_HIDDEN_FROM_HUMAN = "Resource"  # left out of the readable part, kept in the hash
_MAX_HUMAN = 240
_MAX_ID = 255


class Unit(Construct):
    """A construct that groups resources and is no part of their logical ids."""


class UnitStack(cdk.Stack):
    """A stack whose logical ids ignore the Units between it and each resource."""

    def _allocate_logical_id(self, cfn_element: cdk.CfnElement) -> str:
        # jsii exposes the protected Stack.allocateLogicalId as this underscored method. CDK calls
        # it each time it resolves an element's logical id (some 18 times an element), each call a
        # round trip from the jsii process, and every question to the element (its path, its
        # scopes' names) one more: so each element's id is worked out once, kept under the jsii
        # reference its proxy carries (a new proxy each call, the same reference; an element never
        # moves, and overrideLogicalId applies after this).
        ref: str = cfn_element.__jsii_ref__.ref  # type: ignore[attr-defined]  # jsii sets it on every proxy
        known: dict[str, str] = self.__dict__.setdefault("_ids_by_ref", {})
        if ref not in known:
            known[ref] = self._allocate_once(cfn_element)
        return known[ref]

    def _allocate_once(self, cfn_element: cdk.CfnElement) -> str:
        scopes = cfn_element.node.scopes
        below = scopes[scopes.index(self) + 1 :]
        if not any(isinstance(scope, Unit) for scope in below):
            return super()._allocate_logical_id(cfn_element)
        return unique_id([scope.node.id for scope in below if not isinstance(scope, Unit)])


def unique_id(components: list[str]) -> str:
    """The id CDK makes of path components: the readable path and a hash of the whole path."""
    components = [c for c in components if c != _HIDDEN]
    if not components:
        raise ValueError("no path components to make an id of")
    unresolved = [c for c in components if cdk.Token.is_unresolved(c)]
    if unresolved:
        raise ValueError(f"id components may not be tokens: {', '.join(unresolved)}")
    if len(components) == 1:
        alone = _alphanumeric(components[0])
        if len(alone) <= _MAX_ID:
            return alone
    digest = hashlib.md5("/".join(components).encode("utf-8"), usedforsecurity=False).hexdigest()
    human = "".join(_alphanumeric(c) for c in _without_repeats(components) if c != _HIDDEN_FROM_HUMAN)
    return human[:_MAX_HUMAN] + digest[:8].upper()


def _alphanumeric(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]", "", text)


def _without_repeats(components: list[str]) -> list[str]:
    """Drop a component that the one before it already ends with ("Api", "Api" reads "Api")."""
    kept: list[str] = []
    for component in components:
        if not kept or not kept[-1].endswith(component):
            kept.append(component)
    return kept
