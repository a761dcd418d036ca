"""The engine: per-document checks (debounced) and one fix loop per new finding.

Every job runs in the engine's task group under its own cancel scope: a new
version cancels loops whose window changed, closing a document cancels its
work, and shutting down cancels everything. A loop whose window survives an
edit elsewhere keeps running; its fix is placed on the window's new lines.
"""

from __future__ import annotations

import enum
import hashlib
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import anyio
import anyio.abc

from fixloop.config import Settings
from fixloop.engine import privacy
from fixloop.engine.checks import run_checks
from fixloop.engine.values import Fix, LoopResult, LoopStatus, Snapshot
from fixloop.engine.window import Window, make_window
from fixloop.engine.toolbox import UNTRUSTED_GATE, Toolbox
from fixloop.providers import FatalProviderError
from fixloop.shadow.edits import split_lines
from fixloop.verifiers.base import Finding


class State(enum.Enum):
    QUEUED = "queued"
    RUNNING = "running"
    FIXED = "fixed"
    GAVE_UP = "gave up"
    STOPPED = "stopped"
    CANCELLED = "cancelled"


class Listener(Protocol):
    """What the engine tells its host (the LSP layer, or a test)."""

    def publish(self, snapshot: Snapshot, findings: tuple[tuple[Finding, str], ...]) -> None:
        """Show these findings (each with the id code actions refer to) for this version."""

    def changed(self) -> None: ...  # loops or fixes changed: status, code actions

    def message(self, text: str) -> None: ...  # something the user should act on

    def log(self, text: str) -> None: ...


@dataclass(eq=False)
class Tracked:
    """One fixable finding of a document and its loop, as of the latest checked version."""

    id: str
    finding: Finding
    window: Window
    state: State = State.QUEUED
    attempt: int = 0
    result: LoopResult | None = None
    scope: anyio.CancelScope | None = None

    @property
    def fix(self) -> Fix | None:
        return self.result.fix if self.result else None


@dataclass(eq=False)
class Document:
    uri: str
    latest: Snapshot
    wake: anyio.Event = field(default_factory=anyio.Event)
    urgent: bool = True
    checked: Snapshot | None = None
    baseline: tuple[Finding, ...] = ()
    tracked: dict[tuple, Tracked] = field(default_factory=dict)
    scope: anyio.CancelScope = field(default_factory=anyio.CancelScope)


@dataclass(frozen=True, slots=True)
class Status:
    running: int
    queued: int
    fixes: int
    usd_spent: float
    usd_budget: float


def _loop_key(finding: Finding, window: Window, lines: list[str], occurrence: int) -> tuple:
    return (finding.key, window.texts(lines), occurrence)


