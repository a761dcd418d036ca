"""One fix loop: attempts for one diagnostic until a candidate verifies.

Up to `parallel` attempts are in flight, `attempts` in all, within `seconds`.
Each attempt asks the model, parses the reply and hands the candidate to the
judge (anti-cheat, then the gate on a shadow copy; a candidate that differs
from an earlier one only in whitespace is not judged again); its failure
reason feeds later attempts.
The first verified candidate wins and the other attempts are cancelled, their
HTTP requests included.
"""

from __future__ import annotations

import dataclasses
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass

import anyio

from fixloop.budget import BudgetExhausted
from fixloop.config import ModelSettings
from fixloop.engine.judge import Judge
from fixloop.engine.prompt import ReplyFormat, build_request, worth_telling
from fixloop.engine.replies import ReplyError, apply_reply, parse_reply
from fixloop.engine.results import Attempt, Fix, LoopResult, LoopStatus, Outcome, Snapshot
from fixloop.engine.secrets import Masker, find_secrets
from fixloop.engine.spending import prices
from fixloop.engine.testgate import TestGate
from fixloop.engine.window import Window, assemble, make_window
from fixloop.providers.base import (
    FatalProviderError,
    Meter,
    Provider,
    ProviderDown,
    ProviderError,
)
from fixloop.verifiers.base import Finding, Verifier


@dataclass(frozen=True, slots=True)
class LoopLimits:
    attempts: int
    parallel: int
    seconds: float


