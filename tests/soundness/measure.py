"""The judge on a corpus of real bugs: how many ground-truth fixes it accepts, and why it refuses.

    python tests/soundness/measure.py tests/soundness/real/python.jsonl [--policy old.py] [--gate]

Each case goes through what a loop does with a candidate: the loop's window
for the diagnostic, then the anti-cheat policy (with `--gate`, then the real
verifiers on the shadow text). `--policy FILE` loads another anticheat module
(the old one, from git) to compare. Prints the figures and every refusal.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import anyio
from fixloop.engine import anticheat
from fixloop.engine.findings import run_checks
from fixloop.engine.gate import verify
from fixloop.engine.results import Snapshot
from fixloop.engine.testgate import TestGate
from fixloop.engine.window import make_window
from fixloop.verifiers import Finding, Span
from fixloop.verifiers.languages import detect
from fixloop.verifiers.registry import make_verifiers

GATES = {"python": ("python", "ruff"), "cpp": ("g++",), "c": ("gcc",)}


def load_policy(path: str | None):
    if path is None:
        return anticheat
    spec = importlib.util.spec_from_file_location("policy_under_test", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def language_of(case: dict) -> str:
    if "language" in case:
        return case["language"]
    found = detect(None, case["path"])
    return found.key if found else "python"


async def finding_of(case, root, limiter) -> tuple[Finding, tuple[Finding, ...], Snapshot]:
    path = root / case["path"]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(case["before"])
    for name, text in case.get("files", {}).items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    language = language_of(case)
    snapshot = Snapshot(path.as_uri(), 1, case["before"], path, root, language=language)
    want = case["target"]
    if language not in GATES:  # eslint, tsc, cargo, go: the diagnostic as recorded
        line = want["line"] - 1
        finding = Finding(want["source"], want["code"], want.get("message", ""), Span(line, 0, line, 1))
        return finding, (finding,), snapshot
    verifiers = make_verifiers(GATES[language])
    check = await run_checks(snapshot, verifiers, limiter)
    for finding in check.findings:
        if (finding.source, finding.code, finding.span.start_line + 1) == (
            want["source"], want["code"], want["line"]
        ):
            return finding, check.findings, snapshot
    line = want["line"] - 1
    finding = Finding(want["source"], want["code"], want.get("message", ""), Span(line, 0, line, 1))
    return finding, check.findings, snapshot


async def judge(case, policy, root, limiter, gate: bool) -> tuple[str | None, float]:
    finding, baseline, snapshot = await finding_of(case, root, limiter)
    window = make_window(case["before"], finding)
    started = time.perf_counter()
    kwargs = {"root": root} if policy is anticheat else {}
    reason = policy.review(case["before"], case["after"], finding, window, snapshot.language, **kwargs)
    seconds = time.perf_counter() - started
    if reason or not gate or snapshot.language not in GATES:
        return reason, seconds
    verifiers = make_verifiers(GATES[snapshot.language])
    verdict = await verify(case["after"], snapshot, baseline, finding, verifiers, limiter)
    if not verdict.passed:
        return f"gate: {verdict.reason}", seconds
    if "gate_tests" in case:
        argv = [sys.executable if part == "python" else part for part in case["gate_tests"]]
        tests = await TestGate(tuple(argv), timeout=60).check(snapshot, case["after"])
        if not tests.passed:
            return f"tests: {tests.reason}", seconds
    return None, seconds


def judge_all(cases: list[dict], policy=anticheat, gate: bool = True) -> dict[str, str | None]:
    """Each case's refusal (None: accepted), two cases at a time, each in a workspace of its own."""
    results: dict[str, str | None] = {}

    async def run_all() -> None:
        limiter = anyio.CapacityLimiter(2)
        with tempfile.TemporaryDirectory() as tmp:

            async def one(case: dict) -> None:
                root = Path(tmp) / case["id"]
                root.mkdir()
                results[case["id"]] = (await judge(case, policy, root, limiter, gate))[0]

            async with anyio.create_task_group() as tg:
                for case in cases:
                    tg.start_soon(one, case)

    anyio.run(run_all)
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus", nargs="+")
    parser.add_argument("--policy", help="an anticheat.py to measure instead of this one")
    parser.add_argument("--gate", action="store_true", help="also run the verifiers (and tests)")
    args = parser.parse_args()
    policy = load_policy(args.policy)
    cases = [json.loads(line) for name in args.corpus for line in Path(name).read_text().splitlines()]
    results: dict[str, tuple[str | None, float]] = {}

    async def run_all():
        limiter = anyio.CapacityLimiter(2)
        with tempfile.TemporaryDirectory() as tmp:
            async def one(case):
                root = Path(tmp) / case["id"]
                root.mkdir()
                results[case["id"]] = await judge(case, policy, root, limiter, args.gate)

            async with anyio.create_task_group() as tg:
                for case in cases:
                    tg.start_soon(one, case)

    anyio.run(run_all)
    honest = [c for c in cases if c["kind"] == "honest"]
    cheats = [c for c in cases if c["kind"] != "honest"]
    refused = [c for c in honest if results[c["id"]][0]]
    slowest = max(seconds for _, seconds in results.values())
    print(f"honest accepted: {len(honest) - len(refused)}/{len(honest)}"
          f" ({100 * (len(honest) - len(refused)) / max(len(honest), 1):.1f} %)")
    if cheats:
        accepted = [c for c in cheats if not results[c["id"]][0]]
        print(f"cheats accepted: {len(accepted)}/{len(cheats)}")
        for case in accepted:
            print(f"! {case['id']} accepted: {case['why']}")
    print(f"slowest review: {slowest * 1000:.1f} ms")
    kinds = Counter(reason.split(":")[0] for reason, _ in (results[c["id"]] for c in refused))
    for kind, count in kinds.most_common():
        print(f"  {count:3d}  {kind}")
    for case in refused:
        t = case["target"]
        print(f"- {case['id']} {t['source']} {t['code']} line {t['line']}: {results[case['id']][0]}")
    sys.exit(0)


if __name__ == "__main__":
    main()
