"""`imagegen refine` (the job run in-process) and `imagegen api refine` (over the dev API), against
the emulator and the local S3. The prompts follow the emulator's verdict rule (docs/offline.md):
PROMPT_TWO_ROUNDS's two elements are partial in its first round (adherence 5: at most 6 overall,
whatever the image), and its revision names each twice (all present: 8 or more)."""

import json
from pathlib import Path

from imagegen.config import Settings
from imagegen.models.registry import resolve
from imagegen.usecases.refine import JUDGE_TOKENS_ESTIMATE

from imagegen_local.cli import api_refine
from tests.e2e.conftest import canned_api

PROMPT_TWO_ROUNDS = "a red fox, a yellow cat"


def first_round_estimate() -> float:
    settings = Settings.from_env({"IMAGEGEN_BUCKET": "b"})
    image = resolve(settings.generation_models[0]).record.price.image_cost(1)
    return image + resolve(settings.judge_models[0]).record.price.token_cost(*JUDGE_TOKENS_ESTIMATE)


def test_refine_reaches_its_target_showing_each_round_saving_each_and_the_best(run, tmp_path):
    out_dir = tmp_path / "out"
    code, out, err = run("refine", PROMPT_TWO_ROUNDS, "--target", "8", "--rounds", "4", "--output-dir", out_dir)
    assert (code, err) == (0, ""), err
    assert "round 1: score " in out and "checklist:" in out
    assert "round 2: score " in out and "  prompt  + clearly showing " in out
    assert "ROUND  SCORE  COST     PROMPT CHANGE" in out and "stopped: reached the target score (8)" in out
    assert "2 *" in out and "best: round 2 (*)" in out and "total cost: $" in out
    job_dir = next(out_dir.glob("refine-*"))
    assert sorted(p.name for p in job_dir.iterdir()) == ["round-1.png", "round-2.png"]
    best = [p for p in out_dir.glob("*.png")]
    assert len(best) == 1 and best[0].read_bytes() == (job_dir / "round-2.png").read_bytes()


def test_refine_stops_at_its_round_limit_as_json(run, tmp_path):
    code, out, _ = run(
        "refine", PROMPT_TWO_ROUNDS, "--target", "10", "--rounds", "1", "--json", "--output-dir", tmp_path
    )
    document = json.loads(out)
    assert code == 0 and document["command"] == "refine"
    job = document["job"]
    assert (job["status"], job["stop_reason"], len(job["rounds"])) == ("done", "round_limit", 1)
    assert Path(document["best_file"]).is_file() and document["files"][job["best"]["image_id"]]


def test_refine_stops_at_its_budget(run, tmp_path):
    budget = f"{first_round_estimate() * 1.5:.6f}"
    code, out, _ = run(
        "refine", PROMPT_TWO_ROUNDS, "--target", "10", "--rounds", "6", "--budget-usd", budget, "--output-dir", tmp_path
    )
    assert code == 0 and "stopped: the next round would pass the budget ($" in out
    assert "round 1:" in out and "round 2:" not in out


def test_a_job_filtered_in_round_two_exits_by_its_code_after_the_rounds_done(run, emulator, tmp_path):
    emulator.configure(prompt_filter_word="clearly showing")  # only the revised prompt says it
    code, out, err = run("refine", PROMPT_TWO_ROUNDS, "--rounds", "3", "--output-dir", tmp_path)
    assert code == 3 and "round 1: score " in out and "round 2: failed: content_filtered" in out
    assert err.count("\n") == 1 and "failed after 1 round(s): content_filtered" in err


def test_bad_options_are_one_line_and_exit_2_before_any_call(run, emulator, tmp_path):
    calls = len(emulator.calls)
    for argv, said in (
        (["--target", "0"], "--target 0 is not allowed: an integer from 1 to 10"),
        (["--rounds", "7"], "--rounds 7 is not allowed: an integer from 1 to 6"),
        (["--budget-usd", "-1"], "--budget-usd -1.0 is not allowed: a number 0 or more"),
        (["--budget-usd", "nan"], "--budget-usd nan is not allowed: a number 0 or more"),  # no budget would stop it
        (["--budget-usd", "inf"], "--budget-usd inf is not allowed: a number 0 or more"),
    ):
        for command in (["refine"], ["api", "refine", "--api-url", "http://127.0.0.1:9/prd/"]):
            code, out, err = run(*command, "a fox", *argv, "--output-dir", tmp_path)
            assert (code, out, err) == (2, "", f"imagegen: {said}\n")
    assert len(emulator.calls) == calls


def test_api_refine_over_the_dev_api_reaches_its_target_saving_each_round_and_the_best(run, dev_api, tmp_path):
    code, out, err = run(
        "api", "refine", PROMPT_TWO_ROUNDS, "--target", "8", "--rounds", "3", "--poll-seconds", "0.02",
        "--api-url", dev_api.url, "--output-dir", tmp_path,
    )  # fmt: skip
    assert (code, err) == (0, ""), err
    assert out.count("round 1: score ") == 1 and out.count("round 2: score ") == 1
    assert "stopped: reached the target score (8)" in out and "best: round 2 (*)" in out
    (best,) = tmp_path.glob("*.png")
    assert best.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    job_id = out.split()[2].rstrip(":")
    rounds = sorted((tmp_path / f"refine-{job_id}").glob("round-*.png"))
    assert [p.name for p in rounds] == ["round-1.png", "round-2.png"]
    assert rounds[1].read_bytes() == best.read_bytes()  # the best is round 2's image
    code, out, _ = run("api", "job", job_id, "--api-url", dev_api.url)
    assert code == 0 and f"refine job {job_id}: done" in out


def test_ctrl_c_while_polling_says_the_job_keeps_running_and_how_to_look(run, monkeypatch, tmp_path):
    job_id = "j" + "A" * 21
    answers = iter([(202, {"job_id": job_id, "status": "queued"})])

    def reply():
        status, body = next(answers, (200, {"job_id": job_id, "status": "running", "rounds": []}))
        return status, json.dumps(body).encode()

    def interrupt(seconds):
        raise KeyboardInterrupt

    monkeypatch.setattr(api_refine.time, "sleep", interrupt)
    with canned_api(reply) as url:
        code, _, err = run("api", "refine", "a fox", "--api-url", url, "--output-dir", tmp_path)
    assert code == 130
    assert f"job {job_id} keeps running" in err and f"api job {job_id}" in err and f"{url}jobs/{job_id}" in err
