"""How long GET /images/{id} takes for an image with many edits, on the local S3 (moto).

The local S3 runs in a process of its own, as S3 runs apart from a Lambda function (in this
one, its server threads would share the interpreter's lock with the handler's readers). An
image gets 10,000 edit links, another one 1,000. The baseline, measured in the same process,
is what the answer did before it was paged: list every link of the 1,000 and read them one by
one (extrapolated to 10,000 by the edit count). Then the dev API (the real handler, over HTTP)
answers the first page of the 10,000 at the default limit and at the largest one, and a page
further on through a cursor. The goal: at most 1 s at 10,000 edits; the ratio is the point.

    .venv/bin/python -m bench.describe_edits [--edits 10000] [--baseline-edits 1000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import boto3
from botocore.config import Config
from imagegen import pages
from imagegen.ids import new_image_id
from imagegen.storage import edit_link_key, make_s3_client

from imagegen_local import netguard
from imagegen_local.devapi import DevApi
from imagegen_local.emulator.server import Emulator
from imagegen_local.s3local import LocalS3
from imagegen_local.world import environment

REGION = "us-west-2"


def call(url: str, body: dict[str, Any] | None = None) -> tuple[float, int, dict[str, Any]]:
    """Seconds, answer size in bytes, and the answer."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        url, data=data, method="POST" if data else "GET", headers={"Content-Type": "application/json"}
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=120) as response:
        raw = response.read()
    seconds = time.perf_counter() - started
    if response.status != 200:
        raise SystemExit(f"{url} answered {response.status}: {raw[:200]!r}")
    return seconds, len(raw), json.loads(raw)


def edit_links(parent_id: str, count: int) -> Iterator[tuple[str, bytes]]:
    """`count` edit links under `parent_id`, as modify leaves them (the edits' images are not needed)."""
    for n in range(count):
        edit_id = new_image_id()
        link = {
            "image_id": edit_id,
            "image_key": f"images/{edit_id}/image.png",
            "mode": "inpaint",
            "prompt": f"edit {n}",
            "model": "amazon.nova-canvas-v1:0",
            "created_at": "2025-06-02T09:00:00+00:00",
        }
        yield edit_link_key(parent_id, edit_id), json.dumps(link).encode()


def read_everything(bucket: str, parent_id: str) -> tuple[float, int]:
    """The answer's edits as they were read before pages: list all, read each in turn."""
    s3 = boto3.client("s3", region_name=REGION, config=Config(read_timeout=120))  # moto lists slowly
    started = time.perf_counter()
    listing = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=f"images/{parent_id}/edits/")
    keys = [item["Key"] for page in listing for item in page.get("Contents", [])]
    for key in keys:
        json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
    return time.perf_counter() - started, len(keys)


def _serve_s3(urls: Any, links: Any, done: Any) -> None:
    """The local S3, and edit links put straight into its store (10,000 PUTs over HTTP would take minutes)."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.s3.models import s3_backends

    with LocalS3() as s3:
        urls.put(s3.url)
        backend = s3_backends[DEFAULT_ACCOUNT_ID]["global"]
        while (job := links.get()) is not None:
            bucket, parent_id, count = job
            for key, body in edit_links(parent_id, count):
                backend.put_object(bucket, key, body)
            done.put(count)


class SeparateLocalS3:
    """The local S3 in a child process: its URL, and a way to give an image many edit links."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self._urls, self._links, self._done = context.Queue(), context.Queue(), context.Queue()
        self._child = context.Process(target=_serve_s3, args=(self._urls, self._links, self._done), daemon=True)

    def __enter__(self) -> SeparateLocalS3:
        self._child.start()
        self.url: str = self._urls.get(timeout=60)
        return self

    def __exit__(self, *exc: object) -> None:
        self._links.put(None)
        self._child.join(timeout=10)

    def add_links(self, bucket: str, parent_id: str, count: int) -> None:
        self._links.put((bucket, parent_id, count))
        self._done.get(timeout=600)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=10_000)
    parser.add_argument("--baseline-edits", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=5, help="answers timed per case (the median is shown)")
    args = parser.parse_args()
    netguard.loopback_only()
    with Emulator() as emulator, SeparateLocalS3() as s3:
        os.environ.update(environment(emulator.url, s3.url))
        bucket = os.environ["IMAGEGEN_BUCKET"]
        make_s3_client(REGION).create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
        with DevApi(log_stream=open(os.devnull, "w")) as api:  # noqa: SIM115  # closed with the process
            _, _, many = call(api.url + "generate-image", {"prompt": "a red fox", "evaluate": False})
            _, _, few = call(api.url + "generate-image", {"prompt": "a grey wolf", "evaluate": False})
            s3.add_links(bucket, many["image_id"], args.edits)
            s3.add_links(bucket, few["image_id"], args.baseline_edits)
            baseline, read = read_everything(bucket, few["image_id"])
            per_edit = baseline / read
            full = per_edit * args.edits

            def timed(query: str) -> tuple[float, int, dict[str, Any]]:
                runs = [call(f"{api.url}images/{many['image_id']}{query}") for _ in range(args.repeat)]
                return statistics.median(r[0] for r in runs), runs[-1][1], runs[-1][2]

            default_page = timed("")
            largest_page = timed(f"?limit={pages.MAX_LIMIT}")
            cursor = largest_page[2]["next_cursor"]
            later_page = timed(f"?limit={pages.MAX_LIMIT}&cursor={cursor}")
            runs = [call(f"{api.url}images/{few['image_id']}") for _ in range(args.repeat)]
            small_page = statistics.median(r[0] for r in runs), runs[-1][1], runs[-1][2]

    load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    print(f"GET /images/{{id}} on the local S3 (moto, in a process of its own), {args.edits:,} edit links")
    print(f"  {os.cpu_count()} cores, load average {load} (other work on the machine slows every line alike)")
    print(
        f"  baseline: every link, one by one   {baseline:7.3f} s for {read:,} "
        f"({per_edit * 1000:.2f} ms each; {full:.1f} s for {args.edits:,})"
    )
    for name, (seconds, size, answer) in (
        (f"first page, limit {pages.DEFAULT_LIMIT} (default)", default_page),
        (f"first page, limit {pages.MAX_LIMIT} (largest)", largest_page),
        (f"a later page, limit {pages.MAX_LIMIT}, by cursor", later_page),
    ):
        shown = len(answer["edits"])
        print(
            f"  {name:<34} {seconds:7.3f} s  {size / 1000:7.1f} KB  {shown} edits  "
            f"ratio to the whole read {seconds / full:.4f}  (goal: at most 1 s: {'met' if seconds <= 1 else 'NOT met'})"
        )
    print(
        f"  the default page with {read:,} edits      {small_page[0]:7.3f} s  "
        f"(with {args.edits:,}: {default_page[0] / small_page[0]:.2f} times as long; "
        "a page costs the same at any count)"
    )


if __name__ == "__main__":
    main()
