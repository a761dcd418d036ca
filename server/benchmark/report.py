"""The HTML report: one self-contained file (inline SVG and CSS, nothing fetched)."""

from __future__ import annotations

import datetime
from collections import Counter
from html import escape
from typing import Any

from fixloop import __version__
from fixloop.benchmark.figures import VERDICTS
from fixloop.benchmark.svg import PALETTE, Axis, Series, box_chart, line_chart, stacked_bars

OUTCOMES = (
    ("unusable reply", "#bbbbbb"),
    ("rejected by the anti-cheat policy", "#e7298a"),
    ("failed verification", "#d95f02"),
    ("provider error", "#666666"),
)
TIME_PARTS = (("model", "#7570b3"), ("verifiers", "#1b9e77"), ("engine", "#e6ab02"))

CSS = """
body { font-family: system-ui, -apple-system, 'Segoe UI', sans-serif; margin: 2em auto;
       max-width: 1360px; color: #222; padding: 0 1em; }
h1 { margin-bottom: 0.2em; } h2 { margin-top: 1.6em; border-bottom: 1px solid #ddd; }
.lead { font-size: 1.15em; background: #f4f8f4; border-left: 4px solid #1b9e77; padding: 0.6em 1em; }
table { border-collapse: collapse; margin: 0.6em 0; font-size: 0.92em; }
th, td { padding: 0.3em 0.7em; border-bottom: 1px solid #e5e5e5; text-align: right;
         white-space: nowrap; }
td.text { white-space: normal; }
figure { margin: 0; } figcaption { font-weight: 600; margin: 0.3em 0; max-width: 640px; }
th:first-child, td:first-child, td.text, th.text { text-align: left; }
tr.tier td { color: #555; font-size: 0.95em; }
.charts { display: flex; flex-wrap: wrap; gap: 1.2em; }
.chart { background: #fff; border: 1px solid #eee; }
.note { color: #555; font-size: 0.9em; max-width: 80em; }
code { background: #f3f3f3; padding: 0 0.25em; }
"""


NOTE = (
    "<p class=note>Success: cases with a verified fix. Median and p95: seconds from the first "
    "loop's start to the verified candidate, over fixed cases. Fixes per minute: fixes over the "
    "summed wall-clock of all cases, one at a time. Attempts and dollars per fix: everything "
    "spent, fixed or not, over the fixes. Engine overhead: the attempts' time not spent waiting "
    "for the model or in the verifiers (with simulated models, the replies' time beyond the "
    "simulator's pace counts as the engine's; waiting for a single local model's turn counts as "
    "the model's). Against the ground truth: verified fixes identical to the case's after/ file "
    "(same), equivalent to it (the same syntax tree for Python, the same tokens without comments "
    "for other languages), or a behaviour change, each fix's diff in results.jsonl.</p>"
)


def _num(value: Any, digits: int = 2, suffix: str = "") -> str:
    if value is None:
        return "–"
    return f"{value:,.{digits}f}{suffix}"


def _pct(value: Any) -> str:
    return "–" if value is None else f"{value * 100:.0f}%"


def _usd(value: Any) -> str:
    if value is None:
        return "–"
    return f"${value:.4f}" if value < 1 else f"${value:,.2f}"


def colors(strategies: list[str]) -> dict[str, str]:
    return {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(strategies)}


def headline(summary: dict[str, Any]) -> list[str]:
    """Sentences for the comparisons: the median ratios at their success rates."""
    lines = []
    for c in summary["comparisons"]:
        if c["median_ratio"] is None:
            continue
        lines.append(
            f"{c['a']} reaches a verified fix in {c['median_ratio']:.2f}× the median time of "
            f"{c['b']} ({_num(c['median_a'])} s vs {_num(c['median_b'])} s), at success rates of "
            f"{_pct(c['success_a'])} and {_pct(c['success_b'])}."
        )
    if summary.get("engine_share") is not None:
        lines.append(
            f"The engine's own overhead is {summary['engine_share'] * 100:.1f}% of the attempts' time."
        )
    return lines


