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
- A line deleted around an undefined name (`deleted_instead`): refused when the line
  raises, asserts or returns (`raise ValidationError(x)`: the error path goes), or when
  a module has the name (`isclose` in math, `validate` in the workspace's checks.py:
  import it); DebugBench's injected `unknownFunction(y)` may still go.
- Names swapped (`reordered`): a syntax fix keeps the order of the names it keeps
  (`print("saving, value); os.remove(path)` may not end `print("saving", path);
  os.remove(value)`).
- A re-indent that moves an exit into a loop (`exit_into_loop`): `return t` at the
  loop header's level indented into the body makes the loop run once.
- A call to a member a module does not have, unwrapped (`phantom_unwrap`):
  `2*math.notify(x)` -> `2*x` for an undefined `math` (math has no `notify`, nor
  anything like it): the injected call goes; `math.sqrt(x)` -> `x` stays refused.
- A keyword misspelt (`misspelt_keyword`): `whle b:` -> `while b:`, when the word is used
  once and defined nowhere.
- A method called on an undefined object (`method_meant`): `self.reverse(p)` in a plain
  function -> `reverse_list_recursive(p)`, an existing name that holds the method's name.
- A dead definition renamed to the undefined name (`renames_definition`):
  `DIE_DISPLAY_SEPARATOR = " "`, never used, -> `DIE_FACE_SEPARATOR = " "`, the name a
  line far below uses; the names share a word.
- Words re-spaced by a syntax fix (`respelt`): `download profile` -> `download_profile`,
  `if_name__` -> `if __name__`.
- A block's missing body (`missing_body`): "expected an indented block" filled with a
  statement of names the file already has (`is_heap = False`), nothing that leaves, imports
  or calls a name the file does not.
"""

from __future__ import annotations

import re
from collections import Counter

from fixloop.engine import exports, syntax
from fixloop.engine import names as undefined
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


# Statements whose deletion changes what the code does whatever name they use.
CONTROL = {"raise_statement": "raise", "assert_statement": "assert", "return_statement": "return"}


def deleted_instead(name: str, change_list, before, root) -> str | None:
    """Why deleting the lines that use the undefined `name` is no fix, or None: they raise,
    assert or return, or a module (the standard library's, the workspace's, an installed
    one) has the name to import."""
    rows = [row for hunk in change_list if not hunk.new for row in hunk.old_lines
            if name in before.idents.get(row, ())]
    if not rows:
        return None
    for row in rows:
        for kind in before.kinds.get(row, ()):
            if kind in CONTROL:
                return (f"the candidate deletes the `{CONTROL[kind]}` that uses `{name}` instead of "
                        f"defining `{name}`")
    where = exports.workspace_modules_with(name, root)
    if where:
        return (f"the candidate deletes the line that uses `{name}`, which the workspace's "
                f"{where[0]}.py defines: import it")
    where = exports.stdlib_modules_with(name)
    if where:
        return (f"the candidate deletes the line that uses `{name}`, which {', '.join(where[:3])} "
                f"has: import it")
    return None


def reordered(old: list[str], new: list[str]) -> str | None:
    """A name that a syntax fix moves past another (the names both sides have, in order),
    or None: closing a string or a bracket adds and removes tokens, it does not swap them."""
    def names(tokens: list[str]) -> list[str]:
        return [t for t in tokens if t.isidentifier() and t not in syntax.PY_KEYWORDS]

    common = Counter(names(old)) & Counter(names(new))

    def kept(tokens: list[str]) -> list[str]:
        left, out = Counter(common), []
        for token in names(tokens):
            if left[token] > 0:
                left[token] -= 1
                out.append(token)
        return out

    was, now = kept(old), kept(new)
    for a, b in zip(was, now):
        if a != b:
            return b
    return None


def exit_into_loop(candidate: str, old_lines, new_lines, before, after) -> str | None:
    """For a fix that only re-indents: the `return` or `break` it moves from the level of a
    loop's header to the end of the loop's body (the loop then runs once), or None."""
    old_rows = [r for r in range(len(old_lines)) if old_lines[r].strip() and r not in before.comment_lines]
    new_rows = [r for r in range(len(new_lines)) if new_lines[r].strip() and r not in after.comment_lines]
    if len(old_rows) != len(new_rows):
        return None
    where = dict(zip(new_rows, old_rows))
    for node in syntax.all_nodes(candidate, "python"):
        if node.type not in ("for_statement", "while_statement"):
            continue
        body = node.child_by_field_name("body")
        statements = [c for c in body.named_children if c.type != "comment"] if body is not None else []
        if not statements or statements[-1].type not in ("return_statement", "break_statement"):
            continue
        row, head = statements[-1].start_point[0], node.start_point[0]
        if row in where and head in where and (
                _indent(old_lines[where[row]]) <= _indent(old_lines[where[head]])):
            return " ".join(old_lines[where[row]].split())
    return None


def _indent(line: str) -> int:
    return len(line.expandtabs(8)) - len(line.expandtabs(8).lstrip())


def phantom_unwrap(name: str, change_list, old_lines, new_lines, original: str, root) -> set[str]:
    """The members of the undefined module `name` whose calls the candidate unwraps when the
    module has no such member nor one it misspells (`math.notify(x)` -> `x`), or an empty set.
    Every hunk that drops `name` must only take tokens away."""
    exists, source = undefined.find_module(name, root)
    members = exports.module_exports(name, source) if exists else frozenset()
    if not members:
        return set()
    used = set()
    for node in syntax.all_nodes(original, "python"):
        if node.type != "attribute" or node.parent is None or node.parent.type != "call":
            continue
        target, member = node.child_by_field_name("object"), node.child_by_field_name("attribute")
        if target is not None and member is not None and syntax.node_text(target) == name:
            used.add(syntax.node_text(member))
    if not used or any(m in members or any(close(m, e) for e in members) for m in used):
        return set()
    for hunk in change_list:
        old = Counter(tokens(old_lines, hunk.old_lines, "python"))
        new = Counter(tokens(new_lines, hunk.new_lines, "python"))
        if old[name] > new[name] and (new - old or not new):
            return set()
    return used


WORD_PARTS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")


def _parts(name: str) -> set[str]:
    return {w.lower() for w in WORD_PARTS.findall(name) if len(w) >= 3}


def renames_definition(hunk: Hunk, old_lines: list[str], new_lines: list[str], before, after,
                       name: str | None) -> bool:
    """A one-line hunk that renames a definition nothing used to the undefined `name` (the
    rest of the line as it was; the two names share a word): defined for real, under the
    name its use meant."""
    if not name or len(hunk.old_lines) != 1 or len(hunk.new_lines) != 1:
        return False
    old = tokens(old_lines, hunk.old_lines, "python")
    new = tokens(new_lines, hunk.new_lines, "python")
    swaps = {(a, b) for a, b in zip(old, new) if a != b}
    if len(old) != len(new) or len(swaps) != 1:
        return False
    (was, now), = swaps
    row = hunk.old_lines[0]
    return (now == name and old and old[0] in (was, "def", "class")
            and before.names()[was] == 1 and after.names()[was] == 0
            and bool(before.kinds.get(row)) and bool(_parts(was) & _parts(name)))
