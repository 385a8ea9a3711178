"""How long the PNG transparency scan takes on large sources, against Pillow's decoder, and
whether the modify handler takes those sources within the API's time.

For 2048 and 3072 px RGBA PNGs with every row filtered by one filter type (None, Sub, Up,
Average, Paeth) and one transparent pixel, the last (the worst case: every row is read):

- the judge's shrinker (`imagegen.downscale.shrink`) on a 9000 px wide PNG of noise, to
  Converse's limits, against Pillow's plain decode of it;

- the scan (`imagegen.png.has_transparency`) and Pillow (decode, then the alpha channel's
  extrema), best of a few runs each, and their ratio (the goal: at most 1.5);
- the modify handler (`POST /modify-image`, mode erase: the source's transparent pixels are
  the area, so the source is scanned) against the Bedrock emulator (in a process of its own, as
  Bedrock is: its work on a source takes no time from the handler) and a local S3, with the
  real clock and the API's deadline, a few runs per source: how many answered 200, and how
  many were refused for time before the model call (503 no_time_left; the goal: none). The
  emulator's own work on the source counts as the model call's time, as Bedrock's would.
- the scan of 8-bit palette and RGB colour-key sources (transparency from a tRNS chunk, every
  row filtered by one type), which Pillow decodes (imagegen.png_keyed), against Pillow's decode.

    .venv/bin/python -m bench.png_scan [--runs 3] [--requests 3] [--sides 2048 3072]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from imagegen import png
from imagegen.handlers import generate, modify
from imagegen.runtime import Runtime
from imagegen.storage import make_s3_client, meta_key

from imagegen_local import netguard
from imagegen_local.s3local import LocalS3
from imagegen_local.world import environment
from tests.fakes import LambdaContext, api_event
from tests.imagefactory import filtered_keyed_png, filtered_rgba_png

FILTERS = ("None", "Sub", "Up", "Average", "Paeth")
BEDROCK_ENDPOINT = "AWS_ENDPOINT_URL_BEDROCK_RUNTIME"
RATIO_GOAL = 1.5


def pillow_scan() -> Callable[[bytes], bool] | None:
    """Pillow's answer to the same question, or None where Pillow is not installed."""
    try:
        from PIL import Image
    except ImportError:
        return None

    def scan(data: bytes) -> bool:
        return Image.open(io.BytesIO(data)).getchannel("A").getextrema()[0] < 255

    return scan


def shrink_line(runs: int) -> str:
    """The shrinker's time on a 9000x1000 PNG of noise (its bytes as large as its pixels), as a
    ratio to Pillow's decode of it."""
    from imagegen.downscale import shrink
    from PIL import Image

    width, height = 9000, 1000
    out = io.BytesIO()
    Image.frombytes("RGB", (width, height), random.Random(1).randbytes(width * height * 3)).save(out, format="PNG")
    data = out.getvalue()
    decode_s = min(timed(lambda: Image.open(io.BytesIO(data)).load()) for _ in range(runs))
    shrink_s = min(timed(lambda: shrink(data, 3_750_000, 8000)) for _ in range(runs))
    return (
        f"shrink {width}x{height} ({len(data) / 1e6:.1f} MB) to 3.75 MB and 8000 px: {shrink_s:.3f} s,"
        f" {shrink_s / decode_s:.2f} times Pillow's decode ({decode_s:.3f} s)"
    )


