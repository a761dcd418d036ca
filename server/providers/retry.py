"""When to try a request again, and when to rest a provider that keeps failing."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from fixloop.providers.base import (
    BadStatus,
    Health,
    HealthState,
    ProviderDown,
    ProviderError,
    Unreachable,
)

# 408 timeout, 409 conflict (Anthropic's "try again"), 425 too early, 429 rate limit,
# every 5xx and Anthropic's 529 "overloaded".
RETRY_STATUSES = frozenset({408, 409, 425, 429})


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Backoff with jitter for transient failures; `retry-after` wins when the server sends it."""

    retries: int = 2  # requests after the first, each a new request with its own reservation
    base: float = 0.5  # seconds before the first retry (doubling, half of it jittered)
    cap: float = 8.0
    max_wait: float = 20.0  # a longer retry-after rests the provider instead of waiting
    failures_to_rest: int = 5  # failed calls in a row after which the provider rests
    rest: float = 30.0  # seconds

    def retryable(self, exc: ProviderError) -> bool:
        if isinstance(exc, BadStatus):
            return exc.status in RETRY_STATUSES or exc.status >= 500
        return isinstance(exc, Unreachable) and not exc.timed_out

    def delay(self, exc: ProviderError, retry: int, rng: random.Random) -> float:
        """Seconds to wait before retry number `retry` (0-based)."""
        after = exc.retry_after if isinstance(exc, BadStatus) else None
        if after is not None:
            return after + rng.uniform(0, min(1.0, 0.1 * after + 0.05))  # spread the herd a little
        ceiling = min(self.cap, self.base * 2**retry)
        return ceiling / 2 + rng.uniform(0, ceiling / 2)


DEFAULT_POLICY = RetryPolicy()


class Breaker:
    """Counts failed calls in a row; after enough of them the provider rests a while."""

    def __init__(
        self, name: str, policy: RetryPolicy, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._name = name
        self._policy = policy
        self._clock = clock
        self._failures = 0
        self._until = 0.0
        self._reason = ""

    def check(self) -> None:
        """ProviderDown while resting; after the rest one call may try again."""
        left = self._until - self._clock()
        if left > 0:
            raise ProviderDown(f"{self._name} is resting for {left:.0f} s: {self._reason}", left)

    def succeeded(self) -> None:
        self._failures = 0
        self._until = 0.0

    def failed(self, reason: str, rest_at_least: float = 0.0) -> None:
        self._failures += 1
        if self._failures >= self._policy.failures_to_rest or rest_at_least > 0:
            rest = max(
                self._policy.rest if self._failures >= self._policy.failures_to_rest else 0,
                rest_at_least,
            )
            self._until = self._clock() + rest
            self._reason = f"{self._failures} failed call(s) in a row, the last: {reason}"

    def health(self) -> Health:
        left = self._until - self._clock()
        if left > 0:
            return Health(HealthState.DOWN, self._reason, left)
        return Health(HealthState.UP)
