"""Budgets: token and cost estimates, and the ledger that enforces the daily caps.

Knows nothing of HTTP, LSP or the engine; the engine adapts it to the
providers' `Meter` seam.
"""

from fixloop.budget.costs import (
    Prices,
    estimate_tokens,
    output_tokens_that_fit,
    round_up_cents,
    worst_case,
    worst_case_tokens,
)
from fixloop.budget.ledger import (
    BudgetExhausted,
    BudgetStopped,
    CallState,
    Ledger,
    LedgerError,
    Reservation,
    Stats,
    TierFigures,
    read_spent,
)
from fixloop.budget.location import STATE_DIR_ENV, ledger_path, state_dir
from fixloop.budget.speed import LoopRecord, Speed, SpeedFigures

__all__ = [
    "STATE_DIR_ENV",
    "BudgetExhausted",
    "BudgetStopped",
    "CallState",
    "Ledger",
    "LedgerError",
    "LoopRecord",
    "Prices",
    "Reservation",
    "Speed",
    "SpeedFigures",
    "Stats",
    "TierFigures",
    "estimate_tokens",
    "ledger_path",
    "output_tokens_that_fit",
    "read_spent",
    "round_up_cents",
    "state_dir",
    "worst_case",
    "worst_case_tokens",
]