def timed(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def keyed_lines(runs: int, sides: list[int]) -> list[str]:
    """The scan of sources whose transparency is a tRNS chunk (8-bit palette and RGB colour key,
    every row filtered by one type) against Pillow's decode of them; the answers must agree."""
    from PIL import Image

    lines = []
    for side in sides:
        for palette in (True, False):
            for kind, name in enumerate(FILTERS):
                data = filtered_keyed_png(side, side, kind, palette=palette, seed=kind)
                rgba = Image.open(io.BytesIO(data)).convert("RGBA")
                if png.has_transparency(data) is not (rgba.getchannel("A").getextrema()[0] < 255):
                    raise SystemExit(f"the scan and Pillow disagree on a {side} px {name} source")
                ours = min(timed(lambda data=data: png.has_transparency(data)) for _ in range(runs))
                theirs = min(timed(lambda data=data: Image.open(io.BytesIO(data)).load()) for _ in range(runs))
                lines.append(
                    f"{side}x{side} {'palette' if palette else 'RGB key'}  {name:<8} {ours:7.3f}  {theirs:8.3f}"
                    f"  {ours / theirs:7.2f}"
                )
    return lines


def best_of(runs: int, scan: Callable[[bytes], bool], data: bytes) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        if not scan(data):
            raise SystemExit("a scan missed the transparent pixel")
        times.append(time.perf_counter() - started)
    return min(times)


@contextmanager
def emulator_process() -> Iterator[str]:
    """The emulator's URL, the emulator running in a process of its own."""
    command = [sys.executable, "-c", "from imagegen_local.emulator.server import main; main()"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as process:
        try:
            assert process.stdout is not None
            yield process.stdout.readline().split(" on ", 1)[1].strip()  # "Bedrock runtime emulator on <url>"
        finally:
            process.terminate()


class Api:
    """The generate and modify handlers as Lambda runs them, on a fresh context per request
    (API Gateway's request time is the moment the event is made)."""

    def __init__(self) -> None:
        runtime = Runtime.from_env(log_stream=io.StringIO())
        self.generate = generate.make_handler(lambda: runtime)
        self.modify = modify.make_handler(lambda: runtime)

    @staticmethod
    def call(handler: Callable[[object, object], dict], resource: str, body: dict) -> tuple[int, dict]:
        answer = handler(api_event("POST", resource, body), LambdaContext(remaining_ms=29_000))
        return answer["statusCode"], json.loads(answer["body"])


def stored_source(api: Api, s3, bucket: str, data: bytes) -> str:
    """An image id whose stored original is `data`: a generated image, its PNG replaced."""
    status, body = api.call(api.generate, "/generate-image", {"prompt": "a lighthouse on a cliff"})
    if status != 200:
        raise SystemExit(f"generate answered {status}: {body}")
    meta = json.loads(s3.get_object(Bucket=bucket, Key=meta_key(body["image_id"]))["Body"].read())
    key = meta["image"]["key"]
    s3.put_object(Bucket=bucket, Key=key, Body=data, ContentType="image/png")
    return body["image_id"]


def modify_outcomes(s3, bucket: str, data: bytes, requests: int) -> tuple[int, list[str], float]:
    """(answers 200, the codes of the others, the slowest answer's seconds) of `requests` modify
    requests on a stored `data`. Each request has an emulator started for it: work an emulator
    goes on with after the handler gave up on it takes no CPU from the next request."""
    with emulator_process() as url:
        os.environ[BEDROCK_ENDPOINT] = url
        image_id = stored_source(Api(), s3, bucket, data)
    ok, failures, slowest = 0, [], 0.0
    for _ in range(requests):
        with emulator_process() as url:
            os.environ[BEDROCK_ENDPOINT] = url
            api = Api()
            started = time.perf_counter()
            status, body = api.call(api.modify, "/modify-image", {"image_id": image_id, "mode": "erase"})
            slowest = max(slowest, time.perf_counter() - started)
        if status == 200:
            ok += 1
        else:
            failures.append(f"{status} {body.get('error', {}).get('code')}")
    return ok, failures, slowest


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="scans per source, the best counts")
    parser.add_argument("--requests", type=int, default=3, help="modify requests per source")
    parser.add_argument("--sides", type=int, nargs="+", default=[2048, 3072])
    args = parser.parse_args(argv)
    netguard.loopback_only()
    pillow = pillow_scan()
    sources = {
        (side, name): filtered_rgba_png(side, side, kind, seed=kind, alpha_at=(side - 1, side - 1, 0))
        for side in args.sides
        for kind, name in enumerate(FILTERS)
    }
    # the scans first, on an idle machine; then the requests
    scans = {
        source: (best_of(args.runs, png.has_transparency, data), best_of(args.runs, pillow, data) if pillow else None)
        for source, data in sources.items()
    }
    shrunk = shrink_line(args.runs) if pillow else None
    keyed = keyed_lines(args.runs, args.sides) if pillow else []
    with LocalS3() as local_s3:
        os.environ.update(environment("http://127.0.0.1:9", local_s3.url))
        bucket = os.environ["IMAGEGEN_BUCKET"]
        s3 = make_s3_client("us-west-2")
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
        outcomes = {source: modify_outcomes(s3, bucket, data, args.requests) for source, data in sources.items()}
    print("source              filter    scan s  Pillow s   ratio   modify 200s  slowest s  others")
    worst = 0.0
    total_ok = total = refused = 0
    for (side, name), data in sources.items():
        ours, theirs = scans[side, name]
        ok, failures, slowest = outcomes[side, name]
        total_ok, total = total_ok + ok, total + args.requests
        refused += sum(failure.endswith(" no_time_left") for failure in failures)
        worst = max(worst, ours / theirs) if theirs else worst
        pillow_s, ratio = (f"{theirs:8.3f}", f"{ours / theirs:7.2f}") if theirs else ("     n/a", "    n/a")
        print(
            f"{side}x{side} {len(data) / 1e6:4.1f} MB  {name:<8} {ours:7.3f}  {pillow_s}  {ratio}"
            f"   {ok}/{args.requests:<10} {slowest:7.2f}    {' '.join(failures)}"
        )
    if pillow:
        print(f"worst scan time to Pillow's: {worst:.2f} (goal: at most {RATIO_GOAL})")
    else:
        print("Pillow is not installed: no baseline (pip install pillow)")
    if keyed:
        print("tRNS source                 filter    scan s  Pillow s   ratio")
        print("\n".join(keyed))
    if shrunk:
        print(shrunk)
    print(f"modify answered 200 to {total_ok} of {total} requests; {refused} refused for time (goal: none)")
    if any(failure.startswith("504") for _, failures, _ in outcomes.values() for failure in failures):
        print("(504 upstream_timeout: the emulator took longer than the image call's 22 s to render the edit)")


if __name__ == "__main__":
    main()
