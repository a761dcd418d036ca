"""The ledger: every model call's reservation and cost, per workspace, in SQLite.

A call reserves its worst case before it is sent and is settled with the usage
the provider reported (or released when nothing was billed). Today's spend is
what was settled plus what is still reserved, so calls in flight count at their
worst case. The check and the reservation are one IMMEDIATE transaction on a
WAL database: every loop, and every fixloop process on this machine sharing the
state directory (an editor's server and a `fixloop fix` run), sees one cap.
A day is the local calendar day of the reservation.

What can go wrong with the file, and what happens then:

- another process holds the write lock: a write waits up to `timeout` seconds
  (callers run it off the event loop), then fails with LedgerError and nothing
  is sent;
- the file is not a database or is damaged: it is moved aside (its name gets
  `.corrupt-<time>`) and a new one is made; `recovered` says so, for a warning;
- the file or its folder is read-only: LedgerError (`read_only` tells which),
  and the owner may count in memory, starting from `spent_by_workspace` of the
  file so that today's earlier spend still counts against the cap.
"""

from __future__ import annotations

import enum
import json
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from fixloop.budget.costs import Prices, output_tokens_that_fit, worst_case
from fixloop.budget.speed import LoopRecord, Speed, speed

SCHEMA = """
CREATE TABLE IF NOT EXISTS calls (
    id INTEGER PRIMARY KEY,
    workspace TEXT NOT NULL,
    day TEXT NOT NULL,              -- local date of the reservation, YYYY-MM-DD
    at REAL NOT NULL,               -- unix time of the reservation
    tier TEXT NOT NULL,
    model TEXT NOT NULL,
    state TEXT NOT NULL,            -- reserved | settled | released
    reserved_usd REAL NOT NULL,
    usd REAL NOT NULL DEFAULT 0,
    input_tokens INTEGER NOT NULL DEFAULT 0,
    output_tokens INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS calls_by_day ON calls (workspace, day);
CREATE TABLE IF NOT EXISTS loops (
    id INTEGER PRIMARY KEY,
    workspace TEXT NOT NULL,
    day TEXT NOT NULL,
    at REAL NOT NULL,
    tier TEXT NOT NULL,
    model TEXT NOT NULL,
    status TEXT NOT NULL,
    fixed INTEGER NOT NULL,
    attempts INTEGER NOT NULL,
    seconds REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS loops_by_day ON loops (workspace, day);
"""
# Columns added to `loops` after the first release: ledgers made before get them on open.
LOOP_COLUMNS = {
    "verifier": "TEXT NOT NULL DEFAULT ''",  # the source of the diagnostic
    "code": "TEXT NOT NULL DEFAULT ''",
    "input_tokens": "INTEGER NOT NULL DEFAULT 0",
    "output_tokens": "INTEGER NOT NULL DEFAULT 0",
    "usd": "REAL NOT NULL DEFAULT 0",
    "wait_seconds": "REAL NOT NULL DEFAULT 0",  # queued before the run started
    "fix_seconds": "REAL",  # time to the verified fix, queueing included; NULL: no fix
    "failures": "TEXT NOT NULL DEFAULT '{}'",  # JSON: why attempts failed, with counts
}
# A reservation counts at its worst case until it is settled.
SPENT = "CASE state WHEN 'reserved' THEN reserved_usd WHEN 'settled' THEN usd ELSE 0 END"
# Float sums of cents must not refuse a call that fits exactly: a tolerance relative to the
# cap (a float sum's error is relative too). An absolute one let a call worth less than it
# through a zero cap: `usd_per_day = 0` with a paid model sent one request.
RELATIVE_TOLERANCE = 1e-12


def _slack(cap: float) -> float:
    """How far a sum may pass `cap` and still fit it: none at a zero cap."""
    return max(cap, 0.0) * RELATIVE_TOLERANCE
# The fewest output tokens worth asking for (a one-line SEARCH/REPLACE fix is 30-60): a call
# whose worst case fits only with fewer is refused instead.
MIN_OUTPUT_TOKENS = 64


