"""The judge's C and C++ rules (anticheat_c.py): each honest fix passes, the cheat beside it does not.

The findings are what g++ reports for each text (0-based spans), written out so the
tests need no compiler; tests/soundness runs the same texts through g++ itself.
"""

import pytest
from fixloop.engine import anticheat_c
from fixloop.engine.anticheat import review
from fixloop.engine.window import make_window
from fixloop.verifiers.base import Finding, Span


def judge(before: str, after: str, finding: Finding) -> str | None:
    return review(before, after, finding, make_window(before, finding), "cpp")


def error(message: str, line: int, col: int, width: int = 1) -> Finding:
    return Finding("g++", "error", message, Span(line, col, line, col + width))


UNINDENTED = "int weigh(int* v, int n) {\nint s = 0;\nfor (int i = 0; i < n; ++i)\ns += v[i] * 2\nreturn s;\n}\n"
INDENTED = ("int weigh(int* v, int n) {\n    int s = 0;\n    for (int i = 0; i < n; ++i)\n"
            "        s += v[i] * 2;\n    return s;\n}\n")
SEMICOLON = error("expected ‘;’ before ‘return’", 4, 0, 6)


def test_relayout_puts_back_the_original_lines_where_only_layout_changed():
    relaid = anticheat_c.relayout(UNINDENTED, INDENTED, "cpp")
    assert relaid == UNINDENTED.replace("s += v[i] * 2\n", "        s += v[i] * 2;\n")
    braced = "int f() {\n    while (x) {\n        y();\n    }\n}\n"
    moved = "int f() {\n    while (x)\n    {\n        y();\n    }\n}\n"
    assert anticheat_c.relayout(braced, moved, "cpp") == braced
    commented = braced.replace("        y();", "        // y();")
    assert anticheat_c.relayout(braced, commented, "cpp") == commented
    assert anticheat_c.relayout(UNINDENTED, INDENTED, "python") == INDENTED


@pytest.mark.parametrize("after, refused", [
    (INDENTED, None),
    (INDENTED.replace("        s += v[i] * 2;\n", "        ; // s += v[i] * 2\n"), "deletes code"),
    (INDENTED.replace("    int s = 0;\n", "    int s = 1;\n"), "deletes code"),
])
def test_a_re_indented_block_is_judged_on_its_tokens(after, refused):
    verdict = judge(UNINDENTED, after, SEMICOLON)
    assert (verdict is None) if refused is None else refused in verdict


COMMENTED = "int twice(int a) {\n    int b = a * 2 /* + a; */\n    return b;\n}\n"
AT_RETURN = error("expected ‘,’ or ‘;’ before ‘return’", 2, 4, 6)


@pytest.mark.parametrize("after, accepted", [
    (COMMENTED.replace("a * 2 /* + a; */", "a * 2 + a;"), True),
    (COMMENTED.replace("int b = a * 2 /* + a; */", "int b = 0 /* a * 2 + a; */;"), False),
])
def test_the_comment_at_the_error_may_open_back_into_code(after, accepted):
    assert (judge(COMMENTED, after, AT_RETURN) is None) is accepted


SLASHED = "int twice(int a) {\n    int b = a * 2;\n    / b += 1;\n    return b;\n}\n"
AT_SLASH = error("expected primary-expression before ‘/’ token", 2, 4)


@pytest.mark.parametrize("after, accepted", [
    (SLASHED.replace("    / b += 1;", "    // b += 1;"), True),
    (SLASHED.replace("    / b += 1;\n    return b;", "    // b += 1;\n    // return b;\n    return 0;"), False),
])
def test_a_lone_slash_may_become_the_comment_it_was_meant_to_be(after, accepted):
    assert (judge(SLASHED, after, AT_SLASH) is None) is accepted


def test_another_languages_let_becomes_a_type_but_keeps_its_value():
    before = "int f(int x) {\n    let y = x * 2;\n    return y;\n}\n"
    finding = error("‘let’ was not declared in this scope", 1, 4, 3)
    assert judge(before, before.replace("let y", "int y"), finding) is None
    assert "deletes code" in judge(before, before.replace("let y = x * 2;", "int y = 0;"), finding)


def test_a_dollar_name_is_read_and_replaced_by_a_name_not_a_number():
    before = "int f(int* v, int n) {\n    int s = 0;\n    for (int i = 0; i < n; ++i) s += v[$i];\n    return s;\n}\n"
    finding = error("‘$i’ was not declared in this scope; did you mean ‘i’?", 2, 41, 2)
    assert anticheat_c.undefined_name(finding, "cpp") == "$i"
    assert judge(before, before.replace("v[$i]", "v[i]"), finding) is None
    assert judge(before, before.replace("v[$i]", "v[0]"), finding) is not None


