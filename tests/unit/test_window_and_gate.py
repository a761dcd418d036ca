"""Windows, candidate assembly and the gate's judgement, as pure functions."""

from pathlib import Path

from fixloop.engine.gate import judge
from fixloop.engine.prompt import ReplyFormat, build_request
from fixloop.engine.results import Snapshot
from fixloop.engine.window import Region, assemble, make_window, whole_file
from fixloop.text.edits import apply_line_edit
from fixloop.verifiers.base import Finding, Span

TEXT = "".join(f"line{n} = {n}\n" for n in range(20))


def finding(line, code="E000", source="ruff", message="m"):
    return Finding(source, code, message, Span(line, 0, line, 3))


def test_window_surrounds_the_finding():
    window = make_window(TEXT, finding(10))
    assert window.regions == (Region(7, 14),)


def test_window_is_clipped_at_the_edges():
    assert make_window(TEXT, finding(0)).regions == (Region(0, 4),)
    assert make_window(TEXT, finding(19)).regions == (Region(16, 20),)


def test_undefined_names_may_also_edit_the_imports():
    text = '"""Doc."""\nimport os\n\n' + TEXT
    window = make_window(text, finding(15, "F821"))
    assert window.regions == (Region(0, 2), Region(12, 19))
    assert window.main == 1


def test_assembled_candidate_edits_are_relative_to_their_regions():
    text = "import os\n" + TEXT
    window = make_window(text, finding(12, "F821"))
    header, main = window.texts(text.splitlines(keepends=True))
    result = assemble(text, window, ("import os\nimport sys\n", main.replace("line12", "LINE12")))
    assert result.text.startswith("import os\nimport sys\nline0")
    assert "LINE12 = 12" in result.text
    # The changed lines, in the candidate's coordinates: the import, then the shifted line.
    assert result.changed == ((1, 2), (14, 15))
    rebuilt = text
    for edit in sorted((e.shifted(r.start) for r, e in zip(window.regions, result.region_edits) if e),
                       key=lambda e: e.start, reverse=True):
        rebuilt = apply_line_edit(rebuilt, edit)
    assert rebuilt == result.text


def test_gate_wants_the_target_gone():
    target = finding(3, "F821", message="Undefined name `x`")
    assert "still reported" in judge("ruff", (target,), (finding(3, "F821", message="Undefined name `x`"),), target)
    assert judge("ruff", (target,), (), target) is None


def test_gate_refuses_new_findings_anywhere():
    target = finding(3, "F821")
    other = finding(9, "F401", message="`os` imported but unused")
    assert "new diagnostic" in judge("ruff", (target,), (other,), target)


def test_gate_keeps_findings_that_were_already_there():
    target = finding(3, "F821")
    old = finding(9, "F401", message="`os` imported but unused")
    assert judge("ruff", (target, old), (old,), target) is None


def test_after_a_syntax_error_hidden_findings_elsewhere_do_not_count():
    target = Finding("python", "SyntaxError", "expected ':'", Span(3, 4, 3, 5))
    hidden = finding(15, "F401", message="`os` imported but unused")
    assert judge("ruff", (target,), (hidden,), target) is None
    assert judge("ruff", (target,), (finding(3, "F821"),), target) is None
    later = Finding("python", "SyntaxError", "invalid syntax", Span(9, 0, 9, 1))
    assert "new diagnostic" in judge("ruff", (target,), (Finding("ruff", "invalid-syntax", "x", Span(9, 0, 9, 1)),), target)
    assert judge("python", (target,), (later,), target, ((3, 4),)) is None  # the next error
    nearby = Finding("python", "SyntaxError", "expected an indented block", Span(4, 0, 4, 1))
    assert "new diagnostic" in judge("python", (target,), (nearby,), target, ((3, 4),))


def test_the_whole_file_format_asks_for_one_fenced_block_over_the_whole_file():
    text = "import os\n\n\ndef f():\n    return pritn(1)\n"
    window = whole_file(text)
    assert [(r.start, r.end) for r in window.regions] == [(0, 5)]
    snapshot = Snapshot("file:///a.py", 0, text, Path("/a.py"), Path("/"))
    finding = Finding("ruff", "F821", "Undefined name `pritn`", Span(4, 11, 4, 16))
    whole = build_request(snapshot, finding, window, [], max_tokens=4096, temperature=0.2,
                          reply_format=ReplyFormat.WHOLE)
    edits = build_request(snapshot, finding, window, [], max_tokens=1024, temperature=0.2)
    assert "one ```python code block" in whole.system and "SEARCH" not in whole.system
    assert "SEARCH/REPLACE" in edits.system  # the default is unchanged
    assert "Editable region (lines 1-5;" in whole.messages[0].content
    assert "Context" not in whole.messages[0].content


def test_the_window_grows_to_the_enclosing_block():
    body = "".join(f"    total += row * {n}\n" for n in range(10))
    text = "import sys\n\n\ndef weigh(rows):\n    total = 0\n    for row in rows:\n" + body + "    return total\n"
    window = make_window(text, finding(6, "IndentationError", "python"))
    assert window.regions == (Region(3, 17),)  # the whole function: its loop body can be re-indented


def test_the_enclosing_block_follows_lsp_lines_past_a_u2028():
    from fixloop.engine.syntax import enclosing_block

    plain = "# a b\ndef f(x):\n    if x:\n        return 1\n    return 2\nx = [\n    1,\n]\n"
    odd = plain.replace("a b", "a\u2028b")  # one LSP line, two for str.splitlines
    for line in range(8):
        assert enclosing_block(odd, "python", line) == enclosing_block(plain, "python", line), line
