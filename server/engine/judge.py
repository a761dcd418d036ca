"""Judging one diagnostic's candidates: anti-cheat, the verifiers on a shadow copy, the tests.

Every candidate goes through the same judge, whoever made it (a model, the
tool's own fix, the memory of fixes). Candidates that differ only in
whitespace within lines are judged once: the second gets the first's number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import anyio

from fixloop.engine import anticheat
from fixloop.engine.gate import verify
from fixloop.engine.testgate import TestGate
from fixloop.engine.values import Outcome, Snapshot
from fixloop.engine.window import Assembled, Window
from fixloop.verifiers.base import Finding, Verifier

_RUNS = re.compile(r"[ \t]+")


def normalised(text: str) -> str:
    """The text with whitespace normalised where Python does not care about it.

    Indentation is kept (it is syntax); runs of blanks inside a line become one
    blank, trailing blanks, line-ending styles and trailing blank lines go.
    """
    out = []
    for line in text.splitlines():
        body = line.lstrip(" \t")
        indent = line[: len(line) - len(body)]
        out.append(indent + _RUNS.sub(" ", body).rstrip() if body else "")
    return "\n".join(out).rstrip("\n")


@dataclass(frozen=True, slots=True)
class Judgement:
    outcome: Outcome  # VERIFIED, REJECTED, DUPLICATE or FAILED
    reason: str
    verifier: str | None = None  # the gate that failed it
    verify_seconds: float = 0.0
    test_seconds: float = 0.0


class Judge:
    """The gate for one diagnostic on one snapshot."""

    def __init__(
        self,
        *,
        snapshot: Snapshot,
        finding: Finding,
        baseline: tuple[Finding, ...],
        window: Window,
        verifiers: tuple[Verifier, ...],
        limiter: anyio.CapacityLimiter,
        test_gate: TestGate | None = None,
    ) -> None:
        self.snapshot = snapshot
        self.finding = finding
        self.baseline = baseline
        self.window = window
        self.verifiers = verifiers
        self.limiter = limiter
        self.test_gate = test_gate
        self._seen: dict[str, int] = {}

    async def __call__(self, candidate: Assembled, number: int) -> Judgement:
        rejection = anticheat.review(
            self.snapshot.text, candidate.text, self.finding, self.window, self.snapshot.language
        )
        if rejection:
            return Judgement(Outcome.REJECTED, rejection)
        key = normalised(candidate.text)
        if key in self._seen:
            return Judgement(Outcome.DUPLICATE, f"the same candidate as attempt {self._seen[key]}")
        self._seen[key] = number
        verdict = await verify(
            candidate.text,
            self.snapshot,
            self.baseline,
            self.finding,
            self.verifiers,
            self.limiter,
            candidate.changed,
        )
        if not verdict.passed:
            return Judgement(Outcome.FAILED, verdict.reason, verdict.verifier, verdict.seconds)
        if self.test_gate is None:
            return Judgement(Outcome.VERIFIED, "verified", verify_seconds=verdict.seconds)
        # The slowest gate runs last, only on candidates every cheap verifier passed.
        async with self.limiter:
            tests = await self.test_gate.check(self.snapshot, candidate.text)
        if not tests.passed:
            return Judgement(Outcome.FAILED, tests.reason, "tests", verdict.seconds, tests.seconds)
        return Judgement(Outcome.VERIFIED, "verified", None, verdict.seconds, tests.seconds)
