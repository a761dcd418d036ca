"""Work-done progress for each running loop, cancellable from the editor.

One token per run of a loop (a retry or an escalation is a new run):
`window/workDoneProgress/create`, then `begin` once the client has answered,
a `report` per attempt ("attempt 2 of 8, fast") and `end` with how it ended.
The editor's cancel (`window/workDoneProgress/cancel`) stops that loop. Only
for clients that declare `window.workDoneProgress`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from lsprotocol import types as T

from fixloop.engine.seam import Origin, Progress, State

ENDINGS = {
    State.FIXED: "verified fix ready",
    State.GAVE_UP: "gave up",
    State.STOPPED: "stopped",
    State.CANCELLED: "cancelled",
    State.QUEUED: "waiting for the model",
}


@dataclass(eq=False)
class _Run:
    token: str
    uri: str
    finding_id: str
    latest: Progress
    created: bool = False
    ended: bool = False


def message(update: Progress) -> str:
    """`attempt 2 of 8, fast`; `checking the tool's fix`."""
    if update.tier in (Origin.TOOL, Origin.MEMORY):
        what = "the tool's fix" if update.tier == Origin.TOOL else "a remembered fix"
        return f"checking {what}"
    if not update.attempt:
        return f"starting, {update.tier}"
    return f"attempt {update.attempt} of {update.attempts}, {update.tier}"


class LoopProgress:
    """The progress tokens of running loops, and the way back from a cancel to the loop."""

    def __init__(
        self,
        ls,  # the FixloopServer (pygls LanguageServer)
        start_soon: Callable,
        cancel: Callable[[str, str], object],
    ) -> None:
        self._ls = ls
        self._start_soon = start_soon
        self._cancel = cancel
        self._runs: dict[tuple[str, str, int], _Run] = {}
        self._by_token: dict[str, _Run] = {}

    def supported(self) -> bool:
        window = self._ls.client_capabilities.window
        return bool(window and window.work_done_progress)

    def update(self, update: Progress) -> None:
        """What the engine said about a loop."""
        if self._ls.stopping or not self.supported():
            return
        key = (update.uri, update.finding_id, update.run)
        run = self._runs.get(key)
        if update.state is State.RUNNING:
            if run is None:
                run = _Run(f"fixloop-{uuid.uuid4().hex}", update.uri, update.finding_id, update)
                self._runs[key] = self._by_token[run.token] = run
                self._start_soon(self._create, run)
                return
            run.latest = update
            if run.created:
                self._ls.work_done_progress.report(
                    run.token, T.WorkDoneProgressReport(message=message(update), cancellable=True)
                )
            return
        if run is None or run.ended:
            return
        run.latest, run.ended = update, True
        if run.created:
            self._end(run)

    async def _create(self, run: _Run) -> None:
        try:
            await self._ls.work_done_progress.create_async(run.token)
        except Exception as exc:  # a client that refuses gets no progress, nothing else changes
            self._ls.log(f"window/workDoneProgress/create failed: {exc}")
            self._forget(run)
            return
        if self._ls.stopping:
            return
        run.created = True
        update = run.latest
        self._ls.work_done_progress.begin(
            run.token,
            T.WorkDoneProgressBegin(
                title=f"fixloop: fixing {update.code}",
                message=message(update),
                cancellable=True,
            ),
        )
        if run.ended:
            self._end(run)

    def _end(self, run: _Run) -> None:
        self._ls.work_done_progress.end(
            run.token, T.WorkDoneProgressEnd(message=ENDINGS.get(run.latest.state, "done"))
        )
        self._forget(run)

    def _forget(self, run: _Run) -> None:
        self._runs.pop((run.uri, run.finding_id, run.latest.run), None)
        self._by_token.pop(run.token, None)
        self._ls.work_done_progress.tokens.pop(run.token, None)

    def cancelled(self, token: str | int) -> bool:
        """The editor cancelled a progress: stop its loop."""
        run = self._by_token.get(str(token))
        if run is None or run.ended:
            return False
        return bool(self._cancel(run.uri, run.finding_id))
