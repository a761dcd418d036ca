"""One run of a tool: the subprocess helper every verifier (and the test gate) uses.

argv lists only (never a shell), the buffer on stdin, a timeout, a cap on
output, and a kill of the whole process group when time runs out or the
caller is cancelled.
"""

from __future__ import annotations

import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path

import anyio
import anyio.abc

from fixloop.processes import reaper
from fixloop.verifiers.base import VerifierError

OUTPUT_CAP = 16 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class ToolRun:
    """What one tool run produced."""

    argv: tuple[str, ...]
    returncode: int
    stdout: bytes
    stderr: bytes
    seconds: float


async def _read_capped(stream: anyio.abc.ByteReceiveStream | None, cap: int) -> bytes | None:
    """The whole stream, or None once it passes `cap` bytes."""
    if stream is None:
        return b""
    chunks: list[bytes] = []
    size = 0
    async for chunk in stream:
        size += len(chunk)
        if size > cap:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def not_found(name: str, program: str) -> str:
    """Why `program` could not be started: missing, or present but needing what is missing
    (a script whose interpreter was removed, as in a virtual environment left behind)."""
    path = Path(program)
    if not path.is_file():
        return f"{name} not found: {program}"
    try:
        with path.open("rb") as handle:
            first = handle.readline(256)
    except OSError:
        first = b""
    if first.startswith(b"#!"):
        interpreter = first[2:].decode("utf-8", "replace").strip()
        return f"{name} cannot be started: {program} needs {interpreter}, which is missing"
    return f"{name} cannot be started: {program} is there but what it needs to run is missing"


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


async def run_tool(
    argv: list[str] | tuple[str, ...],
    *,
    stdin: bytes = b"",
    cwd: Path | None = None,
    timeout: float = 30.0,
    cap: int = OUTPUT_CAP,
    env: dict[str, str] | None = None,
) -> ToolRun:
    """Run `argv` with `stdin`; raise VerifierError if it is missing, times out or floods."""
    name = Path(argv[0]).name
    started = time.perf_counter()
    try:
        process = await anyio.open_process(
            list(argv), cwd=cwd, env=env, start_new_session=True
        )
    except FileNotFoundError:
        raise VerifierError(not_found(name, argv[0])) from None
    except PermissionError as exc:
        raise VerifierError(f"{name} cannot be run: {exc}") from None
    ticket = reaper.record(process.pid)  # for the next fixloop, should this one be killed
    result: dict[str, bytes | None] = {}
    try:
        with anyio.fail_after(timeout):
            async with anyio.create_task_group() as tg:

                async def collect(key: str, stream: anyio.abc.ByteReceiveStream | None) -> None:
                    result[key] = data = await _read_capped(stream, cap)
                    if data is None:
                        tg.cancel_scope.cancel()

                tg.start_soon(collect, "stdout", process.stdout)
                tg.start_soon(collect, "stderr", process.stderr)
                if process.stdin is not None:
                    try:
                        await process.stdin.send(stdin)
                    except (anyio.BrokenResourceError, anyio.ClosedResourceError):
                        pass  # the tool exited without reading all of it; its exit code says why
                    finally:
                        await process.stdin.aclose()
            if None in result.values():
                raise VerifierError(f"{name} wrote more than {cap} bytes and was killed")
            returncode = await process.wait()
    except TimeoutError:
        raise VerifierError(f"{name} timed out after {timeout:g} s and was killed") from None
    finally:
        if process.returncode is None:
            _kill_group(process.pid)
        with anyio.CancelScope(shield=True), anyio.move_on_after(2):
            await process.aclose()
        reaper.forget(ticket)
    return ToolRun(
        argv=tuple(argv),
        returncode=returncode,
        stdout=result.get("stdout") or b"",
        stderr=result.get("stderr") or b"",
        seconds=time.perf_counter() - started,
    )
