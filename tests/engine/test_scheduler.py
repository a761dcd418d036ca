"""The engine's scheduling with a recording listener: the queue, tier 0, the memory, progress.

Real ruff, the scripted model over real HTTP, the engine in an anyio task group.
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path

import anyio
from fixloop.fakes import Text
from helpers import HeldReply, search_replace

from fixloop.budget import Ledger, ledger_path
from fixloop.config import BudgetSettings, EditorSettings, ModelSettings, Settings
from fixloop.engine.results import Outcome, Snapshot
from fixloop.engine.scheduler import Engine, Progress, State, Tracked
from fixloop.engine.shortcuts import FixMemory, Remembered
from fixloop.engine.toolbox import Toolbox
from fixloop.engine.window import make_window
from fixloop.text.edits import apply_line_edit
from fixloop.text.lines import split_lines

NAMES = ("alpha", "beta", "gamma")
# Three undefined names far apart: three findings, three loops.
THREE = "import sys\n" + "".join(
    f"\n\ndef f_{name}():\n    print(sys.argv)\n\n\n\n    return {name}\n" for name in NAMES
)
UNUSED = "import os\nimport sys\n\nprint(sys.argv)\n"
TYPO = (
    'import pathlib\n\nHOME = pathlib.Path.home()\n\n\ndef main():\n    return pathlb.Path(".")\n'
)
TYPO_FIX = search_replace('    return pathlb.Path(".")', '    return pathlib.Path(".")')


class Recorder:
    """The engine's listener: keeps what it is told and wakes waiters."""

    def __init__(self) -> None:
        self.published: list[tuple[Snapshot, tuple]] = []
        self.progress: list[Progress] = []
        self.messages: list[str] = []
        self.logs: list[str] = []
        self._event = anyio.Event()

    def _poke(self) -> None:
        self._event.set()
        self._event = anyio.Event()

    def publish(self, snapshot, findings) -> None:
        self.published.append((snapshot, findings))
        self._poke()

    def changed(self) -> None:
        self._poke()

    def message(self, text: str) -> None:
        self.messages.append(text)

    def log(self, text: str) -> None:
        self.logs.append(text)

    def loop_progress(self, update: Progress) -> None:
        self.progress.append(update)
        self._poke()

    async def until(self, predicate, timeout: float = 30.0):
        with anyio.fail_after(timeout):
            while not (found := predicate()):
                await self._event.wait()
            return found


def settings_for(server, *, loops: int = 4, attempts: int = 2) -> Settings:
    model = ModelSettings(base_url=server.openai_base_url, model="scripted-fast")
    return Settings(
        models={"fast": model},
        budget=BudgetSettings(loops=loops, attempts=attempts, parallel=1, seconds=20),
        editor=EditorSettings(debounce=0.01),
    )


@asynccontextmanager
async def engine_for(settings: Settings, toolbox: Toolbox | None = None):
    recorder = Recorder()
    toolbox = toolbox or Toolbox()
    try:
        async with anyio.create_task_group() as tg:
            engine = Engine(tg, recorder, lambda root: settings, toolbox)
            yield engine, recorder
            tg.cancel_scope.cancel()
    finally:
        await toolbox.aclose()


def open_doc(engine: Engine, root: Path, name: str, text: str, version: int = 1) -> str:
    path = root / name
    path.write_text(text)
    engine.update(Snapshot(path.as_uri(), version, text, path, root), urgent=True)
    return path.as_uri()


def tracked_in(engine: Engine, uri: str, version: int = 1) -> list[Tracked]:
    return sorted(engine.tracked(uri, version).values(), key=lambda t: t.finding.span.start_line)


def name_of(tracked: Tracked) -> str:
    return tracked.finding.message.split("`")[1]


async def test_the_queue_serves_what_the_user_asked_for_then_the_latest_edited_buffer(
    tmp_path, model_server
):
    held = HeldReply(Text("no idea"))
    model_server.responder = held
    model_server.default = Text("no idea")
    settings = settings_for(model_server, loops=1, attempts=1)
    async with engine_for(settings) as (engine, recorder):
        first = open_doc(engine, tmp_path, "a.py", THREE)
        await recorder.until(lambda: len(tracked_in(engine, first)) == 3)
        await model_server.await_requests(1)  # alpha's loop holds the only slot
        alpha, beta, gamma = tracked_in(engine, first)
        assert [alpha.state, beta.state, gamma.state] == [State.RUNNING, State.QUEUED, State.QUEUED]
        assert engine.waiting(tmp_path) == [beta, gamma]
        assert engine.status().queued == 2 and engine.status().running == 1

        engine.ask(first, gamma)  # a code action on gamma
        assert engine.waiting(tmp_path) == [gamma, beta]

        second = open_doc(engine, tmp_path, "b.py", "def g():\n    return delta\n")
        (delta,) = await recorder.until(lambda: tracked_in(engine, second))
        assert engine.waiting(tmp_path) == [gamma, delta, beta]  # b.py is the latest buffer

        # Editing a.py again puts its findings before b.py's (the asked one stays first).
        engine.update(Snapshot(first, 2, THREE, tmp_path / "a.py", tmp_path))
        assert engine.waiting(tmp_path) == [gamma, beta, delta]

        held.release.set()
        requests = await model_server.await_requests(4)
        order = [next(n for n in (*NAMES, "delta") if f"`{n}`" in r.prompt_text) for r in requests]
        assert order == ["alpha", "gamma", "beta", "delta"]
        await recorder.until(lambda: engine.status().running == engine.status().queued == 0)


