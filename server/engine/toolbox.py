"""What loops are built from: providers and verifiers per settings, and the shared limits."""

from __future__ import annotations

import os

import anyio

from fixloop.config import ModelSettings, Settings
from fixloop.engine.loop import FixLoop, LoopLimits
from fixloop.engine.testgate import TestGate
from fixloop.engine.values import Snapshot
from fixloop.engine.window import Window
from fixloop.providers import FatalProviderError, Provider, make_provider
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
    """Providers and verifiers, built once per distinct settings and shared by all loops."""

    def __init__(self, env: dict[str, str] | None = None) -> None:
        self._env = env if env is not None else dict(os.environ)
        self._providers: dict[ModelSettings, Provider] = {}
        # One of each: mypy's workers and pyright's servers are shared by every loop.
        self._verifiers: dict[str, Verifier] = {}
        self._test_gates: dict[tuple[tuple[str, ...], float], TestGate] = {}
        # Verifications are CPU-bound subprocesses: no more at once than cores.
        self.verify_limiter = anyio.CapacityLimiter(max(1, os.cpu_count() or 1))

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

    def fast_loop(
        self,
        settings: Settings,
        snapshot: Snapshot,
        finding,
        baseline,
        window: Window,
        on_attempt=None,
        trusted: bool = False,
    ) -> FixLoop:
        """A fast-tier loop; FatalProviderError if no fast model can be used."""
        model = settings.models.get("fast")
        if model is None:
            raise FatalProviderError(NO_MODEL)
        budget = settings.budget
        return FixLoop(
            snapshot=snapshot,
            finding=finding,
            baseline=baseline,
            verifiers=self.verifiers(settings),
            provider=self.provider(model),
            model=model,
            tier="fast",
            limits=LoopLimits(budget.attempts, budget.parallel, budget.seconds),
            verify_limiter=self.verify_limiter,
            window=window,
            on_attempt=on_attempt,
            test_gate=self.test_gate(settings, trusted),
        )

    async def aclose(self) -> None:
        with anyio.CancelScope(shield=True), anyio.move_on_after(2):
            for provider in self._providers.values():
                await provider.aclose()
        self._providers.clear()
        for verifier in self._verifiers.values():
            with anyio.CancelScope(shield=True), anyio.move_on_after(5):
                await aclose_verifier(verifier)
        self._verifiers.clear()
