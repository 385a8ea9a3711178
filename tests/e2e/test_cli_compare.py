"""`imagegen compare` offline: 3 prompts x 2 models x 2 seeds x 2 judges into results.json; a rerun
pays for nothing; bad input is one line before any call."""

from __future__ import annotations

import io
import json
import signal
import threading
import time

import pytest

from imagegen_local import cli
from imagegen_local.compare import runner

MODELS = "stability.stable-image-core-v1:1,stability.sd3-5-large-v1:0"
JUDGES = "amazon.nova-lite-v1:0,amazon.nova-pro-v1:0"


def prompts(tmp):
    path = tmp / "prompts.jsonl"
    lines = [
        "a red fox in snow",
        "",  # skipped
        json.dumps({"prompt": "a lighthouse at dusk", "aspect_ratio": "1:1"}),
        json.dumps({"prompt": "a bowl of lemons", "output_format": "jpeg"}),
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def compare(run, *extra):
    out = run.tmp / "cmp"
    args = ["compare", prompts(run.tmp), "--models", MODELS, "--judges", JUDGES, "--seeds", "2", "--out", out]
    return (*run(*args, *extra), out)


def test_a_comparison_writes_every_cell_and_a_rerun_pays_for_nothing(run, emulator):
    before = len(emulator.calls)
    code, out, err, folder = compare(run)
    assert code == 0, err
    doc = json.loads((folder / "results.json").read_text())
    assert doc["version"] == 1 and doc["config"]["seeds"] == 2
    assert [p["prompt"] for p in doc["prompts"]] == ["a red fox in snow", "a lighthouse at dusk", "a bowl of lemons"]
    assert len(doc["cells"]) == 12
    assert len({c["key"] for c in doc["cells"]}) == 12
    for cell in doc["cells"]:
        assert cell["status"] == "done" and cell["key"] == f"{cell['prompt_index']}|{cell['model']}|{cell['seed']}"
        assert (folder / cell["file"]).is_file()
        assert sorted(cell["verdicts"]) == sorted(JUDGES.split(","))
        assert all(v["status"] == "done" and 1 <= v["score"] <= 10 for v in cell["verdicts"].values())
    assert len(emulator.calls) - before == 12 + 24  # 12 images, 24 verdicts
    summary = doc["summary"]
    for model in MODELS.split(","):
        s = summary["models"][model]
        assert s["n"] == 6 and s["failed"] == 0 and s["ci95"][0] <= s["mean"] <= s["ci95"][1]
        assert len(s["win_rate"]) == 1 and s["cost_per_image"] > 0
    assert [a["n"] for a in summary["agreement"]] == [12]
    assert "12 of 12 cells done" in out
    page = (folder / "report.html").read_text()  # the report, beside its results
    assert page.count('<img src="data:image/') == 12 and "a lighthouse at dusk" in page

    calls = len(emulator.calls)
    code, out, err, _ = compare(run)
    assert code == 0, err
    assert len(emulator.calls) == calls  # nothing paid for again
    assert json.loads((folder / "results.json").read_text())["cells"] == doc["cells"]


def test_a_budget_stops_before_the_cell_that_would_pass_it_and_a_rerun_finishes(run, emulator):
    before = len(emulator.calls)
    code, out, _, folder = compare(run, "--seeds", "1", "--budget-usd", "0.1", "--concurrency", "1")
    assert code == 1
    doc = json.loads((folder / "results.json").read_text())
    assert len(doc["cells"]) == 1 and "stopped at the budget ($0.1): 5 not run" in out  # $0.04, then $0.08 more
    assert len(emulator.calls) - before == 3
    code, _, _, _ = compare(run, "--seeds", "1")
    assert code == 0
    assert len(json.loads((folder / "results.json").read_text())["cells"]) == 6
    assert len(emulator.calls) - before == 18  # each cell paid for once over both runs


def test_a_failed_generation_is_recorded_and_not_retried_unless_asked(run, emulator):
    (run.tmp / "f.txt").write_text("[withheld] a fox\n")
    args = ["compare", run.tmp / "f.txt", "--models", MODELS, "--judges", JUDGES, "--out", run.tmp / "f"]
    assert run(*args)[0] == 1
    cells = json.loads((run.tmp / "f" / "results.json").read_text())["cells"]
    assert len(cells) == 2 and all(c["status"] == "failed" and c["error"]["code"] for c in cells)
    assert (
        json.loads((run.tmp / "f" / "results.json").read_text())["summary"]["models"][MODELS.split(",")[0]]["failed"]
        == 1
    )
    emulator.configure(output_filter_word="[never]")
    calls = len(emulator.calls)
    assert run(*args)[0] == 1 and len(emulator.calls) == calls
    assert run(*args, "--retry-failed")[0] == 0 and len(emulator.calls) == calls + 2 + 4


@pytest.mark.parametrize(
    ("lines", "option", "expected"),
    [
        (["a fox"], ("--models", "stability.stable-image-core-v2"), "did you mean stability.stable-image-core-v1:1"),
        (["a fox"], ("--judges", "stability.sd3-5-large-v1:0"), "cannot judge images"),
        (["a fox"], ("--models", "amazon.nova-lite-v1:0"), "cannot generate images"),
        (["", "  "], (), "holds no prompts"),
        (["a fox", '{"prompt": "a cat",'], (), "p.txt:2: not a JSON object"),
        (['{"prompt": "a cat", "size": "big"}'], (), "p.txt:1:"),
    ],
)
def test_bad_input_is_one_line_before_any_call(run, emulator, lines, option, expected):
    path = run.tmp / "p.txt"
    path.write_text("\n".join(lines) + "\n")
    args = {"--models": MODELS, "--judges": JUDGES}
    if option:
        args[option[0]] = option[1]
    calls = len(emulator.calls)
    code, _, err = run("compare", path, *[x for kv in args.items() for x in kv], "--out", run.tmp / "o")
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and expected in err, err
    assert len(emulator.calls) == calls
    assert not (run.tmp / "o").exists()


def test_a_failed_verdict_is_kept_on_a_rerun_and_retry_failed_asks_only_its_judge_again(run, emulator):
    """The image is paid for once: a rerun leaves the failed verdict as it is (no call), and
    --retry-failed asks that judge again about the image already made, generating nothing."""
    model, (lite, pro) = MODELS.split(",")[0], JUDGES.split(",")
    (run.tmp / "v.txt").write_text("a fox\n")
    args = ["compare", run.tmp / "v.txt", "--models", model, "--judges", JUDGES, "--out", run.tmp / "v"]
    emulator.configure(deny_models=[pro])
    code, out, _ = run(*args)
    assert code == 1 and "1 of 1 cells done, 0 failed, 1 verdict failed" in out and "--retry-failed" in out
    (cell,) = json.loads((run.tmp / "v" / "results.json").read_text())["cells"]
    assert cell["status"] == "done" and cell["verdicts"][lite]["status"] == "done"
    assert cell["verdicts"][pro]["status"] == "failed" and cell["verdicts"][pro]["error"]["code"]
    emulator.configure(deny_models=[])
    calls = len(emulator.calls)
    assert run(*args)[0] == 1 and len(emulator.calls) == calls
    code, out, _ = run(*args, "--retry-failed")
    (asked,) = emulator.calls[calls:]  # through its inference profile (us.<id>)
    assert code == 0 and asked["operation"] == "converse" and asked["model"].endswith(pro)
    (again,) = json.loads((run.tmp / "v" / "results.json").read_text())["cells"]
    assert {k: again[k] for k in ("image_id", "file", "cost_usd")} == {
        k: cell[k] for k in ("image_id", "file", "cost_usd")
    }
    assert again["verdicts"][lite] == cell["verdicts"][lite] and again["verdicts"][pro]["status"] == "done"


def test_ctrl_c_keeps_the_cells_done_and_a_rerun_pays_only_for_the_rest(run, emulator, monkeypatch):
    model, judge = MODELS.split(",")[0], JUDGES.split(",")[0]
    (run.tmp / "c.txt").write_text("a fox\na lighthouse\na boat\n")
    args = ["compare", run.tmp / "c.txt", "--models", model, "--judges", judge, "--out", run.tmp / "c"]
    real = runner.run_task

    def interrupted_at_the_second(pipeline, task, folder, deadline):
        if task.prompt["index"] == 1:
            raise KeyboardInterrupt  # as Ctrl-C would, while this cell is under way
        return real(pipeline, task, folder, deadline)

    monkeypatch.setattr(runner, "run_task", interrupted_at_the_second)
    calls = len(emulator.calls)
    code, out, err = run(*args, "--concurrency", "1")
    assert code == 130 and "interrupted" in err and "1 of 3 cells done" in out
    assert [c["prompt_index"] for c in json.loads((run.tmp / "c" / "results.json").read_text())["cells"]] == [0]
    assert len(emulator.calls) - calls == 2  # its image and its verdict
    monkeypatch.setattr(runner, "run_task", real)
    calls = len(emulator.calls)
    assert run(*args)[0] == 0
    assert len(emulator.calls) - calls == 2 * 2  # the two cells left, nothing more


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_at_most_concurrency_cells_run_at_once_and_a_terminal_shows_the_progress(local_env, tmp_path, monkeypatch):
    real, lock, running, most = runner.run_task, threading.Lock(), [0], [0]

    def counted(pipeline, task, folder, deadline):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.02)  # long enough for a third cell to start, were it let
        try:
            return real(pipeline, task, folder, deadline)
        finally:
            with lock:
                running[0] -= 1

    monkeypatch.setattr(runner, "run_task", counted)
    (tmp_path / "p.txt").write_text("a fox\na lighthouse\n")
    argv = ["compare", str(tmp_path / "p.txt"), "--models", MODELS, "--judges", JUDGES.split(",")[0]]
    err = Tty()
    code = cli.main([*argv, "--concurrency", "2", "--out", str(tmp_path / "o")], out=io.StringIO(), err=err)
    assert code == 0 and most[0] == 2
    shown = err.getvalue()
    assert shown.startswith("\r[") and shown.endswith("\n")
    assert shown.rstrip("\n").split("\r")[-1].startswith("[" + "#" * 30 + "] 4/4")


