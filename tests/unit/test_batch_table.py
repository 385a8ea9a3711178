"""The batch's summary table: a row a prompt, within 100 columns whatever the prompts and paths;
the URLs are in --json and the report, not here."""

from __future__ import annotations

from pathlib import Path

from imagegen_local.cli import render

URL = "http://127.0.0.1:4566/imagegen-demo/images/x/image.png?" + "X-Amz-Signature=" + "f" * 300
ID_A, ID_B = "A" * 22, "B" * 22


def ok(line: int, prompt: str, file: str, score: int | None, cost: float | None) -> dict:
    image_id = Path(file).stem
    return {
        "line": line,
        "prompt": prompt,
        "status": "ok",
        "image_id": image_id,
        "score": score,
        "url": URL,
        "file": file,
        "estimated_cost_usd": cost,
    }


def failed(line: int, prompt: str | None, code: str, message: str) -> dict:
    return {"line": line, "prompt": prompt, "status": "failed", "error": {"code": code, "message": message}}


def test_the_table_shows_prompt_score_file_and_cost_and_no_url(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # paths are shown relative to the working directory
    results = [
        ok(2, "a red fox in snow", str(tmp_path / "generated-images" / f"{ID_A}.png"), 8, 0.040312),
        ok(3, "a lighthouse", f"generated-images/{ID_B}.png", None, 0.04),
    ]
    lines = render.summary_table(results).splitlines()
    assert lines[0].split() == ["LINE", "PROMPT", "SCORE", "FILE", "COST"]
    assert lines[1].split() == ["2", "a", "red", "fox", "in", "snow", "8", f"generated-images/{ID_A}.png", "$0.0403"]
    assert lines[2].split() == ["3", "a", "lighthouse", "-", f"generated-images/{ID_B}.png", "$0.0400"]
    assert "http" not in "\n".join(lines)


def test_long_prompts_paths_and_errors_are_shortened_to_fit_100_columns(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # paths are shown relative to the working directory
    prompt = "a very detailed watercolour painting of a lighthouse on a cliff at dusk, " * 6
    far = "/srv/" + "/".join(["a-rather-long-folder-name"] * 6) + f"/{ID_B}.png"
    message = "The prompt was refused by the input filter of the model; change the wording. " * 5
    results = [
        ok(1, prompt, str(tmp_path / "generated-images" / f"{ID_A}.png"), 10, 0.140321),
        ok(12, "a boat", far, 7, 0.08),
        failed(1234, prompt, "content_filtered", message),
        failed(7, None, "invalid_parameter", "nope=1 is not allowed"),
    ]
    table = render.summary_table(results)
    lines = table.splitlines()
    assert max(len(line) for line in lines) <= 100, table
    assert "http" not in table
    row = next(line for line in lines if line.startswith("1 "))
    assert "a very detailed watercolour" in row and "…" in row and f"generated-images/{ID_A}.png" in row
    row = next(line for line in lines if line.startswith("12 "))
    assert "…" in row and row.split()[-2].endswith(f"/{ID_B}.png")  # the path's tail, which names the image
    at = next(i for i, line in enumerate(lines) if line.startswith("1234 "))
    assert "failed: content_filtered" in lines[at]
    assert lines[at + 1].strip().startswith("The prompt was refused") and lines[at + 1].endswith("…")
    at = next(i for i, line in enumerate(lines) if line.startswith("7 "))
    assert lines[at].split()[:3] == ["7", "-", "-"] and "failed: invalid_parameter" in lines[at]
    assert lines[at + 1].strip() == "nope=1 is not allowed"


def test_a_prompt_on_several_lines_stays_on_its_row(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # paths are shown relative to the working directory
    results = [ok(1, "a fox\nin snow\twith\r\ntrees", f"g/{ID_A}.png", 5, 0.01)]
    lines = render.summary_table(results).splitlines()
    assert len(lines) == 2 and "a fox in snow with trees" in lines[1]
