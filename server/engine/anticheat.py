"""The anti-cheat policy: candidates rejected before any verifier runs.

A verifier that a model can fool is no verifier. Each rule returns a reason
that is fed back to the next attempt and counted in the loop's figures:

- changes nothing;
- edits outside the loop's window;
- adds a suppression (a comment or attribute that silences a checker, in any
  language fixloop knows, or `cast(Any, ...)` against a type error);
- deletes code where the diagnostic is not about code that should go;
- drops the use of an undefined name instead of defining it (or fixing a typo);
- fixes a syntax error by also changing names, numbers or operators;
- rewrites far more of the window than the diagnostic needs.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter

from fixloop.engine.window import Window
from fixloop.shadow.edits import changed_lines, split_lines
from fixloop.verifiers import languages
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
    chosen = tuple((label, pattern) for label, langs, pattern in SUPPRESSION_RULES if language in langs)
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
# Undefined-name diagnostics and how their message names the name.
UNDEFINED_NAME = {
    ("ruff", "F821"): re.compile(r"Undefined name `([^`]+)`"),
    ("mypy", "name-defined"): re.compile(r'Name "([^"]+)" is not defined'),
    ("pyright", "reportUndefinedVariable"): re.compile(r'"([^"]+)" is not defined'),
}

PLACEHOLDERS = {"pass", "...", "return", "return None", "None", "raise NotImplementedError"}
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# The parts of a line that carry its meaning: names, numbers and operators
# (punctuation such as `:`, `,` and brackets is what syntax fixes change).
MEANING = re.compile(
    r"[A-Za-z_][A-Za-z0-9_]*|\d[\d_]*(?:\.\d+)?|==|!=|<=|>=|<<|>>|\*\*|//|[<>+\-*/%@&|^~]"
)
SYNTAX_KEYWORDS_ALLOWED = {"as", "in", "else", "pass"}  # words a syntax fix may add
REWRITE_FLOOR = 6  # changed code lines always allowed
REWRITE_SHARE = 0.8  # beyond the floor: share of the window's code lines a fix may rewrite


def _count(patterns, text: str) -> Counter[str]:
    return Counter({label: len(pattern.findall(text)) for label, pattern in patterns})


def _comments(language: str | None) -> tuple[str, ...]:
    if language is None or language not in languages.keys():
        return ("#",)
    return languages.by_key(language).comments


def _code(line: str, comments: tuple[str, ...] = ("#",)) -> str | None:
    """The line's code, or None when it does nothing (blank, a comment, a placeholder)."""
    stripped = line.strip()
    if not stripped or stripped.startswith(comments) or stripped in PLACEHOLDERS:
        return None
    return stripped


def _code_lines(lines: list[str], comments: tuple[str, ...] = ("#",)) -> int:
    return sum(1 for line in lines if _code(line, comments) is not None)


def _is_type_checker(finding: Finding) -> bool:
    return finding.source in TYPE_CHECKERS


def _is_syntax_error(finding: Finding) -> bool:
    return finding.source == "python" or finding.code in ("invalid-syntax", "syntax")


def _removable(finding: Finding) -> bool:
    return (finding.source, finding.code) in REMOVABLE or (
        finding.source == "ruff" and finding.code.startswith("UP")
    )


def _outside(original: str, candidate: str, window: Window) -> bool:
    """Whether the candidate changes any line outside the window's regions."""
    matcher = difflib.SequenceMatcher(None, split_lines(original), split_lines(candidate), False)
    for tag, i1, i2, _, _ in matcher.get_opcodes():
        if tag == "equal":
            continue
        if not any(r.start <= i1 and i2 <= r.end for r in window.regions):
            return True
    return False


def review(
    original: str,
    candidate: str,
    finding: Finding,
    window: Window | None = None,
    language: str | None = None,
) -> str | None:
    """Why `candidate` must be rejected for `finding`, or None if it may be verified.

    `language` (a key of fixloop.verifiers.languages) chooses the suppressions
    and comment syntax; None applies every language's suppressions.
    """
    if candidate == original:
        return "the candidate changes nothing"
    if window is not None and _outside(original, candidate, window):
        return "the candidate edits lines outside its window"
    removed, added = changed_lines(original, candidate)
    old, new = "".join(removed), "".join(added)
    rules = suppressions(language)
    before, after = _count(rules, old), _count(rules, new)
    for label, count in after.items():
        if count > before[label]:
            return f"the candidate adds a suppression ({label}) instead of fixing the code"
    if _is_type_checker(finding):
        before, after = _count(TYPE_ESCAPES, old), _count(TYPE_ESCAPES, new)
        for label, count in after.items():
            if count > before[label]:
                return f"the candidate silences the type checker with {label} instead of fixing the types"
    comments = _comments(language)
    if not _removable(finding) and _code_lines(added, comments) < _code_lines(removed, comments):
        return (
            "the candidate deletes code instead of fixing it "
            f"({finding.source} {finding.code} is not about code that should go)"
        )
    reason = _drops_undefined_name(original, candidate, finding, removed, added)
    if reason:
        return reason
    if _is_syntax_error(finding):
        reason = _syntax_fix_changes_meaning(removed, added)
        if reason:
            return reason
    if window is not None and not _removable(finding):
        return _rewrites_too_much(original, window, finding, removed, added, comments)
    return None