def _verdicts(figures: dict[str, Any]) -> str:
    """`same / equivalent / behaviour change` counts of a strategy's fixes."""
    counts = figures.get("verdicts") or {}
    text = " / ".join(str(counts.get(name, 0)) for name in VERDICTS)
    if counts.get("unknown"):
        text += f" ({counts['unknown']} not classified)"
    return text


def _summary_table(summary: dict[str, Any], info: dict[str, Any]) -> str:
    head = (
        "<tr><th>strategy</th><th class=text>how</th><th>success</th><th>median s</th><th>p95 s</th>"
        "<th>fixes/min</th><th>attempts/fix</th><th>$/fix</th><th>engine overhead</th>"
        "<th>same / equivalent / behaviour change</th></tr>"
    )
    rows = []
    for name, f in summary["strategies"].items():
        rows.append(
            f"<tr><td><b>{escape(name)}</b></td><td class=text>{escape(info['strategies'].get(name, ''))}</td>"
            f"<td>{_pct(f['success_rate'])} ({f['fixed']}/{f['jobs']})</td>"
            f"<td>{_num(f['median_seconds'])}</td><td>{_num(f['p95_seconds'])}</td>"
            f"<td>{_num(f['fixes_per_minute'], 1)}</td><td>{_num(f['attempts_per_fix'])}</td>"
            f"<td>{_usd(f['usd_per_fix'])}</td><td>{_pct(f['time']['engine_share'])}</td>"
            f"<td>{_verdicts(f)}</td></tr>"
        )
        for tier, t in f["by_tier"].items():
            rows.append(
                f"<tr class=tier><td>&nbsp;&nbsp;{escape(tier)} tier</td><td class=text>"
                f"{t['attempts']} attempts, median reply {_num(t['model_seconds_median'])} s, "
                f"{_num(t['output_tokens_median'], 0)} tokens out</td><td>{t['fixes']} fixes</td>"
                f"<td></td><td></td><td></td><td></td><td>{_usd(t['usd'])} in all</td><td></td><td></td></tr>"
            )
    return f"<table>{head}{''.join(rows)}</table>"


def _kind_table(summary: dict[str, Any]) -> str:
    names = list(summary["strategies"])
    kinds = sorted({k for f in summary["strategies"].values() for k in f["by_kind"]})
    head = "<tr><th>case kind</th>" + "".join(f"<th>{escape(n)}</th>" for n in names) + "</tr>"
    rows = []
    for kind in kinds:
        cells = []
        for name in names:
            k = summary["strategies"][name]["by_kind"].get(kind)
            cells.append(
                f"<td>{_pct(k['success_rate'])}, {_num(k['median_seconds'])} s</td>"
                if k
                else "<td>–</td>"
            )
        rows.append(f"<tr><td>{escape(kind)}</td>{''.join(cells)}</tr>")
    return f"<table>{head}{''.join(rows)}</table>"


def _failure_table(summary: dict[str, Any]) -> str:
    rows = []
    for name, f in summary["strategies"].items():
        for reason, count in list(f["failures"].items())[:8]:
            rows.append(
                f"<tr><td>{escape(name)}</td><td class=text>{escape(reason)}</td><td>{count}</td></tr>"
            )
    return (
        "<table><tr><th>strategy</th><th class=text>why the attempt failed</th><th>attempts</th></tr>"
        + "".join(rows)
        + "</table>"
    )


