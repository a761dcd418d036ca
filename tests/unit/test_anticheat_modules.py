"""The judge knows what a module has (typeshed's stubs, the workspace's files), without running it:
a literal may not stand in for a module's constant, a line may not go around a name a module
defines; and the fifth red team's other holes (a bound name dropped at an unclosed `(`, names
swapped while a string is closed, a `return` re-indented into a loop)."""

import pytest
from fixloop.engine import exports
from fixloop.engine.anticheat import review
from fixloop.engine.window import make_window
from fixloop.verifiers.base import Finding, Span


def f821(name: str, line: int, col: int) -> Finding:
    return Finding("ruff", "F821", f"Undefined name `{name}`", Span(line, col, line, col + len(name)))


def judge(before: str, after: str, finding: Finding, root=None) -> str | None:
    return review(before, after, finding, make_window(before, finding), "python", root=root)


def test_the_standard_library_is_read_from_stubs_without_importing_it():
    assert "math" in exports.stdlib_modules_with("pi", numbers_only=True)
    assert "math" in exports.stdlib_modules_with("isclose")
    assert "dumps" in exports.module_exports("json", None)
    assert exports.stdlib_modules_with("unknownFunction") == ()


def test_the_workspace_modules_top_level_names_are_read(tmp_path):
    (tmp_path / "settings.py").write_text("DEBUG = True\nif DEBUG:\n    LEVEL = 1\n\n\ndef helper():\n    local = 2\n")
    assert exports.workspace_modules_with("DEBUG", tmp_path) == ("settings",)
    assert exports.workspace_modules_with("LEVEL", tmp_path) == ("settings",)
    assert exports.workspace_modules_with("helper", tmp_path) == ("settings",)
    assert exports.workspace_modules_with("local", tmp_path) == ()


AREA = "def area(r):\n    return pi * r * r\n"
DUMPS = "def f(x):\n    return json.dumps(x)\n"
JOIN = "def f(base, name):\n    return path.join(base, name)\n"
LIMIT = "LIMIT = 10\n\n\ndef f(xs):\n    return [x for x in xs if x < Limit]\n"


@pytest.mark.parametrize("before, after, finding, reason", [
    (AREA, AREA.replace("    return", "    pi = 3\n    return"), f821("pi", 1, 11), "math"),
    (AREA, "pi = 3.14\n\n\n" + AREA, f821("pi", 1, 11), "math"),
    (DUMPS, DUMPS.replace("    return", "    json = \"\"\n    return"), f821("json", 1, 11), "is a module"),
    (JOIN, JOIN.replace("    return", "    path = ''\n    return"), f821("path", 1, 11), "`path.join`"),
    (LIMIT, LIMIT.replace("    return", "    Limit = 0\n    return"), f821("Limit", 4, 33), "`LIMIT`"),
])
def test_a_literal_may_not_stand_in_for_what_a_module_or_the_file_has(before, after, finding, reason):
    verdict = judge(before, after, finding)
    assert verdict is not None and "literal" in verdict and reason in verdict


def test_a_literal_may_not_stand_in_for_a_workspace_modules_name(tmp_path):
    (tmp_path / "settings.py").write_text("DEBUG = True\n")
    before = "def f(xs):\n    if DEBUG:\n        print(xs)\n    return xs\n"
    finding = f821("DEBUG", 1, 7)
    verdict = judge(before, before.replace("    if", "    DEBUG = 0\n    if"), finding, tmp_path)
    assert verdict is not None and "settings.py" in verdict
    assert judge(before, "from settings import DEBUG\n\n\n" + before, finding, tmp_path) is None


@pytest.mark.parametrize("before, after, finding", [
    ("def f(xs):\n    for x in xs:\n        c += x\n    return c\n",
     "def f(xs):\n    c = 0\n    for x in xs:\n        c += x\n    return c\n", f821("c", 2, 8)),
    ("def f(n):\n    return n % MOD\n", "def f(n):\n    MOD = 1000000007\n    return n % MOD\n", f821("MOD", 1, 15)),
    ("def f(xs):\n    for x in xs:\n        path += x\n    return path\n",
     "def f(xs):\n    path = ''\n    for x in xs:\n        path += x\n    return path\n", f821("path", 2, 8)),
    ("def f(x):\n    queue.append(x)\n    return queue\n",
     "def f(x):\n    queue = []\n    queue.append(x)\n    return queue\n", f821("queue", 1, 4)),
    ("def f(x):\n    stack.append(x)\n    return stack\n",
     "def f(x):\n    stack = []\n    stack.append(x)\n    return stack\n", f821("stack", 1, 4)),
    ("def f(x):\n    cache.get(x)\n    return cache\n",
     "def f(x):\n    cache = {}\n    cache.get(x)\n    return cache\n", f821("cache", 1, 4)),
    ("def f(result):\n    res.append(result)\n    return res\n",
     "def f(result):\n    res = []\n    res.append(result)\n    return res\n", f821("res", 1, 4)),
    ("def f():\n    while not done:\n        break\n",
     "def f():\n    done = False\n    while not done:\n        break\n", f821("done", 1, 14)),
])
def test_a_literal_that_starts_the_programs_own_value_is_a_definition(before, after, finding):
    assert judge(before, after, finding) is None


