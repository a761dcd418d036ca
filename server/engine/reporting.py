"""What the engine tells its host: the Listener seam, the status and progress it reports,
and saying things once.

The Reporter also owns a finding's state changes, so that every start and end
of a run reaches the editor's progress display.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from fixloop.budget import BudgetExhausted
from fixloop.engine.results import Snapshot
from fixloop.engine.tracking import Document, State, Tracked
from fixloop.verifiers.base import Finding

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


class Listener(Protocol):
    """What the engine tells its host (the LSP layer, or a test)."""

    def publish(self, snapshot: Snapshot, findings: tuple[tuple[Finding, str], ...]) -> None:
        """Show these findings (each with the id code actions refer to) for this version."""

    def changed(self) -> None: ...  # loops or fixes changed: status, code actions

    def message(self, text: str) -> None: ...  # something the user should act on

    def log(self, text: str) -> None: ...

    def loop_progress(self, update: Progress) -> None:
        """A loop started, made an attempt, or ended (`state` is no longer RUNNING)."""


class Reporter:
    """The engine's voice: messages said once, crashes logged, progress on state changes."""

    def __init__(self, listener: Listener) -> None:
        self.listener = listener
        self._said: set[str] = set()
        self._budget_warned: set[tuple] = set()

    def say(self, text: str) -> None:
        """Tell the user once; the log gets every repeat."""
        self.listener.log(text)
        if text not in self._said:
            self._said.add(text)
            self.listener.message(text)

    def crashed(self, doing: str, exc: Exception) -> None:
        self.listener.log("".join(traceback.format_exception(exc)))
        self.say(f"internal error while {doing}: {exc!r} (details in the log)")

    def budget_refused(self, root: Path, today: str, exc: BudgetExhausted) -> None:
        """Warn once per workspace, day and cap; every refusal is logged."""
        self.listener.log(f"{root}: {exc}")
        key = (root, today, exc.cap)
        if key not in self._budget_warned:
            self._budget_warned.add(key)
            self.listener.message(str(exc))

    def set_state(self, doc: Document, tracked: Tracked, state: State) -> None:
        was = tracked.enter(state)
        if State.RUNNING in (was, state):
            self.progress(doc, tracked)

    def progress(self, doc: Document, tracked: Tracked) -> None:
        self.listener.loop_progress(progress(doc.uri, tracked))