def _key_id(uri: str, key: tuple) -> str:
    return hashlib.sha1(repr((uri, key)).encode()).hexdigest()[:16]


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
        self._loop_limiters: dict[Path, anyio.CapacityLimiter] = {}
        self._said: set[str] = set()
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

    def close(self, uri: str) -> None:
        """Forget a buffer and cancel all its work."""
        doc = self._documents.pop(uri, None)
        if doc is None:
            return
        doc.scope.cancel()
        for tracked in doc.tracked.values():
            if tracked.scope is not None:
                tracked.scope.cancel()
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
        return self._settings_for(root)

    async def _check(self, doc: Document, snapshot: Snapshot) -> None:
        settings = self._settings(snapshot.root)
        result = await run_checks(
            snapshot, self.toolbox.verifiers(settings), self.toolbox.verify_limiter
        )
        for error in result.errors:
            self._say(error)
        if doc.latest.version != snapshot.version:
            return  # a newer version is waiting; never publish stale results
        doc.checked = snapshot
        doc.baseline = result.findings
        shown = self._reconcile(doc, snapshot, result.shown)
        if settings.editor.publish_diagnostics:
            self._listener.publish(snapshot, shown)
        self._listener.changed()

    def _reconcile(
        self, doc: Document, snapshot: Snapshot, shown: tuple[Finding, ...]
    ) -> tuple[tuple[Finding, str], ...]:
        """Keep the loops whose window survived, cancel the rest, start new ones."""
        lines = split_lines(snapshot.text)
        current: dict[tuple, tuple[Finding, Window]] = {}
        seen: Counter[tuple] = Counter()
        for finding in shown:
            window = make_window(snapshot.text, finding)
            base = (finding.key, window.texts(lines))
            seen[base] += 1
            current[_loop_key(finding, window, lines, seen[base])] = (finding, window)
        for key in list(doc.tracked):
            if key not in current:
                tracked = doc.tracked.pop(key)
                if tracked.scope is not None:
                    tracked.scope.cancel()
        for key, (finding, window) in current.items():
            tracked = doc.tracked.get(key)
            if tracked is not None:
                tracked.finding, tracked.window = finding, window
                continue
            tracked = doc.tracked[key] = Tracked(_key_id(doc.uri, key), finding, window)
            self._start_loop(doc, tracked)
        return tuple((finding, doc.tracked[key].id) for key, (finding, _) in current.items())

    # -- loops ---------------------------------------------------------------

    def _start_loop(self, doc: Document, tracked: Tracked) -> None:
        tracked.scope = anyio.CancelScope()
        tracked.state, tracked.attempt, tracked.result = State.QUEUED, 0, None
        self._tg.start_soon(self._run_loop, doc, tracked, tracked.scope)

    def _limiter(self, root: Path, settings: Settings) -> anyio.CapacityLimiter:
        limiter = self._loop_limiters.get(root)
        if limiter is None:
            limiter = self._loop_limiters[root] = anyio.CapacityLimiter(settings.budget.loops)
        elif limiter.total_tokens != settings.budget.loops:
            limiter.total_tokens = settings.budget.loops
        return limiter

    async def _run_loop(self, doc: Document, tracked: Tracked, scope: anyio.CancelScope) -> None:
        try:
            await self._loop_body(doc, tracked, scope)
        except Exception as exc:  # a bug must not take the server down with it
            tracked.state = State.STOPPED
            self._crashed(f"fixing {tracked.finding.code} in {doc.uri}", exc)
            self._listener.changed()

    def _crashed(self, doing: str, exc: Exception) -> None:
        self._listener.log("".join(traceback.format_exception(exc)))
        self._say(f"internal error while {doing}: {exc!r} (details in the log)")

    async def _loop_body(self, doc: Document, tracked: Tracked, scope: anyio.CancelScope) -> None:
        with scope:
            root = doc.latest.root
            async with self._limiter(root, self._settings(root)):
                # Read these only now: a check may have moved the finding while it was queued.
                snapshot, settings = doc.checked, self._settings(root)
                assert snapshot is not None
                trusted = self._trusted_for(root)
                if settings.gate.tests and not trusted:
                    self._say(UNTRUSTED_GATE)
                refused = await privacy.refusal(snapshot.path, root, snapshot.text, settings.files)
                if refused:
                    tracked.state = State.STOPPED
                    self._say(refused)
                    self._listener.changed()
                    return
                try:
                    loop = self.toolbox.fast_loop(
                        settings,
                        snapshot,
                        tracked.finding,
                        doc.baseline,
                        tracked.window,
                        on_attempt=lambda number: self._attempted(tracked, number),
                        trusted=trusted,
                    )
                except FatalProviderError as exc:
                    tracked.state = State.STOPPED
                    self._say(str(exc))
                    self._listener.changed()
                    return
                tracked.state = State.RUNNING
                self._listener.changed()
                result = await loop.run()
            tracked.result = result
            self.results.append(result)
            tracked.state = {
                LoopStatus.FIXED: State.FIXED,
                LoopStatus.STOPPED: State.STOPPED,
            }.get(result.status, State.GAVE_UP)
            if result.status is LoopStatus.STOPPED:
                self._say(result.reason)
            self._listener.log(
                f"loop {tracked.finding.source} {tracked.finding.code} line "
                f"{tracked.finding.span.start_line + 1}: {result.status.value} after "
                f"{len(result.attempts)} attempt(s) in {result.seconds:.2f} s"
                + (f" ({result.reason})" if result.reason else "")
            )
            self._listener.changed()

    def _attempted(self, tracked: Tracked, number: int) -> None:
        tracked.attempt = number
        self._listener.changed()

    def retry(self, uri: str, finding_id: str) -> bool:
        """Start the loop for a finding again (after it gave up or was cancelled)."""
        doc = self._documents.get(uri)
        if doc is None or doc.checked is None:
            return False
        for tracked in doc.tracked.values():
            if tracked.id == finding_id:
                if tracked.scope is not None:
                    tracked.scope.cancel()
                self._start_loop(doc, tracked)
                self._listener.changed()
                return True
        return False

    def cancel(self, uri: str, finding_id: str) -> bool:
        """Stop a finding's loop; its state says cancelled until retried or edited."""
        doc = self._documents.get(uri)
        for tracked in doc.tracked.values() if doc else ():
            if tracked.id == finding_id and tracked.state in (State.QUEUED, State.RUNNING):
                if tracked.scope is not None:
                    tracked.scope.cancel()
                tracked.state = State.CANCELLED
                self._listener.changed()
                return True
        return False

    def status(self) -> Status:
        states = Counter(
            tracked.state for doc in self._documents.values() for tracked in doc.tracked.values()
        )
        budget = 0.0
        for root in {doc.latest.root for doc in self._documents.values()}:
            budget += self._settings(root).budget.usd_per_day
        return Status(
            running=states[State.RUNNING],
            queued=states[State.QUEUED],
            fixes=states[State.FIXED],
            usd_spent=sum(result.usd for result in self.results),
            usd_budget=budget,
        )

    def _say(self, text: str) -> None:
        """Tell the user once; the log gets every repeat."""
        self._listener.log(text)
        if text not in self._said:
            self._said.add(text)
            self._listener.message(text)
