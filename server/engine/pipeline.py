"""The fix pipeline: tool fix / remembered fix → fast tier → auto-escalation → remember.

One order for every driver: the language server (engine/runs.py, which runs
each stage as its own job, a model stage once a loop slot is free),
`fixloop fix` (engine/headless.py) and the benchmark (benchmark/runner.py)
all take their next stage from `next_tier` and remember with `remember`;
`run` drives the whole sequence for a caller that waits for it.

- A start on the fast tier first judges the candidates that need no model
  (`shortcuts`): the checker's own fix, then a remembered one. The first that
  passes ends the pipeline.
- Otherwise the fast tier's loop runs, told why the shortcuts failed.
- A fast loop that gave up (or ran out of time) moves to the frontier tier by
  itself when the workspace has `budget.auto_escalate` and a frontier model.
- A verified fix is remembered, keyed by the finding and its window's text.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fixloop.config import Settings, Tier
from fixloop.engine.escalation import auto_escalates
from fixloop.engine.results import Attempt, LoopResult, LoopStatus
from fixloop.engine.shortcuts import FixMemory, Shortcut, shortcuts
from fixloop.engine.tiers import Maker, Origin
from fixloop.engine.window import Window
from fixloop.verifiers.base import Finding

__all__ = ["Stage", "Outcome", "first_shortcuts", "next_tier", "joined", "remember", "run"]


def first_shortcuts(
    start: Tier, text: str, finding: Finding, window: Window, memory: FixMemory | None
) -> tuple[Shortcut, ...]:
    """The candidates that need no model, tried before a start on the fast tier (none otherwise)."""
    if start != Tier.FAST:
        return ()
    return shortcuts(text, finding, window, memory)


def next_tier(settings: Settings, ran: Maker, result: LoopResult) -> Tier | None:
    """The model tier to run after a stage (`ran`) that ended with `result`; None: done."""
    if result.fix is not None or result.status in (LoopStatus.STOPPED, LoopStatus.OVER_BUDGET):
        return None
    if isinstance(ran, Origin):
        return Tier.FAST  # the model's turn, told why the shortcuts failed
    if auto_escalates(settings, ran, result):
        return Tier.FRONTIER
    return None


def joined(first: LoopResult, second: LoopResult) -> LoopResult:
    """Two stages of one finding as one result (the later stage's end)."""
    return LoopResult(
        second.status,
        second.fix,
        first.attempts + second.attempts,
        first.seconds + second.seconds,
        second.reason,
    )


def remember(memory: FixMemory | None, text: str, result: LoopResult) -> None:
    """Keep a pipeline's verified fix (found on `text`) for the next time the same mistake shows."""
    if memory is not None and result.fix is not None:
        memory.remember(text, result.fix)


@dataclass(frozen=True, slots=True)
class Stage:
    """One stage that ran: the shortcuts (as the origin of the last one judged) or a model tier."""

    ran: Maker
    result: LoopResult


@dataclass(frozen=True, slots=True)
class Outcome:
    """A whole pipeline: its stages in order, and them joined as one result."""

    stages: tuple[Stage, ...]
    result: LoopResult

    @property
    def time_to_fix(self) -> float | None:
        """Seconds from the start to the verified fix, across the stages; None if not fixed."""
        elapsed = 0.0
        for stage in self.stages:
            if stage.result.fix is not None:
                return elapsed + stage.result.fix.seconds
            elapsed += stage.result.seconds
        return None


RunShortcuts = Callable[[tuple[Shortcut, ...]], Awaitable[LoopResult]]
RunTier = Callable[[Tier, tuple[Attempt, ...]], Awaitable[LoopResult]]


async def run(
    settings: Settings,
    text: str,
    finding: Finding,
    window: Window,
    memory: FixMemory | None,
    *,
    run_shortcuts: RunShortcuts,
    run_tier: RunTier,
    start: Tier = Tier.FAST,
    context: tuple[Attempt, ...] = (),
) -> Outcome:
    """The whole pipeline for one finding, each stage run (and recorded) by the caller's hooks."""
    stages: list[Stage] = []
    candidates = first_shortcuts(start, text, finding, window, memory)
    tier: Tier | None = start
    result: LoopResult | None = None
    if candidates:
        result = await run_shortcuts(candidates)
        ran: Maker = result.fix.tier if result.fix is not None else candidates[-1].tier
        stages.append(Stage(ran, result))
        tier = next_tier(settings, ran, result)
    while tier is not None:
        history = result.attempts if result is not None else context
        step = await run_tier(tier, history)
        stages.append(Stage(tier, step))
        result = step if result is None else joined(result, step)
        tier = next_tier(settings, tier, step)
    assert result is not None
    remember(memory, text, result)
    return Outcome(tuple(stages), result)
