"""How long a synthesis of the app takes with UnitStack's logical ids worked out once an element,
against working each one out on every call CDK makes (the baseline), in the same process.

CDK resolves an element's logical id many times during one synthesis, each time calling
UnitStack's override from the jsii process; the baseline answers each call from the element's
scopes again. Both synthesize the default configuration with the AwsSolutions checks, after one
synthesis that warms the jsii process (the first in a process loads most of aws-cdk-lib).

    .venv/bin/python bench/synth_ids.py [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "1")

from app import build_app  # noqa: E402
from stacks.logical_ids import UnitStack  # noqa: E402


def synth_seconds() -> float:
    with tempfile.TemporaryDirectory() as outdir:
        started = time.perf_counter()
        build_app({}, outdir=outdir).synth()
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    synth_seconds()  # warm-up
    once = min(synth_seconds() for _ in range(runs))
    cached = UnitStack._allocate_logical_id
    UnitStack._allocate_logical_id = UnitStack._allocate_once  # type: ignore[method-assign]
    try:
        every_call = min(synth_seconds() for _ in range(runs))
    finally:
        UnitStack._allocate_logical_id = cached  # type: ignore[method-assign]
    print(f"synthesis, best of {runs}: ids once an element {once:.2f} s, on every call (baseline) {every_call:.2f} s")
    print(f"ratio {once / every_call:.2f} (lower is better)")


if __name__ == "__main__":
    main()
