"""The summary statistics of a comparison, in pure Python (no numpy or scipy to install): means
with a percentile-bootstrap 95 % interval, pairwise win rates, costs, latency percentiles and the
agreement between judges (Spearman's rho, quadratic-weighted Cohen's kappa on the 1-10 scale)."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from itertools import combinations

from .results import Agreement, Cell, JudgeSummary, ModelSummary, Summary

RESAMPLES = 2000
MIN_RESAMPLES = 100
DRAWS = 1_000_000
"""The values one interval draws at most (some 0.2 s of CPU) until MIN_RESAMPLES: past DRAWS /
RESAMPLES scores (a batch's thousands of images; a comparison has far fewer) the interval takes
fewer resamples (100,000 scores: 100 resamples, some 2 s), where it is narrow anyway."""
SEED = 20240601  # a fixed seed: the same results give the same interval
SCALE = range(1, 11)  # the judges' scores


def mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0-100) with linear interpolation between the closest ranks (numpy's default)."""
    if not values:
        return None
    ordered = sorted(values)
    where = (len(ordered) - 1) * q / 100
    low, high = math.floor(where), math.ceil(where)
    return ordered[low] + (ordered[high] - ordered[low]) * (where - low)


def resamples_for(n: int) -> int:
    """The resamples of an interval over `n` values: RESAMPLES, fewer past DRAWS draws."""
    return max(MIN_RESAMPLES, min(RESAMPLES, DRAWS // max(n, 1)))


def bootstrap_ci(
    values: Sequence[float], level: float = 0.95, resamples: int | None = None, seed: int = SEED
) -> list[float] | None:
    """The percentile-bootstrap interval of the mean: `resamples` (default `resamples_for`) means
    of resamples drawn with replacement (a fixed seed), and their (1-level)/2 and (1+level)/2
    percentiles."""
    if not values:
        return None
    rng = random.Random(seed)
    n = len(values)
    resamples = resamples_for(n) if resamples is None else resamples
    means = [sum(rng.choices(values, k=n)) / n for _ in range(resamples)]
    tail = (1 - level) / 2 * 100
    low, high = percentile(means, tail), percentile(means, 100 - tail)
    assert low is not None and high is not None
    return [low, high]


def ranks(values: Sequence[float]) -> list[float]:
    """1-based ranks, ties given the mean of the ranks they span."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    out = [0.0] * len(values)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        for i in order[start : end + 1]:
            out[i] = (start + end) / 2 + 1
        start = end + 1
    return out


def pearson(x: Sequence[float], y: Sequence[float]) -> float | None:
    if len(x) < 2:
        return None
    mx, my = sum(x) / len(x), sum(y) / len(y)
    sxy = sum((a - mx) * (b - my) for a, b in zip(x, y, strict=True))
    sxx, syy = sum((a - mx) ** 2 for a in x), sum((b - my) ** 2 for b in y)
    if sxx == 0 or syy == 0:
        return None  # a constant series: no correlation to speak of
    return sxy / math.sqrt(sxx * syy)


def spearman(x: Sequence[float], y: Sequence[float]) -> float | None:
    """Spearman's rho: Pearson's correlation of the ranks (ties averaged), as scipy.stats.spearmanr."""
    return pearson(ranks(x), ranks(y))


def weighted_kappa(a: Sequence[int], b: Sequence[int], categories: Sequence[int] = SCALE) -> float | None:
    """Cohen's kappa with quadratic weights (i - j)^2 over `categories` (the 1-10 scale):
    1 - sum(w * observed) / sum(w * expected), expected from the two raters' marginals. The same
    as sklearn's cohen_kappa_score(weights="quadratic") when the scores used have no gaps."""
    if not a or any(x not in categories for x in (*a, *b)):
        return None
    n = len(a)
    index = {c: i for i, c in enumerate(categories)}
    k = len(categories)
    observed = [[0.0] * k for _ in range(k)]
    for x, y in zip(a, b, strict=True):
        observed[index[x]][index[y]] += 1
    rows = [sum(r) for r in observed]
    cols = [sum(observed[i][j] for i in range(k)) for j in range(k)]
    disagreement = sum((i - j) ** 2 * observed[i][j] for i in range(k) for j in range(k))
    expected = sum((i - j) ** 2 * rows[i] * cols[j] / n for i in range(k) for j in range(k))
    if expected == 0:
        return None  # both raters gave one and the same score throughout
    return 1 - disagreement / expected


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


def cell_score(cell: Cell) -> float | None:
    """The mean of the judges' scores of a cell (those done), or None."""
    scores = [v["score"] for v in cell["verdicts"].values() if v["status"] == "done" and v["score"] is not None]
    return mean(scores)


def summarize(cells: Sequence[Cell], models: Sequence[str], judges: Sequence[str]) -> Summary:
    return {
        "models": {m: model_summary(cells, m, models) for m in models},
        "judges": {j: judge_summary(cells, j) for j in judges},
        "agreement": [agreement(cells, a, b) for a, b in combinations(judges, 2)],
    }


def model_summary(cells: Sequence[Cell], model: str, models: Sequence[str]) -> ModelSummary:
    """n: the model's cells with a score; images: its cells done (images made); failed: its
    failed cells; cost_per_image: what its generations cost per image made; cost_per_point: that
    over its mean score; latencies: of its images made."""
    own = [c for c in cells if c["model"] == model]
    done = [c for c in own if c["status"] == "done"]
    scores = [s for s in map(cell_score, done) if s is not None]
    average = mean(scores)
    per_image = sum(c["cost_usd"] for c in own) / len(done) if done else None
    latencies = [float(c["latency_ms"]) for c in done if c["latency_ms"] is not None]
    ci = bootstrap_ci(scores)
    return {
        "n": len(scores),
        "images": len(done),
        "failed": len(own) - len(done),
        "mean": _round(average),
        "ci95": None if ci is None else [round(x, 4) for x in ci],
        "win_rate": win_rates(cells, model, models),
        "cost_per_image": _round(per_image, 6),
        "cost_per_point": _round(per_image / average, 6) if per_image is not None and average else None,
        "latency_p50_ms": _round(percentile(latencies, 50), 1),
        "latency_p95_ms": _round(percentile(latencies, 95), 1),
    }


def win_rates(cells: Sequence[Cell], model: str, models: Sequence[str]) -> dict[str, float]:
    """For each other model with a scored cell of the same prompt and seed: how often this
    model's score is higher (a tie counts half). A model never met is left out."""
    scored = {(c["prompt_index"], c["seed"], c["model"]): s for c in cells if (s := cell_score(c)) is not None}
    rates: dict[str, float] = {}
    for other in models:
        if other == model:
            continue
        points = [
            1.0 if s > t else 0.5 if s == t else 0.0
            for (p, seed, m), s in scored.items()
            if m == model and (t := scored.get((p, seed, other))) is not None
        ]
        if points:
            rates[other] = round(sum(points) / len(points), 4)
    return rates


def _scores(cells: Sequence[Cell], judge: str) -> dict[str, int]:
    out = {}
    for cell in cells:
        verdict = cell["verdicts"].get(judge)
        if verdict and verdict["status"] == "done" and verdict["score"] is not None:
            out[cell["key"]] = verdict["score"]
    return out


def judge_summary(cells: Sequence[Cell], judge: str) -> JudgeSummary:
    scores = list(_scores(cells, judge).values())
    return {"n": len(scores), "mean": _round(mean(scores))}


def agreement(cells: Sequence[Cell], a: str, b: str) -> Agreement:
    """Agreement of two judges over the cells both scored."""
    first, second = _scores(cells, a), _scores(cells, b)
    shared = [k for k in first if k in second]
    x, y = [first[k] for k in shared], [second[k] for k in shared]
    return {
        "judges": [a, b],
        "n": len(shared),
        "spearman_rho": _round(spearman(x, y)),
        "weighted_kappa": _round(weighted_kappa(x, y)),
    }
