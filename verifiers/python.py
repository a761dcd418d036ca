"""The in-process compile check: the cheapest gate, source `python`."""

from __future__ import annotations

import warnings

import anyio
from fixloop.text.lines import split_lines
from fixloop.verifiers.base import CheckRequest, Finding, Severity, Span

# Compiling a few thousand lines takes tens of milliseconds: off the event loop beyond this.
INLINE_LIMIT = 50_000


def _clamp(lines: list[str], line: int, col: int) -> tuple[int, int]:
    if not lines:
        return 0, 0
    line = min(max(line, 0), len(lines) - 1)
    width = len(lines[line].rstrip("\r\n"))
    return line, min(max(col, 0), width)


def syntax_findings(text: str, filename: str) -> tuple[Finding, ...]:
    """Compile `text` and return its syntax error as a finding, or nothing.

    A leading byte order mark (a buffer an editor sent with it) is not compiled, as
    Python skips it in a file; columns of the first line still count it."""
    bom = 1 if text.startswith("\ufeff") else 0
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(text[bom:], filename, "exec", dont_inherit=True)
    except SyntaxError as exc:
        lines = split_lines(text) or [""]
        row = (exc.lineno or 1) - 1
        # Python 3.11 gives 1-based offsets in code points for str sources.
        line, col = _clamp(lines, row, (exc.offset or 1) - 1 + (bom if row == 0 else 0))
        if exc.end_lineno and exc.end_offset and (exc.end_lineno, exc.end_offset) > (
            exc.lineno,
            exc.offset or 0,
        ):
            shift = bom if exc.end_lineno == 1 else 0
            end_line, end_col = _clamp(lines, exc.end_lineno - 1, exc.end_offset - 1 + shift)
        else:
            end_line, end_col = line, col
        if (end_line, end_col) <= (line, col):
            # A zero-width error (end of line, missing colon): mark what is there.
            width = len(lines[line].rstrip("\r\n"))
            end_line, end_col = (line, col + 1) if col < width else (line, width)
            if col == width and col > 0:
                col -= 1
        return (
            Finding(
                source="python",
                code=type(exc).__name__,
                message=exc.msg,
                span=Span(line, col, end_line, end_col),
                severity=Severity.ERROR,
            ),
        )
    except ValueError as exc:  # null bytes
        return (Finding("python", "ValueError", str(exc), Span(0, 0, 0, 0), Severity.ERROR),)
    return ()


class PythonCompile:
    """Python's own compiler, run in-process on the text."""

    name = "python"

    async def check(self, request: CheckRequest) -> tuple[Finding, ...]:
        if len(request.text) <= INLINE_LIMIT:
            return syntax_findings(request.text, str(request.path))
        return await anyio.to_thread.run_sync(syntax_findings, request.text, str(request.path))
