"""Prompts: the diagnostic, its window, some context, and what failed before."""

from __future__ import annotations

import enum

from fixloop.engine.values import Attempt, Outcome, Snapshot
from fixloop.engine.window import Window
from fixloop.providers.base import ChatRequest, Message
from fixloop.shadow.edits import split_lines
from fixloop.verifiers import languages
from fixloop.verifiers.base import Finding

CONTEXT_LINES = 30
FAILURES_SHOWN = 3

SYSTEM = """\
You fix one diagnostic in a {language} file. Change as little as possible.
Edit only the lines shown in the editable region(s). Never silence the checker
({silencers}, no disabling rules) and never delete the
code the diagnostic is about unless the diagnostic says it is unused.

Reply with one or more SEARCH/REPLACE blocks and nothing else:

<<<<<<< SEARCH
exact lines from an editable region
=======
the lines that replace them
>>>>>>> REPLACE

The SEARCH lines must match the file exactly, including indentation."""

# The whole-file format (aider's "whole" edit format): the benchmark's serial
# baseline asks for it over a window that covers the file.
SYSTEM_WHOLE = """\
You fix one diagnostic in a {language} file. Change as little as possible.
Never silence the checker ({silencers}, no disabling rules)
and never delete the code the diagnostic is about unless the diagnostic says it
is unused.

Reply with the whole editable region, rewritten, in one fenced code block
(```{fence} ... ```) and nothing else. Keep every line you do not change exactly
as it is."""


class ReplyFormat(enum.Enum):
    """What a prompt asks the model to reply with."""

    EDITS = "search-replace"  # SEARCH/REPLACE blocks: a one-line fix costs a one-line reply
    WHOLE = "whole"  # the whole window in one fenced block


def system_prompt(language: str, reply_format: ReplyFormat) -> str:
    """The system prompt for a language key (see fixloop.verifiers.languages)."""
    lang = languages.by_key(language)
    template = SYSTEM if reply_format is ReplyFormat.EDITS else SYSTEM_WHOLE
    return template.format(language=lang.name, silencers=lang.silencers, fence=lang.fence)


def worth_telling(attempts) -> list[Attempt]:
    """The failed attempts a prompt reports: what the model got wrong, not a server's failures."""
    return [a for a in attempts if a.outcome not in (Outcome.VERIFIED, Outcome.PROVIDER_ERROR)]


# Candidates that were not a model's attempt (engine/shortcuts.py).
NOT_A_MODEL = {"tool": "the checker's own fix", "memory": "a fix remembered from before"}


def _who(attempt: Attempt, tiers: bool) -> str:
    if attempt.tier in NOT_A_MODEL:
        return NOT_A_MODEL[attempt.tier]
    return f"{attempt.tier + ' ' if tiers else ''}attempt {attempt.number}"


def _numbered(lines: list[str], start: int, end: int) -> str:
    return "".join(f"{number + 1:>5} | {lines[number]}" for number in range(start, end)).rstrip(
        "\n"
    ) + "\n"


def build_request(
    snapshot: Snapshot,
    finding: Finding,
    window: Window,
    failures: list[Attempt],
    *,
    max_tokens: int,
    temperature: float,
    reply_format: ReplyFormat = ReplyFormat.EDITS,
) -> ChatRequest:
    """The chat request for one attempt."""
    lines = split_lines(snapshot.text)
    main = window.main_region
    parts = [
        f"File: {snapshot.path.name}",
        f"Diagnostic ({finding.source} {finding.code}) at line {finding.span.start_line + 1}, "
        f"column {finding.span.start_col + 1}: {finding.message}",
    ]
    for index, region in enumerate(window.regions):
        if index == window.main:
            previous_end = window.regions[index - 1].end if index else 0
            before = max(previous_end, main.start - CONTEXT_LINES)
            if before < main.start:
                parts.append("Context (read-only):\n" + _numbered(lines, before, main.start))
        label = "Editable region" if len(window.regions) == 1 else f"Editable region {index + 1}"
        body = _numbered(lines, region.start, region.end) if region.end > region.start else ""
        parts.append(
            f"{label} (lines {region.start + 1}-{region.end}; the numbers are not part of "
            f"the file):\n{body}"
        )
    after = min(len(lines), main.end + CONTEXT_LINES)
    if main.end < after:
        parts.append("Context (read-only):\n" + _numbered(lines, main.end, after))
    if failures:
        shown = failures[-FAILURES_SHOWN:]
        # After an escalation the numbers restart: say whose attempt it was.
        tiers = len({a.tier for a in shown if a.tier not in NOT_A_MODEL}) > 1
        parts.append(
            "Earlier attempts failed; do not repeat them:\n"
            + "\n".join(f"- {_who(a, tiers)}: {a.outcome.value}: {a.reason}" for a in shown)
        )
    return ChatRequest(
        system=system_prompt(snapshot.language, reply_format),
        messages=(Message("user", "\n\n".join(parts)),),
        max_tokens=max_tokens,
        temperature=temperature,
    )
