"""The one pytest-lsp client wrapper of the end-to-end tests.

pytest-lsp's `LanguageClient` keeps only the latest diagnostics per URI and
no log or shown messages; `Client` keeps everything fixloop sends (every
publish with its version, `fixloop/status`, `$/progress`, messages, applied
edits) with events to wait on under a deadline. `start()` wires a
`LanguageClient` to a `Client` and initializes the session. The fault suite's
bare-pipe client is `lspwire.py` (it must kill and starve the server, which
pytest-lsp cannot).
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Union

from fixloop.fakes import ScriptedModelServer
from lsprotocol import types as T
from pytest_lsp import LanguageClient

from fixloop.lsp.positions import from_client

LANGUAGE_IDS = {
    ".py": "python",
    ".pyi": "python",
    ".ts": "typescript",
    ".tsx": "typescriptreact",
    ".js": "javascript",
    ".jsx": "javascriptreact",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".c": "c",
    ".h": "c",
    ".cc": "cpp",
    ".cpp": "cpp",
    ".cxx": "cpp",
    ".hpp": "cpp",
    ".rs": "rust",
    ".go": "go",
}


class Client:
    """A pytest-lsp client plus what fixloop sends beyond what pytest-lsp keeps."""

    def __init__(self, lsp: LanguageClient, server: ScriptedModelServer, root: Path) -> None:
        self.lsp = lsp
        self.model = server
        self.root = root
        self.encoding = "utf-16"
        self.statuses: list[dict] = []
        self.published: list[T.PublishDiagnosticsParams] = []
        self.applied: list[T.ApplyWorkspaceEditParams] = []
        self.logs: list[str] = []
        self.shown: list[str] = []
        self.closed = False
        self._status_event = asyncio.Event()
        self._publish_event = asyncio.Event()
        self._message_event = asyncio.Event()
        self._progress_event = asyncio.Event()

    # What the server sends.

    def on_status(self, params) -> None:
        # pygls hands unknown notifications over as named tuples.
        self.statuses.append(params._asdict() if hasattr(params, "_asdict") else dict(params))
        self._status_event.set()

    def on_publish(self, params: T.PublishDiagnosticsParams) -> None:
        self.published.append(params)
        self._publish_event.set()

    def on_message(self, kind: str, params) -> None:
        (self.logs if kind == "log" else self.shown).append(params.message)
        self._message_event.set()

    def on_progress(self) -> None:
        self._progress_event.set()

    # Waiting on it, each under a deadline.

    async def wait_status(self, predicate, timeout: float = 30.0):
        async with asyncio.timeout(timeout):
            while True:
                for status in self.statuses:
                    if predicate(status):
                        return status
                self._status_event.clear()
                await self._status_event.wait()

    async def wait_diagnostics(self, uri: str, version: int, timeout: float = 30.0):
        """The diagnostics published for exactly this version of the document."""
        async with asyncio.timeout(timeout):
            while True:
                for params in self.published:
                    if params.uri == uri and params.version == version:
                        return params.diagnostics
                self._publish_event.clear()
                await self._publish_event.wait()

    async def wait_log(self, pattern: str, count: int = 1, timeout: float = 30.0) -> list[str]:
        async with asyncio.timeout(timeout):
            while True:
                found = [m for m in self.logs if re.search(pattern, m)]
                if len(found) >= count:
                    return found
                self._message_event.clear()
                await self._message_event.wait()

    async def wait_progress(self, predicate, timeout: float = 30.0):
        """The first (token, reports) for which predicate(reports) holds."""
        async with asyncio.timeout(timeout):
            while True:
                for token, reports in self.lsp.progress_reports.items():
                    if predicate(reports):
                        return token, reports
                self._progress_event.clear()
                await self._progress_event.wait()

    # What the test sends.

    async def open(
        self, name: str, text: str, version: int = 1, language_id: str | None = None
    ) -> str:
        """Write `name` under the root and open it; the language follows the extension."""
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        uri = path.as_uri()
        language = language_id or LANGUAGE_IDS.get(path.suffix, "plaintext")
        self.lsp.text_document_did_open(
            T.DidOpenTextDocumentParams(T.TextDocumentItem(uri, language, version, text))
        )
        return uri

    def change(self, uri: str, version: int, text: str) -> None:
        self.lsp.text_document_did_change(
            T.DidChangeTextDocumentParams(
                text_document=T.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[T.TextDocumentContentChangeWholeDocument(text=text)],
            )
        )

    async def actions(self, uri: str, diagnostic: T.Diagnostic) -> list[T.CodeAction]:
        result = await self.lsp.text_document_code_action_async(
            T.CodeActionParams(
                text_document=T.TextDocumentIdentifier(uri),
                range=diagnostic.range,
                context=T.CodeActionContext(
                    diagnostics=[diagnostic], only=[T.CodeActionKind.QuickFix]
                ),
            )
        )
        return list(result or [])

    async def fix_text(self, uri: str, diagnostic: T.Diagnostic, text: str, version: int) -> str:
        """Apply the one verified fix offered for `diagnostic` to `text`."""
        (action,) = await self.actions(uri, diagnostic)
        assert action.title.startswith("fixloop: ") and action.is_preferred and action.disabled is None, (
            action.title
        )
        if action.edit is None:
            action = await self.lsp.code_action_resolve_async(action)
        return apply_text_edits(text, edits_of(action.edit, uri, version), self.encoding)

    async def execute(self, command: T.Command):
        return await self.lsp.workspace_execute_command_async(
            T.ExecuteCommandParams(command=command.command, arguments=command.arguments)
        )

    async def shutdown(self) -> None:
        """Stop the server and wait until all it wrote to stderr has been passed on to ours."""
        self.closed = True
        await self.lsp.shutdown_session()
        forwarder = self.lsp._stderr_forwarder
        if forwarder is not None:
            await asyncio.wait_for(forwarder, 10)

    async def close(self) -> None:
        """The fixture's end: shut the session down unless the test already did."""
        if not self.closed:
            self.closed = True
            await self.lsp.shutdown_session()


