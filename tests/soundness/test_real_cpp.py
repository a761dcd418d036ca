"""The judge on real C++ bugs it was not written against: public commits that fixed a g++
error (tests/soundness/real/README.md says where each comes from, and the licences).

Every ground-truth fix goes through the loop's window, the anti-cheat policy, then the real
g++ gate. 39 of the 45 are accepted; each of the 6 refused is listed here and in
docs/anti-cheat.md with why: none is a fix of the diagnostic alone. A change that refuses one
more real fix, or refuses a different one, fails here.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from measure import judge_all

pytestmark = pytest.mark.usefixtures("toolchains")  # g++ (conftest.py installs what is missing)

CORPUS = Path(__file__).parent / "real" / "cpp.jsonl"
KNOWN_REFUSALS = {
    # id -> what the refusal says; why the ground truth is not a fix of the diagnostic
    "cpp-003": "deletes code",  # drops `vector<int> v(ia, ...)` and rewrites the exercise
    "cpp-006": "outside its window",  # replaces the whole program by `int main(){ return 0; }`
    "cpp-008": "deletes code",  # comments out the ambiguous call instead of disambiguating it
    "cpp-043": "deletes code",  # the same exercise, another repository: the call commented out
    "cpp-027": "deletes code",  # also rewrites the unflagged `if` (`>=` on length -> `==` on size)
    "cpp-039": "deletes code",  # replaces the algorithm (NEG_INF table -> nested loops)
}


def test_real_cpp_fixes_are_accepted_but_for_the_known_refusals():
    cases = [json.loads(line) for line in CORPUS.read_text().splitlines()]
    results = judge_all(cases)
    refused = {case_id: why for case_id, why in results.items() if why}
    accepted = len(cases) - len(refused)
    print(f"\nreal C++ fixes accepted: {accepted}/{len(cases)} ({100 * accepted / len(cases):.1f} %)")
    for case_id, why in sorted(refused.items()):
        print(f"  refused {case_id}: {why}")
    assert len(cases) == 45
    unexpected = {
        case_id: why for case_id, why in refused.items()
        if case_id not in KNOWN_REFUSALS or KNOWN_REFUSALS[case_id] not in why
    }
    assert not unexpected, unexpected
    assert accepted >= 39
