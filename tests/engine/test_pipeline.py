"""The one fix pipeline: shortcuts → fast tier → auto-escalation → remember, in that order."""

from __future__ import annotations

import anyio
import pytest

from fixloop.config import BudgetSettings, ModelSettings, Settings, Tier
from fixloop.engine import pipeline
from fixloop.engine.results import Attempt, Fix, LoopResult, LoopStatus, Outcome
from fixloop.engine.shortcuts import FixMemory, Shortcut
from fixloop.engine.tiers import Origin
from fixloop.engine.tracking import State, Tracked
from fixloop.engine.window import assemble, make_window
from fixloop.text.lines import split_lines
from fixloop.verifiers.base import Finding, Span, ToolEdit

TEXT = 'import pathlib\n\n\ndef main():\n    return pathlb.Path(".")\n'
FIXED = TEXT.replace("pathlb.", "pathlib.")
MODEL = ModelSettings(base_url="http://127.0.0.1:1/v1", model="m")


def settings(auto: bool, frontier: bool = True) -> Settings:
    models = {Tier.FAST: MODEL, **({Tier.FRONTIER: MODEL} if frontier else {})}
    return Settings(models=models, budget=BudgetSettings(auto_escalate=auto))


def finding(tool_fix: tuple[ToolEdit, ...] = ()) -> Finding:
    return Finding("ruff", "F821", "Undefined name `pathlb`", Span(4, 11, 4, 17), tool_fix=tool_fix)


def failed(tier, status=LoopStatus.GAVE_UP) -> LoopResult:
    attempt = Attempt(1, tier, Outcome.FAILED, "still there", 0.1)
    return LoopResult(status, None, (attempt,), 0.1, "still there")


def fixed(found: Finding, tier) -> LoopResult:
    window = make_window(TEXT, found)
    candidate = assemble(TEXT, window, make_window(FIXED, found).texts(split_lines(FIXED)))
    fix = Fix(found, window, candidate.region_edits, tier, "m", 1, 0.2)
    attempt = Attempt(1, tier, Outcome.VERIFIED, "", 0.2)
    return LoopResult(LoopStatus.FIXED, fix, (attempt,), 0.3)


@pytest.mark.parametrize(
    ("ran", "result", "auto", "frontier", "then"),
    [
        (Origin.TOOL, failed(Origin.TOOL), False, False, Tier.FAST),
        (Origin.MEMORY, failed(Origin.MEMORY), True, True, Tier.FAST),
        (Tier.FAST, failed(Tier.FAST), False, True, None),  # the user escalates, if they want
        (Tier.FAST, failed(Tier.FAST), True, True, Tier.FRONTIER),
        (Tier.FAST, failed(Tier.FAST, LoopStatus.TIMED_OUT), True, True, Tier.FRONTIER),
        (Tier.FAST, failed(Tier.FAST), True, False, None),  # no frontier model
        (Tier.FAST, failed(Tier.FAST, LoopStatus.OVER_BUDGET), True, True, None),
        (Tier.FAST, failed(Tier.FAST, LoopStatus.STOPPED), True, True, None),
        (Tier.FRONTIER, failed(Tier.FRONTIER), True, True, None),
        (Tier.FAST, fixed(finding(), Tier.FAST), True, True, None),
    ],
)
def test_what_runs_after_each_stage(ran, result, auto, frontier, then):
    assert pipeline.next_tier(settings(auto, frontier), ran, result) == then


def run(found, memory, auto, answers, start=Tier.FAST):
    """The pipeline with scripted stages; the calls it made, in order."""
    calls: list[tuple] = []

    async def run_shortcuts(candidates: tuple[Shortcut, ...]) -> LoopResult:
        calls.append(("shortcuts", tuple(c.tier for c in candidates)))
        return answers.pop(0)

    async def run_tier(tier: Tier, context: tuple[Attempt, ...]) -> LoopResult:
        calls.append((tier, tuple(a.tier for a in context)))
        return answers.pop(0)

    window = make_window(TEXT, found)

    async def main():
        return await pipeline.run(
            settings(auto), TEXT, found, window, memory,
            run_shortcuts=run_shortcuts, run_tier=run_tier, start=start,
        )

    return anyio.run(main), calls


def test_the_checkers_fix_then_the_fast_tier_then_the_frontier_told_what_failed():
    found = finding((ToolEdit(Span(4, 11, 4, 17), "pathlib2"),))  # a wrong fix of the checker
    answers = [failed(Origin.TOOL), failed(Tier.FAST), fixed(found, Tier.FRONTIER)]
    memory = FixMemory()
    outcome, calls = run(found, memory, True, answers)
    assert calls == [
        ("shortcuts", (Origin.TOOL,)),
        (Tier.FAST, (Origin.TOOL,)),
        (Tier.FRONTIER, (Origin.TOOL, Tier.FAST)),
    ]
    assert [stage.ran for stage in outcome.stages] == [Origin.TOOL, Tier.FAST, Tier.FRONTIER]
    assert outcome.result.status is LoopStatus.FIXED and len(outcome.result.attempts) == 3
    assert outcome.time_to_fix == pytest.approx(0.1 + 0.1 + 0.2)
    # Remembered: the same mistake is a shortcut next time, from the tier that found it.
    _, calls = run(found, memory, True, [fixed(found, Origin.MEMORY)])
    assert calls == [("shortcuts", (Origin.TOOL, Origin.MEMORY))]


def test_no_shortcut_no_escalation_without_auto_escalate_and_none_when_started_on_the_frontier():
    outcome, calls = run(finding(), None, False, [failed(Tier.FAST)])
    assert calls == [(Tier.FAST, ())] and outcome.result.status is LoopStatus.GAVE_UP
    found = finding((ToolEdit(Span(4, 11, 4, 17), "pathlib"),))
    outcome, calls = run(found, FixMemory(), True, [failed(Tier.FRONTIER)], start=Tier.FRONTIER)
    assert calls == [(Tier.FRONTIER, ())] and outcome.time_to_fix is None


def test_a_fix_from_the_checker_ends_the_pipeline():
    found = finding((ToolEdit(Span(4, 11, 4, 17), "pathlib"),))
    outcome, calls = run(found, None, True, [fixed(found, Origin.TOOL)])
    assert calls == [("shortcuts", (Origin.TOOL,))] and outcome.result.fix is not None


def test_a_tracked_findings_runs_change_through_named_transitions():
    anyio.run(transitions)


async def transitions():
    found = finding()
    tracked = Tracked("id", found, make_window(TEXT, found))
    tracked.ended(failed(Tier.FAST))
    tracked.block("ruff could not run")
    scope = tracked.begin(Tier.FRONTIER, (Attempt(1, Tier.FAST, Outcome.FAILED, "x", 0.1),))
    assert scope is tracked.scope and tracked.run == 1 and not tracked.blocked
    assert (tracked.state, tracked.tier, tracked.result, tracked.attempt) == (
        State.QUEUED, Tier.FRONTIER, None, 0
    )
    assert tracked.enter(State.RUNNING) is State.QUEUED and tracked.state is State.RUNNING
    tracked.attempted(2)
    tracked.block("mypy could not run")
    assert tracked.blocked and tracked.result.status is LoopStatus.STOPPED
    tracked.ask(7, foreign=True)
    tracked.ask(8)
    assert (tracked.asked, tracked.foreign) == (8, True)
