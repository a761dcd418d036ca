"""Other language servers' diagnostics: which verifier re-checks them, and which of ours they are.

A code action request may carry diagnostics fixloop did not publish (its own
are off with `publish_diagnostics = false`, or they come from Pylance, mypy's
or ruff's own server). When the source maps to a verifier fixloop can run,
the diagnostic is matched to fixloop's finding on the same line (the same
rule, or the same problem in another tool's words); when there is none yet,
the document is checked again with that verifier and a loop starts for the
finding it reproduces.

`locate` does that for one diagnostic of a code action: the tracked finding it
is, or the document marked to be checked again with that verifier at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from fixloop.engine.findings import SAME_PROBLEM
from fixloop.engine.tracking import Document, Tracked
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


def locate(
    doc: Document | None,
    version: int,
    source: str | None,
    code: str,
    line: int,
    available: Callable[[str, Path], bool],
) -> Tracked | Checking | None:
    """The finding another server's diagnostic is about, if fixloop can re-check it.

    Checking: the document is being checked with the matching verifier;
    the loop for the finding it reproduces starts then, first in the queue.
    """
    name = verifier_for(source)
    if name is None or doc is None or doc.checked is None:
        return None
    if doc.checked.version != version or doc.latest.version != version:
        return None
    for tracked in doc.tracked.values():
        if tracked.finding.span.start_line == line and same_problem(tracked.finding, name, code):
            return tracked
    if name in doc.checked_with:
        return None  # checked with it for this version, and it does not report that
    if (name, code, line) not in doc.wanted:
        if not available(name, doc.latest.root):
            return None
        doc.wanted.add((name, code, line))
        doc.extra[name] = None
        doc.urgent = True
        doc.wake.set()
    return Checking(name)
