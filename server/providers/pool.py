"""httpx clients for one provider, each with a few requests in flight at most.

httpcore's connection pool looks at every connection for every request it
places and every response it closes: the work grows with the square of the
requests in flight. With a hundred loops it took most of the server's event
loop. Several small pools, the first with room taken first (so connections
are reused), keep every look short.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import httpx

SIZE = 16  # requests in flight per client


class ClientPool:
    """Clients made by `make` on demand; `stream` on one with room."""

    def __init__(self, make: Callable[[int], httpx.AsyncClient], size: int = SIZE) -> None:
        self._make = make
        self._size = size
        self._clients: list[httpx.AsyncClient] = []
        self._busy: list[int] = []

    def _pick(self) -> int:
        for index, busy in enumerate(self._busy):
            if busy < self._size:
                return index
        self._clients.append(self._make(self._size))
        self._busy.append(0)
        return len(self._clients) - 1

    @asynccontextmanager
    async def stream(self, method: str, url: str, **kwargs) -> AsyncIterator[httpx.Response]:
        index = self._pick()
        self._busy[index] += 1
        try:
            async with self._clients[index].stream(method, url, **kwargs) as response:
                yield response
        finally:
            self._busy[index] -= 1

    async def aclose(self) -> None:
        clients, self._clients, self._busy = self._clients, [], []
        for client in clients:
            await client.aclose()
