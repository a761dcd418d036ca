"""The judge's rules for Python (anticheat.py asks them; pure functions of the two texts).

- A name is local to its function (`in_function`): a declaration of the undefined name
  above its use may sit anywhere in the function around the finding.
- Text, not code, on a syntax error's line (`text_words`): the words of a string left
  unclosed (`print('Self dividing numbers are: `) and of another language's comment
  (`+ 2 //Add 2 instead of 1`: `//` and three or more words; `a // b if b else c` is code).
- A body-less `def`/`class` header repeated by the next line (`duplicate_header`): it may
  be deleted or commented out.
- Another language's generics (`generics`): `List<int>` -> `List[int]` trades `<>` for `[]`.
- A conversion call around an undefined name (`CONVERSIONS`): `str(raw_input(...))` ->
  `input(...)` drops `str` with it.
- A keyword misspelt (`misspelt_keyword`): `whle b:` -> `while b:`, when the word is used
  once and defined nowhere.
- A method called on an undefined object (`method_meant`): `self.reverse(p)` in a plain
  function -> `reverse_list_recursive(p)`, an existing name that holds the method's name.
- Words re-spaced by a syntax fix (`respelt`): `download profile` -> `download_profile`,
  `if_name__` -> `if __name__`.
- A block's missing body (`missing_body`): "expected an indented block" filled with a
  statement of names the file already has (`is_heap = False`), nothing that leaves, imports
  or calls a name the file does not.
"""

from __future__ import annotations

import re
from collections import Counter

from fixloop.engine import syntax
from fixloop.engine.anticheat_tokens import LEX, close, tokens
from fixloop.engine.hunks import Hunk
from fixloop.verifiers.base import Finding

# A conversion call around an undefined name, which its replacement may drop.
CONVERSIONS = {"str", "int", "float", "list", "tuple", "set", "bool", "repr"}
# Another language's generic type (`List<int>`, `Dict<str, int>`): a capitalised type name
GENERIC = re.compile(r"\b[A-Z]\w*<[\w\s,\[\]]+>")
# `// three or more words` in Python: a C comment, not floor division (`count //step size`)
FOREIGN_COMMENT = re.compile(r"(?://|/\*)\s*([A-Za-z]\w*(?:\s+\w+){2,}.*)$")
QUOTES = ("'", '"')


def in_function(hunk: Hunk, original: str, finding: Finding) -> bool:
    """Whether the hunk is inside the function around the finding (Python: a name is local
    to its function; `c = 0` above a loop that counts with it)."""
    function = syntax.enclosing_block(original, "python", finding.span.start_line,
                                      ("function_definition",))
    return function is not None and function[0] < hunk.start and hunk.end <= function[1] + 1


def text_words(old_lines: list[str], finding: Finding, language: str) -> set[str]:
    """Words of the flagged line that are text, not code, in a Python syntax error: those of a
    string left unclosed (`print('Self dividing numbers are: `) and of another language's
    comment (`+ 2 //Add 2 instead of 1`)."""
    row = finding.span.start_line
    if language != "python" or not 0 <= row < len(old_lines):
        return set()
    line = old_lines[row]
    quote, opened = None, None
    for column, char in enumerate(line):
        if quote is None and char == "#":
            break
        if char in QUOTES and (column == 0 or line[column - 1] != "\\"):
            if quote is None:
                quote, opened = char, column
            elif char == quote:
                quote = None
    text = line[opened + 1:] if quote is not None else ""
    if not _prose(text, keywords=True):
        text = ""  # `print("saving, value); os.remove(path)`: code swallowed, not text
    comment = FOREIGN_COMMENT.search(line if quote is None else line[:opened])
    if comment and _prose(comment.group(1), keywords=False):
        text += " " + comment.group(1)
    else:
        comment = None  # `a // b if b else c +`: floor division and code
    words = {w for w in LEX.findall(text) if w[0].isalnum() or w[0] == "_"}
    return words | ({"//", "/"} if comment else set())


def _prose(text: str, keywords: bool) -> bool:
    """Words and sentence punctuation only, nothing that calls, assigns or indexes (and no
    keyword unless `keywords`: `b if b else c` is code): text a person wrote, not code."""
    if set(text) & set("()[]{};=<>+*/%&|^~@\\"):
        return False
    return keywords or not any(w in syntax.PY_KEYWORDS for w in LEX.findall(text))


def duplicate_header(change_list, old_lines, new_lines, before, after, finding) -> set[str]:
    """Names of a body-less `def`/`class` header at the flagged error, deleted or commented out,
    when the next line repeats the header's name (the function is defined right after)."""
    line = finding.span.start_line
    for hunk in change_list:
        rows = list(hunk.old_lines)
        if len(rows) != 1 or not line - 1 <= rows[0] <= line:
            continue
        row = rows[0]
        text = old_lines[row].strip()
        words = text.replace("(", " ").replace(":", " ").split()
        if len(words) < 2 or words[0] not in ("def", "class") or not text.endswith(":"):
            continue
        follow = next((t.strip() for t in old_lines[row + 1:] if t.strip()), "")
        if not follow.startswith(f"{words[0]} {words[1]}"):
            continue
        if any(new_lines[r].strip() and r not in after.comment_lines for r in hunk.new_lines):
            continue
        return set(before.idents.get(row, ())) | set(tokens(old_lines, range(row, row + 1), "python"))
    return set()


