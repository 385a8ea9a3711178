"""The tasks the project can do, in its own words."""

from __future__ import annotations

from enum import StrEnum


class Task(StrEnum):
    GENERATE = "generate"
    VARIATION = "variation"
    INPAINT = "inpaint"
    OUTPAINT = "outpaint"
    REMOVE_BACKGROUND = "remove-background"
    REPLACE = "replace"
    RECOLOR = "recolor"
    ERASE = "erase"
    UPSCALE = "upscale"
    CONTROL_SKETCH = "control-sketch"
    CONTROL_STRUCTURE = "control-structure"
    STYLE_GUIDE = "style-guide"
    STYLE_TRANSFER = "style-transfer"
    JUDGE = "judge"


MODIFY_TASKS = tuple(t for t in Task if t not in (Task.GENERATE, Task.JUDGE))
"""The modes of POST /modify-image: every task that starts from an image."""
