"""What a fake model server can answer, what it records, and scripts of replies in JSON."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass, field
from typing import Any, Literal

ProtocolName = Literal["openai", "anthropic"]

# Characters per streamed delta, about one token, so pacing in tokens per second holds.
PIECE_CHARS = 4


@dataclass(frozen=True)
class Text:
    """A normal answer; a request with OpenAI's `n` > 1 gets it in every choice."""

    content: str
    _: KW_ONLY
    delay: float = 0.0  # seconds to the first token (to the response, when not streaming)
    usage: tuple[int, int] | None = None  # (prompt, completion) tokens; None: estimated
    finish_reason: str = "stop"  # OpenAI's words; mapped to Anthropic's stop_reason
    tokens_per_second: float | None = None  # pace of a streamed reply; None: all at once
    piece_chars: int = PIECE_CHARS  # characters per streamed delta (one token)
    # The responder's own note about this answer, handed back to `on_finished` (not sent).
    note: Any = field(default=None, compare=False)

    def contents_for(self, n: int) -> list[str]:
        return [self.content] * n


@dataclass(frozen=True)
class Choices:
    """Different answers for one OpenAI request with `n` > 1; Anthropic gets the first."""

    contents: list[str]
    _: KW_ONLY
    delay: float = 0.0  # the rest as for Text
    usage: tuple[int, int] | None = None
    finish_reason: str = "stop"
    tokens_per_second: float | None = None
    piece_chars: int = PIECE_CHARS
    note: Any = field(default=None, compare=False)

    def contents_for(self, n: int) -> list[str]:
        return list(self.contents)


Answer = Text | Choices


@dataclass(frozen=True)
class Error:
    """An HTTP error with a body in the protocol's own error format."""

    status: int
    _: KW_ONLY
    message: str = ""  # empty: the status's reason phrase
    headers: dict[str, str] = field(default_factory=dict)  # e.g. {"retry-after": "1"}
    error_type: str | None = None  # None: what the real service uses for this status


@dataclass(frozen=True)
class Hang:
    """Accept the request and never answer, until the server closes or the client leaves."""


@dataclass(frozen=True)
class Raw:
    """Any status and body, malformed ones included."""

    status: int
    body: bytes
    content_type: str = "application/json"


@dataclass(frozen=True)
class Truncated:
    """A reply cut short: a body shorter than its Content-Length, or an SSE stream
    that stops mid-way with no terminal event; then the connection closes."""

    content: str


Reply = Text | Choices | Error | Hang | Raw | Truncated


@dataclass(frozen=True)
class RecordedRequest:
    """One completion request as the server received it."""

    path: str
    headers: dict[str, str]  # keys in lower case
    body: dict[str, Any]
    protocol: ProtocolName
    # When its headers had arrived (time.monotonic()): replies are paced from here.
    received: float = field(default_factory=time.monotonic, compare=False)

    @property
    def prompt_text(self) -> str:
        """The system prompt and every message's text, joined by newlines."""
        parts = texts(self.body.get("system"))
        for message in self.body.get("messages") or []:
            if isinstance(message, dict):
                parts += texts(message.get("content"))
        return "\n".join(parts)


Responder = Callable[[RecordedRequest], Reply | None]
# Called once a request is over: the reply it got and whether all of it was sent.
Finished = Callable[[RecordedRequest, Reply, bool], None]


def texts(content: Any) -> list[str]:
    """The texts of a message's content: both protocols allow a plain string or a list of
    typed blocks with "text"."""
    if isinstance(content, str):
        return [content]
    if isinstance(content, list):
        return [
            b["text"] for b in content if isinstance(b, dict) and isinstance(b.get("text"), str)
        ]
    return []


# --- scripts ---------------------------------------------------------------------------


def reply_from_json(obj: dict[str, Any]) -> Reply:
    """One reply from its JSON form, e.g. {"kind": "text", "content": "...", "delay": 0.1}."""
    fields = {k: v for k, v in obj.items() if k != "kind"}
    kind = obj.get("kind")
    if "usage" in fields and fields["usage"] is not None:
        fields["usage"] = tuple(fields["usage"])
    if kind == "raw" and isinstance(fields.get("body"), str):
        fields["body"] = fields["body"].encode()
    kinds: dict[str, type] = {
        "text": Text,
        "choices": Choices,
        "error": Error,
        "hang": Hang,
        "raw": Raw,
        "truncated": Truncated,
    }
    if kind not in kinds:
        raise ValueError(f"unknown reply kind {kind!r}; expected one of {sorted(kinds)}")
    try:
        return kinds[kind](**fields)
    except TypeError as exc:
        raise ValueError(f"bad {kind!r} reply {obj!r}: {exc}") from None


def load_script(obj: Any) -> tuple[list[Reply], Reply | None]:
    """Replies and default from a script: a list of replies, or
    {"replies": [...], "default": {...}}."""
    if isinstance(obj, list):
        obj = {"replies": obj}
    if not isinstance(obj, dict):
        raise TypeError("a script is a list of replies or an object with 'replies'")
    default = obj.get("default")
    return (
        [reply_from_json(r) for r in obj.get("replies", [])],
        reply_from_json(default) if default is not None else None,
    )
