"""`imagegen batch` as a user meets it: where the report and its page land, what Ctrl-C reports,
the table it prints and the progress it shows on a terminal."""

from __future__ import annotations

import base64
import io
import json
import os
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest
from imagegen.report.cells import checklist_summary

from imagegen_local import cli
from imagegen_local.cli.aws import pipeline_from
from imagegen_local.cli.context import Context

REPO = Path(__file__).resolve().parents[2]


def test_a_batch_with_default_options_leaves_nothing_in_the_working_directory_but_the_output_folder(run, local_env):
    local_env.chdir(run.tmp)
    (run.tmp / "prompts.txt").write_text("a fox\na lighthouse\n")
    code, out, _ = run("batch", "prompts.txt", "--no-evaluate")
    assert code == 0
    assert sorted(p.name for p in run.tmp.iterdir()) == ["generated-images", "prompts.txt"]
    report = json.loads((run.tmp / "generated-images" / "batch-report.json").read_text())
    assert report["succeeded"] == 2
    assert "report: generated-images/batch-report.json" in out


def test_a_batch_writes_its_page_beside_its_report_and_imagegen_report_draws_the_same_page(run, local_env):
    """The page holds the judged line's image (embedded), its score, sub-scores, checklist and
    suggestions, and the failed line's code; `imagegen report` on the JSON writes it again."""
    local_env.chdir(run.tmp)
    (run.tmp / "p.txt").write_text("a red fox, a yellow cat\na fox [blocked]\n")
    code, out, _ = run("batch", "p.txt")
    assert code == 1
    folder = run.tmp / "generated-images"
    judged, failed = json.loads((folder / "batch-report.json").read_text())["results"]
    verdict = judged["images"][0]["evaluation"]
    page = (folder / "batch-report.html").read_text()
    assert "page:   generated-images/batch-report.html" in out
    embedded = base64.b64encode((run.tmp / judged["file"]).read_bytes()).decode()
    assert page.count('<img src="data:image/') == 1 and f'<img src="data:image/png;base64,{embedded}"' in page
    assert f"{verdict['judge_model']}: <span class=score>{verdict['score']}/10</span>" in page
    for name, part in verdict["sub_scores"].items():
        assert f"<li>{name.replace('_', ' ')} {part['score']}: " in page
    assert f"checklist: {checklist_summary(verdict['checklist'])}" in page and "suggestions: Emulated" in page
    assert f"<strong>failed: {failed['error']['code']}</strong>" in page and "a fox [blocked]" in page

    (folder / "batch-report.html").unlink()
    code, out, err = run("report", folder / "batch-report.json")
    assert (code, err) == (0, "") and "(2 prompts)" in out
    assert (folder / "batch-report.html").read_text() == page


