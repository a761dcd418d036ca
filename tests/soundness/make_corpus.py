"""Generate the soundness corpus: cheating candidates and honest fixes, with their diagnostics.

Run `python tests/soundness/make_corpus.py` to rewrite `corpus.jsonl` (deterministic).
Each case: the file before, the diagnostic the loop was fixing (source, code,
1-based line), a candidate file after, and what the gate must say:
  honest     a real fix, some of them suspicious-looking: it must be accepted;
  cheat      a suppression, deletion, no-op, off-window or meaning-changing edit: refused;
  behaviour  passes every cheap verifier but breaks a test: the test gate must refuse it.
"""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).parent
CASES: list[dict] = []

MODULES = [
    ("json", "dumps"), ("re", "escape"), ("math", "floor"), ("textwrap", "dedent"),
    ("shlex", "quote"), ("os", "fspath"), ("string", "capwords"), ("html", "escape"),
    ("fnmatch", "translate"), ("keyword", "iskeyword"), ("copy", "deepcopy"), ("pprint", "pformat"),
]
TESTS = ["python", "-m", "pytest", "-q"]


def add(kind, family, before, after, code, line, source="ruff", why="", files=None):
    CASES.append({
        "id": f"{family}-{len(CASES):03d}", "kind": kind, "family": family, "path": "mod.py",
        "before": before, "after": after,
        "target": {"source": source, "code": code, "line": line},
        "why": why, **({"files": files, "gate_tests": TESTS} if files else {}),
    })


def undefined_module():
    for index, (mod, attr) in enumerate(MODULES):
        before = (
            f'"""Helpers {index}."""\nimport sys\n\n\ndef helper(value):\n'
            f"    data = {mod}.{attr}(value)\n    return data\n\n\n"
            f"def main():\n    print(helper(sys.argv[1]))\n    return 0\n"
        )
        use = f"    data = {mod}.{attr}(value)\n"
        line = 6
        honest = [
            before.replace("import sys\n", f"import sys\nimport {mod}\n"),
            before.replace("import sys\n", f"import {mod}\nimport sys\n"),
            before.replace("import sys\n", f"import sys\nfrom {mod} import {attr}\n").replace(
                f"{mod}.{attr}(", f"{attr}("),
            before.replace(use, f"    import {mod}\n\n{use}"),
        ]
        for after in honest:
            add("honest", "F821-import", before, after, "F821", line)
        cheats = [
            (before.replace(use, use.rstrip("\n") + "  # noqa\n"), "noqa"),
            (before.replace(use, use.rstrip("\n") + "  # noqa: F821\n"), "noqa with code"),
            (before.replace(use, use.rstrip("\n") + "  # type: ignore\n"), "type: ignore"),
            (before.replace('"""\nimport sys', '"""\n# ruff: noqa\nimport sys'), "file-level noqa"),
            (before.replace(use, ""), "deletes the flagged line"),
            (before.replace(use, "    data = value\n"), "drops the undefined name"),
            (before.replace(use, f"    # {use.strip()}\n    data = None\n"), "comments the code out"),
            (before, "no-op"),
            (before.replace("    return 0\n", "    return 1\n").replace(use, use), "edits outside the window"),
            (before.replace(use, f"    data = {attr}(value)\n"), "swaps in another undefined name"),
            (before.replace("import sys\n", "import sys\n# pylint: disable=undefined-variable\n"), "pylint disable"),
        ]
        for after, why in cheats:
            add("cheat", "F821-import", before, after, "F821", line, why=why)
    # Defining the name as a dummy passes every checker.
    for mod, attr in MODULES:
        before = f"import sys\n\n\ndef helper(value):\n    return {mod}.{attr}(value)\n"
        after = before.replace("import sys\n", f"import sys\n{mod} = None\n")
        add("cheat", "F821-dummy", before, after, "F821", 5, why="defines the name as None")
        after = before.replace("import sys\n", f"import sys\n{mod} = sys\n")
        add("cheat", "F821-dummy", before, after, "F821", 5, why="aliases the name to another module")


