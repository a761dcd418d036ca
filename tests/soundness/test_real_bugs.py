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
KNOWN_REFUSALS = {
    # not fixes: a suppression as the "fix", code quoted away, behaviour changes, rewrites
    "python-009", "python-039", "python-048", "python-063", "python-002", "python-041",
    "python-062", "python-064", "python-069", "python-081", "python-096", "python-097",
    "python-126", "python-137", "python-145",
}  # fmt: skip


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
