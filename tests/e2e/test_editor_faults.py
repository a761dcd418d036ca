"""Editor-side faults against a real `fixloop serve` over its pipes (no pytest-lsp politeness).

The editor vanishes mid-loop, exits without `shutdown`, edits while a fix is
being resolved, closes a document whose loop runs, or opens two workspaces
with different settings. Each time the server ends what it started (processes,
shadow folders, HTTP requests) and never hands out an edit for the wrong text.
"""

from __future__ import annotations

import asyncio
import sqlite3
import sys

import pytest
from conftest import write_config
from fixloop.fakes import Hang, Text
from helpers import search_replace
from lspwire import Wire, command_line, descendants, running, until
from lspwire import private_folders as ours

pytestmark = [pytest.mark.e2e, pytest.mark.fault]

BROKEN = "import sys\n\n\ndef main():\n    print(sys.argv)\n    return pathlib.Path('.')\n"
FIXED = BROKEN.replace("import sys\n", "import sys\nimport pathlib\n")
FIX = search_replace("import sys", "import sys\nimport pathlib")
SLEEPER = "import time; time.sleep(300)"


def apply(text: str, edits: list[dict]) -> str:
    lines = text.splitlines(keepends=True)

    def offset(position: dict) -> int:
        return sum(len(line) for line in lines[: position["line"]]) + position["character"]

    for edit in sorted(edits, key=lambda e: offset(e["range"]["start"]), reverse=True):
        start, end = offset(edit["range"]["start"]), offset(edit["range"]["end"])
        text = text[:start] + edit["newText"] + text[end:]
    return text


# --- the editor goes away mid-loop ---------------------------------------------------


@pytest.mark.parametrize("how", ["stdin-closed", "client-killed"])
async def test_a_vanished_client_leaves_no_process_and_no_shadow_behind(
    tmp_path, private_tmp, model_server, serve, how
):
    gate = f'\n[verifiers]\npython = ["python", "ruff", "mypy"]\n\n[gate]\ntests = ["{sys.executable}", "-c", "{SLEEPER}"]\ntimeout = 300\n'
    write_config(
        tmp_path, model_server.openai_base_url, attempts=4, parallel=2, seconds=120, extra=gate
    )
    model_server.script(Text(FIX))  # passes the cheap gate, then the tests hang
    model_server.default = Hang()  # the other attempt waits on the model
    wire = await serve(tmp_path)
    await wire.initialize([tmp_path], {"trusted": True})
    wire.open(tmp_path / "app.py", BROKEN)
    pid = wire.process.pid

    def busy():  # tests running in a shadow, mypy workers up, a request hanging
        shadows = [p for p in ours(private_tmp) if p.name.startswith(f"fixloop-shadow-{pid}-")]
        tree = descendants(pid)
        sleeping = [c for c in tree if SLEEPER in command_line(c)]
        return shadows and sleeping and len(model_server.requests) >= 2 and tree

    tree = await until(busy, 90)
    assert any("mypy" in command_line(c) or "-c" in command_line(c) for c in tree)
    assert ours(private_tmp)

    transport = wire.process._transport  # the pipes themselves, as a dying editor leaves them
    transport.get_pipe_transport(0).close()
    if how == "client-killed":
        transport.get_pipe_transport(1).close()
    await asyncio.wait_for(wire.process.wait(), 30)

    assert running(tree) == set(), {c: command_line(c) for c in running(tree)}
    assert ours(private_tmp) == []
    await model_server.await_disconnects(1)  # the hanging request was dropped, not left open


# --- exit without shutdown ----------------------------------------------------------


async def test_exit_without_shutdown_exits_1_and_stops_its_workers(
    tmp_path, private_tmp, model_server, serve
):
    extra = '\n[verifiers]\npython = ["python", "mypy"]\n'
    write_config(tmp_path, model_server.openai_base_url, extra=extra)
    model_server.default = Hang()
    wire = await serve(tmp_path)
    await wire.initialize([tmp_path])
    uri = wire.open(tmp_path / "label.py", "def label(n: int) -> str:\n    return n\n")
    (diagnostic,) = await wire.diagnostics(uri, 1, 90)
    assert diagnostic["source"] == "mypy"
    await model_server.await_requests(1)
    tree = descendants(wire.process.pid)
    assert tree  # mypy's workers
    wire.notify("exit")
    assert await wire.wait_exit() == 1  # LSP: exit without a shutdown request first
    assert running(tree) == set()
    assert ours(private_tmp) == []