def test_a_rerun_with_fewer_models_or_seeds_counts_summarizes_and_shows_only_the_cells_asked_for(run, emulator):
    """Cells of models and seeds no longer asked for stay in results.json (paid for, for a later
    run that asks again) but are not counted, summarized, shown or held against the budget."""
    core, large = MODELS.split(",")
    (run.tmp / "one.txt").write_text("a fox\n")
    base = ["compare", run.tmp / "one.txt", "--judges", JUDGES.split(",")[0], "--out", run.tmp / "few", "--json"]
    assert run(*base, "--models", MODELS)[0] == 0  # core and large, seed 1
    calls = len(emulator.calls)
    # $0.04 + $0.04 for core's two seeds fit $0.1; with large's $0.08 counted, seed 2 would not
    code, out, err = run(*base, "--models", core, "--seeds", "2", "--budget-usd", "0.1")
    assert code == 0, err
    assert len(emulator.calls) - calls == 2  # seed 2's image and verdict
    shown = json.loads(out)
    cells = json.loads((run.tmp / "few" / "results.json").read_text())["cells"]
    costs = {(c["model"], c["seed"]): c["cost_usd"] + sum(v["cost_usd"] for v in c["verdicts"].values()) for c in cells}
    assert (shown["cells"], shown["done"], shown["not_run"], shown["stopped_at_budget"]) == (2, 2, 0, False)
    assert shown["estimated_cost_usd"] == round(costs[core, 1] + costs[core, 2], 6)
    assert list(shown["summary"]["models"]) == [core] and shown["summary"]["models"][core]["n"] == 2

    code, out, _ = run(*base, "--models", core)
    shown = json.loads(out)
    assert code == 0 and len(emulator.calls) - calls == 2  # nothing paid for
    assert (shown["cells"], shown["done"], shown["failed"], shown["not_run"]) == (1, 1, 0, 0)
    assert shown["estimated_cost_usd"] == round(costs[core, 1], 6)
    assert shown["summary"]["models"][core]["n"] == 1 and shown["summary"]["agreement"] == []
    page = (run.tmp / "few" / "report.html").read_text()
    assert page.count('<img src="data:image/') == 1 and "seed 2" not in page and large not in page
    kept = json.loads((run.tmp / "few" / "results.json").read_text())["cells"]
    assert sorted((c["model"], c["seed"]) for c in kept) == sorted(costs)  # all three kept for a later run


