"""Loop figures: speed per tier and verifier, and ledgers made before the figures existed."""

from __future__ import annotations

import sqlite3

import pytest

from fixloop.budget import Ledger
from fixloop.budget.speed import LoopRecord, busy_seconds, percentile, speed
from fixloop.engine.results import Attempt, LoopResult, LoopStatus, Outcome


def test_busy_time_counts_overlapping_loops_once():
    assert busy_seconds([(0, 10), (5, 15), (20, 30)]) == 25
    assert busy_seconds([]) == 0


def test_percentiles_interpolate_between_ranks():
    values = [float(n) for n in range(1, 101)]
    assert percentile(values, 0.5) == pytest.approx(50.5)
    assert percentile(values, 0.95) == pytest.approx(95.05)
    assert percentile([3.0], 0.95) == 3.0


def test_figures_per_tier_and_per_verifier():
    records = [
        LoopRecord("tool", "ruff", True, 1, 0.0, 0.05, 100.0, 0.05),
        LoopRecord("fast", "ruff", True, 3, 0.003, 2.0, 102.0, 2.5, {"parse": 1, "ruff": 1}),
        LoopRecord("fast", "python", False, 8, 0.008, 6.0, 110.0, None, {"anti-cheat": 8}),
        LoopRecord("fast", "python", True, 1, 0.001, 1.0, 120.0, 1.0),
    ]
    figures = speed(records)
    fast = figures.tiers["fast"]
    assert (fast.loops, fast.fixes) == (3, 2)
    assert fast.attempts_per_fix == 6 and fast.usd_per_fix == pytest.approx(0.006)
    assert fast.median_seconds == pytest.approx(1.75)
    assert fast.fixes_per_minute == pytest.approx(2 / (9 / 60))  # busy: 100-102, 104-110, 119-120
    assert fast.failures == {"anti-cheat": 8, "parse": 1, "ruff": 1}
    assert figures.tiers["tool"].p95_seconds == 0.05
    assert figures.verifiers["python"].fixes == 1 and figures.verifiers["ruff"].fixes == 2
    assert speed([]).tiers == {}


def test_a_loops_failures_are_counted_by_why():
    attempts = tuple(
        Attempt(n, "fast", outcome, "", 0.1, verifier=verifier)
        for n, (outcome, verifier) in enumerate(
            [
                (Outcome.PARSE_ERROR, None),
                (Outcome.REJECTED, None),
                (Outcome.DUPLICATE, None),
                (Outcome.FAILED, "mypy"),
                (Outcome.FAILED, "mypy"),
                (Outcome.PROVIDER_ERROR, None),
                (Outcome.VERIFIED, None),
            ]
        )
    )
    result = LoopResult(LoopStatus.FIXED, None, attempts, 1.0)
    assert result.failures == {
        "parse": 1,
        "anti-cheat": 1,
        "duplicate": 1,
        "mypy": 2,
        "provider": 1,
    }


def test_a_ledger_from_before_the_loop_figures_gets_them_and_keeps_its_rows(tmp_path):
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(
        """
        CREATE TABLE loops (id INTEGER PRIMARY KEY, workspace TEXT NOT NULL, day TEXT NOT NULL,
            at REAL NOT NULL, tier TEXT NOT NULL, model TEXT NOT NULL, status TEXT NOT NULL,
            fixed INTEGER NOT NULL, attempts INTEGER NOT NULL, seconds REAL NOT NULL);
        INSERT INTO loops (workspace, day, at, tier, model, status, fixed, attempts, seconds)
            VALUES ('/ws', '2020-01-01', 1.0, 'fast', 'm', 'fixed', 1, 2, 3.0);
        """
    )
    db.close()
    ledger = Ledger(path)
    ledger.record_loop(
        "/ws",
        tier="tool",
        model="ruff",
        status="fixed",
        fixed=True,
        attempts=1,
        seconds=0.1,
        verifier="ruff",
        code="F401",
        fix_seconds=0.1,
        failures={},
    )
    stats = ledger.stats("/ws")
    ledger.close()
    assert stats.all_time["fast"].loops == 1 and stats.all_time["tool"].fixes == 1
    old = stats.speed_all_time.tiers["fast"]
    assert old.fixes == 1 and old.median_seconds is None  # no time to fix was recorded then
    assert stats.speed_today.tiers["tool"].median_seconds == pytest.approx(0.1)
    assert Ledger(path).stats("/ws").all_time["tool"].loops == 1  # opened again: no migration error