class CallState(enum.Enum):
    RESERVED = "reserved"
    SETTLED = "settled"
    RELEASED = "released"


def _add_loop_columns(db: sqlite3.Connection) -> None:
    """Columns a newer fixloop records for each loop, added to an older ledger in place."""
    have = {row[1] for row in db.execute("PRAGMA table_info(loops)")}
    for name, declaration in LOOP_COLUMNS.items():
        if name in have:
            continue
        try:
            db.execute(f"ALTER TABLE loops ADD COLUMN {name} {declaration}")
        except sqlite3.OperationalError as exc:  # another process added it first
            if "duplicate column" not in str(exc):
                raise


class LedgerError(Exception):
    """The ledger file cannot be opened or written."""

    def __init__(self, message: str, *, read_only: bool = False) -> None:
        super().__init__(message)
        self.read_only = read_only


# What SQLite says about a file that is not (or no longer) a database.
CORRUPT = ("file is not a database", "database disk image is malformed")
READ_ONLY = ("readonly database", "read-only", "unable to open database file")


class BudgetExhausted(Exception):
    """A call would take today's spend past the workspace's daily cap; nothing was sent."""

    def __init__(self, spent: float, cap: float, needed: float) -> None:
        self.spent, self.cap, self.needed = spent, cap, needed
        super().__init__(
            f"today's budget is spent (${spent:.4f} of ${cap:.2f}; the next model request "
            f"needs up to ${needed:.4f}). No model request is sent until local midnight or "
            "until you raise `budget.usd_per_day` (in .fixloop.toml or [tool.fixloop], and in "
            "the editor's fixloop settings: the smaller cap wins)"
        )


class BudgetStopped(BudgetExhausted):
    """A call in flight stopped because today's spend has passed the cap: a server reported
    more usage than the calls had reserved."""

    def __init__(self, spent: float, cap: float) -> None:
        Exception.__init__(
            self,
            f"today's budget is spent (${spent:.4f} of ${cap:.2f}: a model server reported more "
            "usage than its requests could cost); the requests in flight were stopped and no "
            "model request is sent until local midnight or until you raise `budget.usd_per_day`",
        )
        self.spent, self.cap, self.needed = spent, cap, 0.0


@dataclass(frozen=True, slots=True)
class TierFigures:
    """What one tier did for a workspace over some days."""

    requests: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    usd: float = 0.0
    loops: int = 0
    fixes: int = 0


@dataclass(frozen=True, slots=True)
class Stats:
    """A workspace's figures per tier: today and all time."""

    workspace: str
    day: str
    today: dict[str, TierFigures] = field(default_factory=dict)
    all_time: dict[str, TierFigures] = field(default_factory=dict)
    speed_today: Speed = field(default_factory=Speed)
    speed_all_time: Speed = field(default_factory=Speed)

    @property
    def usd_today(self) -> float:
        return sum(figures.usd for figures in self.today.values())


class Reservation:
    """One call's reserved worst case: settle it with the usage, or release it (once)."""

    def __init__(
        self,
        ledger: Ledger,
        call_id: int,
        usd: float,
        prices: Prices,
        prompt_tokens: int,
        max_tokens: int,
    ) -> None:
        self.usd = usd
        self._ledger = ledger
        self._id = call_id
        self._prices = prices
        self._prompt_tokens = prompt_tokens
        self._max_tokens = max_tokens
        self.max_tokens = max_tokens  # what the call may ask for: maybe less than configured
        self.state = CallState.RESERVED
        self.cost = usd

    def settle(self, input_tokens: int | None = None, output_tokens: int | None = None) -> float:
        """Record what the call cost; a count the server did not report counts at its worst case.

        A reported count is recorded as it is, even above the reservation: what the server
        says it billed is what counts against the cap (and stops the calls in flight)."""
        if self.state is not CallState.RESERVED:
            return self.cost
        tokens_in = self._prompt_tokens if input_tokens is None else _counted(input_tokens)
        tokens_out = self._max_tokens if output_tokens is None else _counted(output_tokens)
        self.cost = self._prices.cost(tokens_in, tokens_out)
        self.state = CallState.SETTLED
        self._ledger._finish(self._id, CallState.SETTLED, self.cost, tokens_in, tokens_out)
        return self.cost

    def release(self) -> None:
        """Nothing was billed: the server refused the call or was never reached."""
        if self.state is not CallState.RESERVED:
            return
        self.cost = 0.0
        self.state = CallState.RELEASED
        self._ledger._finish(self._id, CallState.RELEASED, 0.0, 0, 0)


