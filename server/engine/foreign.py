"""Other language servers' diagnostics: which verifier re-checks them, and which of ours they are.

A code action request may carry diagnostics fixloop did not publish (its own
are off with `publish_diagnostics = false`, or they come from Pylance, mypy's
or ruff's own server). When the source maps to a verifier fixloop can run,
the diagnostic is matched to fixloop's finding on the same line (the same
rule, or the same problem in another tool's words); when there is none yet,
the document is checked again with that verifier and a loop starts for the
finding it reproduces.
"""

from __future__ import annotations

from dataclasses import dataclass

from fixloop.engine.checks import SAME_PROBLEM
from fixloop.verifiers.base import Finding

# `source` as other servers spell it (lower-cased) -> the verifier that re-checks it.
SOURCES = {
    "pylance": "pyright",
    "pyright": "pyright",
    "basedpyright": "pyright",
    "mypy": "mypy",
    "ruff": "ruff",
    "eslint": "eslint",
    "ts": "tsc",  # VS Code's TypeScript server and typescript-language-server
    "tsc": "tsc",
    "typescript": "tsc",
    "rustc": "cargo",  # rust-analyzer passing on cargo check
    "gcc": "gcc",
}


@dataclass(frozen=True, slots=True)
class Checking:
    """The document is being checked with `verifier` to reproduce another server's diagnostic."""

    verifier: str


def verifier_for(source: str | None) -> str | None:
    """The verifier that re-checks diagnostics of `source`, or None."""
    return SOURCES.get((source or "").strip().lower())


def foreign_code(verifier: str, code: str) -> str:
    """Another server's code as fixloop's verifier spells it (the TypeScript server says
    `2322` where tsc prints `TS2322`)."""
    if verifier == "tsc" and code.isdigit():
        return f"TS{code}"
    return code


def same_problem(finding: Finding, verifier: str, code: str) -> bool:
    """Whether `finding` is what `verifier` calls `code` (the same rule, or the same problem)."""
    if (finding.source, finding.code) == (verifier, code):
        return True
    return any(
        (finding.source, finding.code) in group and (verifier, code) in group
        for group in SAME_PROBLEM
    )
