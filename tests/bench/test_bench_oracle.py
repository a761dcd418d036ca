"""The simulated model's answers, through the engine's own prompt, reply parser and anti-cheat
policy, on one shipped case of each kind: the right answer is the ground truth, a cheat is
refused, an unusable reply does not parse, a near miss is another (wrong) text."""

from __future__ import annotations

import random
from pathlib import Path

import anyio
import pytest

from fixloop.benchmark.corpus import read_corpus
from fixloop.benchmark.oracle import Oracle, answer
from fixloop.engine import anticheat
from fixloop.engine.findings import run_checks
from fixloop.engine.prompt import ReplyFormat, build_request
from fixloop.engine.replies import ReplyError, apply_reply, parse_reply
from fixloop.engine.results import Snapshot
from fixloop.engine.window import assemble, make_window, whole_file
from fixloop.verifiers.base import Finding, Span
from fixloop.verifiers.registry import make_verifiers

CORPUS = Path(__file__).resolve().parents[2] / "bench" / "corpus"
CASES = read_corpus(CORPUS)
ONE_OF_EACH = {case.kind: case for case in reversed(CASES)}


async def finding_for(case, tmp_path) -> Finding:
    if case.verifier == "mypy":  # a mypy run is slow; the policy reads only the span and code
        line = case.before.splitlines()[case.line - 1]
        return Finding(
            "mypy",
            case.code,
            "Incompatible types",
            Span(case.line - 1, 0, case.line - 1, len(line)),
        )
    path = tmp_path / case.file
    snapshot = Snapshot(path.as_uri(), 0, case.before, path, tmp_path)
    (finding,) = (
        await run_checks(snapshot, make_verifiers(case.verifiers), anyio.CapacityLimiter(1))
    ).shown
    return finding


def test_the_corpus_has_every_kind_and_at_least_200_cases():
    assert len(CASES) >= 200
    assert set(ONE_OF_EACH) == {
        "drop-import",
        "misspell",
        "unused-import",
        "missing-colon",
        "return-value",
        "arg-type",
    }


@pytest.mark.parametrize("kind", sorted(ONE_OF_EACH))
@pytest.mark.parametrize("reply_format", list(ReplyFormat))
async def test_answers_through_the_engines_parser_and_policy(kind, reply_format, tmp_path):
    case = ONE_OF_EACH[kind]
    finding = await finding_for(case, tmp_path)
    snapshot = Snapshot("file:///w/module.py", 0, case.before, Path("/w/module.py"), Path("/w"))
    window = (
        whole_file(case.before)
        if reply_format is ReplyFormat.WHOLE
        else make_window(case.before, finding)
    )
    prompt = build_request(
        snapshot, finding, window, [], max_tokens=1024, temperature=0.2, reply_format=reply_format
    )
    oracle = Oracle(case.before, case.after, case.kind, case.verifier, case.code, case.line)
    rng = random.Random(3)

    def candidate(right: bool, wrong: str) -> tuple[str, str | None]:
        text, _ = answer(oracle, prompt.system, prompt.messages[0].content, right, wrong, rng)
        new = assemble(case.before, window, apply_reply(case.before, window, parse_reply(text)))
        return new.text, anticheat.review(case.before, new.text, finding, window)

    assert candidate(True, "") == (case.after, None)
    for _ in range(4):
        text, refusal = candidate(False, "cheat")
        assert refusal is not None
        text, refusal = candidate(False, "near-miss")
        assert text not in (case.after, case.before)
        with pytest.raises(ReplyError):
            candidate(False, "unusable")
