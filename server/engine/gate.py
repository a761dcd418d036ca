"""The gate: the same verifiers that raised a diagnostic, run on a candidate.

A candidate passes when the target diagnostic is gone and no verifier reports
anything that was not there before. Cheapest verifier first; the first failure
stops the gate and its reason feeds the next attempt. A verifier that errors
or times out is a failure, never a pass.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass

import anyio

from fixloop.engine.values import Snapshot
from fixloop.verifiers.base import CheckRequest, Finding, Verifier, VerifierError

SYNTAX_CODES = {("ruff", "invalid-syntax"), ("mypy", "syntax")}


def is_syntax_error(finding: Finding) -> bool:
    return finding.source == "python" or (finding.source, finding.code) in SYNTAX_CODES


@dataclass(frozen=True, slots=True)
class Verdict:
    passed: bool
    reason: str = ""
    verifier: str | None = None
    seconds: float = 0.0


def _describe(finding: Finding) -> str:
    return (
        f"{finding.source} {finding.code} at line {finding.span.start_line + 1}: "
        f"{finding.message}"
    )


def judge(
    verifier: str,
    before: tuple[Finding, ...],
    after: tuple[Finding, ...],
    target: Finding,
    changed: tuple[tuple[int, int], ...],
) -> str | None:
    """Why `after` (the candidate's findings from one verifier) fails, or None.

    `before` is the original text's findings. When the original did not parse,
    the tools could not see past the error (Python reports only the first one,
    ruff skips most rules), so findings they report only now are held against
    the candidate only where it changed lines (`changed`, in the candidate's
    coordinates).
    """
    allowed = Counter(f.key for f in before if f.source == verifier)
    if target.source == verifier:
        allowed[target.key] -= 1
    masked = any(is_syntax_error(f) for f in before)
    seen: Counter[tuple[str, str, str]] = Counter()
    for finding in after:
        seen[finding.key] += 1
        if seen[finding.key] <= allowed[finding.key]:
            continue
        if finding.key == target.key:
            return f"the diagnostic is still reported: {_describe(finding)}"
        if masked:
            line = finding.span.start_line
            if not any(start <= line < end for start, end in changed):
                continue
        return f"new diagnostic: {_describe(finding)}"
    return None


async def verify(
    candidate: str,
    snapshot: Snapshot,
    baseline: tuple[Finding, ...],
    target: Finding,
    verifiers: tuple[Verifier, ...],
    changed: tuple[tuple[int, int], ...],
    limiter: anyio.CapacityLimiter,
) -> Verdict:
    """Run the gate's verifiers on `candidate` in order; stop at the first failure."""
    started = time.perf_counter()
    request = CheckRequest(candidate, snapshot.path, snapshot.root)
    for verifier in verifiers:
        try:
            async with limiter:
                after = await verifier.check(request)
        except VerifierError as exc:
            return Verdict(False, f"{verifier.name} gave no verdict: {exc}", verifier.name,
                           time.perf_counter() - started)
        reason = judge(verifier.name, baseline, after, target, changed)
        if reason:
            return Verdict(False, reason, verifier.name, time.perf_counter() - started)
    return Verdict(True, seconds=time.perf_counter() - started)
