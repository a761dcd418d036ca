"""Prompts: the diagnostic, its window, some context, and what failed before."""

from __future__ import annotations

from fixloop.config import ReplyFormat
from fixloop.engine.results import Attempt, Outcome, Snapshot
from fixloop.engine.tiers import describe
from fixloop.engine.window import Window
from fixloop.providers.base import ChatRequest, Fence, Message
from fixloop.text.lines import line_ending, split_lines
from fixloop.verifiers import languages
from fixloop.verifiers.base import Finding

CONTEXT_LINES = 30
FAILURES_SHOWN = 3
# How a whole-region reply's first line is held (a local model's grammar; see Fence.first):
# "line" = the region's first line as it is (its indentation when the finding is on it),
# "indent" = its indentation, "" = not at all.
FIRST_LINE = ""
# A whole-region reply is the region again, a little changed: room for half as much again
# and a few added lines (an import), not the tier's limit. Code runs about 4 characters a
# token in Qwen2.5-Coder's vocabulary (4.1 on fixloop's engine modules); 3 leaves room for
# denser text (non-ASCII names, long numbers).
CHARS_PER_TOKEN = 3
WHOLE_SLACK_TOKENS = 48
WHOLE_SLACK_LINES = 8  # lines a whole-region reply may add (imports, a helper's few lines)

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

# The whole-region format (aider's "whole" edit format): the benchmark's serial
# baseline asks for it over a window that covers the file, and small models need
# it (a 0.5B one echoed the SEARCH/REPLACE template back, or wrote prose).
# Qwen2.5-Coder-0.5B on 3 small cases, 2 loops of 6 attempts each: 5 of 6 loops
# fixed with this, 3 of 6 with SYSTEM. Naming blank lines, comments and
# docstrings cut down, but did not end, its dropping them.
SYSTEM_WHOLE = """\
You fix one diagnostic in a {language} file. Change as little as possible.
Never silence the checker ({silencers}, no disabling rules)
and never delete the code the diagnostic is about unless the diagnostic says it
is unused.

Reply with the whole editable region, rewritten, in one ```{fence} code block
and nothing else. Copy every line you do not need to change exactly as it is:
blank lines, comments and docstrings included."""


def system_prompt(language: str, reply_format: ReplyFormat) -> str:
    """The system prompt for a language key (see fixloop.verifiers.languages)."""
    lang = languages.by_key(language)
    template = SYSTEM if reply_format is ReplyFormat.EDITS else SYSTEM_WHOLE
    return template.format(language=lang.name, silencers=lang.silencers, fence=lang.fence)


def worth_telling(attempts) -> list[Attempt]:
    """The failed attempts a prompt reports: what the model got wrong, not a server's failures."""
    return [a for a in attempts if a.outcome not in (Outcome.VERIFIED, Outcome.PROVIDER_ERROR)]


def _who(attempt: Attempt, tiers: bool) -> str:
    if not_a_model := describe(attempt.tier):
        return not_a_model
    return f"{attempt.tier + ' ' if tiers else ''}attempt {attempt.number}"


def _numbered(lines: list[str], start: int, end: int) -> str:
    """Lines `start`..`end` numbered, one a line: the model reads "\\n" whatever the file's
    own line ending ("\\r" alone would run a CR-only file's window into one line)."""
    return "".join(
        f"{number + 1:>5} | {_bare(lines[number])}\n" for number in range(start, end)
    )


def _bare(line: str) -> str:
    return line[: len(line) - len(line_ending(line))]


def whole_reply_tokens(region_text: str, limit: int) -> int:
    """The token limit for a reply that rewrites `region_text`: sized to it, at most `limit`."""
    sized = len(region_text) * 3 // (2 * CHARS_PER_TOKEN) + WHOLE_SLACK_TOKENS
    return max(1, min(limit, sized))


def _first(lines: list[str], main, finding: Finding) -> str:
    """What the reply's first line must start with, by FIRST_LINE."""
    if not FIRST_LINE or main.end <= main.start:
        return ""
    line = _bare(lines[main.start])
    if not line.strip():
        return ""
    indent = line[: len(line) - len(line.lstrip())]
    if FIRST_LINE == "line" and finding.span.start_line != main.start:
        return line
    return indent


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
        tiers = len({a.tier for a in shown if not describe(a.tier)}) > 1
        parts.append(
            "Earlier attempts failed; do not repeat them:\n"
            + "\n".join(f"- {_who(a, tiers)}: {a.outcome.value}: {a.reason}" for a in shown)
        )
    fence = None
    if reply_format is ReplyFormat.WHOLE:
        tag = languages.by_key(snapshot.language).fence
        fence = Fence(
            tag, 2 * (main.end - main.start) + WHOLE_SLACK_LINES, _first(lines, main, finding)
        )
        max_tokens = whole_reply_tokens(main.text(lines), max_tokens)
        # Said again last, where a small model still reads it: Qwen2.5-Coder-0.5B on
        # examples/undefined_name.py, at 0.7: 9 of 28 replies imported pathlib with this, 3 of
        # 26 without (it mostly copied the region back unchanged).
        parts.append(
            f"Fix it: {finding.message}. Reply with the whole editable region, fixed, "
            f"in one ```{tag} code block."
        )
    return ChatRequest(
        system=system_prompt(snapshot.language, reply_format),
        messages=(Message("user", "\n\n".join(parts)),),
        max_tokens=max_tokens,
        temperature=temperature,
        fence=fence,
    )
