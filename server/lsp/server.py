"""The language server: thin handlers that convert, send the engine a command or read its
views, and convert back."""

from __future__ import annotations

import copy
import dataclasses
import gc
import logging
import sys
import threading
from pathlib import Path
from typing import assert_never

import anyio
from lsprotocol import types as T
from pygls.io_ import run_async
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from fixloop import __version__
from fixloop.config import find_root
from fixloop.engine.seam import (
    Ask,
    Cancel,
    Change,
    CheckWith,
    Checking,
    Close,
    Command,
    Diagnostics,
    DocumentView,
    Escalate,
    Event,
    GetStats,
    Log,
    Message,
    Open,
    Progress,
    Retry,
    Save,
    SessionStats,
    SettingsChanged,
    Snapshot,
    State,
    Status,
    Tier,
    TrackedView,
    Trust,
    escalation_offer,
    fast_attempts,
    foreign_code,
    foreign_match,
    verifier_for,
)
from fixloop.engine.service import EngineService
from fixloop.lsp import actions
from fixloop.lsp.convert import diagnostic
from fixloop.lsp.documents import adopt
from fixloop.lsp.engine_host import EngineHost
from fixloop.lsp.pipes import PipeWriter, open_stdio
from fixloop.lsp.progress import LoopProgress
from fixloop.lsp.settings import SettingsStore
from fixloop.processes.private import sweep
from fixloop.text.lines import split_lines
from fixloop.verifiers import languages

log = logging.getLogger("fixloop")
# How often the interpreter lets the other thread run (CPython's default is 5 ms): a request
# arriving while the engine's thread computes waits at most about this long at each step.
SWITCH_INTERVAL = 0.001


class FixloopServer(LanguageServer):
    """pygls server; the engine (in a thread of its own) owns all work and the settings.

    Handlers run on the server's event loop and never wait on the engine: they read its views
    and send it commands; what it says comes back as events (engine/seam.py, engine_host.py).
    """

    def __init__(self) -> None:
        super().__init__("fixloop", __version__)
        self.trusted = False  # the editor says so in initializationOptions.trusted
        self.host: EngineHost | None = None
        self.loops_progress: LoopProgress | None = None
        self._last_status: dict | None = None
        self.stopping = False  # the client has gone: say nothing more to it
        self._reporting = False

    def send(self, command: Command) -> None:
        """A command to the engine (dropped before it starts and after it stopped)."""
        if self.host is not None:
            self.host.send(command)

    # -- what the engine tells us (handed over by the host, on the server's loop) --

    def on_event(self, event: Event) -> None:
        match event:
            case Diagnostics():
                self.publish(event)
            case Status():
                self.send_status(event)
            case Progress():
                if self.loops_progress is not None:
                    self.loops_progress.update(event)
            case Message(text):
                self.message(text)
            case Log(text):
                self.log(text)
            case _:
                assert_never(event)

    def publish(self, event: Diagnostics) -> None:
        if self.stopping:
            return
        snapshot = event.snapshot
        lines = split_lines(snapshot.text)
        encoding = self.encoding
        self.text_document_publish_diagnostics(
            T.PublishDiagnosticsParams(
                uri=snapshot.uri,
                version=snapshot.version,
                diagnostics=[diagnostic(lines, f, fid, encoding) for f, fid in event.findings],
            )
        )

    def send_status(self, status: Status) -> None:
        """`fixloop/status` (the engine coalesces: at most every 50 ms), unless nothing changed."""
        if self.stopping:
            return
        params = {
            "running": status.running,
            "queued": status.queued,
            "fixes": status.fixes,
            "usd_spent": round(status.usd_spent, 6),
            "usd_budget": status.usd_budget,
            "down": list(status.down),
        }
        if params != self._last_status:
            self._last_status = params
            self.protocol.notify("fixloop/status", params)

    def message(self, text: str) -> None:
        self.log(text)
        if not self.stopping:
            self.window_show_message(T.ShowMessageParams(T.MessageType.Warning, f"fixloop: {text}"))

    def log(self, text: str) -> None:
        log.info(text)
        if not self.stopping:
            self.window_log_message(T.LogMessageParams(T.MessageType.Log, text))

    def report_server_error(self, error: Exception, source) -> None:
        # pygls reports a failed write by writing a message, which fails the same way:
        # without this guard a closed stdout recurses until Python gives up.
        if self.stopping or self._reporting:
            log.error("%s", error)
            return
        self._reporting = True
        try:
            super().report_server_error(error, source)
        finally:
            self._reporting = False

    # -- helpers -------------------------------------------------------------

    @property
    def encoding(self) -> str:
        encoding = self.workspace.position_encoding or T.PositionEncodingKind.Utf16
        return str(getattr(encoding, "value", encoding))

    def root_for(self, path: Path) -> Path:
        folders = [Path(to_fs_path(f.uri) or "") for f in self.workspace.folders.values()]
        inside = [f for f in folders if f.parts and path.is_relative_to(f)]
        if inside:
            return max(inside, key=lambda f: len(f.parts))
        if self.workspace.root_path:
            root = Path(self.workspace.root_path)
            if path.is_relative_to(root):
                return root
        return find_root(path)

    def roots(self) -> list[Path]:
        """The workspace folders (or the root path) the client opened."""
        folders = [Path(to_fs_path(f.uri) or "") for f in self.workspace.folders.values()]
        if not folders and self.workspace.root_path:
            folders = [Path(self.workspace.root_path)]
        return [f for f in folders if f.parts]

    def snapshot(self, uri: str) -> Snapshot | None:
        """The buffer as the engine sees it; None for a language fixloop does not route."""
        doc = self.workspace.get_text_document(uri)
        path = to_fs_path(uri)
        language = languages.detect(doc.language_id, path) if path else None
        if not path or language is None:
            return None
        root = self.root_for(Path(path))
        return Snapshot(
            uri, doc.version or 0, doc.source, Path(path), root, self.trusted, language.key
        )



