"""Checking a document: debounced, then its findings matched to the tracked ones.

A check publishes only if no newer version arrived meanwhile. Loops whose
window survived keep running, the others are halted, new findings get a
loop; findings of verifiers another server's diagnostics brought in are fixed
only when asked for (or already being fixed), and never shown.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import anyio

from fixloop.config import Settings
from fixloop.engine import privacy
from fixloop.engine.findings import run_checks
from fixloop.engine.reporting import Reporter
from fixloop.engine.results import Snapshot
from fixloop.engine.runs import Runner
from fixloop.engine.toolbox import Toolbox, gate_names
from fixloop.engine.tracking import Document, Tracked, key_id, match
from fixloop.verifiers.base import Finding


class Checker:
    """Runs a document's checks and keeps its tracked findings in step with them."""

    def __init__(
        self,
        toolbox: Toolbox,
        reporter: Reporter,
        runner: Runner,
        settings: Callable[[Path], Settings],
        next_ask: Callable[[], int],
    ) -> None:
        self.toolbox = toolbox
        self._reporter = reporter
        self._listener = reporter.listener
        self._runner = runner
        self._settings = settings
        self._next_ask = next_ask

    async def worker(self, doc: Document) -> None:
        """Check `doc` whenever woken: after the debounce, at once when urgent."""
        with doc.scope:
            while True:
                await doc.wake.wait()
                while True:
                    doc.wake = anyio.Event()
                    if doc.urgent:
                        break
                    settings = self._settings(doc.latest.root)
                    with anyio.move_on_after(settings.editor.debounce) as quiet:
                        await doc.wake.wait()
                    if quiet.cancelled_caught:
                        break
                doc.urgent = False
                try:
                    await self._check(doc, doc.latest)
                except Exception as exc:  # a bug must not take the server down with it
                    self._reporter.crashed(f"checking {doc.uri}", exc)

    async def _check(self, doc: Document, snapshot: Snapshot) -> None:
        if skipped := privacy.not_text(snapshot.path, snapshot.text):
            self._reporter.say(skipped)  # no tool can check it; none of it goes to a model
            if doc.latest.version == snapshot.version:
                doc.checked, doc.baseline, doc.broken = snapshot, (), ()
                self._listener.publish(snapshot, self._reconcile(doc, snapshot, ()))
                self._listener.changed()
            return
        settings = self._settings(snapshot.root)
        configured = gate_names(settings, snapshot)
        extra = tuple(name for name in doc.extra if name not in configured)
        result = await run_checks(
            snapshot, self.toolbox.verifiers(settings, extra, snapshot), self.toolbox.verify_limiter
        )
        for error in result.errors:
            self._reporter.say(f"{error} (no fix is offered while it cannot check the file)")
        for notice in result.notices:
            self._reporter.say(notice)
        if doc.latest.version != snapshot.version:
            return  # a newer version is waiting; never publish stale results
        doc.checked = snapshot
        doc.checked_with = frozenset((*configured, *extra))
        doc.baseline = result.findings
        doc.broken = result.errors
        own = tuple(f for f in result.shown if f.source not in extra)
        foreign = tuple(f for f in result.shown if f.source in extra)
        shown = self._reconcile(doc, snapshot, own, foreign)
        if settings.editor.publish_diagnostics:
            self._listener.publish(snapshot, shown)
        self._listener.changed()

    def _reconcile(
        self,
        doc: Document,
        snapshot: Snapshot,
        own: tuple[Finding, ...],
        foreign: tuple[Finding, ...] = (),
    ) -> tuple[tuple[Finding, str], ...]:
        """Keep the loops whose window survived, cancel the rest, start new ones."""
        matched = match(doc, snapshot, own, foreign)
        for name, code, line in matched.unreported:
            self._listener.log(
                f"{name} does not report {code} on line {line + 1} of {doc.uri}: fixloop cannot "
                "verify a fix for that diagnostic"
            )
        doc.wanted.clear()
        for key in list(doc.tracked):
            if key not in matched.current:
                self._runner.halt(doc, doc.tracked.pop(key))
        for key, current in matched.current.items():
            tracked = doc.tracked.get(key)
            if tracked is not None:
                tracked.moved(current.finding, current.window)
                if tracked.blocked and not doc.broken:  # the tools work again
                    self._runner.start(doc, tracked)
                continue
            tracked = doc.tracked[key] = Tracked(
                key_id(doc.uri, key), current.finding, current.window
            )
            if current.foreign:
                tracked.ask(self._next_ask(), foreign=True)  # the user's code action asked for it
            self._runner.start(doc, tracked)
        return tuple(
            (current.finding, doc.tracked[key].id)
            for key, current in matched.current.items()
            if not current.foreign
        )
