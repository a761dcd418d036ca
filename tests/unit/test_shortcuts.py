"""Candidates without a model: the tool's edits as window texts, the memory, whitespace dedupe."""

from __future__ import annotations

from fixloop.engine.judge import normalised
from fixloop.engine.results import Fix
from fixloop.engine.shortcuts import FixMemory, shortcuts, tool_texts
from fixloop.engine.window import Region, Window, assemble, make_window
from fixloop.text.lines import split_lines
from fixloop.verifiers.base import Finding, Span, ToolEdit
from fixloop.verifiers.ruff import parse_ruff_json

TEXT = "import os\nimport sys\n\nprint(sys.argv)\nx = f'plain'\n"


def test_ruffs_fix_becomes_the_windows_new_text():
    findings = parse_ruff_json(
        '[{"code": "F401", "message": "`os` imported but unused",'
        ' "location": {"row": 1, "column": 8}, "end_location": {"row": 1, "column": 10},'
        ' "fix": {"applicability": "safe", "message": "Remove unused import: `os`",'
        ' "edits": [{"content": "", "location": {"row": 1, "column": 1},'
        ' "end_location": {"row": 2, "column": 1}}]}}]'
    )
    (finding,) = findings
    window = make_window(TEXT, finding)
    (texts,) = [tool_texts(TEXT, window, finding.tool_fix)]
    assert assemble(TEXT, window, texts).text == TEXT.replace("import os\n", "")


def test_edits_within_a_line_and_several_edits_apply_from_the_end():
    window = Window((Region(0, 5),), 0)
    edits = (
        ToolEdit(Span(4, 4, 4, 12), "'plain'"),  # f'plain' -> 'plain'
        ToolEdit(Span(0, 0, 1, 0), ""),
    )
    (text,) = tool_texts(TEXT, window, edits)
    assert text == "import sys\n\nprint(sys.argv)\nx = 'plain'\n"


def test_an_edit_outside_the_window_is_no_candidate():
    window = Window((Region(3, 5),), 0)
    assert tool_texts(TEXT, window, (ToolEdit(Span(0, 0, 1, 0), ""),)) is None
    assert tool_texts(TEXT, window, ()) is None


def test_an_edit_ending_at_the_start_of_the_line_after_the_window_is_inside():
    window = Window((Region(0, 1),), 0)
    assert tool_texts(TEXT, window, (ToolEdit(Span(0, 0, 1, 0), ""),)) == ("",)


def test_the_memory_gives_a_fix_back_for_the_same_problem_and_window_text():
    finding = Finding("ruff", "F821", "Undefined name `pathlb`", Span(4, 11, 4, 17))
    text = 'import pathlib\n\n\ndef main():\n    return pathlb.Path(".")\n'
    window = make_window(text, finding)
    fixed = text.replace("pathlb.", "pathlib.")
    candidate = assemble(text, window, make_window(fixed, finding).texts(split_lines(fixed)))
    memory = FixMemory(size=2)
    memory.remember(text, Fix(finding, window, candidate.region_edits, "fast", "m", 1, 0.5))
    (shortcut,) = shortcuts(text, finding, window, memory)
    assert shortcut.tier == "memory" and shortcut.model == "m"
    assert assemble(text, window, shortcut.texts).text == fixed
    # A different message (another name) is another problem.
    other = Finding("ruff", "F821", "Undefined name `pathlab`", Span(4, 11, 4, 17))
    assert shortcuts(text, other, window, memory) == ()
    # Bounded: the least recently used goes.
    for n in range(2):
        extra = Finding("ruff", "F821", f"Undefined name `n{n}`", Span(4, 11, 4, 17))
        memory.remember(text, Fix(extra, window, candidate.region_edits, "fast", "m", 1, 0.5))
    assert len(memory) == 2 and shortcuts(text, finding, window, memory) == ()


def test_whitespace_within_lines_does_not_make_a_new_candidate_but_indentation_does():
    assert normalised("x  =  1 \r\ny = 2\n\n") == normalised("x = 1\ny =\t2\n")
    assert normalised("if x:\n    y = 1\n") != normalised("if x:\n  y = 1\n")
    assert normalised("a\n\nb\n") != normalised("a\nb\n")