def build_server() -> FixloopServer:
    ls = FixloopServer()

    @ls.feature(T.INITIALIZE)
    def initialize(ls: FixloopServer, params: T.InitializeParams) -> None:
        adopt(ls.workspace)  # buffers split into lines LSP's way (lsp/documents.py)
        options = params.initialization_options
        if isinstance(options, dict) and "trusted" in options:
            # Trust is the editor's word, never a workspace file's: it sits beside the settings.
            options = dict(options)
            trusted = options.pop("trusted")
            if isinstance(trusted, bool):
                ls.trusted = trusted
                ls.send(Trust(trusted))
            else:
                ls.message(f"initializationOptions: `trusted` must be true or false, got {trusted!r}")
        ls.send(SettingsChanged(copy.deepcopy(options), "initializationOptions"))

    @ls.feature(T.INITIALIZED)
    async def initialized(ls: FixloopServer, params: T.InitializedParams) -> None:
        await pull_settings(ls)

    @ls.feature(T.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(ls: FixloopServer, params) -> None:
        await pull_settings(ls)

    # Document notifications send the engine a snapshot and return at once.

    @ls.feature(T.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: FixloopServer, params: T.DidOpenTextDocumentParams) -> None:
        if snapshot := ls.snapshot(params.text_document.uri):
            ls.send(Open(snapshot))

    @ls.feature(T.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: FixloopServer, params: T.DidChangeTextDocumentParams) -> None:
        if snapshot := ls.snapshot(params.text_document.uri):
            ls.send(Change(snapshot))

    @ls.feature(T.TEXT_DOCUMENT_DID_SAVE, T.SaveOptions(include_text=False))
    def did_save(ls: FixloopServer, params: T.DidSaveTextDocumentParams) -> None:
        if snapshot := ls.snapshot(params.text_document.uri):
            ls.send(Save(snapshot))

    @ls.feature(T.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: FixloopServer, params: T.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        ls.send(Close(uri))
        ls.text_document_publish_diagnostics(T.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    @ls.feature(
        T.TEXT_DOCUMENT_CODE_ACTION,
        T.CodeActionOptions(code_action_kinds=[T.CodeActionKind.QuickFix], resolve_provider=True),
    )
    def code_action(ls: FixloopServer, params: T.CodeActionParams) -> list[T.CodeAction]:
        """Answered from the engine's views, without waiting on the engine."""
        uri = params.text_document.uri
        version = ls.workspace.get_text_document(uri).version
        host = ls.host
        if host is None or version is None:
            return []
        view = host.views.get(uri)
        if view is None or view.checked.version != version:
            return []  # not checked yet: nothing stale is offered
        snapshot, budget = view.checked, view.settings.budget
        result: list[T.CodeAction] = []
        done: set[str] = set()
        for diag in params.context.diagnostics:
            item = find_tracked(ls, view, diag)
            if isinstance(item, Checking):
                result.append(actions.checking(diag, item.verifier))
                continue
            if item is None or item.id in done:
                continue
            done.add(item.id)
            if item.state is State.QUEUED:  # asked about: it goes first
                host.send(Ask(uri, item.id))
            frontier = item.tier == Tier.FRONTIER
            result += actions.actions_for(
                diag,
                item,
                snapshot,
                attempts=budget.frontier_attempts if frontier else fast_attempts(view.settings),
                encoding=ls.encoding,
                resolve_edit=client_resolves_edit(ls),
                document_changes=client_document_changes(ls),
                offer=escalation_offer(view, item),
            )
        return result

    @ls.feature(T.CODE_ACTION_RESOLVE)
    def resolve(ls: FixloopServer, action: T.CodeAction) -> T.CodeAction:
        data = action.data if isinstance(action.data, dict) else {}
        uri, version = data.get("uri"), data.get("version")
        if ls.host is None or not isinstance(uri, str) or not isinstance(version, int):
            return action
        view = ls.host.views.get(uri)
        current = ls.workspace.get_text_document(uri).version
        item = None
        if view is not None and view.checked.version == version == current:
            item = view.tracked.get(str(data.get("id")))
        if view is None or item is None or item.fix is None:
            ls.message("the document changed since this fix was offered; it is being checked again")
            return action
        action.edit = actions.fix_edit(
            view.checked, item, ls.encoding, client_document_changes(ls)
        )
        return action

    @ls.feature(T.WINDOW_WORK_DONE_PROGRESS_CANCEL)
    def progress_cancel(ls: FixloopServer, params: T.WorkDoneProgressCancelParams) -> None:
        if ls.loops_progress is not None:
            ls.loops_progress.cancelled(params.token)

    # Commands are applied on the engine's loop; their handlers await the answer there.

    @ls.command(actions.RETRY)
    async def retry(ls: FixloopServer, uri: str, finding_id: str) -> bool:
        return bool(ls.host and await ls.host.request(Retry(uri, finding_id)))

    @ls.command(actions.CANCEL)
    async def cancel(ls: FixloopServer, uri: str, finding_id: str) -> bool:
        return bool(ls.host and await ls.host.request(Cancel(uri, finding_id)))

    @ls.command(actions.ESCALATE)
    async def escalate(ls: FixloopServer, uri: str, finding_id: str) -> bool:
        return bool(ls.host and await ls.host.request(Escalate(uri, finding_id)))

    @ls.command("fixloop.stats")
    async def stats(ls: FixloopServer, *args) -> dict:
        """This session's loops, and the ledger's figures per workspace (today and all time)."""
        assert ls.host is not None
        answer = await ls.host.request(GetStats(tuple(ls.roots())))
        assert isinstance(answer, SessionStats)
        return stats_json(answer)

    return ls


def stats_json(stats: SessionStats) -> dict:
    """`fixloop.stats`' answer."""
    status = stats.status
    return {
        "loops": stats.loops,
        "fixed": stats.fixed,
        "attempts": stats.attempts,
        "usd_spent": status.usd_spent,
        "usd_budget": status.usd_budget,
        "down": list(status.down),
        "workspaces": [
            {**dataclasses.asdict(figures), "usd_today": figures.usd_today}
            for figures in stats.workspaces
        ],
    }


def find_tracked(
    ls: FixloopServer, view: DocumentView, diag: T.Diagnostic
) -> TrackedView | Checking | None:
    """fixloop's finding for a diagnostic: its own by id, another server's by source and line.

    For another server's diagnostic that fixloop has not checked for yet, the engine is asked
    to check the document with the matching verifier (Checking until then)."""
    data = diag.data if isinstance(diag.data, dict) else {}
    if "fixloop" in data:
        return view.tracked.get(str(data["fixloop"]))
    name = verifier_for(diag.source)
    if name is None:
        return None
    code = foreign_code(name, "" if diag.code is None else str(diag.code))
    line = diag.range.start.line
    found = foreign_match(view, name, code, line)
    if isinstance(found, Checking):
        assert diag.source is not None
        ls.send(CheckWith(view.uri, view.checked.version, diag.source, code, line))
    return found


def client_resolves_edit(ls: FixloopServer) -> bool:
    caps = ls.client_capabilities.text_document
    action = caps.code_action if caps else None
    support = action.resolve_support if action else None
    return bool(support and "edit" in support.properties)


def client_document_changes(ls: FixloopServer) -> bool:
    workspace = ls.client_capabilities.workspace
    edit = workspace.workspace_edit if workspace else None
    return bool(edit and edit.document_changes)


async def pull_settings(ls: FixloopServer) -> None:
    """Ask the client for the `fixloop` section, when it can answer."""
    workspace = ls.client_capabilities.workspace
    if not (workspace and workspace.configuration):
        return
    try:
        answer = await ls.workspace_configuration_async(
            T.ConfigurationParams(items=[T.ConfigurationItem(section="fixloop")])
        )
    except Exception as exc:  # a client that cannot answer keeps the settings we have
        ls.log(f"workspace/configuration failed: {exc}")
        return
    if answer and answer[0] is not None:
        ls.send(SettingsChanged(copy.deepcopy(answer[0]), "editor settings (fixloop)"))


async def _serve(ls: FixloopServer, stdin, stdout) -> int:
    """Serve until the client exits or goes away; the exit code LSP prescribes."""
    code = 0
    host = EngineHost(
        lambda tg, outlet: EngineService(tg, outlet, settings=SettingsStore), deliver=ls.on_event
    )
    async with anyio.create_task_group() as tg:
        await host.start()
        ls.host = host

        def cancel(uri: str, finding_id: str) -> bool:  # from the editor's progress display
            host.send(Cancel(uri, finding_id))
            return True

        ls.loops_progress = LoopProgress(ls, tg.start_soon, cancel)
        ls._stop_event = threading.Event()
        reader, writer = await open_stdio(stdin, stdout, ls.thread_pool)
        ls.protocol.set_writer(writer)
        try:
            await run_async(
                stop_event=ls._stop_event,
                reader=reader,
                protocol=ls.protocol,
                logger=log,
                error_handler=ls.report_server_error,
            )
        except SystemExit as exc:  # pygls ends `exit` with sys.exit: 0 after shutdown, else 1
            code = exc.code if isinstance(exc.code, int) else 1
        finally:
            ls.stopping = True  # cancelled loops settle their charges quietly
            with anyio.CancelScope(shield=True):
                await host.stop()  # the engine's work cancelled, its tools closed
            tg.cancel_scope.cancel()
    if isinstance(writer, PipeWriter):
        await writer.drain(2.0)
    return code


def serve() -> int:
    """Run the server on stdin/stdout until the client goes away."""
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING, format="%(name)s: %(message)s")
    log.setLevel(logging.INFO)
    for folder in sweep():  # shadows of a fixloop that crashed or was killed
        log.info("removed %s, left behind by a fixloop process that is gone", folder)
    server = build_server()
    # Everything imported so far lives as long as the server: out of the collector's sight,
    # a full collection looks at the session's objects only (60,000 fewer to walk).
    gc.freeze()
    sys.setswitchinterval(SWITCH_INTERVAL)
    try:
        return anyio.run(_serve, server, sys.stdin.buffer, sys.stdout.buffer)
    except (BrokenPipeError, KeyboardInterrupt):
        return 1
