"""The engine in a thread of its own (fixloop.lsp.engine_host): typed commands in, typed events
out, immutable views between, and no handoff that waits on the engine.

Real ruff, the scripted model over real HTTP; the engine's loop in its thread, these tests'
loop standing in for the language server's.
"""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import anyio
from fixloop.fakes import Text
from helpers import search_replace

from fixloop.config import BudgetSettings, EditorSettings, ModelSettings, Settings
from fixloop.engine.seam import (
    Ask,
    Diagnostics,
    GetStats,
    Log,
    Message,
    Open,
    Progress,
    Retry,
    SessionStats,
    SettingsChanged,
    Snapshot,
    State,
    Status,
)
from fixloop.engine.service import EngineService
from fixloop.lsp.engine_host import EngineHost
from fixloop.lsp.settings import SettingsStore

TEXT = 'import sys\n\n\ndef main():\n    print(sys.argv)\n    return pathlib.Path(".")\n'
FIX = search_replace("import sys", "import sys\nimport pathlib")


class Server:
    """Stands in for the language server: records the events that reach its loop, and which
    thread they reached it on, with what the views said at that moment."""

    def __init__(self) -> None:
        self.host: EngineHost | None = None
        self.thread = threading.get_ident()
        self.seen: list[tuple] = []
        self.wrong_thread = 0
        self.event = asyncio.Event()

    def deliver(self, event) -> None:
        if threading.get_ident() != self.thread:
            self.wrong_thread += 1
        assert self.host is not None
        views = self.host.views
        match event:
            case Diagnostics(snapshot):
                view = views.get(snapshot.uri)
                self.seen.append(
                    ("publish", snapshot.version, view.checked.version if view else None)
                )
            case Status():
                self.seen.append(("status", event.fixes))
            case Progress():
                view = views.get(event.uri)
                tracked = view.tracked.get(event.finding_id) if view else None
                self.seen.append(("progress", event.state, tracked.state if tracked else None))
            case Message(text) | Log(text):
                self.seen.append((type(event).__name__.lower(), text))
        self.event.set()

    async def wait_for(self, predicate, timeout: float = 30.0) -> None:
        with anyio.fail_after(timeout):
            while not predicate():
                self.event.clear()
                await self.event.wait()


class RecordingStore(SettingsStore):
    """The real settings store, noting which threads use it."""

    def __init__(self, report, trusted, settings: Settings | None = None) -> None:
        super().__init__(report, trusted)
        self.threads: set[int] = set()
        self._fixed = settings

    def set_editor(self, raw: object, source: str) -> None:
        self.threads.add(threading.get_ident())
        super().set_editor(raw, source)

    def for_root(self, root: Path) -> Settings:
        self.threads.add(threading.get_ident())
        merged = super().for_root(root)
        return self._fixed or merged


def make_host(base_url: str, server: Server, stores: list[RecordingStore]) -> EngineHost:
    settings = Settings(
        models={"fast": ModelSettings(base_url=base_url, model="scripted-fast")},
        budget=BudgetSettings(attempts=4, parallel=1, seconds=20),
        editor=EditorSettings(debounce=0.0),
    )

    def make_settings(report, trusted):
        stores.append(RecordingStore(report, trusted, settings))
        return stores[-1]

    host = EngineHost(
        lambda tg, outlet: EngineService(tg, outlet, settings=make_settings),
        deliver=server.deliver,
    )
    server.host = host
    return host


async def test_a_fix_reaches_the_views_before_the_events_say_so(tmp_path, model_server):
    model_server.script(Text(FIX))
    server, stores = Server(), []
    host = make_host(model_server.openai_base_url, server, stores)
    await host.start()
    try:
        path = tmp_path / "doc.py"
        path.write_text(TEXT)
        snapshot = Snapshot(path.as_uri(), 1, TEXT, path, tmp_path)
        host.send(Open(snapshot))
        await server.wait_for(lambda: any(s[0] == "status" and s[1] >= 1 for s in server.seen))
        view = host.views[snapshot.uri]
        (tracked,) = view.tracked.values()
        assert tracked.state is State.FIXED and tracked.fix is not None
        assert ("publish", 1, 1) in server.seen
        ended = [s for s in server.seen if s[0] == "progress" and s[1] is State.FIXED]
        assert ended == [("progress", State.FIXED, State.FIXED)]
        assert server.wrong_thread == 0

        assert await host.request(Retry(snapshot.uri, "no such finding")) is False
        stats = await host.request(GetStats((tmp_path,)))
        assert isinstance(stats, SessionStats)
        assert (stats.loops, stats.fixed, stats.status.fixes) == (1, 1, 1)
        assert [w.workspace for w in stats.workspaces] == [str(tmp_path)]
    finally:
        await host.stop()
    assert host.views  # still readable; nothing more is sent
    host.send(Open(snapshot))


async def test_the_settings_are_the_engines_and_their_trouble_comes_back_as_an_event(
    tmp_path, model_server
):
    server, stores = Server(), []
    host = make_host(model_server.openai_base_url, server, stores)
    await host.start()
    try:
        host.send(SettingsChanged({"budget": {"attempts": "many"}}, "initializationOptions"))
        path = tmp_path / "doc.py"
        path.write_text("print(1)\n")
        host.send(Open(Snapshot(path.as_uri(), 1, "print(1)\n", path, tmp_path)))
        await server.wait_for(lambda: any(s[0] == "publish" for s in server.seen))
        said = [s[1] for s in server.seen if s[0] == "message"]
        assert len(said) == 1 and "initializationOptions" in said[0], server.seen
        assert "keeping the previous settings" in said[0]
        assert server.wrong_thread == 0
        (store,) = stores
        # Read and written on the engine's thread alone: never on the server's.
        assert len(store.threads) == 1 and server.thread not in store.threads
    finally:
        await host.stop()


class BusyService:
    """An engine's side that blocks its loop on `Ask("hold", ...)` until released."""

    def __init__(self, release: threading.Event) -> None:
        self.release = release
        self.handled = 0

    def handle(self, command):
        self.handled += 1
        if isinstance(command, Ask) and command.uri == "hold":
            self.release.wait(30)
        return "answered" if isinstance(command, Retry) else None

    async def aclose(self) -> None:
        pass


async def test_sending_never_waits_for_a_busy_engine():
    release = threading.Event()
    busy = BusyService(release)
    host = EngineHost(lambda tg, outlet: busy, deliver=lambda event: None)
    await host.start()
    try:
        host.send(Ask("hold", "x"))  # the engine's loop is stuck in one long command
        with anyio.fail_after(1):
            for n in range(100):
                host.send(Ask("file:///a.py", str(n)))
            assert host.views == {}
        answer = asyncio.ensure_future(host.request(Retry("file:///a.py", "1")))
        await asyncio.sleep(0.05)
        assert not answer.done()  # a request waits for its answer, and only the caller waits
        release.set()
        with anyio.fail_after(10):
            assert await answer == "answered"
        assert busy.handled == 102  # in the order sent: the request after the hundred
    finally:
        release.set()
        await host.stop()
    with anyio.fail_after(5):
        try:
            await host.request(Retry("file:///a.py", "1"))
        except RuntimeError as exc:
            assert "stopped" in str(exc)
        else:
            raise AssertionError("a request after stop() must fail, not hang")
