"""The engine on an event loop of its own, in a thread of its own.

With a hundred loops in flight the engine keeps an event loop 40-60 % busy
(HTTP streaming, judging candidates, starting tools, checks): on one shared
loop a code-action request waited behind that work (p99 37-42 ms while the
model answered, bench/loop_speed.py). Here the language server's loop does
protocol I/O and answers from views, and the engine's loop does everything
else; the interpreter switches between the two threads every millisecond or
so whatever either is doing, so a request never waits for a whole callback
of the engine.

Handoffs, none of which makes the server's loop wait on the engine:

- server -> engine: `post(fn, *args)` runs a plain function on the engine's
  loop (didOpen, didChange, didClose, an ask from a code action); `call`
  awaits its result (the commands: retry, cancel, escalate, stats).
- engine -> server: the host is the engine's Listener; it hands every
  notification (diagnostics, progress, status, messages) to the server's
  loop, in order.
- views: `views` maps each checked document to an immutable DocumentView,
  replaced (never changed in place) on the engine's loop before any
  notification goes out, so a client that saw a notification and asks at
  once gets an answer at least as new as it.

The engine's structured concurrency is unchanged: its task group lives in
the thread's `anyio.run`, `stop()` cancels it and closes the toolbox on that
loop (its HTTP clients and tool processes belong to it), and joins the thread.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Protocol

import anyio
import anyio.abc
import sniffio
from fixloop.config import Settings
from fixloop.engine.scheduler import Engine, Listener, Progress, Status
from fixloop.engine.values import Snapshot
from fixloop.engine.views import DocumentView, ViewCache
from fixloop.verifiers.base import Finding

log = logging.getLogger("fixloop")
# Status notifications are coalesced: with many loops, changes come hundreds of times a second.
STATUS_EVERY = 0.05


class Server(Protocol):
    """What the host tells the language server (on the server's loop)."""

    def publish(self, snapshot: Snapshot, findings: tuple[tuple[Finding, str], ...]) -> None: ...

    def send_status(self, status: Status) -> None: ...

    def message(self, text: str) -> None: ...

    def log(self, text: str) -> None: ...

    def loop_progress(self, update: Progress) -> None: ...


MakeEngine = Callable[[anyio.abc.TaskGroup, Listener], Engine]


class EngineHost:
    """Runs an Engine in a thread; the engine's Listener; the views the server reads."""

    def __init__(
        self, make: MakeEngine, server: Server, settings_for: Callable[[Path], Settings]
    ) -> None:
        self._make = make
        self._server = server
        self._settings_for = settings_for
        self.views: Mapping[str, DocumentView] = {}  # replaced whole, never changed in place
        self._cache = ViewCache()  # the engine's loop's own
        self.engine: Engine | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None  # the engine's
        self._server_loop: asyncio.AbstractEventLoop | None = None
        self._stop: anyio.Event | None = None
        self._status_wanted: anyio.Event | None = None
        self._refresh_pending = False
        self._closed = False
        self._calls: set[concurrent.futures.Future] = set()
        self._failure: BaseException | None = None

    # -- the server's side -------------------------------------------------------

    async def start(self) -> None:
        """Start the engine's thread and wait until its engine exists."""
        self._server_loop = asyncio.get_running_loop()
        self._thread = threading.Thread(target=self._main, name="fixloop-engine", daemon=True)
        self._thread.start()
        await anyio.to_thread.run_sync(self._ready.wait)
        if self.engine is None:
            raise RuntimeError(f"the engine did not start: {self._failure!r}")

    def post(self, fn: Callable[..., object], *args: Any) -> None:
        """Run `fn(*args)` on the engine's loop, soon; returns at once."""
        if self._closed or self._loop is None:
            return
        try:
            self._loop.call_soon_threadsafe(self._guarded, fn, args)
        except RuntimeError:  # the engine's loop has closed: shutting down
            pass

    async def call(self, fn: Callable[..., Any], *args: Any) -> Any:
        """`fn(*args)` on the engine's loop; its result (or exception) here."""
        future: concurrent.futures.Future = concurrent.futures.Future()

        def run() -> None:
            if not future.set_running_or_notify_cancel():
                return
            sniffio.current_async_library_cvar.set("asyncio")  # see _guarded
            try:
                future.set_result(fn(*args))
            except Exception as exc:
                future.set_exception(exc)

        if self._closed or self._loop is None:
            raise RuntimeError("the engine has stopped")
        self._calls.add(future)
        future.add_done_callback(self._calls.discard)
        try:
            self._loop.call_soon_threadsafe(run)
        except RuntimeError:
            future.cancel()
            raise RuntimeError("the engine has stopped") from None
        return await asyncio.wrap_future(future)

    async def stop(self) -> None:
        """Cancel the engine's work, close its tools, and wait for its thread to end."""
        if self._thread is None:
            return
        if self._stop is not None:
            self.post(self._stop.set)
        await anyio.to_thread.run_sync(self._thread.join)

    # -- the engine's thread -----------------------------------------------------

    def _main(self) -> None:
        try:
            anyio.run(self._run)
        except BaseException as exc:  # logged, and start() says so
            self._failure = exc
            log.exception("the engine's thread failed")
        finally:
            self._closed = True
            self._ready.set()
            for future in list(self._calls):  # nobody is left to answer them
                future.cancel()

    async def _run(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = anyio.Event()
        self._status_wanted = anyio.Event()
        engine = None
        try:
            async with anyio.create_task_group() as tg:
                engine = self.engine = self._make(tg, self)
                tg.start_soon(self._report_status)
                self._ready.set()
                await self._stop.wait()
                tg.cancel_scope.cancel()
        finally:
            if engine is not None:
                with anyio.CancelScope(shield=True):
                    await engine.toolbox.aclose()

    def _guarded(self, fn: Callable[..., object], args: tuple) -> None:
        # A callback runs in a copy of the poster's context, outside any task: anyio's calls
        # (a new CancelScope, an Event) need to be told which library runs this loop.
        sniffio.current_async_library_cvar.set("asyncio")
        try:
            fn(*args)
        except Exception:  # a bug in one handoff must not end the engine's loop
            log.exception("engine call %s failed", getattr(fn, "__name__", fn))

    def _to_server(self, fn: Callable[..., object], *args: Any) -> None:
        loop = self._server_loop
        if loop is None:
            return
        try:
            loop.call_soon_threadsafe(fn, *args)
        except RuntimeError:  # the server's loop has closed
            pass

    def refresh(self) -> None:
        """Make the views anew from the engine's state (on the engine's loop)."""
        self._refresh_pending = False
        engine = self.engine
        if engine is None:
            return
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
                settings[root] = self._settings_for(root)
            view = self._cache.document(doc, settings[root])
            if view is not None:
                views[uri] = view
        self._cache.keep(set(views), alive)
        self.views = views

    async def _report_status(self) -> None:
        """The status goes out when something changed, at most every STATUS_EVERY seconds."""
        while True:
            assert self._status_wanted is not None
            await self._status_wanted.wait()
            self._status_wanted = anyio.Event()
            if self.engine is not None:
                self.refresh()
                self._to_server(self._server.send_status, self.engine.status())
            await anyio.sleep(STATUS_EVERY)

    # -- Listener (called by the engine, on its loop) ------------------------------

    def publish(self, snapshot: Snapshot, findings: tuple[tuple[Finding, str], ...]) -> None:
        self.refresh()
        self._to_server(self._server.publish, snapshot, findings)

    def changed(self) -> None:
        if self._status_wanted is not None:
            self._status_wanted.set()
        if not self._refresh_pending and self._loop is not None:
            self._refresh_pending = True
            self._loop.call_soon(self._refresh_if_pending)

    def _refresh_if_pending(self) -> None:
        if self._refresh_pending:
            self.refresh()

    def message(self, text: str) -> None:
        self._to_server(self._server.message, text)

    def log(self, text: str) -> None:
        self._to_server(self._server.log, text)

    def loop_progress(self, update: Progress) -> None:
        self.refresh()  # a client told a loop ended may ask for its fix at once
        self._to_server(self._server.loop_progress, update)