def test_a_cell_that_crashes_keeps_the_cells_paid_for_and_a_rerun_pays_only_for_the_rest(run, emulator, monkeypatch):
    """At concurrency 2, one cell's task raises OSError (as writing images/ on a full disk would)
    while the other, paid for, is still in flight: that one is stored, results.json and the page
    written, the run ends in one line and a non-zero exit, and a rerun makes only the crashed cell."""
    model, judge = MODELS.split(",")[0], JUDGES.split(",")[0]
    (run.tmp / "x.txt").write_text("a fox\na lighthouse\n")
    args = ["compare", run.tmp / "x.txt", "--models", model, "--judges", judge, "--out", run.tmp / "x"]
    real, paid, crashed = runner.run_task, threading.Event(), threading.Event()

    def crashing_at_the_second(pipeline, task, folder, deadline):
        if task.prompt["index"] == 1:
            paid.wait(5)
            crashed.set()
            raise OSError(28, "No space left on device")
        cell = real(pipeline, task, folder, deadline)
        paid.set()
        crashed.wait(5)
        time.sleep(0.02)  # still in flight when the crash is collected
        return cell

    monkeypatch.setattr(runner, "run_task", crashing_at_the_second)
    calls = len(emulator.calls)
    code, out, err = run(*args, "--concurrency", "2")
    assert code == 1 and len(err.strip().splitlines()) == 1, err
    assert "No space left on device" in err and "a rerun pays only for the rest" in err
    assert [c["prompt_index"] for c in json.loads((run.tmp / "x" / "results.json").read_text())["cells"]] == [0]
    assert (run.tmp / "x" / "report.html").is_file()
    assert len(emulator.calls) - calls == 2
    monkeypatch.setattr(runner, "run_task", real)
    calls = len(emulator.calls)
    assert run(*args)[0] == 0
    assert len(emulator.calls) - calls == 2  # the crashed cell's image and verdict, nothing more


