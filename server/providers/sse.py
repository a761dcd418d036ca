"""Server-sent events: the framing both protocols stream in (a pure line decoder)."""

from __future__ import annotations

from dataclasses import dataclass


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
