"""The engine on an event loop of its own, in a thread of its own.

With a hundred loops in flight the engine keeps an event loop 40-60 % busy
(HTTP streaming, judging candidates, starting tools, checks): on one shared
loop a code-action request waited behind that work (p99 37-42 ms while the
model answered, bench/loop_speed.py). Here the language server's loop does
protocol I/O and answers from views, and the engine's loop does everything
else; the interpreter switches between the two threads every millisecond or
so whatever either is doing, so a request never waits for a whole callback
of the engine.

The host carries what crosses the seam (engine/seam.py), and nothing else:

- server -> engine: `send(command)` hands a Command to the engine's side
  (engine/service.py), applied on the engine's loop in the order sent, and
  returns at once; `request(command)` awaits its answer.
- engine -> server: every Event the engine's side emits is handed to the
  server's loop (`deliver`), in order.
- views: `views` is the latest mapping uri -> DocumentView the engine's side
  showed: replaced whole, never changed in place, readable from any thread.

The engine's structured concurrency is unchanged: its task group lives in
the thread's `anyio.run`, `stop()` cancels it and closes the engine's tools
on that loop (its HTTP clients and tool processes belong to it), and joins
the thread.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
from collections.abc import Callable, Mapping
from typing import Protocol

import anyio
import anyio.abc
import sniffio

from fixloop.engine.seam import Answer, Command, DocumentView, Event, Outlet

log = logging.getLogger("fixloop")


class Service(Protocol):
    """The engine's side of the seam (engine/service.EngineService, or a test's)."""

    def handle(self, command: Command) -> Answer: ...

    async def aclose(self) -> None: ...


MakeService = Callable[[anyio.abc.TaskGroup, Outlet], Service]


class EngineHost:
    """Runs the engine's side of the seam in a thread; carries commands, events and views."""

    def __init__(self, make: MakeService, deliver: Callable[[Event], None]) -> None:
        self._make = make
        self._deliver = deliver  # called on the server's loop
        self._views: Mapping[str, DocumentView] = {}
        self._service: Service | None = None  # touched on the engine's loop only
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None  # the engine's
        self._server_loop: asyncio.AbstractEventLoop | None = None
        self._stop: anyio.Event | None = None
        self._closed = False
        self._requests: set[concurrent.futures.Future] = set()
        self._failure: BaseException | None = None

    @property
    def views(self) -> Mapping[str, DocumentView]:
        """The documents as last checked: a mapping never changed once shown."""
        return self._views

    # -- the server's side -------------------------------------------------------

    async def start(self) -> None:
        """Start the engine's thread and wait until its side of the seam exists."""
        self._server_loop = asyncio.get_running_loop()
        self._thread = threading.Thread(target=self._main, name="fixloop-engine", daemon=True)
        self._thread.start()
        await anyio.to_thread.run_sync(self._ready.wait)
        if self._service is None:
            raise RuntimeError(f"the engine did not start: {self._failure!r}")

    def send(self, command: Command) -> None:
        """Apply `command` on the engine's loop, soon; returns at once."""
        if self._closed or self._loop is None:
            return
        try:
            self._loop.call_soon_threadsafe(self._apply, command)
        except RuntimeError:  # the engine's loop has closed: shutting down
            pass

    async def request(self, command: Command) -> Answer:
        """Apply `command` on the engine's loop; its answer (or exception) here."""
        future: concurrent.futures.Future = concurrent.futures.Future()

        def run() -> None:
            if not future.set_running_or_notify_cancel():
                return
            sniffio.current_async_library_cvar.set("asyncio")  # see _apply
            try:
                assert self._service is not None
                future.set_result(self._service.handle(command))
            except Exception as exc:
                future.set_exception(exc)

        if self._closed or self._loop is None:
            raise RuntimeError("the engine has stopped")
        self._requests.add(future)
        future.add_done_callback(self._requests.discard)
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
        if self._stop is not None and self._loop is not None and not self._closed:
            try:
                self._loop.call_soon_threadsafe(self._stop.set)
            except RuntimeError:  # already closed
                pass
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
            for future in list(self._requests):  # nobody is left to answer them
                future.cancel()

    async def _run(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = anyio.Event()
        service = None
        try:
            async with anyio.create_task_group() as tg:
                service = self._service = self._make(tg, self)
                self._ready.set()
                await self._stop.wait()
                tg.cancel_scope.cancel()
        finally:
            if service is not None:
                with anyio.CancelScope(shield=True):
                    await service.aclose()

    def _apply(self, command: Command) -> None:
        # A callback runs in a copy of the sender's context, outside any task: anyio's calls
        # (a new CancelScope, an Event) need to be told which library runs this loop.
        sniffio.current_async_library_cvar.set("asyncio")
        assert self._service is not None
        try:
            self._service.handle(command)
        except Exception:  # a bug in one command must not end the engine's loop
            log.exception("engine command %s failed", type(command).__name__)

    # -- Outlet (called by the engine's side, on its loop) -------------------------

    def emit(self, event: Event) -> None:
        loop = self._server_loop
        if loop is None:
            return
        try:
            loop.call_soon_threadsafe(self._deliver, event)
        except RuntimeError:  # the server's loop has closed
            pass

    def show(self, views: Mapping[str, DocumentView]) -> None:
        self._views = views
