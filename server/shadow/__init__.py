"""Shadow copies of buffers: candidates are applied and checked here, never in the user's text."""

from fixloop.shadow.edits import LineEdit, apply_line_edit, changed_lines, diff_line_edit, split_lines

__all__ = ["LineEdit", "apply_line_edit", "changed_lines", "diff_line_edit", "split_lines"]
