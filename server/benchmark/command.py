"""`fixloop bench`: the options, and a run from the corpus to the report."""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

DEFAULT_STRATEGIES = ("fast-first", "frontier-only", "escalate", "serial")
CONFIG = "config"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `fixloop bench` (kept light: nothing heavy is imported here)."""
    parser.add_argument(
        "--corpus", type=Path, help="a folder of case folders (default: bench/corpus)"
    )
    parser.add_argument(
        "--cases",
        type=int,
        metavar="N",
        help="a sample of N good cases (by --seed), drawn after the corpus check",
    )
    parser.add_argument(
        "--case", action="append", default=[], metavar="ID", help="only this case (repeatable)"
    )
    parser.add_argument(
        "--strategies",
        default=",".join(DEFAULT_STRATEGIES),
        help="comma-separated, from: " + ", ".join(DEFAULT_STRATEGIES),
    )
    parser.add_argument(
        "--fast",
        default="mercury-class",
        metavar="PROFILE",
        help="the fast tier: a built-in profile (mercury-class, frontier-class), a .toml/.json "
        "profile file, either with overrides (mercury-class:ttft=0.5,tps=400,p=0.5), or `config` "
        "for the workspace's [models.fast]",
    )
    parser.add_argument(
        "--frontier",
        default="frontier-class",
        metavar="PROFILE",
        help="the frontier tier, as --fast",
    )
    parser.add_argument(
        "--workspace",
        type=Path,
        default=Path("."),
        help="where `config` tiers come from (.fixloop.toml or [tool.fixloop]), and whose daily "
        "budget pays for real models",
    )
    parser.add_argument(
        "--parallel", type=int, default=3, metavar="N", help="fast candidates in flight"
    )
    parser.add_argument(
        "--escalate-after", type=int, default=4, metavar="K", help="fast attempts before escalating"
    )
    parser.add_argument("--repeats", type=int, default=1, help="runs of each case and strategy")
    parser.add_argument(
        "--seed", type=int, default=7, help="for the sample and the simulated models"
    )
    parser.add_argument("--jobs", type=int, default=4, help="cases being fixed at once")
    parser.add_argument("--seconds", type=float, default=120.0, help="deadline of each loop")
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("fixloop-bench"),
        help="results.jsonl (resumable), summary.json and report.html go here",
    )
    parser.add_argument("--fresh", action="store_true", help="forget the results already in --out")
    parser.add_argument(
        "--check", action="store_true", help="only check the cases (exit 1 if any is bad)"
    )
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.add_argument("--no-progress", action="store_true")
    parser.add_argument("--open", action="store_true", help="open the report in a browser")


def default_corpus() -> Path | None:
    """bench/corpus here, or in the source tree fixloop runs from."""
    here = Path("bench/corpus")
    if here.is_dir():
        return here
    import fixloop

    source = Path(fixloop.__file__).resolve().parents[1] / "bench" / "corpus"
    return source if source.is_dir() else None


def _positive(args: argparse.Namespace) -> str | None:
    for name in ("parallel", "escalate_after", "repeats", "jobs"):
        if getattr(args, name) < 1:
            return f"--{name.replace('_', '-')} must be at least 1"
    if args.cases is not None and args.cases < 1:
        return "--cases must be at least 1"
    if args.seconds <= 0:
        return "--seconds must be greater than 0"
    return None


def run(args: argparse.Namespace) -> int:
    """The whole command; 0 when it ran, 2 when it could not."""
    import anyio
    from fixloop.benchmark.corpus import CorpusError, read_corpus, sample
    from fixloop.benchmark.profiles import ProfileError, resolve_profile
    from fixloop.benchmark.runner import (
        REQUESTS,
        Plan,
        RunError,
        Runner,
        TierSource,
        read_jsonl,
        selected_records,
    )
    from fixloop.benchmark.strategies import builtin_strategies
    from fixloop.config import Tier as ModelTier
    from fixloop.config import ConfigError, find_root

    problem = _positive(args)
    if problem:
        print(f"fixloop bench: {problem}", file=sys.stderr)
        return 2
    strategies = builtin_strategies(args.parallel, args.escalate_after)
    names = [n.strip() for n in args.strategies.split(",") if n.strip()]
    unknown = [n for n in names if n not in strategies]
    if unknown or not names:
        print(
            f"fixloop bench: unknown strategy {', '.join(unknown) or '(none)'} "
            f"(known: {', '.join(strategies)})",
            file=sys.stderr,
        )
        return 2
    chosen = tuple(strategies[n] for n in names)
    corpus = args.corpus or default_corpus()
    try:
        if corpus is None:
            raise CorpusError(
                "no corpus found: pass --corpus DIR (bench/corpus in fixloop's source)"
            )
        cases = read_corpus(corpus)
        if args.case:
            missing = sorted(set(args.case) - {c.id for c in cases})
            if missing:
                raise CorpusError(f"{corpus} has no case {', '.join(missing)}")
            cases = [c for c in cases if c.id in set(args.case)]
        tiers: dict[str, TierSource] = {}
        usd_per_day = None
        budget_root = None
        for tier in sorted({t for s in chosen for t in s.tiers}):
            spec = args.fast if tier == ModelTier.FAST else args.frontier
            if spec == CONFIG:
                from fixloop.config import load_settings

                root = find_root(args.workspace.resolve())
                # Untrusted: the workspace's file may not say where requests and keys go.
                assembled = load_settings(root, trusted=False)
                for notice in assembled.notices:
                    print(f"fixloop bench: {notice}", file=sys.stderr)
                settings = assembled.settings
                if tier not in settings.models:
                    raise ConfigError(
                        f"{root}: no [models.{tier}] to benchmark (`--{tier} config`)"
                    )
                tiers[tier] = TierSource(tier, model=settings.models[tier])
                usd_per_day, budget_root = settings.budget.usd_per_day, root
            else:
                tiers[tier] = TierSource(tier, profile=resolve_profile(spec))
    except (CorpusError, ProfileError, ConfigError, OSError) as exc:
        print(f"fixloop bench: {exc}", file=sys.stderr)
        return 2
    plan = Plan(
        corpus=corpus.resolve(),
        cases=tuple(cases),
        strategies=chosen,
        tiers=tiers,
        out=args.out,
        repeats=args.repeats,
        seed=args.seed,
        jobs=args.jobs,
        seconds=args.seconds,
        usd_per_day=usd_per_day,
        budget_root=budget_root,
    )
    if budget_root is not None:
        print(
            f"fixloop bench: real models are called; their spend counts against {budget_root}'s "
            f"daily budget (${usd_per_day:.2f}), and jobs stop when it is spent",
            file=sys.stderr,
        )
    from fixloop.benchmark.progress import make_progress

    progress = make_progress(not (args.no_progress or args.json))
    checked = None
    if args.check or (args.cases is not None and args.cases < len(plan.cases)):
        # The sample is drawn from the cases that pass the check, so --cases N runs N cases
        # whenever the corpus has that many good ones.
        checked = anyio.run(Runner(plan, progress).check)
        good_cases = [r.case for r in checked[0]]
        plan = replace(plan, cases=tuple(sample(good_cases, args.cases, args.seed)))
    if args.check:
        assert checked is not None
        ready, bad = checked
        for problem in bad:
            print(f"fixloop bench: bad case: {problem}", file=sys.stderr)
        trimmed = [r for r in ready if r.trimmed]
        for r in trimmed:
            print(f"fixloop bench: trimmed case: {r.case.id}: {r.trimmed}", file=sys.stderr)
        sampled = f"; a sample of {len(plan.cases)}" if len(plan.cases) < len(ready) else ""
        whole = f" ({len(ready) - len(trimmed)} whole, {len(trimmed)} trimmed)" if trimmed else ""
        print(f"{len(ready)} good cases{whole}, {len(bad)} bad{sampled}")
        return 1 if bad else 0
    if args.cases is not None and len(plan.cases) < args.cases:
        print(
            f"fixloop bench: --cases {args.cases}, but only {len(plan.cases)} cases are good",
            file=sys.stderr,
        )
    try:
        run_info = anyio.run(Runner(plan, progress).run, args.fresh)
    except RunError as exc:
        print(f"fixloop bench: {exc}", file=sys.stderr)
        return 2
    bad = run_info["sessions"][-1].get("bad_cases", [])
    if checked is not None:  # the cases the sample left out for being bad are still reported
        bad = sorted({*bad, *checked[1]})
    bad_ids = {b.split(":", 1)[0] for b in bad}
    good = {c.id for c in plan.cases} - bad_ids
    summary, info = write_outputs(plan, run_info, good, read_jsonl(plan.out / REQUESTS), bad)
    records = selected_records(plan, good)
    if args.json:
        print(json.dumps({**summary, "run": info}, indent=2))
    else:
        from fixloop.benchmark.table import render_table

        print(render_table(summary))
        print(f"\nreport: {(plan.out / 'report.html').resolve()}")
    if args.open:
        import webbrowser

        webbrowser.open((plan.out / "report.html").resolve().as_uri())
    return 0 if records else 1


def write_outputs(
    plan, run_info: dict[str, Any], good: set[str], requests: list[dict[str, Any]], bad: list[str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """summary.json and report.html from the results in plan.out."""
    from fixloop.benchmark.figures import summarize
    from fixloop.benchmark.report import render
    from fixloop.benchmark.runner import selected_records

    records = selected_records(plan, good)
    pace = {
        name: (t.profile.ttft, t.profile.tokens_per_second)
        for name, t in plan.tiers.items()
        if t.profile is not None
    }
    names = [s.name for s in plan.strategies]
    summary = summarize(records, requests, names, pace)
    info = {
        "corpus": str(plan.corpus),
        "repeats": plan.repeats,
        "seed": plan.seed,
        "strategies": {s.name: f"{s.summary} ({s.describe()})" for s in plan.strategies},
        "tiers": {name: t.describe() for name, t in plan.tiers.items()},
        "sessions": run_info["sessions"],
        "cpus": run_info["sessions"][-1].get("cpus"),
        "bad_cases": bad,
        "finished": time.time(),
    }
    (plan.out / "summary.json").write_text(
        json.dumps({**summary, "run": info}, indent=2), encoding="utf-8"
    )
    (plan.out / "report.html").write_text(render(summary, records, info), encoding="utf-8")
    return summary, info
