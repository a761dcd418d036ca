"""stdin and stdout as non-blocking pipes on the event loop.

pygls' own stdio reader hands every line to a thread (three or four thread
hops per message) and its writer blocks until the client has read: under load
both showed up as the top of the server's profile and as codeAction latency.
When stdin and stdout are pipes (or sockets, or a terminal), both go through
asyncio's pipe transports instead: no threads, and a slow client never blocks
the loop (its messages wait in the transport's buffer). For other files
(a regular file on stdin), pygls' classes are used as before.
"""

from __future__ import annotations

import asyncio
import os
import stat
from concurrent.futures import ThreadPoolExecutor
from typing import BinaryIO

import anyio
from pygls.io_ import StdinAsyncReader, StdoutWriter

LIMIT = 64 * 1024 * 1024  # the longest line (header) the reader accepts


class PipeReader:
    """pygls' reader interface over a StreamReader; the end of input mid-message is an end."""

    def __init__(self, reader: asyncio.StreamReader) -> None:
        self._reader = reader

    async def readline(self) -> bytes:
        return await self._reader.readline()

    async def readexactly(self, n: int) -> bytes:
        try:
            return await self._reader.readexactly(n)
        except asyncio.IncompleteReadError as exc:
            return exc.partial


class PipeWriter:
    """pygls' writer interface over a write-pipe transport."""

    def __init__(self, transport: asyncio.WriteTransport) -> None:
        self._transport = transport

    def write(self, data: bytes) -> None:
        if not self._transport.is_closing():
            self._transport.write(data)

    def close(self) -> None:
        self._transport.close()

    async def drain(self, timeout: float) -> None:
        """Wait (at most `timeout`) until what was written has reached the pipe."""
        with anyio.move_on_after(timeout):
            while self._transport.get_write_buffer_size() and not self._transport.is_closing():
                await anyio.sleep(0.005)


async def open_stdio(
    stdin: BinaryIO, stdout: BinaryIO, executor: ThreadPoolExecutor | None
) -> tuple[object, object]:
    """A (reader, writer) pair for pygls' `run_async` and `set_writer`."""
    if not (_pipe_like(stdin) and _pipe_like(stdout)):
        return StdinAsyncReader(stdin, executor), StdoutWriter(stdout)
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=LIMIT)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), stdin)
    transport, _ = await loop.connect_write_pipe(asyncio.Protocol, stdout)
    return PipeReader(reader), PipeWriter(transport)


def _pipe_like(file: BinaryIO) -> bool:
    """Whether asyncio's pipe transports take this file: a pipe, a socket or a terminal."""
    try:
        mode = os.fstat(file.fileno()).st_mode
    except (OSError, ValueError, AttributeError):
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode) or stat.S_ISCHR(mode)
