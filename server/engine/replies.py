"""Model replies: parsed tolerantly, applied to the window strictly.

A reply is one fenced code block holding the whole rewritten window, or one or
more SEARCH/REPLACE blocks:

    <<<<<<< SEARCH
    lines as they are now
    =======
    lines as they should be
    >>>>>>> REPLACE

Prose around the blocks, a missing language tag, fences around the
SEARCH/REPLACE blocks and trailing whitespace are all accepted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fixloop.engine.keeplines import keep_dropped_lines
from fixloop.engine.window import Window
from fixloop.text.lines import keep_endings, lines_of, newline_of, split_lines
from fixloop.verifiers import languages

SEARCH = re.compile(r"^\s*<{5,}\s*SEARCH\s*$", re.IGNORECASE)
DIVIDER = re.compile(r"^\s*={5,}\s*$")
REPLACE = re.compile(r"^\s*>{5,}\s*REPLACE\s*$", re.IGNORECASE)
FENCE = re.compile(r"^\s*(`{3,}|~{3,})\s*([\w+.-]*)\s*$")
LANGUAGE = re.compile(r"^\s*(python3?|py)\s*$", re.IGNORECASE)


class ReplyError(Exception):
    """A reply that gives no usable candidate; the message says why."""


@dataclass(frozen=True, slots=True)
class Replacement:
    search: str
    replace: str


@dataclass(frozen=True, slots=True)
class Reply:
    """Either replacements or a whole new window (exactly one is set)."""

    replacements: tuple[Replacement, ...] = ()
    whole: str | None = None


def parse_reply(text: str) -> Reply:
    """Find the SEARCH/REPLACE blocks, or else the one fenced block, in a model's reply."""
    lines = lines_of(text)
    if any(SEARCH.match(line) for line in lines):
        return Reply(replacements=_search_replace_blocks(lines))
    block = _first_fenced_block(lines)
    if block is None:
        raise ReplyError("the reply has no code block and no SEARCH/REPLACE block")
    return Reply(whole=block)


def _search_replace_blocks(lines: list[str]) -> tuple[Replacement, ...]:
    blocks: list[Replacement] = []
    state, search, replace = "out", [], []
    for line in lines:
        if state == "out":
            if SEARCH.match(line):
                state, search, replace = "search", [], []
        elif state == "search":
            if DIVIDER.match(line):
                state = "replace"
            elif SEARCH.match(line) or REPLACE.match(line):
                raise ReplyError("a SEARCH block has no ======= divider")
            else:
                search.append(line)
        elif REPLACE.match(line):
            blocks.append(Replacement("\n".join(search), "\n".join(replace)))
            state = "out"
        elif SEARCH.match(line) or DIVIDER.match(line):
            raise ReplyError("a SEARCH/REPLACE block has no >>>>>>> REPLACE end")
        else:
            replace.append(line)
    if state != "out":
        raise ReplyError("the reply ends inside a SEARCH/REPLACE block")
    return tuple(blocks)


def _first_fenced_block(lines: list[str]) -> str | None:
    for index, line in enumerate(lines):
        opening = FENCE.match(line)
        if not opening:
            continue
        fence = opening.group(1)
        for end in range(index + 1, len(lines)):
            closing = FENCE.match(lines[end])
            if closing and closing.group(1).startswith(fence[0]) and not closing.group(2):
                if len(closing.group(1)) >= len(fence):
                    body = lines[index + 1 : end]
                    if not opening.group(2) and body and LANGUAGE.match(body[0]):
                        body = body[1:]  # "```" then "python" on a line of its own (small models)
                    return "\n".join(body)
        raise ReplyError("the reply's code block is not closed")
    return None


def _as_lines(block: str, newline: str, ends_with_newline: bool) -> str:
    if not block:
        return ""
    text = newline.join(block.split("\n"))
    return text + newline if ends_with_newline else text


