"""The judge's rules for C and C++ (anticheat.py asks them; pure functions of the two texts).

- Layout is not code: where the candidate's code tokens are the original's but
  re-indented, re-wrapped (`{` on its own line) or re-commented, the original's
  lines are judged instead (`relayout`).
- The flagged line as it was meant (`as_meant`), when the candidate writes it so: a
  line that opens with a lone `/` made the comment it was meant to be (`/ cout<<n;`
  -> `// cout<<n;`), a bracket opened twice taken out (`nums[nums[fast];` ->
  `nums[fast];`). The rest of the candidate is judged against that.
- Tokens a syntax error involves beyond its span (`involved`): the delimiters of a
  block comment at the error (`op2 = 1 /*+ f(x);*/` -> `op2 = 1 + f(x);`) and
  another language's declaration (`let x = f();`, `let f = (n) =>`): its `=`, `=>`,
  and the name it binds when nothing reads it; C's types may take its place.
- Undefined names: g++'s names may hold `$`; another language's null (`None`,
  `null`, `nil`) may become C's; a name that exists nowhere is no misspelling of a
  name it merely starts with (`sortMyVec` is not `sort`); a function of the file
  renamed (definition and every call) to the name its caller uses (`renames_to`).
- Code that may go with the undefined name (`excused`): a variable that only held
  the value of a call to a function that exists nowhere (`result = f(id); return
  result;` -> `return id;`), a variable nothing reads whose initial value is the
  undefined name (`double temp = sum1;`), an object declared only to call a member
  of the class through it (`Solution s; return s.min(a, b);` -> `return min(a, b);`).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from fixloop.engine import syntax
from fixloop.engine.hunks import Hunk
from fixloop.text.lines import split_lines
from fixloop.verifiers.base import Finding

CC = frozenset({"c", "cpp"})
# Another language's null, and C's words for it.
FOREIGN_NULLS = frozenset({"None", "null", "nil", "undefined", "none"})
C_NULLS = frozenset({"NULL", "nullptr", "0", "true", "false"})
# Another language's declaration keywords, and the C types a fix may write in their place.
FOREIGN_DECLARATIONS = frozenset({"let", "var", "function", "def", "fn", "func"})
C_TYPES = frozenset({"int", "long", "short", "unsigned", "signed", "char", "bool", "float",
                     "double", "void", "auto", "string", "size_t", "const"})
# A g++ message about an undefined name, `$` included (GNU C allows it in identifiers).
DOLLAR_NAME = re.compile(r"[‘'`]([A-Za-z_$][\w$]*)[’'`] was not declared")


def _leaves(text: str, language: str) -> dict[int, list[str]]:
    """line -> the code tokens that start there (comments left out; a token over several
    lines, a raw string or a macro's body, counts whole on its first line)."""
    tree = syntax.parse(text, language)
    out: dict[int, list[str]] = {}
    if tree is None:
        return out
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.type in syntax.COMMENTS:
            continue
        if node.child_count == 0 or node.type in syntax.STRINGS or node.type == "preproc_arg":
            word = syntax.node_text(node)
            if word.strip():
                out.setdefault(node.start_point[0], []).append(word)
            continue
        stack.extend(reversed(node.children))
    return out


def relayout(original: str, candidate: str, language: str | None) -> str:
    """The candidate with the original's lines put back wherever its code lines hold the
    same tokens (re-indented, a brace moved, a comment added): C and C++ read no layout."""
    if language not in CC:
        return candidate
    old_lines, new_lines = split_lines(original), split_lines(candidate)
    old_tokens, new_tokens = _leaves(original, language), _leaves(candidate, language)
    old_rows = sorted(old_tokens)
    new_rows = sorted(new_tokens)
    old_keys = [tuple(old_tokens[r]) for r in old_rows]
    new_keys = [tuple(new_tokens[r]) for r in new_rows]
    matcher = difflib.SequenceMatcher(None, old_keys, new_keys, False)
    out: list[str] = []
    at = 0  # the next candidate line to copy
    for tag, a1, a2, b1, b2 in matcher.get_opcodes():
        same = tag == "replace" and sum(old_keys[a1:a2], ()) == sum(new_keys[b1:b2], ())
        if tag != "equal" and not same:
            continue  # lines re-wrapped (`{` on a line of its own) hold the same tokens
        out += new_lines[at:new_rows[b1]]  # what changed before, and the trivia around it
        out += old_lines[old_rows[a1]:old_rows[a2 - 1] + 1]
        at = new_rows[b2 - 1] + 1
    out += new_lines[at:]
    text = "".join(out)
    if text and not text.endswith(("\n", "\r")) and candidate.endswith(("\n", "\r")):
        text += "\n"
    return text


def as_meant(original: str, candidate: str, finding: Finding, language: str | None) -> str | None:
    """The original with the flagged line as it was meant, when the candidate writes it so:
    a lone `/` doubled (`/ cout<<n;` -> `// cout<<n;`: no statement starts with `/`), a bracket
    opened twice (`nums[nums[fast];` -> `nums[fast];` for "expected ‘]’"). The rest of the
    candidate is judged against that."""
    if language not in CC:
        return None
    lines = split_lines(original)
    row = finding.span.start_line
    if not 0 <= row < len(lines):
        return None
    line = lines[row]
    stripped = line.lstrip()
    variants = []
    if stripped.startswith("/") and not stripped.startswith(("//", "/*")) and (
        finding.span.start_col <= len(line) - len(stripped) + 1  # the error is at the slash
    ):
        variants.append(line[: len(line) - len(stripped)] + "/" + stripped)
    if finding.message.startswith(("expected ‘]’", "expected ‘)’", "expected ']'", "expected ')'")):
        variants += _undoubled(line, finding.span.start_col)
    written = {new.strip() for new in split_lines(candidate)}
    for meant in variants:
        if meant.strip() in written:
            return "".join(lines[:row] + [meant] + lines[row + 1:])
    return None


def undefined_name(finding: Finding, language: str | None) -> str | None:
    """The undefined name of a g++ message the shared reader misses (`$i`)."""
    if language not in CC:
        return None
    match = DOLLAR_NAME.search(finding.message)
    return match.group(1) if match else None


def replacements(language: str | None, name: str | None) -> frozenset[str]:
    """Names that may stand where the undefined `name` was, beyond those in scope."""
    if language in CC and name in FOREIGN_NULLS:
        return C_NULLS
    return frozenset()


def typo(name: str, other: str, close) -> bool:
    """Whether `name` is a misspelling of `other`: `close`, but a name that adds a capitalised
    word to another (`sortMyVec`, `sortByRating` after `sort`) is a name of its own."""
    if not close(name, other):
        return False
    longer, shorter = (name, other) if len(name) > len(other) else (other, name)
    rest = longer[len(shorter):]
    return not (longer.startswith(shorter) and len(rest) > 2 and rest[:1].isupper())


@dataclass(frozen=True, slots=True)
class Involved:
    """What a C/C++ syntax error involves beyond its span."""

    tokens: frozenset[str] = frozenset()  # may change, and names that may stop running
    free_add: frozenset[str] = frozenset()  # may be added anywhere in the fix


def involved(original: str, candidate: str, finding: Finding, language: str | None) -> Involved:
    if language not in CC:
        return Involved()
    tree = syntax.parse(original, language)
    if tree is None:
        return Involved()
    lines = original.split("\n")
    row, col = finding.span.start_line, finding.span.start_col
    if not 0 <= row < len(lines):
        return Involved()
    tokens: set[str] = set()
    free: set[str] = set()
    new_comments = set(syntax.facts(candidate, language).comments)
    previous = _previous_code_end(tree, row, col)
    for node in syntax.all_nodes(original, language):
        if node.type not in syntax.COMMENTS:
            continue
        text = syntax.node_text(node)
        on_line = node.start_point[0] == row or node.end_point[0] == row
        between = previous is not None and previous <= node.start_point <= (row, col)
        if text.startswith("/*") and (on_line or between) and text not in new_comments:
            tokens |= {"/", "*"}  # the comment at the error opened back into code
            free |= set(re.findall(r"[A-Za-z_]\w*|\d+|[-+*/%<>=!&|^]+", text[2:-2]))  # its words are code again
    line = lines[row]
    words = re.findall(r"[A-Za-z_]\w*", line[col:])
    if words and words[0] in FOREIGN_DECLARATIONS:
        tokens |= {"=", ">", words[0]}
        bound = words[1] if len(words) > 1 else None
        if bound and len(re.findall(rf"\b{re.escape(bound)}\b", original)) == 1:
            tokens.add(bound)  # `let x = f();` -> `f();`: nothing read x
        free |= C_TYPES
    return Involved(frozenset(tokens), frozenset(free))


def _undoubled(line: str, col: int) -> list[str]:
    """The line with one of the brackets left open before `col` taken out with the name before it,
    where the same name opens again right after (`nums[nums[fast];` -> `nums[fast];`)."""
    stack: list[int] = []
    pairs = {")": "(", "]": "["}
    for at, char in enumerate(line[:col]):
        if char in "([":
            stack.append(at)
        elif char in pairs and stack and line[stack[-1]] == pairs[char]:
            stack.pop()
    out: list[str] = []
    for at in stack:
        before = re.search(r"([A-Za-z_]\w*)\s*$", line[:at])
        if before and re.match(rf"\s*{re.escape(before.group(1))}\s*[(\[]", line[at + 1:]):
            out.append(line[:before.start()] + line[at + 1:].lstrip())
    return out


def renames_to(hunk: Hunk, original: str, candidate: str, name: str | None,
               language: str | None) -> bool:
    """A hunk that renames a function of the file to the undefined `name` (its definition and
    its calls; no use of the old name is left): the name is defined for real, by the function the
    call meant, as replacing the call's name by the function's would."""
    if language not in CC or not name or not hunk.old_lines or not hunk.new_lines:
        return False
    old_leaves, new_leaves = _leaves(original, language), _leaves(candidate, language)
    old = [t for row in hunk.old_lines for t in old_leaves.get(row, ())]
    new = [t for row in hunk.new_lines for t in new_leaves.get(row, ())]
    swaps = {(a, b) for a, b in zip(old, new) if a != b}
    if len(old) != len(new) or len(swaps) != 1:
        return False
    (was, now), = swaps
    defined = defined_functions(original, language)
    return (now == name and was in defined and name not in defined
            and re.search(rf"\b{re.escape(was)}\b", candidate) is None)


def _previous_code_end(tree, row: int, col: int):
    """Where the last code token before (row, col) ends."""
    best = None
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.type in syntax.COMMENTS or node.start_point >= (row, col):
            continue
        if node.child_count == 0:
            if node.is_missing or node.start_byte == node.end_byte:
                continue  # what the parser made up at the error
            if best is None or node.end_point > best:
                best = node.end_point
            continue
        stack.extend(node.children)
    return best


@dataclass(frozen=True, slots=True)
class Excused:
    """Code of the original that may go with a C/C++ undefined name."""

    names: frozenset[str] = frozenset()
    statements: int = 0  # statements that go with them


def excused(original: str, candidate: str, change_list: list[Hunk], finding: Finding,
            name: str | None, language: str | None, nowhere) -> Excused:
    """`nowhere(callee)`: whether a function exists nowhere (not in the file, nor standard)."""
    if language not in CC:
        return Excused()
    old_rows = {row for hunk in change_list for row in hunk.old_lines}
    new_text = "".join(line for hunk in change_list for line in hunk.new)
    names: set[str] = set()
    statements = 0
    uses = _uses(original, language)
    for decl in syntax.all_nodes(original, language):
        if decl.type not in ("declaration", "field_declaration"):
            continue
        if decl.start_point[0] not in old_rows or decl.end_point[0] not in old_rows:
            continue
        declarator = decl.child_by_field_name("declarator")
        if declarator is None:
            continue
        value = declarator.child_by_field_name("value")
        target = declarator.child_by_field_name("declarator") if value is not None else declarator
        if target is None or target.type not in ("identifier", "field_identifier"):
            continue
        var = syntax.node_text(target)
        block = decl.parent  # the variable's scope
        mine = [(r, n) for r, n in uses.get(var, ())
                if block is None or block.start_byte <= n.start_byte < block.end_byte]
        if re.search(rf"\b{re.escape(var)}\b", new_text) or any(r not in old_rows for r, _ in mine):
            continue  # the variable lives on, or is read outside the change
        reads = [node for _, node in mine if node.start_byte != target.start_byte]
        kind = None
        flagged = any(n.start_point[0] == finding.span.start_line for n in reads)
        if value is None and reads and flagged and all(_member_object(n) for n in reads):
            kind = "object"  # `Solution s; s.min(a, b)` -> `min(a, b)`
        elif value is not None and name and _holds_only(value, name, nowhere):
            kind = "value"  # `double temp = sum1;`, `auto r = f(x); return r;` -> `return x;`
        if kind is None:
            continue
        if kind == "object" and not all(_member_kept(n, new_text) for n in reads):
            continue
        names.add(var)
        type_node = decl.child_by_field_name("type")
        if type_node is not None:
            names |= set(re.findall(r"[A-Za-z_]\w*", syntax.node_text(type_node)))
        if value is not None:  # what it was given must still run: the judge reads the arguments
            names |= {name} | {syntax.node_text(c.child_by_field_name("function"))
                               for c in _descendants(value) if c.type == "call_expression"}
        statements += 1
    return Excused(frozenset(names), statements)


def _uses(text: str, language: str) -> dict[str, list[tuple[int, object]]]:
    out: dict[str, list[tuple[int, object]]] = {}
    for node in syntax.all_nodes(text, language):
        if node.type in ("identifier", "field_identifier") and node.child_count == 0:
            parent = node.parent
            if node.type == "field_identifier" and parent is not None and (
                parent.type == "field_expression"
            ):
                continue  # `s.min`: `min` is a member, not the variable `min`
            out.setdefault(syntax.node_text(node), []).append((node.start_point[0], node))
    return out


def _member_object(node) -> bool:
    parent = node.parent
    return parent is not None and parent.type == "field_expression" and (
        parent.child_by_field_name("argument") == node
    )


def _member_kept(node, new_text: str) -> bool:
    """`s.min(...)` became `min(...)` where the change is: the member is still used, through
    the class itself."""
    field = node.parent.child_by_field_name("field")
    return field is not None and re.search(rf"(?<![\w.>]){re.escape(syntax.node_text(field))}\b",
                                           new_text) is not None


def _holds_only(value, name: str, nowhere) -> bool:
    """An initial value that is the undefined name, or calls only functions that exist
    nowhere (nothing in it runs: it never compiled)."""
    calls = [n for n in _descendants(value) if n.type == "call_expression"]
    for call in calls:
        callee = call.child_by_field_name("function")
        if callee is None or callee.type != "identifier" or not nowhere(syntax.node_text(callee)):
            return False
    if any(n.type in ("assignment_expression", "update_expression") for n in _descendants(value)):
        return False
    idents = [syntax.node_text(n) for n in _descendants(value) if n.type == "identifier"]
    return name in idents or bool(calls)


def _descendants(node):
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(current.children)


def defined_functions(text: str, language: str | None) -> frozenset[str]:
    """The functions and methods `text` declares or defines."""
    out: set[str] = set()
    for node in syntax.all_nodes(text, language):
        if node.type == "function_declarator":
            target = node.child_by_field_name("declarator")
            if target is not None:
                out.add(syntax.node_text(target).split("::")[-1])
    return frozenset(out)
