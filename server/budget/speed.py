"""Loop speed figures from the ledger's loop records: per tier and per verifier.

- fixes per minute: verified fixes over the minutes in which at least one such
  loop was running (overlapping loops count once, idle time not at all);
- median and p95 time to a verified fix: from the moment the diagnostic's loop
  was asked for (queueing included) to the verified candidate;
- attempts and money per fix: all attempts and spend of such loops, fixed or
  not, over the fixes they made;
- why attempts failed: counts by `parse`, `anti-cheat`, `duplicate`,
  `provider`, or the name of the verifier (or `tests`) that failed them.
"""

from __future__ import annotations

import json
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class LoopRecord:
    """One loop (one run on one tier) as the ledger keeps it."""

    tier: str
    verifier: str
    fixed: bool
    attempts: int
    usd: float
    seconds: float  # the run, from its start to its end
    at: float  # unix time of its end
    fix_seconds: float | None  # time to the verified fix, queueing included
    failures: dict[str, int] = field(default_factory=dict)

    @staticmethod
    def failures_from(text: str | None) -> dict[str, int]:
        try:
            value = json.loads(text or "{}")
        except ValueError:
            return {}
        return {str(k): int(v) for k, v in value.items()} if isinstance(value, dict) else {}


@dataclass(frozen=True, slots=True)
class SpeedFigures:
    """How fast one tier (or one verifier's diagnostics) got to verified fixes."""

    loops: int = 0
    fixes: int = 0
    fixes_per_minute: float = 0.0
    median_seconds: float | None = None  # time to a verified fix
    p95_seconds: float | None = None
    attempts_per_fix: float | None = None
    usd_per_fix: float | None = None
    failures: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Speed:
    tiers: dict[str, SpeedFigures] = field(default_factory=dict)
    verifiers: dict[str, SpeedFigures] = field(default_factory=dict)


def busy_seconds(intervals: list[tuple[float, float]]) -> float:
    """The length of the union of [start, end) intervals."""
    total = 0.0
    current_start = current_end = None
    for start, end in sorted(intervals):
        if current_end is None or start > current_end:
            if current_end is not None:
                total += current_end - current_start
            current_start, current_end = start, end
        else:
            current_end = max(current_end, end)
    if current_end is not None:
        total += current_end - current_start
    return total


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` of `values` lie (linear between ranks)."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    position = share * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def figures(records: list[LoopRecord]) -> SpeedFigures:
    fixes = [r for r in records if r.fixed]
    times = [r.fix_seconds for r in fixes if r.fix_seconds is not None]
    busy = busy_seconds([(r.at - r.seconds, r.at) for r in records])
    failures: Counter[str] = Counter()
    for record in records:
        failures.update(record.failures)
    attempts = sum(r.attempts for r in records)
    usd = sum(r.usd for r in records)
    return SpeedFigures(
        loops=len(records),
        fixes=len(fixes),
        fixes_per_minute=len(fixes) / (busy / 60) if busy > 0 else 0.0,
        median_seconds=statistics.median(times) if times else None,
        p95_seconds=percentile(times, 0.95) if times else None,
        attempts_per_fix=attempts / len(fixes) if fixes else None,
        usd_per_fix=usd / len(fixes) if fixes else None,
        failures=dict(sorted(failures.items())),
    )


def speed(records: list[LoopRecord]) -> Speed:
    """The figures per tier and per verifier."""
    tiers: dict[str, list[LoopRecord]] = defaultdict(list)
    verifiers: dict[str, list[LoopRecord]] = defaultdict(list)
    for record in records:
        tiers[record.tier].append(record)
        if record.verifier:
            verifiers[record.verifier].append(record)
    return Speed(
        tiers={tier: figures(tiers[tier]) for tier in sorted(tiers)},
        verifiers={name: figures(verifiers[name]) for name in sorted(verifiers)},
    )
