"""The anti-cheat policy rejects suppressions, deletions and no-ops, and passes honest fixes."""

import pytest

from fixloop.engine.anticheat import review
from fixloop.verifiers.base import Finding, Span

ORIGINAL = "import os\n\n\ndef f(x):\n    return pritn(x)\n"
UNDEFINED = Finding("ruff", "F821", "Undefined name `pritn`", Span(4, 11, 4, 16))
UNUSED = Finding("ruff", "F401", "`os` imported but unused", Span(0, 7, 0, 9))


@pytest.mark.parametrize(
    "candidate, reason",
    [
        (ORIGINAL, "changes nothing"),
        (ORIGINAL.replace("pritn(x)", "pritn(x)  # noqa"), "# noqa"),
        (ORIGINAL.replace("pritn(x)", "pritn(x)  # noqa: F821"), "# noqa"),
        (ORIGINAL.replace("pritn(x)", "pritn(x)  # type: ignore[name-defined]"), "type: ignore"),
        (ORIGINAL.replace("pritn(x)", "pritn(x)  # pyright: ignore"), "pyright: ignore"),
        ("# ruff: noqa\n" + ORIGINAL, "ruff: noqa"),
        (ORIGINAL.replace("    return", "    # pylint: disable=E0602\n    return"), "pylint"),
        (ORIGINAL.replace("    return pritn(x)\n", ""), "deletes code"),
        (ORIGINAL.replace("    return pritn(x)\n", "    pass\n"), "deletes code"),
        (ORIGINAL.replace("    return pritn(x)\n", "    # return pritn(x)\n    ...\n"), "deletes code"),
    ],
)
def test_cheats_are_rejected_with_a_reason(candidate, reason):
    verdict = review(ORIGINAL, candidate, UNDEFINED)
    assert verdict is not None and reason in verdict


@pytest.mark.parametrize(
    "candidate, finding",
    [
        (ORIGINAL.replace("pritn", "print"), UNDEFINED),
        (ORIGINAL.replace("import os\n", ""), UNUSED),  # unused code may go
        (ORIGINAL.replace("    return pritn(x)\n", "    y = x\n    return print(y)\n"), UNDEFINED),
    ],
)
def test_honest_fixes_pass(candidate, finding):
    assert review(ORIGINAL, candidate, finding) is None


def test_an_existing_suppression_may_stay():
    original = "x = 1  # noqa: E501\ny = undefined\n"
    candidate = "x = 1  # noqa: E501\ny = 1\n"
    assert review(original, candidate, Finding("ruff", "F821", "m", Span(1, 4, 1, 13))) is None


def test_a_typo_fixed_to_a_name_the_line_already_uses_is_honest():
    # From the benchmark corpus: the set of new names was empty, as `line` was already there.
    original = "def f(lines, predicate):\n    for line in lines:\n        yield line if predicate(lnie) else line\n"
    fixed = original.replace("predicate(lnie)", "predicate(line)")
    finding = Finding("ruff", "F821", "Undefined name `lnie`", Span(2, 32, 2, 36))
    assert review(original, fixed, finding) is None
    dropped = original.replace("predicate(lnie)", "predicate()")
    assert "removes the use" in review(original, dropped, finding)
