"""The budget as the providers see it: a Meter per tier and workspace over the ledger."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import anyio

from fixloop.budget import (
    BudgetExhausted,
    Ledger,
    LedgerError,
    Prices,
    Reservation,
    estimate_tokens,
)
from fixloop.config import ModelSettings
from fixloop.providers.base import ChatRequest, FatalProviderError


def prices(model: ModelSettings) -> Prices:
    return Prices(model.usd_per_mtok_in, model.usd_per_mtok_out)


def prompt_tokens(request: ChatRequest) -> int:
    """The conservative token estimate a request is reserved with."""
    return estimate_tokens(*request.texts)


# Seconds a settlement may wait for the ledger (another process may hold its lock); past
# that the call stays reserved at its worst case, which keeps the cap, and the user is told.
SETTLE_WAIT = 30.0


class _Charge:
    """A reservation as a provider's Charge; ledger trouble is reported, never raised into a call.

    The ledger is written from a worker thread, shielded: cleanup of a cancelled request
    still records what it cost, and the event loop never waits on a lock.
    """

    def __init__(self, reservation: Reservation, meter: TierMeter) -> None:
        self._reservation = reservation
        self._meter = meter

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

    def spent(self) -> None:
        if self._on_spent:
            self._on_spent()

    def trouble(self, text: str) -> None:
        if self._on_trouble:
            self._on_trouble(text)
