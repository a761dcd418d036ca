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
"""

from __future__ import annotations

import itertools
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Protocol

import anyio
import anyio.abc
from fixloop.budget import BudgetExhausted, LedgerError, Stats
from fixloop.config import Settings
from fixloop.engine import privacy
from fixloop.engine.checks import run_checks
from fixloop.engine.escalation import FRONTIER, NO_FRONTIER, Offer, auto_escalates, offer
from fixloop.engine.foreign import Checking, same_problem, verifier_for
from fixloop.engine.queue import LoopQueue, Priority
from fixloop.engine.shortcuts import Shortcut, shortcuts, try_shortcuts
from fixloop.engine.spending import TierMeter
from fixloop.engine.status import Progress, Status
from fixloop.engine.toolbox import UNTRUSTED_GATE, Toolbox, gate_names
from fixloop.engine.tracking import Document, State, Tracked, key_id, loop_key
from fixloop.engine.values import Attempt, LoopResult, LoopStatus, Snapshot
from fixloop.engine.window import Window, make_window
from fixloop.providers import FatalProviderError, HealthState
from fixloop.shadow.edits import split_lines
from fixloop.verifiers.base import Finding

__all__ = ["Document", "Engine", "Listener", "Progress", "State", "Status", "Tracked"]


class Listener(Protocol):
    """What the engine tells its host (the LSP layer, or a test)."""

    def publish(self, snapshot: Snapshot, findings: tuple[tuple[Finding, str], ...]) -> None:
        """Show these findings (each with the id code actions refer to) for this version."""

    def changed(self) -> None: ...  # loops or fixes changed: status, code actions

    def message(self, text: str) -> None: ...  # something the user should act on

    def log(self, text: str) -> None: ...

    def loop_progress(self, update: Progress) -> None:
        """A loop started, made an attempt, or ended (`state` is no longer RUNNING)."""


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
        self._trusted_for = trusted_for
        self.toolbox = toolbox or Toolbox()
        self._documents: dict[str, Document] = {}
        self._queues: dict[Path, LoopQueue[tuple[Document, Tracked]]] = {}
        self._focused: Document | None = None
        self._focus = itertools.count(1)
        self._asks = itertools.count(1)
        self._said: set[str] = set()
        self._budget_warned: set[tuple] = set()
        self.results: list[LoopResult] = []

    # -- documents ---------------------------------------------------------

    def update(self, snapshot: Snapshot, *, urgent: bool = False) -> None:
        """A new version of a buffer; checked after the debounce (at once if `urgent`)."""
        doc = self._documents.get(snapshot.uri)
        if doc is None:
            doc = self._documents[snapshot.uri] = Document(snapshot.uri, snapshot)
            self._tg.start_soon(self._document_worker, doc)
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
        queue = self._queue(doc.latest.root)
        for tracked in doc.tracked.values():
            if tracked.state is State.QUEUED:
                queue.reprioritize((doc, tracked), self._priority(doc, tracked))

    def close(self, uri: str) -> None:
        """Forget a buffer and cancel all its work."""
        doc = self._documents.pop(uri, None)
        if doc is None:
            return
        doc.scope.cancel()
        for tracked in doc.tracked.values():
            self._halt(doc, tracked)
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
        """The engine's own record of a buffer: for its host, on the engine's event loop only."""
        return self._documents.get(uri)

    def uris(self) -> tuple[str, ...]:
        return tuple(self._documents)

    async def _document_worker(self, doc: Document) -> None:
        with doc.scope:
            while True:
                await doc.wake.wait()
                while True:
                    doc.wake = anyio.Event()
                    if doc.urgent:
                        break
                    settings = self._settings(doc.latest.root)
                    with anyio.move_on_after(settings.editor.debounce) as quiet:
                        await doc.wake.wait()
                    if quiet.cancelled_caught:
                        break
                doc.urgent = False
                try:
                    await self._check(doc, doc.latest)
                except Exception as exc:  # a bug must not take the server down with it
                    self._crashed(f"checking {doc.uri}", exc)

    def _settings(self, root: Path) -> Settings:
        return self.toolbox.effective(self._settings_for(root))  # the local model stands in

    async def _check(self, doc: Document, snapshot: Snapshot) -> None:
        if skipped := privacy.not_text(snapshot.path, snapshot.text):
            self._say(skipped)  # no tool can check it; none of it goes to a model
            if doc.latest.version == snapshot.version:
                doc.checked, doc.baseline, doc.broken = snapshot, (), ()
                self._listener.publish(snapshot, self._reconcile(doc, snapshot, ()))
                self._listener.changed()
            return
        settings = self._settings(snapshot.root)
        configured = gate_names(settings, snapshot)
        extra = tuple(name for name in doc.extra if name not in configured)
        result = await run_checks(
            snapshot, self.toolbox.verifiers(settings, extra, snapshot), self.toolbox.verify_limiter
        )
        for error in result.errors:
            self._say(f"{error} (no fix is offered while it cannot check the file)")
        for notice in result.notices:
            self._say(notice)
        if doc.latest.version != snapshot.version:
            return  # a newer version is waiting; never publish stale results
        doc.checked = snapshot
        doc.checked_with = frozenset((*configured, *extra))
        doc.baseline = result.findings
        doc.broken = result.errors
        own = tuple(f for f in result.shown if f.source not in extra)
        foreign = tuple(f for f in result.shown if f.source in extra)
        shown = self._reconcile(doc, snapshot, own, foreign)
        if settings.editor.publish_diagnostics:
            self._listener.publish(snapshot, shown)
        self._listener.changed()

    def _reconcile(
        self,
        doc: Document,
        snapshot: Snapshot,
        own: tuple[Finding, ...],
        foreign: tuple[Finding, ...] = (),
    ) -> tuple[tuple[Finding, str], ...]:
        """Keep the loops whose window survived, cancel the rest, start new ones.

        Findings of verifiers that other servers' diagnostics brought in are
        fixed only when asked for (or already being fixed), and never shown.
        """
        lines = split_lines(snapshot.text)
        current: dict[tuple, tuple[Finding, Window, bool]] = {}
        seen: Counter[tuple] = Counter()
        for finding, is_foreign in [*((f, False) for f in own), *((f, True) for f in foreign)]:
            window = make_window(snapshot.text, finding)
            base = (finding.key, window.texts(lines))
            seen[base] += 1
            key = loop_key(finding, window, lines, seen[base])
            wanted = (finding.source, finding.code, finding.span.start_line) in doc.wanted
            if not is_foreign or key in doc.tracked or wanted:
                current[key] = (finding, window, is_foreign)
        found = {(f.source, f.code, f.span.start_line) for f, _, _ in current.values()}
        for name, code, line in sorted(doc.wanted - found):
            self._listener.log(
                f"{name} does not report {code} on line {line + 1} of {doc.uri}: fixloop cannot "
                "verify a fix for that diagnostic"
            )
        doc.wanted.clear()
        for key in list(doc.tracked):
            if key not in current:
                self._halt(doc, doc.tracked.pop(key))
        for key, (finding, window, is_foreign) in current.items():
            tracked = doc.tracked.get(key)
            if tracked is not None:
                tracked.finding, tracked.window = finding, window
                if tracked.blocked and not doc.broken:  # the tools work again
                    self._start_loop(doc, tracked)
                continue
            tracked = doc.tracked[key] = Tracked(key_id(doc.uri, key), finding, window)
            if is_foreign:
                tracked.foreign = True
                tracked.asked = next(self._asks)  # the user's code action asked for it
            self._start_loop(doc, tracked)
        return tuple(
            (finding, doc.tracked[key].id)
            for key, (finding, _, is_foreign) in current.items()
            if not is_foreign
        )

    # -- the queue -----------------------------------------------------------

    def _queue(self, root: Path) -> LoopQueue[tuple[Document, Tracked]]:
        loops = self._settings(root).budget.loops
        queue = self._queues.get(root)
        if queue is None:
            queue = self._queues[root] = LoopQueue(loops)
        queue.capacity = loops
        return queue

    def _priority(self, doc: Document, tracked: Tracked) -> Priority:
        """Asked-for findings first (the latest ask first), then by the buffer's recency."""
        if tracked.asked:
            return (0, -tracked.asked)
        return (1, -doc.focus)

    def _enqueue(self, doc: Document, tracked: Tracked) -> None:
        root = doc.latest.root
        self._queue(root).push((doc, tracked), self._priority(doc, tracked))
        self._dispatch(root)

    def _dispatch(self, root: Path) -> None:
        """Start as many waiting loops as the workspace has free slots."""
        for doc, tracked in self._queue(root).take():
            self._tg.start_soon(self._run_loop, doc, tracked, tracked.scope, root)

    def ask(self, uri: str, tracked: Tracked) -> None:
        """The user asked about a finding (a code action on it): if it waits, it goes first."""
        doc = self._documents.get(uri)
        if doc is None or tracked.state is not State.QUEUED:
            return
        tracked.asked = next(self._asks)
        self._queue(doc.latest.root).reprioritize((doc, tracked), self._priority(doc, tracked))

    def ask_about(self, uri: str, finding_id: str) -> None:
        """`ask` by the finding's id (from a host that holds only views of the findings)."""
        if found := self._find(uri, finding_id):
            self.ask(uri, found[1])

    def waiting(self, root: Path) -> list[Tracked]:
        """The findings waiting for a loop slot in a workspace, in the order they will start."""
        return [tracked for _, tracked in self._queue(root).waiting()]

    # -- loops ---------------------------------------------------------------

    def _start_loop(
        self, doc: Document, tracked: Tracked, tier: str = "fast", history: tuple[Attempt, ...] = ()
    ) -> None:
        self._halt(doc, tracked)
        tracked.scope = anyio.CancelScope()
        tracked.run += 1
        tracked.state, tracked.attempt, tracked.result = State.QUEUED, 0, None
        tracked.tier, tracked.history, tracked.loop = tier, history, None
        tracked.blocked = False
        tracked.requested = time.monotonic()
        if tier == "fast" and doc.checked is not None:
            candidates = shortcuts(
                doc.checked.text, tracked.finding, tracked.window, self.toolbox.memory
            )
            if candidates:
                self._tg.start_soon(self._run_shortcuts, doc, tracked, tracked.scope, candidates)
                return
        self._enqueue(doc, tracked)

    def _halt(self, doc: Document, tracked: Tracked, state: State = State.CANCELLED) -> None:
        """Stop a finding's loop, running or waiting (its HTTP requests included)."""
        if tracked.scope is not None:
            tracked.scope.cancel()
        self._queue(doc.latest.root).discard((doc, tracked))
        if tracked.state in (State.QUEUED, State.RUNNING):
            self._set_state(doc, tracked, state)

    def _set_state(self, doc: Document, tracked: Tracked, state: State) -> None:
        was, tracked.state = tracked.state, state
        if State.RUNNING in (was, state):
            self._progress(doc, tracked)

    def _progress(self, doc: Document, tracked: Tracked) -> None:
        self._listener.loop_progress(
            Progress(
                doc.uri,
                tracked.id,
                tracked.run,
                tracked.finding.code,
                tracked.tier,
                tracked.attempt,
                tracked.budget,
                tracked.state,
            )
        )

    async def _run_shortcuts(
        self,
        doc: Document,
        tracked: Tracked,
        scope: anyio.CancelScope,
        candidates: tuple[Shortcut, ...],
    ) -> None:
        """The tool's fix and remembered fixes, judged at once; the model's turn if none passes."""
        try:
            with scope:
                snapshot = doc.checked
                assert snapshot is not None
                root = snapshot.root
                settings = self._settings(root)
                tracked.tier, tracked.budget = candidates[0].tier, len(candidates)
                self._set_state(doc, tracked, State.RUNNING)
                self._listener.changed()
                judge = self.toolbox.judge(
                    settings,
                    snapshot,
                    tracked.finding,
                    doc.baseline,
                    tracked.window,
                    trusted=self._trusted_for(root),
                )
                result = await try_shortcuts(judge, candidates)
                tier = result.fix.tier if result.fix else candidates[-1].tier
                await self._finished(
                    doc, tracked, snapshot, result, tier, tracked.finding.source, 0.0
                )
                if result.fix is None:
                    # The model's turn, told why the shortcuts failed.
                    self._set_state(doc, tracked, State.QUEUED)
                    tracked.tier, tracked.history, tracked.result = "fast", result.attempts, None
                    tracked.attempt = 0
                    self._enqueue(doc, tracked)
                self._listener.changed()
        except Exception as exc:  # a bug must not take the server down with it
            self._set_state(doc, tracked, State.STOPPED)
            self._crashed(f"fixing {tracked.finding.code} in {doc.uri}", exc)
            self._listener.changed()

    async def _run_loop(
        self, doc: Document, tracked: Tracked, scope: anyio.CancelScope, root: Path
    ) -> None:
        escalation = False
        try:
            with scope:
                if not scope.cancel_called:  # halted between its dispatch and now
                    escalation = await self._loop_body(doc, tracked)
        except Exception as exc:  # a bug must not take the server down with it
            self._set_state(doc, tracked, State.STOPPED)
            self._crashed(f"fixing {tracked.finding.code} in {doc.uri}", exc)
            self._listener.changed()
        finally:
            self._queue(root).done()
            self._dispatch(root)
        if escalation and self._documents.get(doc.uri) is doc:
            self._start_loop(doc, tracked, FRONTIER, tracked.attempts_so_far)
            self._listener.changed()

    def _crashed(self, doing: str, exc: Exception) -> None:
        self._listener.log("".join(traceback.format_exception(exc)))
        self._say(f"internal error while {doing}: {exc!r} (details in the log)")

    async def _loop_body(self, doc: Document, tracked: Tracked) -> bool:
        """One run on the model tier; whether it should escalate by itself."""
        # Read these only now: a check may have moved the finding while it was queued.
        snapshot = doc.checked
        assert snapshot is not None
        root = snapshot.root
        settings = self._settings(root)
        waited = time.monotonic() - tracked.requested
        trusted = self._trusted_for(root)
        if settings.gate.tests and not trusted:
            self._say(UNTRUSTED_GATE)
        if doc.broken:  # no candidate could pass a gate whose tools cannot run
            self._block(doc, tracked, "; ".join(doc.broken))
            return False
        refused = await privacy.refusal(snapshot.path, root, snapshot.text, settings.files)
        if refused:
            self._set_state(doc, tracked, State.STOPPED)
            self._say(refused)
            self._listener.changed()
            return False
        try:
            loop = self.toolbox.loop(
                tracked.tier,
                settings,
                snapshot,
                tracked.finding,
                doc.baseline,
                tracked.window,
                context=tracked.history,
                on_attempt=lambda number: self._attempted(doc, tracked, number),
                trusted=trusted,
                meter=self._meter(settings, root, tracked.tier),
            )
        except FatalProviderError as exc:
            self._set_state(doc, tracked, State.STOPPED)
            self._say(str(exc))
            self._listener.changed()
            return False
        tracked.loop = loop
        tracked.budget = loop.limits.attempts
        self._set_state(doc, tracked, State.RUNNING)
        self._listener.changed()
        result = await loop.run()
        await self._finished(
            doc, tracked, snapshot, result, tracked.tier, loop.provider.name, waited
        )
        if result.status is LoopStatus.STOPPED:
            self._say(result.reason)
        self._listener.changed()
        return auto_escalates(settings, tracked.tier, result)

    async def _finished(
        self,
        doc: Document,
        tracked: Tracked,
        snapshot: Snapshot,
        result: LoopResult,
        tier: str,
        model: str,
        waited: float,
    ) -> None:
        """Record a run's figures, remember its fix, and set the finding's state."""
        root = snapshot.root
        self.results.append(result)
        if trouble := await self.toolbox.record_loop(
            root, tracked.finding, result, tier=tier, model=model, wait_seconds=waited
        ):
            self._say(trouble)
        self._listener.log(
            f"loop {tracked.finding.source} {tracked.finding.code} line "
            f"{tracked.finding.span.start_line + 1} ({tier}): {result.status.value} "
            f"after {len(result.attempts)} attempt(s) in {result.seconds:.2f} s"
            + (f" ({result.reason})" if result.reason else "")
        )
        if result.fix is None and tier in ("tool", "memory"):
            return  # the model's turn; the caller queues it
        tracked.result = result
        if result.fix is not None:
            self.toolbox.memory.remember(snapshot.text, result.fix)
        self._set_state(
            doc,
            tracked,
            {
                LoopStatus.FIXED: State.FIXED,
                LoopStatus.STOPPED: State.STOPPED,
                LoopStatus.OVER_BUDGET: State.STOPPED,  # the budget warning was said once already
            }.get(result.status, State.GAVE_UP),
        )

    def _block(self, doc: Document, tracked: Tracked, reason: str) -> None:
        """Stop a loop before it asks anything: the user was told why when the check failed."""
        self._set_state(doc, tracked, State.STOPPED)
        tracked.blocked = True
        tracked.result = LoopResult(LoopStatus.STOPPED, None, (), 0.0, reason)
        self._listener.log(
            f"loop {tracked.finding.source} {tracked.finding.code} line "
            f"{tracked.finding.span.start_line + 1}: not started ({reason})"
        )
        self._listener.changed()

    def _meter(self, settings: Settings, root: Path, tier: str) -> TierMeter:
        meter = self.toolbox.meter(
            settings,
            root,
            tier,
            on_refused=lambda exc: self._budget_refused(root, exc),
            on_spent=self._listener.changed,
            on_trouble=self._say,
        )
        if self.toolbox.notice:
            self._say(self.toolbox.notice)
        return meter

    def _budget_refused(self, root: Path, exc: BudgetExhausted) -> None:
        """Warn once per workspace, day and cap; every refusal is logged."""
        self._listener.log(f"{root}: {exc}")
        key = (root, self.toolbox.ledger.today(), exc.cap)
        if key not in self._budget_warned:
            self._budget_warned.add(key)
            self._listener.message(str(exc))

    def _attempted(self, doc: Document, tracked: Tracked, number: int) -> None:
        tracked.attempt = number
        if tracked.state is State.RUNNING:
            self._progress(doc, tracked)
        self._listener.changed()

    def _find(self, uri: str, finding_id: str) -> tuple[Document, Tracked] | None:
        doc = self._documents.get(uri)
        if doc is None or doc.checked is None:
            return None
        for tracked in doc.tracked.values():
            if tracked.id == finding_id:
                return doc, tracked
        return None

    def foreign(
        self, uri: str, version: int, source: str | None, code: str, line: int
    ) -> Tracked | Checking | None:
        """The finding another server's diagnostic is about, if fixloop can re-check it.

        Checking: the document is being checked with the matching verifier;
        the loop for the finding it reproduces starts then, first in the queue.
        """
        name = verifier_for(source)
        doc = self._documents.get(uri)
        if name is None or doc is None or doc.checked is None:
            return None
        if doc.checked.version != version or doc.latest.version != version:
            return None
        for tracked in doc.tracked.values():
            if tracked.finding.span.start_line == line and same_problem(
                tracked.finding, name, code
            ):
                return tracked
        if name in doc.checked_with:
            return None  # checked with it for this version, and it does not report that
        if (name, code, line) not in doc.wanted:
            if not self.toolbox.available(name, doc.latest.root):
                return None
            doc.wanted.add((name, code, line))
            doc.extra[name] = None
            doc.urgent = True
            doc.wake.set()
        return Checking(name)

    def retry(self, uri: str, finding_id: str) -> bool:
        """Start a finding's loop again on the fast tier (after it gave up or was cancelled)."""
        found = self._find(uri, finding_id)
        if found is None:
            return False
        doc, tracked = found
        tracked.asked = next(self._asks)
        self._start_loop(doc, tracked)
        self._listener.changed()
        return True

    def offer(self, uri: str, tracked: Tracked) -> Offer | None:
        """The escalation a code action may propose for a finding: any time it has no fix
        and is not already on the frontier tier."""
        snapshot = self.snapshot(uri)
        if snapshot is None or tracked.state is State.FIXED:
            return None
        if tracked.tier == FRONTIER and tracked.state in (State.QUEUED, State.RUNNING):
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
            if FRONTIER not in self._settings(doc.latest.root).models:
                self._say(NO_FRONTIER)
            return False
        settings = self._settings(doc.latest.root)
        left = settings.budget.usd_per_day - self._spent(doc.latest.root)
        each = proposal.usd / max(1, proposal.attempts)
        if each > left + 1e-12:  # asked for by the user: say why not, every time
            self._listener.message(
                f"escalating to {proposal.model} needs up to ${each:.4f} a request, but only "
                f"${max(0.0, left):.4f} of today's budget is left; raise `budget.usd_per_day` "
                "(in .fixloop.toml or [tool.fixloop], and in the editor's fixloop settings) to go on"
            )
            return False
        history = tracked.attempts_so_far
        tracked.asked = next(self._asks)
        self._start_loop(doc, tracked, FRONTIER, history)
        self._listener.changed()
        return True

    def cancel(self, uri: str, finding_id: str) -> bool:
        """Stop a finding's loop; its state says cancelled until retried or edited."""
        doc = self._documents.get(uri)
        for tracked in doc.tracked.values() if doc else ():
            if tracked.id == finding_id and tracked.state in (State.QUEUED, State.RUNNING):
                assert doc is not None
                self._halt(doc, tracked, State.CANCELLED)
                self._listener.changed()
                return True
        return False

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
        self._listener.log(text)
        if text not in self._said:
            self._said.add(text)
            self._listener.message(text)
