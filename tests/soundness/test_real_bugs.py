"""The judge on real bugs it was not written against: public commits that fixed a checker's
diagnostic (tests/soundness/real/README.md says where each comes from, and the licences).

Every ground-truth fix goes through what a loop does with a candidate: the loop's window,
the anti-cheat policy, then the real verifiers. 165 of the 180 are accepted; each of the
15 refused is listed in docs/anti-cheat.md with why (none is a fix of the diagnostic alone:
a `# noqa`, code quoted away, a rewrite that changes behaviour). A change that refuses one
more real fix, or refuses a different one, fails here.
"""

from __future__ import annotations

import json
from pathlib import Path

from measure import judge_all

CORPUS = Path(__file__).parent / "real" / "python.jsonl"
# id -> why refusing the commit's change is right: it is not a fix of the flagged diagnostic
# alone (a suppression, code quoted away or deleted, a rewrite that changes behaviour)
KNOWN_REFUSALS = {
    "python-002": "E701: `s += b` becomes `ls.append(b)` and the `b < n` test goes: a behaviour change",
    "python-009": "E731: a `# noqa` instead of a def",
    "python-039": "E741: a `# noqa` instead of a rename",
    "python-048": "E741: a `# noqa` instead of a rename",
    "python-041": "F821: the version check rewritten as try/except NameError, input() given .strip()",
    "python-062": "E703: the commit deletes the whole program but its first line",
    "python-063": "E711: code quoted away into a string, and new code added",
    "python-064": "E712: `while testcase == False` becomes `while (1)` and an assignment goes",
    "python-069": "F821: the function rewritten, the name made a parameter with a default",
    "python-081": "SyntaxError: besides print(), the directory becomes 'testdir0123' via os.path.join",
    "python-096": "F821: the input shim rewritten and the sys.version branch deleted",
    "python-097": "IndentationError: a commented-out print brought back as code",
    "python-126": "F821: the loop rewritten over values and dp's start changed",
    "python-137": "F821: the algorithm rewritten (map(int, s) gone, count('0'), a string rebuilt)",
    "python-145": "F821: the loop rewritten over an iterator",
}


def test_real_python_fixes_are_accepted_but_for_the_known_refusals():
    cases = [json.loads(line) for line in CORPUS.read_text().splitlines()]
    results = judge_all(cases)
    refused = {case_id: why for case_id, why in results.items() if why}
    accepted = len(cases) - len(refused)
    print(f"\nreal Python fixes accepted: {accepted}/{len(cases)} ({100 * accepted / len(cases):.1f} %)")
    for case_id, why in sorted(refused.items()):
        print(f"  refused {case_id}: {why}")
    assert len(cases) == 180
    unexpected = {case_id: why for case_id, why in refused.items() if case_id not in KNOWN_REFUSALS}
    assert not unexpected, unexpected
    assert accepted >= 165
