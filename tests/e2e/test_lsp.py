"""End to end: a real LSP client (pytest-lsp) against `fixloop serve`, a scripted model, real ruff."""

from __future__ import annotations

import asyncio
import sys

import pytest
import pytest_lsp
from fixloop.fakes import Text
from helpers import search_replace
from lsprotocol import types as T
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from lspclient import Client, apply_text_edits, edits_of, start

from fixloop.verifiers.python import syntax_findings
from fixloop.verifiers.ruff import parse_ruff_json, ruff_binary
from conftest import write_config

pytestmark = pytest.mark.e2e

CLIENTS = ["visual-studio-code", "neovim@v0.11.0", "emacs"]
BROKEN = 'import sys\n\n\ndef main():\n    print("é😀", sys.argv)\n    return pathlib.Path(".")\n'
FIX = search_replace("import sys", "import sys\nimport pathlib")
NOQA = search_replace('    return pathlib.Path(".")', '    return pathlib.Path(".")  # noqa: F821')
NO_OP = search_replace('    return pathlib.Path(".")', '    return pathlib.Path(".")')


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=[sys.executable, "-m", "fixloop", "serve"]),
    params=CLIENTS,
)
async def lsp(lsp_client: LanguageClient, request, tmp_path, model_server):
    write_config(tmp_path, model_server.openai_base_url, attempts=4, parallel=1)
    client = await start(lsp_client, model_server, tmp_path, client_capabilities(request.param))
    yield
    await client.close()


@pytest.fixture
def client(lsp) -> Client:
    return lsp.fixloop


async def test_the_verified_fix_is_offered_and_the_cheats_never_are(client: Client):
    client.model.script(Text(NOQA), Text(NO_OP), Text(FIX))
    uri = await client.open("app.py", BROKEN)
    diagnostics = await client.wait_diagnostics(uri, 1)
    (target,) = [d for d in diagnostics if d.code == "F821"]
    assert target.source == "ruff" and target.message == "Undefined name `pathlib`"
    assert target.range.start.line == 5

    await client.wait_status(lambda s: s["fixes"] >= 1)
    actions = await client.actions(uri, target)
    assert len(actions) == 1
    (action,) = actions
    assert action.title.startswith("fixloop:") and action.is_preferred
    assert action.kind == T.CodeActionKind.QuickFix
    if action.edit is None:  # clients that resolve edits lazily
        action = await client.lsp.code_action_resolve_async(action)
    edits = edits_of(action.edit, uri, 1)
    fixed = apply_text_edits(BROKEN, edits, client.encoding)
    assert fixed == BROKEN.replace("import sys\n", "import sys\nimport pathlib\n")
    assert "noqa" not in fixed
    assert len(client.model.requests) == 3  # the two cheats were tried and refused
    # What the user gets is clean for the same tools.
    assert syntax_findings(fixed, "app.py") == ()
    run = await asyncio.create_subprocess_exec(
        ruff_binary(), "check", "--output-format", "json", "--select", "E4,E7,E9,F",
        "--stdin-filename", str(client.root / "app.py"), "-",
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await run.communicate(fixed.encode())
    assert parse_ruff_json(out) == ()


async def test_columns_follow_the_negotiated_encoding(client: Client):
    client.model.default = Text(FIX)
    text = 'import sys\nx = "é😀"; y = undefined_name\n'
    uri = await client.open("cols.py", text)
    diagnostics = await client.wait_diagnostics(uri, 1)
    (target,) = [d for d in diagnostics if d.code == "F821"]
    expected = {"utf-8": 18, "utf-16": 15, "utf-32": 14}[client.encoding]
    assert target.range.start.character == expected


async def test_a_running_loop_shows_a_disabled_action_and_an_edit_drops_the_stale_fix(client: Client):
    from fixloop.fakes import Hang

    client.model.script(Hang())
    uri = await client.open("slow.py", BROKEN)
    (target,) = [d for d in await client.wait_diagnostics(uri, 1) if d.code == "F821"]
    await client.model.await_requests(1)
    (action,) = await client.actions(uri, target)
    assert action.disabled is not None and "fixing F821" in action.title

    # The user fixes it by hand: the loop is cancelled, its request abandoned, no fix offered.
    fixed = BROKEN.replace("import sys\n", "import sys\nimport pathlib\n")
    client.lsp.text_document_did_change(
        T.DidChangeTextDocumentParams(
            text_document=T.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[T.TextDocumentContentChangeWholeDocument(text=fixed)],
        )
    )
    diagnostics = await client.wait_diagnostics(uri, 2)
    assert not [d for d in diagnostics if d.code == "F821"]
    await client.model.await_disconnects(1)
    await client.wait_status(lambda s: s["running"] == 0 and s["queued"] == 0)
