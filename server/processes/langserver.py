"""A language server driven as a verifier, over its stdin/stdout pipes.

fixloop's verifiers must not import pygls (only `fixloop.lsp` does), and a
client needs very little: Content-Length framing (`jsonrpc`), requests with
ids, and answers to the few requests a server sends back (configuration,
capability registration, refreshes). There is no background reader: whoever
holds the session's lock reads until its own answer arrives and answers the
server's requests on the way, so nothing runs outside a caller's scope.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio

from fixloop.processes.jsonrpc import FramingError, MessageBuffer, encode
from fixloop.processes.longlived import ToolProcess
from fixloop.verifiers.base import VerifierError

Settings = Callable[[str | None], Any]  # configuration section -> value


class LanguageServerSession:
    """One language server process; use `lock` around each exchange."""

    def __init__(self, tool: ToolProcess, settings: Settings) -> None:
        self.tool = tool
        self.lock = anyio.Lock()
        self._settings = settings
        self._buffer = MessageBuffer()
        self._received: list[dict[str, Any]] = []
        self._ids = itertools.count(1)

    @classmethod
    async def start(
        cls,
        argv: list[str],
        *,
        cwd: Path,
        stderr_path: Path,
        name: str,
        settings: Settings,
        initialize: dict[str, Any],
        timeout: float,
        env: dict[str, str] | None = None,
    ) -> LanguageServerSession:
        """Start the server and run the initialize handshake."""
        tool = await ToolProcess.start(argv, cwd=cwd, stderr_path=stderr_path, name=name, env=env)
        session = cls(tool, settings)
        try:
            with anyio.fail_after(timeout):
                await session.request("initialize", initialize)
                await session.notify("initialized", {})
        except TimeoutError:
            await tool.aclose()
            raise VerifierError(f"{name} did not start within {timeout:g} s") from None
        except BaseException:
            await tool.aclose()
            raise
        return session

    @property
    def alive(self) -> bool:
        return self.tool.alive

    async def notify(self, method: str, params: Any) -> None:
        await self.tool.send(encode({"jsonrpc": "2.0", "method": method, "params": params}))

    async def request(self, method: str, params: Any) -> Any:
        """Send a request and read until its answer; the caller sets the deadline."""
        request_id = next(self._ids)
        await self.tool.send(
            encode({"jsonrpc": "2.0", "id": request_id, "method": method, "params": params})
        )
        while True:
            message = await self._receive()
            if "method" in message:
                if "id" in message:
                    await self._answer(message)
                continue  # notifications (logs, progress, pushed diagnostics): not needed
            if message.get("id") != request_id:
                continue  # the answer to a request whose caller was cancelled
            if "error" in message:
                error = message["error"] or {}
                raise VerifierError(
                    f"{self.tool.name}: {method} failed: {error.get('message', error)}"
                )
            return message.get("result")

    async def _receive(self) -> dict[str, Any]:
        while not self._received:
            try:
                chunk = await self.tool.process.stdout.receive()  # type: ignore[union-attr]
            except (anyio.EndOfStream, anyio.BrokenResourceError, anyio.ClosedResourceError):
                with anyio.move_on_after(1):
                    await self.tool.process.wait()
                raise self.tool.died("checking") from None
            try:
                self._received.extend(self._buffer.feed(chunk))
            except FramingError as exc:
                self.tool.kill()
                raise VerifierError(f"{self.tool.name} broke the protocol: {exc}") from None
        return self._received.pop(0)

    async def _answer(self, message: dict[str, Any]) -> None:
        method, params = message["method"], message.get("params") or {}
        if method == "workspace/configuration":
            result: Any = [self._settings(item.get("section")) for item in params.get("items", [])]
        else:  # registerCapability, workDoneProgress/create, diagnostic/refresh, ...
            result = None
        await self.tool.send(encode({"jsonrpc": "2.0", "id": message["id"], "result": result}))

    async def aclose(self) -> None:
        """Ask the server to exit, briefly; then kill it."""
        if self.tool.alive:
            with anyio.CancelScope(shield=True), anyio.move_on_after(1):
                async with self.lock:
                    try:
                        await self.request("shutdown", None)
                        await self.notify("exit", None)
                        await self.tool.process.wait()
                    except (VerifierError, OSError):
                        pass
        await self.tool.aclose()
