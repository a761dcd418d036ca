"""The engine: per-document checks (debounced) and one fix loop per new finding.

Every job runs in the engine's task group under its own cancel scope: a new
version cancels loops whose window changed, closing a document cancels its
work, and shutting down cancels everything. A loop whose window survives an
edit elsewhere keeps running; its fix is placed on the window's new lines.

Scheduling: a finding first gets the candidates that need no model (the
tool's own fix, a remembered fix) at once; then it waits in its workspace's
queue for one of `budget.loops` slots. The queue serves first what the user
asked about (a code action on it, a retry, an escalation), then the findings
of the buffer edited most recently, then the rest in the order they came.

The Engine coordinates; the parts live in their own modules: `tracking`
(documents, findings, matching a check to them), `checker` (the debounced
checks and applying their match; `findings` runs the verifiers), `slots` (the
queues), `runs` (starting, stopping and running loops), `reporting` (the
Listener, messages said once, the status and progress it reports), `foreign`
(other servers' diagnostics). Outside the engine's event loop it is driven
only through `service` (the commands of `seam`).
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

import anyio
import anyio.abc

from fixloop.budget import LedgerError, Stats
from fixloop.config import Settings, Tier
from fixloop.engine.checker import Checker
from fixloop.engine.escalation import NO_FRONTIER, Offer, offer, unaffordable
from fixloop.engine.foreign import Checking, locate
from fixloop.engine.reporting import Listener, Progress, Reporter, Status
from fixloop.engine.results import LoopResult, Snapshot
from fixloop.engine.runs import Runner
from fixloop.engine.toolbox import Toolbox
from fixloop.engine.tracking import Document, State, Tracked
from fixloop.providers import HealthState

__all__ = ["Document", "Engine", "Listener", "Progress", "State", "Status", "Tracked"]


class Engine:
    """Checks documents and runs fix loops; knows nothing of LSP."""

    def __init__(
        self,
        task_group: anyio.abc.TaskGroup,
        listener: Listener,
        settings_for: Callable[[Path], Settings],
        toolbox: Toolbox | None = None,
        trusted_for: Callable[[Path], bool] = lambda root: False,
    ) -> None:
        self._tg = task_group
        self._listener = listener
        self._settings_for = settings_for
        self.toolbox = toolbox or Toolbox()
        self._documents: dict[str, Document] = {}
        self._reporter = Reporter(listener)
        self._runner = Runner(
            task_group,
            self.toolbox,
            self._reporter,
            settings=self._settings,
            trusted_for=trusted_for,
            is_open=lambda doc: self._documents.get(doc.uri) is doc,
            loops_for=lambda root: self._settings(root).budget.loops,
        )
        self._slots = self._runner.slots
        self._checker = Checker(
            self.toolbox,
            self._reporter,
            self._runner,
            settings=self._settings,
            next_ask=lambda: next(self._asks),
        )
        self._focused: Document | None = None
        self._focus = itertools.count(1)
        self._asks = itertools.count(1)
        self.results: list[LoopResult] = self._runner.results

    # -- documents ---------------------------------------------------------

    def update(self, snapshot: Snapshot, *, urgent: bool = False) -> None:
        """A new version of a buffer; checked after the debounce (at once if `urgent`)."""
        doc = self._documents.get(snapshot.uri)
        if doc is None:
            doc = self._documents[snapshot.uri] = Document(snapshot.uri, snapshot)
            self._tg.start_soon(self._checker.worker, doc)
        doc.latest = snapshot
        doc.urgent = doc.urgent or urgent
        doc.wake.set()
        self._touch(doc)

    def _touch(self, doc: Document) -> None:
        """`doc` is the buffer edited most recently: its waiting findings go first."""
        if self._focused is doc:
            return
        self._focused = doc
        doc.focus = next(self._focus)
        self._slots.refocus(doc)

    def close(self, uri: str) -> None:
        """Forget a buffer and cancel all its work."""
        doc = self._documents.pop(uri, None)
        if doc is None:
            return
        doc.scope.cancel()
        for tracked in doc.tracked.values():
            self._runner.halt(doc, tracked)
        if self._focused is doc:
            self._focused = None
        self._listener.changed()

    def tracked(self, uri: str, version: int) -> dict[str, Tracked]:
        """The findings being fixed for exactly this version of a document (else none)."""
        doc = self._documents.get(uri)
        if doc is None or doc.checked is None or doc.checked.version != version:
            return {}
        if doc.latest.version != version:
            return {}
        return {tracked.id: tracked for tracked in doc.tracked.values()}

    def snapshot(self, uri: str) -> Snapshot | None:
        doc = self._documents.get(uri)
        return doc.checked if doc else None

    def document(self, uri: str) -> Document | None:
        """The engine's own record of a buffer: for the views (engine/service.py), on the
        engine's event loop only."""
        return self._documents.get(uri)

    def uris(self) -> tuple[str, ...]:
        return tuple(self._documents)

    def _settings(self, root: Path) -> Settings:
        return self.toolbox.effective(self._settings_for(root))  # the local model stands in

    # -- what the user asks for ----------------------------------------------

    def ask(self, uri: str, tracked: Tracked) -> None:
        """The user asked about a finding (a code action on it): if it waits, it goes first."""
        doc = self._documents.get(uri)
        if doc is None or tracked.state is not State.QUEUED:
            return
        tracked.ask(next(self._asks))
        self._slots.reprioritize(doc, tracked)

    def ask_about(self, uri: str, finding_id: str) -> None:
        """`ask` by the finding's id (from a host that holds only views of the findings)."""
        if found := self._find(uri, finding_id):
            self.ask(uri, found[1])

    def waiting(self, root: Path) -> list[Tracked]:
        """The findings waiting for a loop slot in a workspace, in the order they will start."""
        return self._slots.waiting(root)

    def _find(self, uri: str, finding_id: str) -> tuple[Document, Tracked] | None:
        doc = self._documents.get(uri)
        if doc is None or doc.checked is None:
            return None
        tracked = doc.find(finding_id)
        return (doc, tracked) if tracked is not None else None

    def foreign(
        self, uri: str, version: int, source: str | None, code: str, line: int
    ) -> Tracked | Checking | None:
        """The finding another server's diagnostic is about, if fixloop can re-check it.

        Checking: the document is being checked with the matching verifier;
        the loop for the finding it reproduces starts then, first in the queue.
        """
        doc = self._documents.get(uri)
        return locate(doc, version, source, code, line, self.toolbox.available)

    def retry(self, uri: str, finding_id: str) -> bool:
        """Start a finding's loop again on the fast tier (after it gave up or was cancelled)."""
        found = self._find(uri, finding_id)
        if found is None:
            return False
        doc, tracked = found
        tracked.ask(next(self._asks))
        self._runner.start(doc, tracked)
        self._listener.changed()
        return True

    def offer(self, uri: str, tracked: Tracked) -> Offer | None:
        """The escalation a code action may propose for a finding: any time it has no fix
        and is not already on the frontier tier."""
        snapshot = self.snapshot(uri)
        if snapshot is None or tracked.state is State.FIXED:
            return None
        if tracked.tier == Tier.FRONTIER and tracked.state in (State.QUEUED, State.RUNNING):
            return None
        settings = self._settings(snapshot.root)
        return offer(settings, snapshot, tracked.finding, tracked.window, tracked.attempts_so_far)

    def escalate(self, uri: str, finding_id: str) -> bool:
        """Move a finding to the frontier tier, the attempts so far as context."""
        found = self._find(uri, finding_id)
        if found is None:
            return False
        doc, tracked = found
        proposal = self.offer(uri, tracked)
        if proposal is None:
            if Tier.FRONTIER not in self._settings(doc.latest.root).models:
                self._say(NO_FRONTIER)
            return False
        settings = self._settings(doc.latest.root)
        left = settings.budget.usd_per_day - self._spent(doc.latest.root)
        if why_not := unaffordable(proposal, left):  # asked for by the user: say why, every time
            self._listener.message(why_not)
            return False
        history = tracked.attempts_so_far
        tracked.ask(next(self._asks))
        self._runner.start(doc, tracked, Tier.FRONTIER, history)
        self._listener.changed()
        return True

    def cancel(self, uri: str, finding_id: str) -> bool:
        """Stop a finding's loop; its state says cancelled until retried or edited."""
        doc = self._documents.get(uri)
        for tracked in doc.tracked.values() if doc else ():
            if tracked.id == finding_id and tracked.state in (State.QUEUED, State.RUNNING):
                assert doc is not None
                self._runner.halt(doc, tracked, State.CANCELLED)
                self._listener.changed()
                return True
        return False

    # -- figures -------------------------------------------------------------

    def _spent(self, root: Path) -> float:
        try:
            return self.toolbox.ledger.spent_today(str(root))
        except LedgerError as exc:
            self._say(str(exc))
            return 0.0

    def status(self) -> Status:
        states = Counter(
            tracked.state for doc in self._documents.values() for tracked in doc.tracked.values()
        )
        budget = spent = 0.0
        for root in {doc.latest.root for doc in self._documents.values()}:
            budget += self._settings(root).budget.usd_per_day
            spent += self._spent(root)
        down = tuple(
            f"{name}: {health.reason} (for {health.seconds_left:.0f} s more)"
            for name, health in self.toolbox.health().items()
            if health.state is HealthState.DOWN
        )
        return Status(
            running=states[State.RUNNING],
            queued=states[State.QUEUED],
            fixes=states[State.FIXED],
            usd_spent=spent,
            usd_budget=budget,
            down=down,
        )

    def stats(self, roots: Iterable[Path] = ()) -> list[Stats]:
        """The ledger's figures for these workspaces and those of the open documents."""
        every = {*roots, *(doc.latest.root for doc in self._documents.values())}
        try:
            return [self.toolbox.ledger.stats(str(root)) for root in sorted(every)]
        except LedgerError as exc:
            self._say(str(exc))
            return []

    def _say(self, text: str) -> None:
        """Tell the user once; the log gets every repeat."""
        self._reporter.say(text)
