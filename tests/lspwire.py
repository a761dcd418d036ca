"""A bare LSP client over the server's stdio, for tests that must control the pipes themselves.

pytest-lsp owns its server process and shuts it down politely; the fault tests
need to close a pipe mid-loop, send `exit` without `shutdown`, or run two
servers side by side, so this client speaks JSON-RPC by hand (imported as
`lspwire`). Server requests are answered as a plain editor would.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

CAPABILITIES = {
    "general": {"positionEncodings": ["utf-16"]},
    "window": {"workDoneProgress": True},
    "workspace": {"configuration": True, "workspaceEdit": {"documentChanges": True}},
    "textDocument": {
        "codeAction": {
            "resolveSupport": {"properties": ["edit"]},
            "codeActionLiteralSupport": {"codeActionKind": {"valueSet": ["quickfix"]}},
        },
        "publishDiagnostics": {"versionSupport": True},
    },
}


class Wire:
    """One `fixloop serve` process and what it has said."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.notifications: list[tuple[str, Any]] = []
        self._ids = itertools.count(1)
        self._pending: dict[int, asyncio.Future] = {}
        self._changed = asyncio.Event()
        self._reader = asyncio.ensure_future(
            self._read()
        )  # awaited in wait_exit(), cancelled in close()
        self.settings: dict | None = None  # the answer to workspace/configuration

    @classmethod
    async def start(cls, cwd: Path, env: dict[str, str] | None = None) -> Wire:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "fixloop",
            "serve",
            cwd=cwd,
            env={**os.environ, **(env or {})},
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        return cls(process)

    # -- sending -----------------------------------------------------------------

    def _send(self, message: dict) -> None:
        assert self.process.stdin is not None
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))

    def notify(self, method: str, params: Any = None) -> None:
        self._send({"method": method, "params": params})

    def send_request(self, method: str, params: Any = None) -> asyncio.Future:
        """Send now; the future resolves with the response (for pipelining)."""
        request_id = next(self._ids)
        future = self._pending[request_id] = asyncio.get_running_loop().create_future()
        self._send({"id": request_id, "method": method, "params": params})
        return future

    async def request(self, method: str, params: Any = None, timeout: float = 30.0) -> Any:
        return await asyncio.wait_for(self.send_request(method, params), timeout)

    async def initialize(self, folders: list[Path], options: dict | None = None) -> dict:
        result = await self.request(
            "initialize",
            {
                "processId": os.getpid(),
                "rootUri": folders[0].as_uri(),
                "workspaceFolders": [{"uri": f.as_uri(), "name": f.name} for f in folders],
                "capabilities": CAPABILITIES,
                "initializationOptions": options,
            },
        )
        self.notify("initialized", {})
        return result

    def open(self, path: Path, text: str, version: int = 1, language_id: str = "python") -> str:
        uri = path.as_uri()
        self.notify(
            "textDocument/didOpen",
            {
                "textDocument": {
                    "uri": uri,
                    "languageId": language_id,
                    "version": version,
                    "text": text,
                }
            },
        )
        return uri

    def change(self, uri: str, version: int, text: str) -> None:
        self.notify(
            "textDocument/didChange",
            {"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]},
        )

    # -- receiving ---------------------------------------------------------------

    async def _read(self) -> None:
        stdout = self.process.stdout
        assert stdout is not None
        try:
            while True:
                length = None
                while True:
                    line = await stdout.readline()
                    if not line:
                        return
                    line = line.strip()
                    if not line:
                        break
                    name, _, value = line.partition(b":")
                    if name.lower() == b"content-length":
                        length = int(value)
                assert length is not None
                self._dispatch(json.loads(await stdout.readexactly(length)))
        except (asyncio.IncompleteReadError, ConnectionError):
            return
        finally:
            for future in self._pending.values():
                if not future.done():
                    future.set_exception(ConnectionError("the server closed its output"))
            self._changed.set()

    def _dispatch(self, message: dict) -> None:
        if "method" not in message:
            future = self._pending.pop(message.get("id"), None)
            if future is not None and not future.done():
                if "error" in message:
                    future.set_exception(RuntimeError(message["error"]))
                else:
                    future.set_result(message.get("result"))
            return
        method, params = message["method"], message.get("params")
        if "id" in message:  # a request from the server: answer as an editor would
            result: Any = None
            if method == "workspace/configuration":
                result = [self.settings for _ in params["items"]]
            elif method == "workspace/applyEdit":
                result = {"applied": True}
            self._send({"id": message["id"], "result": result})
            return
        self.notifications.append((method, params))
        self._changed.set()

    async def wait_for(self, predicate: Callable[[str, Any], bool], timeout: float = 30.0):
        """The first notification (method, params) matching `predicate`."""
        async with asyncio.timeout(timeout):
            while True:
                for method, params in self.notifications:
                    if predicate(method, params):
                        return params
                if self._reader.done():
                    raise ConnectionError("the server closed its output")
                self._changed.clear()
                await self._changed.wait()

    async def diagnostics(self, uri: str, version: int, timeout: float = 30.0) -> list[dict]:
        params = await self.wait_for(
            lambda m, p: (
                m == "textDocument/publishDiagnostics"
                and p["uri"] == uri
                and p.get("version") == version
            ),
            timeout,
        )
        return params["diagnostics"]

    async def status(self, predicate: Callable[[dict], bool], timeout: float = 30.0) -> dict:
        return await self.wait_for(lambda m, p: m == "fixloop/status" and predicate(p), timeout)

    def shown(self) -> list[str]:
        return [p["message"] for m, p in self.notifications if m == "window/showMessage"]

    def logs(self) -> list[str]:
        return [p["message"] for m, p in self.notifications if m == "window/logMessage"]

    # -- ending ------------------------------------------------------------------

    async def shutdown(self, timeout: float = 30.0) -> int:
        await self.request("shutdown", timeout=timeout)
        self.notify("exit")
        return await self.wait_exit(timeout)

    async def wait_exit(self, timeout: float = 30.0) -> int:
        code = await asyncio.wait_for(self.process.wait(), timeout)
        await asyncio.wait_for(self._reader, timeout)
        return code

    async def close(self) -> None:
        """Make sure the process is gone (after a test that failed half-way)."""
        if self.process.returncode is None:
            self.process.kill()
            await self.process.wait()
        self._reader.cancel()


def descendants(pid: int) -> set[int]:
    """Every process below `pid`, children of children included (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    found, stack = set(), [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def running(pids: set[int]) -> set[int]:
    """Those of `pids` that are still running (zombies have finished)."""
    alive = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            alive.add(pid)
    return alive


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


async def until(predicate: Callable[[], Any], timeout: float = 30.0) -> Any:
    """Wait for `predicate()` to hold (checked every 20 ms) under a deadline; its value."""
    async with asyncio.timeout(timeout):
        while not (value := predicate()):
            await asyncio.sleep(0.02)
    return value


def private_folders(tmp: Path) -> list[Path]:
    """fixloop's private folders in a temporary folder."""
    return sorted(p for p in tmp.iterdir() if p.name.startswith("fixloop-"))


# -- fixtures (import them by name into a test module: `from lspwire import serve, ...`) --


@pytest.fixture
def private_tmp(tmp_path_factory) -> Path:
    """The server's TMPDIR, outside the workspace: its private folders land where they can be counted."""
    return tmp_path_factory.mktemp("tmpdir")


@pytest.fixture
async def wires():
    """Servers started by a test; any still running at the end are killed."""
    started: list[Wire] = []
    yield started
    for wire in started:
        await wire.close()


@pytest.fixture
def serve(wires, private_tmp):
    """Start `fixloop serve` in a folder, with the private TMPDIR and extra environment."""

    async def start(cwd: Path, **env: str) -> Wire:
        wire = await Wire.start(cwd, {"TMPDIR": str(private_tmp), **env})
        wires.append(wire)
        return wire

    return start
