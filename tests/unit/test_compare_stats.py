"""Known answers for the comparison's statistics: the bootstrap interval, Spearman's rho, the
quadratic-weighted kappa, percentiles, win rates and the summary's shape."""

from __future__ import annotations

import math

import pytest
from imagegen.compare import stats
from imagegen.compare.results import cell_key


def test_the_bootstrap_interval_of_a_constant_is_that_constant():
    assert stats.bootstrap_ci([7.0] * 5) == [7.0, 7.0]
    assert stats.bootstrap_ci([]) is None


def test_the_bootstrap_interval_of_two_points_spans_both():
    """Hand-computed: a resample of [0, 1] has mean 0, 0.5 or 1 with chances 1/4, 1/2, 1/4, so
    the 2.5th percentile of 2000 resample means is 0 and the 97.5th is 1."""
    assert stats.bootstrap_ci([0.0, 1.0]) == [0.0, 1.0]


def test_the_bootstrap_interval_of_a_proportion_is_close_to_the_normal_one():
    """200 draws, 60 % ones: the interval of the mean is about 0.6 +- 1.96 * sqrt(0.6 * 0.4 / 200)
    = [0.532, 0.668]; the percentile bootstrap lands within 0.01 of either end."""
    values = [1.0] * 120 + [0.0] * 80
    low, high = stats.bootstrap_ci(values)
    half = 1.96 * math.sqrt(0.6 * 0.4 / 200)
    assert low == pytest.approx(0.6 - half, abs=0.01)
    assert high == pytest.approx(0.6 + half, abs=0.01)


def test_a_large_sample_takes_fewer_resamples_and_keeps_the_normal_interval():
    """A batch's 10,000 scores take 100 resamples (2,000 would be 20 million draws, 40 s of CPU at
    100,000 scores), and the interval is still within 0.004 of the normal one (60 % ones)."""
    assert stats.resamples_for(200) == stats.RESAMPLES and stats.resamples_for(10**6) == stats.MIN_RESAMPLES
    assert stats.resamples_for(5_000) == 200
    values = [1.0] * 6_000 + [0.0] * 4_000
    low, high = stats.bootstrap_ci(values)
    half = 1.96 * math.sqrt(0.6 * 0.4 / 10_000)
    assert (low, high) == (pytest.approx(0.6 - half, abs=0.004), pytest.approx(0.6 + half, abs=0.004))


def test_the_bootstrap_is_deterministic():
    values = [3.0, 5.0, 8.0, 6.0, 7.0]
    assert stats.bootstrap_ci(values) == stats.bootstrap_ci(values)
    low, high = stats.bootstrap_ci(values)
    assert 3.0 <= low < stats.mean(values) < high <= 8.0


def test_spearman_the_textbook_example():
    """Wikipedia's example (IQ against hours of TV a week): rho = 1 - 6 * 194 / (10 * 99) = -29/165."""
    iq = [106, 100, 86, 101, 99, 103, 97, 113, 112, 110]
    tv = [7, 27, 2, 50, 28, 29, 20, 12, 6, 17]
    assert stats.spearman(iq, tv) == pytest.approx(-29 / 165)


def test_spearman_with_ties_averages_the_ranks():
    assert stats.ranks([10, 20, 20, 30]) == [1.0, 2.5, 2.5, 4.0]
    # Pearson's r of the ranks [1, 2.5, 2.5, 4] and [1, 2, 3, 4]: 4.5 / sqrt(4.5 * 5)
    assert stats.spearman([1, 2, 2, 3], [1, 2, 3, 4]) == pytest.approx(4.5 / math.sqrt(4.5 * 5))
    assert stats.spearman([1, 2, 3], [3, 2, 1]) == pytest.approx(-1)
    assert stats.spearman([5, 5, 5], [1, 2, 3]) is None  # a constant judge
    assert stats.spearman([5], [5]) is None


