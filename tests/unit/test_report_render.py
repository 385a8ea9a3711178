"""The comparison report's page (imagegen.report, drawn from files by imagegen_local.report) and
`imagegen report`: self-contained, every text escaped, a failed cell shown with its code, bad input
refused in one line."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from imagegen.report import batch

from imagegen_local.cli.main import main
from imagegen_local.report import render, sample

NASTY = '<script>alert("x")</script><img src=x onerror=alert(1)> & a fox'


@pytest.fixture
def results(tmp_path: Path) -> Path:
    return sample.write(tmp_path, prompts=[NASTY, "a lighthouse, two gulls"], size=16)


def page(path: Path) -> str:
    return render(json.loads(path.read_text()), path.parent)


def test_the_page_is_self_contained(results):
    html = page(results)
    assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", html)  # nothing fetched: no URL at all
    assert "@import" not in html and "url(" not in html
    sources = re.findall(r'<img src="([^"]+)"', html)
    assert len(sources) == 3 and all(s.startswith("data:image/png;base64,") for s in sources)


def test_user_text_is_escaped(results):
    html = page(results)
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert html.count("<script") == 1  # the page's own


def test_the_failed_cell_shows_its_code_and_the_verdicts_their_parts(results):
    html = page(results)
    assert html.count("failed: content_filtered") == 2  # its label and its text
    assert "suggestions: Emulated verdict" in html
    assert "checklist: 1 present, 1 partial (two gulls)" in html
    assert 'data-value="8.25"' in html  # a sortable mean


def test_a_missing_or_foreign_image_file_is_said_so(results):
    doc = json.loads(results.read_text())
    (results.parent / doc["cells"][0]["file"]).write_bytes(b"GIF89a...")
    doc["cells"][1]["file"] = "images/gone.png"
    html = render(doc, results.parent)
    assert html.count("image file not found") == 2


def test_the_command_writes_the_report_beside_the_results(results):
    out = io.StringIO()
    assert main(["report", str(results)], out=out, err=io.StringIO()) == 0
    assert (results.parent / "report.html").read_text().startswith("<!doctype html>")
    assert "report.html" in out.getvalue()
    other = results.parent / "other.html"
    assert main(["report", str(results), "--out", str(other), "--json"], out=io.StringIO(), err=io.StringIO()) == 0
    assert other.exists()


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (None, "no such file"),
        ('{"version": 1, "cells": [', "not JSON (line 1"),
        ("[1, 2]", "not a results document"),
        ('{"version": 1, "cells": [1]}', "malformed"),
        ('{"version": 1, "cells": [], "prompts": [7]}', "malformed"),
        ('{"command": "generate", "images": []}', "not a results document of imagegen compare (no version or"),
        ('{"command": "batch", "results": {"line": 1}}', "malformed batch report (results must be a list"),
        ('{"command": "batch", "results": [{"line": 4, "status": "ok", "images": [7]}]}', "(line 4: images"),
        ('{"command": "batch", "results": [{"status": "ok", "images": [{"evaluation": 3}]}]}', "malformed batch"),
        ('{"command": "batch", "results": [{"line": 1, "status": "ok", "images": 5}]}', "(line 1: images must be"),
        ('{"version": 1, "cells": [{"seed": 1e999}]}', "malformed results document"),  # infinity
        ("[" * 100_000 + "]" * 100_000, "not JSON (nested too deeply)"),
    ],
)
def test_a_missing_or_malformed_file_is_one_line_and_exit_2(tmp_path, content, said):
    path = tmp_path / "results.json"
    if content is not None:
        path.write_text(content)
    err = io.StringIO()
    assert main(["report", str(path)], out=io.StringIO(), err=err) == 2
    assert said in err.getvalue() and len(err.getvalue().strip().splitlines()) == 1
    assert not (tmp_path / "report.html").exists()


def test_a_batch_page_has_a_row_per_line_and_none_of_a_comparisons_pairings(tmp_path):
    path = sample.write_batch(tmp_path, size=16)
    doc = json.loads(path.read_text())
    doc["results"][1]["images"][0]["evaluation"] = {
        "status": "failed",
        "judge_model": "amazon.nova-lite-v1:0",
        "error": {"code": "judge_answer_invalid", "message": "no score"},
    }
    html = render(doc, tmp_path)
    assert re.findall(r"<h3>([^<]+)</h3>", html) == ["Line 1", "Line 2", "Line 3"]
    assert html.count('<img src="data:image/png;base64,') == 2  # found beside the report, by name
    assert html.count("<span class=score>8/10</span>") == 1
    assert "amazon.nova-lite-v1:0: verdict failed: judge_answer_invalid no score" in html
    assert html.count("failed: content_filtered") == 2  # the failed line: its label and its text
    assert "Wins vs" not in html and "Latency" not in html and "id=agreement" not in html


def test_a_batch_lines_cost_less_its_verdicts_is_shared_by_its_images(tmp_path):
    """A line of two images, $0.10 with two $0.01 verdicts: each image $0.04 (not $0.05 with the
    verdicts left in, nor $0.08 unshared); the verdicts keep their own cost."""
    judged = {"status": "done", "score": 7, "judge_model": "j", "estimated_cost_usd": 0.01}
    images = [{"image_id": f"i{n}", "model": "m", "seed": n, "evaluation": judged} for n in (1, 2)]
    line = {"line": 1, "prompt": "a fox", "status": "ok", "estimated_cost_usd": 0.1, "images": images}
    drawn = batch.page({"command": "batch", "results": [line]})
    assert [round(c["cost_usd"], 6) for c in drawn["cells"]] == [0.04, 0.04]
    assert [c["verdicts"]["j"]["cost_usd"] for c in drawn["cells"]] == [0.01, 0.01]
    assert drawn["summary"]["models"]["m"]["cost_per_image"] == 0.04


def test_a_batch_model_table_counts_images_made_images_judged_and_failed_lines(tmp_path):
    """write_batch: a judged line, one run without judging and a failed line (no model recorded)."""
    html = render(json.loads(sample.write_batch(tmp_path, size=16).read_text()), tmp_path)
    table = html.split('id="model-summary"')[1].split("</table>")[0]
    heads = re.findall(r"<button type=button>([^<]+)</button>", table)
    rows = [
        re.findall(r"<td[^>]*>([^<]*)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>")[1])
    ]
    counted = {row[0]: dict(zip(heads, row, strict=True)) for row in rows}
    one, two = sample.MODELS
    assert {m: (r["Images"], r["Judged"], r["Failed"]) for m, r in counted.items()} == {
        one: ("1", "1", "0"),
        two: ("1", "0", "0"),  # made, not judged: its cost per image beside 1 image
        "failed lines": ("0", "0", "1"),
    }
    assert counted[two]["Cost / image"] == "$0.0400"


def test_a_comparison_page_shows_only_the_judges_and_models_its_config_asks_for(results):
    """Verdicts and cells of an earlier run's other judges and models stay in the document, unshown."""
    doc = json.loads(results.read_text())
    doc["config"] = {**doc["config"], "judges": [sample.JUDGES[1]], "models": [sample.MODELS[0]]}
    html = render(doc, results.parent)
    assert f"{sample.JUDGES[0]}:" not in html and html.count(f"{sample.JUDGES[1]}: <span class=score>") == 2
    assert html.count('<img src="data:image/') == 2 and f"<h4>{sample.MODELS[1]}</h4>" not in html
