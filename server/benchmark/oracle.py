"""What the simulated model answers: the ground truth, or a plausible wrong reply.

Pure functions over a case's `before` and `after` texts and the prompt the
engine sent. A right answer is the ground-truth edit as SEARCH/REPLACE
blocks computed from before → after, with just enough unchanged lines around
each change to be unique and inside the prompt's editable region (or, when
the prompt asks for the whole region in one fenced block, that block). A
wrong answer is one of:

- near-miss: a plausible wrong edit (another misspelling of the name, an
  import of the attribute instead of the module, a semicolon for the colon,
  the wrong-typed value converted instead of replaced, the unused import
  renamed instead of removed);
- cheat: a suppression comment on the flagged line (Python), the flagged
  line turned into a comment (the other languages, whose compilers have no
  comment that silences an error), or the line deleted;

Both are written in the case's language: a C++ case's near miss casts the
value (`static_cast<long>(...)`) rather than calling Python's `str`, and the
whole-region reply is fenced with the language's tag.
- unusable: a block that is never closed, or a SEARCH that quotes the code
  as the model wished it were.
"""

from __future__ import annotations

import difflib
import random
import re
from dataclasses import dataclass

from fixloop.verifiers import languages

REGION = re.compile(r"Editable region(?: \d+)? \(lines (\d+)-(\d+);")
RIGHT = "right"


@dataclass(frozen=True, slots=True)
class Oracle:
    """What the simulated model knows about one case."""

    before: str
    after: str
    kind: str
    verifier: str
    code: str
    line: int  # 1-based line of the diagnostic
    language: str = "python"  # a key of fixloop.verifiers.languages


# A wrong conversion of a value, in each language (the type-error near miss).
CONVERSIONS = {
    "python": "str({})",
    "c": "(long)({})",
    "cpp": "static_cast<long>({})",
    "javascript": "String({})",
    "typescript": "String({})",
    "rust": "{}.to_string()",
    "go": "fmt.Sprint({})",
}


def editable_regions(prompt: str) -> list[tuple[int, int]]:
    """The prompt's editable regions as 0-based [start, end) line ranges."""
    return [(int(a) - 1, int(b)) for a, b in REGION.findall(prompt)]


def wants_whole(system: str) -> bool:
    """Whether the prompt asks for the whole region in a fenced block (not SEARCH/REPLACE)."""
    return "SEARCH" not in system


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def _with_newline(lines: list[str]) -> str:
    text = "".join(lines)
    return text if text.endswith("\n") or not text else text + "\n"


def _occurrences(haystack: list[str], needle: list[str]) -> int:
    have = [line.rstrip() for line in haystack]
    want = [line.rstrip() for line in needle]
    return sum(have[i : i + len(want)] == want for i in range(len(have) - len(want) + 1))


def _inside(start: int, end: int, regions: list[tuple[int, int]]) -> bool:
    return not regions or any(s <= start and end <= e for s, e in regions)


def search_replace(before: str, target: str, regions: list[tuple[int, int]]) -> str:
    """SEARCH/REPLACE blocks turning `before` into `target`, each unique and inside a region."""
    a, b = _lines(before), _lines(target)
    opcodes = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    blocks = []
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            continue
        room_up = opcodes[index - 1][2] - opcodes[index - 1][1] if index else 0
        room_down = opcodes[index + 1][2] - opcodes[index + 1][1] if index + 1 < len(opcodes) else 0
        up = down = 0
        while True:
            search = a[i1 - up : i2 + down]
            good = any(line.strip() for line in search) and _occurrences(a, search) == 1
            if good and _inside(i1 - up, i2 + down, regions):
                break
            # Widen towards the side that stays in a region, above first.
            can_up = up < room_up and _inside(i1 - up - 1, i2 + down, regions)
            can_down = down < room_down and _inside(i1 - up, i2 + down + 1, regions)
            if can_up and (up <= down or not can_down):
                up += 1
            elif can_down:
                down += 1
            elif up < room_up:
                up += 1
            elif down < room_down:
                down += 1
            else:
                break
        search = a[i1 - up : i2 + down]
        replace = b[j1 - up : j2 + down]
        blocks.append(
            "<<<<<<< SEARCH\n"
            + _with_newline(search)
            + "=======\n"
            + _with_newline(replace)
            + ">>>>>>> REPLACE\n"
        )
    return "".join(blocks)


def _map_line(opcodes, line: int) -> int:
    """A line number of `before` as the matching line number of the target."""
    for tag, i1, i2, j1, j2 in opcodes:
        if i1 <= line < i2:
            return j1 + (line - i1) if tag == "equal" else j1
    return opcodes[-1][4] if opcodes else line


def whole_region(
    before: str, target: str, regions: list[tuple[int, int]], fence: str = "python"
) -> str:
    """The main region of `target` in one fenced block tagged `fence`."""
    a, b = _lines(before), _lines(target)
    start, end = regions[-1] if regions else (0, len(a))
    if (start, end) == (0, len(a)):
        body = b
    else:
        opcodes = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
        body = b[_map_line(opcodes, start) : _map_line(opcodes, end) if end < len(a) else len(b)]
    return f"```{fence}\n" + _with_newline(body) + "```\n"


# --- wrong answers --------------------------------------------------------------------------


def _changed_segment(old: str, new: str) -> tuple[int, int, int, int]:
    """Offsets of the differing middle of two lines: (old_start, old_end, new_start, new_end)."""
    prefix = 0
    while prefix < min(len(old), len(new)) and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while (
        suffix < min(len(old), len(new)) - prefix
        and old[len(old) - 1 - suffix] == new[len(new) - 1 - suffix]
    ):
        suffix += 1
    return prefix, len(old) - suffix, prefix, len(new) - suffix


