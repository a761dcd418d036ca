"""Fixing files without an editor: `fixloop check` and `fixloop fix`."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import anyio

from fixloop.budget import BudgetExhausted
from fixloop.config import Settings, Tier
from fixloop.engine import pipeline, privacy
from fixloop.engine.findings import CheckResult, run_checks
from fixloop.engine.gate import is_syntax_error
from fixloop.engine.results import Attempt, Fix, LoopResult, LoopStatus, Snapshot
from fixloop.engine.shortcuts import Shortcut, try_shortcuts
from fixloop.engine.toolbox import Toolbox
from fixloop.engine.window import Window, make_window
from fixloop.providers import FatalProviderError
from fixloop.text.edits import LineEdit, apply_line_edit
from fixloop.text.lines import split_lines
from fixloop.verifiers.base import Finding


@dataclass(frozen=True, slots=True)
class FileReport:
    snapshot: Snapshot
    check: CheckResult
    results: tuple[tuple[Finding, LoopResult], ...]


Refused = Callable[[BudgetExhausted], None]


async def run_tier(
    toolbox: Toolbox,
    tier: Tier,
    settings: Settings,
    snapshot: Snapshot,
    finding: Finding,
    baseline: tuple[Finding, ...],
    window: Window,
    *,
    context: tuple[Attempt, ...] = (),
    on_refused: Refused | None = None,
    trusted: bool = False,
) -> LoopResult:
    """One metered loop on one tier, recorded in the ledger."""
    try:
        meter = toolbox.meter(settings, snapshot.root, tier, on_refused=on_refused)
        loop = toolbox.loop(
            tier, settings, snapshot, finding, baseline, window, context=context, meter=meter,
            trusted=trusted,
        )
    except FatalProviderError as exc:
        return LoopResult(LoopStatus.STOPPED, None, (), 0.0, str(exc))
    result = await loop.run()
    await toolbox.record_loop(snapshot.root, finding, result, tier=tier, model=loop.provider.name)
    return result


async def run_shortcuts(
    toolbox: Toolbox,
    settings: Settings,
    snapshot: Snapshot,
    finding: Finding,
    baseline: tuple[Finding, ...],
    window: Window,
    candidates: tuple[Shortcut, ...],
    *,
    trusted: bool = False,
) -> LoopResult:
    """The tool's own fix and remembered fixes, judged like any candidate; in the ledger."""
    judge = toolbox.judge(settings, snapshot, finding, baseline, window, trusted=trusted)
    result = await try_shortcuts(judge, candidates)
    tier = result.fix.tier if result.fix else candidates[-1].tier
    await toolbox.record_loop(snapshot.root, finding, result, tier=tier, model=finding.source)
    return result


async def fix_file(
    snapshot: Snapshot,
    settings: Settings,
    toolbox: Toolbox,
    on_refused: Refused | None = None,
    *,
    trusted: bool = False,
) -> FileReport:
    """Check one file and run the fix pipeline (engine/pipeline.py) for each finding,
    `loops` at a time."""
    check = await run_checks(
        snapshot, toolbox.verifiers(settings, snapshot=snapshot), toolbox.verify_limiter
    )
    results: dict[int, tuple[Finding, LoopResult]] = {}
    refused = await privacy.refusal(snapshot.path, snapshot.root, snapshot.text, settings.files)
    if not refused and check.errors:  # a gate whose tools cannot run would fail every candidate
        refused = "; ".join(check.errors) + " (no fix can be verified while it fails)"
    if refused:
        stopped = LoopResult(LoopStatus.STOPPED, None, (), 0.0, refused)
        return FileReport(snapshot, check, tuple((finding, stopped) for finding in check.shown))
    limiter = anyio.CapacityLimiter(settings.budget.loops)

    async def one(index: int, finding: Finding) -> None:
        async with limiter:
            window = make_window(snapshot.text, finding)

            def on_shortcuts(candidates: tuple[Shortcut, ...]) -> Awaitable[LoopResult]:
                return run_shortcuts(
                    toolbox, settings, snapshot, finding, check.findings, window, candidates,
                    trusted=trusted,
                )

            def on_tier(tier: Tier, context: tuple[Attempt, ...]) -> Awaitable[LoopResult]:
                return run_tier(
                    toolbox, tier, settings, snapshot, finding, check.findings, window,
                    context=context, on_refused=on_refused, trusted=trusted,
                )

            outcome = await pipeline.run(
                settings, snapshot.text, finding, window, toolbox.memory,
                run_shortcuts=on_shortcuts, run_tier=on_tier,
            )
            result = outcome.result
            results[index] = (finding, result)

    async with anyio.create_task_group() as tg:
        for index, finding in enumerate(check.shown):
            tg.start_soon(one, index, finding)
    return FileReport(snapshot, check, tuple(results[i] for i in sorted(results)))


def _overlaps(edit: LineEdit, applied: list[LineEdit]) -> bool:
    for other in applied:
        if edit.start < other.end and other.start < edit.end:
            return True
        if edit.start == edit.end and other.start < edit.start < other.end:
            return True
        if other.start == other.end and edit.start < other.start < edit.end:
            return True
    return False


def _moved(edit: LineEdit, applied: list[LineEdit]) -> LineEdit:
    """`edit` (original coordinates) placed on the text after `applied` (also original)."""
    shift = 0
    for other in applied:
        if other.end <= edit.start and not (other.start == other.end == edit.start == edit.end):
            shift += len(split_lines(other.new_text)) - (other.end - other.start)
    return edit.shifted(shift)


async def merge_fixes(
    snapshot: Snapshot, fixes: list[Fix], settings: Settings, toolbox: Toolbox, baseline: CheckResult
) -> tuple[str, list[Fix], list[Fix]]:
    """Apply fixes one by one, each re-checked on the merged text; returns (text, applied, skipped).

    Each fix was verified alone. Together two may clash (the same import added
    twice); a fix that would add a finding to the merged text is skipped.
    """
    text = snapshot.text
    current = Counter(f.key for f in baseline.findings)
    masked = any(is_syntax_error(f) for f in baseline.findings)
    applied_edits: list[LineEdit] = []
    applied: list[Fix] = []
    skipped: list[Fix] = []
    verifiers = toolbox.verifiers(settings, snapshot=snapshot)
    for fix in fixes:
        edits = list(fix.edits())
        if any(_overlaps(edit, applied_edits) for edit in edits):
            skipped.append(fix)
            continue
        candidate = text
        for edit in sorted(edits, key=lambda e: e.start, reverse=True):
            candidate = apply_line_edit(candidate, _moved(edit, applied_edits))
        check = await run_checks(
            dataclasses.replace(snapshot, text=candidate),
            verifiers,
            toolbox.verify_limiter,
        )
        after = Counter(f.key for f in check.findings)
        # What the original's syntax error hid may show up now; only new syntax errors count
        # (the gate's own test of what a syntax error is).
        added = after - current
        new = {
            f.key
            for f in check.findings
            if f.key in added and (not masked or is_syntax_error(f))
        }
        if check.errors or new or after[fix.finding.key] >= current[fix.finding.key]:
            skipped.append(fix)
            continue
        text, current = candidate, after
        applied_edits.extend(edits)
        applied.append(fix)
    return text, applied, skipped
