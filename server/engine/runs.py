"""Running a finding's fix pipeline (engine/pipeline.py) in the server: starts, stops, stages.

Each stage is a job of its own: a start on the fast tier first judges the
candidates that need no model at once; a model stage waits for a loop slot.
What runs next, and what is remembered, is the pipeline's decision. Every run
happens under the finding's own cancel scope.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import anyio
import anyio.abc

from fixloop.config import Settings, Tier
from fixloop.engine import pipeline, privacy
from fixloop.engine.reporting import Reporter
from fixloop.engine.results import Attempt, LoopResult, LoopStatus, Snapshot
from fixloop.engine.shortcuts import Shortcut, try_shortcuts
from fixloop.engine.slots import Slots
from fixloop.engine.spending import TierMeter
from fixloop.engine.tiers import Maker, Origin
from fixloop.engine.toolbox import UNTRUSTED_GATE, Toolbox
from fixloop.engine.tracking import Document, State, Tracked
from fixloop.providers import FatalProviderError

_ENDED = {
    LoopStatus.FIXED: State.FIXED,
    LoopStatus.STOPPED: State.STOPPED,
    LoopStatus.OVER_BUDGET: State.STOPPED,  # the budget warning was said once already
}


class Runner:
    """Starts, stops and runs findings' loops in the engine's task group."""

    def __init__(
        self,
        task_group: anyio.abc.TaskGroup,
        toolbox: Toolbox,
        reporter: Reporter,
        settings: Callable[[Path], Settings],
        trusted_for: Callable[[Path], bool],
        is_open: Callable[[Document], bool],
        loops_for: Callable[[Path], int],
    ) -> None:
        self._tg = task_group
        self.toolbox = toolbox
        self._reporter = reporter
        self._listener = reporter.listener
        self._settings = settings
        self._trusted_for = trusted_for
        self._is_open = is_open
        self.slots = Slots(loops_for, self._dispatched)
        self.results: list[LoopResult] = []

    # -- starts and stops ----------------------------------------------------

    def start(
        self,
        doc: Document,
        tracked: Tracked,
        tier: Tier = Tier.FAST,
        history: tuple[Attempt, ...] = (),
    ) -> None:
        self.halt(doc, tracked)
        scope = tracked.begin(tier, history)
        if doc.checked is not None:
            candidates = pipeline.first_shortcuts(
                tier, doc.checked.text, tracked.finding, tracked.window, self.toolbox.memory
            )
            if candidates:
                self._tg.start_soon(self._run_shortcuts, doc, tracked, scope, candidates)
                return
        self.slots.push(doc, tracked)

    def halt(self, doc: Document, tracked: Tracked, state: State = State.CANCELLED) -> None:
        """Stop a finding's loop, running or waiting (its HTTP requests included)."""
        if tracked.scope is not None:
            tracked.scope.cancel()
        self.slots.discard(doc, tracked)
        if tracked.state in (State.QUEUED, State.RUNNING):
            self._reporter.set_state(doc, tracked, state)

    def _dispatched(self, doc: Document, tracked: Tracked, root: Path) -> None:
        self._tg.start_soon(self._run_loop, doc, tracked, tracked.scope, root)

    # -- runs ------------------------------------------------------------------

    async def _run_shortcuts(
        self,
        doc: Document,
        tracked: Tracked,
        scope: anyio.CancelScope,
        candidates: tuple[Shortcut, ...],
    ) -> None:
        """The tool's fix and remembered fixes, judged at once; the model's turn if none passes."""
        try:
            with scope:
                snapshot = doc.checked
                assert snapshot is not None
                root = snapshot.root
                settings = self._settings(root)
                tracked.judging_shortcuts(candidates)
                self._reporter.set_state(doc, tracked, State.RUNNING)
                self._listener.changed()
                judge = self.toolbox.judge(
                    settings,
                    snapshot,
                    tracked.finding,
                    doc.baseline,
                    tracked.window,
                    trusted=self._trusted_for(root),
                )
                result = await try_shortcuts(judge, candidates)
                origin = result.fix.tier if result.fix else candidates[-1].tier
                await self._finished(
                    doc, tracked, snapshot, result, origin, tracked.finding.source, 0.0
                )
                if pipeline.next_tier(settings, origin, result) == Tier.FAST:
                    # The model's turn, told why the shortcuts failed.
                    self._reporter.set_state(doc, tracked, State.QUEUED)
                    tracked.to_model(result.attempts)
                    self.slots.push(doc, tracked)
                self._listener.changed()
        except Exception as exc:  # a bug must not take the server down with it
            self._reporter.set_state(doc, tracked, State.STOPPED)
            self._reporter.crashed(f"fixing {tracked.finding.code} in {doc.uri}", exc)
            self._listener.changed()

    async def _run_loop(
        self, doc: Document, tracked: Tracked, scope: anyio.CancelScope, root: Path
    ) -> None:
        escalation: Tier | None = None
        try:
            with scope:
                if not scope.cancel_called:  # halted between its dispatch and now
                    escalation = await self._loop_body(doc, tracked)
        except Exception as exc:  # a bug must not take the server down with it
            self._reporter.set_state(doc, tracked, State.STOPPED)
            self._reporter.crashed(f"fixing {tracked.finding.code} in {doc.uri}", exc)
            self._listener.changed()
        finally:
            self.slots.done(root)
        if escalation is not None and self._is_open(doc):
            self.start(doc, tracked, escalation, tracked.attempts_so_far)
            self._listener.changed()

    async def _loop_body(self, doc: Document, tracked: Tracked) -> Tier | None:
        """One run on the model tier; the tier the pipeline moves on to by itself, if any."""
        # Read these only now: a check may have moved the finding while it was queued.
        snapshot = doc.checked
        assert snapshot is not None
        root = snapshot.root
        settings = self._settings(root)
        waited = time.monotonic() - tracked.requested
        trusted = self._trusted_for(root)
        if settings.gate.tests and not trusted:
            self._reporter.say(UNTRUSTED_GATE)
        if doc.broken:  # no candidate could pass a gate whose tools cannot run
            self._block(doc, tracked, "; ".join(doc.broken))
            return None
        refused = await privacy.refusal(snapshot.path, root, snapshot.text, settings.files)
        if refused:
            self._reporter.set_state(doc, tracked, State.STOPPED)
            self._reporter.say(refused)
            self._listener.changed()
            return None
        try:
            loop = self.toolbox.loop(
                tracked.tier,
                settings,
                snapshot,
                tracked.finding,
                doc.baseline,
                tracked.window,
                context=tracked.history,
                on_attempt=lambda number: self._attempted(doc, tracked, number),
                trusted=trusted,
                meter=self._meter(settings, root, tracked.tier),
            )
        except FatalProviderError as exc:
            self._reporter.set_state(doc, tracked, State.STOPPED)
            self._reporter.say(str(exc))
            self._listener.changed()
            return None
        tracked.running(loop)
        self._reporter.set_state(doc, tracked, State.RUNNING)
        self._listener.changed()
        result = await loop.run()
        await self._finished(
            doc, tracked, snapshot, result, tracked.tier, loop.provider.name, waited
        )
        if result.status is LoopStatus.STOPPED:
            self._reporter.say(result.reason)
        self._listener.changed()
        return pipeline.next_tier(settings, tracked.tier, result)

    async def _finished(
        self,
        doc: Document,
        tracked: Tracked,
        snapshot: Snapshot,
        result: LoopResult,
        tier: Maker,
        model: str,
        waited: float,
    ) -> None:
        """Record a run's figures, remember its fix, and set the finding's state."""
        root = snapshot.root
        self.results.append(result)
        if trouble := await self.toolbox.record_loop(
            root, tracked.finding, result, tier=tier, model=model, wait_seconds=waited
        ):
            self._reporter.say(trouble)
        self._listener.log(
            f"loop {tracked.finding.source} {tracked.finding.code} line "
            f"{tracked.finding.span.start_line + 1} ({tier}): {result.status.value} "
            f"after {len(result.attempts)} attempt(s) in {result.seconds:.2f} s"
            + (f" ({result.reason})" if result.reason else "")
        )
        if result.fix is None and isinstance(tier, Origin):
            return  # the model's turn; the caller queues it
        tracked.ended(result)
        pipeline.remember(self.toolbox.memory, snapshot.text, result)
        self._reporter.set_state(doc, tracked, _ENDED.get(result.status, State.GAVE_UP))

    def _block(self, doc: Document, tracked: Tracked, reason: str) -> None:
        """Stop a loop before it asks anything: the user was told why when the check failed."""
        self._reporter.set_state(doc, tracked, State.STOPPED)
        tracked.block(reason)
        self._listener.log(
            f"loop {tracked.finding.source} {tracked.finding.code} line "
            f"{tracked.finding.span.start_line + 1}: not started ({reason})"
        )
        self._listener.changed()

    def _meter(self, settings: Settings, root: Path, tier: Tier) -> TierMeter:
        meter = self.toolbox.meter(
            settings,
            root,
            tier,
            on_refused=lambda exc: self._reporter.budget_refused(
                root, self.toolbox.ledger.today(), exc
            ),
            on_spent=self._listener.changed,
            on_trouble=self._reporter.say,
        )
        if self.toolbox.notice:
            self._reporter.say(self.toolbox.notice)
        return meter

    def _attempted(self, doc: Document, tracked: Tracked, number: int) -> None:
        tracked.attempted(number)
        if tracked.state is State.RUNNING:
            self._reporter.progress(doc, tracked)
        self._listener.changed()
