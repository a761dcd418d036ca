"""The figures and the report from job records, as pure functions."""

from __future__ import annotations

import pytest

from fixloop.benchmark.figures import percentile, reason_stem, summarize
from fixloop.benchmark.report import render


def attempt(
    tier="fast",
    outcome="failed verification",
    seconds=1.0,
    model=0.8,
    verify=0.1,
    tokens=20,
    usd=0.001,
    reason="the diagnostic is still reported: ruff F821 at line 3",
    verifier="ruff",
):
    return {
        "number": 1,
        "tier": tier,
        "outcome": outcome,
        "reason": reason,
        "verifier": verifier,
        "seconds": seconds,
        "model_seconds": model,
        "verify_seconds": verify,
        "input_tokens": 300,
        "output_tokens": tokens,
        "usd": usd,
    }


def job(strategy, case, fixed, time_to_fix=None, attempts=(), kind="misspell"):
    attempts = list(attempts)
    return {
        "case": case,
        "kind": kind,
        "strategy": strategy,
        "repeat": 0,
        "fixed": fixed,
        "fix_tier": attempts[-1]["tier"] if fixed else None,
        "time_to_fix": time_to_fix,
        "seconds": sum(a["seconds"] for a in attempts),
        "usd": sum(a["usd"] for a in attempts),
        "matches_truth": fixed or None,
        "attempts": attempts,
        "status": "fixed" if fixed else "gave up",
    }


RECORDS = [
    job(
        "fast-first",
        "a",
        True,
        2.0,
        [attempt(), attempt(outcome="verified", reason="verified", verifier=None)],
    ),
    job(
        "fast-first",
        "b",
        True,
        1.0,
        [attempt(outcome="verified", reason="verified", verifier=None)],
    ),
    job(
        "fast-first",
        "c",
        False,
        None,
        [
            attempt(
                outcome="unusable reply",
                reason="SEARCH block 2 does not match the window",
                verifier=None,
            )
        ]
        * 2,
    ),
    job(
        "frontier-only",
        "a",
        True,
        4.0,
        [attempt("frontier", "verified", 4.0, 3.8, 0.1, 30, 0.01, "verified", None)],
    ),
    job(
        "frontier-only",
        "b",
        True,
        6.0,
        [attempt("frontier", "verified", 6.0, 5.8, 0.1, 30, 0.01, "verified", None)],
    ),
    job(
        "frontier-only",
        "c",
        True,
        8.0,
        [attempt("frontier", "verified", 8.0, 7.8, 0.1, 30, 0.01, "verified", None)],
    ),
]


def test_percentiles_interpolate_between_ranks():
    assert percentile([], 50) is None
    assert percentile([3.0], 95) == 3.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5
    assert percentile(range(101), 95) == 95


def test_failures_group_by_outcome_verifier_and_reason_stem():
    assert reason_stem(attempt()) == "failed verification (ruff): the diagnostic is still reported"
    unusable = attempt(
        outcome="unusable reply", reason="SEARCH block 2 does not match", verifier=None
    )
    assert reason_stem(unusable) == "unusable reply: SEARCH block N does not match"


def test_summary_per_strategy_and_tier_and_the_headline_ratios():
    summary = summarize(RECORDS, [], ["fast-first", "frontier-only"])
    fast, frontier = summary["strategies"]["fast-first"], summary["strategies"]["frontier-only"]
    assert (fast["jobs"], fast["fixed"], fast["success_rate"]) == (3, 2, pytest.approx(2 / 3))
    assert fast["median_seconds"] == 1.5 and frontier["median_seconds"] == 6.0
    assert fast["attempts_per_fix"] == 2.5 and fast["usd_per_fix"] == pytest.approx(0.0025)
    assert fast["fixes_per_minute"] == pytest.approx(2 / (5.0 / 60))
    assert fast["failures"] == {
        "failed verification (ruff): the diagnostic is still reported": 1,
        "unusable reply: SEARCH block N does not match the window": 2,
    }
    assert fast["by_tier"]["fast"]["fixes"] == 2 and fast["by_kind"]["misspell"]["jobs"] == 3
    # 5 attempts of 1 s: 0.8 s model, 0.1 s verifiers, 0.1 s the engine's.
    assert fast["time"]["engine_share"] == pytest.approx(0.1)
    (ratio,) = summary["comparisons"]
    assert (ratio["a"], ratio["b"], ratio["median_ratio"]) == ("fast-first", "frontier-only", 0.25)


def test_simulated_replies_slower_than_their_pace_count_as_the_engines():
    requests = [
        {
            "case": "b",
            "strategy": "fast-first",
            "repeat": 0,
            "completed": True,
            "seconds": 0.51,
            "intended_seconds": 0.5,
            "answer": "right",
        }
    ]
    pace = {"fast": (0.3, 100.0)}  # 20 tokens: 0.3 + 19/100 = 0.49 s intended
    summary = summarize(RECORDS[:2], requests, ["fast-first"], pace)
    time = summary["strategies"]["fast-first"]["time"]
    # each 0.8 s reply: 0.49 s the simulator's pace, 0.01 s its lateness, 0.3 s the transport's
    assert time["transport_seconds"] == pytest.approx(3 * 0.3)
    assert time["engine_seconds"] == pytest.approx(3 * 0.1 + 3 * 0.3)


def test_the_report_is_one_page_with_its_plots_and_tables():
    summary = summarize(RECORDS, [], ["fast-first", "frontier-only"])
    info = {
        "strategies": {"fast-first": "fast", "frontier-only": "frontier"},
        "tiers": {},
        "sessions": [],
        "bad_cases": ["009-bad: after should raise nothing"],
        "finished": 0,
    }
    html = render(summary, RECORDS, info)
    assert html.startswith("<!doctype html>") and html.count("<svg") == 6
    assert "fast-first reaches a verified fix in 0.25× the median time of frontier-only" in html
    assert "009-bad: after should raise nothing" in html
