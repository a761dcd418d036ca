"""What the engine asks of a model, what it gets back, and how calls fail.

Errors from the HTTP stack are translated here, at the boundary:

    ProviderError            the attempt failed; the loop goes on
    ├── Unreachable          connection refused, DNS, reset, timeout
    ├── BadStatus            an HTTP error status (429, 5xx, 4xx) with the server's message
    ├── BadReply             a body that is not the protocol's shape (malformed, empty, truncated)
    └── FatalProviderError   no later attempt can succeed (missing key, 401, unknown model):
                             the loop stops and the user is told
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Message:
    role: str  # "user" or "assistant"
    content: str


@dataclass(frozen=True, slots=True)
class ChatRequest:
    """One prompt: a system text and the conversation."""

    system: str
    messages: tuple[Message, ...]
    max_tokens: int = 1024
    temperature: float = 0.2


@dataclass(frozen=True, slots=True)
class Completion:
    """A model's reply and what it cost in tokens."""

    text: str
    input_tokens: int
    output_tokens: int
    seconds: float


class ProviderError(Exception):
    """A model call that gave no usable reply."""


class Unreachable(ProviderError):
    """The server could not be reached or did not answer in time."""


class BadStatus(ProviderError):
    """The server answered with an HTTP error status."""

    def __init__(self, message: str, status: int, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


class BadReply(ProviderError):
    """The body was not what the protocol promises."""


class FatalProviderError(ProviderError):
    """A configuration problem: no attempt can succeed until the user acts."""


class Provider(Protocol):
    """A model behind some HTTP protocol."""

    name: str  # the model's name, for titles and figures

    async def complete(self, request: ChatRequest) -> Completion: ...

    async def aclose(self) -> None: ...
