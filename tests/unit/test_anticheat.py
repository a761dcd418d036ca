"""The anti-cheat policy rejects suppressions, deletions and no-ops, and passes honest fixes."""

import pytest
from fixloop.engine.anticheat import review
from fixloop.engine.names import foreign_words
from fixloop.engine.window import make_window
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


# Issue 14: the structural judge, on the cheats that passed the line-diff policy.
JSON_USE = "import os\nimport sys\n\n\ndef helper(value):\n    data = json.dumps(value)\n    return data\n"
NO_JSON = Finding("ruff", "F821", "Undefined name `json`", Span(5, 11, 5, 15))
FUNC = "def helper(value):\n    data = json.dumps(value)\n    return data\n"


@pytest.mark.parametrize(
    "candidate, reason",
    [
        (JSON_USE.replace(FUNC, f'"""\n{FUNC}"""\n'), "deletes code"),
        (JSON_USE.replace("import sys\n", "import sys\nfrom typing import TYPE_CHECKING\n\n"
                          "if TYPE_CHECKING:\n    import json\n"), "never runs"),
        (JSON_USE.replace("import sys\n", "import sys\nfrom os import path as json\n"), "stand-in"),
        (JSON_USE.replace("import sys\n", "import sys\n\n\nclass json:\n    dumps = str\n"), "stand-in"),
        (JSON_USE.replace("def helper(value):", "def helper(value, json=None):"), "parameter"),
        (JSON_USE.replace("import sys\n", "import sys\nimport builtins\n"
                          "json = builtins.__dict__.get('json')\n"), "builtins"),
        (JSON_USE.replace("import sys\n", "import sys\njson = globals()['json']\n"), "globals"),
        (JSON_USE.replace("import sys\n", "import sys\nimport json; os.system('true')\n"),
         "other statements"),
        (JSON_USE.replace("import sys\n", "import sys\nimport jsonnn_nowhere as json\n"),
         "not installed"),
        (JSON_USE.replace("    data = json", "    if False:\n        data = json")
         .replace("    return data", "    data = value\n    return data"), "deletes code"),
        (JSON_USE.replace("    data = json.dumps(value)\n", "    data = value\n"), "instead of"),
    ],
)
def test_structural_cheats_are_refused(candidate, reason, tmp_path):
    verdict = review(JSON_USE, candidate, NO_JSON, None, "python", root=tmp_path)
    assert verdict is not None and reason in verdict, verdict


@pytest.mark.parametrize(
    "candidate",
    [
        JSON_USE.replace("import sys\n", "import sys\nimport json\n"),
        JSON_USE.replace("import sys\n", "import sys\nfrom json import dumps\n").replace(
            "json.dumps(", "dumps("),
        JSON_USE.replace("import sys\n", "import sys\n\n# a comment  moved\n\nimport json\n"),
    ],
)
def test_real_imports_pass(candidate, tmp_path):
    assert review(JSON_USE, candidate, NO_JSON, None, "python", root=tmp_path) is None


def test_a_workspace_module_may_be_imported_without_running_it(tmp_path):
    (tmp_path / "helpers_pkg").mkdir()
    (tmp_path / "helpers_pkg" / "__init__.py").write_text("raise SystemExit('must not run')\n")
    original = "def f(x):\n    return helpers_pkg.go(x)\n"
    finding = Finding("ruff", "F821", "Undefined name `helpers_pkg`", Span(1, 11, 1, 22))
    fixed = "import helpers_pkg\n\n\n" + original
    assert review(original, fixed, finding, None, "python", root=tmp_path) is None


@pytest.mark.parametrize(
    "before, after, finding",
    [
        ("def f(rows):\n    return total(rows)\n", "def f(rows):\n    return len(rows)\n",
         Finding("ruff", "F821", "Undefined name `total`", Span(1, 11, 1, 16))),
        ("def f(nums):\n    return sorted(no_nums)\n", "def f(nums):\n    return sorted(nums)\n",
         Finding("ruff", "F821", "Undefined name `no_nums`", Span(1, 18, 1, 25))),
        ("def f(x):\n    return x or NULL\n", "def f(x):\n    return x or None\n",
         Finding("ruff", "F821", "Undefined name `NULL`", Span(1, 16, 1, 20))),
        ("def f(x):\n    return 'res\n", "def f(x):\n    return x\n".replace("x\n", "res\n"),
         Finding("python", "SyntaxError", "unterminated string literal", Span(1, 11, 1, 12))),
        ("def f(x):\n    var y = x\n    return y\n", "def f(x):\n    y = x\n    return y\n",
         Finding("python", "SyntaxError", "invalid syntax", Span(1, 8, 1, 9))),
        ("def f(x):\n    if (!x):\n        return 1\n", "def f(x):\n    if not x:\n        return 1\n",
         Finding("python", "SyntaxError", "invalid syntax", Span(1, 8, 1, 9))),
        ("def f(rows):\n    t = 0\n    for r in rows:\n" + "    t += r\n" * 9 + "    return t\n",
         "def f(rows):\n    t = 0\n    for r in rows:\n" + "        t += r\n" * 9 + "    return t\n",
         Finding("python", "IndentationError", "expected an indented block", Span(3, 4, 3, 5))),
    ],
)
def test_honest_real_bug_fixes_pass(before, after, finding, tmp_path):
    window = make_window(before, finding)
    assert review(before, after, finding, window, "python", root=tmp_path) is None


