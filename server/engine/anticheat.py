"""The anti-cheat policy: candidates rejected before any verifier runs.

A verifier that a model can fool is no verifier. Each rule gives a reason
that is fed back to the next attempt.
"""

from __future__ import annotations

import re
from collections import Counter

from fixloop.shadow.edits import changed_lines
from fixloop.verifiers.base import Finding

# Comments and attributes that silence a checker instead of satisfying it.
SUPPRESSIONS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (label, re.compile(pattern, re.IGNORECASE))
    for label, pattern in (
        ("# noqa", r"#\s*noqa\b"),
        ("# ruff: noqa", r"#\s*ruff\s*:\s*noqa"),
        ("# type: ignore", r"#\s*type\s*:\s*ignore"),
        ("# pyright: ignore", r"#\s*pyright\s*:\s*(ignore|basic|strict)"),
        ("# mypy: ignore-errors", r"#\s*mypy\s*:\s*(ignore-errors|disable-error-code)"),
        ("# pylint: disable", r"#\s*pylint\s*:\s*disable"),
        ("# pyre-ignore", r"#\s*pyre-(ignore|fixme)"),
        ("# fmt: off", r"#\s*fmt\s*:\s*(off|skip)"),
        ("eslint-disable", r"eslint-disable"),
        ("@ts-ignore", r"@ts-ignore"),
        ("@ts-expect-error", r"@ts-expect-error"),
        ("@ts-nocheck", r"@ts-nocheck"),
        ("NOLINT", r"\bNOLINT"),
        ("//nolint", r"//\s*nolint"),
        ("#[allow(...)]", r"#!?\[\s*allow\s*\("),
        ("#pragma diagnostic ignored", r"#\s*pragma\s+\w+\s+diagnostic\s+ignored"),
    )
)

# Diagnostics about code that should go: deleting the flagged code is the fix.
REMOVABLE = {
    ("ruff", "F401"),  # unused import
    ("ruff", "F811"),  # redefinition of an unused name
    ("ruff", "F841"),  # unused local variable
    ("ruff", "F842"),  # annotated but unused local
    ("ruff", "ERA001"),  # commented-out code
    ("ruff", "PIE790"),  # unnecessary pass
    ("ruff", "W291"),  # trailing whitespace
    ("ruff", "W293"),  # whitespace on a blank line
    ("ruff", "W391"),  # blank line at end of file
    ("ruff", "E303"),  # too many blank lines
    ("mypy", "unused-ignore"),  # an unused `# type: ignore`
    ("mypy", "redundant-cast"),
    ("mypy", "unreachable"),  # statement is unreachable (--warn-unreachable)
    ("mypy", "no-redef"),  # name already defined: the redefinition may go
    ("mypy", "redundant-self"),
    ("pyright", "reportUnusedImport"),
    ("pyright", "reportUnusedVariable"),
    ("pyright", "reportUnusedClass"),
    ("pyright", "reportUnusedFunction"),
    ("pyright", "reportUnnecessaryTypeIgnoreComment"),
    ("pyright", "reportUnnecessaryCast"),
    ("pyright", "reportUnnecessaryIsInstance"),
    ("pyright", "reportUnnecessaryComparison"),
    ("pyright", "reportUnnecessaryContains"),
    ("pyright", "reportRedeclaration"),
}

PLACEHOLDERS = {"pass", "..."}


def _suppressions(text: str) -> Counter[str]:
    counts: Counter[str] = Counter()
    for label, pattern in SUPPRESSIONS:
        counts[label] = len(pattern.findall(text))
    return counts


def _code_lines(lines: list[str]) -> int:
    """Lines that do something: not blank, not a comment, not a bare placeholder."""
    count = 0
    for line in lines:
        stripped = line.strip()
        if stripped and not stripped.startswith("#") and stripped not in PLACEHOLDERS:
            count += 1
    return count


def review(original: str, candidate: str, finding: Finding) -> str | None:
    """Why `candidate` must be rejected for `finding`, or None if it may be verified."""
    if candidate == original:
        return "the candidate changes nothing"
    removed, added = changed_lines(original, candidate)
    before, after = _suppressions("".join(removed)), _suppressions("".join(added))
    for label, count in after.items():
        if count > before[label]:
            return f"the candidate adds a suppression ({label}) instead of fixing the code"
    if (finding.source, finding.code) not in REMOVABLE:
        if _code_lines(added) < _code_lines(removed):
            return (
                "the candidate deletes code instead of fixing it "
                f"({finding.source} {finding.code} is not about code that should go)"
            )
    return None

