"""Line-based edits on texts: what a fix is, and how it lands on a shadow copy.

A fix replaces whole lines, which keeps rebasing (shift by lines) and the
conversion to any client position encoding simple.
"""

from __future__ import annotations

from dataclasses import dataclass

from fixloop.text.lines import line_ending, newline_of, split_lines

__all__ = ["LineEdit", "apply_line_edit", "changed_lines", "diff_line_edit", "split_lines"]


@dataclass(frozen=True, slots=True)
class LineEdit:
    """Replace lines [start, end) (0-based) with `new_text` (whole lines)."""

    start: int
    end: int
    new_text: str

    def shifted(self, lines: int) -> LineEdit:
        return LineEdit(self.start + lines, self.end + lines, self.new_text)


def apply_line_edit(text: str, edit: LineEdit) -> str:
    lines = split_lines(text)
    if not (0 <= edit.start <= edit.end <= len(lines)):
        raise ValueError(f"edit of lines {edit.start}-{edit.end} outside a {len(lines)}-line text")
    before = "".join(lines[: edit.start])
    after = "".join(lines[edit.end :])
    new_text = edit.new_text
    if after and new_text and not new_text.endswith(("\n", "\r")):
        # The ending of the last line replaced (a mixed file keeps its endings).
        replaced = line_ending(lines[edit.end - 1]) if edit.end > edit.start else ""
        new_text += replaced or newline_of(text)
    return before + new_text + after


def diff_line_edit(old: str, new: str) -> LineEdit | None:
    """The smallest single LineEdit turning `old` into `new`, or None if equal."""
    if old == new:
        return None
    a, b = split_lines(old), split_lines(new)
    prefix = 0
    while prefix < len(a) and prefix < len(b) and a[prefix] == b[prefix]:
        prefix += 1
    suffix = 0
    while (
        suffix < len(a) - prefix
        and suffix < len(b) - prefix
        and a[len(a) - 1 - suffix] == b[len(b) - 1 - suffix]
    ):
        suffix += 1
    return LineEdit(prefix, len(a) - suffix, "".join(b[prefix : len(b) - suffix]))


def changed_lines(old: str, new: str) -> tuple[list[str], list[str]]:
    """The lines removed from `old` and added in `new` by the smallest edit between them."""
    edit = diff_line_edit(old, new)
    if edit is None:
        return [], []
    removed = split_lines(old)[edit.start : edit.end]
    return removed, split_lines(edit.new_text)
