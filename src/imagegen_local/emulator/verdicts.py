"""The emulator's verdicts: deterministic, marked as emulated in every field a person reads as the
judge's opinion, and shaped by the fields the request's tool schema asks for.

A schema that asks for "score" (the first version) gets one overall score from a hash of the
prompt and the image. Any other schema, and a text answer without a tool, gets the second
version, which responds to the prompt's content by this rule:

- The prompt is the first JSON-quoted string in the instructions (else their first 200 chars).
- Elements: the prompt split at commas, semicolons and the words " and " / " with "
  (case-insensitive); each part stripped, a leading "clearly showing " removed, empty parts
  dropped (a prompt with none left is one element, itself). Elements are compared lowercased;
  the checklist has one item per distinct element, in first-seen order, in its first wording.
- An element mentioned two or more times is present ("emulated: mentioned twice"). Otherwise
  sha256(model id + lowercased element)[0] % 4 decides: 0 or 1 present, 2 partial, 3 absent.
- prompt_adherence = max(1, round(10 * (present + 0.5 * partial) / elements)), Python's round
  (halves to even); with d = sha256(model id + image bytes): visual_quality = 5 + d[0] % 5;
  when the schema asks for edit_success (an edit): edit_success = 7 + d[1] % 3 and
  preservation = 7 + d[2] % 3. Each reason starts "Emulated:".
- revised_prompt: the prompt with ", clearly showing <element>" appended for each partial or
  absent element; with none, ", sharp focus, balanced composition" appended, unless the
  prompt already holds "sharp focus". Judging the revised prompt again finds every element
  present (each is mentioned twice).
- suggestions name the partial and absent elements, or say that nothing is missing.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from .rules import sniff

SPLIT = re.compile(r",|;| and | with ", re.IGNORECASE)
LEAD = re.compile(r"^clearly showing ", re.IGNORECASE)
STATUS_BY_HASH = ("present", "present", "partial", "absent")
REVISED_CHARS = 1000


def answer(model: str, prompt_text: str, images: list[bytes], fields: dict[str, Any] | None) -> dict[str, Any]:
    """The verdict a judge gives for a tool schema's `properties` (None: no tool, the second version)."""
    fields = fields or {}
    if "score" in fields:
        return first_version(model, prompt_text, images)
    sub_scores = fields.get("sub_scores")
    edit = isinstance(sub_scores, dict) and "edit_success" in (sub_scores.get("properties") or {})
    return second_version(model, prompt_text, images, edit=edit)


def quoted_prompt(prompt_text: str) -> str:
    quoted = re.search(r'"((?:[^"\\]|\\.)*)"', prompt_text)
    return str(json.loads(f'"{quoted.group(1)}"')) if quoted else prompt_text[:200]


def first_version(model: str, prompt_text: str, images: list[bytes]) -> dict[str, Any]:
    """One overall score from a hash of the prompt and the image. The revised prompt stays a plain
    prompt, since it is meant to be sent back to a generator as is (whose image is stamped EMULATED)."""
    digest = hashlib.sha256(model.encode() + prompt_text.encode() + b"".join(images)).digest()
    prompt = quoted_prompt(prompt_text)
    return {
        "description": _description(model, prompt, images),
        "score": 4 + digest[0] % 6,
        "reason": "Emulated verdict: derived from a hash of the prompt and image, not from looking.",
        "suggestions": "Emulated suggestion, the same for every image: add lighting, composition and style details.",
        "revised_prompt": f"{prompt}, detailed, soft natural light, balanced composition"[:REVISED_CHARS],
    }


def second_version(model: str, prompt_text: str, images: list[bytes], *, edit: bool) -> dict[str, Any]:
    """Sub-scores and a checklist by the module's rule."""
    prompt = quoted_prompt(prompt_text)
    checklist = [_check(model, element, count) for element, count in elements(prompt)]
    present = sum(item["status"] == "present" for item in checklist)
    partial = sum(item["status"] == "partial" for item in checklist)
    missing = [item["element"] for item in checklist if item["status"] != "present"]
    adherence = max(1, round(10 * (present + 0.5 * partial) / len(checklist)))
    digest = hashlib.sha256(model.encode() + b"".join(images)).digest()
    sub_scores = {
        "prompt_adherence": {
            "score": adherence,
            "reason": f"Emulated: {present} of {len(checklist)} elements present, {partial} partial.",
        },
        "visual_quality": {"score": 5 + digest[0] % 5, "reason": "Emulated: from a hash of the image bytes."},
    }
    if edit:
        sub_scores["edit_success"] = {"score": 7 + digest[1] % 3, "reason": "Emulated: from a hash of the image."}
        sub_scores["preservation"] = {"score": 7 + digest[2] % 3, "reason": "Emulated: from a hash of the image."}
    if missing:
        revised = prompt + "".join(f", clearly showing {element}" for element in missing)
        suggestions = f"Emulated suggestion: show {', '.join(missing)} clearly."
    else:
        revised = prompt if "sharp focus" in prompt.lower() else f"{prompt}, sharp focus, balanced composition"
        suggestions = "Emulated suggestion: every element is shown; refine lighting and composition."
    return {
        "description": _description(model, prompt, images),
        "sub_scores": sub_scores,
        "checklist": checklist,
        "reason": "Emulated verdict: from the prompt's wording and hashes, not from looking.",
        "suggestions": suggestions,
        "revised_prompt": revised[:REVISED_CHARS],
    }


def elements(prompt: str) -> list[tuple[str, int]]:
    """The prompt's distinct elements in first-seen order, each with how often it is mentioned."""
    parts = [LEAD.sub("", part.strip()).strip() for part in SPLIT.split(prompt)]
    parts = [part for part in parts if part] or [prompt.strip() or prompt]
    counts: dict[str, int] = {}
    first: dict[str, str] = {}
    for part in parts:
        key = part.lower()
        counts[key] = counts.get(key, 0) + 1
        first.setdefault(key, part)
    return [(first[key], counts[key]) for key in counts]


def _check(model: str, element: str, mentions: int) -> dict[str, str]:
    if mentions >= 2:
        return {"element": element, "status": "present", "note": "emulated: mentioned twice"}
    status = STATUS_BY_HASH[hashlib.sha256((model + element.lower()).encode()).digest()[0] % 4]
    return {"element": element, "status": status, "note": "emulated: from a hash of the element, not from looking"}


def _description(model: str, prompt: str, images: list[bytes]) -> str:
    size = ""
    if images:
        fmt, width, height = sniff(images[0])
        size = f" a {width}x{height} {fmt} image"
    return f"[emulated by {model}]{size} stamped EMULATED, standing in for: {prompt[:120]}"