def generics(old_text: str, new_text: str) -> int:
    """How many of the old text's `List<int>` generics the new text made `[...]` (each frees
    a `<` and a `>`)."""
    was = len(GENERIC.findall(old_text))
    return min(was, max(0, LEX.findall(new_text).count("[") - LEX.findall(old_text).count("[")))


def misspelt_keyword(token: str, removed: Counter[str], known: Counter[str], builtins) -> str | None:
    """The word a keyword added replaces, when it misspelt the keyword (`whle b:` -> `while
    b:`): a word used once and defined nowhere, close to the keyword."""
    if token not in syntax.PY_KEYWORDS:
        return None
    return next((p for p in removed if removed[p] > 0 and p.isidentifier()
                 and p not in syntax.PY_KEYWORDS and p not in builtins
                 and known.get(p, 0) <= 1 and close(p, token)), None)


# What a filled-in body may not do: leave the function or loop, import, reach outside.
LEAVES = frozenset({"return", "raise", "yield", "break", "continue", "del", "import", "from",
                    "global", "nonlocal", "await", "lambda", "exec", "eval", "__import__"})


def missing_body(finding: Finding, change_list, old_lines: list[str], new_lines: list[str],
                 known: Counter[str]) -> set[str]:
    """The tokens of a body written where "expected an indented block" (none if not that).

    The body the author forgot is a guess whatever it is; `pass` is free anyway. A guess
    may add one or two plain statements deeper than the header above them, made of names
    the file already uses and literals: `is_heap = False`, not `return 0`, `import os`.
    """
    if "expected an indented block" not in finding.message:
        return set()
    out: set[str] = set()
    for hunk in change_list:
        if hunk.end > hunk.start or not 1 <= len(hunk.new) <= 2 or hunk.start == 0:
            continue
        header = old_lines[hunk.start - 1]
        if not header.rstrip().endswith(":"):
            continue
        depth = len(header) - len(header.lstrip())
        if any(len(line) - len(line.lstrip()) <= depth for line in hunk.new):
            continue
        words = tokens(new_lines, hunk.new_lines, "python")
        if any(w in LEAVES for w in words) or any("(" in line for line in hunk.new):
            continue
        names = [w for w in words if (w[0].isalpha() or w[0] == "_") and w not in syntax.PY_KEYWORDS]
        if all(known[w] > 0 for w in names):
            out |= set(words)
    return out


def respelt(change_list, old_lines: list[str], new_lines: list[str]) -> tuple[set[str], set[str]]:
    """Words a syntax fix only re-spaced: (old tokens, new tokens).

    `x.download profile(...)` -> `x.download_profile(...)` joins two words; `if_name__ ==`
    -> `if __name__ ==` splits one. The letters stay, in order, in neighbouring tokens of
    one hunk; only spaces and underscores change.
    """
    def key(parts) -> str:
        return "".join(parts).replace("_", "").lower()

    old_out: set[str] = set()
    new_out: set[str] = set()
    for hunk in change_list:
        old = [t for t in tokens(old_lines, hunk.old_lines, "python") if t[0].isalpha() or t[0] == "_"]
        new = [t for t in tokens(new_lines, hunk.new_lines, "python") if t[0].isalpha() or t[0] == "_"]
        for one, many, side_one, side_many in ((new, old, new_out, old_out), (old, new, old_out, new_out)):
            singles = {t for t in one if t not in many}
            for size in (2, 3):
                for i in range(len(many) - size + 1):
                    run = many[i : i + size]
                    if any(t in one for t in run) and not any(t not in one for t in run):
                        continue
                    joined = key(run)
                    if len(joined) < 4:
                        continue
                    match = next((t for t in singles if key([t]) == joined), None)
                    if match is not None:
                        side_one.add(match)
                        side_many.update(t for t in run if t not in one)
    return old_out, new_out


def method_meant(name: str, change_list, old_lines: list[str], before, after,
                 exists) -> set[str]:
    """Attributes of the undefined `name` whose call became a call of an existing name that
    holds the attribute's name (`self.reverse(p)` -> `reverse_list_recursive(p)`)."""
    out: set[str] = set()
    pattern = re.compile(rf"\b{re.escape(name)}\s*\.\s*([A-Za-z_]\w*)")
    for hunk in change_list:
        added = set(after.names_in(hunk.new_lines)) - set(before.names_in(hunk.old_lines))
        for row in hunk.old_lines:
            for attr in pattern.findall(old_lines[row]):
                if len(attr) >= 3 and any(attr.lower() in other.lower() and exists(other)
                                          for other in added):
                    out.add(attr)
    return out
