"""The budget as the providers see it: a Meter per tier and workspace over the ledger."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import anyio
from fixloop.budget import (
    BudgetExhausted,
    BudgetStopped,
    Ledger,
    LedgerError,
    Prices,
    Reservation,
    worst_case_tokens,
)
from fixloop.config import ModelSettings
from fixloop.providers.base import ChatRequest, FatalProviderError


def prices(model: ModelSettings) -> Prices:
    return Prices(model.usd_per_mtok_in, model.usd_per_mtok_out)


def prompt_tokens(request: ChatRequest) -> int:
    """The input tokens a request is reserved with: its worst case, not an estimate."""
    return worst_case_tokens(*request.texts)


# Seconds a settlement may wait for the ledger (another process may hold its lock); past
# that the call stays reserved at its worst case, which keeps the cap, and the user is told.
SETTLE_WAIT = 30.0
# How often a call in flight asks the ledger whether today's spend has passed the cap (another
# call of this workspace, in this process or another, may have been reported above its
# reservation): the most a call runs on after the cap is blown, plus one ledger read.
WATCH_EVERY = 0.2


class _Charge:
    """A reservation as a provider's Charge; ledger trouble is reported, never raised into a call.

    The ledger is written from a worker thread, shielded: cleanup of a cancelled request
    still records what it cost, and the event loop never waits on a lock.
    """

    def __init__(self, reservation: Reservation, meter: TierMeter) -> None:
        self._reservation = reservation
        self._meter = meter

    @property
    def max_tokens(self) -> int:
        """The output tokens the call may ask for: what fits in what is left of the cap."""
        return self._reservation.max_tokens

    async def stopped(self) -> BaseException:
        """Return (with the error to raise) once today's spend has passed the cap; until then,
        look every WATCH_EVERY seconds. Ledger trouble here only delays the answer."""
        while True:
            await anyio.sleep(WATCH_EVERY)
            try:
                spent = await anyio.to_thread.run_sync(self._meter.over_cap)
            except LedgerError:
                continue
            if spent is not None:
                return BudgetStopped(spent, self._meter.cap)

    async def settle(self, input_tokens: int | None, output_tokens: int | None) -> float:
        try:
            with anyio.CancelScope(shield=True), anyio.move_on_after(SETTLE_WAIT):
                return await anyio.to_thread.run_sync(
                    self._reservation.settle, input_tokens, output_tokens
                )
            return self._reservation.usd
        except LedgerError as exc:
            self._meter.trouble(str(exc))
            return self._reservation.usd
        finally:
            self._meter.spent()

    async def release(self) -> None:
        try:
            with anyio.CancelScope(shield=True), anyio.move_on_after(SETTLE_WAIT):
                await anyio.to_thread.run_sync(self._reservation.release)
        except LedgerError as exc:
            self._meter.trouble(str(exc))
        finally:
            self._meter.spent()


class TierMeter:
    """Reserves each request's worst case for one tier of one workspace, under its daily cap."""

    def __init__(
        self,
        ledger: Ledger,
        *,
        workspace: Path,
        tier: str,
        model: ModelSettings,
        cap: float,
        on_refused: Callable[[BudgetExhausted], None] | None = None,
        on_spent: Callable[[], None] | None = None,
        on_trouble: Callable[[str], None] | None = None,
    ) -> None:
        self._ledger = ledger
        self._workspace = str(workspace)
        self._tier = tier
        self._model = model
        self._cap = cap
        self._on_refused = on_refused
        self._on_spent = on_spent
        self._on_trouble = on_trouble

    async def reserve(self, request: ChatRequest) -> _Charge:
        def reserve() -> Reservation:
            return self._ledger.reserve(
                self._workspace,
                tier=self._tier,
                model=self._model.model,
                prices=prices(self._model),
                prompt_tokens=prompt_tokens(request),
                max_tokens=request.max_tokens,
                cap=self._cap,
            )

        try:
            # In a worker thread: the lock may be held by another process for a while.
            reservation = await anyio.to_thread.run_sync(reserve)
        except BudgetExhausted as exc:
            if self._on_refused:
                self._on_refused(exc)
            raise
        except LedgerError as exc:  # without a ledger no spend can be bounded: send nothing
            raise FatalProviderError(str(exc)) from None
        self.spent()
        return _Charge(reservation, self)

    @property
    def cap(self) -> float:
        return self._cap

    def over_cap(self) -> float | None:
        """Today's spend if it has passed the cap (a blocking ledger read)."""
        return self._ledger.over_cap(self._workspace, self._cap)

    def spent(self) -> None:
        if self._on_spent:
            self._on_spent()

    def trouble(self, text: str) -> None:
        if self._on_trouble:
            self._on_trouble(text)
