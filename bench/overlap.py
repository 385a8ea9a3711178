"""POST /generate-image end to end against the image call and the judge call it makes (P4).

Bedrock is a stand-in that takes `--image-seconds` and `--judge-seconds` of real time; S3 is
moto in this process, each call delayed by `--s3-seconds` (an in-region round trip is 0.02 to
0.3 s). The baseline, measured in the same process: one image call, one judge call and one S3
PUT, each timed alone. The goal: end to end at most image + judge + one S3 round trip (the
verdict's write, which must follow the judge); the writes of the image, its metadata and the
idempotency record run beside the judge call. A sequential pipeline would add every write.

    .venv/bin/python -m bench.overlap [--image-seconds 1.0] [--judge-seconds 1.0] [--s3-seconds 0.2] [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
import uuid

from imagegen.clock import SystemClock
from imagegen.handlers import generate
from imagegen.log import Logger
from imagegen.pipeline import Pipeline
from imagegen.runtime import Runtime
from imagegen.storage import ImageStore, make_s3_client
from moto import mock_aws

from tests.fakes import FakeBedrock, LambdaContext, api_event
from tests.service.conftest import BUCKET, settings_for


class SlowBedrock(FakeBedrock):
    """The tests' Bedrock stand-in, taking real time for each call."""

    def _advance(self, seconds: float) -> None:
        time.sleep(seconds)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--image-seconds", type=float, default=1.0)
    parser.add_argument("--judge-seconds", type=float, default=1.0)
    parser.add_argument("--s3-seconds", type=float, default=0.2)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    os.environ.update(AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_DEFAULT_REGION="us-west-2")
    with mock_aws():
        s3 = make_s3_client("us-west-2")
        s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
        s3.meta.events.register("before-call.s3", lambda **_: time.sleep(args.s3_seconds))
        bedrock = SlowBedrock()
        bedrock.image_delay, bedrock.judge_delay = args.image_seconds, args.judge_seconds
        settings = settings_for(evaluate_function=None)
        log = Logger(open(os.devnull, "w"), service="bench")  # noqa: SIM115 (lives as long as the run)

        def runtime() -> Runtime:
            store = ImageStore(s3, BUCKET, url_expiry_seconds=900)
            pipeline = Pipeline(bedrock=bedrock, store=store, settings=settings, clock=SystemClock(), log=log)
            return Runtime(settings, pipeline, log)

        handler = generate.make_handler(runtime)

        def timed(action) -> float:
            started = time.perf_counter()
            action()
            return time.perf_counter() - started

        image = statistics.median(timed(lambda: bedrock._advance(args.image_seconds)) for _ in range(3))
        judge = statistics.median(timed(lambda: bedrock._advance(args.judge_seconds)) for _ in range(3))
        put = statistics.median(
            timed(lambda: s3.put_object(Bucket=BUCKET, Key=f"bench/{uuid.uuid4()}", Body=b"x")) for _ in range(3)
        )
        medians = {}
        for keyed in (False, True):
            runs = []
            for _ in range(args.repeat):
                event = api_event("POST", "/generate-image", {"prompt": "a lighthouse on a cliff at dusk"})
                if keyed:
                    event["headers"]["Idempotency-Key"] = str(uuid.uuid4())
                started = time.perf_counter()
                response = handler(event, LambdaContext(remaining_ms=29_000))
                runs.append(time.perf_counter() - started)
                body = json.loads(response["body"])
                assert response["statusCode"] == 200 and body["evaluation"]["status"] == "done", body
            medians[keyed] = statistics.median(runs)
    print(f"image call {image:.3f} s, judge call {judge:.3f} s, one S3 PUT {put:.3f} s")
    for keyed, end_to_end in medians.items():
        writes = 5 if keyed else 3  # image, metadata, verdict (and the key's claim before, its record after)
        ahead = put if keyed else 0.0  # the key's claim, made before the model call by design
        print(
            f"end to end, {'with' if keyed else 'without'} an idempotency key"
            f" (median of {args.repeat}): {end_to_end:.3f} s"
        )
        print(f"  ratio to image + judge:                         {end_to_end / (image + judge):.3f}")
        print(
            f"  ratio to image + judge + one S3 PUT (+ claim):  {end_to_end / (image + judge + put + ahead):.3f}"
            "  (goal: 1, plus the handler's own milliseconds)"
        )
        print(
            f"  ratio to every step in turn ({writes} PUTs):          {end_to_end / (image + judge + writes * put):.3f}"
        )


if __name__ == "__main__":
    main()
