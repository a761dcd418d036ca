"""Lines a rewritten region dropped for no reason, put back.

A model asked for the whole editable region (ReplyFormat.WHOLE) often drops
lines it had no reason to touch: blank lines, a comment, the module docstring
(a 0.5B model put `from pathlib import Path` in the docstring's place). Every
checker passes such a candidate, and the user would be offered a fix that
deletes unrelated lines. So a rewrite keeps, from the old region, each dropped
line that does nothing (blank, a comment, a Python docstring) unless it is one of the
diagnostic's lines or in a run of such lines touching them (too many blank lines
before a `def` is fixed by deleting them). Lines the model changed (rather than
dropped) stay changed, and lines it dropped that do something stay dropped:
the anti-cheat review and the verifiers judge those. The repaired region is what
the gate verifies, so a line put back can never make an unverified fix.
"""

from __future__ import annotations

import difflib
import re

SIMILAR = 0.6  # a dropped line this similar to a new one was edited, not dropped
TRIPLE = re.compile(r"""^[rRuUbB]{0,2}("{3}|'{3})""")


def filler(
    lines: list[str], comments: tuple[str, ...] = ("#",), docstrings: bool = True
) -> list[bool]:
    """For each line: whether it does nothing (blank, a comment, part of a docstring).

    `comments`: what starts a comment line (`/*` runs to the line closing it);
    `docstrings`: Python's, a line starting with triple quotes to the line
    closing them. A region that starts inside either does not see it (nothing
    is put back then).
    """
    marks = [False] * len(lines)
    index = 0
    while index < len(lines):
        stripped = lines[index].strip()
        opening = TRIPLE.match(stripped) if docstrings else None
        if not stripped or (stripped.startswith(tuple(c for c in comments if c != "/*"))):
            marks[index] = True
        elif "/*" in comments and stripped.startswith("/*"):
            end = next((i for i in range(index, len(lines)) if "*/" in lines[i]), -1)
            if end >= 0 and lines[end].rstrip().endswith("*/"):
                for i in range(index, end + 1):
                    marks[i] = True
                index = end
        elif opening:
            quote = opening.group(1)
            rest = stripped[opening.end() :]
            end = index
            if quote not in rest:  # not closed on its first line: find the closing line
                end = next((i for i in range(index + 1, len(lines)) if quote in lines[i]), -1)
            elif not rest.rstrip().endswith(quote):
                end = -1  # `"""a""" + b`: a statement, not a docstring
            if end >= 0 and lines[end].rstrip().endswith(quote):
                for i in range(index, end + 1):
                    marks[i] = True
                index = end
        index += 1
    return marks


def _protected(marks: list[bool], first: int, last: int) -> set[int]:
    """The diagnostic's lines (region indexes) and the runs of filler lines touching them."""
    keep = set(range(max(0, first), min(len(marks), last + 1)))
    below = first - 1
    while 0 <= below < len(marks) and marks[below]:
        keep.add(below)
        below -= 1
    above = last + 1
    while 0 <= above < len(marks) and marks[above]:
        keep.add(above)
        above += 1
    return keep


def _edited(line: str, new: list[str]) -> bool:
    """Whether `line` reappears, changed, among the new lines (then it was edited, not dropped)."""
    text = line.strip()
    return any(
        difflib.SequenceMatcher(None, text, other.strip(), False).ratio() >= SIMILAR
        for other in new
        if other.strip()
    )


def keep_dropped_lines(
    old: list[str],
    new: list[str],
    first: int,
    last: int,
    *,
    comments: tuple[str, ...] = ("#",),
    docstrings: bool = True,
) -> list[str]:
    """`new`, with the lines of `old` it dropped for no reason put back where they were.

    `old` and `new` are a region's lines (with their line ends); `first` and `last`
    the diagnostic's lines as indexes into `old` (outside it when it is elsewhere);
    `comments` and `docstrings` as for `filler` (the file's language).
    """
    marks = filler(old, comments, docstrings)
    protected = _protected(marks, first, last)
    matcher = difflib.SequenceMatcher(
        None, [line.rstrip() for line in old], [line.rstrip() for line in new], False
    )
    result: list[str] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        added = new[j1:j2]
        if tag in ("equal", "insert"):
            result += added
            continue
        back = [
            i
            for i in range(i1, i2)
            if marks[i] and i not in protected and not (old[i].strip() and _edited(old[i], added))
        ]
        if not back:
            result += added
            continue
        gone = [i for i in range(i1, i2) if i not in back]
        leading = [i for i in back if not gone or i < gone[0]]
        trailing = [i for i in back if i not in leading]
        if added and all(not old[i].strip() for i in leading):
            trailing, leading = leading + trailing, []  # blank lines: after what replaced them
        result += [old[i] for i in leading] + added + [old[i] for i in trailing]
    return result
