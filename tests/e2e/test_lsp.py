"""End to end: a real LSP client (pytest-lsp) against `fixloop serve`, a scripted model, real ruff."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Union

import pytest
import pytest_lsp
from fakes.model_server import ScriptedModelServer, Text
from helpers import search_replace
from lsprotocol import types as T
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from fixloop.lsp.positions import from_client
from fixloop.verifiers.python import syntax_findings
from fixloop.verifiers.ruff import parse_ruff_json, ruff_binary
from conftest import write_config

pytestmark = pytest.mark.e2e

CLIENTS = ["visual-studio-code", "neovim@v0.11.0", "emacs"]
BROKEN = 'import sys\n\n\ndef main():\n    print("é😀", sys.argv)\n    return pathlib.Path(".")\n'
FIX = search_replace("import sys", "import sys\nimport pathlib")
NOQA = search_replace('    return pathlib.Path(".")', '    return pathlib.Path(".")  # noqa: F821')
NO_OP = search_replace('    return pathlib.Path(".")', '    return pathlib.Path(".")')


class Client:
    """The pytest-lsp client plus what fixloop sends it beyond standard LSP."""

    def __init__(self, lsp: LanguageClient, server: ScriptedModelServer, root: Path) -> None:
        self.lsp = lsp
        self.model = server
        self.root = root
        self.statuses: list[dict] = []
        self._status_event = asyncio.Event()
        self.applied: list[T.ApplyWorkspaceEditParams] = []
        self.published: list[T.PublishDiagnosticsParams] = []
        self._publish_event = asyncio.Event()
        self.encoding = "utf-16"

    def on_status(self, params) -> None:
        # pygls hands unknown notifications over as named tuples.
        self.statuses.append(params._asdict() if hasattr(params, "_asdict") else dict(params))
        self._status_event.set()

    async def wait_status(self, predicate, timeout: float = 30.0):
        async with asyncio.timeout(timeout):
            while True:
                for status in self.statuses:
                    if predicate(status):
                        return status
                self._status_event.clear()
                await self._status_event.wait()

    async def open(self, name: str, text: str, version: int = 1, language_id: str = "python") -> str:
        path = self.root / name
        path.write_text(text)
        uri = path.as_uri()
        self.lsp.text_document_did_open(
            T.DidOpenTextDocumentParams(T.TextDocumentItem(uri, language_id, version, text))
        )
        return uri

    def on_publish(self, params: T.PublishDiagnosticsParams) -> None:
        self.published.append(params)
        self._publish_event.set()

    async def wait_diagnostics(self, uri: str, version: int, timeout: float = 30.0):
        """The diagnostics published for exactly this version of the document."""
        async with asyncio.timeout(timeout):
            while True:
                for params in self.published:
                    if params.uri == uri and params.version == version:
                        return params.diagnostics
                self._publish_event.clear()
                await self._publish_event.wait()

    async def actions(self, uri: str, diagnostic: T.Diagnostic) -> list[T.CodeAction]:
        result = await self.lsp.text_document_code_action_async(
            T.CodeActionParams(
                text_document=T.TextDocumentIdentifier(uri),
                range=diagnostic.range,
                context=T.CodeActionContext(diagnostics=[diagnostic], only=[T.CodeActionKind.QuickFix]),
            )
        )
        return list(result or [])


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=[sys.executable, "-m", "fixloop", "serve"]),
    params=CLIENTS,
)
async def lsp(lsp_client: LanguageClient, request, tmp_path, model_server):
    write_config(tmp_path, model_server.openai_base_url, attempts=4, parallel=1)
    wrapper = Client(lsp_client, model_server, tmp_path)
    lsp_client.feature("fixloop/status")(lambda params: wrapper.on_status(params))
    # pytest-lsp keeps only the latest diagnostics per URI, without the version: keep them all.
    features = lsp_client.protocol.fm.features
    keep_latest = features[T.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS]

    def publish(params: T.PublishDiagnosticsParams) -> None:
        keep_latest(params)
        wrapper.on_publish(params)

    features[T.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = publish

    @lsp_client.feature(T.WORKSPACE_APPLY_EDIT)
    def apply(params: T.ApplyWorkspaceEditParams):
        wrapper.applied.append(params)
        return T.ApplyWorkspaceEditResult(applied=True)

    converter = lsp_client.protocol._converter

    def command_or_action(obj, _):  # lsprotocol cannot tell these apart by itself
        return converter.structure(obj, T.Command if isinstance(obj.get("command"), str) else T.CodeAction)

    converter.register_structure_hook(Union[T.Command, T.CodeAction], command_or_action)
    result = await lsp_client.initialize_session(
        T.InitializeParams(
            capabilities=client_capabilities(request.param),
            root_uri=tmp_path.as_uri(),
            workspace_folders=[T.WorkspaceFolder(tmp_path.as_uri(), "ws")],
        )
    )
    wrapper.encoding = str(result.capabilities.position_encoding or "utf-16")
    lsp_client.fixloop = wrapper
    yield
    await lsp_client.shutdown_session()


@pytest.fixture
def client(lsp) -> Client:
    return lsp.fixloop


def apply_text_edits(text: str, edits: list[T.TextEdit], encoding: str) -> str:
    """Apply LSP edits the way an editor does, in the negotiated encoding."""
    lines = text.splitlines(keepends=True)

    def offset(position: T.Position) -> int:
        if position.line >= len(lines):
            return len(text)
        line = lines[position.line]
        column = from_client(line.rstrip("\r\n"), position.character, encoding)
        return sum(len(l) for l in lines[: position.line]) + column

    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        text = text[: offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end) :]
    return text


def edits_of(edit: T.WorkspaceEdit, uri: str, version: int) -> list[T.TextEdit]:
    if edit.document_changes:
        (change,) = edit.document_changes
        assert change.text_document.uri == uri and change.text_document.version == version
        return list(change.edits)
    return list(edit.changes[uri])


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
    from fakes.model_server import Hang

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
