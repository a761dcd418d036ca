"""The seam between the HTTP client and a protocol: what a dialect must say and parse."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Protocol

from fixloop.providers.base import BadReply, ChatRequest
from fixloop.providers.sse import Event


@dataclass(slots=True)
class Reply:
    """What a protocol made of a reply so far: filled in place while a stream arrives."""

    parts: list[str] = field(default_factory=list)
    chars: int = 0
    input_tokens: int | None = None  # None: the server has not said (yet)
    output_tokens: int | None = None
    stop: str | None = None  # the server's stop or finish reason
    complete: bool = False  # the final event (or a whole JSON body) arrived

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.chars += len(text)

    @property
    def text(self) -> str:
        return "".join(self.parts)


class Dialect(Protocol):
    """One wire protocol (OpenAI chat completions, Anthropic messages)."""

    path: str  # relative to base_url
    length_stops: frozenset[str]  # stop reasons meaning "hit max_tokens"

    def headers(self, api_key: str | None) -> dict[str, str]: ...

    def body(self, model: str, request: ChatRequest, stream: bool) -> dict[str, Any]: ...

    def parse(self, body: bytes) -> Reply:
        """A whole JSON reply; BadReply if it is not the protocol's shape."""

    def feed(self, reply: Reply, event: Event) -> None:
        """One streamed event into `reply`; BadReply or BadStatus for a broken or error event."""


def load_object(data: bytes | str, what: str = "reply") -> dict[str, Any]:
    """A JSON object, or BadReply saying what is wrong."""
    try:
        obj = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BadReply(f"{what} is not JSON: {exc}") from None
    if not isinstance(obj, dict):
        raise BadReply(f"{what} is not a JSON object")
    return obj


# A count above this (2**48, some 2.8e14 tokens: far more than any server bills in a day)
# counts as this much: still far past any cap, and a loop's sum of them stays a float and
# a SQLite integer (a reported 10**400 raised OverflowError and was never recorded).
MAX_TOKEN_COUNT = 2**48


def tokens(value: object) -> int | None:
    """A token count from a usage object, or None when absent or nonsense."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return min(value, MAX_TOKEN_COUNT)
    return None