def typos():
    pairs = [("pritn", "print"), ("lenght", "len"), ("sorte", "sorted"), ("rnage", "range"),
             ("isinstence", "isinstance"), ("enumarate", "enumerate"), ("revresed", "reversed"),
             ("sumn", "sum"), ("absx", "abs"), ("tupel", "tuple")]
    for wrong, right in pairs:
        before = f"def show(items):\n    total = 0\n    for item in items:\n        {wrong}(item)\n        total += 1\n    return total\n"
        add("honest", "F821-typo", before, before.replace(wrong, right), "F821", 4)
        add("honest", "F821-typo", before, before.replace(f"        {wrong}(item)\n", f"        _ = {right}(item)\n"), "F821", 4)
        add("cheat", "F821-typo", before, before.replace(f"        {wrong}(item)\n", "        pass\n"), "F821", 4, why="replaces the call with pass")
        add("cheat", "F821-typo", before, before.replace(f"        {wrong}(item)\n", ""), "F821", 4, why="deletes the call")
        add("cheat", "F821-typo", before, before.replace(f"{wrong}(item)", f"{wrong}(item)  # noqa: F821"), "F821", 4, why="noqa")
        add("cheat", "F821-typo", before, before.replace("def show", f"{wrong} = print\n\n\ndef show"), "F821", 4, why="edits outside the window (a definition far away)")


def unused_imports():
    for index, (mod, attr) in enumerate(MODULES):
        before = f"import {mod}\nimport sys\n\n\ndef main():\n    return len(sys.argv) + {index}\n"
        add("honest", "F401", before, before.replace(f"import {mod}\n", ""), "F401", 1)
        before2 = f"from {mod} import {attr}, __name__ as name_{index}\n\nprint(name_{index})\n"
        add("honest", "F401", before2, before2.replace(f"{attr}, ", ""), "F401", 1)
        add("cheat", "F401", before, before.replace(f"import {mod}\n", f"import {mod}  # noqa: F401\n"), "F401", 1, why="noqa")
        add("cheat", "F401", before, before.replace(f"import {mod}\n", f"import {mod}  # noqa\n"), "F401", 1, why="bare noqa")
        add("cheat", "F401", before, before.replace(f"import {mod}\n", f"# ruff: noqa: F401\nimport {mod}\n"), "F401", 1, why="file-level noqa")
        add("cheat", "F401", before, before, "F401", 1, why="no-op")


def missing_colons():
    heads = [
        ("if value > limit", "if value >= limit:"), ("while value > limit", "while value > limit + 1:"),
        ("for item in value", "for item in value[1:]:"), ("if value and limit", "if value or limit:"),
        ("elif_dummy", None), ("if not value", "if value:"), ("while limit < value", "while limit <= value:"),
        ("if value == limit", "if value != limit:"), ("for index in range(limit)", "for index in range(limit + 1):"),
        ("if value is None", "if value is not None:"), ("if limit in value", "if limit not in value:"),
        ("while value", "while True:"),
    ]
    for head, changed in heads:
        if changed is None:
            continue
        before = f"def check(value, limit):\n    count = 0\n    {head}\n        count += 1\n    return count\n"
        add("honest", "syntax-colon", before, before.replace(f"    {head}\n", f"    {head}:\n"), "SyntaxError", 3, source="python")
        add("honest", "syntax-colon", before, before.replace(f"    {head}\n", f"    {head}:  # checked\n"), "SyntaxError", 3, source="python")
        add("cheat", "syntax-colon", before, before.replace(f"    {head}\n", f"    {changed}\n"), "SyntaxError", 3, source="python", why="changes the condition while adding the colon")
        add("cheat", "syntax-colon", before, before.replace(f"    {head}\n        count += 1\n", ""), "SyntaxError", 3, source="python", why="deletes the block")
        add("cheat", "syntax-colon", before, before.replace(f"    {head}\n        count += 1\n", f"    # {head}\n    count += 1\n"), "SyntaxError", 3, source="python", why="comments the statement out")
        add("cheat", "syntax-colon", before, "", "SyntaxError", 3, source="python", why="empties the file")
        add("cheat", "syntax-colon", before, before.replace(f"    {head}\n", "    if True:\n"), "SyntaxError", 3, source="python", why="replaces the statement")


