"""The record of tool process groups: what a later fixloop kills, and what it never touches."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import anyio
import pytest
from fixloop.processes import reaper
from fixloop.processes.longlived import ToolProcess
from fixloop.processes.private import sweep
from fixloop.processes.run import run_tool

pytestmark = [
    pytest.mark.fault,
    pytest.mark.skipif(not os.path.exists("/proc/self/stat"), reason="Linux /proc"),
]

SLEEP = [sys.executable, "-c", "import sys; sys.stdin.read()"]  # runs until its stdin closes


@pytest.fixture
def children():
    """Processes a test starts (stdin a pipe: closing it ends them); all ended afterwards."""
    started: list[subprocess.Popen] = []

    def start(**options) -> subprocess.Popen:
        child = subprocess.Popen(SLEEP, stdin=subprocess.PIPE, **options)
        started.append(child)
        return child

    yield start
    for child in started:
        child.kill()
        child.wait()


# A tool that starts a helper in its own group and says the helper's pid.
HELPER = (
    f"import subprocess; print(subprocess.Popen({SLEEP!r}, stdin=subprocess.PIPE).pid, "
    "flush=True); input()"
)


def dead_pid() -> int:
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(done.stdout)


def dead_fixloops_folder(tmp_path, records: list[str]):
    folder = tmp_path / f"fixloop-procs-{dead_pid()}-x1"
    folder.mkdir(mode=0o700)
    for name in records:
        (folder / name).touch()
    return folder


def ended(child: subprocess.Popen, seconds: float = 10) -> bool:
    try:
        child.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        return False
    return child.returncode == -signal.SIGKILL


def gone(pid: int, seconds: float = 10) -> bool:
    """Whether `pid` has ended (or is a zombie) within `seconds`."""
    deadline = time.monotonic() + seconds
    while reaper.start_time(pid) is not None and _state(pid) != "Z":
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def test_a_record_names_the_group_and_its_start_and_goes_when_forgotten(children):
    child = children(start_new_session=True)
    ticket = reaper.record(child.pid)
    assert ticket is not None
    folder, name = ticket
    assert name == f"{child.pid}-{reaper.start_time(child.pid)}"
    assert name in os.listdir(folder)
    reaper.forget(ticket)
    assert name not in os.listdir(folder)
    reaper.forget(ticket)  # twice is harmless
    reaper.forget(None)


def test_the_sweep_kills_a_dead_fixloops_groups_and_removes_its_folder(tmp_path, children):
    leader = subprocess.Popen(  # a tool that started a helper of its own: the same group
        [sys.executable, "-c", HELPER],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        follower = int(leader.stdout.readline())
        folder = dead_fixloops_folder(tmp_path, [f"{leader.pid}-{reaper.start_time(leader.pid)}"])
        assert sweep(tmp_path) == [folder]
        assert ended(leader)
        assert gone(follower)
        assert not folder.exists()
    finally:
        leader.kill()
        leader.wait()
        leader.stdout.close()


def test_a_reused_pid_is_never_killed(tmp_path, children):
    # Same pid, other start time: the recorded process is gone, this one is someone else's.
    stranger = children(start_new_session=True)
    started = reaper.start_time(stranger.pid)
    folder = dead_fixloops_folder(
        tmp_path, [f"{stranger.pid}-{started - 1}", f"{stranger.pid}-{started + 7}"]
    )
    assert sweep(tmp_path) == [folder]
    assert reaper.reap(folder) == []
    assert stranger.poll() is None


def test_a_process_that_leads_no_group_is_never_killed(tmp_path, children):
    # Right pid and start, but it shares pytest's group: killing "its" group would kill us.
    member = children()
    folder = dead_fixloops_folder(tmp_path, [f"{member.pid}-{reaper.start_time(member.pid)}"])
    assert reaper.reap(folder) == []
    assert member.poll() is None


def test_garbage_and_symlinks_in_the_folder_are_ignored(tmp_path, children):
    victim = children(start_new_session=True)
    name = f"{victim.pid}-{reaper.start_time(victim.pid)}"
    folder = dead_fixloops_folder(
        tmp_path, ["junk", "12-", "-3", "1-0", f"{os.getpid()}-1", "9" * 30 + "-1"]
    )
    (tmp_path / "elsewhere").touch()
    os.symlink(tmp_path / "elsewhere", folder / name)  # a symlink never counts as a record
    (folder / "77-88").mkdir()  # nor does a folder
    (folder / "77-88" / name).touch()
    assert reaper.reap(folder) == []
    assert sweep(tmp_path) == [folder]
    assert victim.poll() is None and (tmp_path / "elsewhere").exists()
    # A symlink in place of the whole folder is not followed either.
    real = tmp_path / "real"
    real.mkdir()
    (real / name).touch()
    os.symlink(real, tmp_path / f"fixloop-procs-{dead_pid()}-x2")
    sweep(tmp_path)
    assert victim.poll() is None and (real / name).exists()


def test_a_record_older_than_the_boot_is_ignored(tmp_path, children):
    victim = children(start_new_session=True)
    name = f"{victim.pid}-{reaper.start_time(victim.pid)}"
    folder = dead_fixloops_folder(tmp_path, [name])
    os.utime(folder / name, (1, 1))  # written in 1970: before this boot
    assert reaper.reap(folder) == []
    assert victim.poll() is None


def test_a_living_fixloops_groups_are_spared(tmp_path, children):
    victim = children(start_new_session=True)
    folder = tmp_path / f"fixloop-procs-{os.getpid()}-x"
    folder.mkdir()
    (folder / f"{victim.pid}-{reaper.start_time(victim.pid)}").touch()
    assert sweep(tmp_path) == []
    assert victim.poll() is None and folder.exists()


def own_records() -> list[str]:
    held = reaper._folder
    return sorted(os.listdir(held[1])) if held is not None and held[0] == os.getpid() else []


async def test_a_tool_run_is_recorded_while_it_runs_and_not_after():
    before = own_records()
    seen: list[list[str]] = []

    async def watch(scope: anyio.CancelScope) -> None:
        with anyio.fail_after(30):
            while len(own_records()) <= len(before):
                await anyio.sleep(0.01)
        seen.append(own_records())
        scope.cancel()

    async with anyio.create_task_group() as tg:
        tg.start_soon(watch, tg.cancel_scope)
        await run_tool([sys.executable, "-c", "import time; time.sleep(300)"], timeout=60)
    assert len(seen) == 1 and len(seen[0]) == len(before) + 1
    assert own_records() == before  # cancelled: group killed, record dropped


async def test_a_long_lived_tool_is_recorded_until_closed(tmp_path):
    before = own_records()
    tool = await ToolProcess.start(
        SLEEP, cwd=tmp_path, stderr_path=tmp_path / "err", name="sleeper"
    )
    pid = tool.process.pid
    assert f"{pid}-{reaper.start_time(pid)}" in own_records()
    await tool.aclose()
    assert own_records() == before


def test_a_fixloop_that_exits_normally_ends_its_tools_and_leaves_no_folder(tmp_path):
    # A process that records a running group, then exits without ending it.
    script = (
        "import subprocess, sys\n"
        "from fixloop.processes import reaper\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(300)'], start_new_session=True)\n"
        "reaper.record(child.pid)\n"
        "print(child.pid, flush=True)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "TMPDIR": str(tmp_path)},
        check=True,
    )
    assert gone(int(done.stdout))
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("fixloop-")]


def _state(pid: int) -> str:
    fields = reaper._stat_fields(pid)
    return fields[0].decode() if fields else ""


@pytest.mark.skipif(not os.access("/dev/shm", os.W_OK), reason="no /dev/shm")
def test_without_tmpdir_records_live_in_memory_and_a_crash_is_reaped_from_there():
    # A fixloop without TMPDIR that records a running group, then dies without any cleanup.
    script = (
        "import os, subprocess, sys\n"
        "from fixloop.processes import reaper\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(300)'],"
        " start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
        "folder, name = reaper.record(child.pid)\n"
        "print(child.pid, os.readlink(f'/proc/self/fd/{folder}'), flush=True)\n"
        "os._exit(0)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "TMPDIR"}
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=True,
    )
    pid, folder = done.stdout.split()
    try:
        assert folder.startswith("/dev/shm/fixloop-procs-")
        assert not gone(int(pid), 0)  # nobody ended it
        assert Path(folder) in sweep()  # what every fixloop start does
        assert gone(int(pid)) and not Path(folder).exists()
    finally:
        if not gone(int(pid), 0):
            os.kill(int(pid), signal.SIGKILL)