def _word_at(line: str, start: int, end: int) -> tuple[int, int]:
    while start > 0 and (line[start - 1].isalnum() or line[start - 1] == "_"):
        start -= 1
    while end < len(line) and (line[end].isalnum() or line[end] == "_"):
        end += 1
    return start, end


def _replace_line(lines: list[str], index: int, new: str | None) -> str:
    out = list(lines)
    if new is None:
        del out[index]
    else:
        out[index] = new
    return "".join(out)


def near_miss(oracle: Oracle, rng: random.Random) -> str:
    """A plausible wrong version of `before` (a whole text)."""
    a, b = _lines(oracle.before), _lines(oracle.after)
    index = oracle.line - 1
    flagged = a[index] if index < len(a) else ""
    body = flagged.rstrip("\r\n")
    ending = flagged[len(body) :] or "\n"
    if oracle.kind == "drop-import":
        added = [line for line in b if line not in a and line.startswith("import ")]
        module = added[0].split()[1].strip() if added else "module"
        use = re.search(rf"\b{re.escape(module)}\.(\w+)", oracle.before)
        wrong = f"from {module} import {use.group(1)}\n" if use else f"import {module}s\n"
        at = b.index(added[0]) if added else 1
        return "".join(a[:at] + [wrong] + a[at:])
    if oracle.kind == "unused-import":
        name = body.split()[1] if body.startswith("import ") else "module"
        return _replace_line(a, index, f"import {name} as _{name}{ending}")
    if oracle.kind == "missing-colon":
        return _replace_line(a, index, f"{body};{ending}")
    right_line = b[index].rstrip("\r\n") if index < len(b) else body
    o1, o2, n1, n2 = _changed_segment(body, right_line)
    if oracle.kind == "misspell":
        w1, w2 = _word_at(body, o1, o2)
        r1, r2 = _word_at(right_line, n1, n2)
        right, wrong = right_line[r1:r2], body[w1:w2]
        variants = {
            right[:i] + right[i + 1] + right[i] + right[i + 2 :] for i in range(len(right) - 1)
        }
        variants |= {right[:i] + right[i + 1 :] for i in range(1, len(right))}
        variants -= {right, wrong}
        other = rng.choice(sorted(variants)) if variants else wrong + "_"
        return _replace_line(a, index, body[:w1] + other + body[w2:] + ending)
    # A type error: convert the wrong value instead of passing the right one.
    value = body[o1:o2] or body.strip()
    if oracle.language == "python":
        wrapper = "len" if right_line[n1:n2].startswith(("str(", "'", '"', "f'", 'f"')) else "str"
        converted = f"{wrapper}({value})"
    else:  # the whole word (or the line) converted, as a model that misread the error would
        o1, o2 = _word_at(body, o1, o2) if body[o1:o2].strip() else (o1, o2)
        value = body[o1:o2] or body.strip()
        converted = CONVERSIONS.get(oracle.language, "({})").format(value)
    return _replace_line(a, index, body[:o1] + converted + body[o2:] + ending)


def cheat(oracle: Oracle, rng: random.Random) -> str:
    """A suppression on the flagged line (Python) or the line commented out (the other
    languages), or the flagged line deleted (a whole text)."""
    a = _lines(oracle.before)
    index = oracle.line - 1
    body = a[index].rstrip("\r\n")
    ending = a[index][len(body) :] or "\n"
    deletable = oracle.kind != "unused-import"  # deleting an unused import is the fix
    if deletable and rng.random() < 0.5:
        return _replace_line(a, index, None)
    if oracle.language != "python":
        prefix = languages.by_key(oracle.language).comments[0]
        indent = body[: len(body) - len(body.lstrip())]
        return _replace_line(a, index, f"{indent}{prefix} {body.lstrip()}{ending}")
    comment = (
        f"# type: ignore[{oracle.code}]" if oracle.verifier == "mypy" else f"# noqa: {oracle.code}"
    )
    if oracle.verifier == "python":
        comment = "# noqa"
    return _replace_line(a, index, f"{body}  {comment}{ending}")


def unusable(right_reply: str, whole: bool, before: str, target: str, rng: random.Random) -> str:
    """A reply that cannot be applied: unclosed, or searching for code that is not there."""
    if whole:
        return right_reply.rstrip("\n").removesuffix("```").rstrip("\n") + "\n"
    if rng.random() < 0.5:
        return right_reply.rstrip("\n").rsplit("\n", 1)[0] + "\n"  # no >>>>>>> REPLACE
    # SEARCH quotes the target (the code as the model believes it is).
    blocks = re.findall(
        r"<<<<<<< SEARCH\n(.*?)=======\n(.*?)>>>>>>> REPLACE\n", right_reply, re.DOTALL
    )
    return (
        "".join(
            f"<<<<<<< SEARCH\n{replace}=======\n{replace}>>>>>>> REPLACE\n" for _, replace in blocks
        )
        or right_reply[: len(right_reply) // 2]
    )


def answer(
    oracle: Oracle, system: str, prompt: str, right: bool, wrong_kind: str, rng: random.Random
) -> tuple[str, str]:
    """The reply text and what it is (`right` or a wrong kind)."""
    regions = editable_regions(prompt)
    whole = wants_whole(system)

    def reply_for(target: str) -> str:
        if whole:
            fence = languages.by_key(oracle.language).fence
            return whole_region(oracle.before, target, regions, fence)
        return search_replace(oracle.before, target, regions)

    if right:
        return reply_for(oracle.after), RIGHT
    if wrong_kind == "near-miss":
        return reply_for(near_miss(oracle, rng)), wrong_kind
    if wrong_kind == "cheat":
        return reply_for(cheat(oracle, rng)), wrong_kind
    return unusable(reply_for(oracle.after), whole, oracle.before, oracle.after, rng), "unusable"