def _profile_table(info: dict[str, Any]) -> str:
    rows = []
    for tier, t in info["tiers"].items():
        if t.get("simulated"):
            by_kind = ", ".join(f"{k} {v}" for k, v in t["p_right_by_kind"].items())
            wrong = ", ".join(f"{k} {v}" for k, v in t["wrong"].items())
            rows.append(
                f"<tr><td>{escape(tier)}</td><td class=text>simulated <b>{escape(t['name'])}</b> "
                f"({escape(t['protocol'])})</td><td>{t['ttft']:g} s</td><td>{t['tokens_per_second']:g}</td>"
                f"<td>{t['p_right']:g}{escape(' (' + by_kind + ')' if by_kind else '')}</td>"
                f"<td class=text>{escape(wrong)}</td><td>${t['usd_per_mtok_in']:g} / ${t['usd_per_mtok_out']:g}</td>"
                f"<td class=text>{escape(t.get('source') or '')}</td></tr>"
            )
        else:
            rows.append(
                f"<tr><td>{escape(tier)}</td><td class=text>{escape(t['model'])} at "
                f"{escape(t['base_url'])} ({escape(t['protocol'])})</td><td>–</td><td>–</td><td>–</td>"
                f"<td></td><td>${t['usd_per_mtok_in']:g} / ${t['usd_per_mtok_out']:g}</td>"
                f"<td class=text>the workspace's [models]</td></tr>"
            )
    return (
        "<table><tr><th>tier</th><th class=text>model</th><th>first token</th><th>tokens/s</th>"
        "<th>P(right)</th><th class=text>wrong replies</th><th>$/Mtok in / out</th>"
        "<th class=text>source</th></tr>" + "".join(rows) + "</table>"
    )


def _fixed_at(record: dict[str, Any]) -> int | None:
    for index, attempt in enumerate(record["attempts"], 1):
        if attempt["outcome"] == "verified":
            return index
    return None


