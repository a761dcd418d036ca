"""Progress on stderr: rich's bars when rich is installed (the `bench` extra), lines otherwise."""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO


class Quiet:
    """No progress at all (for --json and tests), but bad cases are still said."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream

    def begin(self, totals: dict[str, int], done: dict[str, int]) -> None:
        pass

    def job_done(self, strategy: str, fixed: bool) -> None:
        pass

    def note(self, text: str) -> None:
        if self.stream is not None and text.startswith("bad case"):
            print(f"fixloop bench: {text}", file=self.stream)

    def end(self) -> None:
        pass


class Lines:
    """A line every few seconds: for terminals without rich, and logs."""

    def __init__(self, stream: TextIO = sys.stderr, every: float = 5.0) -> None:
        self.stream = stream
        self.every = every
        self.totals: dict[str, int] = {}
        self.done: dict[str, int] = {}
        self.fixed: dict[str, int] = {}
        self._last = 0.0

    def begin(self, totals: dict[str, int], done: dict[str, int]) -> None:
        self.totals, self.done = dict(totals), dict(done)
        self.fixed = {name: 0 for name in totals}
        resumed = sum(done.values())
        if resumed:
            print(f"fixloop bench: {resumed} jobs already done, resuming", file=self.stream)

    def job_done(self, strategy: str, fixed: bool) -> None:
        self.done[strategy] += 1
        self.fixed[strategy] += fixed
        now = time.monotonic()
        if now - self._last >= self.every or sum(self.done.values()) == sum(self.totals.values()):
            self._last = now
            parts = ", ".join(f"{n} {self.done[n]}/{self.totals[n]}" for n in self.totals)
            print(f"fixloop bench: {parts}", file=self.stream, flush=True)

    def note(self, text: str) -> None:
        print(f"fixloop bench: {text}", file=self.stream, flush=True)

    def end(self) -> None:
        pass


class RichBars:
    """One bar per strategy, with the fixes so far."""

    def __init__(self, stream: TextIO = sys.stderr) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.console = Console(file=stream)
        self.progress = Progress(
            TextColumn("[bold]{task.description:<14}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[fixed]} fixed"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=self.console,
        )
        self.tasks: dict[str, Any] = {}
        self.fixed: dict[str, int] = {}

    def begin(self, totals: dict[str, int], done: dict[str, int]) -> None:
        self.progress.start()
        for name, total in totals.items():
            self.fixed[name] = 0
            self.tasks[name] = self.progress.add_task(
                name, total=total, completed=done.get(name, 0), fixed="·"
            )

    def job_done(self, strategy: str, fixed: bool) -> None:
        self.fixed[strategy] += fixed
        self.progress.update(self.tasks[strategy], advance=1, fixed=self.fixed[strategy])

    def note(self, text: str) -> None:
        self.console.print(f"fixloop bench: {text}", markup=False, highlight=False)

    def end(self) -> None:
        self.progress.stop()


def make_progress(enabled: bool, stream: TextIO | None = None):
    """Bars on a terminal with rich, lines without; nothing when disabled.

    `stream`: stderr as it is when called (a default bound at import outlives a replaced one)."""
    stream = stream if stream is not None else sys.stderr
    if not enabled:
        return Quiet(stream)
    if stream.isatty():
        try:
            return RichBars(stream)
        except ImportError:
            print(
                "fixloop bench: install the bench extra (pip install 'fixloop[bench]') for "
                "progress bars",
                file=stream,
            )
    return Lines(stream)
