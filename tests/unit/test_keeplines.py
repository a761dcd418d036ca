"""A whole-region rewrite keeps the blank lines, comments and docstrings it dropped for no reason."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixloop.engine.keeplines import filler, keep_dropped_lines
from fixloop.engine.replies import Reply, apply_reply
from fixloop.engine.window import make_window
from fixloop.text.lines import split_lines
from fixloop.verifiers.base import Finding, Span

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
UNDEFINED = (EXAMPLES / "undefined_name.py").read_text()
MISSING_COLON = (EXAMPLES / "missing_colon.py").read_text()


def kept(old: str, new: str, first: int, last: int | None = None) -> str:
    lines = keep_dropped_lines(
        split_lines(old), split_lines(new), first, first if last is None else last
    )
    return "".join(lines)


def test_filler_lines_are_blank_comments_and_docstrings():
    text = (
        '"""Module.\n\nMore.\n"""\n'  # 0-3: a docstring over four lines
        "# a comment\n"  # 4
        "\n"  # 5
        "x = 1  # code with a comment\n"  # 6
        '"""a""" + b\n'  # 7: an expression, not a docstring
        "def f():\n"  # 8
        '    """One line."""\n'  # 9
        "    return x\n"  # 10
    )
    assert filler(split_lines(text)) == [True] * 6 + [False, False, False, True, False]


def test_a_docstring_replaced_by_an_import_is_put_back_before_it():
    # Seen from the 0.5B model on examples/undefined_name.py: the import in the docstring's place.
    new = 'from pathlib import Path\n\n\ndef config_dir(home: str) -> str:\n    return str(Path(home) / ".config")\n'
    assert (
        kept(UNDEFINED, new, 4)
        == '"""An example with an undefined name: fixloop offers the missing import."""\n' + new
    )


def test_dropped_blank_lines_and_comments_away_from_the_diagnostic_come_back():
    old = "import os\n\n\n# Where we are.\ndef here():\n    return os.getcwd()\n\n\ndef there():\n    return os.getcw()\n"
    new = "import os\ndef here():\n    return os.getcwd()\ndef there():\n    return os.getcwd()\n"
    assert kept(old, new, 9) == old.replace("os.getcw()", "os.getcwd()")


def test_lines_the_model_changed_stay_changed():
    old = "# count the things\nx = count(things\n"
    new = "# count the things!\nx = count(things)\n"
    assert kept(old, new, 1) == new  # the comment was edited, not dropped: no duplicate


def test_deletions_the_diagnostic_needs_are_kept():
    # Too many blank lines before a def (E303 at the def): the blank lines touching it may go.
    old = "import os\n\n\n\n\ndef f():\n    return os.sep\n"
    new = "import os\n\n\ndef f():\n    return os.sep\n"
    assert kept(old, new, 5) == new
    # A comment on the diagnostic's own line may go too.
    old = "x = 1\n# TODO: remove\ny = undefined_thing\n"
    new = "x = 1\ny = 2\n"
    assert kept(old, new, 1, 2) == new


def test_dropped_code_is_left_to_the_gate():
    old = "a = 1\nb = 2\nc = d\n"
    new = "c = 3\n"
    assert kept(old, new, 2) == new  # anticheat's "deletes code" rule judges this


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_a_whole_reply_keeps_the_examples_docstring_and_blank_lines(newline):
    text = MISSING_COLON.replace("\n", newline)
    finding = Finding("python", "SyntaxError", "expected ':'", Span(4, 12, 4, 13))
    window = make_window(text, finding)
    reply = Reply(whole="def sign(x: int) -> int:\n    if x < 0:\n        return -1\n    return 1")
    assert window.main_region.start == 1  # the docstring is context; the blank lines are not
    (region,) = apply_reply(text, window, reply, (4, 4))
    fixed = text.replace("if x < 0" + newline, "if x < 0:" + newline)
    assert region == "".join(split_lines(fixed)[1:])
    # Without the diagnostic's lines, the reply is taken as it is (the benchmark's oracle).
    (region,) = apply_reply(text, window, reply)
    assert region == reply.whole.replace("\n", newline) + newline


def test_in_c_a_directive_is_code_and_a_block_comment_comes_back_whole():
    c = {"comments": ("//", "/*"), "docstrings": False}
    old = '#include <stdio.h>\n\n/*\n * Say hello.\n */\nint main(void) {\n    printf("hi")\n}\n'
    new = 'int main(void) {\n    printf("hi");\n}\n'
    lines = keep_dropped_lines(split_lines(old), split_lines(new), 6, 6, **c)
    # The block comment and the blank line come back; the #include is code, left to the gate.
    assert "".join(lines) == '\n/*\n * Say hello.\n */\nint main(void) {\n    printf("hi");\n}\n'
    assert filler(split_lines('/* one */\n"""not a docstring in C"""\n'), **c) == [True, False]
