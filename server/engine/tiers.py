"""Who makes a candidate: a model tier (`Tier`), or no model at all (`Origin`).

Model tiers are the keys of `[models.<tier>]` (config.Tier). A candidate that
needs no model comes from the checker's own fix or from the memory of
verified fixes; it is judged like any other and recorded with its origin
where a model's attempt records its tier (`Attempt.tier`, `Fix.tier`).
"""

from __future__ import annotations

import enum

from fixloop.config import Tier

__all__ = ["Maker", "Origin", "Tier", "describe", "maker"]


class Origin(enum.StrEnum):
    """A candidate that needs no model."""

    TOOL = "tool"  # the checker's own fix (ruff --fix, a compiler's fix-it)
    MEMORY = "memory"  # a fix verified before on the same finding and window text


Maker = Tier | Origin  # what `Attempt.tier` and `Fix.tier` hold


def maker(value: str) -> Maker:
    """A recorded tier or origin back from its string (a ledger row, a results file)."""
    try:
        return Tier(value)
    except ValueError:
        return Origin(value)


def describe(value: Maker) -> str:
    """How a prompt names a candidate that was not a model's attempt; "" for a model tier."""
    if value == Origin.TOOL:
        return "the checker's own fix"
    if value == Origin.MEMORY:
        return "a fix remembered from before"
    return ""
