"""Values and the protocol every verifier shares.

A verifier checks one text (a buffer or a candidate in its shadow) and
returns findings. Positions are 0-based lines and columns counted in Unicode
code points; the LSP layer converts them to the client's encoding.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol


class Severity(enum.IntEnum):
    """Same numbering as LSP's DiagnosticSeverity, so conversion is trivial."""

    ERROR = 1
    WARNING = 2
    INFORMATION = 3
    HINT = 4


@dataclass(frozen=True, slots=True, order=True)
class Span:
    """A range in code points: lines and columns 0-based, end exclusive."""

    start_line: int
    start_col: int
    end_line: int
    end_col: int

    def shifted(self, lines: int) -> Span:
        return Span(self.start_line + lines, self.start_col, self.end_line + lines, self.end_col)


@dataclass(frozen=True, slots=True)
class ToolEdit:
    """A replacement a tool itself proposes (ruff's `fix.edits`)."""

    span: Span
    new_text: str


@dataclass(frozen=True, slots=True)
class Finding:
    """One diagnostic of one verifier on one text."""

    source: str
    code: str
    message: str
    span: Span
    severity: Severity = Severity.ERROR
    tool_fix: tuple[ToolEdit, ...] = field(default=(), compare=False)

    @property
    def key(self) -> tuple[str, str, str]:
        """What identifies a finding regardless of where it sits in the file."""
        return (self.source, self.code, self.message)


@dataclass(frozen=True, slots=True)
class CheckRequest:
    """What a verifier is asked to check.

    `path` is the real file the text belongs to (config discovery, messages);
    `root` is the workspace root; the text itself may differ from the file.
    `trusted`: the workspace may run programs of its own (the tools and the
    interpreter in its virtual environment, mypy plugins its config names);
    untrusted, only fixloop's own tools run, on its own interpreter.
    """

    text: str
    path: Path
    root: Path
    trusted: bool = True


class VerifierError(Exception):
    """The tool could not give a verdict: missing, crashed, timed out, bad output.

    Never a pass: the gate treats it as a failure with this message.
    """


class Verifier(Protocol):
    """A tool that checks a text and reports findings.

    A verifier that keeps processes running (mypy's workers, pyright's
    language server) also has `async def aclose()`, called by its owner.
    One that can run and still have something to tell the user (mypy
    ignoring a bad setting in its config) has `def take_notices() ->
    tuple[str, ...]`, each notice given once.
    """

    name: str

    async def check(self, request: CheckRequest) -> tuple[Finding, ...]:
        """Return the findings for `request.text`; raise VerifierError if no verdict."""
        ...