def test_quadratic_kappa_hand_computed():
    """a = [1, 1, 2, 3], b = [1, 2, 2, 3]: observed disagreement sum (i-j)^2 O = 1; expected from the
    marginals (2, 1, 1) and (1, 2, 1): sum (i-j)^2 a_i b_j / n = 20 / 4 = 5; kappa = 1 - 1/5 = 0.8
    (sklearn's cohen_kappa_score(a, b, weights="quadratic") gives 0.8 too)."""
    assert stats.weighted_kappa([1, 1, 2, 3], [1, 2, 2, 3]) == pytest.approx(0.8)


def test_quadratic_kappa_edges():
    assert stats.weighted_kappa([1, 2], [2, 1]) == pytest.approx(-1)  # O: 2; E: 4 cells of 1/2, 2 off by 1
    assert stats.weighted_kappa([3, 7, 9], [3, 7, 9]) == pytest.approx(1)
    assert stats.weighted_kappa([5, 5], [5, 5]) is None  # no expected disagreement: undefined
    assert stats.weighted_kappa([], []) is None
    assert stats.weighted_kappa([0, 11], [1, 2]) is None  # off the 1-10 scale


def test_percentiles_interpolate_as_numpy_does():
    assert stats.percentile([100, 200, 300, 400], 50) == 250
    assert stats.percentile([100, 200, 300, 400], 95) == pytest.approx(385)
    assert stats.percentile([42], 95) == 42
    assert stats.percentile([], 50) is None


def cell(prompt, model, seed, scores, cost=0.04, latency=100, status="done"):
    verdicts = {
        judge: {
            "status": "done",
            "score": score,
            "sub_scores": {},
            "checklist": [],
            "suggestions": "",
            "cost_usd": 0.001,
            "latency_ms": 10,
        }
        for judge, score in scores.items()
    }
    return {
        "key": cell_key(prompt, model, seed),
        "prompt_index": prompt,
        "model": model,
        "seed": seed,
        "status": status,
        "image_id": None if status == "failed" else "img",
        "file": None,
        "cost_usd": cost if status == "done" else 0.0,
        "latency_ms": latency,
        "verdicts": verdicts,
    }


def test_the_summary_of_two_models_and_two_judges():
    cells = [
        cell(0, "a", 1, {"j": 8, "k": 6}),  # a 7 beats b 5
        cell(0, "b", 1, {"j": 5, "k": 5}),
        cell(1, "a", 1, {"j": 4, "k": 4}),  # a 4 ties b 4
        cell(1, "b", 1, {"j": 3, "k": 5}),
        cell(2, "a", 1, {}, status="failed"),
        cell(2, "b", 1, {"j": 9, "k": 9}),
    ]
    summary = stats.summarize(cells, ["a", "b"], ["j", "k"])
    a, b = summary["models"]["a"], summary["models"]["b"]
    assert (a["n"], a["failed"], a["mean"]) == (2, 1, 5.5)
    assert a["win_rate"] == {"b": 0.75} and b["win_rate"] == {"a": 0.25}
    assert a["cost_per_image"] == 0.04 and a["cost_per_point"] == round(0.04 / 5.5, 6)
    assert a["latency_p50_ms"] == 100.0
    lo, hi = a["ci95"]
    assert 4 <= lo <= hi <= 7
    assert summary["judges"]["j"] == {"n": 5, "mean": round(29 / 5, 4)}
    (pair,) = summary["agreement"]
    assert pair["judges"] == ["j", "k"] and pair["n"] == 5
    assert -1 <= pair["spearman_rho"] <= 1 and pair["weighted_kappa"] is not None


def test_a_model_with_nothing_scored_has_nulls():
    summary = stats.summarize([cell(0, "a", 1, {}, status="failed")], ["a", "b"], ["j"])
    a = summary["models"]["a"]
    assert a["n"] == 0 and a["failed"] == 1
    assert a["mean"] is None and a["ci95"] is None and a["cost_per_image"] is None and a["win_rate"] == {}
    assert summary["agreement"] == []
