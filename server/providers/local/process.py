"""The child process serving one local model: started on first use, restarted after a crash.

The child (`fixloop.providers.local.serve`) loads the model and serves it on
127.0.0.1. A crash in native code ends the child, never fixloop: the request in
flight fails, and the next one starts a new child. A child that cannot start,
or that keeps crashing, is a FatalProviderError naming its log. `aclose()`
stops it; should fixloop die without closing, the child sees its stdin close
and exits by itself.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import subprocess
import sys
from importlib.util import find_spec
from pathlib import Path

import anyio
import anyio.abc
import httpx
from anyio.streams.buffered import BufferedByteReceiveStream
from fixloop.providers.base import FatalProviderError
from fixloop.providers.local.weights import BUILD_FLAGS, LocalModel, WeightsError, ensure_weights

log = logging.getLogger("fixloop.local")

START_TIMEOUT = 120.0  # seconds for the child to load the model
CRASHES_IN_A_ROW = 3  # crashes without a single answer between them: stop restarting


def describe_exit(code: int | None) -> str:
    if code is None:
        return "is still running"
    if code < 0:
        try:
            return f"was killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"was killed by signal {-code}"
    return f"exited with status {code}"


def _log_tail(path: Path, lines: int = 5) -> str:
    try:
        text = path.read_text(errors="replace").strip().splitlines()
    except OSError:
        return ""
    return " | ".join(text[-lines:])


class LocalProcess:
    """One child serving one model; its base URL once running."""

    def __init__(
        self,
        model: LocalModel,
        *,
        cache_dir: Path,
        threads: int,
        python: str = sys.executable,
        start_timeout: float = START_TIMEOUT,
    ) -> None:
        self.model = model
        self.cache_dir = cache_dir
        self.threads = threads
        self.log_path = cache_dir / "logs" / f"{model.name}.log"
        self.turn = anyio.Lock()  # the child decodes one request at a time
        self._python = python
        self._start_timeout = start_timeout
        self._lock = anyio.Lock()
        self._process: anyio.abc.Process | None = None
        self.base_url = ""
        self.starts = 0
        self._crashes = 0  # in a row, since the last answer

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.returncode is None

    async def ensure(self) -> str:
        """The base URL of a running child, starting one if needed."""
        async with self._lock:
            if self.running:
                return self.base_url
            if self._process is not None:  # it died between requests
                self._crashes += 1
                why = describe_exit(self._process.returncode)
                log.warning("the local model %s %s; restarting it", self.model.name, why)
                await self._stop()
            if self._crashes >= CRASHES_IN_A_ROW:
                raise FatalProviderError(
                    f"the local model {self.model.name} crashed {self._crashes} times in a row "
                    f"(log: {self.log_path}); if it crashes in native code, rebuild "
                    f'llama-cpp-python with CMAKE_ARGS="{BUILD_FLAGS}" and pip\'s '
                    f"--force-reinstall --no-cache-dir"
                )
            # Shielded and bounded: a loop cancelled meanwhile must not leave a half-started
            # child, and the next caller would only start it again.
            with anyio.CancelScope(shield=True):
                await self._start()
            return self.base_url

    def answered(self) -> None:
        """A request got its answer: the crash count starts again."""
        self._crashes = 0

    async def after_failure(self) -> str:
        """After a request failed to connect or broke off: why, if the child is gone or hung."""
        process = self._process
        if process is None:
            return ""
        if process.returncode is None and await self._healthy():
            return ""  # the reply was bad, not the child: no waiting
        with anyio.move_on_after(2):  # a killed child is reaped in a moment
            await process.wait()
        if process.returncode is not None:
            self._crashes += 1
            why = describe_exit(process.returncode)
            log.warning("the local model %s %s; restarting it on next use", self.model.name, why)
            async with self._lock:
                if self._process is process:
                    await self._stop()
            return f"the local model process {why}"
        log.warning("the local model %s does not answer; restarting it", self.model.name)
        async with self._lock:
            if self._process is process:
                await self._stop()
        self._crashes += 1
        return "the local model process stopped answering"

    async def _healthy(self) -> bool:
        try:
            async with httpx.AsyncClient(timeout=5.0) as client:
                response = await client.get(self.base_url.removesuffix("/v1") + "/health")
            return response.status_code == 200 and response.json().get("status") == "ok"
        except (httpx.HTTPError, ValueError):
            return False

    async def _start(self) -> None:
        if find_spec("llama_cpp") is None:
            raise FatalProviderError(
                f"llama-cpp-python is not installed, so the local model cannot run; "
                f"install it with: {self.model.install}"
            )
        try:  # seconds on first use (copying and hashing), then a stat and a small read
            path = await anyio.to_thread.run_sync(
                ensure_weights, self.model, self.cache_dir / "models"
            )
        except WeightsError as exc:
            raise FatalProviderError(str(exc)) from None
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        # -P: `-m` would put the working directory (often the workspace) first on sys.path,
        # and a workspace's json.py or socket.py would run in the child. Its cwd is ours too.
        argv = [
            self._python, "-P", "-m", "fixloop.providers.local.serve",
            "--model", str(path), "--threads", str(self.threads),
        ]  # fmt: skip
        with self.log_path.open("ab") as log_file:
            self._process = await anyio.open_process(
                argv,
                cwd=self.log_path.parent,
                stdin=subprocess.PIPE,  # never written: its end closing tells the child to exit
                stdout=subprocess.PIPE,
                stderr=log_file,
                start_new_session=True,
            )
        self.starts += 1
        port = await self._read_port()
        self.base_url = f"http://127.0.0.1:{port}/v1"
        if not await self._healthy():
            await self._stop()
            raise FatalProviderError(
                f"the local model {self.model.name} started but does not answer "
                f"(log: {self.log_path})"
            )
        log.info(
            "local model %s ready: pid %s at %s, %d thread(s)",
            self.model.name, self.pid, self.base_url, self.threads,
        )  # fmt: skip

    async def _read_port(self) -> int:
        assert self._process is not None and self._process.stdout is not None
        stream = BufferedByteReceiveStream(self._process.stdout)
        try:
            with anyio.fail_after(self._start_timeout):
                while True:
                    line = (await stream.receive_until(b"\n", 4096)).decode(errors="replace")
                    if line.startswith("PORT "):
                        return int(line.split()[1])
        except (anyio.EndOfStream, anyio.IncompleteRead, anyio.DelimiterNotFound, ValueError):
            with anyio.move_on_after(5):
                await self._process.wait()
            why = describe_exit(self._process.returncode)
        except TimeoutError:
            why = f"did not load within {self._start_timeout:.0f} s"
        tail = _log_tail(self.log_path)
        await self._stop()
        raise FatalProviderError(
            f"the local model {self.model.name} could not start: the process {why} "
            f"(log: {self.log_path}{': ' + tail if tail else ''})"
        )

    async def _stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        with anyio.CancelScope(shield=True):
            for stop, grace in ((process.terminate, 3), (process.kill, 2)):
                if process.returncode is None:
                    with contextlib.suppress(ProcessLookupError):
                        stop()
                    with anyio.move_on_after(grace):
                        await process.wait()
            with anyio.move_on_after(1):
                await process.aclose()

    async def aclose(self) -> None:
        """Stop the child, if one runs."""
        async with self._lock:
            await self._stop()
