"""Columns between code points (the engine's unit) and the client's encoding.

LSP columns count UTF-16 code units unless the client negotiated utf-8 or
utf-32 (Neovim 0.11 offers utf-8 first). Pure functions over one line's text.
"""

from __future__ import annotations

UTF8, UTF16, UTF32 = "utf-8", "utf-16", "utf-32"


def _units(char: str, encoding: str) -> int:
    code = ord(char)
    if encoding == UTF8:
        return 1 if code < 0x80 else 2 if code < 0x800 else 3 if code < 0x10000 else 4
    if encoding == UTF16:
        return 2 if code >= 0x10000 else 1
    return 1


def to_client(line: str, column: int, encoding: str) -> int:
    """The client's column for code-point `column` of `line` (clamped to the line)."""
    if encoding == UTF32:
        return min(column, len(line))
    return sum(_units(char, encoding) for char in line[:column])


def from_client(line: str, units: int, encoding: str) -> int:
    """The code-point column for the client's `units` (inside a character: rounded down)."""
    if encoding == UTF32:
        return min(units, len(line))
    total = 0
    for index, char in enumerate(line):
        total += _units(char, encoding)
        if total > units:
            return index
    return len(line)
