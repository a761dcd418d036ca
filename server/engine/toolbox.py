"""What loops are built from: providers, verifiers and the ledger per settings, and the shared limits."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from pathlib import Path

import anyio

from fixloop.budget import BudgetExhausted, Ledger, LedgerError, ledger_path, read_spent
from fixloop.config import ModelSettings, ReplyFormat, Settings, Tier
from fixloop.engine.escalation import NO_FRONTIER, fast_attempts
from fixloop.engine.judge import Judge
from fixloop.engine.loop import FixLoop, LoopLimits
from fixloop.engine.results import Attempt, LoopResult, Snapshot
from fixloop.engine.shortcuts import FixMemory
from fixloop.engine.spending import TierMeter
from fixloop.engine.testgate import TestGate
from fixloop.engine.window import Window
from fixloop.providers import FatalProviderError, Health, Provider, make_provider
from fixloop.providers.local import INSTALL as INSTALL_LOCAL
from fixloop.providers.local import LocalModels
from fixloop.verifiers import Verifier
from fixloop.verifiers.base import Finding
from fixloop.verifiers.command import CommandVerifier, matches
from fixloop.verifiers.registry import KNOWN, aclose_verifier, available, make_verifier
from fixloop.verifiers.unavailable import Unavailable

UNTRUSTED_GATE = (
    "the workspace sets `gate.tests`, but it is not trusted, so its test command is not run "
    "(the cheap gate still applies); trust the folder in your editor, or pass --trust to "
    "`fixloop fix`"
)
NO_MODEL = (
    "fixloop has no fast model configured: add a [models.fast] table (protocol, base_url, "
    "model, api_key_env) to your config file (~/.config/fixloop/config.toml, or "
    "$FIXLOOP_CONFIG_DIR/config.toml) or to the editor's fixloop settings (a workspace's "
    ".fixloop.toml may set where requests go only when the workspace is trusted), "
    f"or install the offline local model: {INSTALL_LOCAL}"
)


def gate_names(settings: Settings, snapshot: Snapshot | None) -> list[str]:
    """The verifier names for a snapshot, in gate order (Python's without one)."""
    if snapshot is None:
        return list(settings.verifiers.python)
    commands = settings.verifiers.command
    names = [
        name for name in settings.verifiers.for_language(snapshot.language)
        if name not in commands or matches(commands[name].files, snapshot.path, snapshot.root)
    ]
    names += [
        name for name, command in commands.items()
        if name not in names and matches(command.files, snapshot.path, snapshot.root)
    ]
    return names


class Toolbox:
    """Providers, verifiers and the ledger, built once and shared by all loops."""

    def __init__(self, env: dict[str, str] | None = None, ledger: Ledger | None = None) -> None:
        self._env = env if env is not None else dict(os.environ)
        self._providers: dict[ModelSettings, Provider] = {}
        # One of each: mypy's workers and pyright's servers are shared by every loop.
        self._verifiers: dict[tuple, Verifier] = {}
        self._test_gates: dict[tuple[tuple[str, ...], float], TestGate] = {}
        self._ledger = ledger
        self.notice = ""  # something about the ledger the user should hear once
        # Verifications are CPU-bound subprocesses: no more at once than cores.
        self.verify_limiter = anyio.CapacityLimiter(max(1, os.cpu_count() or 1))
        self.memory = FixMemory()  # verified fixes, offered again without a model
        self._available: dict[tuple[str, Path], bool] = {}
        # The offline models: stand-ins when no model is configured, served by child processes.
        self.local = LocalModels(self._env, busy=lambda: int(self.verify_limiter.borrowed_tokens))

    def effective(self, settings: Settings) -> Settings:
        """The settings loops run with: with no [models] at all, the local models stand in.

        The fast tier is the local 0.5B model (or the 1.5B one when only it is
        installed), the frontier tier the 1.5B one when both are: see LocalModels.default.
        Any [models] table, in the workspace or the editor, switches this off.
        """
        if settings.models:
            return settings
        models = {tier: model for tier in Tier if (model := self.local.default(tier))}
        return dataclasses.replace(settings, models=models) if models else settings

    @property
    def ledger(self) -> Ledger:
        """The ledger in the state directory; in memory (with a notice) if it cannot be opened.

        In memory, today's spend already in the file (when it can be read) still counts,
        so a read-only or locked ledger never lifts the daily cap.
        """
        if self._ledger is None:
            path = ledger_path(self._env)
            try:
                self._ledger = Ledger(path)
                self.notice = self._ledger.recovered
            except LedgerError as exc:
                self._ledger = Ledger(":memory:")
                spent = read_spent(path, self._ledger.today()) if path.is_file() else {}
                self._ledger.carry(spent, "from the ledger file")
                self.notice = (
                    f"{exc}; until it can be written, this fixloop counts spend in memory "
                    f"(today's ${sum(spent.values()):.4f} from the file included): other "
                    "fixloop processes do not see it and it is lost when fixloop restarts "
                    f"(make {path.parent} writable, or set FIXLOOP_STATE_DIR to a writable folder)"
                )
        return self._ledger

    def verifiers(
        self, settings: Settings, extra: tuple[str, ...] = (), snapshot: Snapshot | None = None
    ) -> tuple[Verifier, ...]:
        """The gate for a snapshot's language in order, then `extra` ones it does not list.

        Without a snapshot: Python's. The workspace's command verifiers run where their
        `files` globs match the file: in the language's list where it names them, else
        after it.
        """
        language = snapshot.language if snapshot is not None else "python"
        names = gate_names(settings, snapshot)
        names += [name for name in extra if name not in names]
        timeout = settings.verifiers.timeout
        return tuple(self._verifier(settings, name, timeout, language) for name in names)

    def available(self, name: str, root: Path) -> bool:
        """Whether a verifier the workspace does not list could still run (remembered)."""
        key = (name, root)
        if key not in self._available:
            self._available[key] = available(name, root)
        return self._available[key]

    def _verifier(
        self, settings: Settings, name: str, timeout: float | None, language: str
    ) -> Verifier:
        command = settings.verifiers.command.get(name)
        if command is not None:
            key: tuple = ("command", name, command)
            if key not in self._verifiers:
                self._verifiers[key] = CommandVerifier(name, command)
            return self._verifiers[key]
        if name not in KNOWN:  # a tool the language table names that this fixloop lacks
            key = ("unavailable", name, language)
            if key not in self._verifiers:
                self._verifiers[key] = Unavailable(name, language)
            return self._verifiers[key]
        if (name, timeout) not in self._verifiers:
            self._verifiers[name, timeout] = make_verifier(name, timeout)
        return self._verifiers[name, timeout]

    def provider(self, model: ModelSettings) -> Provider:
        """The provider for a tier; FatalProviderError when it cannot be used."""
        if model not in self._providers:
            if model.protocol == "local":
                self._providers[model] = self.local.provider(model)
            else:
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

    def model(self, settings: Settings, tier: Tier) -> ModelSettings:
        """A tier's model settings; FatalProviderError saying how to configure a missing one."""
        model = settings.models.get(tier)
        if model is None:
            raise FatalProviderError(NO_FRONTIER if tier == Tier.FRONTIER else NO_MODEL)
        return model

    def meter(
        self,
        settings: Settings,
        root: Path,
        tier: Tier,
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

    def judge(
        self,
        settings: Settings,
        snapshot: Snapshot,
        finding: Finding,
        baseline: tuple[Finding, ...],
        window: Window,
        *,
        trusted: bool = False,
    ) -> Judge:
        """The gate for candidates that need no model (the tool's fix, remembered fixes)."""
        return Judge(
            snapshot=snapshot,
            finding=finding,
            baseline=baseline,
            window=window,
            verifiers=self.verifiers(settings, (finding.source,), snapshot),
            limiter=self.verify_limiter,
            test_gate=self.test_gate(settings, trusted),
        )

    def loop(
        self,
        tier: Tier,
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
        reply_format: ReplyFormat | None = None,
    ) -> FixLoop:
        """A loop on one tier; FatalProviderError if that tier's model cannot be used."""
        model = self.model(settings, tier)
        budget = settings.budget
        if tier == Tier.FRONTIER:
            attempts = budget.frontier_attempts
            limits = LoopLimits(attempts, min(budget.parallel, attempts), budget.seconds)
        else:
            limits = LoopLimits(fast_attempts(settings), budget.parallel, budget.seconds)
        return FixLoop(
            snapshot=snapshot,
            finding=finding,
            baseline=baseline,
            # A diagnostic of a verifier the workspace does not list (asked for by another
            # language server's diagnostic) is verified by that verifier too.
            verifiers=self.verifiers(settings, (finding.source,), snapshot),
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
            # The tier's own format unless the caller (the benchmark) says otherwise.
            reply_format=reply_format or model.reply_format,
        )

    async def record_loop(
        self,
        root: Path,
        finding: Finding,
        result: LoopResult,
        *,
        tier: Tier,
        model: str,
        wait_seconds: float = 0.0,
    ) -> str | None:
        """Put a finished loop in the ledger's figures; the trouble, if it could not.

        Off the event loop: another process may hold the ledger's write lock a while.
        """
        ledger = self.ledger
        fix = result.fix

        def record() -> None:
            ledger.record_loop(
                str(root),
                tier=tier,
                model=model,
                status=result.status.value,
                fixed=fix is not None,
                attempts=len(result.attempts),
                seconds=result.seconds,
                verifier=finding.source,
                code=finding.code,
                input_tokens=sum(a.input_tokens for a in result.attempts),
                output_tokens=sum(a.output_tokens for a in result.attempts),
                usd=result.usd,
                wait_seconds=wait_seconds,
                fix_seconds=wait_seconds + fix.seconds if fix is not None else None,
                failures=result.failures,
            )

        try:
            await anyio.to_thread.run_sync(record)
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
        await self.local.aclose()  # shielded and bounded on its own (stopping a child takes <5 s)
        if self._ledger is not None:
            self._ledger.close()
            self._ledger = None
