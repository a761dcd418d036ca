"""The pure parts of the type-checker verifiers, on recorded mypy and pyright output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fixloop.processes.jsonrpc import FramingError, MessageBuffer, encode
from fixloop.processes.watch import CHANGED, CREATED, DELETED, compare, scan
from fixloop.text.columns import from_utf16
from fixloop.verifiers import Severity, Span, VerifierError
from fixloop.verifiers.mypy import MypyAnswer, parse_mypy_json, shadow_text, verdict
from fixloop.verifiers.pyright import (
    parse_pyright_cli_json,
    parse_pyright_diagnostics,
    virtual_path,
)

DATA = Path(__file__).parent / "data"
# The recordings were made in /tmp/fixloop-demo with app.py and helper.py as in data/.
ROOT = Path("/tmp/fixloop-demo")
APP = ROOT / "app.py"
TEXT = (DATA / "type-checkers-app.py").read_text(encoding="utf-8")


def mypy_findings(name: str, text: str = TEXT):
    return parse_mypy_json((DATA / name).read_text(encoding="utf-8"), APP, ROOT, text)


def test_mypy_json_gives_findings_of_this_file_only_with_mypy_codes():
    findings = mypy_findings("mypy-2.4.1-app.jsonl")
    assert [(f.code, f.span.start_line + 1) for f in findings] == [
        ("return-value", 7),
        ("union-attr", 11),
        ("arg-type", 18),
        ("arg-type", 19),
        ("name-defined", 21),
    ]  # helper.py's error is not app.py's; reveal_type's note is no error
    return_value = findings[0]
    assert return_value.source == "mypy" and return_value.severity is Severity.ERROR
    assert return_value.message == 'Incompatible return value type (got "int", expected "str")'
    # mypy's JSON columns are 0-based with an exclusive end: `n * 2` on `    return n * 2`.
    assert return_value.span == Span(6, 11, 6, 16)


def test_mypy_hints_follow_their_error_message():
    widen = mypy_findings("mypy-2.4.1-app.jsonl")[2]
    first, *notes = widen.message.splitlines()
    assert (
        first == 'Argument 1 to "widen" has incompatible type "list[int]"; expected "list[float]"'
    )
    assert notes[1] == 'Consider using "Sequence" instead, which is covariant'


def test_mypy_columns_on_a_non_ascii_line_become_the_whole_line():
    # mypy 2.4.1 says column 20 for `"a"` on `s = "é😀"; helper.double("a")` (it is 24).
    double = mypy_findings("mypy-2.4.1-app.jsonl")[3]
    line = TEXT.splitlines()[18]
    assert double.span == Span(18, 0, 18, len(line))


def test_mypy_columns_are_clamped_to_the_text():
    # The recorded errors point past the end of this shorter text.
    findings = mypy_findings("mypy-2.4.1-app.jsonl", text="x = 1\n")
    assert all(f.span.start_line == 0 and f.span.end_col <= 5 for f in findings)


def test_mypy_exit_2_with_a_syntax_error_in_the_file_gives_its_findings():
    answer = MypyAnswer(2, (DATA / "mypy-2.4.1-syntax.jsonl").read_text(), "")
    findings = verdict(answer, APP, ROOT, "def f(:\n    pass\n")
    assert {f.code for f in findings} == {"syntax"}


def test_mypy_stopped_by_another_file_is_no_verdict():
    answer = MypyAnswer(2, (DATA / "mypy-2.4.1-blocked-elsewhere.jsonl").read_text(), "")
    with pytest.raises(VerifierError, match="stopped at an error in /tmp/fixloop-demo/broken.py:2"):
        verdict(answer, APP, ROOT, "import broken\n")


def test_mypy_usage_errors_and_crashes_are_no_verdict():
    usage = MypyAnswer(2, "", "usage: mypy [-h]\nmypy: error: unrecognized arguments: --bogus\n")
    with pytest.raises(VerifierError, match="unrecognized arguments: --bogus"):
        verdict(usage, APP, ROOT, "")
    crash = MypyAnswer(2, "", "Traceback (most recent call last):\nAssertionError: boom\n")
    with pytest.raises(VerifierError, match="exit 2"):
        verdict(crash, APP, ROOT, "")
    with pytest.raises(VerifierError, match="did not print"):
        verdict(MypyAnswer(1, "", ""), APP, ROOT, "")
    with pytest.raises(VerifierError, match="not its JSON"):
        verdict(MypyAnswer(1, "{oops\n", ""), APP, ROOT, "")


def test_shadow_texts_are_unique_and_keep_every_line_where_it_was():
    text = "x = 1\ny = 2"
    first, second = shadow_text(text, 1), shadow_text(text, 2)
    assert first != second
    assert first.splitlines()[:2] == text.splitlines()
    assert shadow_text("", 3).count("\n") == 1


def test_pyright_pull_diagnostics_become_code_point_findings():
    items = json.loads((DATA / "pyright-1.1.414-pull-app.json").read_text(encoding="utf-8"))
    findings = parse_pyright_diagnostics(items, TEXT)
    assert [(f.code, f.span.start_line + 1) for f in findings] == [
        ("reportReturnType", 7),
        ("reportOptionalMemberAccess", 11),
        ("reportArgumentType", 18),
        ("reportArgumentType", 19),
        ("reportUndefinedVariable", 21),
    ]  # reveal_type's information is dropped
    double = findings[3]
    line = TEXT.splitlines()[18]
    # pyright counts UTF-16 units (é is 1, 😀 is 2): 25 units are 24 code points.
    assert line[double.span.start_col :].startswith('"a"') and double.span.start_col == 24
    assert all(f.source == "pyright" and f.severity is Severity.ERROR for f in findings)
    assert not findings[0].message.endswith("\n")


def test_pyright_cli_json_gives_the_same_findings():
    cli = parse_pyright_cli_json((DATA / "pyright-1.1.414-cli-app.json").read_bytes(), APP, TEXT)
    pulled = parse_pyright_diagnostics(
        json.loads((DATA / "pyright-1.1.414-pull-app.json").read_text(encoding="utf-8")), TEXT
    )
    assert [(f.code, f.span) for f in cli] == [(f.code, f.span) for f in pulled]
    with pytest.raises(VerifierError, match="not its JSON"):
        parse_pyright_cli_json(b"File or directory does not exist", APP, TEXT)


def test_pyright_hints_are_dropped_and_rule_less_errors_kept():
    items = [
        {
            "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 1}},
            "message": "Code is unreachable",
            "severity": 4,
            "tags": [1],
        },
        {
            "range": {"start": {"line": 0, "character": 4}, "end": {"line": 0, "character": 4}},
            "message": "Expected expression",
            "severity": 1,
        },
    ]
    (finding,) = parse_pyright_diagnostics(items, "x = \n")
    assert (finding.code, finding.span) == ("error", Span(0, 4, 0, 4))


@pytest.mark.parametrize(
    "line, units, points",
    [("abc", 2, 2), ("é😀x", 3, 2), ("é😀x", 4, 3), ("😀😀", 2, 1), ("ab", 9, 2)],
)
def test_utf16_columns_become_code_points(line, units, points):
    assert from_utf16(line, units) == points


def test_the_virtual_file_sits_beside_the_real_one():
    assert virtual_path(Path("/p/pkg/app.py")) == Path("/p/pkg/app.fixloop-shadow.py")
    assert virtual_path(Path("/p/pkg/stubs.pyi")).name == "stubs.fixloop-shadow.pyi"


def test_jsonrpc_messages_survive_any_split():
    messages = [
        {"jsonrpc": "2.0", "id": 1, "result": {"é": "😀"}},
        {"jsonrpc": "2.0", "method": "x"},
    ]
    data = b"".join(encode(m) for m in messages)
    for size in (1, 7, len(data)):
        buffer = MessageBuffer()
        received = []
        for start in range(0, len(data), size):
            received += buffer.feed(data[start : start + size])
        assert received == messages


@pytest.mark.parametrize(
    "data, match",
    [
        (b"Content-Type: x\r\n\r\n{}", "Content-Length"),
        (b"Content-Length: 2\r\n\r\n[]", "not a JSON object"),
        (b"Content-Length: 3\r\n\r\n{x}", "not JSON"),
        (b"x" * 5000, "no end of header"),
    ],
)
def test_jsonrpc_garbage_is_a_framing_error(data, match):
    with pytest.raises(FramingError, match=match):
        MessageBuffer().feed(data)


def test_watch_sees_created_changed_and_deleted_files(tmp_path):
    (tmp_path / "a.py").write_text("x = 1\n")
    (tmp_path / "b.py").write_text("y = 1\n")
    (tmp_path / "node_modules").mkdir()
    (tmp_path / "node_modules" / "skip.py").write_text("")
    (tmp_path / "notes.txt").write_text("")
    before = scan(tmp_path)
    assert set(before) == {str(tmp_path / "a.py"), str(tmp_path / "b.py")}
    (tmp_path / "a.py").write_text("x = 22\n")
    (tmp_path / "b.py").unlink()
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "c.pyi").write_text("")
    assert compare(before, scan(tmp_path)) == sorted(
        [
            (str(tmp_path / "a.py"), CHANGED),
            (str(tmp_path / "b.py"), DELETED),
            (str(tmp_path / "pkg" / "c.pyi"), CREATED),
        ]
    )
    assert scan(tmp_path, limit=1) is None