class FixLoop:
    """All attempts for one diagnostic on one snapshot."""

    def __init__(
        self,
        *,
        snapshot: Snapshot,
        finding: Finding,
        baseline: tuple[Finding, ...],
        verifiers: tuple[Verifier, ...],
        provider: Provider,
        model: ModelSettings,
        tier: str,
        limits: LoopLimits,
        verify_limiter: anyio.CapacityLimiter,
        window: Window | None = None,
        on_attempt: Callable[[int], None] | None = None,
        test_gate: TestGate | None = None,
        meter: Meter | None = None,
        context: tuple[Attempt, ...] = (),
        reply_format: ReplyFormat = ReplyFormat.EDITS,
    ) -> None:
        self.snapshot = snapshot
        self.finding = finding
        self.baseline = baseline
        self.verifiers = verifiers
        self.provider = provider
        self.model = model
        self.tier = tier
        self.limits = limits
        self.verify_limiter = verify_limiter
        self.window = window or make_window(snapshot.text, finding)
        self.on_attempt = on_attempt
        self.test_gate = test_gate
        self.meter = meter
        self.context = context  # an earlier tier's attempts, fed to the prompt like our own
        self.reply_format = reply_format
        self.attempts: list[Attempt] = []
        self._numbers = itertools.count(1)
        self.judge = Judge(
            snapshot=snapshot,
            finding=finding,
            baseline=baseline,
            window=self.window,
            verifiers=verifiers,
            limiter=verify_limiter,
            test_gate=test_gate,
        )
        self._fix: Fix | None = None
        self._masker = Masker(())  # the file's secrets, found when the loop starts
        self._stop_reason = ""
        self._over_budget = ""

    async def run(self) -> LoopResult:
        started = time.perf_counter()
        # The whole file is scanned (a key's BEGIN line may be far from the window), off the
        # event loop, once per text: every message of every attempt is masked with it.
        secrets = await anyio.to_thread.run_sync(
            find_secrets, self.snapshot.text, self.snapshot.path.name
        )
        self._masker = Masker.of(secrets)
        with anyio.move_on_after(self.limits.seconds) as deadline:
            async with anyio.create_task_group() as workers:
                for _ in range(min(self.limits.parallel, self.limits.attempts)):
                    workers.start_soon(self._worker, workers.cancel_scope, started)
        if self._fix is not None:
            status = LoopStatus.FIXED
        elif self._over_budget:
            status = LoopStatus.OVER_BUDGET
        elif self._stop_reason:
            status = LoopStatus.STOPPED
        elif deadline.cancelled_caught:
            status = LoopStatus.TIMED_OUT
        else:
            status = LoopStatus.GAVE_UP
        reason = self._over_budget or self._stop_reason or (
            self.attempts[-1].reason if self.attempts and status != LoopStatus.FIXED else ""
        )
        return LoopResult(
            status, self._fix, tuple(self.attempts), time.perf_counter() - started, reason
        )

    async def _worker(self, scope: anyio.CancelScope, started: float) -> None:
        while self._fix is None and not self._stop_reason and not self._over_budget:
            number = next(self._numbers)
            if number > self.limits.attempts:
                return
            if self.on_attempt:
                self.on_attempt(number)
            try:
                attempt, fix, backoff = await self._attempt(number, started)
            except BudgetExhausted as exc:  # nothing was sent: not an attempt
                # No new requests; those in flight were paid for within the budget: let them land.
                self._over_budget = str(exc)
                return
            self.attempts.append(attempt)
            if fix is not None:
                self._fix = fix
                scope.cancel()
                return
            if backoff:
                await anyio.sleep(backoff)

    async def _attempt(self, number: int, loop_started: float) -> tuple[Attempt, Fix | None, float]:
        started = time.perf_counter()
        failures = worth_telling((*self.context, *self.attempts))
        request = build_request(
            self.snapshot,
            self.finding,
            self.window,
            failures,
            max_tokens=self.model.max_tokens,
            temperature=self.model.temperature,
            reply_format=self.reply_format,
        )

        def record(outcome: Outcome, reason: str, **figures) -> Attempt:
            return Attempt(
                number, self.tier, outcome, reason, time.perf_counter() - started, **figures
            )

        # Credentials in the code never leave: placeholders go out, the reply gets them back.
        masker = self._masker
        request = dataclasses.replace(
            request,
            system=masker.mask(request.system),
            messages=tuple(
                dataclasses.replace(message, content=masker.mask(message.content))
                for message in request.messages
            ),
        )
        call_started = time.perf_counter()
        try:
            completion = await self.provider.complete(request, self.meter)
        except FatalProviderError as exc:
            self._stop_reason = f"{self.provider.name}: {exc}"
            return record(Outcome.PROVIDER_ERROR, str(exc)), None, 0.0
        except ProviderDown as exc:  # wait for it to be back (the deadline may come first)
            return record(Outcome.PROVIDER_ERROR, str(exc)), None, exc.seconds_left
        except ProviderError as exc:
            return record(Outcome.PROVIDER_ERROR, str(exc)), None, 0.0
        figures = {
            # The call's wall time: a single local model's turn (other candidates' replies
            # decoded first) and its start are the model's time, not the engine's.
            "model_seconds": max(completion.seconds, time.perf_counter() - call_started),
            "input_tokens": completion.input_tokens,
            "output_tokens": completion.output_tokens,
            "usd": prices(self.model).cost(completion.input_tokens, completion.output_tokens),
        }
        reply_text = masker.unmask(completion.text)
        try:
            span = self.finding.span
            new_texts = apply_reply(
                self.snapshot.text,
                self.window,
                parse_reply(reply_text),
                (span.start_line, span.end_line),
                self.snapshot.language,
            )
        except ReplyError as exc:
            return record(Outcome.PARSE_ERROR, str(exc), **figures), None, 0.0
        candidate = assemble(self.snapshot.text, self.window, new_texts)
        judgement = await self.judge(candidate, number)
        figures["verify_seconds"] = judgement.verify_seconds
        figures["test_seconds"] = judgement.test_seconds
        attempt = record(
            judgement.outcome, judgement.reason, verifier=judgement.verifier, **figures
        )
        if judgement.outcome is not Outcome.VERIFIED:
            return attempt, None, 0.0
        fix = Fix(
            finding=self.finding,
            window=self.window,
            region_edits=(judgement.candidate or candidate).region_edits,
            tier=self.tier,
            model=self.provider.name,
            attempt=number,
            seconds=time.perf_counter() - loop_started,
            described=judgement.title,
        )
        return attempt, fix, 0.0
