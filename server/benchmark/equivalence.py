"""How a verified fix compares with the case's ground truth: the same, equivalent, or not.

- `same`: the fixed file is the ground truth's text.
- `equivalent`: it differs only where no program can tell: for Python, the same
  abstract syntax tree (`ast.dump` of both, which leaves out positions and
  comments); for other languages, the same tokens once comments and
  whitespace are dropped (Pygments' lexer for the file name).
- `behaviour change`: anything else — a fix that verifies but is not the
  fix the case's author made, to be read by a person.
"""

from __future__ import annotations

import ast
import difflib
import enum

from pygments.lexers import get_lexer_for_filename
from pygments.token import Comment, Text, Whitespace
from pygments.util import ClassNotFound


class Verdict(enum.StrEnum):
    SAME = "same"
    EQUIVALENT = "equivalent"
    CHANGED = "behaviour change"


def _python_tree(text: str) -> str | None:
    try:
        return ast.dump(ast.parse(text))
    except (SyntaxError, ValueError):
        return None


def _tokens(text: str, file: str) -> tuple[str, ...] | None:
    try:
        lexer = get_lexer_for_filename(file, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return None
    return tuple(
        value
        for kind, value in lexer.get_tokens(text)
        if kind not in Comment
        and kind not in Whitespace
        and not (kind in Text and not value.strip())
    )


def classify(fixed: str, truth: str, file: str) -> Verdict:
    """The verdict on a fixed file against the ground truth; `file` says its language."""
    if fixed == truth:
        return Verdict.SAME
    if file.endswith((".py", ".pyi")):
        tree = _python_tree(fixed)
        if tree is not None and tree == _python_tree(truth):
            return Verdict.EQUIVALENT
        return Verdict.CHANGED
    tokens = _tokens(fixed, file)
    if tokens is not None and tokens == _tokens(truth, file):
        return Verdict.EQUIVALENT
    return Verdict.CHANGED


def unified_diff(before: str, after: str, file: str) -> str:
    """The fix as a unified diff of the case's file."""
    return "".join(
        difflib.unified_diff(
            before.splitlines(keepends=True),
            after.splitlines(keepends=True),
            f"a/{file}",
            f"b/{file}",
        )
    )
