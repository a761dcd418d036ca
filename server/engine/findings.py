"""Running the verifiers on a buffer, and choosing which findings to show and fix."""

from __future__ import annotations

from dataclasses import dataclass

import anyio

from fixloop.engine.gate import is_syntax_error
from fixloop.engine.results import Snapshot
from fixloop.verifiers.base import CheckRequest, Finding, Verifier, VerifierError


@dataclass(frozen=True, slots=True)
class CheckResult:
    """All findings (the gate's baseline), those to show and fix, and tool failures.

    `errors` name verifiers that could not check the text (no fix can be verified by
    them until they can); `notices` are things a verifier that did run wants said.
    """

    findings: tuple[Finding, ...]
    shown: tuple[Finding, ...]
    errors: tuple[str, ...]
    notices: tuple[str, ...] = ()


# The same problem as reported by different tools: shown (and fixed) once, by
# the first verifier in gate order that reports it on that line.
SAME_PROBLEM: tuple[frozenset[tuple[str, str]], ...] = (
    frozenset({("ruff", "F821"), ("mypy", "name-defined"), ("pyright", "reportUndefinedVariable")}),
    frozenset({("ruff", "F811"), ("mypy", "no-redef"), ("pyright", "reportRedeclaration")}),
    frozenset({("ruff", "F401"), ("pyright", "reportUnusedImport")}),
    frozenset({("ruff", "F841"), ("pyright", "reportUnusedVariable")}),
)


def _problem(finding: Finding) -> int | None:
    for index, group in enumerate(SAME_PROBLEM):
        if (finding.source, finding.code) in group:
            return index
    return None


def to_show(findings: tuple[Finding, ...]) -> tuple[Finding, ...]:
    """Drop what another verifier already says.

    Syntax errors are Python's when it reports one; an undefined name (or
    another problem in SAME_PROBLEM) reported by several tools on one line
    is shown once, by the first of them.
    """
    python_syntax = any(f.source == "python" for f in findings)
    shown: list[Finding] = []
    first: dict[tuple[int, int], str] = {}  # (problem, line) -> the source that said it first
    for f in findings:
        if python_syntax and f.source != "python" and is_syntax_error(f):
            continue
        problem = _problem(f)
        if problem is not None:
            said = first.setdefault((problem, f.span.start_line), f.source)
            if said != f.source:
                continue
        shown.append(f)
    return tuple(shown)


async def run_checks(
    snapshot: Snapshot, verifiers: tuple[Verifier, ...], limiter: anyio.CapacityLimiter
) -> CheckResult:
    """Every verifier on the snapshot; a verifier that fails is reported, not fatal."""
    request = CheckRequest(snapshot.text, snapshot.path, snapshot.root, snapshot.trusted)
    findings: list[Finding] = []
    errors: list[str] = []
    notices: list[str] = []
    for verifier in verifiers:
        try:
            async with limiter:
                findings.extend(await verifier.check(request))
        except VerifierError as exc:
            errors.append(f"{verifier.name}: {exc}")
        take = getattr(verifier, "take_notices", None)
        if take is not None:
            notices.extend(take())
    everything = tuple(findings)
    return CheckResult(everything, to_show(everything), tuple(errors), tuple(notices))
