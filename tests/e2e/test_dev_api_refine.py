"""Refine jobs over the dev API, against the emulator and the local S3: the worker runs in the dev
API's background thread, as an Event invocation of the deployed worker would."""

import json
import time
import urllib.error
import urllib.request

from imagegen.config import Settings
from imagegen.models.registry import resolve
from imagegen.usecases.refine import JUDGE_TOKENS_ESTIMATE

PROMPT_MET = "a red fox, a yellow cat"  # the emulated judge finds an element missing: at most 6, then at least 8
PROMPT_HARD = "a red fox, a blue owl, a green frog, a yellow cat, a pink pig, a grey wolf and a white hare"


def call(api, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        api.url + path, method=method, data=data, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as exc:
        return exc.code, json.load(exc)


def finished(api, body):
    status, started = call(api, "POST", "refine-image", body)
    assert status == 202 and started["status"] == "queued", started
    for _ in range(600):  # the worker thread; the emulator answers in milliseconds
        status, job = call(api, "GET", f"jobs/{started['job_id']}")
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.05)
    raise AssertionError(f"job still {job['status']}")


def test_a_refine_reaches_its_target_with_a_fresh_url_for_its_best_image(dev_api):
    job = finished(dev_api, {"prompt": PROMPT_MET, "target_score": 8, "max_rounds": 3})
    assert (job["status"], job["stop_reason"], len(job["rounds"])) == ("done", "target_reached", 2), job
    first, second = job["rounds"]
    assert first["score"] <= 6 and second["changed"] and second["prompt"].startswith(first["prompt"])
    assert job["best"]["score"] >= 8 and job["best"]["url"].startswith("http")
    with urllib.request.urlopen(job["best"]["url"], timeout=30) as image:
        assert image.read(8) == b"\x89PNG\r\n\x1a\n"


def test_a_refine_that_cannot_reach_its_target_stops_at_its_round_limit(dev_api):
    """One round: a second, with every element then present, could score 10 on an image the emulator
    happens to rate 9 for quality (a hash of its bytes, which its random seed makes)."""
    job = finished(dev_api, {"prompt": PROMPT_HARD, "target_score": 10, "max_rounds": 1})
    assert (job["status"], job["stop_reason"], len(job["rounds"])) == ("done", "round_limit", 1), job
    (only,) = job["rounds"]
    assert only["score"] <= 8 and any(c["status"] != "present" for c in only["checklist"])  # what caps it


def test_a_refine_stops_at_its_budget(dev_api):
    settings = Settings.from_env({"IMAGEGEN_BUCKET": "b"})
    estimate = resolve(settings.generation_models[0]).record.price.image_cost(1) + resolve(
        settings.judge_models[0]
    ).record.price.token_cost(*JUDGE_TOKENS_ESTIMATE)
    job = finished(dev_api, {"prompt": PROMPT_HARD, "target_score": 10, "max_rounds": 6, "budget_usd": estimate})
    assert (job["status"], job["stop_reason"]) == ("done", "budget"), job
    assert 1 <= len(job["rounds"]) < 6 and job["spent_usd"] <= estimate * len(job["rounds"])


def test_a_worker_invocation_that_fails_is_run_again_with_its_request_id_as_lambda_does(dev_api, monkeypatch):
    from imagegen_local import devapi

    real, seen = dev_api._refine_worker, []

    def dies_once(event, context):
        seen.append(context.aws_request_id)
        if len(seen) == 1:
            raise RuntimeError("the first invocation dies")
        return real(event, context)

    monkeypatch.setattr(dev_api, "_refine_worker", dies_once)
    monkeypatch.setattr(devapi, "RETRY_PAUSE_SECONDS", 0.01)
    job = finished(dev_api, {"prompt": PROMPT_MET, "target_score": 8, "max_rounds": 3})
    assert (job["status"], job["stop_reason"]) == ("done", "target_reached"), job
    assert len(seen) == 2 and seen[0] == seen[1]
