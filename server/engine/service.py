"""The engine's side of the seam: commands applied, events emitted, views made.

It owns the Engine and the settings, on the engine's event loop, and knows no
threads: its host (lsp/engine_host.py) hands it each command and carries its
events and views across (see engine/seam.py for what crosses).

It is the Engine's Listener. The views are made anew (reusing what did not
change, engine/views.py) before a notification that may lead a client to ask
goes out (diagnostics, progress, status), and soon after anything else changed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Protocol, assert_never

import anyio
import anyio.abc

from fixloop.config import Settings
from fixloop.engine.foreign import SOURCES
from fixloop.engine.reporting import Progress
from fixloop.engine.results import Snapshot
from fixloop.engine.scheduler import Engine
from fixloop.engine.seam import (
    Answer,
    Ask,
    Cancel,
    Change,
    CheckWith,
    Close,
    Command,
    Diagnostics,
    Escalate,
    GetStats,
    Log,
    Message,
    Open,
    Outlet,
    Retry,
    Save,
    SessionStats,
    SettingsChanged,
    Trust,
)
from fixloop.engine.toolbox import Toolbox
from fixloop.engine.views import DocumentView, ViewCache
from fixloop.verifiers.base import Finding

# Status events are coalesced: with many loops, changes come hundreds of times a second.
STATUS_EVERY = 0.05
# The verifiers that re-check other servers' diagnostics (a view says which of them can run).
FOREIGN_VERIFIERS = tuple(sorted(set(SOURCES.values())))


class SettingsSource(Protocol):
    """The settings per workspace root, with the editor's layer (lsp/settings.SettingsStore)."""

    def set_editor(self, raw: object, source: str) -> None: ...

    def for_root(self, root: Path) -> Settings: ...


# Given where to report a bad setting (a message to the user) and whether the editor
# trusts the workspace (asked on every look-up), the settings.
MakeSettings = Callable[[Callable[[str], None], Callable[[], bool]], SettingsSource]


class EngineService:
    """Applies commands to an Engine; turns what the engine says into events and views."""

    def __init__(
        self,
        task_group: anyio.abc.TaskGroup,
        outlet: Outlet,
        settings: MakeSettings,
        toolbox: Toolbox | None = None,
    ) -> None:
        self._outlet = outlet
        self._trusted = False  # until the editor says otherwise (a Trust command)
        self._settings = settings(self.message, lambda: self._trusted)
        self._loop = asyncio.get_running_loop()
        self.engine = Engine(
            task_group,
            self,
            self._settings.for_root,
            toolbox=toolbox,
            trusted_for=lambda root: self._trusted,
        )
        self._cache = ViewCache()
        self._checkable: dict[Path, frozenset[str]] = {}
        self._status_wanted = anyio.Event()
        self._refresh_pending = False
        task_group.start_soon(self._report_status)

    # -- commands --------------------------------------------------------------------

    def handle(self, command: Command) -> Answer:
        """Apply one command; its answer (None for those that have none)."""
        engine = self.engine
        match command:
            case Open(snapshot) | Save(snapshot):
                engine.update(snapshot, urgent=True)
            case Change(snapshot):
                engine.update(snapshot)
            case Close(uri):
                engine.close(uri)
            case Ask(uri, finding_id):
                engine.ask_about(uri, finding_id)
            case CheckWith(uri, version, source, code, line):
                engine.foreign(uri, version, source, code, line)
            case Retry(uri, finding_id):
                return engine.retry(uri, finding_id)
            case Cancel(uri, finding_id):
                return engine.cancel(uri, finding_id)
            case Escalate(uri, finding_id):
                return engine.escalate(uri, finding_id)
            case GetStats(roots):
                return self._stats(roots)
            case SettingsChanged(raw, source):
                self._settings.set_editor(raw, source)
                self._refresh_soon()  # the views carry the settings
            case Trust(trusted):
                self._trusted = trusted
            case _:
                assert_never(command)
        return None

    def _stats(self, roots: tuple[Path, ...]) -> SessionStats:
        engine = self.engine
        results = engine.results
        return SessionStats(
            loops=len(results),
            fixed=sum(1 for r in results if r.fix),
            attempts=sum(len(r.attempts) for r in results),
            status=engine.status(),
            workspaces=tuple(engine.stats(roots)),
        )

    async def aclose(self) -> None:
        """Close the engine's tools and clients (after its task group has ended)."""
        await self.engine.toolbox.aclose()

    # -- views -----------------------------------------------------------------------

    def refresh(self) -> None:
        """Make the views anew from the engine's state and show them."""
        self._refresh_pending = False
        engine = self.engine
        views: dict[str, DocumentView] = {}
        settings: dict[Path, Settings] = {}
        alive: set[int] = set()
        for uri in engine.uris():
            doc = engine.document(uri)
            if doc is None or doc.checked is None:
                continue
            alive.update(id(tracked) for tracked in doc.tracked.values())
            root = doc.checked.root
            if root not in settings:
                settings[root] = self._settings.for_root(root)
            view = self._cache.document(doc, settings[root], self._can_check(root))
            if view is not None:
                views[uri] = view
        self._cache.keep(set(views), alive)
        self._outlet.show(views)

    def _can_check(self, root: Path) -> frozenset[str]:
        checkable = self._checkable.get(root)
        if checkable is None:
            checkable = self._checkable[root] = frozenset(
                name for name in FOREIGN_VERIFIERS if self.engine.toolbox.available(name, root)
            )
        return checkable

    def _refresh_soon(self) -> None:
        """Refresh once, after the callback that is running (many changes come at once)."""
        if not self._refresh_pending:
            self._refresh_pending = True
            self._loop.call_soon(self._refresh_if_pending)

    def _refresh_if_pending(self) -> None:
        if self._refresh_pending:
            self.refresh()

    async def _report_status(self) -> None:
        """The status goes out when something changed, at most every STATUS_EVERY seconds."""
        while True:
            await self._status_wanted.wait()
            self._status_wanted = anyio.Event()
            self.refresh()
            self._outlet.emit(self.engine.status())
            await anyio.sleep(STATUS_EVERY)

    # -- Listener (called by the engine) ---------------------------------------------

    def publish(self, snapshot: Snapshot, findings: tuple[tuple[Finding, str], ...]) -> None:
        self.refresh()
        self._outlet.emit(Diagnostics(snapshot, findings))

    def changed(self) -> None:
        self._status_wanted.set()
        self._refresh_soon()

    def message(self, text: str) -> None:
        self._outlet.emit(Message(text))

    def log(self, text: str) -> None:
        self._outlet.emit(Log(text))

    def loop_progress(self, update: Progress) -> None:
        self.refresh()  # a client told a loop ended may ask for its fix at once
        self._outlet.emit(update)
