"""`fixloop fix` merging verified fixes: a new syntax error is what the gate calls one."""

from __future__ import annotations

from pathlib import Path

import anyio
import pytest

from fixloop.config import Settings
from fixloop.engine import headless
from fixloop.engine.findings import CheckResult
from fixloop.engine.results import Fix, Snapshot
from fixloop.engine.window import Region, Window
from fixloop.text.edits import LineEdit
from fixloop.verifiers.base import Finding, Span

TEXT = "def f(:\n    pass\nx = undefined_name\n"
BROKEN = Finding("python", "E999", "invalid syntax", Span(0, 6, 0, 7))
UNDEFINED = Finding("ruff", "F821", "Undefined name `undefined_name`", Span(2, 4, 2, 18))


class Toolbox:
    verify_limiter = None

    def verifiers(self, settings, snapshot=None):
        return ()


@pytest.mark.parametrize(
    ("added", "kept"),
    [
        (Finding("mypy", "syntax", "invalid syntax", Span(2, 0, 2, 1)), False),
        (Finding("ruff", "invalid-syntax", "Expected an expression", Span(2, 0, 2, 1)), False),
        # What the original's syntax error hid may show up now: not the fix's doing.
        (Finding("mypy", "name-defined", 'Name "y" is not defined', Span(2, 0, 2, 1)), True),
    ],
)
def test_a_fix_that_adds_a_syntax_error_is_skipped_what_was_hidden_is_not(
    monkeypatch, added, kept
):
    baseline = CheckResult((BROKEN, UNDEFINED), (BROKEN, UNDEFINED), ())
    after = CheckResult((BROKEN, added), (BROKEN, added), ())

    async def run_checks(snapshot, verifiers, limiter):
        return after

    monkeypatch.setattr(headless, "run_checks", run_checks)
    window = Window((Region(2, 3),), 0)
    fix = Fix(UNDEFINED, window, (LineEdit(0, 1, "x = None\n"),), "fast", "m", 1, 0.1)
    snapshot = Snapshot("file:///t.py", 1, TEXT, Path("/t.py"), Path("/"))

    async def main():
        return await headless.merge_fixes(snapshot, [fix], Settings(), Toolbox(), baseline)

    text, applied, skipped = anyio.run(main)
    assert (applied, skipped) == (([fix], []) if kept else ([], [fix]))
    assert (text != TEXT) is kept
