"""Windows: the lines around a diagnostic that a loop may rewrite (grown to the enclosing
syntactic block when it is small)."""

from __future__ import annotations

from dataclasses import dataclass

from fixloop.engine.syntax import enclosing_block
from fixloop.text.edits import diff_line_edit
from fixloop.text.lines import split_lines
from fixloop.verifiers.base import Finding

RADIUS = 3
# The main region grows to the innermost statement around the finding (a loop body to
# re-indent, braces to restore) when that statement is at most this many lines.
BLOCK_LINES = 30
# Which grammar reads a finding's text, by the tool that raised it (the judge reads structure).
GRAMMAR_OF_SOURCE = {"python": "python", "ruff": "python", "mypy": "python", "pyright": "python",
                     "gcc": "c", "g++": "cpp", "clang": "c", "clang++": "cpp", "tsc": "typescript",
                     "eslint": "javascript", "cargo": "rust", "go": "go"}
# Findings whose usual fix is an import at the top of the file: their loop may
# also edit the file's header (docstring, comments, imports).
NEEDS_HEADER = {
    ("ruff", "F821"),  # undefined name
    ("mypy", "name-defined"),
    ("pyright", "reportUndefinedVariable"),
}
HEADER_LIMIT = 60
# gcc/g++ say so in words (their errors carry no rule code): a missing #include.
C_UNDECLARED = (
    "undeclared", "was not declared", "implicit declaration of function", "unknown type name",
    "has not been declared", "does not name a type", "#include",
)


def needs_header(finding: Finding) -> bool:
    """Whether the usual fix goes at the top of the file (an import, an #include)."""
    if (finding.source, finding.code) in NEEDS_HEADER:
        return True
    return finding.source in ("gcc", "g++") and any(
        words in finding.message for words in C_UNDECLARED
    )


@dataclass(frozen=True, slots=True)
class Region:
    """Lines [start, end) of a text, 0-based."""

    start: int
    end: int

    def text(self, lines: list[str]) -> str:
        return "".join(lines[self.start : self.end])


@dataclass(frozen=True, slots=True)
class Window:
    """The editable regions of one loop, in file order; `main` surrounds the finding."""

    regions: tuple[Region, ...]
    main: int  # index into regions

    @property
    def main_region(self) -> Region:
        return self.regions[self.main]

    def texts(self, lines: list[str]) -> tuple[str, ...]:
        return tuple(region.text(lines) for region in self.regions)


def header_end(lines: list[str]) -> int:
    """The line after the file's leading docstring, comments, blanks and imports."""
    end = 0
    in_docstring: str | None = None
    for number, line in enumerate(lines[:HEADER_LIMIT]):
        stripped = line.strip()
        if in_docstring:
            if in_docstring in stripped:
                in_docstring = None
            end = number + 1
            continue
        if stripped.startswith(('"""', "'''")):
            quote = stripped[:3]
            if stripped.count(quote) == 1:
                in_docstring = quote
            end = number + 1
        elif stripped.startswith(("#include", "#import")):
            end = number + 1  # C and C++: the includes are the imports
        elif not stripped or stripped.startswith(("#", "//")):
            continue
        elif stripped.startswith(("import ", "from ")) or stripped.startswith("__future__"):
            end = number + 1
        else:
            break
    return end


def make_window(text: str, finding: Finding, radius: int = RADIUS) -> Window:
    """The window for `finding` in `text`."""
    lines = split_lines(text)
    count = len(lines)
    start = max(0, min(finding.span.start_line, count) - radius)
    last = max(finding.span.start_line, finding.span.end_line)
    if finding.span.end_line > finding.span.start_line and finding.span.end_col == 0:
        last -= 1  # a span ending at column 0 does not touch that line
    end = min(count, last + radius + 1)
    grammar = GRAMMAR_OF_SOURCE.get(finding.source)
    block = enclosing_block(text, grammar, finding.span.start_line) if grammar else None
    if block is not None and block[1] - block[0] < BLOCK_LINES:
        start, end = min(start, block[0]), max(end, min(count, block[1] + 1))
    main = Region(start, max(end, start))
    if not needs_header(finding):
        return Window((main,), 0)
    # At least the first line, so that an import can go above it.
    header = Region(0, max(1, header_end(lines)))
    if header.end >= main.start:  # touching or overlapping: one region
        return Window((Region(0, main.end),), 0)
    return Window((header, main), 1)


def whole_file(text: str) -> Window:
    """A window of the whole file (the whole-file reply format rewrites all of it)."""
    return Window((Region(0, len(split_lines(text))),), 0)


@dataclass(frozen=True, slots=True)
class Assembled:
    """A candidate text built from new region texts."""

    text: str
    region_edits: tuple  # per region: LineEdit relative to the region's start, or None
    changed: tuple[tuple[int, int], ...]  # changed line ranges in the candidate's coordinates


def assemble(text: str, window: Window, new_texts: tuple[str, ...]) -> Assembled:
    """The whole candidate: the original outside the window, `new_texts` inside it."""
    lines = split_lines(text)
    parts: list[str] = []
    edits = []
    changed: list[tuple[int, int]] = []
    position = 0  # in the original
    delta = 0  # candidate line number minus original line number
    for region, new in zip(window.regions, new_texts, strict=True):
        parts.append("".join(lines[position : region.start]))
        edit = diff_line_edit(region.text(lines), new)
        edits.append(edit)
        if edit is not None:
            new_count = len(split_lines(edit.new_text))
            start = region.start + edit.start + delta
            changed.append((start, start + max(new_count, 1)))
            delta += new_count - (edit.end - edit.start)
        parts.append(new)
        position = region.end
    parts.append("".join(lines[position:]))
    return Assembled("".join(parts), tuple(edits), tuple(changed))