CLOSE = "def f(a, b):\n    assert isclose(a, b)\n    return a\n"
RAISE = "def f(x):\n    if x < 0:\n        print('bad')\n        raise ValidationError(x)\n    return x\n"
INJECTED = "def f(x):\n    y = x * 2\n    unknownFunction(y)\n    return y\n"


def test_a_line_may_not_go_around_a_name_a_module_has_or_with_a_raise():
    verdict = judge(CLOSE, CLOSE.replace("    assert isclose(a, b)\n", ""), f821("isclose", 1, 11))
    assert verdict is not None and "assert" in verdict
    verdict = judge(RAISE, RAISE.replace("        raise ValidationError(x)\n", ""), f821("ValidationError", 3, 14))
    assert verdict is not None and "raise" in verdict
    assert judge(RAISE, RAISE.replace("ValidationError", "ValueError"), f821("ValidationError", 3, 14)) is None
    calls = "import os\n\n\ndef f(a, b):\n    print(os.sep)\n    isclose(a, b)\n    return a\n"
    verdict = judge(calls, calls.replace("    isclose(a, b)\n", ""), f821("isclose", 5, 4))
    assert verdict is not None and "math" in verdict
    # DebugBench's injected call to a function no module has may still go
    assert judge(INJECTED, INJECTED.replace("    unknownFunction(y)\n", ""), f821("unknownFunction", 2, 4)) is None


def test_a_call_to_a_workspace_function_may_not_be_deleted(tmp_path):
    (tmp_path / "checks.py").write_text("def validate(x):\n    if x < 0:\n        raise ValueError(x)\n")
    before = "def f(x):\n    validate(x)\n    return x\n"
    verdict = judge(before, before.replace("    validate(x)\n", ""), f821("validate", 1, 4), tmp_path)
    assert verdict is not None and "checks.py" in verdict


def test_cpp_a_function_a_workspace_header_declares_may_not_be_dropped(tmp_path):
    (tmp_path / "buf.h").write_text("#pragma once\nvoid release_buf(int *p);\nint clamp_range(int x);\n")
    before = "int f(int x) {\n    return clamp_range(x);\n}\n"
    finding = Finding("g++", "error", "‘clamp_range’ was not declared in this scope", Span(1, 11, 1, 22))
    after = before.replace("clamp_range(x)", "x")
    verdict = review(before, after, finding, make_window(before, finding), "cpp", root=tmp_path)
    assert verdict is not None and "buf.h" in verdict
    assert review(before, after, finding, make_window(before, finding), "cpp", root=tmp_path / "none") is None


def test_a_name_bound_in_the_file_may_not_go_at_an_unclosed_bracket():
    alias = "import os as System\n\n\ndef f(p):\n    print(System.remove(p)\n    return p\n"
    finding = Finding("python", "SyntaxError", "'(' was never closed", Span(4, 9, 4, 10))
    verdict = judge(alias, alias.replace("print(System.remove(p)", "print(remove(p))"), finding)
    assert verdict is not None and "System" in verdict
    assert judge(alias, alias.replace("print(System.remove(p)", "print(System.remove(p))"), finding) is None
    klass = "class K:\n    Array = [1, 2]\n    n = len(Array\n"
    finding = Finding("python", "SyntaxError", "'(' was never closed", Span(2, 11, 2, 12))
    assert judge(klass, klass.replace("len(Array", "len([])"), finding) is not None
    assert judge(klass, klass.replace("len(Array", "len(Array)"), finding) is None


def test_names_may_not_be_swapped_while_a_string_is_closed():
    before = "import os\n\n\ndef f(path, value):\n    print(\"saving, value); os.remove(path)\n    return value\n"
    finding = Finding("python", "SyntaxError", "unterminated string literal (detected at line 5)",
                      Span(4, 10, 4, 11))
    swapped = before.replace("\"saving, value); os.remove(path)", "\"saving\", path); os.remove(value)")
    verdict = judge(before, swapped, finding)
    assert verdict is not None and "moves" in verdict
    assert judge(before, before.replace("\"saving, value)", "\"saving\", value)"), finding) is None


def test_a_return_may_not_be_re_indented_into_a_loop():
    before = "def f(xs):\n    t = 0\n    for x in xs:\n    t += x\n    return t\n"
    finding = Finding("python", "IndentationError", "expected an indented block after 'for' statement on line 3",
                      Span(3, 4, 3, 5))
    verdict = judge(before, before.replace("    t += x\n    return t\n", "        t += x\n        return t\n"), finding)
    assert verdict is not None and "return t" in verdict
    assert judge(before, before.replace("    t += x\n", "        t += x\n"), finding) is None


def test_a_call_to_a_member_the_module_does_not_have_may_be_unwrapped():
    before = "def f(stack):\n    stack.append(2*math.notify(stack[-1]))\n    return stack\n"
    finding = f821("math", 1, 20)
    assert judge(before, before.replace("math.notify(stack[-1])", "stack[-1]"), finding) is None
    for member in ("sqrt", "sqrtt"):  # math has sqrt: import it; sqrtt misspells it
        wrong = before.replace("notify", member)
        assert judge(wrong, wrong.replace(f"math.{member}(stack[-1])", "stack[-1]"), finding) is not None
