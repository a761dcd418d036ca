"""Columns as tools count them, turned into code points (fixloop's unit).

tsc and eslint count UTF-16 code units (JavaScript strings), go counts UTF-8
bytes, rustc counts code points already. Each conversion is clamped to the
line, so a tool that points past the end cannot produce a span outside the text.
"""

from __future__ import annotations

from fixloop.text.lines import lines_of as _lines_of
from fixloop.text.lines import position_at


def to_code_points(line: str, column: int, unit: str) -> int:
    """A 0-based column counted in `unit` ("characters", "bytes" or "utf-16") as code
    points, clamped to the line; a column inside a character is that character's."""
    if column <= 0:
        return 0
    if unit == "characters" or line.isascii():
        return min(column, len(line))
    count = 0
    for index, char in enumerate(line):
        width = len(char.encode("utf-8")) if unit == "bytes" else (2 if ord(char) > 0xFFFF else 1)
        if count + width > column:
            return index
        count += width
    return len(line)


def from_utf16(line: str, units: int) -> int:
    """The code-point column of a UTF-16 column on `line` (0-based, clamped)."""
    return to_code_points(line, units, "utf-16")


def from_utf8(line: str, size: int) -> int:
    """The code-point column of a UTF-8 byte column on `line` (0-based, clamped)."""
    return to_code_points(line, size, "bytes")


def lines_of(text: str) -> list[str]:
    """The text's lines without their line breaks (at least one, maybe empty), LSP's way."""
    return _lines_of(text)


def point(lines: list[str], line: int, col: int, unit: str = "cp") -> tuple[int, int]:
    """(line, code-point column), 0-based, from a 0-based line and a column in `unit`
    ("cp", "utf16" or "utf8"), both clamped to the text."""
    line = min(max(line, 0), len(lines) - 1)
    text = lines[line]
    if unit == "utf16":
        col = from_utf16(text, col)
    elif unit == "utf8":
        col = from_utf8(text, col)
    return line, min(max(col, 0), len(text))


def utf16_offset_point(text: str, offset: int) -> tuple[int, int]:
    """(line, code-point column) of a UTF-16 offset into the whole text (eslint's fix ranges)."""
    if text.isascii():
        index = min(max(offset, 0), len(text))
    else:
        index, seen = 0, 0
        while index < len(text) and seen < offset:
            seen += 2 if ord(text[index]) > 0xFFFF else 1
            index += 1
    return position_at(text, index)


def word_span(lines: list[str], line: int, col: int) -> tuple[int, int, int, int]:
    """(line, col, line, end) covering the word (or the one character) at a point, for tools
    that report only where a problem starts (tsc, go)."""
    text = lines[line]
    end = col
    while end < len(text) and (text[end].isalnum() or text[end] == "_"):
        end += 1
    if end == col and col < len(text):
        end = col + 1
    return line, col, line, end