def test_a_syntax_fix_that_also_changes_an_operator_is_refused():
    before = "def f(a, b):\n    if a > b\n        return a\n"
    finding = Finding("python", "SyntaxError", "expected ':'", Span(1, 12, 1, 13))
    assert review(before, before.replace("a > b\n", "a > b:\n"), finding) is None
    assert "changes more than the syntax error" in review(
        before, before.replace("a > b\n", "a >= b:\n"), finding
    )


CPP = "int f(int x) {\n    unknownFunction(x);\n    int s = x;\n    return s;\n}\n"
UNDECLARED = Finding("g++", "error", "‘unknownFunction’ was not declared in this scope",
                     Span(1, 4, 1, 19))


def test_cpp_an_injected_call_may_go_but_not_under_if_0_or_with_other_code():
    assert review(CPP, CPP.replace("    unknownFunction(x);\n", ""), UNDECLARED, None, "cpp") is None
    dead = CPP.replace("    unknownFunction(x);\n    int s = x;\n",
                       "#if 0\n    unknownFunction(x);\n#endif\n    int s = 0;\n")
    assert "deletes code" in review(CPP, dead, UNDECLARED, None, "cpp")
    more = CPP.replace("    unknownFunction(x);\n    int s = x;\n", "    int s = 0;\n")
    assert review(CPP, more, UNDECLARED, None, "cpp") is not None


def test_a_typo_of_an_existing_name_may_not_be_deleted():
    before = "def f(item):\n    pritn(item)\n    return item\n"
    finding = Finding("ruff", "F821", "Undefined name `pritn`", Span(1, 4, 1, 9))
    assert review(before, before.replace("    pritn(item)\n", ""), finding) is not None


def test_comment_and_blank_line_changes_outside_the_window_are_not_code():
    before = "# Tools  for rows\nimport sys\n\n\n\n\n\n\n\n\ndef f(rows):\n    print(sys)\n    return lenght(rows)\n"
    after = "# Tools for rows\nimport sys\n\n\ndef f(rows):\n    print(sys)\n    return len(rows)\n"
    finding = Finding("ruff", "F821", "Undefined name `lenght`", Span(12, 11, 12, 17))
    assert review(before, after, finding, make_window(before, finding)) is None
    far = after.replace("import sys\n", "import sys\nsys.exit(0)\n")
    assert "outside its window" in review(before, far, finding, make_window(before, finding))


def test_a_wrong_call_around_a_flagged_argument_may_go():
    # From the bench corpus: mypy flags `f` in `len(f)`; the fix drops the injected len().
    before = "import inspect\n\n\ndef g(f):\n    return int(inspect.ismethod(len(f)))\n"
    finding = Finding("mypy", "arg-type", 'Argument 1 to "len" has incompatible type', Span(4, 36, 4, 37))
    assert review(before, before.replace("len(f)", "f"), finding) is None
    assert review(before, before.replace("ismethod(len(f))", "ismethod(f)").replace("int(", "("),
                  finding) is not None


# --- rules loosened for DebugBench's single-bug fixes (issue 14), and the cheat beside each ---
COUNTER = "def count(nums):\n    i = 0\n\n    for n in nums:\n        c = c + n\n    return c\n"
UNDEFINED_C = Finding("ruff", "F821", "Undefined name `c`", Span(4, 12, 4, 13))


def test_a_one_letter_name_is_no_misspelling_of_another_so_it_may_be_started_above_its_use():
    started = COUNTER.replace("    i = 0\n\n", "    i = 0\n    c = 0\n")
    assert review(COUNTER, started, UNDEFINED_C, make_window(COUNTER, UNDEFINED_C)) is None
    stand_in = COUNTER.replace("    i = 0\n\n", "    i = 0\n    c = None\n")
    assert "stand-in" in review(COUNTER, stand_in, UNDEFINED_C, make_window(COUNTER, UNDEFINED_C))


def test_a_loop_over_nothing_is_code_that_no_longer_runs():
    original = "def total(nums):\n    out = 0\n    for num in \n        out += num\n    return out\n"
    error = Finding("python", "SyntaxError", "invalid syntax", Span(2, 15, 2, 16))
    assert review(original, original.replace("for num in \n", "for num in nums:\n"), error) is None
    for nothing in ("[]", "()", "range(0)"):
        candidate = original.replace("for num in \n", f"for num in {nothing}:\n")
        assert "deletes code" in review(original, candidate, error)


def test_comments_and_blank_lines_moved_around_a_fix_are_not_edits_outside_its_window():
    original = ("def g(rows):\n    top = max(rows)\n    return top\n" + "\n" * 12
                + "def f(rows):\n    return lenght(rows)\n")
    finding = Finding("ruff", "F821", "Undefined name `lenght`", Span(16, 11, 16, 17))
    window = make_window(original, finding)
    commented = original.replace("    top = max(rows)\n", "    # the largest\n    top = max(rows)  # O(n)\n")
    assert review(original, commented.replace("lenght", "len"), finding, window) is None
    changed = commented.replace("max(rows)", "min(rows)")
    assert "outside its window" in review(original, changed.replace("lenght", "len"), finding, window)


def test_another_languages_words_may_go_but_not_a_function_the_file_defines():
    original = "def split(n):\n    return next([i, n - i] for i in range(n) if i, println(n))\n"
    error = Finding("python", "SyntaxError", "Generator expression must be parenthesized",
                    Span(1, 16, 1, 60))
    assert review(original, original.replace(", println(n)", ""), error) is None
    assert foreign_words(original, "python") == {"println"}
    assert foreign_words("def println(x):\n    print(x)\n\n\n" + original, "python") == set()
    assert foreign_words("def f(this):\n    return this\n", "python") == set()