def test_ctrl_c_with_two_cells_in_flight_stores_both_and_a_rerun_pays_only_for_the_rest(run, emulator, monkeypatch):
    """Ctrl-C (SIGINT to the main thread) lands while two cells run at concurrency 2; they go on
    after it, are paid for, and are stored; the third is never started, and a rerun makes only it."""
    model, judge = MODELS.split(",")[0], JUDGES.split(",")[0]
    (run.tmp / "i.txt").write_text("a fox\na lighthouse\na boat\n")
    args = ["compare", run.tmp / "i.txt", "--models", model, "--judges", judge, "--out", run.tmp / "i"]
    real, lock, started, pressed = runner.run_task, threading.Lock(), [0], threading.Event()
    main = threading.main_thread().ident
    assert main is not None

    def held_until_ctrl_c(pipeline, task, folder, deadline):
        with lock:
            started[0] += 1
            last = started[0] == 2
        # both cells under way: the user presses Ctrl-C, again if the main thread blocked just as
        # the first came (a signal then waits for its next wake-up)
        while last and not pressed.wait(0.05):
            signal.pthread_kill(main, signal.SIGINT)
        assert pressed.wait(5)
        return real(pipeline, task, folder, deadline)

    def ctrl_c(signum, frame):
        if not pressed.is_set():  # the first Ctrl-C interrupts; one sent again after it is ignored
            pressed.set()
            raise KeyboardInterrupt

    monkeypatch.setattr(runner, "run_task", held_until_ctrl_c)
    previous = signal.signal(signal.SIGINT, ctrl_c)
    calls = len(emulator.calls)
    try:
        code, out, err = run(*args, "--concurrency", "2")
    finally:
        signal.signal(signal.SIGINT, previous)
    assert code == 130 and "interrupted: waiting for the cells in flight" in err
    assert "2 of 3 cells done" in out, out
    cells = json.loads((run.tmp / "i" / "results.json").read_text())["cells"]
    assert [c["prompt_index"] for c in cells] == [0, 1] and all(c["status"] == "done" for c in cells)
    assert len(emulator.calls) - calls == 4  # both images and verdicts, paid for after the Ctrl-C
    monkeypatch.setattr(runner, "run_task", real)
    calls = len(emulator.calls)
    assert run(*args)[0] == 0
    assert len(emulator.calls) - calls == 2  # the third cell only
