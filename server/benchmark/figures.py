"""The figures of a run, per strategy and tier, from its job records (pure functions).

- success rate: jobs with a verified fix / jobs;
- time to a verified fix: median and p95 over the fixed jobs (seconds from the
  first loop's start to the verified candidate, escalation included);
- verified fixes per minute: fixes / the jobs' summed wall-clock minutes (one
  diagnostic at a time);
- attempts per fix, dollars per fix: everything spent (fixed or not) / fixes;
- why attempts failed: each failed attempt's outcome and the stem of its reason;
- verified fixes against the ground truth: the same text, equivalent (the same
  syntax tree for Python, the same tokens without comments otherwise) or a
  behaviour change (benchmark/equivalence.py);
- where the time went: the attempts' summed seconds split into waiting for the
  model (a single local model's turn and start included), the verifiers (their
  queue included) and the engine's own overhead
  (prompting, parsing, the anti-cheat policy, scheduling; with simulated models
  also the HTTP client and streaming: a reply's time beyond the simulator's
  intended pace and its median lateness).
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

COMPARISONS = (
    ("fast-first", "frontier-only"),
    ("fast-first", "serial"),
    ("escalate", "frontier-only"),
    ("frontier-only", "serial"),
)


def percentile(values: Iterable[float], q: float) -> float | None:
    """The q-th percentile (0-100), linear between the closest ranks; None for no values."""
    data = sorted(values)
    if not data:
        return None
    position = (len(data) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return data[low] + (data[high] - data[low]) * (position - low)


def reason_stem(attempt: dict[str, Any]) -> str:
    """Why an attempt failed, in words that group alike failures."""
    outcome = attempt["outcome"]
    reason = attempt.get("reason") or ""
    stem = re.split(r"[:(]", reason, maxsplit=1)[0].strip()
    stem = re.sub(r"\d+", "N", stem)[:70]
    if outcome == "failed verification" and attempt.get("verifier"):
        return f"{outcome} ({attempt['verifier']}): {stem}"
    return f"{outcome}: {stem}" if stem else outcome


def _ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def _per(total: float, count: int) -> float | None:
    return total / count if count else None


Pace = dict[str, tuple[float, float]]  # simulated tier -> (seconds to first token, tokens/s)


def intended_seconds(pace: tuple[float, float], output_tokens: int) -> float:
    """How long the simulator means a reply of `output_tokens` to take (one token per piece)."""
    ttft, tokens_per_second = pace
    return ttft + max(0, output_tokens - 1) / tokens_per_second


def strategy_figures(
    records: list[dict[str, Any]], requests: list[dict[str, Any]], pace: Pace | None = None
) -> dict[str, Any]:
    """The figures of one strategy's jobs (and the simulator's requests for them)."""
    pace = pace or {}
    jobs = len(records)
    fixed = [r for r in records if r["fixed"]]
    times = [r["time_to_fix"] for r in fixed]
    attempts = [a for r in records for a in r["attempts"]]
    wall = sum(r["seconds"] for r in records)
    usd = sum(r["usd"] for r in records)
    attempt_seconds = sum(a["seconds"] for a in attempts)
    model = sum(a["model_seconds"] for a in attempts)
    verify = sum(a["verify_seconds"] for a in attempts)
    engine = max(0.0, attempt_seconds - model - verify)
    # Simulated replies received whole: their time beyond the simulator's pace and beyond its
    # own lateness (a loaded machine may wake it late) is the HTTP client's and the event loop's.
    simulated = bool(requests)
    late = percentile(
        (q["seconds"] - q["intended_seconds"] for q in requests if q.get("completed")), 50
    )
    transport = sum(
        max(
            0.0,
            a["model_seconds"]
            - intended_seconds(pace[a["tier"]], a["output_tokens"])
            - max(late or 0.0, 0.0),
        )
        for a in attempts
        if a["tier"] in pace and a["outcome"] != "provider error" and a["output_tokens"]
    )
    failures = Counter(reason_stem(a) for a in attempts if a["outcome"] != "verified")
    by_tier: dict[str, Any] = {}
    for tier in sorted({a["tier"] for a in attempts} | {r["fix_tier"] for r in fixed}):
        mine = [a for a in attempts if a["tier"] == tier]
        by_tier[tier] = {
            "attempts": len(mine),
            "fixes": sum(1 for r in fixed if r["fix_tier"] == tier),
            "usd": sum(a["usd"] for a in mine),
            "model_seconds_median": percentile((a["model_seconds"] for a in mine), 50),
            "output_tokens_median": percentile((a["output_tokens"] for a in mine), 50),
            "outcomes": dict(Counter(a["outcome"] for a in mine)),
        }
    by_kind: dict[str, Any] = {}
    for kind in sorted({r["kind"] for r in records}):
        mine = [r for r in records if r["kind"] == kind]
        done = [r["time_to_fix"] for r in mine if r["fixed"]]
        by_kind[kind] = {
            "jobs": len(mine),
            "success_rate": len(done) / len(mine),
            "median_seconds": percentile(done, 50),
        }
    return {
        "jobs": jobs,
        "fixed": len(fixed),
        "success_rate": len(fixed) / jobs if jobs else None,
        "median_seconds": percentile(times, 50),
        "p95_seconds": percentile(times, 95),
        "p25_seconds": percentile(times, 25),
        "p75_seconds": percentile(times, 75),
        "fixes_per_minute": _per(len(fixed), wall / 60) if wall else None,
        "attempts": len(attempts),
        "attempts_per_fix": _per(len(attempts), len(fixed)),
        "usd": usd,
        "usd_per_fix": _per(usd, len(fixed)),
        "wall_seconds": wall,
        "matches_truth": sum(1 for r in fixed if r.get("matches_truth")),
        "verdicts": verdicts(fixed),
        "time": {
            "attempt_seconds": attempt_seconds,
            "model_seconds": model - transport,
            "verify_seconds": verify,
            "engine_seconds": engine + transport,
            "engine_share": _ratio(engine + transport, attempt_seconds),
            "transport_seconds": transport,
            "simulator_late_seconds": late,
        },
        "requests": {
            "sent": len(requests),
            "abandoned": sum(1 for q in requests if not q.get("completed")),
            "answers": dict(Counter(q["answer"] for q in requests)),
        }
        if simulated
        else None,
        "failures": dict(failures.most_common()),
        "by_tier": by_tier,
        "by_kind": by_kind,
    }


VERDICTS = ("same", "equivalent", "behaviour change")  # benchmark/equivalence.py's Verdict


def verdicts(fixed: list[dict[str, Any]]) -> dict[str, int]:
    """The fixed jobs by their verdict against the ground truth (records without one: unknown)."""
    counts = Counter(r.get("verdict", "unknown") for r in fixed)
    names = (*VERDICTS, "unknown")
    return {name: counts[name] for name in names if counts[name] or name != "unknown"}


def summarize(
    records: list[dict[str, Any]],
    requests: list[dict[str, Any]],
    strategies: list[str],
    pace: Pace | None = None,
) -> dict[str, Any]:
    """Every strategy's figures, the headline ratios and the engine's overhead overall."""
    by_strategy: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        by_strategy[record["strategy"]].append(record)
    wanted = {(r["case"], r["strategy"], r["repeat"]) for r in records}
    asked: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for request in requests:
        if (request["case"], request["strategy"], request["repeat"]) in wanted:
            asked[request["strategy"]].append(request)
    figures = {
        name: strategy_figures(by_strategy[name], asked[name], pace)
        for name in strategies
        if by_strategy[name]
    }
    comparisons = []
    for a, b in COMPARISONS:
        if a in figures and b in figures:
            fa, fb = figures[a], figures[b]
            comparisons.append(
                {
                    "a": a,
                    "b": b,
                    "median_ratio": _ratio(fa["median_seconds"], fb["median_seconds"]),
                    "p95_ratio": _ratio(fa["p95_seconds"], fb["p95_seconds"]),
                    "usd_per_fix_ratio": _ratio(fa["usd_per_fix"], fb["usd_per_fix"]),
                    "success_a": fa["success_rate"],
                    "success_b": fb["success_rate"],
                    "median_a": fa["median_seconds"],
                    "median_b": fb["median_seconds"],
                }
            )
    total = sum(f["time"]["attempt_seconds"] for f in figures.values())
    engine = sum(f["time"]["engine_seconds"] for f in figures.values())
    return {
        "strategies": figures,
        "comparisons": comparisons,
        "engine_share": _ratio(engine, total),
        "cases": len({r["case"] for r in records}),
        "jobs": len(records),
    }