# A reported count above this counts as this much: far past any cap, and still a float and
# a SQLite integer (10**400 raised OverflowError and left the call unrecorded).
MAX_COUNTED_TOKENS = 2**48


def _counted(tokens: int) -> int:
    return min(max(0, tokens), MAX_COUNTED_TOKENS)


def _local_now() -> datetime:
    return datetime.now()


class Ledger:
    """The persisted record of every model call, and the daily caps' arbiter."""

    def __init__(
        self,
        path: Path | str,
        *,
        clock: Callable[[], datetime] = _local_now,
        timeout: float = 10.0,
    ) -> None:
        self.path = path
        self._clock = clock
        self._timeout = timeout
        self._lock = threading.Lock()
        self.recovered = ""  # how a damaged file was replaced, for a warning
        try:
            self._db = self._open()
        except sqlite3.DatabaseError as exc:
            if not isinstance(path, Path) or not _says(exc, CORRUPT):
                raise self._error("cannot open", exc) from None
            self.recovered = self._move_aside(exc)
            try:
                self._db = self._open()
            except (sqlite3.Error, OSError) as again:
                raise self._error("cannot open", again) from None
        except OSError as exc:
            raise self._error("cannot open", exc) from None

    def _open(self) -> sqlite3.Connection:
        if isinstance(self.path, Path):
            self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(
            str(self.path), timeout=self._timeout, isolation_level=None, check_same_thread=False
        )
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.executescript(SCHEMA)
            _add_loop_columns(db)
            # A file we can read but not write would refuse every reservation later: find out now.
            db.execute("BEGIN IMMEDIATE")
            db.execute("ROLLBACK")
        except BaseException:
            db.close()
            raise
        return db

    def _move_aside(self, exc: Exception) -> str:
        assert isinstance(self.path, Path)
        stamp = self._clock().strftime("%Y%m%d-%H%M%S")
        aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        for suffix in ("", "-wal", "-shm"):
            part = Path(f"{self.path}{suffix}")
            if part.exists():
                os.replace(part, Path(f"{aside}{suffix}"))
        return (
            f"the ledger {self.path} was damaged ({exc}); it was moved to {aside} and a new one "
            "started, so spend recorded there before today does not count against today's cap"
        )

    def _error(self, doing: str, exc: BaseException) -> LedgerError:
        if _says(exc, ("locked", "busy")):
            return LedgerError(
                f"the ledger {self.path} is locked by another process (waited "
                f"{self._timeout:g} s): {exc}"
            )
        return LedgerError(
            f"{doing} the ledger {self.path}: {exc}", read_only=_says(exc, READ_ONLY)
        )

    def today(self) -> str:
        """The local calendar day, as stored (YYYY-MM-DD)."""
        return self._clock().date().isoformat()

    @contextmanager
    def _transaction(self, begin: str = "BEGIN IMMEDIATE") -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                self._db.execute(begin)
                try:
                    yield self._db
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
                self._db.execute("COMMIT")
            except sqlite3.Error as exc:
                raise self._error("cannot write", exc) from None

    def _spent(self, db: sqlite3.Connection, workspace: str, day: str) -> float:
        row = db.execute(
            f"SELECT COALESCE(SUM({SPENT}), 0) FROM calls WHERE workspace = ? AND day = ?",
            (workspace, day),
        ).fetchone()
        return float(row[0])

    def spent_today(self, workspace: str) -> float:
        """Today's spend for a workspace, calls in flight at their worst case."""
        with self._transaction("BEGIN") as db:
            return self._spent(db, workspace, self.today())

    def spent_by_workspace(self) -> dict[str, float]:
        """Today's spend of every workspace (what an in-memory stand-in starts from)."""
        with self._transaction("BEGIN") as db:
            return _spent_by_workspace(db, self.today())

    def carry(self, spent: dict[str, float], note: str = "carried over") -> None:
        """Count spend recorded elsewhere (another ledger) as today's, per workspace."""
        day = self.today()
        with self._transaction() as db:
            for workspace, usd in spent.items():
                db.execute(
                    "INSERT INTO calls (workspace, day, at, tier, model, state, reserved_usd, usd) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (workspace, day, time.time(), note, note, CallState.SETTLED.value, usd, usd),
                )

    def reserve(
        self,
        workspace: str,
        *,
        tier: str,
        model: str,
        prices: Prices,
        prompt_tokens: int,
        max_tokens: int,
        cap: float,
        min_tokens: int = MIN_OUTPUT_TOKENS,
    ) -> Reservation:
        """Reserve a call's worst case; BudgetExhausted if it would pass today's cap.

        `max_tokens` is lowered to what fits in what is left of today's cap (the
        Reservation's `max_tokens`, which the call must send); when not even
        `min_tokens` (or `max_tokens`, if smaller) fit, the call is refused."""
        day = self.today()
        with self._transaction() as db:
            spent = self._spent(db, workspace, day)
            fit = output_tokens_that_fit(prices, prompt_tokens, cap - spent + _slack(cap))
            if fit is not None and fit < max_tokens:
                if fit < min(min_tokens, max_tokens):
                    needed = worst_case(prices, prompt_tokens, min(min_tokens, max_tokens))
                    raise BudgetExhausted(spent, cap, needed)
                max_tokens = fit
            usd = worst_case(prices, prompt_tokens, max_tokens)
            if prices.paid and cap <= 0:  # a zero cap: nothing paid, not even what rounds to $0
                raise BudgetExhausted(spent, cap, usd)
            if spent + usd > cap + _slack(cap):
                raise BudgetExhausted(spent, cap, usd)
            cursor = db.execute(
                "INSERT INTO calls (workspace, day, at, tier, model, state, reserved_usd) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (workspace, day, time.time(), tier, model, CallState.RESERVED.value, usd),
            )
            call_id = cursor.lastrowid
        assert call_id is not None
        return Reservation(self, call_id, usd, prices, prompt_tokens, max_tokens)

    def over_cap(self, workspace: str, cap: float) -> float | None:
        """Today's spend when it has passed `cap` (calls in flight at their worst case, settled
        ones at what their servers reported), else None: the calls in flight must stop."""
        with self._transaction("BEGIN") as db:
            spent = self._spent(db, workspace, self.today())
        return spent if spent > cap + _slack(cap) else None

    def _finish(
        self, call_id: int, state: CallState, usd: float, tokens_in: int, tokens_out: int
    ) -> None:
        with self._transaction() as db:
            db.execute(
                "UPDATE calls SET state = ?, usd = ?, input_tokens = ?, output_tokens = ? "
                "WHERE id = ? AND state = ?",
                (state.value, usd, tokens_in, tokens_out, call_id, CallState.RESERVED.value),
            )

    def record_loop(
        self,
        workspace: str,
        *,
        tier: str,
        model: str,
        status: str,
        fixed: bool,
        attempts: int,
        seconds: float,
        verifier: str = "",
        code: str = "",
        input_tokens: int = 0,
        output_tokens: int = 0,
        usd: float = 0.0,
        wait_seconds: float = 0.0,
        fix_seconds: float | None = None,
        failures: dict[str, int] | None = None,
    ) -> None:
        """One loop's outcome and figures, for the per-tier and per-verifier figures."""
        with self._transaction() as db:
            db.execute(
                "INSERT INTO loops (workspace, day, at, tier, model, status, fixed, attempts, "
                "seconds, verifier, code, input_tokens, output_tokens, usd, wait_seconds, "
                "fix_seconds, failures) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    workspace,
                    self.today(),
                    time.time(),
                    tier,
                    model,
                    status,
                    int(fixed),
                    attempts,
                    seconds,
                    verifier,
                    code,
                    input_tokens,
                    output_tokens,
                    usd,
                    wait_seconds,
                    fix_seconds,
                    json.dumps(failures or {}, sort_keys=True),
                ),
            )

    def stats(self, workspace: str) -> Stats:
        """Requests, tokens, spend, loops and fixes per tier: today and all time."""
        day = self.today()
        with self._transaction("BEGIN") as db:
            records = self._loop_records(db, workspace)
            return Stats(
                workspace,
                day,
                today=self._figures(db, workspace, day),
                all_time=self._figures(db, workspace, None),
                speed_today=speed([r for d, r in records if d == day]),
                speed_all_time=speed([r for _, r in records]),
            )

    @staticmethod
    def _loop_records(db: sqlite3.Connection, workspace: str) -> list[tuple[str, LoopRecord]]:
        """Every loop of a workspace with its day, for the speed figures."""
        rows = db.execute(
            "SELECT day, tier, verifier, fixed, attempts, usd, seconds, at, fix_seconds, "
            "failures FROM loops WHERE workspace = ?",
            (workspace,),
        )
        records = []
        for day, tier, verifier, fixed, attempts, usd, seconds, at, fix_seconds, failures in rows:
            record = LoopRecord(
                tier=tier,
                verifier=verifier,
                fixed=bool(fixed),
                attempts=int(attempts),
                usd=float(usd),
                seconds=float(seconds),
                at=float(at),
                fix_seconds=fix_seconds,
                failures=LoopRecord.failures_from(failures),
            )
            records.append((day, record))
        return records

    def _figures(
        self, db: sqlite3.Connection, workspace: str, day: str | None
    ) -> dict[str, TierFigures]:
        where, params = "workspace = ?", [workspace]
        if day is not None:
            where, params = where + " AND day = ?", [workspace, day]
        calls = {
            tier: (requests, tokens_in, tokens_out, usd)
            for tier, requests, tokens_in, tokens_out, usd in db.execute(
                f"SELECT tier, COUNT(*), COALESCE(SUM(input_tokens), 0), "
                f"COALESCE(SUM(output_tokens), 0), COALESCE(SUM({SPENT}), 0) "
                f"FROM calls WHERE {where} GROUP BY tier",
                params,
            )
        }
        loops = {
            tier: (count, fixes)
            for tier, count, fixes in db.execute(
                f"SELECT tier, COUNT(*), COALESCE(SUM(fixed), 0) FROM loops WHERE {where} GROUP BY tier",
                params,
            )
        }
        figures = {}
        for tier in sorted({*calls, *loops}):
            requests, tokens_in, tokens_out, usd = calls.get(tier, (0, 0, 0, 0.0))
            count, fixes = loops.get(tier, (0, 0))
            figures[tier] = TierFigures(
                int(requests), int(tokens_in), int(tokens_out), float(usd), int(count), int(fixes)
            )
        return figures

    def close(self) -> None:
        with self._lock:
            self._db.close()


def _says(exc: BaseException, words: tuple[str, ...]) -> bool:
    text = str(exc).lower()
    return any(word in text for word in words)


def _spent_by_workspace(db: sqlite3.Connection, day: str) -> dict[str, float]:
    return {
        workspace: float(usd)
        for workspace, usd in db.execute(
            f"SELECT workspace, COALESCE(SUM({SPENT}), 0) FROM calls WHERE day = ? "
            "GROUP BY workspace",
            (day,),
        )
    }


def read_spent(path: Path, day: str) -> dict[str, float]:
    """The day's spend per workspace from a ledger file that cannot be written; {} if unreadable."""
    # Read-only first; `immutable` also reads a WAL database whose folder we cannot write.
    for query in ("mode=ro", "mode=ro&immutable=1"):
        try:
            db = sqlite3.connect(f"{path.as_uri()}?{query}", uri=True, timeout=1.0)
            try:
                return _spent_by_workspace(db, day)
            finally:
                db.close()
        except sqlite3.Error:
            continue
    return {}