def test_none_becomes_null_but_not_a_constant_test():
    before = "struct N { int v; };\nint f(N* p) {\n    if (p == None) return 0;\n    return p->v;\n}\n"
    finding = error("‘None’ was not declared in this scope", 2, 13, 4)
    assert judge(before, before.replace("None", "NULL"), finding) is None
    assert judge(before, before.replace("p == None", "false"), finding) is not None


@pytest.mark.parametrize("name, other, typo", [
    ("sortMyVec", "sort", False), ("sortByRating", "sort", False), ("sortt", "sort", True),
    ("sortV", "sort", True), ("lenght", "len", True),
])
def test_a_name_that_adds_a_word_is_no_typo(name, other, typo):
    from fixloop.engine.anticheat import _close
    assert anticheat_c.typo(name, other, _close) is typo


HELD = ("int f(int x) {\n    int total = 0;\n    int r = nowhere(x);\n    total += r;\n    return total;\n}\n")
NOWHERE = error("‘nowhere’ was not declared in this scope", 2, 12, 7)


@pytest.mark.parametrize("after, accepted", [
    (HELD.replace("    int r = nowhere(x);\n    total += r;\n", "    total += x;\n"), True),
    (HELD.replace("    int r = nowhere(x);\n    total += r;\n", ""), False),
    (HELD.replace("    int r = nowhere(x);\n    total += r;\n", "    total += 1;\n"), False),
])
def test_a_variable_that_held_a_call_to_nothing_may_go_with_it(after, accepted):
    assert (judge(HELD, after, NOWHERE) is None) is accepted


def test_an_unread_variable_that_held_the_undefined_name_may_go():
    before = "int f(int* v, int n) {\n    int sum = 0;\n    double temp = sum1;\n    return sum;\n}\n"
    finding = error("‘sum1’ was not declared in this scope; did you mean ‘sum’?", 2, 18, 4)
    assert judge(before, before.replace("    double temp = sum1;\n", ""), finding) is None
    real = "int bump(int& k);\nint f(int k) {\n    int t = sum1 + bump(k);\n    return k;\n}\n"
    finding = error("‘sum1’ was not declared in this scope", 2, 12, 4)
    assert judge(real, real.replace("    int t = sum1 + bump(k);\n", ""), finding) is not None


OBJECT = ("class S {\npublic:\n    int dp(int n) { return n; }\n    int run(int n) {\n"
          "        int objVal;\n        return objVal.dp(n);\n    }\n};\n")
MEMBER = error("request for member ‘dp’ in ‘objVal’, which is of non-class type ‘int’", 5, 22, 2)


@pytest.mark.parametrize("body, accepted", [
    ("        return dp(n);", True),
    ("        return n;", False),
    ("        return 0;", False),
])
def test_an_object_declared_only_to_call_a_member_may_go(body, accepted):
    after = OBJECT.replace("        int objVal;\n        return objVal.dp(n);", body)
    assert (judge(OBJECT, after, MEMBER) is None) is accepted


def test_a_declaration_read_in_a_condition_is_no_statement():
    from fixloop.engine import syntax
    before = "int f(bool h, int r, int n) {\n    if (h && r = n-1)\n        return 0;\n    return 1;\n}\n"
    after = before.replace("r = n-1", "r == n-1")
    assert syntax.facts(before, "cpp").statements == syntax.facts(after, "cpp").statements


TWICE = "int f(int* v, int k) {\n    int x = v[v[k];\n    return x;\n}\n"
UNCLOSED = error("expected ‘]’ before ‘;’ token", 1, 18)


@pytest.mark.parametrize("line, accepted", [
    ("v[k];", True), ("v[v[k]];", True), ("k;", False), ("0;", False),
])
def test_a_bracket_opened_twice_may_be_taken_out(line, accepted):
    assert (judge(TWICE, TWICE.replace("v[v[k];", line), UNCLOSED) is None) is accepted


RENAMED = ("class S {\n    int check(int n) {\n        if (n <= 0) return 0;\n        return 1 + check(n - 1);\n"
           "    }\npublic:\n    int run(int n) {\n        return dfs(n);\n    }\n};\n")
DFS = error("‘dfs’ was not declared in this scope", 7, 15, 3)


@pytest.mark.parametrize("after, accepted", [
    (RENAMED.replace("check", "dfs"), True),
    (RENAMED.replace("check", "dfs").replace("return 1 + dfs", "return 2 + dfs"), False),
    (RENAMED.replace("int check(int n)", "int dfs(int n)"), False),
])
def test_a_function_may_be_renamed_to_the_name_its_call_uses(after, accepted):
    assert (judge(RENAMED, after, DFS) is None) is accepted
