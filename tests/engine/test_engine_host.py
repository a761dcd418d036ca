"""The engine in a thread of its own (fixloop.lsp.engine_host): handoffs that never wait on it.

Real ruff, the scripted model over real HTTP; the engine's loop in its thread, these tests'
loop standing in for the language server's.
"""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import anyio
from fixloop.config import BudgetSettings, EditorSettings, ModelSettings, Settings
from fixloop.engine.scheduler import Engine, State
from fixloop.engine.values import Snapshot
from fixloop.fakes import Text
from fixloop.lsp.engine_host import EngineHost
from helpers import search_replace

TEXT = 'import sys\n\n\ndef main():\n    print(sys.argv)\n    return pathlib.Path(".")\n'
FIX = search_replace("import sys", "import sys\nimport pathlib")


class Server:
    """Stands in for the language server: records what reaches its loop, checks which thread."""

    def __init__(self) -> None:
        self.host: EngineHost | None = None
        self.thread = threading.get_ident()
        self.seen: list[tuple] = []
        self.wrong_thread = 0
        self.event = asyncio.Event()

    def _got(self, *item) -> None:
        if threading.get_ident() != self.thread:
            self.wrong_thread += 1
        self.seen.append(item)
        self.event.set()

    def publish(self, snapshot, findings) -> None:
        # The views are made before any notification leaves the engine's loop.
        assert self.host is not None
        view = self.host.views.get(snapshot.uri)
        self._got("publish", snapshot.version, view.checked.version if view else None)

    def send_status(self, status) -> None:
        self._got("status", status.fixes)

    def message(self, text: str) -> None:
        self._got("message", text)

    def log(self, text: str) -> None:
        self._got("log", text)

    def loop_progress(self, update) -> None:
        assert self.host is not None
        view = self.host.views.get(update.uri)
        tracked = view.tracked.get(update.finding_id) if view else None
        self._got("progress", update.state, tracked.state if tracked else None)

    async def wait_for(self, predicate, timeout: float = 30.0) -> None:
        with anyio.fail_after(timeout):
            while not predicate():
                self.event.clear()
                await self.event.wait()


def make_host(tmp_path: Path, base_url: str, server: Server) -> EngineHost:
    settings = Settings(
        models={"fast": ModelSettings(base_url=base_url, model="scripted-fast")},
        budget=BudgetSettings(attempts=4, parallel=1, seconds=20),
        editor=EditorSettings(debounce=0.0),
    )
    host = EngineHost(
        lambda tg, listener: Engine(tg, listener, lambda root: settings),
        server=server,
        settings_for=lambda root: settings,
    )
    server.host = host
    return host


async def test_a_fix_reaches_the_views_before_the_notifications_say_so(tmp_path, model_server):
    model_server.script(Text(FIX))
    server = Server()
    host = make_host(tmp_path, model_server.openai_base_url, server)
    await host.start()
    try:
        path = tmp_path / "doc.py"
        path.write_text(TEXT)
        snapshot = Snapshot(path.as_uri(), 1, TEXT, path, tmp_path)
        assert host.engine is not None
        host.post(lambda: host.engine.update(snapshot, urgent=True))
        await server.wait_for(
            lambda: any(s[0] == "status" and s[1] >= 1 for s in server.seen)
        )
        view = host.views[snapshot.uri]
        (tracked,) = view.tracked.values()
        assert tracked.state is State.FIXED and tracked.fix is not None
        assert ("publish", 1, 1) in server.seen
        ended = [s for s in server.seen if s[0] == "progress" and s[1] is State.FIXED]
        assert ended == [("progress", State.FIXED, State.FIXED)]
        assert server.wrong_thread == 0
    finally:
        await host.stop()
    assert host.views  # still readable; nothing more is posted
    host.post(print, "never run")


async def test_posting_never_waits_for_a_busy_engine(tmp_path, model_server):
    server = Server()
    host = make_host(tmp_path, model_server.openai_base_url, server)
    await host.start()
    release = threading.Event()
    try:
        host.post(release.wait, 30)  # the engine's loop is stuck in one long callback
        with anyio.fail_after(1):
            for n in range(100):
                host.post(lambda: None)
            assert host.views == {}
        answer = asyncio.ensure_future(host.call(lambda: "answered"))
        await asyncio.sleep(0.05)
        assert not answer.done()  # a call waits for its answer, and only the caller waits
        release.set()
        with anyio.fail_after(10):
            assert await answer == "answered"
    finally:
        release.set()
        await host.stop()
    with anyio.fail_after(5):
        try:
            await host.call(lambda: "too late")
        except RuntimeError as exc:
            assert "stopped" in str(exc)
        else:
            raise AssertionError("a call after stop() must fail, not hang")
