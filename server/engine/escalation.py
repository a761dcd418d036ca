"""Escalation: when and at what estimated cost a diagnostic moves to the frontier tier."""

from __future__ import annotations

from dataclasses import dataclass

from fixloop.budget import round_up_cents, worst_case
from fixloop.config import Settings, Tier
from fixloop.engine.prompt import build_request, worth_telling
from fixloop.engine.results import Attempt, LoopResult, LoopStatus, Snapshot
from fixloop.engine.spending import prices, prompt_tokens
from fixloop.engine.window import Window
from fixloop.verifiers.base import Finding

NO_FRONTIER = (
    "fixloop has no frontier model configured: add a [models.frontier] table (protocol, "
    "base_url, model, api_key_env) to your config file (~/.config/fixloop/config.toml, or "
    "$FIXLOOP_CONFIG_DIR/config.toml) or to the editor's fixloop settings; a workspace's "
    ".fixloop.toml may set where requests go only when the workspace is trusted"
)


@dataclass(frozen=True, slots=True)
class Offer:
    """What escalating one diagnostic would use, and its worst-case cost."""

    model: str
    attempts: int
    usd: float

    @property
    def title(self) -> str:
        """`escalate to claude-sonnet-4-5 (≈ $0.05)`: rounded up, an estimate never promises less."""
        return f"escalate to {self.model} (≈ ${round_up_cents(self.usd):.2f})"


def offer(
    settings: Settings,
    snapshot: Snapshot,
    finding: Finding,
    window: Window,
    failures: tuple[Attempt, ...],
) -> Offer | None:
    """The frontier tier's offer for a diagnostic, or None when there is no frontier model.

    Its cost: the first frontier prompt's estimate × the input price plus
    `max_tokens` × the output price, for each of `frontier_attempts`.
    """
    model = settings.models.get(Tier.FRONTIER)
    if model is None:
        return None
    request = build_request(
        snapshot,
        finding,
        window,
        worth_telling(failures),
        max_tokens=model.max_tokens,
        temperature=model.temperature,
        reply_format=model.reply_format,
    )
    attempts = settings.budget.frontier_attempts
    each = worst_case(prices(model), prompt_tokens(request), model.max_tokens)
    return Offer(model.model, attempts, each * attempts)


def auto_escalates(settings: Settings, tier: Tier, result: LoopResult) -> bool:
    """Whether a loop's end escalates by itself: the fast tier gave up, and the workspace
    opted in or the frontier tier is a local model (the ladder: it costs nothing but time)."""
    frontier = settings.models.get(Tier.FRONTIER)
    return (
        frontier is not None
        and (settings.budget.auto_escalate or ladder(settings))
        and tier == Tier.FAST
        and result.status in (LoopStatus.GAVE_UP, LoopStatus.TIMED_OUT)
    )


def ladder(settings: Settings) -> bool:
    """Whether the frontier tier is a local model: escalating costs nothing but time."""
    frontier = settings.models.get(Tier.FRONTIER)
    return frontier is not None and frontier.protocol == "local"


def fast_attempts(settings: Settings) -> int:
    """The fast tier's attempts per diagnostic: `budget.attempts`, or on the ladder at most
    `budget.ladder_attempts`, so that the local frontier model starts in time."""
    budget = settings.budget
    if ladder(settings):
        return min(budget.attempts, budget.ladder_attempts)
    return budget.attempts


def unaffordable(proposal: Offer, left: float) -> str | None:
    """Why an escalation the user asked for cannot start with `left` of today's budget, if so."""
    each = proposal.usd / max(1, proposal.attempts)
    if each > left + 1e-12:
        return (
            f"escalating to {proposal.model} needs up to ${each:.4f} a request, but only "
            f"${max(0.0, left):.4f} of today's budget is left; raise `budget.usd_per_day` "
            "(in .fixloop.toml or [tool.fixloop], and in the editor's fixloop settings) to go on"
        )
    return None
