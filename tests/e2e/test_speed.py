"""End to end through pytest-lsp: staleness, tier 0, the memory, other servers' diagnostics,
the queue and progress, against `fixloop serve`, real ruff (and pyright), a scripted model."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import pytest_lsp
from fixloop.fakes import Hang, Text
from helpers import write_user_routes
from helpers import HeldReply, search_replace
from lsprotocol import types as T
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from lspclient import Client, start

pytestmark = pytest.mark.e2e

# The typo is far below the header: an edit between them moves the window, an edit in it
# changes the window.
REBASE = (
    "import pathlib\n\nHOME = pathlib.Path.home()\n\n\ndef first():\n    return 1\n\n\n"
    'def second():\n    return 2\n\n\ndef main():\n    print("start")\n    return pathlb.Path(".")\n'
)
TYPO_FIX = search_replace('    return pathlb.Path(".")', '    return pathlib.Path(".")')
UNUSED = "import os\nimport sys\n\nprint(sys.argv)\n"
UNDEFINED = 'import sys\n\n\ndef main():\n    print(sys.argv)\n    return pathlib.Path(".")\n'
IMPORT_FIX = search_replace("import sys", "import sys\nimport pathlib")
NAMES = ("alpha", "beta", "gamma")
THREE = "import sys\n" + "".join(
    f"\n\ndef f_{name}():\n    print(sys.argv)\n\n\n\n    return {name}\n" for name in NAMES
)


def configure(
    root: Path,
    server,
    *,
    loops: int = 4,
    attempts: int = 2,
    verifiers: tuple[str, ...] = ("python", "ruff"),
    publish: bool = True,
) -> None:
    write_user_routes({"fast": {"protocol": "openai", "base_url": server.openai_base_url}})
    (root / ".fixloop.toml").write_text(
        f"""\
[models.fast]
model = "scripted-fast"

[budget]
attempts = {attempts}
parallel = 1
loops = {loops}
seconds = 60

[verifiers]
python = {list(verifiers)!r}

