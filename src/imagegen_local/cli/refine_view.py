"""What `imagegen refine` and `imagegen api refine` print: a line or two for each round as it
finishes, and the summary table at the end (rounds, scores, costs, what each changed, the best,
why the job stopped, what it cost). Both read the job as GET /jobs/{id} answers it (a local run:
`Pipeline.show_job`), and a round as the job document records it."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from imagegen import errors

from .render import table, verdict_parts

CHANGE_WIDTH = 60  # the summary's PROMPT CHANGE column wraps here; --json has the prompts whole
BEST = "*"

# why a job stopped, by its stop_reason, filled in from the job's target
STOPPED: dict[str, str] = {
    "target_reached": "reached the target score ({score})",
    "round_limit": "reached the round limit ({max_rounds} rounds)",
    "budget": "the next round would pass the budget (${budget_usd:.4f})",
}


def money(usd: float | None) -> str:
    return "-" if usd is None else f"${usd:.4f}"


def change_of(entry: Mapping[str, Any]) -> str:
    """What a round's prompt added to the one before it, in a few words."""
    if entry["round"] == 1:
        return "(the prompt as given)"
    changed = entry.get("changed") or []
    return "; ".join(f"+ {part}" for part in changed) if changed else "(unchanged)"


def round_lines(entry: Mapping[str, Any], file: str | None = None) -> list[str]:
    """A round as it finishes: its score and parts (or its error), what changed, where it is saved."""
    head = f"round {entry['round']}:"
    if entry["status"] == "done":
        parts = verdict_parts(dict(entry))
        lines = [
            f"{head} score {entry['score']}/10" + (f" ({parts})" if parts else "") + f"  {money(entry['cost_usd'])}"
        ]
    else:
        error = entry.get("error") or {}
        lines = [f"{head} failed: {error.get('code')}: {error.get('message')}"]
    lines.append(f"  prompt  {change_of(entry)}")
    if file:
        lines.append(f"  saved   {file}")
    return lines


class NewRounds:
    """Which rounds have been shown: a round is new until its (round, finish time) has been
    seen (a round whose judging failed comes again once it is judged on a second try)."""

    def __init__(self) -> None:
        self._seen: set[tuple[int, str]] = set()

    def new(self, entry: Mapping[str, Any]) -> bool:
        key = (int(entry["round"]), str(entry.get("finished_at")))
        if key in self._seen:
            return False
        self._seen.add(key)
        return True


def summary(view: Mapping[str, Any], best_file: str | None) -> str:
    """The table of a job's rounds (the best marked), then the best image, why it stopped, the cost."""
    best = view.get("best") or {}
    rows = [("ROUND", "SCORE", "COST", "PROMPT CHANGE")]
    for entry in view["rounds"]:
        marked = (
            f"{entry['round']} {BEST}"
            if best and entry.get("image_id") == best.get("image_id")
            else str(entry["round"])
        )
        score = (
            str(entry["score"]) if entry["status"] == "done" else f"failed: {(entry.get('error') or {}).get('code')}"
        )
        rows.append((marked, score, money(entry.get("cost_usd")), change_of(entry)))
    lines = [f"refine job {view['job_id']}: {view['status']}"]
    if len(rows) > 1:
        lines.append(table(rows, (None, None, None, CHANGE_WIDTH)))
    if best:
        where = f", saved {best_file}" if best_file else ""
        lines.append(f"best: round {best['round']} ({BEST}), score {best['score']}/10{where}")
        if best.get("url"):
            lines.append(f"  url  {best['url']}")
    lines.append(f"stopped: {stopped(view)}")
    lines.append(f"total cost: {money(view.get('spent_usd'))} (estimated)")
    return "\n".join(lines)


def stopped(view: Mapping[str, Any]) -> str:
    reason = view.get("stop_reason")
    if reason in STOPPED:
        target = view["target"]
        return STOPPED[reason].format(**{**target, "budget_usd": target.get("budget_usd") or 0.0})
    error = view.get("error")
    if error:
        return f"failed: {error['code']}: {error['message']}"
    return f"not yet ({view['status']})"


def failure(view: Mapping[str, Any]) -> tuple[str, int] | None:
    """A failed job's one line and exit code (its error code's, as that error exits elsewhere)."""
    if view.get("status") != "failed":
        return None
    error = view.get("error") or {"code": "internal_error", "message": "the job failed"}
    kind = errors.by_code(str(error["code"]))
    done = sum(1 for entry in view["rounds"] if entry["status"] == "done")
    line = f"refine job {view['job_id']} failed after {done} round(s): {error['code']}: {error['message']}"
    return line, kind.exit_code if kind else 1


def suffix_of(key_or_url: str | None) -> str:
    """An image's file extension from its S3 key or its URL's path ('.png' when neither says)."""
    path = (key_or_url or "").split("?", 1)[0]
    return Path(path).suffix or ".png"


def round_file(folder: Path, job_id: str, number: int, key_or_url: str | None) -> Path:
    """Where a round's image is saved: <output-dir>/refine-<job id>/round-<n>.<its extension>."""
    rounds = folder / f"refine-{job_id}"
    rounds.mkdir(exist_ok=True)
    return rounds / f"round-{number}{suffix_of(key_or_url)}"
