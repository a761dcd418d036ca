"""The test gate: the project's tests, run on a shadow copy after the cheap gate.

Optional (`[gate] tests = [argv...]`) and only in a trusted workspace. A
candidate is rejected when it breaks a test that passed on the original;
tests already failing on the original do not block. For pytest the tests
that cover the file are selected when the layout shows them (`test_<mod>.py`),
and per-test results come from its JUnit XML report; for other commands the
exit status is compared, and a command that fails on the original cannot
judge anything, so it is not run again for that text.
"""

from __future__ import annotations

import hashlib
import os
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import anyio

from fixloop.engine.results import Snapshot
from fixloop.processes.run import run_tool
from fixloop.shadow.tree import SKIP, ShadowError, make_shadow_tree, remove_shadow_tree
from fixloop.verifiers.base import VerifierError

OUTPUT_TAIL = 1500


@dataclass(frozen=True, slots=True)
class TestRun:
    """One run of the test command."""

    __test__ = False  # not a pytest test class

    returncode: int
    failed: frozenset[str] | None  # failing test ids, when the tool reports them
    output: str
    seconds: float


@dataclass(frozen=True, slots=True)
class TestVerdict:
    passed: bool
    reason: str = ""
    seconds: float = 0.0


def is_pytest(argv: tuple[str, ...]) -> bool:
    return any(Path(part).name in ("pytest", "py.test") for part in argv[:3])


def covering_tests(root: Path, path: Path) -> list[Path]:
    """The test files that, by the usual naming, cover `path`."""
    names = {f"test_{path.stem}.py", f"{path.stem}_test.py"}
    if path.name in names or path.name.startswith("test_"):
        return [path]
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in SKIP]
        found += [Path(folder) / name for name in files if name in names]
    return sorted(found)


def failed_tests(junit_xml: str) -> frozenset[str]:
    """Ids of the failing and erroring test cases in a JUnit XML report."""
    tree = ET.fromstring(junit_xml)
    failed = set()
    for case in tree.iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            failed.add(f"{case.get('classname', '')}::{case.get('name', '')}")
    return frozenset(failed)


class TestGate:
    """Runs the configured test command on shadow copies; remembers original runs."""

    __test__ = False  # not a pytest test class

    def __init__(self, argv: tuple[str, ...], timeout: float = 120.0) -> None:
        self.argv = argv
        self.timeout = timeout
        self._baselines: dict[str, TestRun] = {}
        self._locks: dict[str, anyio.Lock] = {}

    async def _run(self, snapshot: Snapshot, text: str) -> TestRun:
        try:
            mirror = await anyio.to_thread.run_sync(
                make_shadow_tree, snapshot.root, snapshot.path, text
            )
        except (ShadowError, OSError) as exc:  # no verdict, never a crash
            raise VerifierError(f"the workspace cannot be mirrored for the tests: {exc}") from None
        try:
            argv = list(self.argv)
            report = mirror.parent / "junit.xml"
            if is_pytest(self.argv):
                argv += ["-p", "no:cacheprovider", f"--junit-xml={report}"]
                argv += [
                    str(mirror / test.relative_to(snapshot.root))
                    for test in covering_tests(snapshot.root, snapshot.path)
                ]
            # The shadow's modules must win over an editable install of the real project.
            paths = [str(mirror), str(mirror / "src"), os.environ.get("PYTHONPATH", "")]
            env = {
                **os.environ,
                "PYTHONDONTWRITEBYTECODE": "1",
                "PYTHONPATH": os.pathsep.join(p for p in paths if p),
            }
            run = await run_tool(argv, cwd=mirror, timeout=self.timeout, env=env)
            failed = None
            if report.is_file():
                try:
                    failed = failed_tests(report.read_text(encoding="utf-8", errors="replace"))
                except ET.ParseError:
                    failed = None
            output = (run.stdout + run.stderr).decode("utf-8", "replace")
            return TestRun(run.returncode, failed, output[-OUTPUT_TAIL:], run.seconds)
        finally:
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(remove_shadow_tree, mirror)

    async def baseline(self, snapshot: Snapshot) -> TestRun:
        """The tests on the original text, run once per text."""
        key = hashlib.sha256(f"{snapshot.path}\0{snapshot.text}".encode()).hexdigest()
        lock = self._locks.setdefault(key, anyio.Lock())
        async with lock:
            if key not in self._baselines:
                self._baselines[key] = await self._run(snapshot, snapshot.text)
        return self._baselines[key]

    async def check(self, snapshot: Snapshot, candidate: str) -> TestVerdict:
        started = time.perf_counter()
        try:
            original = await self.baseline(snapshot)
            if original.failed is None and original.returncode != 0:
                return TestVerdict(True, "the tests fail on the original; not judged",
                                   time.perf_counter() - started)
            run = await self._run(snapshot, candidate)
        except VerifierError as exc:
            return TestVerdict(False, f"the test gate gave no verdict: {exc}",
                               time.perf_counter() - started)
        seconds = time.perf_counter() - started
        if original.failed is not None and run.failed is not None:
            broken = sorted(run.failed - original.failed)
            if broken:
                return TestVerdict(
                    False,
                    f"the candidate breaks {len(broken)} test(s) that passed before: "
                    f"{', '.join(broken[:5])}\n{run.output}",
                    seconds,
                )
            if run.returncode in (0, 1):  # pytest: 1 = some tests failed (judged above)
                return TestVerdict(True, seconds=seconds)
        if run.returncode != 0:
            return TestVerdict(
                False, f"the tests fail with the candidate (exit {run.returncode}):\n{run.output}",
                seconds,
            )
        return TestVerdict(True, seconds=seconds)
