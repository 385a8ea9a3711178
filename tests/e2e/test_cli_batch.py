"""`imagegen batch` as a user meets it: where the report lands, what Ctrl-C reports, the table it
prints and the progress it shows on a terminal."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.e2e.conftest import cli_runner

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def run(local_env, tmp_path):
    return cli_runner(tmp_path)


def test_a_batch_with_default_options_leaves_nothing_in_the_working_directory_but_the_output_folder(run, local_env):
    local_env.chdir(run.tmp)
    (run.tmp / "prompts.txt").write_text("a fox\na lighthouse\n")
    code, out, _ = run("batch", "prompts.txt", "--no-evaluate")
    assert code == 0
    assert sorted(p.name for p in run.tmp.iterdir()) == ["generated-images", "prompts.txt"]
    report = json.loads((run.tmp / "generated-images" / "batch-report.json").read_text())
    assert report["succeeded"] == 2
    assert "report: generated-images/batch-report.json" in out


@pytest.mark.skipif(shutil.which("git") is None or not (REPO / ".git").exists(), reason="not a git checkout")
def test_what_a_batch_writes_by_default_is_ignored_by_git(run, local_env):
    """Run in the repository's root, everything a default batch writes stays out of `git status`."""
    local_env.chdir(run.tmp)
    (run.tmp / "prompts.txt").write_text("a fox\n")
    assert run("batch", "prompts.txt", "--no-evaluate")[0] == 0
    written = sorted(str(p.relative_to(run.tmp)) for p in run.tmp.rglob("*") if p.is_file() and p.name != "prompts.txt")
    assert len(written) == 2  # the image and the report
    checked = subprocess.run(
        ["git", "check-ignore", "--no-index", "--verbose", "--non-matching", *written],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    not_ignored = [line.split("\t")[-1] for line in checked.stdout.splitlines() if line.startswith("::")]
    assert not_ignored == []
