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

from fixloop.engine.results import Snapshot
from fixloop.verifiers.base import CheckRequest, Finding, Verifier, VerifierError

SYNTAX_CODES = {("ruff", "invalid-syntax"), ("mypy", "syntax")}
REVEALED_BELOW = 2  # lines below the last changed line where a syntax error was already there


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
    changed: tuple[tuple[int, int], ...] = (),
) -> str | None:
    """Why `after` (the candidate's findings from one verifier) fails, or None.

    `before` is the original text's findings. When the original did not parse,
    the tools could not see past the error (Python reports only the first one,
    ruff skips most rules): what they report now was hidden, not made by the
    candidate, so only syntax errors count against it (the anti-cheat policy
    has already refused syntax fixes that change names, numbers or operators).
    Python stops at the first syntax error, so one it reports well below the
    lines the candidate changed (`changed`, in the candidate's coordinates) is
    the next error of the original coming to light.
    """
    allowed = Counter(f.key for f in before if f.source == verifier)
    if target.source == verifier:
        allowed[target.key] -= 1
    masked = any(is_syntax_error(f) for f in before)
    still = [f for f in after if f.key == target.key]
    if len(still) > max(allowed[target.key], 0):
        return f"the diagnostic is still reported: {_describe(still[0])}"
    seen: Counter[tuple[str, str, str]] = Counter()
    for finding in after:
        seen[finding.key] += 1
        if seen[finding.key] <= allowed[finding.key]:
            continue
        if masked and not is_syntax_error(finding):
            continue
        if masked and verifier == "python" and changed:
            if finding.span.start_line >= max(end for _, end in changed) + REVEALED_BELOW:
                continue
        return f"new diagnostic: {_describe(finding)}"
    return None


async def verify(
    candidate: str,
    snapshot: Snapshot,
    baseline: tuple[Finding, ...],
    target: Finding,
    verifiers: tuple[Verifier, ...],
    limiter: anyio.CapacityLimiter,
    changed: tuple[tuple[int, int], ...] = (),
) -> Verdict:
    """Run the gate's verifiers on `candidate` in order; stop at the first failure."""
    started = time.perf_counter()
    request = CheckRequest(candidate, snapshot.path, snapshot.root, snapshot.trusted)
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
