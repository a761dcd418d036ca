"""A killed fixloop leaves its tool processes running; the next fixloop ends them.

`fixloop serve` runs the workspace's `[gate] tests` command (here a command
that starts a grandchild and sleeps, like a long pytest run) in a process group
of its own. SIGKILLed, the server cannot kill it, and the command runs on. The
next `fixloop check` finds the dead server's record of that group and kills
the whole group; the groups of a server still running are spared.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import write_config
from fixloop.fakes import Text
from helpers import search_replace
from lspwire import Wire, running, until
from lspwire import private_folders as ours

pytestmark = [pytest.mark.e2e, pytest.mark.fault]

BROKEN = "import sys\n\n\ndef main():\n    print(sys.argv)\n    return pathlib.Path('.')\n"
FIX = search_replace("import sys", "import sys\nimport pathlib")


def long_tests(markers: Path) -> str:
    """A test command that starts a grandchild, says who it is, and runs for five minutes."""
    script = (
        "import os, subprocess, sys, time\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(300)'])\n"
        f"path = os.path.join({str(markers)!r}, str(os.getppid()))\n"
        "open(path + '.tmp', 'w').write(f'{os.getpid()} {child.pid}')\n"
        "os.rename(path + '.tmp', path)\n"
        "time.sleep(300)\n"
    )
    return f'\n[gate]\ntests = [{sys.executable!r}, "-c", {script!r}]\n'


@pytest.fixture
def markers(tmp_path):
    """Where the test commands say who they are; any still running at the end are killed."""
    folder = tmp_path / "markers"
    folder.mkdir()
    yield folder
    for path in folder.iterdir():
        for pid in path.read_text().split() if path.suffix != ".tmp" else ():
            if running({int(pid)}):
                os.kill(int(pid), signal.SIGKILL)


def tools_of(markers: Path, server: int) -> set[int]:
    """The test command's process and its grandchild, once the server has started them."""
    path = markers / str(server)
    return {int(pid) for pid in path.read_text().split()} if path.exists() else set()


async def test_the_next_fixloop_kills_the_test_run_a_killed_server_left(
    tmp_path, private_tmp, model_server, serve, markers
):
    root = tmp_path / "ws"
    root.mkdir()
    (root / "app.py").write_text(BROKEN)
    write_config(root, model_server.openai_base_url, seconds=600, extra=long_tests(markers))
    model_server.default = Text(FIX)

    async def testing() -> tuple[Wire, set[int]]:
        wire = await serve(root)
        await wire.initialize([root], {"trusted": True})
        wire.open(root / "app.py", BROKEN)
        tools = await until(lambda: tools_of(markers, wire.process.pid), 60)
        return wire, tools

    (living, spared), (killed, orphans) = await testing(), await testing()
    assert len(orphans) == 2 and running(orphans) == orphans
    killed.process.kill()  # SIGKILL: no cleanup at all
    await killed.wait_exit()
    assert running(orphans) == orphans  # nobody ends them: they would run for minutes

    check = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "fixloop", "check", "app.py"],
        check=False,
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "TMPDIR": str(private_tmp)},
    )
    assert check.returncode == 1, check.stderr  # it reports app.py's error as usual
    await until(lambda: not running(orphans), 10)  # killed by the sweep, the grandchild too
    assert running(spared) == spared  # a running fixloop's tools are never touched
    assert not [p for p in ours(private_tmp) if f"-{killed.process.pid}-" in p.name]

    assert await living.shutdown() == 0  # ends its own tools, and leaves no folder behind
    await until(lambda: not running(spared), 30)
    assert ours(private_tmp) == []
