"""Strategies: which tiers a diagnostic goes through, how many attempts, how many at once.

A strategy runs the product's fix pipeline (engine/pipeline.py) from its first
step's tier: a start on the fast tier first judges the checker's own fix, and
a second step is the pipeline's auto-escalation to the frontier tier, told
what failed. Each step's attempts and parallelism are the tier's budget:

- `fast-first`: the fast tier, N candidates in flight, up to 8 attempts (the
  product's defaults).
- `frontier-only`: the frontier tier alone, one attempt at a time, up to 4
  (the first try and three retries with the failures fed back).
- `escalate`: the fast tier for K attempts (N at once), then the frontier
  tier for 2 (the product's `frontier_attempts`), told what failed.
- `serial`: the peer baseline, after aider: one candidate at a time, the
  whole file in the prompt and in the reply (one fenced block), at most three
  reflections (4 attempts), on the frontier tier.
"""

from __future__ import annotations

from dataclasses import dataclass

from fixloop.config import ReplyFormat, Tier

FAST = Tier.FAST
FRONTIER = Tier.FRONTIER


@dataclass(frozen=True, slots=True)
class Step:
    """One loop on one tier."""

    tier: Tier
    attempts: int
    parallel: int
    reply_format: ReplyFormat = ReplyFormat.EDITS

    @property
    def whole_file(self) -> bool:
        return self.reply_format is ReplyFormat.WHOLE

    def describe(self) -> str:
        fmt = ", whole file" if self.whole_file else ""
        return f"{self.tier} ×{self.attempts} ({self.parallel} at once{fmt})"


@dataclass(frozen=True, slots=True)
class Strategy:
    name: str
    steps: tuple[Step, ...]
    summary: str
    max_tokens: int = 1024

    @property
    def tiers(self) -> tuple[Tier, ...]:
        return tuple(dict.fromkeys(step.tier for step in self.steps))

    def describe(self) -> str:
        return " → ".join(step.describe() for step in self.steps)


def builtin_strategies(parallel: int = 3, escalate_after: int = 4) -> dict[str, Strategy]:
    """The four strategies, with N = `parallel` fast candidates and K = `escalate_after`."""
    return {
        "fast-first": Strategy(
            "fast-first",
            (Step(FAST, 8, parallel),),
            f"fast tier, {parallel} candidates in flight, up to 8 attempts",
        ),
        "frontier-only": Strategy(
            "frontier-only",
            (Step(FRONTIER, 4, 1),),
            "frontier tier, one attempt at a time, up to 4",
        ),
        "escalate": Strategy(
            "escalate",
            (Step(FAST, escalate_after, parallel), Step(FRONTIER, 2, 2)),
            f"fast tier for {escalate_after} attempts ({parallel} at once), then the frontier "
            "tier for 2",
        ),
        "serial": Strategy(
            "serial",
            (Step(FRONTIER, 4, 1, ReplyFormat.WHOLE),),
            "aider-style peer baseline: one candidate at a time, whole-file rewrite, "
            "at most three reflections, frontier tier",
            max_tokens=4096,  # a whole file does not fit in the edit formats' 1,024
        ),
    }