async def start(
    lsp: LanguageClient,
    server: ScriptedModelServer,
    root: Path,
    capabilities: T.ClientCapabilities,
    cls: type[Client] = Client,
    initialization_options: dict | None = None,
) -> Client:
    """Wire `lsp` to a new `cls` client, initialize the session on `root`, and return it.

    The client is also left on `lsp.fixloop`, where the tests' `client` fixtures find it.
    """
    client = cls(lsp, server, root)
    lsp.feature("fixloop/status")(lambda params: client.on_status(params))
    features = lsp.protocol.fm.features
    keep = {
        method: features[method]
        for method in (
            T.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS,
            T.WINDOW_LOG_MESSAGE,
            T.WINDOW_SHOW_MESSAGE,
            T.PROGRESS,
        )
    }

    def publish(params: T.PublishDiagnosticsParams) -> None:
        keep[T.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS](params)
        client.on_publish(params)

    def log(params) -> None:
        keep[T.WINDOW_LOG_MESSAGE](params)
        client.on_message("log", params)

    def show(params) -> None:
        keep[T.WINDOW_SHOW_MESSAGE](params)
        client.on_message("show", params)

    def progress(params) -> None:
        keep[T.PROGRESS](params)
        client.on_progress()

    features[T.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = publish
    features[T.WINDOW_LOG_MESSAGE] = log
    features[T.WINDOW_SHOW_MESSAGE] = show
    features[T.PROGRESS] = progress

    @lsp.feature(T.WORKSPACE_APPLY_EDIT)
    def apply(params: T.ApplyWorkspaceEditParams):
        client.applied.append(params)
        return T.ApplyWorkspaceEditResult(applied=True)

    converter = lsp.protocol._converter

    def command_or_action(obj, _):  # lsprotocol cannot tell these apart by itself
        return converter.structure(
            obj, T.Command if isinstance(obj.get("command"), str) else T.CodeAction
        )

    converter.register_structure_hook(Union[T.Command, T.CodeAction], command_or_action)
    result = await lsp.initialize_session(
        T.InitializeParams(
            capabilities=capabilities,
            root_uri=root.as_uri(),
            workspace_folders=[T.WorkspaceFolder(root.as_uri(), "ws")],
            initialization_options=initialization_options,
        )
    )
    client.encoding = str(result.capabilities.position_encoding or "utf-16")
    lsp.fixloop = client
    return client


def apply_text_edits(text: str, edits: list[T.TextEdit], encoding: str) -> str:
    """Apply LSP edits the way an editor does, in the negotiated encoding (lines end at \n,
    \r\n or \r only: a form feed or U+2028 is not a line break for LSP)."""
    lines = re.findall(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z", text)

    def offset(position: T.Position) -> int:
        if position.line >= len(lines):
            return len(text)
        line = lines[position.line]
        column = from_client(line.rstrip("\r\n"), position.character, encoding)
        return sum(len(l) for l in lines[: position.line]) + column

    ordered = sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character))
    for edit in reversed(ordered):
        text = text[: offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end) :]
    return text


def edits_of(edit: T.WorkspaceEdit, uri: str, version: int) -> list[T.TextEdit]:
    """The text edits of a workspace edit for one document, checking its version."""
    if edit.document_changes:
        (change,) = edit.document_changes
        assert change.text_document.uri == uri and change.text_document.version == version
        return list(change.edits)
    return list(edit.changes[uri])
