"""Judging one diagnostic's candidates: anti-cheat, the verifiers on a shadow copy, the tests.

Every candidate goes through the same judge, whoever made it (a model, the
tool's own fix, the memory of fixes). Candidates that differ only in
whitespace within lines are judged once: the second gets the first's number.
A candidate that passes is reduced to the smallest subset of its hunks that
still passes (minimise.py), and titled by what that minimal edit does.
"""

from __future__ import annotations

import itertools
import re
import time
from dataclasses import dataclass

import anyio
from fixloop.engine import anticheat
from fixloop.engine.gate import verify
from fixloop.engine.hunks import Hunk, apply, hunks
from fixloop.engine.minimise import minimise
from fixloop.engine.results import Outcome, Snapshot
from fixloop.engine.testgate import TestGate
from fixloop.engine.titles import title
from fixloop.engine.window import Assembled, Window, assemble
from fixloop.text.lines import split_lines
from fixloop.verifiers.base import Finding, Verifier

_RUNS = re.compile(r"[ \t]+")
SALVAGE_HUNKS = 5  # a refused candidate with up to this many hunks is searched for a good part


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
    candidate: Assembled | None = None  # VERIFIED: the minimal candidate, to offer
    title: str = ""  # VERIFIED: what the minimal candidate does ("fixloop: import pathlib")


def _changed(subset: tuple[Hunk, ...]) -> tuple[tuple[int, int], ...]:
    """The lines the subset's hunks write, in the coordinates of the text they make."""
    out, shift = [], 0
    for hunk in sorted(subset, key=lambda h: h.start):
        start = hunk.start + shift
        out.append((start, start + max(len(hunk.new), 1)))
        shift += len(hunk.new) - (hunk.end - hunk.start)
    return tuple(out)


def reassemble(original: str, window: Window, subset: tuple[Hunk, ...]) -> Assembled | None:
    """The subset of hunks as a candidate of `window` (None if one falls outside its regions)."""
    lines = split_lines(original)
    texts = []
    placed = 0
    for region in window.regions:
        inside = tuple(
            Hunk(h.start - region.start, h.end - region.start, h.at, h.new)
            for h in subset
            if region.start <= h.start and h.end <= region.end
        )
        placed += len(inside)
        texts.append(apply(region.text(lines), inside) if inside else region.text(lines))
    if placed != len(subset):
        return None
    rebuilt = assemble(original, window, tuple(texts))
    return rebuilt if rebuilt.text == apply(original, subset) else None


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
        rejection = self._review(candidate.text)
        salvaged = self._salvage(candidate) if rejection else None
        if rejection and salvaged is None:
            return Judgement(Outcome.REJECTED, rejection)
        candidate = salvaged or candidate
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
        if not verdict.passed and rejection:
            return Judgement(Outcome.REJECTED, rejection, verify_seconds=verdict.seconds)
        if not verdict.passed:
            return Judgement(Outcome.FAILED, verdict.reason, verdict.verifier, verdict.seconds)
        started = time.perf_counter()
        minimal = await self._minimal(candidate)
        seconds = verdict.seconds + time.perf_counter() - started
        if self.test_gate is None:
            return self._verified(minimal, seconds)
        # The slowest gate runs last, only on candidates every cheap verifier passed.
        async with self.limiter:
            tests = await self.test_gate.check(self.snapshot, minimal.text)
        if not tests.passed and minimal is not candidate:
            minimal = candidate  # the tests may need what the cheap verifiers did not
            async with self.limiter:
                tests = await self.test_gate.check(self.snapshot, minimal.text)
        if not tests.passed:
            return Judgement(Outcome.FAILED, tests.reason, "tests", seconds, tests.seconds)
        return self._verified(minimal, seconds, tests.seconds)

    def _review(self, text: str) -> str | None:
        return anticheat.review(
            self.snapshot.text, text, self.finding, self.window, self.snapshot.language,
            root=self.snapshot.root,
        )

    def _verified(self, candidate: Assembled, seconds: float, test_seconds: float = 0.0) -> Judgement:
        return Judgement(
            Outcome.VERIFIED, "verified", None, seconds, test_seconds, candidate,
            title(self.snapshot.text, candidate.text),
        )

    def _salvage(self, candidate: Assembled) -> Assembled | None:
        """The largest part of a refused candidate that the policy accepts, if any.

        A small model often fixes the line and also touches something it should
        not: the fix is kept, the rest dropped (then the gate and minimisation
        judge what is left). Policy checks only: they take milliseconds.
        """
        parts = hunks(self.snapshot.text, candidate.text)
        if not 2 <= len(parts) <= SALVAGE_HUNKS:
            return None
        for size in range(len(parts) - 1, 0, -1):
            for subset in itertools.combinations(parts, size):
                if self._review(apply(self.snapshot.text, subset)) is None:
                    rebuilt = reassemble(self.snapshot.text, self.window, subset)
                    if rebuilt is not None:
                        return rebuilt
        return None

    async def _minimal(self, candidate: Assembled) -> Assembled:
        """The smallest subset of the candidate's hunks that still passes the cheap gate."""
        parts = hunks(self.snapshot.text, candidate.text)
        if len(parts) < 2:
            return candidate

        async def passes(subset: tuple[Hunk, ...]) -> bool:
            text = apply(self.snapshot.text, subset)
            if self._review(text):
                return False
            verdict = await verify(
                text, self.snapshot, self.baseline, self.finding, self.verifiers, self.limiter,
                _changed(subset),
            )
            return verdict.passed

        best = await minimise(parts, passes)
        if len(best) == len(parts):
            return candidate
        return reassemble(self.snapshot.text, self.window, best) or candidate
