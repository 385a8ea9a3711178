"""How much `imagegen batch --concurrency` buys against a slow Bedrock.

32 prompts, the emulator answering every model call after 1 s (so each prompt costs about 2 s:
generate, then judge). The sequential run is the baseline, measured in the same process; the
ratio is what matters, not the seconds.

    make bench            # or: .venv/bin/python bench/batch_concurrency.py [--prompts 32] [--latency 1]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import tempfile
import time
from pathlib import Path

from imagegen.storage import make_s3_client

from imagegen_local import cli, netguard
from imagegen_local.demo import environment
from imagegen_local.emulator.server import Emulator, Faults
from imagegen_local.s3local import LocalS3


def run_batch(prompts: Path, workdir: Path, concurrency: int) -> float:
    report = workdir / f"report-{concurrency}.json"
    started = time.perf_counter()
    code = cli.main(
        [
            "batch",
            str(prompts),
            "--concurrency",
            str(concurrency),
            "--report",
            str(report),
            "--output-dir",
            str(workdir / f"images-{concurrency}"),
        ],
        out=io.StringIO(),
        err=io.StringIO(),
    )
    seconds = time.perf_counter() - started
    result = json.loads(report.read_text())
    if code != 0 or result["failed"]:
        raise SystemExit(f"batch at concurrency {concurrency} failed: exit {code}, {result['failed']} failed")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prompts", type=int, default=32)
    parser.add_argument("--latency", type=float, default=1.0)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    netguard.loopback_only()
    with (
        Emulator(Faults(latency_seconds=args.latency)) as emulator,
        LocalS3() as s3,
        tempfile.TemporaryDirectory() as tmp,
    ):
        os.environ.update(environment(emulator.url, s3.url))
        make_s3_client("us-west-2").create_bucket(
            Bucket=os.environ["IMAGEGEN_BUCKET"], CreateBucketConfiguration={"LocationConstraint": "us-west-2"}
        )
        workdir = Path(tmp)
        prompts = workdir / "prompts.txt"
        prompts.write_text("\n".join(f"a lighthouse on a cliff, study {i}" for i in range(args.prompts)))
        sequential = run_batch(prompts, workdir, 1)
        concurrent = run_batch(prompts, workdir, args.concurrency)
    ideal = 1 / args.concurrency
    print(f"{args.prompts} prompts, {args.latency:g} s per Bedrock call (generate + judge per prompt)")
    print(f"  concurrency 1 (baseline)   {sequential:6.2f} s")
    print(f"  concurrency {args.concurrency:<2}             {concurrent:6.2f} s")
    print(
        f"  ratio                      {concurrent / sequential:6.3f}  (ideal {ideal:.3f}; the goal: well under 0.25)"
    )


if __name__ == "__main__":
    main()
