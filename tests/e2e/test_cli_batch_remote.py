"""`imagegen batch --remote FILE` over the dev API, whose pollers feed the batch worker from the
batch queue on the local S3's moto server, as the event source mapping does when deployed."""

from __future__ import annotations

import io
import json
import re

import boto3
import pytest

from imagegen_local.devapi import DevApi
from imagegen_local.sqs_poller import create_queues


@pytest.fixture
def batch_api(local_env):
    local_env.setenv("IMAGEGEN_BATCH_QUEUE_URL", create_queues(boto3.client("sqs", region_name="us-west-2"))[0])
    with DevApi(log_stream=io.StringIO()) as api:
        yield api


def test_batch_remote_submits_follows_and_downloads_the_manifest_and_the_report(run, batch_api, tmp_path):
    prompts = tmp_path / "prompts.txt"
    prompts.write_text('a red fox in snow\n# a comment\n{"prompt": "a blue heron at dawn"}\na lighthouse\n')
    code, out, err = run(
        "batch", prompts, "--remote", "--no-evaluate", "--api-url", batch_api.url, "--poll-seconds", "0.05",
        "--output-dir", tmp_path,
    )  # fmt: skip
    assert (code, err) == (0, ""), err
    batch_id = out.split()[1].rstrip(":")
    assert "3 items queued" in out and f"batch {batch_id}: 3 done, 0 failed" in out
    lines = [json.loads(line) for line in (tmp_path / f"batch-{batch_id}.jsonl").read_text().splitlines()]
    assert [(line["index"], line["status"]) for line in lines] == [(0, "done"), (1, "done"), (2, "done")]
    assert "building the report" in out and f"report: {tmp_path / f'batch-{batch_id}.html'}" in out
    page = (tmp_path / f"batch-{batch_id}.html").read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and f"Batch {batch_id} of 3 lines" in page
    for prompt in ("a red fox in snow", "a blue heron at dawn", "a lighthouse"):
        assert f"<p class=prompt-text>{prompt}</p>" in page
    assert len(re.findall(r'<img src="data:image/jpeg;base64,[A-Za-z0-9+/=]{100,}"', page)) == 3


def test_batch_remote_refuses_a_bad_line_naming_it_before_anything_is_sent(run, batch_api, tmp_path):
    prompts = tmp_path / "prompts.txt"
    prompts.write_text('a red fox\n{"prompt": "a heron", "colour": "red"}\n')
    code, _, err = run("batch", prompts, "--remote", "--api-url", batch_api.url, "--output-dir", tmp_path)
    assert code == 2 and "prompts.txt:2: colour=" in err and len(err.strip().splitlines()) == 1, err
    assert not [r for r in batch_api.received if "/batches" in r[1]]


def test_a_report_that_never_comes_saves_the_manifest_and_exits_partial_saying_so(
    run, batch_api, tmp_path, monkeypatch
):
    from imagegen.usecases import batch_report

    from imagegen_local.cli import batch_remote

    monkeypatch.setattr(batch_report, "build", lambda services, batch_id, deadline: True)  # a worker that never draws
    monkeypatch.setattr(batch_remote, "REPORT_WAIT_SECONDS", 0.3)
    prompts = tmp_path / "prompts.txt"
    prompts.write_text("a red fox in snow\n")
    code, out, err = run(
        "batch", prompts, "--remote", "--no-evaluate", "--api-url", batch_api.url, "--poll-seconds", "0.05",
        "--output-dir", tmp_path,
    )  # fmt: skip
    batch_id = out.split()[1].rstrip(":")
    assert code == 1 and (tmp_path / f"batch-{batch_id}.jsonl").is_file()
    assert not (tmp_path / f"batch-{batch_id}.html").exists()
    assert len(err.strip().splitlines()) == 1 and "no report" in err and f"batches/{batch_id}" in err, err
