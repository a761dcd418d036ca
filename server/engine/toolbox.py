"""What loops are built from: providers, verifiers and the ledger per settings, and the shared limits."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import anyio

from fixloop.budget import BudgetExhausted, Ledger, LedgerError, ledger_path
from fixloop.config import ModelSettings, Settings
from fixloop.engine.escalation import FRONTIER, NO_FRONTIER
from fixloop.engine.loop import FixLoop, LoopLimits
from fixloop.engine.prompt import ReplyFormat
from fixloop.engine.spending import TierMeter
from fixloop.engine.testgate import TestGate
from fixloop.engine.values import Attempt, LoopResult, Snapshot
from fixloop.engine.window import Window
from fixloop.providers import FatalProviderError, Health, Provider, make_provider
from fixloop.verifiers import Verifier, aclose_verifier, make_verifier

UNTRUSTED_GATE = (
    "the workspace sets `gate.tests`, but it is not trusted, so its test command is not run "
    "(the cheap gate still applies); trust the folder in your editor, or pass --trust to "
    "`fixloop fix`"
)
NO_MODEL = (
    "fixloop has no fast model configured: add a [models.fast] table (protocol, base_url, "
    "model, api_key_env) to .fixloop.toml or to [tool.fixloop] in pyproject.toml"
)


class Toolbox:
    """Providers, verifiers and the ledger, built once and shared by all loops."""

    def __init__(self, env: dict[str, str] | None = None, ledger: Ledger | None = None) -> None:
        self._env = env if env is not None else dict(os.environ)
        self._providers: dict[ModelSettings, Provider] = {}
        # One of each: mypy's workers and pyright's servers are shared by every loop.
        self._verifiers: dict[str, Verifier] = {}
        self._test_gates: dict[tuple[tuple[str, ...], float], TestGate] = {}
        self._ledger = ledger
        self.notice = ""  # something about the ledger the user should hear once
        # Verifications are CPU-bound subprocesses: no more at once than cores.
        self.verify_limiter = anyio.CapacityLimiter(max(1, os.cpu_count() or 1))

    @property
    def ledger(self) -> Ledger:
        """The ledger in the state directory; in memory (with a notice) if it cannot be opened."""
        if self._ledger is None:
            try:
                self._ledger = Ledger(ledger_path(self._env))
            except LedgerError as exc:
                self._ledger = Ledger(":memory:")
                self.notice = (
                    f"{exc}; spend is counted in memory only, so the daily budget starts over "
                    "when fixloop restarts (set FIXLOOP_STATE_DIR to a writable folder)"
                )
        return self._ledger

    def verifiers(self, settings: Settings) -> tuple[Verifier, ...]:
        return tuple(self._verifier(name) for name in settings.verifiers.python)

    def _verifier(self, name: str) -> Verifier:
        if name not in self._verifiers:
            self._verifiers[name] = make_verifier(name)
        return self._verifiers[name]

    def provider(self, model: ModelSettings) -> Provider:
        """The provider for a tier; FatalProviderError when it cannot be used."""
        if model not in self._providers:
            self._providers[model] = make_provider(model, self._env)
        return self._providers[model]

    def test_gate(self, settings: Settings, trusted: bool) -> TestGate | None:
        """The test gate, when configured and the workspace is trusted to run it."""
        tests = settings.gate.tests
        if not tests or not trusted:
            return None
        key = (tuple(tests), settings.gate.timeout)
        if key not in self._test_gates:
            self._test_gates[key] = TestGate(tuple(tests), settings.gate.timeout)
        return self._test_gates[key]

    def health(self) -> dict[str, Health]:
        """Each provider built so far, by model name."""
        return {provider.name: provider.health() for provider in self._providers.values()}

    def model(self, settings: Settings, tier: str) -> ModelSettings:
        """A tier's model settings; FatalProviderError saying how to configure a missing one."""
        model = settings.models.get(tier)
        if model is None:
            raise FatalProviderError(NO_FRONTIER if tier == FRONTIER else NO_MODEL)
        return model

    def meter(
        self,
        settings: Settings,
        root: Path,
        tier: str,
        *,
        on_refused: Callable[[BudgetExhausted], None] | None = None,
        on_spent: Callable[[], None] | None = None,
        on_trouble: Callable[[str], None] | None = None,
    ) -> TierMeter:
        """Admission for a tier's requests under the workspace's daily cap."""
        return TierMeter(
            self.ledger,
            workspace=root,
            tier=tier,
            model=self.model(settings, tier),
            cap=settings.budget.usd_per_day,
            on_refused=on_refused,
            on_spent=on_spent,
            on_trouble=on_trouble,
        )

    def loop(
        self,
        tier: str,
        settings: Settings,
        snapshot: Snapshot,
        finding,
        baseline,
        window: Window,
        *,
        context: tuple[Attempt, ...] = (),
        on_attempt=None,
        meter: TierMeter | None = None,
        trusted: bool = False,
        reply_format: ReplyFormat = ReplyFormat.EDITS,
    ) -> FixLoop:
        """A loop on one tier; FatalProviderError if that tier's model cannot be used."""
        model = self.model(settings, tier)
        budget = settings.budget
        if tier == FRONTIER:
            attempts = budget.frontier_attempts
            limits = LoopLimits(attempts, min(budget.parallel, attempts), budget.seconds)
        else:
            limits = LoopLimits(budget.attempts, budget.parallel, budget.seconds)
        return FixLoop(
            snapshot=snapshot,
            finding=finding,
            baseline=baseline,
            verifiers=self.verifiers(settings),
            provider=self.provider(model),
            model=model,
            tier=tier,
            limits=limits,
            verify_limiter=self.verify_limiter,
            window=window,
            on_attempt=on_attempt,
            meter=meter,
            context=context,
            test_gate=self.test_gate(settings, trusted),
            reply_format=reply_format,
        )

    def record_loop(self, root: Path, loop: FixLoop, result: LoopResult) -> str | None:
        """Put a finished loop in the ledger's figures; the trouble, if it could not."""
        try:
            self.ledger.record_loop(
                str(root),
                tier=loop.tier,
                model=loop.provider.name,
                status=result.status.value,
                fixed=result.fix is not None,
                attempts=len(result.attempts),
                seconds=result.seconds,
            )
        except LedgerError as exc:
            return str(exc)
        return None

    async def aclose(self) -> None:
        with anyio.CancelScope(shield=True), anyio.move_on_after(2):
            for provider in self._providers.values():
                await provider.aclose()
        self._providers.clear()
        for verifier in self._verifiers.values():
            with anyio.CancelScope(shield=True), anyio.move_on_after(5):
                await aclose_verifier(verifier)
        self._verifiers.clear()
        if self._ledger is not None:
            self._ledger.close()
            self._ledger = None
