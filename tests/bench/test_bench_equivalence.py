"""A verified fix against the ground truth; a configured tier runs with its own settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from fixloop.benchmark.corpus import Case
from fixloop.benchmark.equivalence import Verdict, classify, unified_diff
from fixloop.benchmark.runner import Plan, Runner, TierSource
from fixloop.benchmark.strategies import builtin_strategies
from fixloop.config import ModelSettings, ReplyFormat

TRUTH = "import os\n\n\ndef f(path):\n    return os.path.exists(path)\n"


@pytest.mark.parametrize(
    ("fixed", "file", "truth", "verdict"),
    [
        (TRUTH, "a.py", TRUTH, Verdict.SAME),
        (TRUTH.replace("(path)\n", "( path )  # checked\n"), "a.py", TRUTH, Verdict.EQUIVALENT),
        (TRUTH.replace("exists", "isfile"), "a.py", TRUTH, Verdict.CHANGED),
        ("def f(:\n", "a.py", TRUTH, Verdict.CHANGED),  # not even Python
        ("int  x=1; // one\n", "a.cpp", "int x = 1;\n", Verdict.EQUIVALENT),
        ("int x = 2;\n", "a.cpp", "int x = 1;\n", Verdict.CHANGED),
        ("let x = 1 /* one */;\n", "a.ts", "let x = 1;\n", Verdict.EQUIVALENT),
        ("x = 1\n", "a.unknown-language", "x=1\n", Verdict.CHANGED),
    ],
)
def test_a_fix_is_the_same_equivalent_or_a_behaviour_change(fixed, file, truth, verdict):
    assert classify(fixed, truth, file) is verdict


def test_the_diff_names_the_file():
    diff = unified_diff("x = 1\n", "x = 2\n", "pkg/a.py")
    assert diff.splitlines() == [
        "--- a/pkg/a.py", "+++ b/pkg/a.py", "@@ -1 +1 @@", "-x = 1", "+x = 2"
    ]


def test_a_configured_tier_keeps_its_own_reply_format_token_limit_and_temperature(tmp_path):
    local = ModelSettings(
        protocol="local", model="small", max_tokens=256, temperature=0.7, reply_format="whole"
    )
    strategies = builtin_strategies()
    case = Case("000-x", "a.py", "ruff", "F821", 1, "k", "s", "x\n", "x = 1\n")
    plan = Plan(Path(tmp_path), (case,), tuple(strategies.values()), {}, tmp_path)
    runner = Runner(plan, progress=None)
    tier = TierSource("fast", model=local)
    model = runner.model_for(tier, case, strategies["fast-first"], 0)
    assert model == local and model.reply_format is ReplyFormat.WHOLE
    # The serial baseline is defined by a whole-file reply: it gets room for one.
    assert runner.model_for(tier, case, strategies["serial"], 0).max_tokens == 4096