def _drops_undefined_name(original, candidate, finding, removed, added) -> str | None:
    pattern = UNDEFINED_NAME.get((finding.source, finding.code))
    match = pattern.search(finding.message) if pattern else None
    if not match:
        return None
    name = match.group(1).split(".")[0]
    alias = re.compile(rf"^\s*{re.escape(name)}\s*=\s*(None|[A-Za-z_][\w.]*|lambda\b.*)\s*$")
    if any(alias.match(line) for line in added):
        return (
            f"the candidate defines `{name}` as a stand-in instead of importing it "
            "or fixing the name"
        )

    def uses(text: str) -> int:
        return sum(1 for token in IDENTIFIER.findall(_strip_strings(text)) if token == name)

    if uses(candidate) >= uses(original):
        return None  # still used (and now defined or imported: the gate will tell)
    # The name went away: only a typo fix (a similar name in its place) is honest.
    # Names used more often than before (a set difference would miss a fix to a name the
    # line already uses: `predicate(lnie) else line` -> `predicate(line) else line`).
    new_names = Counter(IDENTIFIER.findall(_strip_strings("".join(added))))
    new_names -= Counter(IDENTIFIER.findall(_strip_strings("".join(removed))))
    if any(_close(name, other) for other in new_names):
        return None
    return f"the candidate removes the use of the undefined name `{name}` instead of defining it"


def _distance(a: str, b: str) -> int:
    """Edit distance counting a swap of neighbours as one edit (so `pritn` is 1 from `print`)."""
    rows = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        rows[i][0] = i
    for j in range(len(b) + 1):
        rows[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            rows[i][j] = min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                rows[i][j] = min(rows[i][j], rows[i - 2][j - 2] + 1)
    return rows[-1][-1]


def _close(a: str, b: str) -> bool:
    """Whether `b` is a plausible correction of the misspelt name `a`."""
    if a.lower() == b.lower():
        return True
    if min(len(a), len(b)) >= 3 and (a.startswith(b) or b.startswith(a)):
        return True  # `lenght` -> `len`, `sort` -> `sorted`
    return _distance(a, b) <= (1 if min(len(a), len(b)) <= 3 else 2)


def _strip_strings(text: str) -> str:
    return re.sub(r"(\"[^\"\n]*\"?|'[^'\n]*'?)", " ", re.sub(r"#.*", "", text))


def _syntax_fix_changes_meaning(removed: list[str], added: list[str]) -> str | None:
    old = MEANING.findall(_strip_strings("".join(removed)))
    new = [t for t in MEANING.findall(_strip_strings("".join(added)))
           if t not in SYNTAX_KEYWORDS_ALLOWED]
    old = [t for t in old if t not in SYNTAX_KEYWORDS_ALLOWED]
    if Counter(new) - Counter(old):
        extra = ", ".join(sorted((Counter(new) - Counter(old)).elements())[:5])
        return f"the candidate changes more than the syntax error: it adds {extra}"
    missing = Counter(t for t in old if IDENTIFIER.fullmatch(t) or t[0].isdigit()) - Counter(new)
    if missing:
        gone = ", ".join(sorted(missing.elements())[:5])
        return f"the candidate changes more than the syntax error: it drops {gone}"
    return None


def _rewrites_too_much(original, window, finding, removed, added, comments) -> str | None:
    lines = split_lines(original)
    window_code = sum(_code_lines(lines[r.start : r.end], comments) for r in window.regions)
    span = finding.span.end_line - finding.span.start_line + 1
    changed = _code_lines(removed, comments)
    allowed = max(REWRITE_FLOOR + span, int(window_code * REWRITE_SHARE))
    if changed > allowed:
        return (
            f"the candidate rewrites {changed} lines of code for a {span}-line diagnostic; "
            "change only what the diagnostic needs"
        )
    return None
