"""Running a benchmark: checked cases × strategies × repeats through the real engine.

Every job (case, strategy, repeat) runs the product's fix pipeline
(engine/pipeline.py: the checker's own fix, the fast tier, auto-escalation)
on a copy of the case's `before` in a private workspace, against the
simulated model server (a child process) or the models a workspace
configures. Each finished job is appended to `results.jsonl` at once, so an
interrupted run picks up where it stopped; `run.json` holds what the results
depend on, and a run with other settings refuses to mix with them.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, Self

import anyio
from anyio.abc import Process
from fixloop import config
from fixloop.benchmark.corpus import Case, ReadyCase, prepare
from fixloop.benchmark.equivalence import Verdict, classify, unified_diff
from fixloop.benchmark.profiles import Profile
from fixloop.benchmark.simserver import Session, base_url
from fixloop.benchmark.strategies import Step, Strategy
from fixloop.budget import Ledger
from fixloop.config import BudgetSettings, ModelSettings, ReplyFormat, Settings, VerifierSettings
from fixloop.engine import pipeline
from fixloop.engine.results import Attempt, LoopResult, LoopStatus
from fixloop.engine.shortcuts import Shortcut, try_shortcuts
from fixloop.engine.toolbox import Toolbox
from fixloop.engine.window import make_window, whole_file
from fixloop.providers import FatalProviderError, Provider, make_provider
from fixloop.text.edits import apply_line_edit

RESULTS = "results.jsonl"
REQUESTS = "requests.jsonl"
RUN = "run.json"
# Of the files above; 2: the product's pipeline (the checker's own fix first), each fix's
# text, diff and verdict against the ground truth.
FORMAT = 2
UNLIMITED_USD = 1e9  # simulated money: no cap
REASON_CHARS = 300


class RunError(Exception):
    """A run that cannot start; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class TierSource:
    """Where one tier's answers come from: a simulated profile or a configured model."""

    name: str
    profile: Profile | None = None
    model: ModelSettings | None = None

    @property
    def simulated(self) -> bool:
        return self.profile is not None

    def describe(self) -> dict[str, Any]:
        if self.profile is not None:
            return {"simulated": True, **self.profile.as_dict()}
        assert self.model is not None
        return {
            "simulated": False,
            "protocol": self.model.protocol,
            "base_url": self.model.base_url,
            "model": self.model.model,
            "usd_per_mtok_in": self.model.usd_per_mtok_in,
            "usd_per_mtok_out": self.model.usd_per_mtok_out,
        }




@dataclass(frozen=True, slots=True)
class Plan:
    """Everything one run needs."""

    corpus: Path
    cases: tuple[Case, ...]
    strategies: tuple[Strategy, ...]
    tiers: dict[str, TierSource]
    out: Path
    repeats: int = 1
    seed: int = 7
    jobs: int = 4
    seconds: float = 120.0  # deadline per loop
    usd_per_day: float | None = None  # real models: the workspace's cap
    budget_root: Path | None = None  # real models: whose daily budget pays

    @property
    def simulated_only(self) -> bool:
        return all(tier.simulated for tier in self.tiers.values())

    def fingerprint(self) -> dict[str, Any]:
        """What results depend on; results made with another fingerprint are not mixed."""
        return {
            "format": FORMAT,
            "seed": self.seed,
            "seconds": self.seconds,
            "strategies": {s.name: s.describe() for s in self.strategies},
            "tiers": {name: tier.describe() for name, tier in sorted(self.tiers.items())},
        }


class Progress(Protocol):
    def begin(self, totals: dict[str, int], done: dict[str, int]) -> None: ...

    def job_done(self, strategy: str, fixed: bool) -> None: ...

    def note(self, text: str) -> None: ...

    def end(self) -> None: ...


def job_key(record: dict[str, Any]) -> tuple[str, str, int]:
    return (record["case"], record["strategy"], int(record["repeat"]))


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """The whole lines of a JSON-lines file (a line cut by an interrupted run is dropped)."""
    if not path.exists():
        return []
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(record, dict):
            records.append(record)
    return records


