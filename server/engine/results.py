"""A loop's values: the Snapshot it fixes, its Attempts, the Fix it found and its LoopResult."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path

from fixloop.engine.tiers import Maker
from fixloop.engine.window import Window
from fixloop.text.edits import LineEdit
from fixloop.verifiers.base import Finding


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One version of one buffer."""

    uri: str
    version: int
    text: str
    path: Path
    root: Path
    trusted: bool = True  # the workspace may run its own programs (see CheckRequest)
    language: str = "python"  # a key of fixloop.verifiers.languages: its gate, prompt, rules


class Outcome(enum.Enum):
    """How one attempt ended."""

    VERIFIED = "verified"
    PROVIDER_ERROR = "provider error"
    PARSE_ERROR = "unusable reply"
    REJECTED = "rejected by the anti-cheat policy"
    FAILED = "failed verification"
    DUPLICATE = "the same as an earlier candidate"  # judged once, by its first attempt


@dataclass(frozen=True, slots=True)
class Attempt:
    """The record of one model request and what became of its candidate."""

    number: int
    tier: Maker  # the model tier, or the origin of a candidate that needs no model
    outcome: Outcome
    reason: str
    seconds: float
    model_seconds: float = 0.0
    verify_seconds: float = 0.0
    test_seconds: float = 0.0
    input_tokens: int = 0
    output_tokens: int = 0
    usd: float = 0.0
    verifier: str | None = None  # the gate that failed it

    @property
    def failure(self) -> str | None:
        """Why it failed, for the figures: parse, anti-cheat, duplicate, provider or the gate."""
        return {
            Outcome.VERIFIED: None,
            Outcome.PARSE_ERROR: "parse",
            Outcome.REJECTED: "anti-cheat",
            Outcome.DUPLICATE: "duplicate",
            Outcome.PROVIDER_ERROR: "provider",
        }.get(self.outcome, self.verifier or "verifier")


@dataclass(frozen=True, slots=True)
class Fix:
    """A verified candidate: edits relative to the regions of its window."""

    finding: Finding
    window: Window
    region_edits: tuple[LineEdit | None, ...]  # per region, lines relative to its start
    tier: Maker
    model: str
    attempt: int
    seconds: float
    described: str = ""  # "fixloop: import pathlib": what the edit does (engine/titles.py)

    def edits(self, window: Window | None = None) -> tuple[LineEdit, ...]:
        """Absolute line edits, placed on `window` (the same text, maybe moved)."""
        regions = (window or self.window).regions
        return tuple(
            edit.shifted(region.start)
            for region, edit in zip(regions, self.region_edits, strict=True)
            if edit is not None
        )

    @property
    def title(self) -> str:
        if self.described:
            return self.described
        message = self.finding.message
        if len(message) > 60:
            message = message[:57] + "..."
        return f"fixloop: fix {self.finding.code} ({message})"


class LoopStatus(enum.Enum):
    FIXED = "fixed"
    GAVE_UP = "gave up"  # attempts used without a verified fix
    TIMED_OUT = "timed out"
    STOPPED = "stopped"  # a problem no attempt can get past (e.g. a missing key)
    OVER_BUDGET = "over budget"  # the next request did not fit in today's budget


@dataclass(frozen=True, slots=True)
class LoopResult:
    """All a loop did for one diagnostic."""

    status: LoopStatus
    fix: Fix | None
    attempts: tuple[Attempt, ...]
    seconds: float
    reason: str = ""

    @property
    def usd(self) -> float:
        return sum(attempt.usd for attempt in self.attempts)

    @property
    def failures(self) -> dict[str, int]:
        """How many attempts failed, by why."""
        counts: dict[str, int] = {}
        for attempt in self.attempts:
            if attempt.failure is not None:
                counts[attempt.failure] = counts.get(attempt.failure, 0) + 1
        return counts
