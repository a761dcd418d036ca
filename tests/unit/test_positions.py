"""Columns in code points to and from utf-8, utf-16 and utf-32 clients."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fixloop.lsp.positions import from_client, to_client

LINE = 'y = "é😀"; import sys'  # é: 2 utf-8 bytes; 😀: 4 bytes, 2 utf-16 units


@pytest.mark.parametrize(
    "encoding, expected",
    [("utf-8", 14), ("utf-16", 11), ("utf-32", 10)],
)
def test_columns_after_non_ascii(encoding, expected):
    column = LINE.index("import")
    assert column == 10
    assert to_client(LINE, column, encoding) == expected
    assert from_client(LINE, expected, encoding) == column


@given(st.text(), st.integers(min_value=0, max_value=50), st.sampled_from(["utf-8", "utf-16", "utf-32"]))
def test_round_trip(line, column, encoding):
    column = min(column, len(line))
    assert from_client(line, to_client(line, column, encoding), encoding) == column


# -- LSP's line model: lines end at \n, \r\n or \r, and nowhere else ---------------------------

from fixloop.engine.replies import apply_reply, parse_reply
from fixloop.engine.window import make_window
from fixloop.text.columns import lines_of, utf16_offset_point
from fixloop.text.edits import LineEdit, apply_line_edit, diff_line_edit
from fixloop.text.lines import keep_endings, newline_of, split_lines
from fixloop.verifiers.base import Finding, Span
from fixloop.verifiers.python import syntax_findings

# What str.splitlines breaks at and LSP does not.
NOT_BREAKS = ["\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]


@pytest.mark.badinput
@pytest.mark.parametrize("char", NOT_BREAKS)
def test_only_lf_crlf_and_cr_end_a_line(char):
    text = f"# a{char}b\nx = 1\r\ny = 2\rz = 3"
    assert split_lines(text) == [f"# a{char}b\n", "x = 1\r\n", "y = 2\r", "z = 3"]
    assert lines_of(text) == [f"# a{char}b", "x = 1", "y = 2", "z = 3"]
    assert utf16_offset_point(text, text.index("z")) == (3, 0)


@pytest.mark.badinput
@pytest.mark.parametrize("char", ["\x0c", "\u2028", "\x85"])
def test_a_line_edit_after_an_odd_character_lands_on_its_line(char):
    text = f"# page{char}two\ndef f(x)\n    return x + 1\n"
    fixed = apply_line_edit(text, LineEdit(1, 2, "def f(x):\n"))
    assert fixed == f"# page{char}two\ndef f(x):\n    return x + 1\n"
    assert diff_line_edit(text, fixed) == LineEdit(1, 2, "def f(x):\n")
    (finding,) = syntax_findings(text, "a.py")
    assert finding.span.start_line == 1  # Python counts lines as LSP does


@pytest.mark.badinput
@pytest.mark.parametrize("char", ["\x0c", "\u2028", "\x85"])
def test_the_window_and_a_reply_keep_an_odd_character_inside_its_line(char):
    text = f"# a comment{char}with a break\nimport sys\n\n\ndef main():\n    return pathlib.Path(sys.argv[0])\n"
    finding = Finding("ruff", "F821", "Undefined name `pathlib`", Span(5, 11, 5, 18))
    window = make_window(text, finding)
    assert "    return pathlib.Path(sys.argv[0])\n" in window.texts(split_lines(text))[window.main]
    reply = parse_reply(
        f"<<<<<<< SEARCH\n# a comment{char}with a break\nimport sys\n=======\n"
        f"# a comment{char}with a break\nimport sys\nimport pathlib\n>>>>>>> REPLACE\n"
    )
    regions = apply_reply(text, window, reply)
    assert any(f"# a comment{char}with a break\nimport sys\nimport pathlib\n" in r for r in regions)


@pytest.mark.badinput
@pytest.mark.parametrize("newline", ["\r", "\r\n", "\n"])
def test_a_fixed_line_keeps_the_files_own_line_ending(newline):
    text = newline.join(["import sys", "def f(x)", "    return x", ""])
    assert newline_of(text) == newline
    assert apply_line_edit(text, LineEdit(1, 2, "def f(x):")) == text.replace("def f(x)", "def f(x):")
    finding = Finding("python", "syntax", "expected ':'", Span(1, 8, 1, 8))
    window = make_window(text, finding)
    reply = parse_reply("<<<<<<< SEARCH\ndef f(x)\n=======\ndef f(x):\n>>>>>>> REPLACE\n")
    assert "".join(apply_reply(text, window, reply)) in text.replace("def f(x)", "def f(x):")


@pytest.mark.badinput
@pytest.mark.parametrize(
    "old, new, expected",
    [
        # a mixed file: each line keeps its own ending, the changed one too
        ("a\r\nb\nc\r\n", "a\r\nb:\r\nc\r\n", "a\r\nb:\nc\r\n"),
        # more lines in than out: the added ones take the replaced line's ending
        ("a\r\nb\nc\r\n", "a\r\nX\r\nY\r\nc\r\n", "a\r\nX\nY\nc\r\n"),
        # an added line takes the ending of the line before it
        ("a\nb\r\n", "a\nnew\nb\r\n", "a\nnew\nb\r\n"),
        # CR-only stays CR-only; an unended last line stays unended
        ("a\rb", "a\nb:\nc", "a\rb:\rc"),
    ],
)
def test_keep_endings(old, new, expected):
    assert keep_endings(old, new) == expected


@pytest.mark.badinput
def test_a_line_added_to_an_unended_last_line_gets_the_files_ending():
    # The region is the file's last line, without an ending: the added line must get the
    # file's "\r\n", not a "\n" of fixloop's own.
    text = "import os\r\n\r\n\r\ndef f():\r\n    return pathlib.Path(os.sep)"
    finding = Finding("ruff", "F821", "Undefined name `pathlib`", Span(4, 11, 4, 18))
    window = make_window(text, finding)
    reply = parse_reply(
        "<<<<<<< SEARCH\n    return pathlib.Path(os.sep)\n=======\n"
        "    import pathlib\n    return pathlib.Path(os.sep)\n>>>>>>> REPLACE\n"
    )
    regions = apply_reply(text, window, reply)
    assert "    import pathlib\r\n    return pathlib.Path(os.sep)" in "".join(regions)
    assert "pathlib\n" not in "".join(regions)


@pytest.mark.badinput
def test_a_region_without_any_ending_takes_the_callers_one():
    # A one-line region with no ending (the file's last line): nothing in it to copy.
    assert keep_endings("x", "a\nx", "\r\n") == "a\r\nx"
    assert keep_endings("x", "a\nx", "\r") == "a\rx"