async def test_shutdown_then_exit_exits_0(tmp_path, private_tmp, model_server, serve):
    write_config(tmp_path, model_server.openai_base_url)
    wire = await serve(tmp_path)
    await wire.initialize([tmp_path])
    assert await wire.shutdown() == 0


# --- edits racing a fix ----------------------------------------------------------------


async def test_an_edit_racing_the_resolve_never_gets_a_stale_edit(
    tmp_path, private_tmp, model_server, serve
):
    write_config(tmp_path, model_server.openai_base_url)
    model_server.default = Text(FIX)
    wire = await serve(tmp_path)
    await wire.initialize([tmp_path])
    # Edits go to the end, far below the loop's window: the fix survives them.
    text = BROKEN + "".join(f"\n\ndef f{i}():\n    return {i}\n" for i in range(5))
    fixed = text.replace("import sys\n", "import sys\nimport pathlib\n")
    uri = wire.open(tmp_path / "app.py", text)
    (target,) = [d for d in await wire.diagnostics(uri, 1) if d["code"] == "F821"]
    await wire.status(lambda s: s["fixes"] >= 1)

    async def offered() -> dict:
        actions = await wire.request(
            "textDocument/codeAction",
            {
                "textDocument": {"uri": uri},
                "range": target["range"],
                "context": {"diagnostics": [target], "only": ["quickfix"]},
            },
        )
        (action,) = actions
        assert action["title"] == "fixloop: import pathlib" and "edit" not in action
        return action

    # Resolve first, edit right after (pipelined): the edit is pinned to the version it fits.
    action = await offered()
    resolved = wire.send_request("codeAction/resolve", action)
    edited = text + "\n\nVERSION = 2\n"
    wire.change(uri, 2, edited)
    (change,) = (await asyncio.wait_for(resolved, 30))["edit"]["documentChanges"]
    assert change["textDocument"] == {"uri": uri, "version": 1}
    assert apply(text, change["edits"]) == fixed

    # Edit first, resolve right after (the action was offered for version 2's predecessor).
    await wire.diagnostics(uri, 2)
    target = next(d for d in await wire.diagnostics(uri, 2) if d["code"] == "F821")
    action = await offered()
    wire.change(uri, 3, edited + "VERSION = 3\n")
    resolved = await wire.request("codeAction/resolve", action)
    assert (
        "edit" not in resolved or resolved["edit"] is None
    )  # nothing for a text it was not made for
    await until(lambda: any("document changed" in m for m in wire.shown()), 10)

    # Once version 3 is checked, the same fix (its window untouched) is offered again, rebased.
    target = next(d for d in await wire.diagnostics(uri, 3) if d["code"] == "F821")
    action = await offered()
    (change,) = (await wire.request("codeAction/resolve", action))["edit"]["documentChanges"]
    assert change["textDocument"]["version"] == 3
    assert (
        apply(edited + "VERSION = 3\n", change["edits"]) == fixed + "\n\nVERSION = 2\nVERSION = 3\n"
    )
    assert len(model_server.requests) == 1  # rebased, not fixed again


# --- a document closed while its loop runs --------------------------------------------


async def test_closing_a_document_cancels_its_loop_and_drops_its_request(
    tmp_path, private_tmp, model_server, serve
):
    write_config(tmp_path, model_server.openai_base_url, attempts=4, parallel=2)
    model_server.default = Hang()
    wire = await serve(tmp_path)
    await wire.initialize([tmp_path])
    uri = wire.open(tmp_path / "app.py", BROKEN)
    await wire.diagnostics(uri, 1)
    await model_server.await_requests(2)
    await wire.status(lambda s: s["running"] == 1)

    wire.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    assert await model_server.await_disconnects(2) == 2  # both attempts' requests dropped
    await wire.status(lambda s: s["running"] == 0 and s["queued"] == 0)
    cleared = await wire.wait_for(
        lambda m, p: (
            m == "textDocument/publishDiagnostics" and p["uri"] == uri and not p["diagnostics"]
        )
    )
    assert cleared["diagnostics"] == []
    # The server goes on: another document gets its fix.
    model_server.default = Text(FIX)
    other = wire.open(tmp_path / "other.py", BROKEN)
    await wire.diagnostics(other, 1)
    await wire.status(lambda s: s["fixes"] >= 1)
    later = model_server.requests[2:]
    assert later and all("File: other.py" in r.prompt_text for r in later)  # none for app.py
    assert await wire.shutdown() == 0


