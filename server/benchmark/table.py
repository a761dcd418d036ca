"""The figures as a plain-text table, for people."""

from __future__ import annotations

from typing import Any

from fixloop.benchmark.figures import VERDICTS
from fixloop.benchmark.report import _num, _pct, _usd, headline

COLUMNS = (
    ("success", 14),
    ("median s", 9),
    ("p95 s", 8),
    ("fixes/min", 10),
    ("att/fix", 8),
    ("$/fix", 10),
    ("overhead", 9),
)


def render_table(summary: dict[str, Any]) -> str:
    lines = [f"{'strategy':<16}" + "".join(f"{name:>{width}}" for name, width in COLUMNS)]
    for name, f in summary["strategies"].items():
        cells = (
            f"{_pct(f['success_rate'])} {f['fixed']}/{f['jobs']}",
            _num(f["median_seconds"]),
            _num(f["p95_seconds"]),
            _num(f["fixes_per_minute"], 1),
            _num(f["attempts_per_fix"]),
            _usd(f["usd_per_fix"]),
            _pct(f["time"]["engine_share"]),
        )
        lines.append(
            f"{name:<16}" + "".join(f"{c:>{w}}" for c, (_, w) in zip(cells, COLUMNS, strict=True))
        )
        for tier, t in f["by_tier"].items():
            lines.append(
                f"  {tier + ' tier':<14}{t['fixes']:>9} fixes, {t['attempts']} attempts, "
                f"median reply {_num(t['model_seconds_median'])} s, {_usd(t['usd'])} in all"
            )
        if f["fixed"]:
            counts = f.get("verdicts") or {}
            lines.append(
                "  against the ground truth: "
                + ", ".join(f"{counts.get(name, 0)} {name}" for name in VERDICTS)
            )
        top = list(f["failures"].items())[:3]
        if top:
            lines.append("  failed: " + "; ".join(f"{count}× {reason}" for reason, count in top))
    lines.append("")
    lines += headline(summary)
    return "\n".join(lines)
