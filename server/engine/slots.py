"""Loop slots: one priority queue per workspace, `budget.loops` loops at a time.

The queue serves first what the user asked about (the latest ask first), then
the findings of the buffer edited most recently, then the rest in the order
they came.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fixloop.engine.queue import LoopQueue, Priority
from fixloop.engine.tracking import Document, State, Tracked

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