[editor]
debounce = 0.05
publish_diagnostics = {str(publish).lower()}
"""
    )


def capabilities(name: str) -> T.ClientCapabilities:
    if name == "no-progress":
        caps = client_capabilities("visual-studio-code")
        caps.window.work_done_progress = False
        return caps
    return client_capabilities(name)


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=[sys.executable, "-m", "fixloop", "serve"]),
    params=["visual-studio-code"],
)
async def lsp(lsp_client: LanguageClient, request, tmp_path, model_server):
    client = await start(lsp_client, model_server, tmp_path, capabilities(request.param))
    yield
    await client.close()


@pytest.fixture
def client(lsp) -> Client:
    return lsp.fixloop


async def only(client: Client, uri: str, version: int, code: str) -> T.Diagnostic:
    (diagnostic,) = [d for d in await client.wait_diagnostics(uri, version) if d.code == code]
    return diagnostic


async def test_an_edit_outside_the_window_keeps_the_loop_and_its_fix_lands_on_the_moved_lines(
    client: Client,
):
    configure(client.root, client.model)
    held = HeldReply(Text(TYPO_FIX))
    client.model.responder = held
    uri = await client.open("rebase.py", REBASE)
    assert (await only(client, uri, 1, "F821")).range.start.line == 15
    await client.model.await_requests(1)

    moved = REBASE.replace("    return 1\n", "    one = 1\n    return one\n")  # above the window
    client.change(uri, 2, moved)
    target = await only(client, uri, 2, "F821")
    assert target.range.start.line == 16
    (action,) = await client.actions(uri, target)
    assert action.disabled is not None  # the reply has not come: nothing to offer yet

    held.release.set()
    await client.wait_status(lambda s: s["fixes"] >= 1)
    fixed = await client.fix_text(uri, target, moved, 2)
    assert fixed == moved.replace("pathlb.", "pathlib.")
    assert len(client.model.requests) == 1 and client.model.disconnects == 0


async def test_an_edit_inside_the_window_drops_the_stale_loop_and_fixes_the_new_text(
    client: Client,
):
    configure(client.root, client.model)
    client.model.script(Hang(), Text(TYPO_FIX))
    uri = await client.open("stale.py", REBASE)
    await only(client, uri, 1, "F821")
    await client.model.await_requests(1)

    edited = REBASE.replace('print("start")', 'print("begin")')  # inside the window
    client.change(uri, 2, edited)
    target = await only(client, uri, 2, "F821")
    await client.model.await_disconnects(1)  # the stale request was abandoned
    await client.wait_status(lambda s: s["fixes"] >= 1)
    fixed = await client.fix_text(uri, target, edited, 2)
    assert fixed == edited.replace("pathlb.", "pathlib.")
    first, second = client.model.requests
    assert 'print("start")' in first.prompt_text and 'print("begin")' in second.prompt_text


async def test_the_tools_own_fix_is_offered_with_no_model_request(client: Client):
    configure(client.root, client.model)
    uri = await client.open("unused.py", UNUSED)
    target = await only(client, uri, 1, "F401")
    await client.wait_status(lambda s: s["fixes"] >= 1)
    assert await client.fix_text(uri, target, UNUSED, 1) == "import sys\n\nprint(sys.argv)\n"
    assert client.model.requests == []
    stats = await client.lsp.workspace_execute_command_async(
        T.ExecuteCommandParams(command="fixloop.stats")
    )
    (workspace,) = stats["workspaces"]
    tool = workspace["speed_today"]["tiers"]["tool"]
    assert tool["fixes"] == 1 and tool["attempts_per_fix"] == 1 and tool["usd_per_fix"] == 0
    assert workspace["today"]["tool"]["requests"] == 0


async def test_a_remembered_fix_is_offered_again_without_a_model_request(client: Client):
    configure(client.root, client.model)
    client.model.script(Text(TYPO_FIX))
    uri = await client.open("one.py", REBASE)
    await only(client, uri, 1, "F821")
    await client.wait_status(lambda s: s["fixes"] >= 1)

    # Fixed by hand, then undone: the fix is back at once.
    client.change(uri, 2, REBASE.replace("pathlb.", "pathlib."))
    assert not [d for d in await client.wait_diagnostics(uri, 2) if d.code == "F821"]
    await client.wait_status(lambda s: s["fixes"] == 0)
    client.change(uri, 3, REBASE)
    undone = await only(client, uri, 3, "F821")
    # The status may count the fix before the remembered one is judged: wait for that.
    await client.wait_log(r"F821 line 16 \(memory\): fixed", count=1)
    assert await client.fix_text(uri, undone, REBASE, 3) == REBASE.replace("pathlb.", "pathlib.")

    client.lsp.text_document_did_close(T.DidCloseTextDocumentParams(T.TextDocumentIdentifier(uri)))
    await client.wait_status(lambda s: s["fixes"] == 0)
    reopened = await client.open("one.py", REBASE, version=7)
    other = await client.open("two.py", REBASE)  # the same mistake in a second file
    await client.wait_log(r"F821 line 16 \(memory\): fixed", count=3)
    expected = REBASE.replace("pathlb.", "pathlib.")
    assert (
        await client.fix_text(reopened, await only(client, reopened, 7, "F821"), REBASE, 7)
        == expected
    )
    assert await client.fix_text(other, await only(client, other, 1, "F821"), REBASE, 1) == expected
    assert len(client.model.requests) == 1


async def test_a_pylance_diagnostic_is_fixed_on_demand_and_verified_by_pyright(
    client: Client,
):
    configure(client.root, client.model, verifiers=("python",))  # nothing of ours flags it
    client.model.script(Text(IMPORT_FIX))
    uri = await client.open("foreign.py", UNDEFINED)
    assert not await client.wait_diagnostics(uri, 1)
    pylance = T.Diagnostic(
        range=T.Range(T.Position(5, 11), T.Position(5, 18)),
        message='"pathlib" is not defined',
        severity=T.DiagnosticSeverity.Error,
        code="reportUndefinedVariable",
        source="Pylance",
    )
    (action,) = await client.actions(uri, pylance)
    assert action.disabled is not None and "checking with pyright" in action.title
    await client.wait_status(lambda s: s["fixes"] >= 1, timeout=120)
    fixed = await client.fix_text(uri, pylance, UNDEFINED, 1)
    assert fixed == UNDEFINED.replace("import sys\n", "import sys\nimport pathlib\n")
    (request,) = client.model.requests
    assert "pyright reportUndefinedVariable" in request.prompt_text
    # Not fixloop's to show: nothing was published for it.
    assert all(not p.diagnostics for p in client.published if p.uri == uri)
    # Checked with pyright now: what pyright does not report gets nothing.
    unknown = T.Diagnostic(
        range=T.Range(T.Position(4, 4), T.Position(4, 9)),
        message='"print" is not a known attribute',
        code="reportAttributeAccessIssue",
        source="Pylance",
    )
    assert await client.actions(uri, unknown) == []


async def test_ruffs_own_diagnostic_gets_the_fix_when_fixloop_publishes_none(client: Client):
    configure(client.root, client.model, publish=False)
    uri = await client.open("quiet.py", UNUSED)
    await client.wait_status(lambda s: s["fixes"] >= 1)
    assert not [p for p in client.published if p.uri == uri]
    ruff_server = T.Diagnostic(  # as ruff's own language server sends it
        range=T.Range(T.Position(0, 7), T.Position(0, 9)),
        message="`os` imported but unused",
        severity=T.DiagnosticSeverity.Warning,
        code="F401",
        source="Ruff",
        data={"fix": {"message": "Remove unused import: `os`"}},
    )
    assert await client.fix_text(uri, ruff_server, UNUSED, 1) == "import sys\n\nprint(sys.argv)\n"
    elsewhere = T.Diagnostic(  # a rule fixloop's ruff does not report: nothing to offer
        range=T.Range(T.Position(3, 0), T.Position(3, 5)),
        message="Line too long",
        code="E501",
        source="Ruff",
    )
    assert await client.actions(uri, elsewhere) == []
    assert client.model.requests == []


async def test_a_code_action_on_a_queued_diagnostic_moves_it_ahead(client: Client):
    configure(client.root, client.model, loops=1, attempts=1)
    held = HeldReply(Text("no idea"))
    client.model.responder = held
    client.model.default = Text("no idea")
    uri = await client.open("three.py", THREE)
    diagnostics = [d for d in await client.wait_diagnostics(uri, 1) if d.code == "F821"]
    assert len(diagnostics) == 3
    await client.model.await_requests(1)  # alpha holds the only slot
    (action,) = await client.actions(uri, diagnostics[2])
    assert action.disabled is not None and action.title.endswith("(queued)")
    await client.wait_status(lambda s: s["running"] == 1 and s["queued"] == 2)

    held.release.set()
    requests = await client.model.await_requests(3)
    order = [next(n for n in NAMES if f"`{n}`" in r.prompt_text) for r in requests]
    assert order == ["alpha", "gamma", "beta"]
    await client.wait_status(lambda s: s["running"] == 0 and s["queued"] == 0)


async def test_progress_per_loop_and_a_cancel_from_the_editor_stops_it(client: Client):
    configure(client.root, client.model)
    client.model.script(Hang())
    uri = await client.open("slow.py", REBASE)
    target = await only(client, uri, 1, "F821")
    token, reports = await client.wait_progress(
        lambda r: any(getattr(v, "message", "") == "attempt 1 of 2, fast" for v in r)
    )
    begin = reports[0]
    assert isinstance(begin, T.WorkDoneProgressBegin)
    assert begin.title == "fixloop: fixing F821" and begin.cancellable
    await client.model.await_requests(1)

    client.lsp.window_work_done_progress_cancel(T.WorkDoneProgressCancelParams(token=token))
    await client.model.await_disconnects(1)
    await client.wait_progress(lambda r: r is reports and isinstance(r[-1], T.WorkDoneProgressEnd))
    assert reports[-1].message == "cancelled"
    (action,) = await client.actions(uri, target)
    assert action.title == "fixloop: retry fixing F821 (cancelled)"
    await client.wait_status(lambda s: s["running"] == 0)


@pytest.mark.parametrize("lsp", ["no-progress"], indirect=True)
async def test_no_progress_for_a_client_that_does_not_support_it(client: Client):
    configure(client.root, client.model)
    client.model.script(Text(TYPO_FIX))
    uri = await client.open("quiet.py", REBASE)
    await only(client, uri, 1, "F821")
    await client.wait_status(lambda s: s["fixes"] >= 1)
    assert client.lsp.progress_reports == {}
