"""Server-sent events: the framing both protocols stream in (a pure line decoder)."""

from __future__ import annotations

import re
from dataclasses import dataclass

_EOL = re.compile(r"\r\n|\r|\n")  # the only line endings SSE knows (str.splitlines knows more)


class LineTooLong(Exception):
    """A line (one event's data, usually) passed the splitter's cap."""


@dataclass(frozen=True, slots=True)
class Event:
    """One dispatched event: its name ("" when the stream gives none) and its data lines joined."""

    name: str
    data: str


class Decoder:
    """Feed it lines without their line endings; it returns an Event at each blank line.

    event: content_block_delta
    data: {"type": "content_block_delta", "index": 0, "delta": {...}}
    <blank>
    """

    def __init__(self) -> None:
        self._name = ""
        self._data: list[str] = []

    def line(self, line: str) -> Event | None:
        if not line:
            if not self._data:
                self._name = ""
                return None
            event = Event(self._name, "\n".join(self._data))
            self._name, self._data = "", []
            return event
        if line.startswith(":"):
            return None  # a comment, often a keep-alive
        field, _, value = line.partition(":")
        value = value.removeprefix(" ")  # one space, and only one, is part of the framing
        if field == "event":
            self._name = value
        elif field == "data":
            self._data.append(value)
        return None  # id, retry and unknown fields mean nothing to a one-shot request


class Lines:
    """Splits decoded text chunks into lines, holding at most `cap` characters of one line.

    A server that never ends a line cannot make the client buffer more than that.
    """

    def __init__(self, cap: int) -> None:
        self._cap = cap
        self._tail = ""

    def feed(self, text: str) -> list[str]:
        """The lines completed by `text`; LineTooLong once the unfinished one passes the cap."""
        tail = self._tail + text
        lines, start = [], 0
        for match in _EOL.finditer(tail):
            if match.group() == "\r" and match.end() == len(tail):
                break  # a "\n" may follow in the next chunk: one line ending, not two
            lines.append(tail[start : match.start()])
            start = match.end()
        self._tail = tail[start:]
        if len(self._tail) > self._cap:
            raise LineTooLong(f"a line passed {self._cap} characters")
        return lines

    def close(self) -> list[str]:
        """The last line, when the stream ended without a line ending."""
        tail, self._tail = self._tail, ""
        return [tail.removesuffix("\r")] if tail else []
