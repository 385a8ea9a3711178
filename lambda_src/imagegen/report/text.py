"""How the report writes a value: a dash where there is none."""

from __future__ import annotations

import json
from typing import Any

NONE = "\u2014"  # an em dash where there is no value


def number(value: Any, digits: int = 2) -> str:
    return NONE if value is None else f"{value:.{digits}f}"


def money(value: Any) -> str:
    return NONE if value is None else f"${value:.4f}"


def percent(value: Any) -> str:
    return NONE if value is None else f"{value * 100:.0f} %"


def ms(value: Any) -> str:
    return NONE if value is None else f"{value:.0f} ms"


def options_text(options: Any) -> str:
    return json.dumps(options, sort_keys=True, ensure_ascii=False) if options else ""


def plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
