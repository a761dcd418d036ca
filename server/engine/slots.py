"""Loop slots: one priority queue per workspace, `budget.loops` loops at a time.

The queue serves first what the user asked about (the latest ask first), then
the findings of the buffer edited most recently, then the rest in the order
they came.

Priorities change while items wait (the user asks about one, or edits another
buffer), so an item may be pushed again with a better priority; the entry it
had before is left in the heap and skipped when it comes up (lazy deletion).
Everything happens on the event loop's thread: no locks.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, TypeVar

from fixloop.engine.tracking import Document, State, Tracked

Item = TypeVar("Item", bound=Hashable)
Priority = tuple[int, ...]  # smaller comes first


@dataclass(order=True, slots=True)
class _Entry(Generic[Item]):
    priority: Priority
    sequence: int  # first come, first served among equals
    item: Item = field(compare=False)
    ticket: object = field(compare=False)


class LoopQueue(Generic[Item]):
    """Waiting items by priority, and how many of `capacity` slots are taken."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.running = 0
        self._heap: list[_Entry[Item]] = []
        self._tickets: dict[Item, object] = {}  # the live entry of each waiting item
        self._sequence = itertools.count()

    def __len__(self) -> int:
        """How many items wait."""
        return len(self._tickets)

    def __contains__(self, item: object) -> bool:
        return item in self._tickets

    def push(self, item: Item, priority: Priority) -> None:
        """Wait for a slot (or wait with a new priority, keeping its place among equals)."""
        ticket = object()
        self._tickets[item] = ticket
        heapq.heappush(self._heap, _Entry(priority, next(self._sequence), item, ticket))
        if len(self._heap) > 64 and len(self._heap) > 4 * len(self._tickets):
            self._compact()

    def reprioritize(self, item: Item, priority: Priority) -> bool:
        """Give a waiting item a new priority; False when it is not waiting."""
        if item not in self._tickets:
            return False
        self.push(item, priority)
        return True

    def discard(self, item: Item) -> None:
        """Stop waiting (the item was cancelled or its document closed)."""
        self._tickets.pop(item, None)

    def take(self) -> list[Item]:
        """The items that may start now, best first; each holds a slot until `done`."""
        started: list[Item] = []
        while self.running < self.capacity and self._heap:
            entry = heapq.heappop(self._heap)
            if self._tickets.get(entry.item) is not entry.ticket:
                continue  # superseded or discarded
            del self._tickets[entry.item]
            self.running += 1
            started.append(entry.item)
        return started

    def done(self) -> None:
        """A started item finished: its slot is free."""
        self.running = max(0, self.running - 1)

    def waiting(self) -> list[Item]:
        """The waiting items, best first (for status and tests; sorts a copy)."""
        return [
            entry.item
            for entry in sorted(self._heap)
            if self._tickets.get(entry.item) is entry.ticket
        ]

    def _compact(self) -> None:
        self._heap = [e for e in self._heap if self._tickets.get(e.item) is e.ticket]
        heapq.heapify(self._heap)


Entry = tuple[Document, Tracked]


def priority(doc: Document, tracked: Tracked) -> Priority:
    """Asked-for findings first (the latest ask first), then by the buffer's recency."""
    if tracked.asked:
        return (0, -tracked.asked)
    return (1, -doc.focus)


class Slots:
    """The workspaces' queues; `start` runs a loop taken from one (root given)."""

    def __init__(
        self, loops_for: Callable[[Path], int], start: Callable[[Document, Tracked, Path], None]
    ) -> None:
        self._loops_for = loops_for
        self._start = start
        self._queues: dict[Path, LoopQueue[Entry]] = {}

    def queue(self, root: Path) -> LoopQueue[Entry]:
        loops = self._loops_for(root)
        queue = self._queues.get(root)
        if queue is None:
            queue = self._queues[root] = LoopQueue(loops)
        queue.capacity = loops
        return queue

    def push(self, doc: Document, tracked: Tracked) -> None:
        root = doc.latest.root
        self.queue(root).push((doc, tracked), priority(doc, tracked))
        self.dispatch(root)

    def dispatch(self, root: Path) -> None:
        """Start as many waiting loops as the workspace has free slots."""
        for doc, tracked in self.queue(root).take():
            self._start(doc, tracked, root)

    def done(self, root: Path) -> None:
        """A loop of this workspace ended: its slot goes to the next one waiting."""
        self.queue(root).done()
        self.dispatch(root)

    def reprioritize(self, doc: Document, tracked: Tracked) -> None:
        self.queue(doc.latest.root).reprioritize((doc, tracked), priority(doc, tracked))

    def refocus(self, doc: Document) -> None:
        """`doc` became the buffer edited most recently: reorder its waiting findings."""
        queue = self.queue(doc.latest.root)
        for tracked in doc.tracked.values():
            if tracked.state is State.QUEUED:
                queue.reprioritize((doc, tracked), priority(doc, tracked))

    def discard(self, doc: Document, tracked: Tracked) -> None:
        self.queue(doc.latest.root).discard((doc, tracked))

    def waiting(self, root: Path) -> list[Tracked]:
        """The findings waiting for a loop slot in a workspace, in the order they will start."""
        return [tracked for _, tracked in self.queue(root).waiting()]
