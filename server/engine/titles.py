"""Code action titles that say what a fix does, read from its (minimal) diff.

    describe("def f(x)\\n", "def f(x):\\n")      -> "add ':'"
    describe("total(rows)\\n", "len(rows)\\n")   -> "replace total with len"
    title(...)                                  -> "fixloop: import pathlib"

A pure function of the two texts, the way ruff titles its own fixes; the
fallback names the lines it edits. Lines are 1-based, ranges use an en dash.
"""

from __future__ import annotations

import difflib
import re

from fixloop.engine.hunks import Hunk, hunks

PREFIX = "fixloop: "
TOKEN = re.compile(r"[A-Za-z_]\w*|\d[\w.]*|'''|\"\"\"|===|!==|==|!=|<=|>=|&&|\|\||->|::|[^\s\w]")
IMPORT = re.compile(r"^\s*(?:import\s+(?P<names>[\w., ]+?)|from\s+(?P<module>[\w.]+)\s+import\s+"
                    r"(?P<what>[\w., ()*]+?)|#\s*include\s*(?P<header>[<\"][^>\"]+[>\"]))\s*(?:#.*|;)?$")
LONGEST = 60


def _lines(first: int, last: int) -> str:
    return f"line {first}" if first == last else f"lines {first}\u2013{last}"


def _imports(lines: tuple[str, ...]) -> str | None:
    found = []
    for line in lines:
        if not line.strip():
            continue
        match = IMPORT.match(line.rstrip("\r\n"))
        if match is None:
            return None
        if match.group("names"):
            found.append(match.group("names").strip())
        elif match.group("header"):
            found.append(match.group("header"))
        else:
            found.append(f"{match.group('what').strip('() ')} from {match.group('module')}")
    return ", ".join(found) if found else None


def _quoted(token: str) -> str:
    return f'"{token}"' if "'" in token else f"'{token}'"


def _tokens_change(old: str, new: str) -> str | None:
    a, b = TOKEN.findall(old), TOKEN.findall(new)
    ops = [op for op in difflib.SequenceMatcher(None, a, b, False).get_opcodes() if op[0] != "equal"]
    if not ops:
        return None
    if all(tag == "insert" for tag, *_ in ops):
        added = [t for _, _, _, j1, j2 in ops for t in b[j1:j2]]
        return "add " + " and ".join(_quoted(t) for t in added) if len(added) <= 3 else None
    if all(tag == "delete" for tag, *_ in ops):
        removed = [t for _, i1, i2, _, _ in ops for t in a[i1:i2]]
        return "remove " + " and ".join(_quoted(t) for t in removed) if len(removed) <= 3 else None
    if len(ops) == 1 or len({(" ".join(a[i1:i2]), " ".join(b[j1:j2])) for _, i1, i2, j1, j2 in ops}) == 1:
        _, i1, i2, j1, j2 = ops[0]
        was, now = " ".join(a[i1:i2]), " ".join(b[j1:j2])
        if was and now and len(was) + len(now) <= LONGEST:
            return f"replace {was} with {now}"
    return None


def describe(original: str, fixed: str) -> str:
    """What the change from `original` to `fixed` does, in a few words."""
    changes: tuple[Hunk, ...] = hunks(original, fixed)
    if not changes:
        return "no change"
    first = min(h.start for h in changes) + 1
    last = max(max(h.end, h.start + 1) for h in changes)
    old_lines = original.splitlines(keepends=True)
    if all(h.start == h.end for h in changes):
        names = _imports(tuple(line for h in changes for line in h.new))
        if names:
            verb = "include" if names.startswith(("<", '"')) else "import"
            return f"{verb} {names}"
    if all(not h.new for h in changes):
        names = _imports(tuple(line for h in changes for line in old_lines[h.start : h.end]))
        if names:
            return f"remove import {names}"
        return f"delete {_lines(first, last)}"
    olds = [line for h in changes for line in old_lines[h.start : h.end]]
    news = [line for h in changes for line in h.new]
    if [line.strip() for line in olds] == [line.strip() for line in news]:
        return f"re-indent {_lines(first, last)}"
    if [line.strip() for line in olds if line.strip()] == [line.strip() for line in news if line.strip()]:
        return f"re-indent {_lines(first, last)}"
    change = _tokens_change("".join(olds), "".join(news))
    if change and len(change) <= LONGEST + 10:
        return change
    return f"edit {_lines(first, last)}"


def title(original: str, fixed: str) -> str:
    """The code action title: `fixloop: ` and what the fix does."""
    return PREFIX + describe(original, fixed)
