"""JSON-RPC 2.0 over a byte stream with LSP's Content-Length framing.

Just enough to drive a language server (pyright's) as a verifier: encode a
message, and split a stream of bytes back into messages. Pure functions and a
small buffer class; the client that drives a server over them is `langserver`.
"""

from __future__ import annotations

import json
from typing import Any

HEADER_END = b"\r\n\r\n"
MAX_HEADER = 4096


class FramingError(Exception):
    """The peer sent bytes that are not a Content-Length framed JSON message."""


def encode(message: dict[str, Any]) -> bytes:
    """One framed message."""
    body = json.dumps(message, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


class MessageBuffer:
    """Bytes in, whole messages out; keeps a partial message across feeds."""

    def __init__(self, max_body: int = 64 * 1024 * 1024) -> None:
        self._data = bytearray()
        self._max_body = max_body

    def feed(self, chunk: bytes) -> list[dict[str, Any]]:
        """Add `chunk`; return every message it completed, in order."""
        self._data += chunk
        messages = []
        while True:
            end = self._data.find(HEADER_END)
            if end < 0:
                if len(self._data) > MAX_HEADER:
                    raise FramingError("no end of header within 4096 bytes")
                return messages
            length = _content_length(bytes(self._data[:end]))
            if length > self._max_body:
                raise FramingError(f"message of {length} bytes is larger than allowed")
            start = end + len(HEADER_END)
            if len(self._data) < start + length:
                return messages
            body = bytes(self._data[start : start + length])
            del self._data[: start + length]
            try:
                message = json.loads(body)
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise FramingError(f"message body is not JSON: {exc}") from None
            if not isinstance(message, dict):
                raise FramingError("message body is not a JSON object")
            messages.append(message)


def _content_length(header: bytes) -> int:
    for line in header.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            try:
                length = int(value.strip())
            except ValueError:
                break
            if length >= 0:
                return length
            break
    raise FramingError(f"header without a valid Content-Length: {header[:200]!r}")
