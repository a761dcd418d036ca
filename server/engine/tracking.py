"""Per-document records: what the engine tracks for each buffer and finding.

A finding is tracked by a key that survives edits elsewhere in the buffer:
its rule, the text of its window and which occurrence of that pair it is. A
new check is matched against the tracked keys (`match`) so that loops whose
window survived keep running; the engine applies the match.
"""

from __future__ import annotations

import enum
import hashlib
import time
from collections import Counter
from dataclasses import dataclass, field

import anyio

from fixloop.config import Tier
from fixloop.engine.loop import FixLoop
from fixloop.engine.results import Attempt, Fix, LoopResult, LoopStatus, Snapshot
from fixloop.engine.shortcuts import Shortcut
from fixloop.engine.tiers import Maker
from fixloop.engine.window import Window, make_window
from fixloop.text.lines import split_lines
from fixloop.verifiers.base import Finding


class State(enum.Enum):
    QUEUED = "queued"
    RUNNING = "running"
    FIXED = "fixed"
    GAVE_UP = "gave up"
    STOPPED = "stopped"
    CANCELLED = "cancelled"


@dataclass(eq=False)
class Tracked:
    """One fixable finding of a document and its loop, as of the latest checked version.

    Its fields are read anywhere but changed only through the transitions below
    (begin, judging_shortcuts, to_model, running, attempted, ended, block, enter,
    moved, ask), so each change of state has a name and one place.
    """

    id: str
    finding: Finding
    window: Window
    state: State = State.QUEUED
    attempt: int = 0
    result: LoopResult | None = None
    scope: anyio.CancelScope | None = None
    tier: Maker = Tier.FAST
    history: tuple[Attempt, ...] = ()  # an earlier tier's attempts (before an escalation)
    loop: FixLoop | None = None  # the latest loop, for its attempts while it runs
    blocked: bool = False  # stopped because a verifier could not check the text
    run: int = 0  # counts starts: a retry or an escalation is a new run
    asked: int = 0  # when the user last asked for it (a code action, a retry): 0 never
    requested: float = 0.0  # monotonic time the run was asked for
    budget: int = 0  # attempts this run may make
    foreign: bool = False  # re-checked for another server's diagnostic; not published

    # -- transitions -----------------------------------------------------------

    def begin(self, tier: Tier, history: tuple[Attempt, ...]) -> anyio.CancelScope:
        """A new run (a start, a retry, an escalation) on `tier`: queued, under a new scope."""
        self.scope = anyio.CancelScope()
        self.run += 1
        self.state, self.attempt, self.result = State.QUEUED, 0, None
        self.tier, self.history, self.loop = tier, history, None
        self.blocked = False
        self.requested = time.monotonic()
        return self.scope

    def judging_shortcuts(self, candidates: tuple[Shortcut, ...]) -> None:
        """The candidates that need no model are being judged (before any model)."""
        self.tier, self.budget = candidates[0].tier, len(candidates)

    def to_model(self, history: tuple[Attempt, ...]) -> None:
        """The shortcuts failed: the fast tier's turn, told why (`history`)."""
        self.tier, self.history, self.result = Tier.FAST, history, None
        self.attempt = 0

    def running(self, loop: FixLoop) -> None:
        """The run's model loop exists; its attempts can be shown as they come."""
        self.loop = loop
        self.budget = loop.limits.attempts

    def attempted(self, number: int) -> None:
        self.attempt = number

    def ended(self, result: LoopResult) -> None:
        """The run ended with `result` (its fix, if any, is offered)."""
        self.result = result

    def block(self, reason: str) -> None:
        """Stopped before asking anything: a verifier cannot check the text."""
        self.blocked = True
        self.result = LoopResult(LoopStatus.STOPPED, None, (), 0.0, reason)

    def enter(self, state: State) -> State:
        """Move to `state`; the state it was in."""
        was, self.state = self.state, state
        return was

    def moved(self, finding: Finding, window: Window) -> None:
        """A new check found it again, maybe elsewhere in the buffer."""
        self.finding, self.window = finding, window

    def ask(self, when: int, *, foreign: bool = False) -> None:
        """The user asked for it (a code action, a retry); `foreign`: another server's finding."""
        self.asked = when
        self.foreign = self.foreign or foreign

    # -- reads -----------------------------------------------------------------

    @property
    def fix(self) -> Fix | None:
        return self.result.fix if self.result else None

    @property
    def attempts_so_far(self) -> tuple[Attempt, ...]:
        """Every attempt made for this finding since the last start on the fast tier."""
        if self.result is not None:
            return self.history + self.result.attempts
        return self.history + (tuple(self.loop.attempts) if self.loop else ())


@dataclass(eq=False)
class Document:
    uri: str
    latest: Snapshot
    wake: anyio.Event = field(default_factory=anyio.Event)
    urgent: bool = True
    checked: Snapshot | None = None
    baseline: tuple[Finding, ...] = ()
    broken: tuple[str, ...] = ()  # verifiers that could not check `checked`, and why
    tracked: dict[tuple, Tracked] = field(default_factory=dict)
    scope: anyio.CancelScope = field(default_factory=anyio.CancelScope)
    focus: int = 0  # when it became the most recently edited buffer
    extra: dict[str, None] = field(default_factory=dict)  # verifiers other servers brought in
    wanted: set[tuple[str, str, int]] = field(default_factory=set)  # (verifier, code, line)
    checked_with: frozenset[str] = frozenset()  # the verifiers of the last check

    def find(self, finding_id: str) -> Tracked | None:
        for tracked in self.tracked.values():
            if tracked.id == finding_id:
                return tracked
        return None


@dataclass(frozen=True, slots=True)
class Current:
    """A finding of the new check, with its window and whether another server brought it in."""

    finding: Finding
    window: Window
    foreign: bool


@dataclass(frozen=True, slots=True)
class Match:
    """A check's findings by loop key (in order), and the asked-for ones it did not report."""

    current: dict[tuple, Current]
    unreported: tuple[tuple[str, str, int], ...]  # (verifier, code, line), sorted


def loop_key(finding: Finding, window: Window, lines: list[str], occurrence: int) -> tuple:
    return (finding.key, window.texts(lines), occurrence)


def key_id(uri: str, key: tuple) -> str:
    return hashlib.sha1(repr((uri, key)).encode()).hexdigest()[:16]


def match(
    doc: Document, snapshot: Snapshot, own: tuple[Finding, ...], foreign: tuple[Finding, ...]
) -> Match:
    """Key a check's findings; another server's are kept only when asked for or tracked."""
    lines = split_lines(snapshot.text)
    current: dict[tuple, Current] = {}
    seen: Counter[tuple] = Counter()
    for finding, is_foreign in [*((f, False) for f in own), *((f, True) for f in foreign)]:
        window = make_window(snapshot.text, finding)
        base = (finding.key, window.texts(lines))
        seen[base] += 1
        key = loop_key(finding, window, lines, seen[base])
        wanted = (finding.source, finding.code, finding.span.start_line) in doc.wanted
        if not is_foreign or key in doc.tracked or wanted:
            current[key] = Current(finding, window, is_foreign)
    found = {
        (c.finding.source, c.finding.code, c.finding.span.start_line) for c in current.values()
    }
    return Match(current, tuple(sorted(doc.wanted - found)))