def charts(summary: dict[str, Any], records: list[dict[str, Any]]) -> list[str]:
    names = list(summary["strategies"])
    color = colors(names)
    by: dict[str, list[dict[str, Any]]] = {
        n: [r for r in records if r["strategy"] == n] for n in names
    }
    times = [r["time_to_fix"] for r in records if r["fixed"] and r["time_to_fix"]]
    lo = max(min(times, default=0.1) * 0.8, 0.01)
    hi = max(max(times, default=1.0) * 1.2, lo * 10)
    time_axis = Axis(lo, hi, "seconds to a verified fix (log scale)", log=True)
    out = []
    # 1. Time to fix: the share of all jobs fixed within t seconds.
    series = []
    for name in names:
        jobs = by[name]
        done = sorted(r["time_to_fix"] for r in jobs if r["fixed"])
        points = [(lo, 0.0)] + [(t, (i + 1) / len(jobs)) for i, t in enumerate(done)]
        points.append((hi, len(done) / len(jobs)))
        series.append(Series(name, color[name], points, kind="step"))
    out.append(
        line_chart(
            "Time to a verified fix: share of all cases fixed within t",
            time_axis,
            Axis(0, 1, "cases fixed", percent=True),
            series,
        )
    )
    out.append(
        box_chart(
            "Time to a verified fix, fixed cases (box p25–p75, line median, whiskers p5–p95)",
            time_axis,
            [(n, color[n], [r["time_to_fix"] for r in by[n] if r["fixed"]]) for n in names],
        )
    )
    # 2. Success against attempts.
    top = max((len(r["attempts"]) for r in records), default=1)
    series = []
    for name in names:
        jobs = by[name]
        counts = Counter(_fixed_at(r) for r in jobs if r["fixed"])
        points, total = [(0.0, 0.0)], 0
        for k in range(1, top + 1):
            total += counts.get(k, 0)
            points.append((float(k), total / len(jobs)))
        series.append(Series(name, color[name], points, kind="step"))
    out.append(
        line_chart(
            "Success against attempts: share of cases fixed within k finished attempts (with N in flight, several finish together)",
            Axis(0, max(top, 1), "attempts finished (k)"),
            Axis(0, 1, "cases fixed", percent=True),
            series,
        )
    )
    # 3. Cost against time.
    costs = [r["usd"] for r in records if r["fixed"] and r["usd"] > 0]
    if costs:
        cost_axis = Axis(
            min(costs) * 0.7, max(costs) * 1.4, "dollars spent on the case (log scale)", log=True
        )
        series = []
        for name in names:
            fixed = [r for r in by[name] if r["fixed"] and r["usd"] > 0]
            f = summary["strategies"][name]
            median_cost = sorted(r["usd"] for r in fixed)[len(fixed) // 2] if fixed else None
            extra = [(f["median_seconds"], median_cost)] if fixed and f["median_seconds"] else []
            series.append(
                Series(
                    name,
                    color[name],
                    [(r["time_to_fix"], r["usd"]) for r in fixed],
                    kind="points",
                    marker=2.6,
                    extra=extra,
                )
            )
        out.append(
            line_chart(
                "Cost against time, per fixed case (squares: the medians)",
                time_axis,
                cost_axis,
                series,
            )
        )
    # 4. Where the attempts' time went.
    rows = []
    for name in names:
        t = summary["strategies"][name]["time"]
        rows.append((name, [t["model_seconds"], t["verify_seconds"], t["engine_seconds"]]))
    out.append(
        stacked_bars(
            "Where the attempts' time went",
            rows,
            list(TIME_PARTS),
            "share of the attempts' seconds",
            percent=True,
        )
    )
    # 5. Why attempts failed.
    rows = []
    for name in names:
        outcomes = Counter()
        for r in by[name]:
            for a in r["attempts"]:
                outcomes[a["outcome"]] += 1
        rows.append((name, [outcomes.get(label, 0) / len(by[name]) for label, _ in OUTCOMES]))
    out.append(
        stacked_bars(
            "Why attempts failed (failed attempts per case)",
            rows,
            list(OUTCOMES),
            "attempts per case",
        )
    )
    return out


def _figure(svg: str) -> str:
    """A chart with its title shown above it (the SVG's own <title> is only a tooltip)."""
    title = svg.split("<title>", 1)[1].split("</title>", 1)[0]
    return f"<figure><figcaption>{title}</figcaption>{svg}</figure>"


def render(summary: dict[str, Any], records: list[dict[str, Any]], info: dict[str, Any]) -> str:
    """The whole report as one HTML page."""
    when = datetime.datetime.fromtimestamp(info.get("finished") or 0).strftime("%Y-%m-%d %H:%M")
    loads = "; ".join(
        f"{s.get('load_before')} before, {s.get('load_after')} after ({s.get('ran', 0)} jobs, "
        f"{s.get('jobs')} at once)"
        for s in info.get("sessions", [])
    )
    bad = info.get("bad_cases") or []
    lead = "".join(f"<p>{escape(line)}</p>" for line in headline(summary))
    parts = [
        "<!doctype html><html lang=en><head><meta charset=utf-8>",
        "<title>fixloop bench: time to a verified fix</title>",
        f"<style>{CSS}</style></head><body>",
        "<h1>fixloop bench: time to a verified fix</h1>",
        (
            f"<p class=note>{summary['cases']} cases × {len(summary['strategies'])} strategies × "
            f"{info.get('repeats', 1)} repeat(s) = {summary['jobs']} jobs; corpus "
            f"<code>{escape(str(info.get('corpus', '')))}</code>; fixloop {escape(__version__)}; "
            f"finished {escape(when)}; {info.get('cpus')} CPUs, load average (1, 5, 15 min) "
            f"{escape(loads)}.</p>"
        ),
        f"<div class=lead>{lead}</div>",
        "<h2>Figures per strategy and tier</h2>",
        _summary_table(summary, info),
        NOTE,
        "<h2>Plots</h2><div class=charts>",
        *(_figure(chart) for chart in charts(summary, records)),
        "</div>",
        "<h2>Why attempts failed</h2>",
        _failure_table(summary),
        "<h2>By case kind (success, median seconds)</h2>",
        _kind_table(summary),
        "<h2>Models</h2>",
        _profile_table(info),
    ]
    if bad:
        parts.append("<h2>Bad cases, left out</h2><ul>")
        parts += [f"<li>{escape(b)}</li>" for b in bad]
        parts.append("</ul>")
    parts.append("</body></html>")
    return "\n".join(parts)
