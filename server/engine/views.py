"""Immutable copies of the engine's state, for readers outside the engine's event loop.

The language server answers `textDocument/codeAction` on its own event loop
while the engine runs on another (in a thread of its own). It never reads the
engine's mutable Document and Tracked objects: the engine's side of the seam
(engine/service.py) copies them, on the engine's loop, into these frozen values
whenever something changed, and shows a new mapping (uri -> DocumentView) that
is never mutated afterwards. The settings a view carries are the only settings
the server reads.
A reader takes the mapping once and answers from it without awaiting the
engine: what it sees is consistent, if a few milliseconds old, and the
version checks of the reader keep anything stale from being offered.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from fixloop.config import Settings, Tier
from fixloop.engine.escalation import Offer, offer
from fixloop.engine.foreign import Checking, same_problem
from fixloop.engine.results import Attempt, Fix, LoopResult, Snapshot
from fixloop.engine.tracking import Document, State, Tracked
from fixloop.engine.window import Window
from fixloop.verifiers.base import Finding


@dataclass(frozen=True, slots=True)
class TrackedView:
    """One finding and its loop, as of the view's making."""

    id: str
    finding: Finding
    window: Window
    state: State
    tier: str
    attempt: int
    result: LoopResult | None
    attempts_so_far: tuple[Attempt, ...]
    model: str | None  # the running loop's model, if any

    @property
    def fix(self) -> Fix | None:
        return self.result.fix if self.result else None


@dataclass(frozen=True, slots=True)
class DocumentView:
    """One checked version of a document: its findings being fixed, and its settings."""

    uri: str
    checked: Snapshot
    tracked: Mapping[str, TrackedView]  # by finding id; never mutated after the view is made
    checked_with: frozenset[str]  # the verifiers of that check
    settings: Settings
    can_check: frozenset[str]  # the verifiers that could re-check other servers' diagnostics


def _signature(tracked: Tracked) -> tuple:
    """Everything a TrackedView copies, cheaply compared (a tuple compares its items by
    identity first; the attempts of a running loop by their count: they are only appended)."""
    loop = tracked.loop
    return (
        tracked.finding,
        tracked.window,
        tracked.state,
        tracked.tier,
        tracked.attempt,
        tracked.result,
        tracked.history,
        loop,
        len(loop.attempts) if loop is not None else -1,
    )


class ViewCache:
    """Makes views anew, reusing those of findings and documents that did not change: with a
    hundred loops the engine's host remakes them many times a second."""

    def __init__(self) -> None:
        self._tracked: dict[int, tuple[Tracked, tuple, TrackedView]] = {}
        self._documents: dict[str, DocumentView] = {}

    def tracked(self, tracked: Tracked) -> TrackedView:
        signature = _signature(tracked)
        cached = self._tracked.get(id(tracked))
        if cached is not None and cached[0] is tracked and cached[1] == signature:
            return cached[2]
        view = tracked_view(tracked)
        self._tracked[id(tracked)] = (tracked, signature, view)
        return view

    def document(
        self, doc: Document, settings: Settings, can_check: frozenset[str]
    ) -> DocumentView | None:
        if doc.checked is None or doc.latest.version != doc.checked.version:
            return None
        tracked = {t.id: self.tracked(t) for t in doc.tracked.values()}
        old = self._documents.get(doc.uri)
        if (
            old is not None
            and old.checked is doc.checked
            and old.settings is settings
            and old.can_check is can_check
            and old.checked_with == doc.checked_with
            and old.tracked.keys() == tracked.keys()
            and all(old.tracked[key] is view for key, view in tracked.items())
        ):
            return old
        view = self._documents[doc.uri] = DocumentView(
            doc.uri, doc.checked, tracked, doc.checked_with, settings, can_check
        )
        return view

    def keep(self, uris: set[str], tracked: set[int]) -> None:
        """Forget what is gone (closed documents, findings no longer tracked)."""
        for uri in [uri for uri in self._documents if uri not in uris]:
            del self._documents[uri]
        for key in [key for key in self._tracked if key not in tracked]:
            del self._tracked[key]


def tracked_view(tracked: Tracked) -> TrackedView:
    loop = tracked.loop
    return TrackedView(
        tracked.id,
        tracked.finding,
        tracked.window,
        tracked.state,
        tracked.tier,
        tracked.attempt,
        tracked.result,
        tracked.attempts_so_far,
        loop.provider.name if loop is not None else None,
    )


def escalation_offer(view: DocumentView, tracked: TrackedView) -> Offer | None:
    """What `Engine.offer` says, from a view: an escalation any time there is no fix and the
    finding is not already on the frontier tier."""
    if tracked.state is State.FIXED:
        return None
    if tracked.tier == Tier.FRONTIER and tracked.state in (State.QUEUED, State.RUNNING):
        return None
    return offer(
        view.settings, view.checked, tracked.finding, tracked.window, tracked.attempts_so_far
    )


def foreign_match(
    view: DocumentView, verifier: str, code: str, line: int
) -> TrackedView | Checking | None:
    """What `Engine.foreign` answers, from a view: fixloop's finding on that line for another
    server's diagnostic; Checking when the document must first be checked with `verifier`
    (the caller asks the engine for that check); None when that verifier does not report it,
    or cannot run in this workspace."""
    for tracked in view.tracked.values():
        if tracked.finding.span.start_line == line and same_problem(tracked.finding, verifier, code):
            return tracked
    if verifier in view.checked_with or verifier not in view.can_check:
        return None
    return Checking(verifier)