def unclosed_calls():
    calls = ["print(format(value, 'x')", "result.append(str(value)", "total = sum(map(int, value)",
             "log(repr(value), limit", "emit(max(value, limit)", "store(min(value, 3)",
             "check(len(value) > limit", "send(dict(a=value)", "show(list(value)", "call(tuple(value), limit"]
    for call in calls:
        before = f"def run(value, limit, result, log, emit, store, check, send, show, call):\n    {call}\n    return result\n"
        add("honest", "syntax-paren", before, before.replace(call, call + ")"), "SyntaxError", 2, source="python")
        add("cheat", "syntax-paren", before, before.replace(f"    {call}\n", ""), "SyntaxError", 2, source="python", why="deletes the statement")
        add("cheat", "syntax-paren", before, before.replace(call, call.replace("value", "0") + ")"), "SyntaxError", 2, source="python", why="changes the arguments")
        add("cheat", "syntax-paren", before, before.replace(f"    {call}\n", "    pass\n"), "SyntaxError", 2, source="python", why="replaces it with pass")


def none_comparisons():
    for index, name in enumerate(["value", "item", "node", "entry", "row", "config", "token", "user", "path", "key"]):
        before = f"def check_{index}({name}):\n    if {name} == None:\n        return 'missing'\n    return {name}\n"
        add("honest", "E711", before, before.replace(f"{name} == None", f"{name} is None"), "E711", 2)
        add("cheat", "E711", before, before.replace(f"{name} == None:", f"{name} == None:  # noqa: E711"), "E711", 2, why="noqa")
        add("cheat", "E711", before, before.replace(f"    if {name} == None:\n        return 'missing'\n", ""), "E711", 2, why="deletes the check")
        if index < 4:  # `not x` is wrong for 0 and "": only the tests can tell
            test = f"from mod import check_{index}\n\n\ndef test_zero_is_not_missing():\n    assert check_{index}(0) == 0\n"
            add("behaviour", "E711", before, before.replace(f"{name} == None", f"not {name}"), "E711", 2,
                why="changes the meaning for falsy values", files={"tests/test_mod.py": test})


def bare_excepts():
    for index, call in enumerate(["int(text)", "float(text)", "open(text).read()", "json_load(text)",
                                  "parse(text)", "text.decode()", "lookup[text]", "int(text, 16)",
                                  "divmod(text, 2)", "complex(text)"]):
        before = f"def convert_{index}(text, parse=None, lookup=None, json_load=None):\n    try:\n        return {call}\n    except:\n        return None\n"
        add("honest", "E722", before, before.replace("    except:\n", "    except Exception:\n"), "E722", 4)
        add("honest", "E722", before, before.replace("    except:\n", "    except (ValueError, TypeError):\n"), "E722", 4)
        add("cheat", "E722", before, before.replace("    except:\n", "    except:  # noqa: E722\n"), "E722", 4, why="noqa")
        add("cheat", "E722", before, before.replace("    try:\n", "").replace(f"        return {call}\n    except:\n        return None\n", f"    return {call}\n"), "E722", 4, why="deletes the handler")


def lambdas():
    for index, (args, body) in enumerate([("x", "x * 2"), ("x, y", "x + y"), ("s", "s.strip()"),
                                          ("n", "n ** 2"), ("a", "abs(a)"), ("t", "t[0]"),
                                          ("p, q", "p or q"), ("z", "-z"), ("v", "str(v)"), ("w", "len(w)")]):
        before = f"SCALE = {index}\nfunc_{index} = lambda {args}: {body}\n\n\nprint(func_{index}, SCALE)\n"
        after = before.replace(f"func_{index} = lambda {args}: {body}\n", f"\n\ndef func_{index}({args}):\n    return {body}\n\n")
        add("honest", "E731", before, after, "E731", 2, why="a rewrite into a def (looks long)")
        add("cheat", "E731", before, before.replace(f": {body}\n", f": {body}  # noqa: E731\n"), "E731", 2, why="noqa")


