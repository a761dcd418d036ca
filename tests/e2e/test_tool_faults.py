"""Tool-side faults through `fixloop serve`: a verifier that is missing, crashes, hangs,
floods, or chokes on the project's config.

Each time the user gets one message naming the tool (and the file, for a
config), the other verifiers' diagnostics still arrive, no loop spends money
on candidates no gate can judge, and the server stays up.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from conftest import write_config
from fixloop.fakes import Text
from fixloop.processes.private import alive
from helpers import search_replace
from lspwire import Wire, until

pytestmark = [pytest.mark.e2e, pytest.mark.fault]

SYNTAX = "def broken(:\n    return 1\n"
SYNTAX_FIX = search_replace("def broken(:", "def broken():")
BROKEN = "import sys\n\n\ndef main():\n    print(sys.argv)\n    return pathlib.Path('.')\n"
FIX = search_replace("import sys", "import sys\nimport pathlib")


def fake_venv(root: Path, ruff_script: str) -> Path:
    """A workspace venv whose ruff is the given script (used only in a trusted workspace)."""
    bin_dir = root / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "python").symlink_to(sys.executable)
    ruff = bin_dir / "ruff"
    ruff.write_text(ruff_script)
    ruff.chmod(0o755)
    return ruff


async def one_message(wire: Wire, *words: str) -> str:
    """The one message that names all of `words` (waiting for it), and that it is the only one."""
    await until(lambda: any(all(w in m for w in words) for m in wire.shown()), 60)
    found = [m for m in wire.shown() if all(w in m for w in words)]
    assert len(found) == 1, wire.shown()
    return found[0]


async def still_serving(wire: Wire, uri: str, text: str, version: int = 2) -> list[dict]:
    """An edit still gets its diagnostics, and the server ends cleanly."""
    wire.change(uri, version, text)
    return await wire.diagnostics(uri, version, 60)


@pytest.mark.parametrize(
    "fault,script,words",
    [
        (
            "missing",
            "#!/nonexistent/bin/python3\n",
            ["ruff cannot be started", "/nonexistent/bin/python3"],
        ),
        (
            "crash",
            "#!/bin/sh\necho 'thread main panicked at crates/ruff/src/main.rs' >&2\nexit 101\n",
            ["ruff failed (exit 101)", "panicked"],
        ),
        (
            "hang",
            '#!/bin/sh\nsleep 300 &\necho $! >> "$0.pids"\nwait\n',
            ["ruff timed out after 1 s and was killed"],
        ),
        (
            "flood",
            "#!/bin/sh\nexec head -c 40000000 /dev/zero\n",
            ["ruff wrote more than 16777216 bytes and was killed"],
        ),
    ],
    ids=["missing", "crash", "hang", "flood"],
)
async def test_a_broken_verifier_is_reported_once_and_the_others_go_on(
    tmp_path, model_server, serve, fault, script, words
):
    write_config(
        tmp_path,
        model_server.openai_base_url,
        extra='\n[verifiers]\npython = ["python", "ruff"]\ntimeout = 1\n',
    )
    ruff = fake_venv(tmp_path, script)
    model_server.default = Text(SYNTAX_FIX)
    wire = await serve(tmp_path)
    await wire.initialize([tmp_path], {"trusted": True})  # so the workspace's ruff is used
    uri = wire.open(tmp_path / "app.py", SYNTAX)

    diagnostics = await wire.diagnostics(uri, 1, 60)
    assert [d["source"] for d in diagnostics] == ["python"]  # the compiler's still arrive
    message = await one_message(wire, *words)
    assert "no fix is offered while it cannot check the file" in message
    await until(lambda: any("not started" in m for m in wire.logs()), 30)
    assert model_server.requests == []  # no money on candidates no gate could judge
    if fault == "hang":
        pids = [int(line) for line in Path(f"{ruff}.pids").read_text().split()]
        await until(lambda: not any(alive(pid) for pid in pids), 5)  # killed with its group

    diagnostics = await still_serving(wire, uri, SYNTAX + "\nx = 1\n")
    assert [d["source"] for d in diagnostics] == ["python"]
    await one_message(wire, *words)  # said once, not at every check
    assert await wire.shutdown() == 0


async def test_a_bad_ruff_config_names_the_file_and_fixes_resume_once_it_is_mended(
    tmp_path, model_server, serve
):
    write_config(tmp_path, model_server.openai_base_url)
    config = tmp_path / "ruff.toml"
    config.write_text('[lint]\nselect = ["E", "F"]\nbogus = 1\n')
    model_server.default = Text(SYNTAX_FIX)
    wire = await serve(tmp_path)
    await wire.initialize([tmp_path])
    uri = wire.open(tmp_path / "app.py", SYNTAX)

    assert [d["source"] for d in await wire.diagnostics(uri, 1)] == ["python"]
    await one_message(wire, "ruff failed", str(config), "line 3", "unknown field `bogus`")
    await until(lambda: any("not started" in m for m in wire.logs()), 30)
    assert model_server.requests == []

    config.write_text('[lint]\nselect = ["E", "F"]\n')  # the user mends it and saves the buffer
    wire.notify("textDocument/didSave", {"textDocument": {"uri": uri}})
    await wire.status(lambda s: s["fixes"] == 1)  # the stopped loop started again by itself
    assert len(model_server.requests) == 1
    assert await wire.shutdown() == 0


MYPY = '\n[verifiers]\npython = ["python", "ruff", "mypy"]\n'
LABEL = "def label(count: int) -> str:\n    return count * 2\n"
LABEL_FIX = search_replace("    return count * 2", "    return str(count * 2)")


async def test_a_mypy_config_it_ignores_is_said_once_and_mypy_goes_on(
    tmp_path, model_server, serve
):
    write_config(tmp_path, model_server.openai_base_url, extra=MYPY)
    (tmp_path / "mypy.ini").write_text("[mypy]\nbogus_key = 1\nwarn_unused_ignores = maybe\n")
    model_server.default = Text(LABEL_FIX)
    wire = await serve(tmp_path)
    await wire.initialize([tmp_path])
    uri = wire.open(tmp_path / "label.py", LABEL)

    (diagnostic,) = await wire.diagnostics(uri, 1, 90)
    assert (diagnostic["source"], diagnostic["code"]) == ("mypy", "return-value")
    where = str(tmp_path / "mypy.ini")
    # Untrusted, mypy reads fixloop's copy of the options that cannot run code: the others
    # (an unknown one too) are named once, with the workspace's file.
    await one_message(wire, "mypy", where, "bogus_key")
    await one_message(wire, "mypy", where, "warn_unused_ignores: Not a boolean: maybe")
    await wire.status(lambda s: s["fixes"] == 1, 90)  # mypy ran, so its gate works
    await still_serving(wire, uri, LABEL + "\n")
    await one_message(wire, "bogus_key")
    assert await wire.shutdown() == 0


async def test_a_mypy_config_it_cannot_run_with_is_an_error_naming_the_file(
    tmp_path, model_server, serve
):
    write_config(tmp_path, model_server.openai_base_url, extra=MYPY)
    (tmp_path / "mypy.ini").write_text("[mypy]\nplugins = nonexistent_plugin\n")
    model_server.default = Text(FIX)
    wire = await serve(tmp_path)
    await wire.initialize([tmp_path], {"trusted": True})
    uri = wire.open(tmp_path / "app.py", BROKEN)

    diagnostics = await wire.diagnostics(uri, 1, 90)
    assert [(d["source"], d["code"]) for d in diagnostics] == [("ruff", "F821")]
    await one_message(wire, "mypy", "mypy.ini", 'Error importing plugin "nonexistent_plugin"')
    await until(lambda: any("not started" in m for m in wire.logs()), 30)
    assert model_server.requests == []
    assert await wire.shutdown() == 0


async def test_verifier_timeouts_come_from_the_settings(tmp_path, model_server, serve):
    # The same hanging tool, killed at 1 s here: proof that `verifiers.timeout` is the limit.
    write_config(tmp_path, model_server.openai_base_url, extra="\n[verifiers]\ntimeout = 1.5\n")
    fake_venv(tmp_path, "#!/bin/sh\nexec sleep 300\n")
    wire = await serve(tmp_path)
    await wire.initialize([tmp_path], {"trusted": True})
    wire.open(tmp_path / "app.py", SYNTAX)
    await one_message(wire, "ruff timed out after 1.5 s")
    assert os.path.exists(tmp_path / ".venv" / "bin" / "ruff")
    assert await wire.shutdown() == 0
