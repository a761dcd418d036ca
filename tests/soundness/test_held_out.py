"""The judge on real commits from repositories no rule was written against
(tests/soundness/real/python-held.jsonl: keon/algorithms, avinashkranjan/Amazing-Python-Scripts,
Python-World/python-mini-projects, neetcode-gh/leetcode; MIT, see real/LICENSES.md).

Mined and minimised like real/python.jsonl (bench/real_corpus.py) and measured once before
any change: 61/80 accepted. Four of those refusals were policy bugs and are fixed (words
re-spaced by a syntax fix, a method of an undefined `self` meant as a function, a missing
block body); the refusals left are listed with why. A change that refuses one more, or a
different one, fails here.
"""

from __future__ import annotations

import json
from pathlib import Path

from measure import judge_all

CORPUS = Path(__file__).parent / "real" / "python-held.jsonl"
# id -> why refusing the commit's change is right, or (GAP) what the rules cannot tell
KNOWN_REFUSALS = {
    "python-000": "E712: the commit deletes the `== False` test with its block and two prints",
    "python-003": "MACHINE F821: un-comments `from utils import ...`, a module of the repository the "
                  "one-file case does not carry (the judge looks for it in the workspace)",
    "python-014": "F401: drops the whole import and rewrites two calls to `tk.filedialog` "
                  "(tkinter.filedialog is then never imported)",
    "python-020": "GAP F823: deletes the call `audio('Listening')` made before `audio` is "
                  "assigned; a call that can only raise looks like any deleted code",
    "python-023": "E402: the import moves up and `city = 'kanpur'` becomes `input(...)` in the "
                  "same hunk: a behaviour change",
    "python-029": "E402: the import moves up and a comprehension far below is re-wrapped "
                  "(bench --check trims it to the move)",
    "python-047": "F401: adds a test method that uses the unused import: new code",
    "python-049": "F811: renames the other definition and drops its `self` parameter",
    "python-052": "IndentationError: the file is rewritten (a new function and test code)",
    "python-055": "F403: deletes a package's star import: its exports change",
    "python-059": "GAP F821: `Node` -> `TreeNode` with the class un-commented 11 lines above, "
                  "outside the window; the judge does not follow a replacing name's definition",
    "python-063": "SyntaxError: `print x` fixed, plus a raw_input shim at the top for the F821 "
                  "the syntax error hid (bench --check trims it to the print fix)",
    "python-064": "F401: the import fixed, plus escapes doubled in two docstrings (trimmed by "
                  "bench --check)",
    "python-068": "SyntaxError: as python-063",
    "python-072": "SyntaxError: the missing `:` - the commit deletes the inner loop instead",
}


def only_known_refusals(corpus: Path, size: int, known: dict[str, str]) -> None:
    """Judge every case of `corpus`; fail on a refusal `known` does not list, or a stale one."""
    cases = [json.loads(line) for line in corpus.read_text().splitlines()]
    refused = {case_id: why for case_id, why in judge_all(cases).items() if why}
    print(f"\n{corpus.name}: accepted {len(cases) - len(refused)}/{len(cases)}")
    for case_id, why in sorted(refused.items()):
        print(f"  refused {case_id}: {why}")
    assert len(cases) == size
    unexpected = {case_id: why for case_id, why in refused.items() if case_id not in known}
    assert not unexpected, unexpected
    # a module the test machine may or may not have decides these: refused or not, both fine
    stale = sorted(set(known) - set(refused) - {k for k, why in known.items() if "MACHINE" in why})
    assert not stale, f"accepted now: take them out of the known refusals: {stale}"


def test_held_out_python_fixes_are_accepted_but_for_the_known_refusals():
    only_known_refusals(CORPUS, 80, KNOWN_REFUSALS)


CORPUS_TWO = Path(__file__).parent / "real" / "python-held2.jsonl"
COMMENTED_OUT = ("the commit comments out (or deletes) code the running Python cannot parse "
                 "(3.12 f-strings, 3.14 t-strings, `type` aliases): it no longer runs")
NOQA = "a `# noqa` instead of a fix"
# the second sample (realpython/materials, DhanushNehru/Python-Scripts): 82/123 before any change
KNOWN_REFUSALS_TWO = {
    'python-000': 'F401: the unused `random` is made used by un-commenting three randint calls in place of 255: a behaviour change',
    'python-003': 'E402: the commit deletes the late import with the code that uses it',
    'python-005': 'GAP E721: `assertTrue(type(x) == T)` -> `assertIsInstance(x, T)`: the call changes with the comparison',
    'python-006': NOQA,
    'python-010': NOQA,
    'python-018': COMMENTED_OUT,
    'python-021': NOQA,
    'python-025': "MACHINE F821: `import pandas as pd`, refused where pandas is not installed (the judge looks for the module in the interpreter)",
    'python-026': NOQA,
    'python-032': "F821: the call's typo fixed, and the definition renamed as well (`..._recommendations` -> `..._recommendation`): more than the fix",
    'python-044': COMMENTED_OUT,
    'python-046': NOQA,
    'python-047': 'MACHINE F821: as python-025',
    'python-049': COMMENTED_OUT,
    'python-054': COMMENTED_OUT,
    'python-059': COMMENTED_OUT,
    'python-064': COMMENTED_OUT,
    'python-079': COMMENTED_OUT,
    'python-080': NOQA,
    'python-081': COMMENTED_OUT,
    'python-082': NOQA,
    'python-085': COMMENTED_OUT,
    'python-089': COMMENTED_OUT,
    'python-091': COMMENTED_OUT,
    'python-093': COMMENTED_OUT,
    'python-095': COMMENTED_OUT,
    'python-097': COMMENTED_OUT,
    'python-099': COMMENTED_OUT,
    'python-101': COMMENTED_OUT,
    'python-103': COMMENTED_OUT,
    'python-105': COMMENTED_OUT,
    'python-107': COMMENTED_OUT,
    'python-109': COMMENTED_OUT,
    'python-111': NOQA,
    'python-112': NOQA,
    'python-113': NOQA,
    'python-118': 'F401: only the `# noqa` list changes (E401 -> F401): a suppression',
}


def test_second_held_out_sample_is_accepted_but_for_the_known_refusals():
    only_known_refusals(CORPUS_TWO, 123, KNOWN_REFUSALS_TWO)
