"""What the engine asks of a model, what it gets back, and how calls fail.

Errors from the HTTP stack are translated here, at the boundary:

    ProviderError            the attempt failed; the loop goes on
    ├── Unreachable          connection refused, DNS, reset, no complete reply in time
    ├── BadStatus            an HTTP error status (429, 5xx, 529, 4xx) with the server's message
    ├── BadReply             a body that is not the protocol's shape (malformed, empty,
    │                        truncated, a cut stream, a reply stopped at max_tokens)
    ├── ProviderDown         the provider kept failing and is resting; nothing was sent
    └── FatalProviderError   no later attempt can succeed (missing key, 401, unknown model):
                             the loop stops and the user is told

Whatever a `Meter` raises to refuse a request (a spent budget) is not a
ProviderError and passes through untouched: nothing was sent.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Message:
    role: str  # "user" or "assistant"
    content: str


@dataclass(frozen=True, slots=True)
class Fence:
    """The shape of a reply that is one fenced code block: its tag and at most how many lines.

    `first`: what the block's first line starts with (the region's own first line or its
    indentation), so that a small model rewrites the region instead of the context above it.
    Only whitespace: the line goes on with something else than whitespace.
    """

    tag: str
    max_lines: int
    first: str = ""


@dataclass(frozen=True, slots=True)
class ChatRequest:
    """One prompt: a system text and the conversation."""

    system: str
    messages: tuple[Message, ...]
    max_tokens: int = 1024
    temperature: float = 0.2
    # The reply must be exactly one fenced code block of this shape: a local model is held
    # to it by a grammar (providers/local/grammar.py); a hosted one is only asked.
    fence: Fence | None = None

    @property
    def texts(self) -> tuple[str, ...]:
        """Every text the model reads, for token estimates."""
        return (self.system, *(m.content for m in self.messages))


@dataclass(frozen=True, slots=True)
class Completion:
    """A model's reply and what it cost in tokens."""

    text: str
    input_tokens: int
    output_tokens: int
    seconds: float
    requests: int = 1  # HTTP requests it took, retries included


class ProviderError(Exception):
    """A model call that gave no usable reply."""


class Unreachable(ProviderError):
    """The server could not be reached or did not answer in time."""

    def __init__(self, message: str, *, timed_out: bool = False) -> None:
        super().__init__(message)
        self.timed_out = timed_out  # a timeout is not retried: it already spent its time


class BadStatus(ProviderError):
    """The server answered with an HTTP error status."""

    def __init__(self, message: str, status: int, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


class BadReply(ProviderError):
    """The body was not what the protocol promises."""


class ProviderDown(ProviderError):
    """The provider failed too often lately; no request is sent until it has rested."""

    def __init__(self, message: str, seconds_left: float) -> None:
        super().__init__(message)
        self.seconds_left = seconds_left


class FatalProviderError(ProviderError):
    """A configuration problem: no attempt can succeed until the user acts."""


class Charge(Protocol):
    """One request's reservation, settled once the request is over.

    Both are awaited from cleanup code, cancelled or not: they must finish
    their own work (shielded, bounded) and never raise.

    A charge may also have `max_tokens` (the output the request may ask for, lowered
    to fit the budget: the request is sent with it) and `async stopped()`, which
    returns an exception once the request must stop (the budget has passed its cap):
    the request is then cut off and that exception raised.
    """

    async def settle(self, input_tokens: int | None, output_tokens: int | None) -> object:
        """The server may have billed this; None for a count it did not report."""

    async def release(self) -> None:
        """Nothing was billed: the server refused the request or was never reached."""


class Meter(Protocol):
    """Admits requests: awaited before every HTTP request, retries included.

    Raises (anything but a ProviderError) to refuse; nothing is sent then.
    Async, because admission may wait on storage shared with other processes.
    """

    async def reserve(self, request: ChatRequest) -> Charge: ...


class HealthState(enum.Enum):
    UP = "up"
    DOWN = "down"


@dataclass(frozen=True, slots=True)
class Health:
    """Whether a provider is taking requests, and why not."""

    state: HealthState
    reason: str = ""
    seconds_left: float = 0.0


class Provider(Protocol):
    """A model behind some HTTP protocol."""

    name: str  # the model's name, for titles and figures

    async def complete(self, request: ChatRequest, meter: Meter | None = None) -> Completion: ...

    def health(self) -> Health: ...

    async def aclose(self) -> None: ...
