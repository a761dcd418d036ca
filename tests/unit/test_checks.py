"""Choosing what to show: one finding per problem, whichever tools report it."""

import pytest

from fixloop.config import ConfigError, validate_layer
from fixloop.engine.findings import to_show
from fixloop.verifiers import Finding, Span


def finding(source: str, code: str, line: int) -> Finding:
    return Finding(source, code, f"{code} on {line}", Span(line, 0, line, 1))


def test_an_undefined_name_reported_by_three_tools_is_shown_once():
    findings = (
        finding("ruff", "F821", 3),
        finding("mypy", "name-defined", 3),
        finding("pyright", "reportUndefinedVariable", 3),
        finding("mypy", "name-defined", 7),  # only mypy saw this one
        finding("ruff", "F821", 3),  # ruff's second undefined name on the line stays
    )
    shown = to_show(findings)
    assert [(f.source, f.span.start_line) for f in shown] == [("ruff", 3), ("mypy", 7), ("ruff", 3)]


def test_other_type_errors_are_all_shown():
    findings = (finding("mypy", "return-value", 1), finding("pyright", "reportReturnType", 1))
    assert to_show(findings) == findings


def test_mypy_syntax_errors_give_way_to_pythons():
    findings = (finding("python", "SyntaxError", 0), finding("mypy", "syntax", 0))
    assert [f.source for f in to_show(findings)] == ["python"]


def test_the_type_checkers_are_known_verifier_names():
    layer = validate_layer(
        {"verifiers": {"python": ["python", "ruff", "mypy", "pyright"]}}, "t.toml"
    )
    assert layer["verifiers"]["python"][-1] == "pyright"
    with pytest.raises(ConfigError, match="known: python, ruff, mypy, pyright"):
        validate_layer({"verifiers": {"python": ["pyrite"]}}, "t.toml")
