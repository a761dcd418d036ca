"""The fault, bad-input and trust figures for docs/faults.md: how many cases run, how many pass.

    .venv/bin/python tests/figures.py            # runs the marked tests once, prints a table

It runs `pytest -m "fault or badinput or trust"` with hypothesis' statistics,
then counts per marker the test cases (parametrized cases each count) that
passed, and the examples hypothesis generated for the fuzzed ones.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MARKERS = ("fault", "badinput", "trust")
# hypothesis 6: "- 2000 passing, 0 failing, and 12 invalid test cases" (per phase)
PASSING = re.compile(r"(\d+) passing(?: examples?)?, (\d+) failing")
STATS_FOR = re.compile(r"^(tests/\S+::\S+?):\s*$")


def pytest(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def collected(marker: str) -> set[str]:
    run = pytest("--collect-only", "-q", "-m", marker)
    return {line.strip() for line in run.stdout.splitlines() if "::" in line}


def main() -> int:
    cases = {marker: collected(marker) for marker in MARKERS}
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "junit.xml"
        run = pytest(
            "-q",
            "-m",
            " or ".join(MARKERS),
            "--hypothesis-show-statistics",
            f"--junit-xml={report}",
        )
        tree = ET.parse(report)
    passed = set()
    for case in tree.iter("testcase"):
        if not any(case.find(tag) is not None for tag in ("failure", "error", "skipped")):
            module = case.get("classname", "").replace(".", "/")
            passed.add(f"{module}.py::{case.get('name')}")
    examples: dict[str, tuple[int, int]] = {}
    current = None
    for line in run.stdout.splitlines():
        if match := STATS_FOR.match(line.strip()):
            current = match.group(1)
        elif (match := PASSING.search(line)) and current:
            ok, bad = examples.get(current, (0, 0))
            examples[current] = (ok + int(match.group(1)), bad + int(match.group(2)))
    print("| kind | cases | passed | hypothesis examples (failing) |")
    print("|---|---|---|---|")
    for marker in MARKERS:
        ids = cases[marker]
        fuzzed = [examples[i] for i in ids if i in examples]
        generated = sum(ok + bad for ok, bad in fuzzed)
        failing = sum(bad for _, bad in fuzzed)
        print(
            f"| {marker} | {len(ids)} | {len(ids & passed)} | "
            f"{generated} ({failing}) in {len(fuzzed)} tests |"
        )
    print(f"\npytest: {run.stdout.strip().splitlines()[-1] if run.stdout.strip() else run.stderr}")
    return run.returncode


if __name__ == "__main__":
    sys.exit(main())
