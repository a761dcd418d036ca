"""Warm mypy workers, each with its own cache directory.

mypy is checked by long-lived workers (`mypy_worker.py`): one Python that
imported mypy once and runs `mypy.api.run` per request. Each worker owns one
cache directory, so concurrent checks never share a cache. The first worker
of a workspace starts cold; once it has run, its cache is copied to a seed,
and every further worker starts from a copy of that seed, warm.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import anyio
from anyio.streams.buffered import BufferedByteReceiveStream

from fixloop.processes.longlived import ToolProcess
from fixloop.verifiers.base import VerifierError

WORKER_SOURCE = (Path(__file__).parent / "mypy_worker.py").read_text(encoding="utf-8")
MAX_ANSWER = 64 * 1024 * 1024
RECYCLE_AFTER = 500  # requests; bounds whatever a long-lived mypy accumulates
START_TIMEOUT = 60.0


@dataclass(frozen=True, slots=True)
class MypyAnswer:
    code: int
    stdout: str
    stderr: str


class Worker:
    """One mypy worker process; one request at a time (its slot guarantees that)."""

    def __init__(self, tool: ToolProcess) -> None:
        self.tool = tool
        assert tool.process.stdout is not None
        self._lines = BufferedByteReceiveStream(tool.process.stdout)
        self._ids = itertools.count(1)
        self._unanswered: int | None = None  # a request whose caller was cancelled
        self.served = 0
        self.version = ""

    @classmethod
    async def start(cls, python: Path, cwd: Path, stderr_path: Path, timeout: float) -> Worker:
        # `python -c` puts its working directory (the workspace) first on sys.path, so a
        # workspace's json.py would run as the worker imports json: PYTHONSAFEPATH (3.11+)
        # leaves it off. An older Python of a trusted workspace ignores it (trusted anyway).
        tool = await ToolProcess.start(
            [str(python), "-c", WORKER_SOURCE], cwd=cwd, stderr_path=stderr_path, name="mypy",
            env={**os.environ, "PYTHONSAFEPATH": "1"},
        )  # fmt: skip
        worker = cls(tool)
        try:
            with anyio.fail_after(timeout):
                hello = await worker._read()
        except TimeoutError:
            await tool.aclose()
            raise VerifierError(f"mypy did not start within {timeout:g} s and was killed") from None
        except BaseException:
            await tool.aclose()
            raise
        if not hello.get("ready"):
            await tool.aclose()
            raise VerifierError(str(hello.get("error") or f"mypy worker said {hello!r}"))
        worker.version = str(hello.get("version", ""))
        return worker

    async def _read(self) -> dict:
        try:
            line = await self._lines.receive_until(b"\n", MAX_ANSWER)
        except (anyio.EndOfStream, anyio.IncompleteRead, anyio.BrokenResourceError):
            await self.tool.process.wait()
            raise self.tool.died("checking") from None
        except anyio.DelimiterNotFound:
            raise VerifierError(f"mypy wrote more than {MAX_ANSWER} bytes") from None
        try:
            message = json.loads(line)
        except json.JSONDecodeError:
            raise VerifierError(
                f"mypy worker wrote something else than JSON: {line[:200]!r}"
            ) from None
        if not isinstance(message, dict):
            raise VerifierError(f"mypy worker wrote {message!r}")
        return message

    async def _answer_to(self, request_id: int) -> dict:
        while True:
            message = await self._read()
            if message.get("id") == request_id:
                return message

    async def run(self, args: list[str], timeout: float) -> MypyAnswer:
        """mypy's stdout, stderr and exit code for `args`; VerifierError if it cannot say."""
        with anyio.fail_after(timeout):
            if self._unanswered is not None:  # a cancelled caller's answer is still coming
                await self._answer_to(self._unanswered)
                self._unanswered = None
            request_id = next(self._ids)
            await self.tool.send(json.dumps({"id": request_id, "args": args}).encode() + b"\n")
            self._unanswered = request_id
            answer = await self._answer_to(request_id)
            self._unanswered = None
        self.served += 1
        return MypyAnswer(int(answer["code"]), str(answer["stdout"]), str(answer["stderr"]))

    async def aclose(self) -> None:
        await self.tool.aclose()


