"""Hunks: the separate places where a candidate differs from the original, by lines."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from fixloop.text.lines import split_lines


@dataclass(frozen=True, slots=True)
class Hunk:
    """Original lines [start, end) replaced by `new` (whole lines); new lines start at `at`."""

    start: int
    end: int
    at: int
    new: tuple[str, ...]

    @property
    def new_lines(self) -> range:
        return range(self.at, self.at + len(self.new))

    @property
    def old_lines(self) -> range:
        return range(self.start, self.end)


def hunks(original: str, candidate: str) -> tuple[Hunk, ...]:
    """The line hunks turning `original` into `candidate`, in file order."""
    old, new = split_lines(original), split_lines(candidate)
    matcher = difflib.SequenceMatcher(None, old, new, False)
    return tuple(
        Hunk(i1, i2, j1, tuple(new[j1:j2]))
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
        if tag != "equal"
    )


def apply(original: str, chosen: tuple[Hunk, ...]) -> str:
    """`original` with only the `chosen` hunks applied."""
    lines = split_lines(original)
    for hunk in sorted(chosen, key=lambda h: h.start, reverse=True):
        new = list(hunk.new)
        if new and not new[-1].endswith(("\n", "\r")) and hunk.end < len(lines):
            new[-1] += "\n"
        lines[hunk.start : hunk.end] = new
    return "".join(lines)


def map_line(original: str, candidate: str, line: int) -> int:
    """Where line `line` of the original is in the candidate (the start of its hunk if changed)."""
    shift = 0
    for hunk in hunks(original, candidate):
        if line < hunk.start:
            break
        if line < hunk.end:
            return hunk.at
        shift = hunk.at + len(hunk.new) - hunk.end
    return line + shift
