"""Batches on the queue: items per second against the event source mapping's maximum concurrency.

A batch of --items prompts, POST /batches through the handler, the batch queue on moto's SQS (in
this process), `concurrency` pollers feeding the worker as the event source mapping does, and the
emulator answering every image call after --latency seconds (no judging). The ideal is
concurrency / latency items per second (each invocation works its messages in turn, one image call
at a time); the ratio to it is what matters, not the seconds.

    .venv/bin/python bench/batch_queue.py [--items 160] [--latency 0.5] [--concurrency 2 4 8]
"""

from __future__ import annotations

import argparse
import io
import json
import time

import boto3
from imagegen import batches
from imagegen.batch_queue import SqsBatchQueue
from imagegen.config import Settings
from imagegen.handlers import batches as handler
from imagegen.log import Logger
from imagegen.pipeline import Pipeline
from imagegen.runtime import Runtime
from imagegen.storage import ImageStore, make_s3_client
from moto import mock_aws

from imagegen_local import netguard
from imagegen_local.emulator.inprocess import in_process
from imagegen_local.emulator.server import Faults
from imagegen_local.s3conditions import atomic_conditional_writes
from imagegen_local.sqs_poller import EventSourceMapping, create_queues

BUCKET = "imagegen-bench"
REGION = "us-west-2"
MODEL = "stability.stable-image-core-v1:1"


def run(items: int, latency: float, concurrency: int) -> float:
    """Seconds from the batch's submission until every item has its outcome."""
    with mock_aws():
        session = boto3.Session(region_name=REGION)
        s3 = make_s3_client(REGION, session)
        s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
        sqs = session.client("sqs", region_name=REGION)
        queue_url, _ = create_queues(sqs)
        _, bedrock = in_process(Faults(latency_seconds=latency), region=REGION, session=session)
        settings = Settings(bucket=BUCKET, generation_models=(MODEL,), judge_models=("amazon.nova-lite-v1:0",))
        store = ImageStore(s3, BUCKET)
        pipeline = Pipeline(
            bedrock=bedrock,
            store=store,
            settings=settings,
            log=Logger(io.StringIO()),
            batch_queue=SqsBatchQueue(sqs, queue_url),
        )
        runtime = Runtime(settings, pipeline, pipeline.services.log)
        event = {
            "resource": "/batches",
            "httpMethod": "POST",
            "body": json.dumps(
                {"prompts": [{"prompt": f"a lighthouse, study {n}"} for n in range(items)], "evaluate": False}
            ),
        }
        mapping = EventSourceMapping(sqs, queue_url, handler.make_worker(lambda: runtime))
        started = time.perf_counter()
        answer = handler.make_handler(lambda: runtime)(event, None)
        if answer["statusCode"] != 202:
            raise SystemExit(f"POST /batches answered {answer['statusCode']}: {answer['body']}")
        batch_id = json.loads(answer["body"])["batch_id"]
        mapping.start(concurrency)
        try:
            while len(batches.Batches(store).outcomes(batch_id)) < items:
                time.sleep(0.05)
        finally:
            mapping.stop()
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=160)
    parser.add_argument("--latency", type=float, default=0.5)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[2, 4, 8])
    args = parser.parse_args()
    netguard.loopback_only()
    atomic_conditional_writes()
    print(f"{args.items} items, {args.latency:g} s per image call, {batches.BATCH_SIZE} messages an invocation")
    for concurrency in args.concurrency:
        seconds = run(args.items, args.latency, concurrency)
        rate, ideal = args.items / seconds, concurrency / args.latency
        print(
            f"  maximum concurrency {concurrency:<3} {rate:6.2f} items/s (ideal {ideal:6.2f})  ratio {rate / ideal:.3f}"
        )


if __name__ == "__main__":
    main()
