"""What a cold start costs the first request: the generate function's runtime (its settings and
four boto3 clients) built while Lambda imports the handler module, in the init phase, against
building it inside the first request (the baseline: the lazy path a function takes when its
environment is incomplete at import, measured in the same run). Each sample is a fresh Python
process serving one POST /generate-image against the emulator and a local S3; the medians matter,
not the milliseconds (Lambda's init phase runs with a full CPU burst, which a laptop does not show).

    .venv/bin/python bench/cold_start.py [--runs 7]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

from imagegen.storage import make_s3_client

from imagegen_local import netguard
from imagegen_local.emulator.server import Emulator
from imagegen_local.s3local import LocalS3
from imagegen_local.world import environment

ROOT = Path(__file__).resolve().parents[1]
CREDENTIALS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")

# One cold container: import the handler module, then serve one request. `lazy` imports with the
# credentials out of the environment, so nothing is built at import, then serves through a runtime
# built on first use, as every function did before building at init.
SAMPLE = """
import json, os, sys, time
lazy = sys.argv[1] == "lazy"
kept = {name: os.environ.pop(name) for name in sys.argv[2:]} if lazy else {}
started = time.perf_counter()
from imagegen.handlers import generate
from imagegen.runtime import Runtime, cached
imported = time.perf_counter()
os.environ.update(kept)
handler = generate.make_handler(cached(Runtime.from_env)) if lazy else generate.handler
event = {
    "httpMethod": "POST", "resource": "/generate-image", "requestContext": {"requestId": "bench"},
    "body": json.dumps({"prompt": "a lighthouse on a cliff", "evaluate": False}),
}
answer = handler(event, None)
served = time.perf_counter()
assert answer["statusCode"] == 200, answer["body"]
print(json.dumps({"import": imported - started, "request": served - imported}))
"""


def sample(mode: str, env: dict[str, str]) -> dict[str, float]:
    paths = os.pathsep.join(str(ROOT / p) for p in ("lambda_src", "src"))
    done = subprocess.run(
        [sys.executable, "-c", SAMPLE, mode, *CREDENTIALS],
        env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": paths, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout.splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    netguard.loopback_only()
    with Emulator() as emulator, LocalS3() as s3:
        env = {**environment(emulator.url, s3.url), "AWS_LAMBDA_FUNCTION_NAME": "imagegen-generate"}
        os.environ.update(env)
        make_s3_client("us-west-2").create_bucket(
            Bucket=env["IMAGEGEN_BUCKET"], CreateBucketConfiguration={"LocationConstraint": "us-west-2"}
        )
        samples: dict[str, list[dict[str, float]]] = {"lazy": [], "init": []}
        for _ in range(args.runs):  # interleaved, so that a busy moment weighs on both alike
            for mode, kept in samples.items():
                kept.append(sample(mode, env))
    print(f"generate function, one cold start each, median of {args.runs} (ms)")
    print(f"  {'runtime built':<32} {'import (init)':>14} {'first request':>14} {'sum':>8}")
    medians = {}
    for mode, label in (("lazy", "in the first request (baseline)"), ("init", "at import (init phase)")):
        imported = statistics.median(s["import"] for s in samples[mode]) * 1000
        served = statistics.median(s["request"] for s in samples[mode]) * 1000
        medians[mode] = served
        print(f"  {label:<32} {imported:14.1f} {served:14.1f} {imported + served:8.1f}")
    print(f"  first request, ratio            {medians['init'] / medians['lazy']:29.3f}")


if __name__ == "__main__":
    main()
