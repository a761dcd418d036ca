"""Long-lived tool processes (a mypy worker, a language server).

Like `run.run_tool`, but the process outlives one check: started in its own
process group with stderr going to a file (kept for error messages, never a
pipe that could fill up and stall it), and killed with its whole group.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import anyio
import anyio.abc

from fixloop.processes import reaper
from fixloop.processes.run import not_found
from fixloop.verifiers.base import VerifierError

STDERR_TAIL = 2000


class ToolProcess:
    """One running tool process and the file its stderr goes to."""

    def __init__(self, process: anyio.abc.Process, stderr_path: Path, name: str) -> None:
        self.process = process
        self.stderr_path = stderr_path
        self.name = name
        self._ticket = reaper.record(process.pid)  # for the next fixloop, should this one be killed

    @classmethod
    async def start(
        cls,
        argv: list[str],
        *,
        cwd: Path,
        stderr_path: Path,
        name: str,
        env: dict[str, str] | None = None,
    ) -> ToolProcess:
        with stderr_path.open("wb") as stderr:
            try:
                process = await anyio.open_process(
                    argv, cwd=cwd, env=env, stderr=stderr, start_new_session=True
                )
            except FileNotFoundError:
                raise VerifierError(not_found(name, argv[0])) from None
            except PermissionError as exc:
                raise VerifierError(f"{name} cannot be run: {exc}") from None
        return cls(process, stderr_path, name)

    @property
    def alive(self) -> bool:
        return self.process.returncode is None

    def stderr_tail(self) -> str:
        """The end of what the process wrote to stderr, for error messages."""
        try:
            with self.stderr_path.open("rb") as handle:
                handle.seek(0, os.SEEK_END)
                size = handle.tell()
                handle.seek(max(0, size - STDERR_TAIL))
                return handle.read().decode("utf-8", "replace").strip()
        except OSError:
            return ""

    def died(self, doing: str) -> VerifierError:
        """The error for a process that went away while `doing` something."""
        tail = self.stderr_tail()
        last = tail.splitlines()[-1] if tail else "no message"
        code = self.process.returncode
        status = f"exit {code}" if code is not None else "closed its output"
        return VerifierError(f"{self.name} stopped while {doing} ({status}): {last}")

    async def send(self, data: bytes) -> None:
        assert self.process.stdin is not None
        try:
            await self.process.stdin.send(data)
        except (anyio.BrokenResourceError, anyio.ClosedResourceError, OSError):
            raise self.died("reading its input") from None

    def kill(self) -> None:
        """Kill the whole process group now (idempotent)."""
        if self.process.returncode is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

    async def aclose(self) -> None:
        """Kill and reap, shielded and bounded: safe from cancelled code."""
        self.kill()
        with anyio.CancelScope(shield=True), anyio.move_on_after(2):
            await self.process.aclose()
        reaper.forget(self._ticket)
        self._ticket = None