class Slot:
    """A cache directory and the worker that alone uses it."""

    def __init__(self, cache_dir: Path) -> None:
        self.cache_dir = cache_dir
        self.worker: Worker | None = None

    async def discard_worker(self) -> None:
        if self.worker is not None:
            worker, self.worker = self.worker, None
            await worker.aclose()


class MypyPool:
    """Slots for one workspace and interpreter: at most `size` checks at once."""

    def __init__(self, python: Path, root: Path, home: Path, size: int) -> None:
        self.python = python
        self.root = root
        self.home = home  # private to this pool
        self.size = size
        self._free = anyio.Semaphore(size)
        self._idle: list[Slot] = []
        self._slots: list[Slot] = []
        self._seed: Path | None = None
        self._seeding = anyio.Lock()
        self.version = ""

    async def run(self, args_for, timeout: float) -> MypyAnswer:
        """Run mypy with `args_for(cache_dir)` on a free slot."""
        async with self._free:
            slot = self._idle.pop() if self._idle else await self._new_slot()
            try:
                answer = await self._run_on(slot, args_for(str(slot.cache_dir)), timeout)
            finally:
                self._idle.append(slot)
            if self._seed is None and answer.code in (0, 1):
                await self._make_seed(slot)
            return answer

    async def _run_on(self, slot: Slot, args: list[str], timeout: float) -> MypyAnswer:
        if slot.worker is not None and (
            slot.worker.served >= RECYCLE_AFTER or not slot.worker.tool.alive
        ):
            await slot.discard_worker()
        if slot.worker is None:
            index = self._slots.index(slot)
            slot.worker = await Worker.start(
                self.python,
                self.root,
                self.home / f"stderr-{index}.log",
                min(timeout, START_TIMEOUT),
            )
            self.version = slot.worker.version
        try:
            return await slot.worker.run(args, timeout)
        except TimeoutError:
            await self._reset(slot)
            raise VerifierError(f"mypy timed out after {timeout:g} s and was killed") from None
        except VerifierError:
            await self._reset(slot)
            raise

    async def _reset(self, slot: Slot) -> None:
        """A killed or broken worker may have left its cache half written: start it afresh."""
        await slot.discard_worker()
        await anyio.to_thread.run_sync(_replace_dir, slot.cache_dir, self._seed)

    async def _new_slot(self) -> Slot:
        slot = Slot(self.home / f"cache-{len(self._slots)}")
        await anyio.to_thread.run_sync(_replace_dir, slot.cache_dir, self._seed)
        self._slots.append(slot)
        return slot

    async def _make_seed(self, slot: Slot) -> None:
        """Copy a slot's warm cache (while nobody writes to it) for the slots to come."""
        async with self._seeding:
            if self._seed is not None or slot not in self._idle:
                return
            self._idle.remove(slot)
            try:
                seed = self.home / "seed"
                await anyio.to_thread.run_sync(_replace_dir, seed, slot.cache_dir)
                self._seed = seed
            finally:
                self._idle.append(slot)

    async def aclose(self) -> None:
        for slot in self._slots:
            await slot.discard_worker()


def _replace_dir(target: Path, source: Path | None) -> None:
    shutil.rmtree(target, ignore_errors=True)
    if source is not None and source.is_dir():
        shutil.copytree(source, target, copy_function=_copy_if_there)
    else:
        target.mkdir(parents=True, exist_ok=True)


def _copy_if_there(source: str, target: str) -> None:
    """Copy one cache file; a file that cannot be copied whole is left out (a cache miss).

    mypy keeps its cache in SQLite databases in WAL mode, which an idle worker may still
    checkpoint (writing the database, then deleting its -wal and -shm files): a byte copy
    could be torn, and a copied -shm file carries another process's locks ("database is
    locked"). Databases are copied with SQLite's backup, which reads a consistent snapshot.
    """
    if source.endswith(("-wal", "-shm")):
        return  # the backup of the database takes what they hold
    try:
        if source.endswith(".db"):
            with (
                contextlib.closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as src,
                contextlib.closing(sqlite3.connect(target)) as dst,
            ):
                src.backup(dst)
        else:
            shutil.copy2(source, target)
    except (FileNotFoundError, sqlite3.Error):
        Path(target).unlink(missing_ok=True)