def open_results(plan: Plan, fresh: bool) -> dict[str, Any]:
    """Make the output folder ready; run.json's content. RunError when it holds other results."""
    plan.out.mkdir(parents=True, exist_ok=True)
    run_file = plan.out / RUN
    fingerprint = plan.fingerprint()
    if fresh:
        for name in (RESULTS, REQUESTS, RUN):
            (plan.out / name).unlink(missing_ok=True)
    if run_file.exists():
        try:
            run = json.loads(run_file.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            raise RunError(f"{run_file} is not JSON: remove it, or pass --fresh") from None
        if run.get("fingerprint") != fingerprint:
            raise RunError(
                f"{plan.out} holds results made with other settings (profiles, strategies, seed or "
                "deadline): pass another --out, or --fresh to start over"
            )
        return run
    return {"fingerprint": fingerprint, "sessions": []}


class BenchToolbox(Toolbox):
    """The engine's toolbox, with providers per job for the simulated tiers (closed after it)."""

    def __init__(self, ledger: Ledger | None) -> None:
        super().__init__(env=dict(os.environ), ledger=ledger)
        self._env_copy = dict(os.environ)
        self._own: dict[ModelSettings, Provider] = {}

    def provider(self, model: ModelSettings) -> Provider:
        if model.base_url.startswith("http://127.0.0.1:") and "/s/" in model.base_url:
            if model not in self._own:
                self._own[model] = make_provider(model, self._env_copy)
            return self._own[model]
        return super().provider(model)

    async def release(self, models: list[ModelSettings]) -> None:
        for model in models:
            provider = self._own.pop(model, None)
            if provider is not None:
                with anyio.CancelScope(shield=True), anyio.move_on_after(2):
                    await provider.aclose()

    async def aclose(self) -> None:
        await self.release(list(self._own))
        await super().aclose()


class SimulatedServerProcess:
    """The simulated model server as a child process (its threads stay out of our interpreter)."""

    def __init__(
        self, corpus: Path, profiles: list[Profile], log: Path, seed: int, scratch: Path
    ) -> None:
        self._argv_files = (corpus, profiles, log, seed, scratch)
        self._process: Process | None = None
        self.port = 0

    async def __aenter__(self) -> Self:
        corpus, profiles, log, seed, scratch = self._argv_files
        profile_file = scratch / "profiles.json"
        profile_file.write_text(json.dumps([p.as_dict() for p in profiles]), encoding="utf-8")
        argv = [
            sys.executable,
            "-m",
            "fixloop.benchmark.simserver",
            "--corpus",
            str(corpus),
            "--profiles",
            str(profile_file),
            "--log",
            str(log),
            "--seed",
            str(seed),
        ]
        self._process = await anyio.open_process(argv, stderr=None)
        buffer = b""
        with anyio.fail_after(60):
            assert self._process.stdout is not None
            while b"\n" not in buffer:
                try:
                    buffer += await self._process.stdout.receive()
                except anyio.EndOfStream:
                    raise RunError(
                        "the simulated model server exited before it was ready"
                    ) from None
        line = buffer.split(b"\n", 1)[0].decode()
        if not line.startswith("PORT "):
            raise RunError(f"the simulated model server said {line!r} instead of its port")
        self.port = int(line.split()[1])
        return self

    async def __aexit__(self, *exc: object) -> None:
        process = self._process
        if process is None:
            return
        with anyio.CancelScope(shield=True):
            if process.stdin is not None:
                await process.stdin.aclose()  # its signal to stop
            with anyio.move_on_after(5):
                await process.wait()
            if process.returncode is None:
                process.kill()
                await process.wait()


def _attempt_record(attempt) -> dict[str, Any]:
    return {
        "number": attempt.number,
        "tier": attempt.tier,
        "outcome": attempt.outcome.value,
        "reason": attempt.reason[:REASON_CHARS],
        "verifier": attempt.verifier,
        "seconds": round(attempt.seconds, 4),
        "model_seconds": round(attempt.model_seconds, 4),
        "verify_seconds": round(attempt.verify_seconds + attempt.test_seconds, 4),
        "input_tokens": attempt.input_tokens,
        "output_tokens": attempt.output_tokens,
        "usd": attempt.usd,
    }


class Runner:
    """Runs a plan's jobs; each result goes to results.jsonl as it comes."""

    def __init__(self, plan: Plan, progress: Progress) -> None:
        self.plan = plan
        self.progress = progress
        self.port = 0
        self.toolbox: BenchToolbox | None = None
        self.workspace = Path()

    def model_for(
        self, tier: TierSource, case: Case, strategy: Strategy, repeat: int
    ) -> ModelSettings:
        if tier.profile is not None:
            profile = tier.profile
            session = Session(profile.name, case.id, strategy.name, repeat)
            return ModelSettings(
                protocol=profile.protocol,
                base_url=base_url(self.port, session, profile.protocol),
                model=profile.model_name,
                usd_per_mtok_in=profile.usd_per_mtok_in,
                usd_per_mtok_out=profile.usd_per_mtok_out,
                max_tokens=strategy.max_tokens,
            )
        assert tier.model is not None
        if any(step.whole_file for step in strategy.steps):
            # The serial baseline rewrites the whole file: room for it.
            return dataclasses.replace(
                tier.model, max_tokens=max(tier.model.max_tokens, strategy.max_tokens)
            )
        return tier.model  # as the product runs it: its own format, token limit, temperature

    def _settings(
        self,
        strategy: Strategy,
        models: dict[config.Tier, ModelSettings],
        step: Step,
        verifiers: tuple[str, ...],
    ) -> Settings:
        """The product's settings for one step, with the strategy's budget for its tier."""
        cap = UNLIMITED_USD if self.plan.usd_per_day is None else self.plan.usd_per_day
        by_tier = {s.tier: s for s in strategy.steps}
        fast, frontier = by_tier.get(config.Tier.FAST), by_tier.get(config.Tier.FRONTIER)
        return Settings(
            models=models,
            budget=BudgetSettings(
                usd_per_day=cap,
                attempts=fast.attempts if fast else step.attempts,
                parallel=step.parallel,
                frontier_attempts=frontier.attempts if frontier else step.attempts,
                seconds=self.plan.seconds,
                loops=1,
                # A second step is the pipeline's own escalation once the fast tier gave up.
                auto_escalate=len(strategy.steps) > 1,
            ),
            verifiers=VerifierSettings(python=verifiers),
        )

    async def run_job(self, ready: ReadyCase, strategy: Strategy, repeat: int) -> dict[str, Any]:
        """One case through the product's fix pipeline (engine/pipeline.py), as `strategy` says."""
        assert self.toolbox is not None
        toolbox = self.toolbox
        case = ready.case
        snapshot = ready.snapshot
        edits_window = make_window(snapshot.text, ready.finding)
        budget_root = self.plan.budget_root or snapshot.root
        steps = {step.tier: step for step in strategy.steps}
        models = {
            step.tier: self.model_for(self.plan.tiers[step.tier], case, strategy, repeat)
            for step in strategy.steps
        }
        first = strategy.steps[0]
        window = whole_file(snapshot.text) if first.whole_file else edits_window
        started = time.time()

        async def run_shortcuts(candidates: tuple[Shortcut, ...]) -> LoopResult:
            settings = self._settings(strategy, models, first, case.verifiers)
            judge = toolbox.judge(settings, snapshot, ready.finding, ready.baseline, window)
            return await try_shortcuts(judge, candidates)

        async def run_tier(tier: config.Tier, context: tuple[Attempt, ...]) -> LoopResult:
            step = steps[tier]
            settings = self._settings(strategy, models, step, case.verifiers)
            try:
                loop = toolbox.loop(
                    tier,
                    settings,
                    snapshot,
                    ready.finding,
                    ready.baseline,
                    whole_file(snapshot.text) if step.whole_file else edits_window,
                    context=context,
                    meter=toolbox.meter(settings, budget_root, tier),
                    # The tier's own reply format, as in the product; the serial baseline
                    # is defined by its whole-file reply.
                    reply_format=ReplyFormat.WHOLE if step.whole_file else None,
                )
            except FatalProviderError as exc:
                return LoopResult(LoopStatus.STOPPED, None, (), 0.0, str(exc))
            return await loop.run()

        try:
            outcome = await pipeline.run(
                self._settings(strategy, models, first, case.verifiers),
                snapshot.text,
                ready.finding,
                window,
                None,  # no memory: every job starts as a first encounter
                run_shortcuts=run_shortcuts,
                run_tier=run_tier,
                start=first.tier,
            )
        finally:
            await toolbox.release(list(models.values()))
        result = outcome.result
        fix = result.fix
        record: dict[str, Any] = {
            "case": case.id,
            "kind": case.kind,
            "strategy": strategy.name,
            "repeat": repeat,
            "started": round(started, 3),
            "status": result.status.value,
            "fixed": fix is not None,
            "fix_tier": str(fix.tier) if fix is not None else None,
            "time_to_fix": (
                round(outcome.time_to_fix, 4) if outcome.time_to_fix is not None else None
            ),
            "seconds": round(sum(stage.result.seconds for stage in outcome.stages), 4),
            "usd": sum(a.usd for a in result.attempts),
            "matches_truth": None,
            "loops": [
                {
                    "tier": str(stage.ran),
                    "status": stage.result.status.value,
                    "seconds": round(stage.result.seconds, 4),
                    "attempts": len(stage.result.attempts),
                    "reason": stage.result.reason[:REASON_CHARS],
                }
                for stage in outcome.stages
            ],
            "attempts": [_attempt_record(a) for a in result.attempts],
        }
        if fix is not None:
            text = snapshot.text
            for edit in sorted(fix.edits(), key=lambda e: e.start, reverse=True):
                text = apply_line_edit(text, edit)
            verdict = classify(text, case.after, case.file)
            record.update(
                matches_truth=verdict is Verdict.SAME,
                verdict=verdict.value,
                fix_text=text,
                fix_diff=unified_diff(snapshot.text, text, case.file),
            )
        return record

    @contextlib.asynccontextmanager
    async def _workspace(self):
        """A private workspace for the cases and a toolbox, both gone afterwards."""
        self.workspace = Path(tempfile.mkdtemp(prefix="fixloop-bench-"))
        self.toolbox = BenchToolbox(Ledger(":memory:") if self.plan.simulated_only else None)
        try:
            yield self.toolbox
        finally:
            await self.toolbox.aclose()
            shutil.rmtree(self.workspace, ignore_errors=True)

    async def _checked(self) -> tuple[list[ReadyCase], list[str]]:
        """The plan's cases written into the workspace and checked: the good ones, and why not."""
        assert self.toolbox is not None
        names = tuple(sorted({name for case in self.plan.cases for name in case.verifiers}))
        built = self.toolbox.verifiers(Settings(verifiers=VerifierSettings(python=names)))
        verifiers = dict(zip(names, built, strict=True))
        ready: dict[str, ReadyCase] = {}
        bad: list[str] = []
        limiter = anyio.CapacityLimiter(max(1, os.cpu_count() or 1))

        async def one(case: Case) -> None:
            outcome = await prepare(case, self.workspace, verifiers, limiter)
            if isinstance(outcome, str):
                bad.append(outcome)
            else:
                ready[case.id] = outcome

        async with anyio.create_task_group() as tg:
            for case in self.plan.cases:
                tg.start_soon(one, case)
        return [ready[c.id] for c in self.plan.cases if c.id in ready], sorted(bad)

    async def check(self) -> tuple[list[ReadyCase], list[str]]:
        """Only check the cases: (good ones, problems)."""
        async with self._workspace():
            return await self._checked()

    async def run(self, fresh: bool = False) -> dict[str, Any]:
        """Run what is not done yet; run.json's content (with this session appended)."""
        plan = self.plan
        run = open_results(plan, fresh)
        session: dict[str, Any] = {
            "started": time.time(),
            "load_before": _load(),
            "cpus": os.cpu_count(),
            "jobs": plan.jobs,
            "cases": len(plan.cases),
            "repeats": plan.repeats,
        }
        done = {job_key(r) for r in read_jsonl(plan.out / RESULTS)}
        todo: list = []
        try:
            async with self._workspace():
                self.progress.note(f"checking {len(plan.cases)} cases")
                ready, bad = await self._checked()
                session["bad_cases"] = bad
                for problem in bad:
                    self.progress.note(f"bad case, left out: {problem}")
                jobs = [
                    (r, s, repeat)
                    for r in ready
                    for repeat in range(plan.repeats)
                    for s in plan.strategies
                ]
                todo = [j for j in jobs if (j[0].case.id, j[1].name, j[2]) not in done]
                totals = {s.name: len(ready) * plan.repeats for s in plan.strategies}
                already = {s.name: 0 for s in plan.strategies}
                for r, s, repeat in jobs:
                    already[s.name] += (r.case.id, s.name, repeat) in done
                simulated = [t.profile for t in plan.tiers.values() if t.profile is not None]
                self.progress.begin(totals, already)
                try:
                    if todo and simulated:
                        async with SimulatedServerProcess(
                            plan.corpus, simulated, plan.out / REQUESTS, plan.seed, self.workspace
                        ) as server:
                            self.port = server.port
                            await self._run_jobs(todo)
                    elif todo:
                        await self._run_jobs(todo)
                finally:
                    self.progress.end()
        finally:
            session.update(ended=time.time(), load_after=_load(), ran=len(todo))
            run["sessions"].append(session)
            (plan.out / RUN).write_text(json.dumps(run, indent=2), encoding="utf-8")
        return run

    async def _run_jobs(self, todo) -> None:
        limiter = anyio.CapacityLimiter(self.plan.jobs)
        results = (self.plan.out / RESULTS).open("a", encoding="utf-8")

        async def one(ready: ReadyCase, strategy: Strategy, repeat: int) -> None:
            async with limiter:
                record = await self.run_job(ready, strategy, repeat)
            results.write(json.dumps(record) + "\n")
            results.flush()
            self.progress.job_done(strategy.name, record["fixed"])

        try:
            async with anyio.create_task_group() as tg:
                for ready, strategy, repeat in todo:
                    tg.start_soon(one, ready, strategy, repeat)
        finally:
            results.close()


def _load() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def selected_records(plan: Plan, cases: set[str]) -> list[dict[str, Any]]:
    """The results for this plan's cases, strategies and repeats (the last of duplicates)."""
    names = {s.name for s in plan.strategies}
    chosen: dict[tuple[str, str, int], dict[str, Any]] = {}
    for record in read_jsonl(plan.out / RESULTS):
        key = job_key(record)
        if key[0] in cases and key[1] in names and key[2] < plan.repeats:
            chosen[key] = record
    return list(chosen.values())