# --- two workspaces at once ------------------------------------------------------------


async def test_two_workspaces_keep_their_own_settings_and_spend(
    tmp_path, private_tmp, model_server, serve, state_dir
):
    a, b = tmp_path / "a", tmp_path / "b"
    for folder, model, budget in ((a, "model-a", 0.0), (b, "model-b", 1.5)):
        folder.mkdir()
        config = write_config(folder, model_server.openai_base_url, attempts=2)
        config.write_text(
            config.read_text()
            .replace("scripted-fast", model)
            .replace("[budget]", f"[budget]\nusd_per_day = {budget}")
        )
    model_server.default = Text(FIX)
    wire = await serve(tmp_path)
    await wire.initialize([a, b])
    uri_a = wire.open(a / "app.py", BROKEN)
    uri_b = wire.open(b / "app.py", BROKEN)
    await wire.diagnostics(uri_a, 1)
    await wire.diagnostics(uri_b, 1)
    status = await wire.status(lambda s: s["fixes"] == 1 and s["running"] == 0 and s["queued"] == 0)
    assert status["usd_budget"] == pytest.approx(1.5)  # both workspaces' caps: 0 + 1.5

    # Only b's model was asked; a's loop was refused by a's own budget of $0.
    assert {r.body["model"] for r in model_server.requests} == {"model-b"}
    (warning,) = [m for m in wire.shown() if "budget" in m]
    assert "$0.00" in warning
    with sqlite3.connect(state_dir / "ledger.sqlite3") as db:
        rows = db.execute("SELECT workspace, model, state FROM calls").fetchall()
    assert rows and {(w, m) for w, m, _ in rows} == {(str(b), "model-b")}

    stats = await wire.request(
        "workspace/executeCommand", {"command": "fixloop.stats", "arguments": []}
    )
    spent = {w["workspace"]: w["usd_today"] for w in stats["workspaces"]}
    assert spent[str(a)] == 0 and spent[str(b)] > 0
    assert await wire.shutdown() == 0


# --- a crash leaves shadows behind: the next start sweeps them ----------------------


async def test_the_next_start_sweeps_what_a_killed_server_left(
    tmp_path, private_tmp, model_server, serve
):
    extra = '\n[verifiers]\npython = ["python", "mypy"]\n'
    write_config(tmp_path, model_server.openai_base_url, extra=extra)
    model_server.default = Hang()
    text = "def label(n: int) -> str:\n    return n\n"

    async def checked() -> Wire:
        wire = await serve(tmp_path)
        await wire.initialize([tmp_path])
        uri = wire.open(tmp_path / "label.py", text)
        await wire.diagnostics(uri, 1, 90)  # mypy has run: its private folder exists
        return wire

    living, killed = await checked(), await checked()
    mine = {
        w: [p for p in ours(private_tmp) if f"-{w.process.pid}-" in p.name]
        for w in (living, killed)
    }
    assert mine[living] and mine[killed]
    for folder in mine[killed]:
        assert oct(folder.stat().st_mode & 0o777) == "0o700"
    workers = descendants(killed.process.pid)
    killed.process.kill()  # no cleanup at all: a crash
    await killed.wait_exit()
    # Its workers notice their pipe has gone and end by themselves.
    await until(lambda: not running(workers), 30)
    assert all(folder.exists() for folder in mine[killed])

    fresh = await serve(tmp_path)
    await fresh.initialize([tmp_path])  # the sweep ran before it answered
    assert not any(folder.exists() for folder in mine[killed])
    assert all(folder.exists() for folder in mine[living])  # a running fixloop's are spared
    assert await fresh.shutdown() == 0
    assert await living.shutdown() == 0
    assert ours(private_tmp) == []
