"""The anti-cheat policy: candidates rejected before any verifier runs.

A verifier that a model can fool is no verifier. The policy reads the
structure of the original and the candidate (tree-sitter syntax trees, see
syntax.py) and returns a reason per refusal, fed back to the next attempt and
counted in the loop's figures:

- changes nothing;
- adds a suppression (a comment node or an attribute that silences a checker,
  in any language fixloop knows, or `cast(Any, ...)` against a type error);
- edits code outside its window (the window grows to the enclosing syntactic
  block; comment and blank-line differences are not code);
- code of the original no longer runs as code (deleted, commented out, turned
  into a string, moved under `if False` / `if TYPE_CHECKING` / `#if 0` / after
  a return), unless the diagnostic is about code that should go;
- an undefined name defined by a stand-in, imported from a module that does not
  exist or with other statements, or dropped instead of replaced by an existing
  name or a typo's correction;
- a syntax fix that changes tokens the error does not involve (stray quotes,
  brackets and another language's `var`, `!`, `&&`, `NULL`, `true` may change).
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from pathlib import Path

from fixloop.engine import anticheat_c, anticheat_py, exports, syntax
from fixloop.engine import names as undefined
from fixloop.engine.anticheat_tokens import C_LIKE, LEX, OPERATORS
from fixloop.engine.anticheat_tokens import close as _close
from fixloop.engine.anticheat_tokens import tokens as _tokens
from fixloop.engine.gate import is_syntax_error
from fixloop.engine.hunks import Hunk, hunks, map_line
from fixloop.engine.window import Window
from fixloop.text.lines import split_lines
from fixloop.verifiers.base import Finding

# Comments and attributes that silence a checker instead of satisfying it, and the
# languages where they do (a `#` line in C is the preprocessor, not a noqa).
PY = frozenset({"python"})
JS = frozenset({"typescript", "javascript"})
CC = frozenset({"c", "cpp"})
RUST = frozenset({"rust"})
GO = frozenset({"go"})
SUPPRESSION_RULES: tuple[tuple[str, frozenset[str], re.Pattern[str]], ...] = tuple(
    (label, langs, re.compile(pattern, re.IGNORECASE))
    for label, langs, pattern in (
        ("# noqa", PY, r"#\s*noqa\b"),
        ("# ruff: noqa", PY, r"#\s*ruff\s*:\s*noqa"),
        ("# flake8: noqa", PY, r"#\s*flake8\s*:\s*noqa"),
        ("# type: ignore", PY, r"#\s*type\s*:\s*ignore"),
        ("# pyright: ignore", PY, r"#\s*pyright\s*:\s*(ignore|basic|strict|report\w+\s*=\s*false)"),
        ("# mypy: ignore-errors", PY, r"#\s*mypy\s*:\s*(ignore-errors|disable-error-code|allow-)"),
        ("# pylint: disable", PY, r"#\s*pylint\s*:\s*disable"),
        ("# pyre-ignore", PY, r"#\s*pyre-(ignore|fixme|unsafe)"),
        ("# fmt: off", PY, r"#\s*fmt\s*:\s*(off|skip)"),
        ("@no_type_check", PY, r"@\s*(typing\.)?no_type_check\b"),
        ("eslint-disable", JS, r"eslint-disable"),
        ("@ts-ignore", JS, r"@ts-ignore"),
        ("@ts-expect-error", JS, r"@ts-expect-error"),
        ("@ts-nocheck", JS, r"@ts-nocheck"),
        ("NOLINT", CC | GO | RUST, r"\bNOLINT"),
        ("//nolint", GO | CC, r"//\s*nolint"),
        ("#[allow(...)]", RUST, r"#!?\[\s*allow\s*\("),
        ("#pragma diagnostic ignored", CC, r"#\s*pragma\s+\w+\s+diagnostic\s+ignored"),
        ("#pragma warning disable", CC, r"#\s*pragma\s+warning\s*\(?\s*disable"),
        ("#pragma system_header", CC, r"#\s*pragma\s+(GCC\s+)?system_header"),
    )
)
# Every rule, whatever the language (a file fixloop cannot place).
SUPPRESSIONS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (label, pattern) for label, _, pattern in SUPPRESSION_RULES
)


def suppressions(language: str | None) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """The suppressions that silence a checker in `language` (all of them for None)."""
    if language is None:
        return SUPPRESSIONS
    chosen = tuple(
        (label, pattern) for label, langs, pattern in SUPPRESSION_RULES if language in langs
    )
    return chosen or SUPPRESSIONS


# Escape hatches that silence a type checker at the flagged spot.
TYPE_ESCAPES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("cast(Any, ...)", re.compile(r"\bcast\(\s*(typing\.)?Any\s*,")),
    ("as any", re.compile(r"\bas\s+any\b")),
    ("as unknown as", re.compile(r"\bas\s+unknown\s+as\b")),
)
TYPE_CHECKERS = {"mypy", "pyright", "basedpyright", "tsc", "pylance", "Pylance"}

# Diagnostics about code that should go: deleting the flagged code is the fix.
REMOVABLE = {
    ("ruff", "F401"),  # unused import
    ("ruff", "F811"),  # redefinition of an unused name
    ("ruff", "F601"),  # a dictionary key repeated: one entry goes
    ("ruff", "F841"),  # unused local variable
    ("ruff", "F842"),  # annotated but unused local
    ("ruff", "ERA001"),  # commented-out code
    ("ruff", "PIE790"),  # unnecessary pass
    ("ruff", "W291"),  # trailing whitespace
    ("ruff", "W293"),  # whitespace on a blank line
    ("ruff", "W391"),  # blank line at end of file
    ("ruff", "E303"),  # too many blank lines
    ("ruff", "F632"),  # `is` with a literal: rewritten, sometimes shorter
    ("ruff", "UP"),  # pyupgrade rules shrink code
    ("mypy", "unused-ignore"),  # an unused `# type: ignore`
    ("mypy", "redundant-cast"),
    ("mypy", "unreachable"),  # statement is unreachable (--warn-unreachable)
    ("mypy", "no-redef"),  # name already defined: the redefinition may go
    ("mypy", "redundant-self"),
    ("pyright", "reportUnusedImport"),
    ("pyright", "reportUnusedVariable"),
    ("pyright", "reportUnusedClass"),
    ("pyright", "reportUnusedFunction"),
    ("pyright", "reportUnnecessaryTypeIgnoreComment"),
    ("pyright", "reportUnnecessaryCast"),
    ("pyright", "reportUnnecessaryIsInstance"),
    ("pyright", "reportUnnecessaryComparison"),
    ("pyright", "reportUnnecessaryContains"),
    ("pyright", "reportRedeclaration"),
    ("pyright", "reportUnusedExpression"),
}
# Suppressions that are code, not comments (a decorator, an attribute, a pragma).
CODE_SUPPRESSIONS = {"@no_type_check", "#[allow(...)]", "#pragma diagnostic ignored",
                     "#pragma warning disable", "#pragma system_header"}
# Tokens a syntax fix may add freely, remove freely, or trade (another language's spelling).
FREE_ADD = {"as", "in", "else", "pass", "def", "=", "f", "r", "b", "u"}
FREE_REMOVE = {"var", "let", "const", "then", "end", "fi", "done", "function", "auto"}
TRADES = {
    "not": {"!"}, "and": {"&&"}, "or": {"||"}, "!": {"not"}, "&&": {"and"}, "||": {"or"},
    "None": {"NULL", "null", "nil", "undefined", "none"}, "True": {"true", "TRUE"},
    "False": {"false", "FALSE"}, "true": {"True"}, "false": {"False"},
    "NULL": {"None"}, "nullptr": {"None", "NULL"}, "==": {"===", "=", "is"}, "!=": {"!==", "<>", "="},
    "if": {"elif"}, "is": {"=="}, "elif": {"else"}, "except": {"catch"}, "+=": {"+"}, "-=": {"-"},
}
# Tokens of one language that cannot be valid in Python: their removal is the fix.
CONVERTED = {"NULL", "null", "nil", "undefined", "true", "false", "TRUE", "FALSE", "var", "let",
             "const", "&&", "||", "!", "===", "!=="}
# A negation a syntax fix may trade (`!` -> `not`) but never drop.
NEGATIONS = {"!"}
# Tokens that flip a comparison's sense (E711: `== None` -> `is None`, not `is not None`).
FLIPS = {"!=", "not"}
# What catches every exception: no typo's correction of a missing exception name.
CATCH_ALL = {"Exception", "BaseException"}
# Functions of the C and C++ standard libraries an undefined name may be replaced by.
C_STANDARD = frozenset("""
isdigit isalpha isalnum isspace isupper islower ispunct isxdigit isprint toupper tolower
abs labs fabs pow sqrt cbrt floor ceil round exp log log2 log10 sin cos tan atan atan2 hypot
strlen strcmp strncmp strcpy strncpy strcat strchr strstr memset memcpy memmove memcmp
malloc calloc realloc free printf scanf puts putchar getchar fprintf sprintf snprintf atoi atol
atof strtol strtoul exit qsort bsearch rand srand time min max swap sort reverse find count
accumulate begin end size empty move forward to_string stoi stol stoll stoul stod getline
make_pair make_tuple make_shared make_unique lower_bound upper_bound binary_search fill iota
next_permutation unique distance advance gcd lcm max_element min_element
""".split())


def _count_in(patterns, text: str) -> Counter[str]:
    return Counter({label: len(pattern.findall(text)) for label, pattern in patterns})


def _suppression(original: str, candidate: str, before, after, language: str | None) -> str | None:
    rules = suppressions(language)
    comment_rules = [(l, p) for l, p in rules if l not in CODE_SUPPRESSIONS]
    code_rules = [(l, p) for l, p in rules if l in CODE_SUPPRESSIONS]
    if before is None or after is None:
        comment_rules, code_rules = [], rules
        old_comments = new_comments = ""
    else:
        old_comments, new_comments = "\n".join(before.comments), "\n".join(after.comments)
    for chosen, old, new in ((comment_rules, old_comments, new_comments),
                             (code_rules, original, candidate)):
        was, now = _count_in(chosen, old), _count_in(chosen, new)
        for label, count in now.items():
            if count > was[label]:
                return f"the candidate adds a suppression ({label}) instead of fixing the code"
    return None


COMPILERS = ("gcc", "g++", "clang", "clang++")
# A C/C++ compiler's words for a declaration made twice: the second one goes.
REDECLARED = ("redeclaration of", "redefinition of", "conflicting declaration")


def _removable(finding: Finding) -> bool:
    return (finding.source, finding.code) in REMOVABLE or (
        finding.source == "ruff" and finding.code.startswith("UP")
    )


def _redeclaration_dropped(finding, change_list, old_lines, new_lines, before) -> bool:
    """For a compiler's "redeclaration of", whether the candidate only deletes lines that
    repeat a line that stays (the declaration made twice goes, nothing else)."""
    if finding.source not in COMPILERS or not any(
            w in finding.message.lower() for w in REDECLARED):
        return False
    kept = {line.strip() for line in new_lines}
    for hunk in change_list:
        if hunk.new and any(new_lines[r].strip() for r in hunk.new_lines):
            return False
        if any(old_lines[r].strip() and old_lines[r].strip() not in kept for r in hunk.old_lines):
            return False
    return True


def _unwrapped(name, hunk: Hunk, old_lines, new_lines, before, after, scope, language) -> bool:
    """A call to a name that exists nowhere, and nothing like it, replaced by what it was
    given (`return printNumbers(digits);` -> `return digits;`): the injected call goes."""
    if language not in CC:  # Python's `total(rows)` -> `rows` is the cheat (`len` was meant)
        return False
    old = _tokens(old_lines, hunk.old_lines, language)
    new = _tokens(new_lines, hunk.new_lines, language)
    if name not in old or name in new or not new or Counter(new) - Counter(old):
        return False
    return not any(_misspelt(name, other, language) for other in scope)


def _misspelt(name: str, other: str, language: str | None) -> bool:
    """Whether `other` is a plausible correction of the misspelt `name` (C and C++: a name that
    adds a capitalised word to another is a name of its own)."""
    if language in CC:
        return anticheat_c.typo(name, other, _close)
    return _close(name, other)


def _code_lines(lines: list[str], rows, facts, trim) -> list[str]:
    """The lines of `rows` that hold code (not blank, not comments), each trimmed by `trim`
    (`lines` come with their comments cut off: `_uncommented`)."""
    return [trim(lines[row]) for row in rows if lines[row].strip() and row not in facts.comment_lines]


def _code_hunks(old_lines, new_lines, before, after) -> list[Hunk]:
    """The hunks of a diff of the code alone (blank lines, comments and trailing whitespace
    left out, so blank lines moved and comments added around a fix are not edits)."""
    def code(lines, facts):
        return list(zip((r for r in range(len(lines)) if lines[r].strip() and r not in facts.comment_lines),
                        _code_lines(lines, range(len(lines)), facts, str.rstrip)))

    old, new = code(old_lines, before), code(new_lines, after)
    matcher = difflib.SequenceMatcher(None, [t for _, t in old], [t for _, t in new], False)
    out = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        start = old[i1][0] if i1 < i2 else (old[i1 - 1][0] + 1 if i1 else 0)
        end = old[i2 - 1][0] + 1 if i1 < i2 else start
        at = new[j1][0] if j1 < j2 else (new[j1 - 1][0] + 1 if j1 else 0)
        stop = new[j2 - 1][0] + 1 if j1 < j2 else at
        out.append(Hunk(start, end, at, tuple(new_lines[at:stop])))
    return out


def _uncommented(lines: list[str], facts) -> list[str]:
    """The lines with their comments cut off (line ends kept): what the rules read as tokens."""
    out = []
    for row, line in enumerate(lines):
        spans = facts.comment_spans.get(row)
        if spans:
            body = line.rstrip("\r\n")
            line = _without_comment(body, spans) + line[len(body):]
        out.append(line)
    return out


def _without_comment(line: str, spans) -> str:
    """`line` without its comments, byte ranges [start, end) (tree-sitter counts bytes; end -1:
    to the end of the line); a block comment inside a line leaves a space where it was."""
    if not spans:
        return line
    data = line.encode("utf-8")
    for start, end in sorted(spans, reverse=True):
        data = data[:start] + (b" " + data[end:] if end >= 0 else b"")
    return data.decode("utf-8", errors="ignore")


def _called(lines: list[str], rows, name: str) -> set[str]:
    """Names called after `name` in `rows`, not its members: what the injected call was given
    (`console.log(cleanup(x))`: cleanup; `average(undefined)`: nothing)."""
    called = set()
    for row in rows:
        at = re.search(rf"\b{re.escape(name)}\b", lines[row])
        if at is None:
            continue
        for match in re.finditer(r"(?<![\w.])([A-Za-z_]\w*)\s*\(", lines[row][at.end():]):
            called.add(match.group(1))
    return called


def _code_in(rows, lines: list[str], facts) -> bool:
    return any(lines[row].strip() and row not in facts.comment_lines for row in rows)


def _allowed_regions(original, candidate, finding, window, language) -> list[tuple[int, int]]:
    """Original lines [start, end) a candidate may change: the window's main region and the
    enclosing block (the header region of an undefined name takes imports and definitions only)."""
    regions = [_with_blanks(original, window.main_region)] if window is not None else []
    line = finding.span.start_line
    block = syntax.enclosing_block(original, language, line)
    if block is not None:
        regions.append((block[0], block[1] + 1))
    moved = map_line(original, candidate, line)
    block = syntax.enclosing_block(candidate, language, moved)
    if block is not None:
        regions.append((map_line(candidate, original, block[0]),
                        _map_end(candidate, original, block[1]) + 1))
    return regions


def _map_end(candidate: str, original: str, row: int) -> int:
    """Where the candidate's line `row` is in the original, the end of its hunk if changed
    (a block re-indented to its last line ends where the original's hunk ends)."""
    for hunk in hunks(candidate, original):
        if hunk.start <= row < hunk.end:
            return max(hunk.at, hunk.at + len(hunk.new) - 1)
    return map_line(candidate, original, row)


def _with_blanks(original: str, region) -> tuple[int, int]:
    """The region's lines and the blank lines after it (an import goes there)."""
    lines = split_lines(original)
    end = region.end
    while end < len(lines) and not lines[end].strip():
        end += 1
    return region.start, end


def _inside(hunk: Hunk, regions: list[tuple[int, int]]) -> bool:
    if hunk.start == hunk.end:
        return any(start <= hunk.start <= end for start, end in regions)
    return any(start <= hunk.start and hunk.end <= end for start, end in regions)


def _flagged(original_lines: list[str], finding: Finding) -> set[str]:
    """The tokens the diagnostic points at (its span, widened by a character each side)."""
    span = finding.span
    if not 0 <= span.start_line < len(original_lines):
        return set()
    line = original_lines[span.start_line]
    end = span.end_col if span.end_line == span.start_line else len(line)
    # widened by a character each side, but for an unclosed bracket only the bracket (the call
    # before it is not involved: `save(x` -> `(x)` is no fix)
    bracket = "never closed" in finding.message
    start = span.start_col if bracket else max(0, span.start_col - 1)
    last = span.start_col if bracket else max(end, span.start_col + 1)  # not the name after `(`
    found = set()
    after = None
    for match in LEX.finditer(line):
        if match.start() <= last and match.end() > start:
            found.add(match.group())
        elif match.start() > end and after is None:
            after = match.group()
    if after is not None and "assign" in finding.message:
        found.add(after)  # "cannot assign to expression": the `=` after it is involved
    return found


def _in_scope(name: str, before, language: str | None) -> set[str]:
    scope = set(before.names())
    if (language or "python") == "python":
        scope |= undefined.PYTHON_BUILTINS
    elif language in CC:
        scope |= C_STANDARD
    scope.discard(name)
    return scope


def _replaced(name, hunk_list, before, after, scope, new_lines=None, language=None,
              old_lines=None) -> bool:
    """Whether every dropped use of `name` was replaced by a close or existing name.

    A hunk that only deletes lines may drop it when no name like it exists
    anywhere (an injected call to a function that exists nowhere goes).
    """
    for hunk in hunk_list:
        old = Counter(n for row in hunk.old_lines for n in before.idents.get(row, ()))
        new = Counter(n for row in hunk.new_lines for n in after.idents.get(row, ()))
        if old[name] <= new[name]:
            continue
        if old_lines is not None and _unwrapped(name, hunk, old_lines, new_lines,
                                                before, after, scope, language):
            continue
        if not new:
            if len(name) < 3 or any(_misspelt(name, other, language) for other in scope):
                return False  # `y` is a missing variable, `undefinedObject` an injected word
            continue
        added = new - old
        if new_lines is not None and language in C_LIKE:  # a type read as a keyword (`int64_t`)
            added += Counter(t for t in _tokens(new_lines, hunk.new_lines, language)
                             if t[0].isalpha() or t[0] == "_") - old - new
        if not any(other != name and (_close(name, other) or _existing(other, scope, language)
                                      or other in ("None", "True", "False")
                                      or other in anticheat_c.replacements(language, name))
                   for other in added):
            return False
    return True


def _existing(other: str, scope, language) -> bool:
    """An existing name the undefined one may be replaced by (in C and C++ a name, not a number:
    `v[$i]` -> `v[0]` drops what the index was meant to be)."""
    return other in scope and not (language in CC and other[0].isdigit())


def _new_import_brings_more(change_list, before, after) -> bool:
    imports = ("import_statement", "import_from_statement", "future_import_statement",
               "preproc_include", "using_declaration")
    for hunk in change_list:
        new_kinds = [k for row in hunk.new_lines for k in after.kinds.get(row, ())]
        old_kinds = [k for row in hunk.old_lines for k in before.kinds.get(row, ())]
        if not any(k in imports for k in new_kinds):
            continue
        others = [k for k in new_kinds if k not in imports]
        if len(others) > len([k for k in old_kinds if k not in imports]):
            return True
    return False


IMPORTS = ("import_statement", "import_from_statement", "future_import_statement",
           "preproc_include", "using_declaration")


def _imports_only(hunk: Hunk, old_lines, new_lines, before, after) -> bool:
    """A hunk that adds, moves or removes imports and nothing else (imports go anywhere)."""
    def only(lines, rows, facts) -> bool:
        for row in rows:
            if not lines[row].strip() or row in facts.comment_lines:
                continue
            kinds = facts.kinds.get(row)
            if not kinds and row in facts.import_rows:
                continue  # `    ID_ERROR,` inside `from x import (...)`
            if not kinds or any(k not in IMPORTS for k in kinds):
                return False
        return True
    return only(old_lines, hunk.old_lines, before) and only(new_lines, hunk.new_lines, after)


def _import_used(hunk: Hunk, before, after) -> bool:
    """Whether a name an added import brings is used elsewhere in the candidate."""
    here = after.names_in(hunk.new_lines) - before.names_in(hunk.old_lines)
    return any(after.names()[n] > count for n, count in here.items())


def _declares_new(hunk: Hunk, old_lines, new_lines, before, after, language) -> bool:
    """A hunk that keeps its tokens in order and adds only names the original did not have
    (a helper variable declared where its neighbours are), numbers and operators."""
    if not hunk.old_lines or not hunk.new_lines:
        return False
    old = _tokens(old_lines, hunk.old_lines, language)
    new = _tokens(new_lines, hunk.new_lines, language)
    matcher = difflib.SequenceMatcher(None, old, new, False)
    if any(tag != "insert" for tag, *_ in matcher.get_opcodes() if tag != "equal"):
        return False
    added = Counter(new) - Counter(old)
    names = before.names()
    fresh = [t for t in added if t[0].isalpha() or t[0] == "_"]
    return bool(fresh) and all(names[t] == 0 and after.names()[t] > added[t] for t in fresh)


def _strings_only(hunk: Hunk, before, after) -> bool:
    """A hunk whose both sides hold no name that runs and no statement but bare strings."""
    if before.names_in(hunk.old_lines) or after.names_in(hunk.new_lines):
        return False
    kinds = [k for row in hunk.old_lines for k in before.kinds.get(row, ())]
    kinds += [k for row in hunk.new_lines for k in after.kinds.get(row, ())]
    return all(k == "expression_statement" for k in kinds)


def _syntax_only(hunk: Hunk, old_lines, new_lines, before, after, language) -> bool:
    """A hunk that changes no name and only tokens a syntax fix may change."""
    if set(before.names_in(hunk.old_lines)) - set(after.names_in(hunk.new_lines)):
        return False
    return _syntax_fix_changes_meaning([hunk], old_lines, new_lines, set(), language) is None


def _same_lines(original: str, candidate: str):
    """(original row, candidate row) of each line the diff leaves unchanged."""
    matcher = difflib.SequenceMatcher(None, split_lines(original), split_lines(candidate), False)
    for tag, i1, i2, j1, _ in matcher.get_opcodes():
        if tag == "equal":
            yield from ((i1 + k, j1 + k) for k in range(i2 - i1))


def _is_syntax(finding: Finding, before) -> bool:
    if is_syntax_error(finding):
        return True
    if before is None or not before.has_error or finding.source not in ("gcc", "g++", "clang", "clang++"):
        return False
    line = finding.span.start_line
    return any(start - 2 <= line <= end + 2 for start, end in before.errors)


def _syntax_fix_changes_meaning(change_list, old_lines, new_lines, flagged, language,
                                known: Counter[str] | None = None, involved=frozenset(),
                                free=frozenset(), trades=None, flagged_row: int = -1):
    known = known if known is not None else Counter()
    removed_all: Counter[str] = Counter()
    added_all: Counter[str] = Counter()
    generics = 0.0
    for hunk in change_list:
        if (language or "python") == "python":
            generics += anticheat_py.generics("".join(old_lines[r] for r in hunk.old_lines),
                                              "".join(new_lines[r] for r in hunk.new_lines))
        if (language or "python") == "python" and len(hunk.old_lines) == 1 and len(hunk.new_lines) == 1 and (
                hunk.start == flagged_row):
            moved = anticheat_py.reordered(_tokens(old_lines, hunk.old_lines, language),
                                           _tokens(new_lines, hunk.new_lines, language))
            if moved is not None:
                return f"the candidate changes more than the syntax error: it moves {moved}"
        old = Counter(_tokens(old_lines, hunk.old_lines, language))
        new = Counter(_tokens(new_lines, hunk.new_lines, language))
        removed_all += old - new
        added_all += new - old - Counter(_dangling(hunk, old_lines, new_lines, known))
    removed = removed_all
    for token in sorted(removed):  # `movef(` -> `move(f(`: a token split in two
        for cut in range(1, len(token)):
            head, tail = token[:cut], token[cut:]
            if removed[token] > 0 and added_all[head] > 0 and added_all[tail] > 0 and head != tail:
                removed[token] -= 1
                added_all[head] -= 1
                added_all[tail] -= 1
    added_all = +added_all
    for token in sorted(added_all.elements()):
        if token in FREE_ADD or token in free:
            continue
        partners = set(TRADES.get(token, ())) | (trades or {}).get(token, set())
        partner = next((p for p in sorted(partners) if removed[p] > 0), None)
        if partner is None:
            # a close word (`prnt` -> `print`) or operator (`=` -> `<`: DebugBench's injected `=`
            # replaced whatever operator was there); never a walrus, which assigns in a condition
            partner = next((p for p in removed if removed[p] > 0 and (p in flagged or p in involved)
                            and token != ":=" and _close(p, token)), None)
        if partner is None and (language or "python") == "python":
            # `whle b:` -> `while b:`: a word used once and defined nowhere misspelt the keyword
            partner = anticheat_py.misspelt_keyword(token, removed, known, undefined.PYTHON_BUILTINS)
        if partner is None:
            return f"the candidate changes more than the syntax error: it adds {token}"
        removed[partner] -= 1
        if token == "elif" and removed["if"] > 0:
            removed["if"] -= 1
    for token in sorted(removed.elements()):
        if token in NEGATIONS:  # `return !a` -> `return a`: not traded for `not`, dropped
            return f"the candidate changes more than the syntax error: it drops {token}"
        if token in FREE_REMOVE or token in CONVERTED or token in flagged:
            continue
        if token in "<>" and generics > 0:  # `List<int>` -> `List[int]`: another language's generics
            generics -= 0.5
            continue
        return f"the candidate changes more than the syntax error: it drops {token}"
    return None


def review(
    original: str,
    candidate: str,
    finding: Finding,
    window: Window | None = None,
    language: str | None = None,
    *,
    root: Path | None = None,
) -> str | None:
    """Why `candidate` must be rejected for `finding`, or None if it may be verified.

    `language` (a key of fixloop.verifiers.languages) chooses the grammar, the
    suppressions and the comment syntax; None reads the text as Python and
    applies every language's suppressions. `root` is the workspace, where a new
    import's module is looked for.
    """
    if candidate == original:
        return "the candidate changes nothing"
    grammar = language or "python"
    before, after = syntax.facts(original, grammar), syntax.facts(candidate, grammar)
    reason = _suppression(original, candidate, before, after, language)
    if reason:
        return reason
    if finding.source in TYPE_CHECKERS:
        was, now = _count_in(TYPE_ESCAPES, original), _count_in(TYPE_ESCAPES, candidate)
        for label, count in now.items():
            if count > was[label]:
                return f"the candidate silences the type checker with {label} instead of fixing the types"
    if before is None or after is None:
        return None  # no grammar: the suppressions are all the policy can read
    meant = anticheat_c.as_meant(original, candidate, finding, language)  # `/ x` -> `// x`
    if meant is not None:
        original, before = meant, syntax.facts(meant, grammar)
    relaid = anticheat_c.relayout(original, candidate, language)  # C/C++ read no layout
    if relaid != candidate:
        candidate, after = relaid, syntax.facts(relaid, grammar)
    if meant is not None and candidate == original:
        return None  # the comment made whole, and nothing else
    old_lines = _uncommented(split_lines(original), before)
    new_lines = _uncommented(split_lines(candidate), after)
    change_list = _code_hunks(old_lines, new_lines, before, after)
    if not change_list:
        return "the candidate changes only comments and blank lines"
    # A candidate that breaks a text that parsed hides its structure in ERROR nodes: only
    # the names that stop running are judged; the verifiers refuse the syntax error.
    broken = after.has_error and not before.has_error
    removable = _removable(finding)
    flagged = _flagged(old_lines, finding)
    if "Missing parentheses in call to" in finding.message:
        flagged = set()  # `print 'value', x` -> `print('value', x)`: every operand stays
    line = old_lines[finding.span.start_line] if finding.span.start_line < len(old_lines) else ""
    column = len(line[: finding.span.start_col].encode("utf-8"))
    name = anticheat_c.undefined_name(finding, grammar) or undefined.undefined_name(finding)
    callee = None if name else syntax.called_at(original, grammar, finding.span.start_line, column)
    # the call whose argument is flagged is involved: its name may be traded for a close one
    # (`prnt(x` -> `print(x)`), not dropped (`save(x` -> `(x)`)
    involved = set(LEX.findall(callee)) if callee and len(callee) <= 40 else set()
    if not is_syntax_error(finding):
        flagged |= involved  # a type error's wrong call around the argument may go: `len(f)` -> `f`
    syntax_error = _is_syntax(finding, before)
    extra = anticheat_c.involved(original, candidate, finding, grammar)
    flagged |= extra.tokens
    scope = _in_scope(name, before, language) if name else set()
    typo = any(_misspelt(name, other, grammar) for other in scope)  # the name is a misspelling of one in scope
    # a syntax fix that only re-indents (a method's body one level off): the lines are the
    # original's, so no window; whether code stops running is still judged below
    reindented = syntax_error and _reindented(old_lines, new_lines, before, after)
    if reindented and grammar == "python":
        moved = anticheat_py.exit_into_loop(candidate, old_lines, new_lines, before, after)
        if moved:
            return f"the candidate re-indents `{moved}` into a loop's body: the loop would run once"
    if window is not None and not reindented:
        regions = _allowed_regions(original, candidate, finding, window, grammar)
        header = [_with_blanks(original, r) for r in window.regions if r != window.main_region]
        if broken:
            regions += header  # what it writes there cannot run: the verifiers say why
        for hunk in change_list:
            if _inside(hunk, regions) or _imports_only(hunk, old_lines, new_lines, before, after):
                continue
            if name and _inside(hunk, header) and name in after.names_in(hunk.new_lines) and not (
                before.names_in(hunk.old_lines)
            ):
                continue  # a definition of the undefined name above its use
            if name and not _code_in(hunk.old_lines, old_lines, before) and (
                hunk.start <= finding.span.start_line and name in after.names_in(hunk.new_lines)
                and not typo and (grammar in C_LIKE or anticheat_py.in_function(hunk, original, finding))
            ):
                continue  # a declaration of the undefined name above its use (not of a typo)
            if grammar == "python" and anticheat_py.renames_definition(
                    hunk, old_lines, new_lines, before, after, name):
                continue  # `DIE_DISPLAY_SEPARATOR = " "` -> `DIE_FACE_SEPARATOR = " "`
            if anticheat_c.renames_to(hunk, original, candidate, name, grammar):
                continue  # `int check(...)` -> `int dfs(...)`: the function the call meant
            if _declares_new(hunk, old_lines, new_lines, before, after, grammar):
                continue  # `int unique` -> `int mx = 0, unique`: a name the fix uses, declared
            if _strings_only(hunk, before, after):
                continue  # a docstring or another bare string: text, not code
            if syntax_error and _syntax_only(hunk, old_lines, new_lines, before, after, grammar):
                continue  # the next syntax error, which the tool could not report yet
            return "the candidate edits lines outside its window"
    if (finding.source, finding.code) == ("ruff", "E711"):  # (E712's `== False` may become `== ""`)
        for hunk in change_list:
            old_flips = sum(t in FLIPS for t in _tokens(old_lines, hunk.old_lines, grammar))
            new_flips = sum(t in FLIPS for t in _tokens(new_lines, hunk.new_lines, grammar))
            if (old_flips - new_flips) % 2:
                return "the candidate changes the sense of the None test instead of rewriting it"
    if name is not None and line.lstrip().startswith("except"):
        caught = {t for h in change_list for t in after.names_in(h.new_lines)} & CATCH_ALL
        if any(not _close(name, word) for word in caught - set(before.names())):
            return f"the candidate catches every exception instead of the one `{name}` misspells"
    if name is not None:
        word = undefined.lookups_added(before.names(), after.names())
        if word:
            return f"the candidate looks `{name}` up through {word} instead of defining it"
        if undefined.catches_name_error(original, candidate, name, language):
            return f"the candidate catches NameError instead of defining `{name}`"
        reason = None if broken else undefined.stand_in(original, candidate, name, language, root)
        if reason:
            return reason
        if not broken and _new_import_brings_more(change_list, before, after):
            return "the candidate's import brings other statements with it"
    foreign = undefined.foreign_words(original, language)
    dropped = name is not None and after.names()[name] < before.names()[name]
    # another language's word may be replaced by anything, in a line that stays
    replaced = dropped and name in foreign and all(
        h.new for h in change_list if before.names_in(h.old_lines)[name] > after.names_in(h.new_lines)[name]
    ) or dropped and _replaced(
        name, change_list, before, after, scope, new_lines, grammar, old_lines,
    )
    phantom = (anticheat_py.phantom_unwrap(name, change_list, old_lines, new_lines, original, root)
               if dropped and not replaced and grammar == "python" and not broken else set())
    replaced = replaced or bool(phantom)  # `2*math.notify(x)` -> `2*x`: math has no notify
    if dropped and grammar in CC and not broken:
        where = exports.c_workspace_declaring(name, root)
        if where:
            return (f"the candidate drops `{name}`, which the workspace's {where[0]} declares: "
                    "include it instead")
    if dropped and replaced and grammar == "python" and not broken:
        reason = anticheat_py.deleted_instead(name, change_list, before, root)
        if reason:
            return reason
    unread = (_unreadable(change_list, original, candidate, before, after, finding)
              | anticheat_py.text_words(old_lines, finding, grammar)
              | anticheat_py.duplicate_header(change_list, old_lines, new_lines, before, after, finding)
              if syntax_error else set())
    python = grammar == "python"
    respelt_old, respelt_new = (anticheat_py.respelt(change_list, old_lines, new_lines)
                                if syntax_error and python else (set(), set()))
    defined = anticheat_c.defined_functions(original, grammar)
    excused = anticheat_c.excused(
        original, candidate, change_list, finding, name, grammar,
        lambda f: f == name or (f not in C_STANDARD and f not in defined))
    if not removable:
        gone = before.names() - after.names()
        lost: set[str] = set()
        for hunk in change_list:
            old = set(before.names_in(hunk.old_lines)) - set(after.names_in(hunk.new_lines))
            lost |= {n for n in old if gone[n] > 0}
        for row, moved in _same_lines(original, candidate):
            # a line left as it was that no longer runs (now in a string, under `#if 0`)
            if all(t[0].isdigit() for t in before.idents.get(row, ())) and (
                before.kinds.get(row) in (None, ["expression_statement"])
            ):
                continue  # a bare number does nothing (`4.69`: a doctest's output)
            old = set(before.idents.get(row, ())) - set(after.idents.get(moved, ()))
            lost |= {n for n in old if gone[n] > 0}
        lost -= flagged | CONVERTED | foreign | ({name} if name else set())
        lost -= _renamed(change_list, old_lines, new_lines, before, after, grammar)
        lost -= unread | respelt_old
        redeclared = _redeclaration_dropped(finding, change_list, old_lines, new_lines, before)
        if redeclared:
            lost -= {n for h in change_list for n in before.names_in(h.old_lines)}
        if replaced and python:  # `self.reverse(p)` -> `reverse_list_recursive(p)`
            lost -= anticheat_py.method_meant(name, change_list, old_lines, before, after,
                                              lambda other: _existing(other, scope, grammar))
        if replaced:  # what an injected call was given stays elsewhere: only the call goes
            for hunk in change_list:
                if _unwrapped(name, hunk, old_lines, new_lines, before, after, scope, grammar):
                    lost -= {n for n in before.names_in(hunk.old_lines) if after.names()[n] > 0}
        lost -= excused.names | phantom
        lost = {n for n in lost if n.strip()}  # an empty string literal is no code
        if syntax_error:
            for hunk in change_list:
                if _quotes_only(hunk, old_lines, new_lines):
                    lost -= set(before.names_in(hunk.old_lines))  # `"Fizz)` -> `"Fizz")`
        if name and grammar == "python":  # `str(raw_input(...))` -> `input(...)`
            wrapper = syntax.wrapping_call(original, grammar, finding.span.start_line, column)
            lost -= {wrapper} & anticheat_py.CONVERSIONS
        bogus_rows = [row for h in change_list if not h.new for row in h.old_lines
                      if before.idents.get(row)]
        bogus = (replaced and after.names()[name] == 0 and bool(bogus_rows)
                 and all(name in before.idents[row] for row in bogus_rows)
                 and not (grammar == "python" and undefined.find_module(name, root)[0]))
        for hunk in change_list:
            if bogus and not hunk.new:  # the injected call goes whole, not a call it was given
                lost -= set(before.names_in(hunk.old_lines)) - _called(old_lines, hunk.old_lines, name)
            if syntax_error:  # a broken parse splits tokens oddly: only whole tokens count
                lost -= set(before.names_in(hunk.old_lines)) - set(
                    _tokens(old_lines, hunk.old_lines, grammar))
        if lost:
            return (
                "the candidate deletes code instead of fixing it: "
                f"{', '.join(sorted(lost)[:5])} no longer run as code "
                f"({finding.source} {finding.code} is not about code that should go)"
            )
        if (not (syntax_error or bogus or broken or redeclared)
                and after.statements + excused.statements < before.statements
                and not _includes_dropped(change_list, before, after, finding)
                and not (any(h.new for h in change_list) and all(
                    _imports_only(h, old_lines, new_lines, before, after) for h in change_list))):
            # (imports merged, `from m import a` joining `from m import b` above: no name lost)
            return (
                "the candidate deletes code instead of fixing it "
                f"({finding.source} {finding.code} is not about code that should go)"
            )
    if dropped and not replaced and not broken and name not in excused.names:
        return f"the candidate removes the use of the undefined name `{name}` instead of defining it"
    if syntax_error and not reindented:
        operator = _dangling_dropped(change_list, old_lines, new_lines)
        if operator:
            return f"the candidate drops the dangling `{operator}` instead of giving it its operand"
        # an import is no syntax token, but one whose names nothing else uses is no fix either
        # (`import os` as the missing body; the gate counts only syntax errors after one)
        code = [h for h in change_list if not (_imports_only(h, old_lines, new_lines, before, after)
                                               and _import_used(h, before, after))
                and not _strings_only(h, before, after)]
        trades = ({t: {name} for t in scope | anticheat_c.replacements(grammar, name)}
                  if name and grammar in CC else {})
        body = (anticheat_py.missing_body(finding, code, old_lines, new_lines, before.names())
                if python else set())
        return _syntax_fix_changes_meaning(code, old_lines, new_lines,
                                           flagged | unread | foreign | respelt_old, grammar,
                                           before.names(), involved,
                                           extra.free_add | respelt_new | body, trades,
                                           finding.span.start_line)
    return None


def _renamed(change_list, old_lines, new_lines, before, after, language) -> set[str]:
    """Names renamed in place: each hunk's tokens are the original's with some names swapped
    for others (every use of each) or a number given a suffix (`0` -> `0ul`). A binding renamed to
    the name its uses meant, a constructor renamed to its class: the code still runs."""
    mapping: dict[str, str] = {}
    for hunk in change_list:
        old = _tokens(old_lines, hunk.old_lines, language)
        new = _tokens(new_lines, hunk.new_lines, language)
        if len(old) != len(new):
            continue
        swaps = {(a, b) for a, b in zip(old, new) if a != b}
        if not all(_swappable(a, b) for a, b in swaps):
            continue
        for a, b in swaps:
            if mapping.setdefault(a, b) != b:
                return set()
    return set(mapping)


def _swappable(a: str, b: str) -> bool:
    if a[0].isdigit() or b[0].isdigit():
        return a[0].isdigit() and b.startswith(a) and b[len(a):].isalpha()
    return (a[0].isalpha() or a[0] == "_") and (b[0].isalpha() or b[0] == "_")


def _unreadable(change_list, original: str, candidate: str, before, after,
                finding: Finding) -> set[str]:
    """Names of the original found only inside parse errors, that no longer run because
    - the line at the flagged error is prose inside a comment block that lost its `#` and
      the fix gives it back (the neighbouring lines are comments), or
    - the errors are text that belongs in a string closed away from them (doctest text of a
      docstring that ended too late; no change touches the errors).
    A string or a comment made at the errors themselves is broken code wrapped up: not excused."""
    line = finding.span.start_line
    touched = any(start - 1 <= h.start <= end + 1 or start - 1 <= h.end <= end + 1
                  for h in change_list for start, end in before.errors)
    inside: Counter[str] = Counter()
    for start, end in before.errors:
        for row in range(start, end + 1):
            moved = map_line(original, candidate, row)
            prose = (start - 1 <= line <= end + 1 and moved in after.comment_lines
                     and (row - 1 in before.comment_lines or row + 1 in before.comment_lines))
            if prose or not touched:
                inside.update(before.idents.get(row, ()))
    outside = before.names() - inside
    return {n for n in inside if outside[n] <= after.names()[n]}


QUOTES = ("'", '"')
TRIPLES = ("'" * 3, '"' * 3)


def _reindented(old_lines, new_lines, before, after) -> bool:
    """Whether the candidate's code lines are the original's but for leading whitespace."""
    return (_code_lines(old_lines, range(len(old_lines)), before, str.strip)
            == _code_lines(new_lines, range(len(new_lines)), after, str.strip))


def _quotes_only(hunk: Hunk, old_lines, new_lines) -> bool:
    """A hunk that only adds or removes quotes inside its lines (a string closed, a stray
    quote gone); a line that becomes a bare string (broken code quoted away) is not one."""
    if len(hunk.old_lines) != len(hunk.new_lines):
        return False
    for row, moved in zip(hunk.old_lines, hunk.new_lines):
        old, new = old_lines[row], new_lines[moved]
        if _unquoted(old) != _unquoted(new):
            return False
        if new.strip()[:1] in QUOTES and old.strip()[:1] not in QUOTES:
            return False
        if any(t in new for t in TRIPLES):
            return False
    return True


def _unquoted(line: str) -> str:
    return line.replace('"', "").replace("'", "").rstrip()


OPERAND_WORDS = {"in", "and", "or", "return", "yield", "await"}


BINARY = OPERATORS - {"!", "~", "=", "->", "@"} | {"and", "or"}


def _dangling_dropped(change_list, old_lines, new_lines) -> str | None:
    """The operator a line ended on that the candidate drops instead of giving it its operand
    (`y = x +` -> `y = x`, or the `+` commented out): the same as `x + 0`, a missing operand
    made nothing."""
    closers = {":", ";", ")", "]", "}"}
    for hunk in change_list:
        if len(hunk.old_lines) != len(hunk.new_lines):
            continue
        for row, moved in zip(hunk.old_lines, hunk.new_lines):
            old, new = LEX.findall(old_lines[row]), LEX.findall(new_lines[moved])
            if len(old) < 2 or old[-1] not in BINARY or len(new) < len(old) - 1:
                continue
            if new[: len(old) - 1] == old[:-1] and all(t in closers for t in new[len(old) - 1:]):
                return old[-1]
    return None


def _dangling(hunk: Hunk, old_lines, new_lines, known) -> list[str]:
    """The operand a hunk appends to a line that ended on an operator or a word that wants
    one (`+= ` -> `+= 1`, `for n in` -> `for n in nums:`): a number or a name the original
    has, one token (the missing operand is the error)."""
    if len(hunk.old_lines) != len(hunk.new_lines):
        return []
    out: list[str] = []
    for row, moved in zip(hunk.old_lines, hunk.new_lines):
        old, new = old_lines[row].rstrip(), new_lines[moved].rstrip()
        tail = LEX.findall(old)[-1:]
        added = [t for t in LEX.findall(new[len(old):]) if t[0].isalnum() or t[0] == "_"
                 or t in OPERATORS] if new.startswith(old) else []
        if not tail or len(added) != 1 or (tail[0] in SELF_TRIVIAL and added[0] in LEX.findall(old)):
            continue  # `price - price`, `ok and ok`: an operand the line has makes it trivial
        operand = added[0]
        if tail[0] in OPERAND_WORDS and operand in known and not operand[0].isdigit():
            out += added  # `for n in` -> `for n in nums:`
        elif tail[0] in OPERATORS and (operand in known or operand[0].isdigit()) and (
                operand not in TRIVIAL.get(tail[0], ())):
            out += added  # `+= ` -> `+= 1`
    return out


# Operators that do nothing or always the same with an operand the line already has
SELF_TRIVIAL = {"-", "/", "//", "%", "^", "==", "!=", "<", ">", "<=", ">=", "and", "or", "&", "|",
                "-=", "/=", "&&", "||"}
# Operands that make an operation do nothing or always the same (`* 0`, `or 1`)
TRIVIAL = {"*": {"0", "1"}, "/": {"1"}, "//": {"1"}, "%": {"1"}, "**": {"0", "1"}, "&": {"0"},
           "|": {"0"}, "&&": {"0"}, "||": {"1"}, "-": {"0"}, "+": {"0"}, "*=": {"0", "1"}}


def _includes_dropped(change_list, before, after, finding) -> bool:
    """Whether the statements that go are only `#include`s, for a missing header: an include
    declares, it runs nothing, and one the code still needs fails the compiler again."""
    if finding.code != "fatal-error":
        return False
    gone = sum(1 for hunk in change_list for row in hunk.old_lines
               if before.kinds.get(row) == ["preproc_include"])
    others = [row for hunk in change_list for row in hunk.old_lines
              if before.kinds.get(row) and before.kinds[row] != ["preproc_include"]]
    return not others and before.statements - after.statements <= gone
