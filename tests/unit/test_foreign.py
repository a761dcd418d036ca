"""Other servers' diagnostics mapped onto the verifiers that re-check them."""

from __future__ import annotations

import pytest
from fixloop.engine.foreign import foreign_code, same_problem, verifier_for
from fixloop.verifiers.base import Finding, Span


@pytest.mark.parametrize(
    ("source", "verifier"),
    [
        ("Pylance", "pyright"),
        ("basedpyright", "pyright"),
        ("Ruff", "ruff"),
        ("mypy", "mypy"),
        ("eslint", "eslint"),
        ("ts", "tsc"),
        ("rustc", "cargo"),
        ("gcc", "gcc"),
        ("rust-analyzer", None),  # its own diagnostics are not cargo's
        ("clangd", None),
        (None, None),
    ],
)
def test_sources_map_to_the_verifier_that_can_reproduce_them(source, verifier):
    assert verifier_for(source) == verifier


def test_the_typescript_servers_numeric_codes_become_tscs():
    assert foreign_code("tsc", "2322") == "TS2322"
    assert foreign_code("tsc", "TS2322") == "TS2322"
    assert foreign_code("eslint", "2322") == "2322"  # a rule called 2322 stays itself
    finding = Finding("tsc", "TS2322", "Type 'number' is not assignable", Span(1, 2, 1, 8))
    assert same_problem(finding, "tsc", foreign_code("tsc", "2322"))
    assert not same_problem(finding, "tsc", "2322")
