"""Speed against smarts on the offline models: 0.5B as the fast tier vs 1.5B alone.

The same small cases (the shipped examples and a few generated ones) run as
fix loops on each model, interleaved so that both see the same machine load.
For each: the success rate, the time to a verified fix (median, p95) and the
attempts per fix; "0.5B then 1.5B" composes the two runs of a case the way
escalation would (the 1.5B loop starts once the 0.5B one gave up).

    python bench/local_models.py --repeats 3          # needs fixloop[local,local-large]

Each model's process is started and warmed before the clock runs. The load
average is printed with the figures: the numbers only mean something beside it.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import anyio
from fixloop.config import BudgetSettings, Settings
from fixloop.engine.findings import run_checks
from fixloop.engine.results import LoopStatus, Snapshot
from fixloop.engine.toolbox import Toolbox
from fixloop.engine.window import make_window
from fixloop.providers import ChatRequest, Message
from fixloop.providers.local import LARGE, SMALL, local_settings

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
GENERATED = {
    "for_colon.py": (
        "def total(xs: list[int]) -> int:\n    s = 0\n"
        "    for x in xs\n        s += x\n    return s\n"
    ),
    "missing_os.py": '"""Where am I."""\n\n\ndef here() -> str:\n    return os.getcwd()\n',
    "unclosed_paren.py": 'def greet(name: str) -> None:\n    print("hello", name\n\n\ngreet("a")\n',
    "typo_name.py": (
        "def area(width: float, height: float) -> float:\n"
        "    result = width * height\n    return reslt\n"
    ),
    "def_colon.py": "def double(x: int) -> int\n    return 2 * x\n",
}


@dataclass(frozen=True)
class Run:
    case: str
    model: str
    fixed: bool
    seconds: float
    attempts: int
    status: str


def cases(folder: Path) -> dict[str, str]:
    found = {p.name: p.read_text() for p in sorted(EXAMPLES.glob("*.py"))}
    found.update(GENERATED)
    for name, text in found.items():
        (folder / name).write_text(text)
    return found


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


async def run_case(
    toolbox: Toolbox, settings: Settings, folder: Path, name: str, text: str
) -> list[Run]:
    path = folder / name
    snapshot = Snapshot(path.as_uri(), 0, text, path, folder)
    check = await run_checks(snapshot, toolbox.verifiers(settings), toolbox.verify_limiter)
    runs = []
    for finding in check.shown[:1]:  # each case has one finding to fix
        loop = toolbox.loop(
            "fast", settings, snapshot, finding, check.findings, make_window(text, finding)
        )
        result = await loop.run()
        runs.append(
            Run(
                name,
                settings.models["fast"].model,
                result.status is LoopStatus.FIXED,
                result.seconds,
                len(result.attempts),
                result.status.value,
            )
        )
    return runs


def summary(label: str, runs: list[tuple[bool, float, int]]) -> dict:
    times = [seconds for fixed, seconds, _ in runs if fixed]
    attempts = [n for fixed, _, n in runs if fixed]
    return {
        "setup": label,
        "fixed": f"{len(times)}/{len(runs)}",
        "success": round(len(times) / len(runs), 3) if runs else 0.0,
        "median_s": round(statistics.median(times), 2) if times else None,
        "p95_s": round(percentile(times, 0.95), 2) if times else None,
        "attempts_per_fix": round(statistics.mean(attempts), 2) if attempts else None,
    }


async def main_async(args: argparse.Namespace) -> int:
    toolbox = Toolbox()
    budget = BudgetSettings(attempts=args.attempts, parallel=args.parallel, seconds=args.seconds)
    models = [local_settings(SMALL), local_settings(LARGE)]
    load_before = os.getloadavg()
    started = time.perf_counter()
    runs: list[Run] = []
    try:
        for model in models:  # start and warm each child before the clock runs
            await toolbox.provider(model).complete(
                ChatRequest(
                    system="Answer in one word.",
                    messages=(Message("user", "Say OK."),),
                    max_tokens=4,
                )
            )
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            all_cases = cases(folder)
            for repeat in range(args.repeats):
                for name, text in all_cases.items():
                    for model in models if repeat % 2 == 0 else models[::-1]:
                        settings = Settings(models={"fast": model}, budget=budget)
                        for run in await run_case(toolbox, settings, folder, name, text):
                            runs.append(run)
                            print(
                                f"{run.case:22} {run.model:20} {run.status:9} {run.seconds:6.1f} s "
                                f"{run.attempts} attempt(s)",
                                file=sys.stderr,
                                flush=True,
                            )
    finally:
        await toolbox.aclose()
    load_after = os.getloadavg()

    def of(model: str) -> list[Run]:
        return [r for r in runs if r.model == model]

    small, large = of(SMALL.name), of(LARGE.name)
    composed = []
    for a, b in zip(small, large):  # same case, same repeat
        composed.append(
            (True, a.seconds, a.attempts)
            if a.fixed
            else (b.fixed, a.seconds + b.seconds, a.attempts + b.attempts)
        )
    table = [
        summary(f"{SMALL.name} (fast tier)", [(r.fixed, r.seconds, r.attempts) for r in small]),
        summary(f"{LARGE.name} alone", [(r.fixed, r.seconds, r.attempts) for r in large]),
        summary("0.5B, then 1.5B if it gave up (composed)", composed),
    ]
    report = {
        "cases": len(GENERATED) + len(list(EXAMPLES.glob("*.py"))),
        "repeats": args.repeats,
        "budget": {"attempts": args.attempts, "parallel": args.parallel, "seconds": args.seconds},
        "threads": toolbox.local.threads,
        "cores": os.cpu_count(),
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in load_after],
        "wall_s": round(time.perf_counter() - started, 1),
        "table": table,
        "runs": [r.__dict__ for r in runs],
    }
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))
    print(
        f"{report['cases']} cases x {args.repeats} repeats; budget {report['budget']}; "
        f"{report['threads']} thread(s) on {report['cores']} cores; load average "
        f"{load_before[0]:.1f} before, {load_after[0]:.1f} after; {report['wall_s']} s in all"
    )
    print(f"{'setup':44} {'fixed':>7} {'median s':>9} {'p95 s':>7} {'attempts/fix':>13}")
    for row in table:
        print(
            f"{row['setup']:44} {row['fixed']:>7} {str(row['median_s']):>9} "
            f"{str(row['p95_s']):>7} {str(row['attempts_per_fix']):>13}"
        )
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--attempts", type=int, default=6)
    parser.add_argument("--parallel", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--json", help="also write the figures and every run to this file")
    return anyio.run(main_async, parser.parse_args())


if __name__ == "__main__":
    sys.exit(main())