def apply_reply(
    text: str,
    window: Window,
    reply: Reply,
    diagnostic: tuple[int, int] | None = None,
    language: str = "python",
) -> tuple[str, ...]:
    """The window's region texts after the reply; ReplyError if it cannot apply.

    `diagnostic`: its first and last line (0-based, in `text`); a whole-region
    rewrite then keeps the blank lines, comments and docstrings it dropped away
    from those lines (engine/keeplines.py), as `language` (a languages key) writes them.
    """
    lines = split_lines(text)
    regions = list(window.texts(lines))
    originals = tuple(regions)
    newline = newline_of(text)
    if reply.whole is not None:
        old = regions[window.main]
        ends = old.endswith(("\n", "\r"))
        new = _as_lines(reply.whole.rstrip("\n"), newline, ends)
        if diagnostic is not None and new:
            start = window.main_region.start
            lang = languages.by_key(language)
            kept = keep_dropped_lines(
                split_lines(old),
                split_lines(new),
                diagnostic[0] - start,
                diagnostic[1] - start,
                comments=lang.comments,
                docstrings=lang.key == "python",
            )
            new = _joined(kept, newline, ends)
        regions[window.main] = new
        return _ended_as_before(originals, regions, newline)
    if not reply.replacements:
        raise ReplyError("the reply has no SEARCH/REPLACE block")
    for number, block in enumerate(reply.replacements, 1):
        if not block.search.strip():
            raise ReplyError(f"SEARCH/REPLACE block {number} has an empty SEARCH")
        for index, region in enumerate(regions):
            replaced = _replace_once(region, block, newline)
            if replaced is not None:
                regions[index] = replaced
                break
        else:
            if _find_lines(lines, block.search.split("\n")) is not None:
                raise ReplyError(
                    f"SEARCH block {number} matches code outside the editable window"
                )
            raise ReplyError(f"SEARCH block {number} does not match the window")
    return _ended_as_before(originals, regions, newline)


def _ended_as_before(
    originals: tuple[str, ...], regions: list[str], newline: str
) -> tuple[str, ...]:
    """Every line of a changed region ended as the line it replaces was (a file that mixes
    line endings keeps each of them; see text/lines.keep_endings)."""
    return tuple(
        new if new == old else keep_endings(old, new, newline)
        for old, new in zip(originals, regions, strict=True)
    )


def _joined(lines: list[str], newline: str, ends_with_newline: bool) -> str:
    """Lines, some of them moved, as one text: every line ended but maybe the last."""
    if not lines:
        return ""
    text = newline.join(line.rstrip("\r\n") for line in lines)
    return text + newline if ends_with_newline else text


def _find_lines(haystack: list[str], needle: list[str]) -> int | None:
    wanted = [line.rstrip() for line in needle]
    while wanted and not wanted[-1]:
        wanted.pop()
    while wanted and not wanted[0]:
        wanted.pop(0)
    if not wanted:
        return None
    have = [line.rstrip() for line in haystack]
    for start in range(len(have) - len(wanted) + 1):
        if have[start : start + len(wanted)] == wanted:
            return start
    return None


def _replace_once(region: str, block: Replacement, newline: str) -> str | None:
    """`region` with the block's SEARCH lines replaced, or None if they are not there."""
    lines = split_lines(region)
    search, replace = block.search.split("\n"), block.replace.split("\n")
    # Blank lines at the edges of SEARCH are forgiven; the same number is
    # dropped from REPLACE so that blank lines a fix adds on purpose survive.
    while search and not search[-1].strip():
        search.pop()
        if replace and not replace[-1].strip():
            replace.pop()
    while search and not search[0].strip():
        search.pop(0)
        if replace and not replace[0].strip():
            replace.pop(0)
    start = _find_lines(lines, search)
    if start is not None:
        end = start + len(search)
        ends = lines[end - 1].endswith(("\n", "\r"))
        new = _as_lines("\n".join(replace), newline, ends) if replace != [""] else ""
        return "".join(lines[:start]) + new + "".join(lines[end:])
    # A fragment of one line ("pritn" -> "print") when it occurs exactly once.
    if len(search) == 1 and "\n" not in block.replace and region.count(search[0]) == 1:
        return region.replace(search[0], block.replace, 1)
    return None