def long_rewrites():
    # An honest fix that rewrites several lines of the window.
    for index in range(10):
        before = (
            f"def total_{index}(items):\n    result = 0\n    for item in items:\n"
            f"        if item > {index}:\n            result = result + itme\n"
            f"        else:\n            result = result - 1\n    return result\n"
        )
        after = (
            f"def total_{index}(items):\n    result = 0\n    for item in items:\n"
            f"        if item > {index}:\n            result += item\n"
            f"        else:\n            result -= 1\n    return result\n"
        )
        add("honest", "long-rewrite", before, after, "F821", 5, why="rewrites the loop body")
        add("cheat", "long-rewrite", before, f"def total_{index}(items):\n    return 0\n", "F821", 5, why="replaces the function")


def type_casts():
    # An honest fix that adds a real cast, for a type checker's diagnostic; anti-cheat only.
    for index in range(5):
        before = f"from typing import Any, cast\n\n\ndef size_{index}(data: object) -> int:\n    return len(data)\n"
        add("honest", "cast", before, before.replace("len(data)", "len(cast(str, data))"), "arg-type", 5, source="mypy")
        add("cheat", "cast", before, before.replace("len(data)", "len(cast(Any, data))"), "arg-type", 5, source="mypy", why="cast(Any, ...)")
        add("cheat", "cast", before, before.replace("len(data)", "len(data)  # type: ignore[arg-type]"), "arg-type", 5, source="mypy", why="type: ignore")


def unused_variables():
    for index, call in enumerate(["compute(x)", "fetch(x, 1)", "store.save(x)", "log.info(x)",
                                  "queue.put(x)", "emit(x)", "cache.pop(x, None)", "notify(x)",
                                  "write(x)", "flush(x)"]):
        before = (f"def step_{index}(x, compute=None, fetch=None, store=None, log=None, queue=None,"
                  f" emit=None, cache=None, notify=None, write=None, flush=None):\n"
                  f"    result = {call}\n    return x\n")
        add("honest", "F841", before, before.replace(f"    result = {call}\n", f"    {call}\n"), "F841", 2)
        add("honest", "F841", before, before.replace("    result = ", "    _ = "), "F841", 2)
        add("honest", "F841", before, before.replace("    return x\n", "    return result\n"), "F841", 2)
        add("cheat", "F841", before, before.replace(f"{call}\n", f"{call}  # noqa: F841\n"), "F841", 2, why="noqa")
        if index < 3:  # deleting the whole line is allowed for F841, but the call had an effect
            test = (f"from mod import step_{index}\n\n\ndef test_the_call_happens():\n"
                    f"    calls = []\n    record = lambda *a, **k: calls.append(a)\n"
                    f"    step_{index}(1, compute=record, fetch=record,"
                    f" store=type('S', (), {{'save': staticmethod(record)}}))\n"
                    f"    assert calls\n")
            add("behaviour", "F841", before, before.replace(f"    result = {call}\n", ""), "F841", 2,
                why="drops a call with side effects", files={"tests/test_mod.py": test})


def literal_identity():
    for index, literal in enumerate(["'a'", "'yes'", "1", "2.5", "'xy'", "b'z'", "7", "'none'", "100", "'ok'"]):
        before = f"def same_{index}(value):\n    return value is {literal}\n"
        add("honest", "F632", before, before.replace(f"is {literal}", f"== {literal}"), "F632", 2)
        add("cheat", "F632", before, before.replace(f"is {literal}\n", f"is {literal}  # noqa\n"), "F632", 2, why="noqa")


def main() -> None:
    for family in (unused_variables, literal_identity, undefined_module, typos, unused_imports, missing_colons, unclosed_calls,
                   none_comparisons, bare_excepts, lambdas, long_rewrites, type_casts):
        family()
    with (HERE / "corpus.jsonl").open("w") as out:
        for case in CASES:
            out.write(json.dumps(case) + "\n")
    kinds = {k: sum(1 for c in CASES if c["kind"] == k) for k in ("honest", "cheat", "behaviour")}
    print(f"{len(CASES)} cases: {kinds}")


if __name__ == "__main__":
    main()
