"""The values the engine reports about its loops: the status line and one run's progress."""

from __future__ import annotations

from dataclasses import dataclass

from fixloop.engine.tracking import State, Tracked


@dataclass(frozen=True, slots=True)
class Status:
    running: int
    queued: int
    fixes: int
    usd_spent: float  # today's, from the ledger, requests in flight at their worst case
    usd_budget: float
    down: tuple[str, ...] = ()  # providers resting after repeated failures, with the reason


@dataclass(frozen=True, slots=True)
class Progress:
    """Where one run of one loop is, for the editor's progress display."""

    uri: str
    finding_id: str
    run: int
    code: str
    tier: str
    attempt: int
    attempts: int
    state: State  # RUNNING while it runs, then how it ended


def progress(uri: str, tracked: Tracked) -> Progress:
    return Progress(
        uri,
        tracked.id,
        tracked.run,
        tracked.finding.code,
        tracked.tier,
        tracked.attempt,
        tracked.budget,
        tracked.state,
    )
