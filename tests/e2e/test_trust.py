"""Trust through `fixloop serve`: what a workspace may make fixloop run.

Commands and programs a workspace brings (the `[gate] tests` command, the
tools and interpreter in its virtual environment, mypy plugins its config
names) run only when the editor says the workspace is trusted
(`initializationOptions.trusted = true`). Each program here would leave a
marker file if it ran; an untrusted session must leave none, and say once why.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from conftest import write_config
from fixloop.fakes import Text
from helpers import search_replace
from lspwire import Wire, until

pytestmark = [pytest.mark.e2e, pytest.mark.trust]

BROKEN = "import sys\n\n\ndef main():\n    print(sys.argv)\n    return pathlib.Path('.')\n"
OTHER = "import os\n\n\ndef other():\n    print(os.sep)\n    return collections.OrderedDict()\n"
FIX = search_replace("import sys", "import sys\nimport pathlib")
OTHER_FIX = search_replace("import os", "import os\nimport collections")
UNTRUSTED = [None, {}, {"trusted": False}, {"trusted": "yes"}]


def answer(request) -> Text:
    return Text(OTHER_FIX if "File: other.py" in request.prompt_text else FIX)


def leave_marker(marker: Path) -> str:
    return f"open({str(marker)!r}, 'a').write('ran\\n')"


async def session(serve, root: Path, options) -> Wire:
    wire = await serve(root)
    await wire.initialize([root], options)
    return wire


@pytest.mark.parametrize("options", UNTRUSTED, ids=["no-options", "no-key", "false", "not-a-bool"])
async def test_an_untrusted_session_never_runs_the_test_command(
    tmp_path, model_server, serve, options
):
    marker = tmp_path.parent / f"{tmp_path.name}-gate-ran"
    gate = f'\n[gate]\ntests = [{sys.executable!r}, "-c", {leave_marker(marker)!r}]\n'
    write_config(tmp_path, model_server.openai_base_url, extra=gate)
    model_server.responder = answer
    wire = await session(serve, tmp_path, options)
    for name, text in (("app.py", BROKEN), ("other.py", OTHER)):
        wire.open(tmp_path / name, text)
    await wire.status(lambda s: s["fixes"] == 2)  # the cheap gate still verifies them

    assert not marker.exists()
    untrusted = [m for m in wire.shown() if "not trusted" in m]
    assert len(untrusted) == 1 and "gate.tests" in untrusted[0], wire.shown()
    if options == {"trusted": "yes"}:
        assert any("`trusted` must be true or false" in m for m in wire.shown())
    assert await wire.shutdown() == 0


async def test_a_trusted_session_runs_it(tmp_path, model_server, serve):
    # The same setup as above, trusted: proof that the marker would have shown a run.
    marker = tmp_path.parent / f"{tmp_path.name}-gate-ran"
    gate = f'\n[gate]\ntests = [{sys.executable!r}, "-c", {leave_marker(marker)!r}]\n'
    write_config(tmp_path, model_server.openai_base_url, extra=gate)
    model_server.responder = answer
    wire = await session(serve, tmp_path, {"trusted": True})
    wire.open(tmp_path / "app.py", BROKEN)
    await wire.status(lambda s: s["fixes"] == 1, 60)
    assert marker.exists()
    assert not [m for m in wire.shown() if "not trusted" in m]
    assert await wire.shutdown() == 0


def workspace_venv(root: Path, marker: Path) -> None:
    """A venv whose ruff leaves a marker and then runs the real ruff."""
    from fixloop.verifiers.ruff import ruff_binary

    bin_dir = root / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "python").symlink_to(sys.executable)
    ruff = bin_dir / "ruff"
    ruff.write_text(f"#!/bin/sh\necho ran >> '{marker}'\nexec '{ruff_binary()}' \"$@\"\n")
    ruff.chmod(0o755)


@pytest.mark.parametrize("trusted", [False, True], ids=["untrusted", "trusted"])
async def test_the_workspace_venv_tools_run_only_when_trusted(
    tmp_path, model_server, serve, trusted
):
    marker = tmp_path.parent / f"{tmp_path.name}-venv-ruff-ran"
    write_config(tmp_path, model_server.openai_base_url)
    workspace_venv(tmp_path, marker)
    model_server.default = Text(FIX)
    wire = await session(serve, tmp_path, {"trusted": trusted})
    uri = wire.open(tmp_path / "app.py", BROKEN)
    diagnostics = await wire.diagnostics(uri, 1)
    assert [(d["source"], d["code"]) for d in diagnostics] == [("ruff", "F821")]  # ruff ran
    await wire.status(lambda s: s["fixes"] == 1)
    assert marker.exists() is trusted
    assert await wire.shutdown() == 0


PLUGIN = """\
open({marker!r}, "a").write("imported\\n")

from mypy.plugin import Plugin


def plugin(version):
    return Plugin
"""


@pytest.mark.parametrize("trusted", [False, True], ids=["untrusted", "trusted"])
async def test_mypy_plugins_of_the_workspace_load_only_when_trusted(
    tmp_path, model_server, serve, trusted
):
    marker = tmp_path.parent / f"{tmp_path.name}-plugin-ran"
    extra = '\n[verifiers]\npython = ["python", "ruff", "mypy"]\n'
    write_config(tmp_path, model_server.openai_base_url, extra=extra)
    (tmp_path / "evil_plugin.py").write_text(PLUGIN.format(marker=str(marker)))
    (tmp_path / "mypy.ini").write_text("[mypy]\nplugins = evil_plugin.py\n")
    model_server.default = Text(FIX)
    wire = await session(serve, tmp_path, {"trusted": trusted})
    uri = wire.open(tmp_path / "app.py", BROKEN)
    diagnostics = await wire.diagnostics(uri, 1, 90)
    assert ("ruff", "F821") in [(d["source"], d["code"]) for d in diagnostics]
    if trusted:
        await wire.status(lambda s: s["fixes"] == 1, 90)
        assert marker.exists()
    else:
        await until(lambda: [m for m in wire.shown() if "names mypy plugins" in m], 60)
        (refusal,) = [m for m in wire.shown() if "names mypy plugins" in m]
        assert str(tmp_path / "mypy.ini") in refusal and "trust" in refusal
        assert not marker.exists()
    assert await wire.shutdown() == 0


@pytest.mark.parametrize("trusted", [False, True], ids=["untrusted", "trusted"])
def test_the_cli_runs_the_workspace_venv_tools_only_with_trust(tmp_path, trusted):
    import subprocess

    marker = tmp_path.parent / f"{tmp_path.name}-cli-venv-ruff-ran"
    workspace_venv(tmp_path, marker)
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'w'\n")
    (tmp_path / "app.py").write_text(BROKEN)
    argv = [sys.executable, "-m", "fixloop", "check", "app.py"] + (["--trust"] if trusted else [])
    run = subprocess.run(
        argv, cwd=tmp_path, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL
    )
    assert "F821" in run.stdout, run.stderr  # ruff ran either way: fixloop's own, or the venv's
    assert marker.exists() is trusted
