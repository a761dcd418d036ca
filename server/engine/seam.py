"""The seam between the language server's thread and the engine's: what crosses it.

The engine runs on an event loop of its own, in a thread of its own
(lsp/engine_host.py). Three things cross between that thread and the
language server's, and nothing else:

- commands in: the server sends one of the `Command` values below; the
  engine's side (engine/service.py) applies them one at a time, in the order
  sent, on its own loop. `Retry`, `Cancel`, `Escalate` and `GetStats` have
  an answer the sender may await (a bool, `SessionStats`); the others none.
- events out: the engine's side emits `Event` values; the server handles
  them on its own loop, in the order emitted.
- views: a mapping uri -> DocumentView (engine/views.py), frozen values,
  replaced whole on the engine's loop before any event that may lead a
  client to ask (diagnostics, progress, status) is emitted, never changed
  in place. A code action is answered from them without waiting on the
  engine.

Every value here is frozen. The re-exported values and pure functions are
what a reader of events and views needs: the language server imports
nothing else of the engine (but engine/service.py, to make its side).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from fixloop.budget import Stats
from fixloop.config import Tier
from fixloop.engine.escalation import Offer, fast_attempts
from fixloop.engine.foreign import Checking, foreign_code, verifier_for
from fixloop.engine.reporting import Progress, Status
from fixloop.engine.results import Snapshot
from fixloop.engine.tiers import Origin
from fixloop.engine.tracking import State
from fixloop.engine.views import DocumentView, TrackedView, escalation_offer, foreign_match
from fixloop.verifiers.base import Finding

__all__ = [
    "Answer",
    "Ask",
    "Cancel",
    "Change",
    "CheckWith",
    "Checking",
    "Close",
    "Command",
    "Diagnostics",
    "DocumentView",
    "Escalate",
    "Event",
    "GetStats",
    "Log",
    "Message",
    "Offer",
    "Open",
    "Origin",
    "Outlet",
    "Progress",
    "Retry",
    "Save",
    "SessionStats",
    "SettingsChanged",
    "Snapshot",
    "State",
    "Status",
    "Tier",
    "TrackedView",
    "Trust",
    "escalation_offer",
    "fast_attempts",
    "foreign_code",
    "foreign_match",
    "verifier_for",
]

# -- commands: the server -> the engine ------------------------------------------------


@dataclass(frozen=True, slots=True)
class Open:
    """A buffer was opened: check it at once."""

    snapshot: Snapshot


@dataclass(frozen=True, slots=True)
class Change:
    """A buffer changed: check it after the debounce."""

    snapshot: Snapshot


@dataclass(frozen=True, slots=True)
class Save:
    """A buffer was saved: check it at once (the tools' config files may have changed)."""

    snapshot: Snapshot


@dataclass(frozen=True, slots=True)
class Close:
    """A buffer was closed: forget it and cancel all its work."""

    uri: str


@dataclass(frozen=True, slots=True)
class Ask:
    """A code action on a waiting finding: it goes first in its queue."""

    uri: str
    finding_id: str


@dataclass(frozen=True, slots=True)
class CheckWith:
    """Another server's diagnostic in a code action, not yet checked for: check this version
    again with the verifier that reproduces it (`source` as the other server spells it)."""

    uri: str
    version: int
    source: str
    code: str
    line: int


@dataclass(frozen=True, slots=True)
class Retry:
    """Start a finding's loop again on the fast tier. Answer: whether it started."""

    uri: str
    finding_id: str


@dataclass(frozen=True, slots=True)
class Cancel:
    """Stop a finding's loop. Answer: whether one was running or waiting."""

    uri: str
    finding_id: str


@dataclass(frozen=True, slots=True)
class Escalate:
    """Move a finding to the frontier tier. Answer: whether it moved."""

    uri: str
    finding_id: str


@dataclass(frozen=True, slots=True)
class GetStats:
    """This session's loops and the ledger's figures. Answer: SessionStats."""

    roots: tuple[Path, ...]  # the client's workspace folders (with the open documents' roots)


@dataclass(frozen=True, slots=True)
class SettingsChanged:
    """New editor settings (initializationOptions, or the `fixloop` section of
    workspace/configuration): the raw JSON value, validated on the engine's side. The sender
    keeps no reference to it."""

    raw: object
    source: str


@dataclass(frozen=True, slots=True)
class Trust:
    """The editor's word on whether the workspace may run its own programs."""

    trusted: bool


Command = (
    Open
    | Change
    | Save
    | Close
    | Ask
    | CheckWith
    | Retry
    | Cancel
    | Escalate
    | GetStats
    | SettingsChanged
    | Trust
)


@dataclass(frozen=True, slots=True)
class SessionStats:
    """The answer to GetStats."""

    loops: int
    fixed: int
    attempts: int
    status: Status
    workspaces: tuple[Stats, ...]


Answer = bool | SessionStats | None

# -- events: the engine -> the server --------------------------------------------------


@dataclass(frozen=True, slots=True)
class Diagnostics:
    """Show these findings (each with the id code actions refer to) for this version."""

    snapshot: Snapshot
    findings: tuple[tuple[Finding, str], ...]


@dataclass(frozen=True, slots=True)
class Message:
    """Something the user should act on."""

    text: str


@dataclass(frozen=True, slots=True)
class Log:
    text: str


# Status: the status line (coalesced: at most every 50 ms). Progress: a loop started,
# made an attempt, or ended (its state no longer RUNNING).
Event = Diagnostics | Message | Log | Status | Progress


class Outlet(Protocol):
    """Where the engine's side sends what it has (its host carries it to the server)."""

    def emit(self, event: Event) -> None: ...  # in order

    def show(self, views: Mapping[str, DocumentView]) -> None: ...  # replaced whole