async def test_the_tools_own_fix_is_verified_and_offered_without_a_model(tmp_path, model_server):
    settings = settings_for(model_server)
    async with engine_for(settings) as (engine, recorder):
        uri = open_doc(engine, tmp_path, "unused.py", UNUSED)
        (tracked,) = await recorder.until(lambda: tracked_in(engine, uri))
        await recorder.until(lambda: tracked.state is State.FIXED)
        assert tracked.finding.code == "F401" and tracked.fix.tier == "tool"
        (edit,) = tracked.fix.edits(tracked.window)
        assert apply_line_edit(UNUSED, edit) == "import sys\n\nprint(sys.argv)\n"
        assert model_server.requests == []
        states = [(p.tier, p.state) for p in recorder.progress if p.finding_id == tracked.id]
        assert states == [("tool", State.RUNNING), ("tool", State.FIXED)]
    ledger = Ledger(ledger_path())
    speed = ledger.stats(str(tmp_path)).speed_today
    ledger.close()
    assert speed.tiers["tool"].fixes == 1 and speed.tiers["tool"].attempts_per_fix == 1
    assert speed.verifiers["ruff"].fixes == 1


async def test_a_remembered_fix_is_offered_for_the_same_mistake_without_a_model(
    tmp_path, model_server
):
    model_server.script(Text(TYPO_FIX))
    settings = settings_for(model_server)
    async with engine_for(settings) as (engine, recorder):
        first = open_doc(engine, tmp_path, "one.py", TYPO)
        (one,) = await recorder.until(lambda: tracked_in(engine, first))
        await recorder.until(lambda: one.state is State.FIXED)
        assert one.fix.tier == "fast" and len(model_server.requests) == 1

        second = open_doc(engine, tmp_path, "two.py", TYPO)  # the same mistake elsewhere
        (two,) = await recorder.until(lambda: tracked_in(engine, second))
        await recorder.until(lambda: two.state is State.FIXED)
        assert two.fix.tier == "memory" and two.fix.model == "scripted-fast"
        assert two.fix.edits(two.window) == one.fix.edits(one.window)

        engine.close(first)  # closed and opened again: remembered too
        again = open_doc(engine, tmp_path, "one.py", TYPO)
        (three,) = await recorder.until(lambda: tracked_in(engine, again))
        await recorder.until(lambda: three.state is State.FIXED)
        assert three.fix.tier == "memory"
        assert len(model_server.requests) == 1  # no model request after the first


async def test_a_remembered_fix_that_no_longer_verifies_goes_to_the_model_with_its_failure(
    tmp_path, model_server
):
    toolbox = Toolbox()
    path = tmp_path / "typo.py"
    snapshot = Snapshot(path.as_uri(), 1, TYPO, path, tmp_path)
    finding = await engine_finding(toolbox, snapshot)
    window = make_window(TYPO, finding)
    texts = window.texts(split_lines(TYPO))
    bad = tuple(t.replace("pathlb.Path", "pathlab.Path") for t in texts)  # still undefined
    toolbox.memory._fixes[FixMemory.key(finding, texts)] = Remembered(bad, "fast", "earlier")
    model_server.script(Text(TYPO_FIX))
    async with engine_for(settings_for(model_server), toolbox) as (engine, recorder):
        uri = open_doc(engine, tmp_path, "typo.py", TYPO)
        (tracked,) = await recorder.until(lambda: tracked_in(engine, uri))
        await recorder.until(lambda: tracked.state is State.FIXED)
        assert tracked.fix.tier == "fast"
        remembered, verified = tracked.attempts_so_far
        assert remembered.tier == "memory" and remembered.outcome is Outcome.FAILED
        assert "pathlab" in remembered.reason
        assert verified.outcome is Outcome.VERIFIED
        (request,) = model_server.requests
        assert "a fix remembered from before: failed verification" in request.prompt_text
        assert "pathlab" in request.prompt_text


async def engine_finding(toolbox: Toolbox, snapshot: Snapshot):
    from fixloop.engine.findings import run_checks

    snapshot.path.write_text(snapshot.text)
    result = await run_checks(snapshot, toolbox.verifiers(Settings()), toolbox.verify_limiter)
    (finding,) = result.shown
    return finding


async def test_progress_follows_each_run_and_a_cancel_ends_it(tmp_path, model_server):
    from fixloop.fakes import Hang

    model_server.script(Hang())
    async with engine_for(settings_for(model_server)) as (engine, recorder):
        uri = open_doc(engine, tmp_path, "typo.py", TYPO)
        (tracked,) = await recorder.until(lambda: tracked_in(engine, uri))
        await model_server.await_requests(1)
        await recorder.until(lambda: any(p.attempt == 1 for p in recorder.progress))
        assert engine.cancel(uri, tracked.id)
        await model_server.await_disconnects(1)
        runs = [(p.run, p.attempt, p.state) for p in recorder.progress]
        assert runs == [
            (1, 0, State.RUNNING),
            (1, 1, State.RUNNING),
            (1, 1, State.CANCELLED),
        ]
        assert engine.status().running == 0