@pytest.mark.skipif(shutil.which("git") is None or not (REPO / ".git").exists(), reason="not a git checkout")
def test_what_a_batch_writes_by_default_is_ignored_by_git(run, local_env):
    """Run in the repository's root, everything a default batch writes stays out of `git status`."""
    local_env.chdir(run.tmp)
    (run.tmp / "prompts.txt").write_text("a fox\n")
    assert run("batch", "prompts.txt", "--no-evaluate")[0] == 0
    written = sorted(str(p.relative_to(run.tmp)) for p in run.tmp.rglob("*") if p.is_file() and p.name != "prompts.txt")
    assert len(written) == 3  # the image, the report and its page
    checked = subprocess.run(
        ["git", "check-ignore", "--no-index", "--verbose", "--non-matching", *written],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    not_ignored = [line.split("\t")[-1] for line in checked.stdout.splitlines() if line.startswith("::")]
    assert not_ignored == []


def test_ctrl_c_with_prompts_in_flight_reports_every_image_it_paid_for(run, emulator):
    """Ctrl-C lands in the main thread while four prompts are in flight: those finish (they are
    paid for) and the report counts them with their files, as many as the emulator made."""
    emulator.configure(latency_seconds=0.5)
    prompts = run.tmp / "p.txt"
    prompts.write_text("\n".join(f"prompt {i}" for i in range(16)))
    before = len(emulator.calls)
    main = threading.main_thread().ident
    assert main is not None
    running = threading.Event()  # a Ctrl-C outside the batch (had it ended early) must not stop pytest

    def ctrl_c(signum, frame):
        if running.is_set():
            raise KeyboardInterrupt

    def ctrl_c_once_an_image_is_made() -> None:
        while running.is_set() and not emulator.calls[before:]:
            time.sleep(0.005)
        signal.pthread_kill(main, signal.SIGINT)  # what the terminal sends on Ctrl-C

    presser = threading.Thread(target=ctrl_c_once_an_image_is_made)
    previous = signal.signal(signal.SIGINT, ctrl_c)
    running.set()
    presser.start()
    try:
        code, out, err = run(
            "batch",
            prompts,
            "--concurrency",
            "4",
            "--no-evaluate",
            "--report",
            run.tmp / "r.json",
            "--output-dir",
            run.tmp / "g",
        )
    finally:
        running.clear()
        presser.join()
        signal.signal(signal.SIGINT, previous)
    assert code == 130 and "interrupted" in err
    made = [c for c in emulator.calls[before:] if c["operation"] == "invoke" and c["status"] == 200]
    files = sorted(str(p) for p in (run.tmp / "g").glob("*.png"))
    report = json.loads((run.tmp / "r.json").read_text())
    reported = sorted(r["file"] for r in report["results"] if r["status"] == "ok")
    assert (report["succeeded"], report["failed"], report["not_run"]) == (len(made), 0, 16 - len(made))
    assert reported == files and len(files) == len(made) > 1
    assert {Path(f).stem for f in files} == {r["image_id"] for r in report["results"]}
    assert f"{len(made)} succeeded, 0 failed, {16 - len(made)} not run" in out


def test_the_batch_table_fits_100_columns_and_leaves_the_urls_to_the_report(run, local_env):
    local_env.chdir(run.tmp)
    long_prompt = "a watercolour of a lighthouse on a cliff at dusk, gulls, spray, warm windows, " * 3
    (run.tmp / "p.txt").write_text(f"a fox\n{long_prompt}\na fox [blocked]\n")
    code, out, _ = run("batch", "p.txt", "--output-dir", "a-folder-for-the-images/of-this-batch/today")
    assert code == 1
    report = json.loads(Path("a-folder-for-the-images/of-this-batch/today/batch-report.json").read_text())
    lines = out.splitlines()
    assert lines[0].split() == ["LINE", "PROMPT", "SCORE", "FILE", "COST"]
    assert max(len(line) for line in lines) <= 100, out
    assert "http" not in out and all(r["url"].startswith("http") for r in report["results"] if r["status"] == "ok")
    for result in report["results"]:
        row = next(line for line in lines if line.startswith(f"{result['line']} "))
        if result["status"] == "ok":
            assert f"${result['estimated_cost_usd']:.4f}" in row and Path(result["file"]).name in row
            assert f"  {result['score']}  " in row
        else:
            assert "failed: content_filtered" in row
    assert "…" in next(line for line in lines if line.startswith("2 "))  # the long prompt, shortened
    total = round(sum(r.get("estimated_cost_usd") or 0 for r in report["results"]), 6)
    assert report["estimated_cost_usd"] == total > 0 and f"estimated ${total:.4f}" in out


class Tty(io.StringIO):
    """A terminal, as far as a command can tell."""

    def isatty(self) -> bool:
        return True


def test_on_a_terminal_a_batch_shows_its_progress_on_stderr(local_env, tmp_path):
    (tmp_path / "p.txt").write_text("a fox\na lighthouse\na fox [blocked]\n")
    out, err = io.StringIO(), Tty()
    argv = ["batch", str(tmp_path / "p.txt"), "--no-evaluate", "--output-dir", str(tmp_path / "g")]
    assert cli.main(argv, out=out, err=err) == 1
    shown = err.getvalue()
    assert shown.startswith("\r[") and shown.endswith("\n") and shown.count("\n") == 1
    final = shown.rstrip("\n").split("\r")[-1]
    assert final.startswith("[" + "#" * 30 + "] 3/3") and "1 failed" in final
    assert out.getvalue().startswith("LINE  PROMPT")


def test_off_a_terminal_a_batch_prints_no_progress(run):
    (run.tmp / "p.txt").write_text("a fox\na lighthouse\na fox [blocked]\n")
    code, out, err = run("batch", run.tmp / "p.txt", "--no-evaluate", "--output-dir", run.tmp / "g")
    assert (code, err) == (1, "")  # no bar, no carriage return: the summary on stdout says it all
    assert "2 succeeded, 1 failed" in out


@pytest.mark.parametrize("stream", [Tty, io.StringIO])
def test_a_long_backoff_is_shown_on_a_terminal_by_every_command(local_env, tmp_path, stream):
    """The pipeline a command builds tells its stderr, when a terminal, of a backoff that makes it wait."""
    err = stream()
    args = cli.build_parser().parse_args(["generate", "a fox", "--output-dir", str(tmp_path)])
    pipeline = pipeline_from(Context(args, io.StringIO(), err, dict(os.environ)))
    log = pipeline.services.log.bind(request_id="r-1")
    log.info(
        "retry_wait",
        model="amazon.nova-canvas-v1:0",
        code="throttled",
        attempt=3,
        max_attempts=6,
        wait_s=1.5,
        waited_s=2.4,
    )
    log.info(
        "retry_wait",
        model="amazon.nova-canvas-v1:0",
        code="throttled",
        attempt=1,
        max_attempts=6,
        wait_s=0.3,
        waited_s=0.3,
    )
    expected = "throttled by Bedrock (amazon.nova-canvas-v1:0): retrying in 1.5 s (attempt 4 of 6)\n"
    assert err.getvalue() == (expected if stream is Tty else "")
