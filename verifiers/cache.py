"""Verdicts remembered by content: identical texts are verified once.

Loops for different diagnostics of one file often produce the same candidate
(one import fixes two undefined names), and an accepted fix makes the buffer
equal to a candidate that was just verified. The cache keys a verdict by the
tool, the text's hash and the file it stands for; entries expire after `ttl`
seconds, because the text is not all a verdict depends on (other files, the
tool's settings). Concurrent checks of the same text share one run. Errors
are never cached: the next check tries again.
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict

import anyio

from fixloop.verifiers.base import CheckRequest, Finding, Verifier

Key = tuple[str, str, str]


class _Pending:
    def __init__(self) -> None:
        self.done = anyio.Event()
        self.findings: tuple[Finding, ...] | None = None


class CachedVerifier:
    """A verifier whose verdicts are kept for identical texts (bounded, expiring)."""

    def __init__(self, inner: Verifier, *, size: int = 256, ttl: float = 30.0) -> None:
        self.inner = inner
        self.name = inner.name
        self.size = size
        self.ttl = ttl
        self._done: OrderedDict[Key, tuple[float, tuple[Finding, ...]]] = OrderedDict()
        self._running: dict[Key, _Pending] = {}
        self.hits = 0
        self.misses = 0

    @staticmethod
    def key(request: CheckRequest) -> Key:
        digest = hashlib.blake2b(request.text.encode("utf-8", "surrogatepass"), digest_size=16)
        return (digest.hexdigest(), str(request.path), str(request.root))

    async def check(self, request: CheckRequest) -> tuple[Finding, ...]:
        key = self.key(request)
        while True:
            cached = self._done.get(key)
            if cached is not None and time.monotonic() - cached[0] < self.ttl:
                self._done.move_to_end(key)
                self.hits += 1
                return cached[1]
            pending = self._running.get(key)
            if pending is None:
                break
            await pending.done.wait()  # the same text is being checked: share its verdict
            if pending.findings is not None:
                self.hits += 1
                return pending.findings
            # it failed or was cancelled: check it ourselves
        self.misses += 1
        pending = self._running[key] = _Pending()
        try:
            findings = await self.inner.check(request)
            pending.findings = findings
            self._remember(key, findings)
            return findings
        finally:
            del self._running[key]
            pending.done.set()

    def _remember(self, key: Key, findings: tuple[Finding, ...]) -> None:
        self._done[key] = (time.monotonic(), findings)
        self._done.move_to_end(key)
        while len(self._done) > self.size:
            self._done.popitem(last=False)

    def take_notices(self) -> tuple[str, ...]:
        take = getattr(self.inner, "take_notices", None)
        return take() if take is not None else ()

    async def aclose(self) -> None:
        close = getattr(self.inner, "aclose", None)
        if close is not None:
            await close()
