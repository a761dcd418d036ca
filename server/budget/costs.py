"""Token and money estimates: what a model call may cost before it is sent."""

from __future__ import annotations

import math
from dataclasses import dataclass

# A byte-level BPE token is rarely shorter than 3 bytes of code or prose (most are
# 3.5-4.5); dividing by 3 over-estimates, which is the safe side for a budget.
BYTES_PER_TOKEN = 3
# Role markers and separators each message costs beyond its text.
MESSAGE_OVERHEAD = 8
# What a chat template may add to a whole request (a priming sequence, a default system line).
REQUEST_OVERHEAD = 64


@dataclass(frozen=True, slots=True)
class Prices:
    """What one tier charges, in US dollars per million tokens."""

    usd_per_mtok_in: float = 0.0
    usd_per_mtok_out: float = 0.0

    @property
    def paid(self) -> bool:
        """Any price above zero, however small (its cost may round to $0.00)."""
        return self.usd_per_mtok_in > 0 or self.usd_per_mtok_out > 0

    def cost(self, input_tokens: int, output_tokens: int) -> float:
        """The price of a call that used these many tokens."""
        return (input_tokens * self.usd_per_mtok_in + output_tokens * self.usd_per_mtok_out) / 1e6


def estimate_tokens(*texts: str) -> int:
    """A conservative (high) token count for the messages of a prompt, one text each."""
    return sum(
        math.ceil(len(text.encode("utf-8")) / BYTES_PER_TOKEN) + MESSAGE_OVERHEAD for text in texts
    )


def worst_case_tokens(*texts: str) -> int:
    """The most input tokens a prompt can be counted as: every byte its own token (a
    byte-level tokenizer never makes more tokens than bytes), plus the template's markers.
    Reservations use this, so an honest server's count always fits what was reserved."""
    return REQUEST_OVERHEAD + sum(len(text.encode("utf-8")) + MESSAGE_OVERHEAD for text in texts)


def output_tokens_that_fit(prices: Prices, prompt_tokens: int, usd_left: float) -> int | None:
    """The most output tokens a call may ask for so that its worst case costs at most
    `usd_left`; None when there is no limit (output is free)."""
    if prices.usd_per_mtok_out <= 0:
        return None
    left = usd_left - prompt_tokens * prices.usd_per_mtok_in / 1e6
    if left <= 0:
        return 0
    fit = left * 1e6 / prices.usd_per_mtok_out + 1e-6
    if not math.isfinite(fit) or fit >= 2**62:  # a price of 5e-324: no limit any call reaches
        return None
    return math.floor(fit)


def worst_case(prices: Prices, prompt_tokens: int, max_tokens: int) -> float:
    """The most a call can cost: the whole prompt in, `max_tokens` out."""
    return prices.cost(prompt_tokens, max_tokens)


def round_up_cents(usd: float) -> float:
    """An estimate rounded up to the cent, for titles that promise `≈ $x.xx`."""
    return math.ceil(round(usd * 100, 6)) / 100
