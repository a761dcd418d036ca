"""The gate on the soundness corpus: no cheat accepted, ≥ 99 % of honest fixes accepted.

Each case goes through what a loop does with a candidate: the anti-cheat
policy (with the loop's window), then the real verifiers on the shadow text,
then (for cases that ship tests) the test gate in a shadow copy of a workspace.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import anyio
import pytest

from fixloop.engine import anticheat
from fixloop.engine.findings import run_checks
from fixloop.engine.gate import verify
from fixloop.engine.results import Snapshot
from fixloop.engine.testgate import TestGate
from fixloop.engine.window import make_window
from fixloop.verifiers import Finding, Span
from fixloop.verifiers.registry import make_verifiers

pytestmark = pytest.mark.usefixtures("toolchains")  # gcc and g++ for the C and C++ cases (conftest.py)

# --- open findings (issue 14): what the policy gets wrong today, to be emptied by the judge ---
# Cheats of the C / JavaScript / TypeScript / Rust / Go cases (corpus_languages.py) that the
# policy accepts (emptied in issue 14's fourth session). A cheat accepted that is not
# listed fails; one listed that is now refused fails too: delete it from here.
ACCEPTED_CHEATS: set[str] = set()
# Honest fixes of those languages the policy refuses (counted against the 1 % allowance).
REFUSED_HONEST: set[str] = set()
# --- end of open findings ---

CORPUS = [json.loads(line) for line in (Path(__file__).parent / "corpus.jsonl").read_text().splitlines()]
VERIFIERS = ("python", "ruff")
GATES = {".py": ("python", "ruff"), ".cpp": ("g++",), ".c": ("gcc",)}
LANGUAGES = {".py": "python", ".cpp": "cpp", ".c": "c", ".js": "javascript", ".ts": "typescript",
             ".rs": "rust", ".go": "go"}
# eslint, tsc, cargo and go need a project and tools a test cannot count on: those cases
# are judged by the anti-cheat policy alone, on the diagnostic as recorded (with its message).


def target_of(case: dict, findings: tuple[Finding, ...]) -> Finding:
    want = case["target"]
    for finding in findings:
        if (finding.source, finding.code, finding.span.start_line + 1) == (
            want["source"], want["code"], want["line"]
        ):
            return finding
    if want["source"] in VERIFIERS + ("g++", "gcc"):
        raise AssertionError(f"{case['id']}: the diagnostic {want} is not raised by the before text")
    line = want["line"] - 1  # a verifier fixloop does not run here: the finding as recorded
    return Finding(want["source"], want["code"], want.get("message", ""), Span(line, 0, line, 1))


async def judge(case: dict, root: Path, limiter: anyio.CapacityLimiter) -> str | None:
    """None when the candidate is accepted, else the reason it was refused."""
    path = root / case["path"]
    for name, text in case.get("files", {}).items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    path.write_text(case["before"])
    suffix = path.suffix
    snapshot = Snapshot(path.as_uri(), 1, case["before"], path, root, language=LANGUAGES[suffix])
    if suffix not in GATES:  # the policy alone
        finding = target_of(case, ())
        window = make_window(case["before"], finding)
        return anticheat.review(
            case["before"], case["after"], finding, window, snapshot.language, root=root
        )
    verifiers = make_verifiers(GATES[suffix])
    check = await run_checks(snapshot, verifiers, limiter)
    finding = target_of(case, check.findings)
    window = make_window(case["before"], finding)
    reason = anticheat.review(
        case["before"], case["after"], finding, window, snapshot.language, root=root
    )
    if reason:
        return reason
    verdict = await verify(case["after"], snapshot, check.findings, finding, verifiers, limiter)
    if not verdict.passed:
        return verdict.reason
    if "gate_tests" in case:
        argv = [sys.executable if part == "python" else part for part in case["gate_tests"]]
        tests = await TestGate(tuple(argv), timeout=60).check(snapshot, case["after"])
        if not tests.passed:
            return tests.reason
    return None


@pytest.fixture(scope="module")
def verdicts(tmp_path_factory):
    async def run_all():
        limiter = anyio.CapacityLimiter(2)
        results: dict[str, str | None] = {}
        broken: list[str] = []

        async def one(case):
            root = tmp_path_factory.mktemp(case["id"])
            try:
                results[case["id"]] = await judge(case, root, limiter)
            except AssertionError as exc:  # a broken case: reported by the corpus test
                broken.append(str(exc))
                results[case["id"]] = "broken case"

        async with anyio.create_task_group() as tg:
            for case in CORPUS:
                tg.start_soon(one, case)
        assert not broken, broken
        return results

    return anyio.run(run_all)


def test_the_corpus_is_big_enough():
    kinds = Counter(case["kind"] for case in CORPUS)
    assert kinds["honest"] >= 200
    assert kinds["cheat"] + kinds["behaviour"] >= 200
    assert kinds["behaviour"] >= 5


def test_no_cheat_is_accepted(verdicts):
    accepted = [
        f"{case['id']} ({case['why']})"
        for case in CORPUS
        if case["kind"] in ("cheat", "behaviour") and verdicts[case["id"]] is None
    ]
    print(f"\nsoundness: {len(accepted)} cheats accepted: {accepted}")
    unlisted = [entry for entry in accepted if entry.split(" ")[0] not in ACCEPTED_CHEATS]
    assert unlisted == []
    now_refused = ACCEPTED_CHEATS - {entry.split(" ")[0] for entry in accepted}
    assert not now_refused, f"refused now, delete from ACCEPTED_CHEATS: {sorted(now_refused)}"


def test_behaviour_changes_are_caught_by_the_test_gate(verdicts):
    # each is refused; the judge reads some now (`== None` -> `not x` changes the test's
    # sense), the rest only the workspace's tests can tell
    behaviour = [case for case in CORPUS if case["kind"] == "behaviour"]
    assert all(verdicts[case["id"]] for case in behaviour), behaviour
    by_tests = [case["id"] for case in behaviour if "test" in verdicts[case["id"]]]
    assert len(by_tests) >= 3, by_tests


def test_honest_fixes_are_accepted(verdicts):
    honest = [case for case in CORPUS if case["kind"] == "honest"]
    refused = [f"{case['id']}: {verdicts[case['id']]}" for case in honest if verdicts[case["id"]]]
    print(f"\nsoundness: {len(honest) - len(refused)}/{len(honest)} honest fixes accepted; "
          f"refused: {refused}")
    assert len(refused) <= len(honest) // 100, refused
    refused_ids = {entry.split(":")[0] for entry in refused}
    assert REFUSED_HONEST <= refused_ids, f"accepted now, delete: {sorted(REFUSED_HONEST - refused_ids)}"
