"""The command verifier's parsers (regex, JSON lines, SARIF) on recorded output, and its settings.

The recordings are ruff 0.17.6 on tests/unit/data/command-sample.py, whose line 2
has `é😀` before the findings (two code points, three UTF-16 units, six bytes):
  ruff check --select E,F --output-format concise|json-lines|sarif command-sample.py
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fixloop.config import ConfigError, build_settings, validate_layer
from fixloop.text.columns import to_code_points
from fixloop.verifiers.base import Severity, Span, VerifierError
from fixloop.verifiers.command import command_argv, matches
from fixloop.verifiers.command_formats import (
    Raw,
    parse_jsonl,
    parse_regex,
    parse_sarif,
    to_finding,
)

DATA = Path(__file__).parent / "data"
SAMPLE = (DATA / "command-sample.py").read_text(encoding="utf-8")
LINES = SAMPLE.splitlines(keepends=True)
CONCISE = r"^(?P<file>[^:\n]+):(?P<line>\d+):(?P<col>\d+): (?P<code>[A-Z]+\d+) (\[\*\] )?(?P<message>.+)$"
# What ruff means, in 0-based code points.
EXPECTED = [
    ("F401", Span(0, 7, 0, 9)),
    ("E702", Span(1, 8, 1, 9)),
    ("F821", Span(1, 16, 1, 30)),
    ("E702", Span(2, 5, 2, 6)),
]


def test_regex_reads_the_named_groups_and_skips_the_rest():
    raws = parse_regex((DATA / "ruff-0.17.6-sample.concise.txt").read_text(), CONCISE)
    assert [r.code for r in raws] == ["F401", "E702", "F821", "E702"]
    assert raws[2] == Raw(
        line=2, message="Undefined name `undefined_name`", col=17, code="F821", file="sample.py"
    )
    findings = [to_finding(r, "lint", LINES) for r in raws]
    assert [(f.code, f.span.start_line, f.span.start_col) for f in findings] == [
        (code, span.start_line, span.start_col) for code, span in EXPECTED
    ]
    assert findings[0].source == "lint" and findings[0].severity is Severity.ERROR


def test_json_lines_with_a_field_mapping():
    fields = {
        "line": "location.row", "col": "location.column", "end_line": "end_location.row",
        "end_col": "end_location.column", "file": "filename",
    }
    raws = parse_jsonl("banner line\n" + (DATA / "ruff-0.17.6-sample.jsonl").read_text(), fields)
    findings = [to_finding(r, "lint", LINES) for r in raws]
    assert [(f.code, f.span) for f in findings] == EXPECTED
    assert raws[0].file == "/tmp/rec/sample.py" and raws[0].severity == "error"


def test_sarif_columns_follow_the_run_s_column_kind():
    raws, unit = parse_sarif((DATA / "ruff-0.17.6-sample.sarif").read_text())
    assert unit == "utf-16"  # ruff sets no columnKind: SARIF's default
    assert [r.code for r in raws] == ["F401", "E702", "F821", "E702"]
    assert raws[1].file == "file:///tmp/rec/sample.py" and raws[1].severity == "error"
    # ruff counts code points although it does not say so: `columns = "characters"` says it
    findings = [to_finding(r, "lint", LINES, unit="characters") for r in raws]
    assert [(f.code, f.span) for f in findings] == EXPECTED
    # read as UTF-16 (as the SARIF spec would have it), 😀's two units move the column back
    assert to_finding(raws[2], "lint", LINES, unit="utf-16").span.start_col == 15


def test_sarif_that_is_not_sarif_gives_no_verdict():
    with pytest.raises(VerifierError, match="not SARIF"):
        parse_sarif("warning: something\n")
    with pytest.raises(VerifierError, match="no `runs`"):
        parse_sarif('{"version": "2.1.0"}')


def test_sarif_code_points_and_a_result_without_a_region_line():
    log = (
        '{"runs": [{"columnKind": "unicodeCodePoints", "results": ['
        '{"ruleId": "X1", "message": {"text": "m"}, "locations": [{"physicalLocation": '
        '{"region": {"startLine": 2, "startColumn": 9}}}]},'
        '{"ruleId": "X2", "message": {"text": "whole file"}, "locations": []}]}]}'
    )
    raws, unit = parse_sarif(log)
    assert unit == "characters" and [r.code for r in raws] == ["X1"]
    assert raws[0].severity == "warning"  # SARIF's default level
    assert to_finding(raws[0], "x", LINES).severity is Severity.WARNING


@pytest.mark.parametrize(
    ("unit", "column", "expected"),
    [("characters", 8, 8), ("utf-16", 9, 8), ("bytes", 12, 8), ("bytes", 99, 31), ("utf-16", 7, 6)],
)
def test_columns_become_code_points(unit, column, expected):
    line = LINES[1].rstrip("\n")
    assert to_code_points(line, column, unit) == expected


def test_a_finding_without_a_column_is_the_whole_line_and_lines_are_clamped():
    finding = to_finding(Raw(line=99, message="m"), "x", LINES)
    assert finding.span == Span(2, 0, 2, len(LINES[2].rstrip("\n")))
    zero = to_finding(Raw(line=0, col=0, message="m"), "x", LINES, base=0)
    assert zero.span == Span(0, 0, 0, 1)


def test_placeholders_and_globs():
    argv = command_argv(
        ("lint", "--stdin-filename={real_file}", "{file}", "--root", "{root}", "{x}"),
        file=Path("/tmp/s/a.sh"), real_file=Path("/w/a.sh"), root=Path("/w"),
    )
    assert argv == ["lint", "--stdin-filename=/w/a.sh", "/tmp/s/a.sh", "--root", "/w", "{x}"]
    assert matches(("*.c",), Path("/w/src/a.c"), Path("/w"))
    assert matches(("src/*.c",), Path("/w/src/a.c"), Path("/w"))
    assert not matches(("src/*.c",), Path("/w/lib/a.c"), Path("/w"))
    assert not matches(("*.h",), Path("/w/src/a.c"), Path("/w"))


def _command(**table):
    return {"verifiers": {"command": {"lint": {"argv": ["lint", "{file}"], "files": ["*.py"], **table}}}}


def test_a_command_verifier_is_declared_and_named_in_a_language_s_gate():
    layer = validate_layer(
        {**_command(pattern=CONCISE)} | {"verifiers": {
            "python": ["python", "lint"], "command": _command(pattern=CONCISE)["verifiers"]["command"]
        }},
        "w.toml",
    )
    settings = build_settings(layer)
    assert settings.verifiers.python == ("python", "lint")
    command = settings.verifiers.command["lint"]
    assert command.argv == ("lint", "{file}") and command.format == "regex"


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({}, r"`verifiers\.command\.lint\.pattern` is required"),
        ({"pattern": "(?P<line>\\d+"}, "not a valid regex"),
        ({"pattern": "(?P<line>\\d+)"}, "needs the named group\\(s\\) message"),
        ({"format": "xml"}, "must be one of regex, jsonl, sarif"),
        ({"format": "jsonl", "fields": {"row": "x"}}, "unknown key `verifiers.command.lint.fields.row`"),
        ({"format": "sarif", "argv": []}, "must name a command"),
        ({"format": "sarif", "base": 2}, "must be 0 or 1"),
        ({"format": "sarif", "colour": True}, "unknown key `verifiers.command.lint.colour`"),
    ],
)
def test_bad_command_tables_name_the_key_and_the_file(table, message):
    with pytest.raises(ConfigError, match=r"w\.toml: .*" + message):
        validate_layer(_command(**table), "w.toml")


def test_a_command_may_not_take_a_built_in_name():
    bad = {"verifiers": {"command": {"ruff": {"argv": ["x"], "files": ["*"], "format": "sarif"}}}}
    with pytest.raises(ConfigError, match="fixloop's own verifier ruff"):
        validate_layer(bad, "w.toml")
