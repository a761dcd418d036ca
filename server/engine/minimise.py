"""Candidate minimisation: the smallest subset of a verified candidate's hunks that still passes.

A small model's correct rewrite often touches something harmless as well; the
user should see only what the diagnostic needed. Delta debugging (Zeller's
ddmin) over the candidate's line hunks, each subset judged by the same gate
(anti-cheat, then the verifiers), within a cap on verifier runs.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fixloop.engine.hunks import Hunk

MAX_RUNS = 8  # verifier runs one minimisation may spend

Passes = Callable[[tuple[Hunk, ...]], Awaitable[bool]]


def _chunks(items: tuple[Hunk, ...], n: int) -> list[tuple[Hunk, ...]]:
    size, extra = divmod(len(items), n)
    out, start = [], 0
    for index in range(n):
        end = start + size + (1 if index < extra else 0)
        out.append(items[start:end])
        start = end
    return [chunk for chunk in out if chunk]


async def minimise(items: tuple[Hunk, ...], passes: Passes, runs: int = MAX_RUNS) -> tuple[Hunk, ...]:
    """A 1-minimal subset of `items` for which `passes` holds (all of them when the cap is hit).

    `items` is known to pass. Each call of `passes` counts against `runs`.
    """
    left = runs
    tried: set[tuple[int, ...]] = set()
    n = 2
    while len(items) >= 2 and left > 0:
        chunks = _chunks(items, n)
        reduced = False
        for chunk in chunks + [tuple(h for h in items if h not in c) for c in chunks]:
            key = tuple(id(h) for h in chunk)
            if not chunk or chunk == items or key in tried:
                continue
            tried.add(key)
            if left <= 0:
                break
            left -= 1
            if await passes(chunk):
                n = 2 if len(chunk) < len(items) / 2 else max(n - 1, 2)
                items, reduced = chunk, True
                break
        if not reduced:
            if n >= len(items):
                break
            n = min(len(items), n * 2)
    return items
