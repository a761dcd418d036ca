"""Running the verifiers on a buffer, and choosing which findings to show and fix."""

from __future__ import annotations

from dataclasses import dataclass

import anyio

from fixloop.engine.gate import is_syntax_error
from fixloop.engine.values import Snapshot
from fixloop.verifiers.base import CheckRequest, Finding, Verifier, VerifierError


@dataclass(frozen=True, slots=True)
class CheckResult:
    """All findings (the gate's baseline), those to show and fix, and tool failures."""

    findings: tuple[Finding, ...]
    shown: tuple[Finding, ...]
    errors: tuple[str, ...]


def to_show(findings: tuple[Finding, ...]) -> tuple[Finding, ...]:
    """Drop what another verifier already says: ruff's syntax errors when Python reports one."""
    python_syntax = any(f.source == "python" for f in findings)
    return tuple(
        f
        for f in findings
        if not (python_syntax and f.source != "python" and is_syntax_error(f))
    )


async def run_checks(
    snapshot: Snapshot, verifiers: tuple[Verifier, ...], limiter: anyio.CapacityLimiter
) -> CheckResult:
    """Every verifier on the snapshot; a verifier that fails is reported, not fatal."""
    request = CheckRequest(snapshot.text, snapshot.path, snapshot.root)
    findings: list[Finding] = []
    errors: list[str] = []
    for verifier in verifiers:
        try:
            async with limiter:
                findings.extend(await verifier.check(request))
        except VerifierError as exc:
            errors.append(f"{verifier.name}: {exc}")
    everything = tuple(findings)
    return CheckResult(everything, to_show(everything), tuple(errors))
