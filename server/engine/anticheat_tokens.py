"""Tokens and names as the judge's rules read them (anticheat.py, anticheat_py.py and
anticheat_c.py share them; pure functions of text, no rule of their own).

- `LEX`: a line cut into words, numbers and operators, the same way in every language;
- `tokens`: the code tokens of some lines (a trailing comment left out, numbers normalised);
- `close`: whether one name is a plausible correction of a misspelt other.
"""

from __future__ import annotations

import re

OPERATORS = {":=", "==", "!=", "<=", ">=", "<", ">", "+", "-", "*", "/", "%", "**", "//", "<<", ">>",
             "&", "|", "^", "~", "!", "&&", "||", "===", "!==", "<>", "=", "+=", "-=", "->", "@"}
LEX = re.compile(
    r"[A-Za-z_]\w*|\d[\w.]*|===|!==|==|!=|<=|>=|<>|&&|\|\||<<|>>|\*\*|//|->|\+=|-=|::|:=|[^\s\w]"
)
C_LIKE = {"c", "cpp", "javascript", "typescript", "rust", "go"}


def tokens(lines: list[str], rows: range, language: str | None) -> list[str]:
    """The code tokens (names, numbers, operators) of `lines[rows]`."""
    comment = "//" if (language or "python") in C_LIKE else "#"
    out: list[str] = []
    for row in rows:
        text = lines[row]
        if comment in text and not ("'" in text or '"' in text):
            text = text[: text.index(comment)]
        out.extend(_number(t) for t in LEX.findall(text)
                   if t[0].isalnum() or t[0] == "_" or t in OPERATORS)
    return out


def _number(token: str) -> str:
    """`00` and `0` are one number (a leading zero is a Python 2 octal the fix drops)."""
    return str(int(token)) if token.isdigit() else token


def distance(a: str, b: str) -> int:
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


def close(a: str, b: str) -> bool:
    """Whether `b` is a plausible correction of the misspelt name `a`."""
    if a.lower() == b.lower():
        return True
    if min(len(a), len(b)) == 1 and (a[0].isalpha() or b[0].isalpha()):
        return False  # `c` is no misspelling of `i`
    if min(len(a), len(b)) >= 3 and (a.startswith(b) or b.startswith(a)):
        return True  # `lenght` -> `len`, `sort` -> `sorted`
    return distance(a, b) <= (1 if min(len(a), len(b)) <= 3 else 2)
