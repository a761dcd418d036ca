"""Shared fixtures: the scripted model server and a workspace pointed at it."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixloop.config import CONFIG_DIR_ENV
from fakes.model_server import ScriptedModelServer
from helpers import write_user_routes

pytest_plugins = ["lspwire"]  # serve, wires, private_tmp: `fixloop serve` over bare pipes


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

