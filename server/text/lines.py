"""LSP's line model, the one fixloop computes every position in.

A line ends at "\\n", "\\r\\n" or "\\r", and nowhere else. `str.splitlines` also
breaks at \\v, \\f, \\x1c-\\x1e, \\x85, U+2028 and U+2029: a form feed or a U+2028
in a comment would move every later line by one against what the editor, the
tools (Python's tokenizer, ruff, mypy) and LSP count. Everything that turns text
into numbered lines goes through this module.
"""

from __future__ import annotations

import difflib
import re

__all__ = [
    "EXTRA_BREAKS",
    "keep_endings",
    "line_ending",
    "lines_of",
    "newline_of",
    "position_at",
    "split_lines",
]

# What str.splitlines breaks at beyond LSP's three line endings.
EXTRA_BREAKS = "\v\f\x1c\x1d\x1e\x85\u2028\u2029"
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
_ENDING = re.compile(r"\r\n|\r|\n")


def split_lines(text: str) -> list[str]:
    """The lines with their endings, so that "".join() gives the text back."""
    if not any(char in text for char in EXTRA_BREAKS):
        return text.splitlines(keepends=True)  # the same split, at C speed
    return _LINE.findall(text)


def lines_of(text: str) -> list[str]:
    """The lines without their endings (at least one, maybe empty)."""
    return [_strip(line) for line in split_lines(text)] or [""]


def line_ending(line: str) -> str:
    """The ending of one line from split_lines ("" for a last line without one)."""
    if line.endswith("\r\n"):
        return "\r\n"
    if line.endswith(("\n", "\r")):
        return line[-1]
    return ""


def newline_of(text: str) -> str:
    """The text's own line ending (that of its first line), "\\n" when it has none."""
    found = _ENDING.search(text)
    return found.group() if found else "\n"


def position_at(text: str, index: int) -> tuple[int, int]:
    """(line, column) of code-point `index` in `text`, both 0-based."""
    index = min(max(index, 0), len(text))
    lines = split_lines(text[:index])
    if not lines:
        return 0, 0
    last = lines[-1]
    if last.endswith("\r") and text.startswith("\n", index):  # inside one "\r\n"
        return len(lines) - 1, len(last) - 1
    if line_ending(last):
        return len(lines), 0
    return len(lines) - 1, len(last)


def keep_endings(old: str, new: str, default: str = "\n") -> str:
    """`new` (a rewrite of `old`) with each line ended as `old` ends it.

    A line `new` keeps (the same characters) keeps its own ending; a changed line
    takes the ending of the line of `old` it replaces (the last replaced one when
    more lines come in than went out); an added line that of the line before it
    (after it, at the top). A file mixing "\r\n" and "\n" keeps every ending it
    had: only what the fix changes changes. The last line of `new` stays
    unended if it is unended. `default`: the ending for a line that has none to copy
    (`old` has no line ending at all: the file's own ending, from the caller).
    """
    a, b = split_lines(old), split_lines(new)
    if not a or not b:
        return new
    fallback = newline_of(old) if _ENDING.search(old) else default
    bare_a, bare_b = [_strip(line) for line in a], [_strip(line) for line in b]
    out = []
    matcher = difflib.SequenceMatcher(None, bare_a, bare_b, autojunk=False)
    for _, i1, i2, j1, j2 in matcher.get_opcodes():
        for k in range(j1, j2):
            if not line_ending(b[k]):
                out.append(b[k])
                continue
            if i1 < i2:
                source = a[min(i1 + k - j1, i2 - 1)]
            else:  # inserted: the neighbour's ending
                source = a[i1 - 1] if i1 > 0 else a[0]
            out.append(bare_b[k] + (line_ending(source) or fallback))
    return "".join(out)


def _strip(line: str) -> str:
    return line[: len(line) - len(line_ending(line))]
