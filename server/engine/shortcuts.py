"""Fixes without a model: the tool's own fix (tier 0) and the memory of verified fixes.

Both are candidates like any other and go through the same judge; when one
passes it is offered at once, recorded with its `Origin` (TOOL or MEMORY)
where a model's fix records its tier. The memory is keyed by (verifier, code, message, window
text), so an undone fix, or a second file with the same mistake, gets the
fix again after it is verified on the new text.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass

from fixloop.engine.judge import Judge
from fixloop.engine.results import Attempt, Fix, LoopResult, LoopStatus, Outcome
from fixloop.engine.tiers import Maker, Origin
from fixloop.engine.window import Region, Window, assemble
from fixloop.text.edits import apply_line_edit
from fixloop.text.lines import split_lines
from fixloop.verifiers.base import Finding, Span, ToolEdit

MemoryKey = tuple[str, str, str, tuple[str, ...]]


def _inside(span: Span, region: Region) -> bool:
    """Whether the span lies on the region's lines (an end at column 0 of its end line is fine)."""
    if span.start_line < region.start:
        return False
    return span.end_line < region.end or (span.end_line == region.end and span.end_col == 0)


def _offset(lines: list[str], line: int, col: int) -> int:
    if line >= len(lines):
        return sum(len(text) for text in lines)
    return sum(len(text) for text in lines[:line]) + min(col, len(lines[line]))


def tool_texts(text: str, window: Window, edits: tuple[ToolEdit, ...]) -> tuple[str, ...] | None:
    """The window's region texts with the tool's edits applied; None when an edit leaves it."""
    if not edits:
        return None
    lines = split_lines(text)
    per_region: list[list[ToolEdit]] = [[] for _ in window.regions]
    for edit in edits:
        for index, region in enumerate(window.regions):
            if _inside(edit.span, region):
                per_region[index].append(edit)
                break
        else:
            return None
    texts = []
    for region, region_edits in zip(window.regions, per_region, strict=True):
        body = lines[region.start : region.end]
        new = "".join(body)
        for edit in sorted(region_edits, key=lambda e: e.span, reverse=True):
            start = _offset(body, edit.span.start_line - region.start, edit.span.start_col)
            end = _offset(body, edit.span.end_line - region.start, edit.span.end_col)
            new = new[:start] + edit.new_text + new[end:]
        texts.append(new)
    return tuple(texts)


@dataclass(frozen=True, slots=True)
class Remembered:
    """A verified fix as the window's new region texts."""

    texts: tuple[str, ...]
    tier: Maker  # the tier that found it first
    model: str


class FixMemory:
    """Verified fixes, most recently used kept (bounded)."""

    def __init__(self, size: int = 1024) -> None:
        self.size = size
        self._fixes: OrderedDict[MemoryKey, Remembered] = OrderedDict()

    def __len__(self) -> int:
        return len(self._fixes)

    @staticmethod
    def key(finding: Finding, window_texts: tuple[str, ...]) -> MemoryKey:
        return (finding.source, finding.code, finding.message, window_texts)

    def recall(self, key: MemoryKey) -> Remembered | None:
        found = self._fixes.get(key)
        if found is not None:
            self._fixes.move_to_end(key)
        return found

    def remember(self, text: str, fix: Fix) -> None:
        """Keep a fix verified on `text` (the snapshot its loop ran on)."""
        lines = split_lines(text)
        window_texts = fix.window.texts(lines)
        new_texts = tuple(
            old if edit is None else apply_line_edit(old, edit)
            for old, edit in zip(window_texts, fix.region_edits, strict=True)
        )
        key = self.key(fix.finding, window_texts)
        tier = (
            fix.tier
            if fix.tier != Origin.MEMORY
            else self._fixes.get(key, Remembered((), Origin.MEMORY, "")).tier
        )
        self._fixes[key] = Remembered(new_texts, tier, fix.model)
        self._fixes.move_to_end(key)
        while len(self._fixes) > self.size:
            self._fixes.popitem(last=False)


@dataclass(frozen=True, slots=True)
class Shortcut:
    """A candidate that needs no model."""

    tier: Origin
    texts: tuple[str, ...]  # the window's new region texts
    model: str  # what made it: the tool's name, or the model that found the remembered fix


def shortcuts(
    text: str, finding: Finding, window: Window, memory: FixMemory | None
) -> tuple[Shortcut, ...]:
    """The candidates to try before any model: the tool's fix, then a remembered one."""
    found: list[Shortcut] = []
    texts = tool_texts(text, window, finding.tool_fix)
    if texts is not None:
        found.append(Shortcut(Origin.TOOL, texts, finding.source))
    if memory is not None:
        remembered = memory.recall(FixMemory.key(finding, window.texts(split_lines(text))))
        if remembered is not None and remembered.texts != texts:
            found.append(Shortcut(Origin.MEMORY, remembered.texts, remembered.model))
    return tuple(found)


async def try_shortcuts(judge: Judge, candidates: tuple[Shortcut, ...]) -> LoopResult:
    """Judge each shortcut in turn; FIXED with the first that passes, else GAVE_UP."""
    started = time.perf_counter()
    attempts: list[Attempt] = []
    text, window = judge.snapshot.text, judge.window
    for shortcut in candidates:
        attempt_started = time.perf_counter()
        candidate = assemble(text, window, shortcut.texts)
        judgement = await judge(candidate, 0)
        attempts.append(
            Attempt(
                0,
                shortcut.tier,
                judgement.outcome,
                judgement.reason,
                time.perf_counter() - attempt_started,
                verify_seconds=judgement.verify_seconds,
                test_seconds=judgement.test_seconds,
                verifier=judgement.verifier,
            )
        )
        if judgement.outcome is Outcome.VERIFIED:
            fix = Fix(
                finding=judge.finding,
                window=window,
                region_edits=(judgement.candidate or candidate).region_edits,
                tier=shortcut.tier,
                model=shortcut.model,
                attempt=0,
                seconds=time.perf_counter() - started,
                described=judgement.title,
            )
            return LoopResult(LoopStatus.FIXED, fix, tuple(attempts), time.perf_counter() - started)
    reason = attempts[-1].reason if attempts else "no shortcut"
    return LoopResult(
        LoopStatus.GAVE_UP, None, tuple(attempts), time.perf_counter() - started, reason
    )
