"""The ledger's file in trouble: locked by another process, damaged, read-only.

Whatever happens to the file, no model request goes out without a reservation
that counts against the day's cap, and the event loop never waits on the file.
"""

from __future__ import annotations

import ctypes
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import anyio
import pytest
from conftest import write_config
from fixloop.budget import BudgetExhausted, Ledger, ledger_path
from fixloop.budget.costs import Prices
from fixloop.engine.loop import FixLoop
from fixloop.engine.results import LoopStatus
from fixloop.engine.spending import TierMeter
from fixloop.engine.toolbox import Toolbox
from fixloop.fakes import Text
from helpers import search_replace
from loops import BROKEN, make_loop

pytestmark = pytest.mark.fault

PR_CAPBSET_DROP, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH = 24, 1, 2  # <linux/prctl.h>, capability.h

FIX = search_replace("import sys", "import sys\nimport pathlib")
HOLD_LOCK = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("PRAGMA journal_mode=WAL")
db.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.read()  # until the test closes our stdin
db.execute("COMMIT")
"""


async def loop_on(tmp_path: Path, server, ledger: Ledger) -> FixLoop:
    return await make_loop(
        tmp_path,
        server,
        attempts=2,
        seconds=30.0,
        meter=lambda model: TierMeter(ledger, workspace=tmp_path, tier="fast", model=model, cap=1.0),
    )


def hold_lock(path: Path) -> subprocess.Popen:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "locked"
    return holder


class Ticker:
    """Measures the longest the event loop went without running us."""

    def __init__(self) -> None:
        self.longest = 0.0

    async def run(self) -> None:
        last = time.monotonic()
        while True:
            await anyio.sleep(0.02)
            now = time.monotonic()
            self.longest = max(self.longest, now - last)
            last = now


async def test_a_locked_ledger_is_waited_for_off_the_event_loop(tmp_path, model_server):
    model_server.script(Text(FIX))
    path = tmp_path / "ledger.sqlite3"
    ledger = Ledger(path, timeout=10)
    loop = await loop_on(tmp_path, model_server, ledger)
    holder = hold_lock(path)
    ticker = Ticker()
    try:
        async with anyio.create_task_group() as tg:
            tg.start_soon(ticker.run)
            done = anyio.Event()
            results = []

            async def run() -> None:
                results.append(await loop.run())
                done.set()

            tg.start_soon(run)
            await anyio.sleep(1.0)  # the other process holds the lock this long
            assert model_server.requests == []  # nothing goes out without its reservation
            holder.stdin.close()
            with anyio.fail_after(15):
                await done.wait()
            tg.cancel_scope.cancel()
    finally:
        holder.kill()
        holder.wait()
    (result,) = results
    assert result.status is LoopStatus.FIXED and len(model_server.requests) == 1
    assert ticker.longest < 0.5, f"the event loop stalled for {ticker.longest:.2f} s"
    ((state,),) = ledger._db.execute("SELECT state FROM calls").fetchall()
    assert state == "settled"


async def test_a_ledger_locked_past_the_timeout_stops_the_loop_and_sends_nothing(
    tmp_path, model_server
):
    model_server.default = Text(FIX)
    path = tmp_path / "ledger.sqlite3"
    ledger = Ledger(path, timeout=0.5)
    loop = await loop_on(tmp_path, model_server, ledger)
    holder = hold_lock(path)
    try:
        with anyio.fail_after(15):
            result = await loop.run()
    finally:
        holder.kill()
        holder.wait()
    assert result.status is LoopStatus.STOPPED
    assert "locked by another process" in result.reason and str(path) in result.reason
    assert model_server.requests == []


def test_a_damaged_ledger_is_moved_aside_and_a_new_one_keeps_the_cap(tmp_path):
    path = tmp_path / "ledger.sqlite3"
    garbage = os.urandom(4096)
    path.write_bytes(garbage)
    toolbox = Toolbox(env={"FIXLOOP_STATE_DIR": str(tmp_path)})
    ledger = toolbox.ledger
    assert ledger.path == path
    assert "was damaged" in toolbox.notice and "moved to" in toolbox.notice
    (aside,) = tmp_path.glob("ledger.sqlite3.corrupt-*")
    assert aside.read_bytes() == garbage  # kept for whoever wants to look
    prices = Prices(1000.0, 1000.0)  # $0.001 a token
    first = ledger.reserve(
        "/ws", tier="fast", model="m", prices=prices, prompt_tokens=100, max_tokens=500, cap=1.0
    )
    first.settle(100, 500)
    # What is left ($0.40) holds the prompt and 300 tokens out: max_tokens is lowered to that.
    second = ledger.reserve(
        "/ws", tier="fast", model="m", prices=prices, prompt_tokens=100, max_tokens=500, cap=1.0
    )
    assert second.max_tokens == 300
    second.settle(100, 300)
    with pytest.raises(BudgetExhausted):
        ledger.reserve(
            "/ws", tier="fast", model="m", prices=prices, prompt_tokens=100, max_tokens=500, cap=1.0
        )
    ledger.close()
    # The new file is a real database that a later process opens without complaint.
    assert Ledger(path).spent_today("/ws") == pytest.approx(1.0)


def _without_root_powers() -> None:
    """In the child: root writes read-only files regardless, unless it drops these powers."""
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
        if libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def test_a_read_only_ledger_still_caps_the_day(tmp_path, model_server):
    workspace, state = tmp_path / "ws", tmp_path / "state"
    workspace.mkdir()
    state.mkdir()
    (workspace / "app.py").write_text(BROKEN)
    config = write_config(workspace, model_server.openai_base_url, attempts=2)
    config.write_text(config.read_text().replace("[budget]", "[budget]\nusd_per_day = 0.01"))
    # Today's spend is already at the cap, in a file the process cannot write.
    ledger = Ledger(ledger_path({"FIXLOOP_STATE_DIR": str(state)}))
    ledger.carry({str(workspace): 0.0099}, "earlier")
    ledger.close()
    try:
        for item in state.iterdir():
            item.chmod(0o444)
        state.chmod(0o555)
        model_server.default = Text(FIX)
        run = subprocess.run(
            [sys.executable, "-m", "fixloop", "fix", "app.py"],
            check=False,
            cwd=workspace,
            env={**os.environ, "FIXLOOP_STATE_DIR": str(state)},
            capture_output=True,
            text=True,
            timeout=120,
            stdin=subprocess.DEVNULL,
            preexec_fn=_without_root_powers,
        )
    finally:
        state.chmod(0o755)
    assert "counts spend in memory" in run.stderr, run.stderr
    assert "today's $0.0099 from the file included" in run.stderr
    assert "budget is spent" in run.stderr  # refused: the file's spend still counts
    assert model_server.requests == []
    assert run.returncode == 1


def test_a_state_folder_that_cannot_be_made_falls_back_to_memory(tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the state folder should be")
    toolbox = Toolbox(env={"FIXLOOP_STATE_DIR": str(blocked / "state")})
    assert toolbox.ledger.path == ":memory:"
    assert "cannot open the ledger" in toolbox.notice and "in memory" in toolbox.notice


@pytest.mark.e2e
async def test_a_damaged_ledger_is_replaced_with_one_warning_and_fixes_go_on(
    tmp_path, model_server, serve, state_dir
):
    (state_dir / "ledger.sqlite3").write_bytes(os.urandom(8192))
    write_config(tmp_path, model_server.openai_base_url)
    model_server.default = Text(FIX)
    wire = await serve(tmp_path)
    await wire.initialize([tmp_path])
    for name in ("app.py", "other.py"):
        wire.open(tmp_path / name, BROKEN)
    await wire.status(lambda s: s["fixes"] == 2)
    warnings = [m for m in wire.shown() if "was damaged" in m]
    assert len(warnings) == 1 and "moved to" in warnings[0], wire.shown()
    assert await wire.shutdown() == 0
    # The new ledger counted every request, so the cap still holds.
    with sqlite3.connect(state_dir / "ledger.sqlite3") as db:
        (settled,) = db.execute("SELECT COUNT(*) FROM calls WHERE state = 'settled'").fetchone()
    assert settled == len(model_server.requests) == 2
    assert len(list(state_dir.glob("ledger.sqlite3.corrupt-*"))) == 1
