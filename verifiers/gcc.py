"""gcc and g++ as verifiers: the buffer on stdin, JSON diagnostics, sources `gcc` and `g++`.

`gcc -fsyntax-only -fdiagnostics-format=json -x c -` (or `g++ ... -x c++ -`)
checks the candidate without writing a file. `-iquote <the real file's folder>`
lets `#include "x.h"` resolve as it would from the file. The flags for the
file come from the workspace's `compile_commands.json` (-I, -D, -std, -W...);
from a workspace that is not trusted only flags that cannot run anything are
taken (never -fplugin, -specs, -B or a wrapper), and never its compiler.
gcc's fix-it hints become tool fixes (tier 0, through the same gate).
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
from dataclasses import dataclass
from pathlib import Path

from fixloop.processes.run import run_tool
from fixloop.text.columns import to_code_points
from fixloop.text.lines import split_lines
from fixloop.verifiers.base import (
    CheckRequest,
    Finding,
    Severity,
    Span,
    ToolEdit,
    VerifierError,
)
from fixloop.verifiers.languages import install_hint

DATABASE = "compile_commands.json"
DATABASE_DIRS = (".", "build", "out", "cmake-build-debug", "cmake-build-release")
SEVERITY = {
    "error": Severity.ERROR,
    "fatal error": Severity.ERROR,
    "warning": Severity.WARNING,
    "note": Severity.INFORMATION,
}
# Flags that take the next argument as their value.
WITH_VALUE = {
    "-I", "-isystem", "-iquote", "-idirafter", "-D", "-U", "-include", "-imacros",
    "-o", "-MF", "-MT", "-MQ", "-x", "-Xclang", "-arch", "--sysroot", "-isysroot", "-target",
}
# What never goes to the check: output, dependency files, the mode and the input.
DROPPED = {"-c", "-S", "-E", "-o", "-MF", "-MT", "-MQ", "-MD", "-MMD", "-M", "-MM", "-MP",
           "-x", "-pipe", "-fsyntax-only"}
# From a workspace that is not trusted, only these (by prefix): they change what the
# code means, never what runs. -Wl/-Wa/-Wp pass flags on to other programs: not these.
SAFE_PREFIXES = ("-I", "-isystem", "-iquote", "-idirafter", "-D", "-U", "-std=", "-W",
                 "-f", "-O", "-m", "-pedantic", "-ansi", "-pthread", "-include", "-imacros",
                 "-w", "--std=")
UNSAFE = re.compile(r"^(-Wl,|-Wa,|-Wp,|-fplugin|-specs|--specs|-B|-wrapper|-fdump|-save-temps"
                    r"|-fprofile|-fdiagnostics-format|-fcompare-debug)")
INCLUDE_DIRS = ("-isystem", "-iquote", "-idirafter", "-I")  # longest first
COMPILER_NAME = re.compile(r"^([\w.-]+-)?(gcc|g\+\+|cc|c\+\+)(-\d+(\.\d+)*)?$")
TAIL = 400


@dataclass(frozen=True, slots=True)
class CompileFlags:
    """What the compilation database says about one file."""

    flags: tuple[str, ...] = ()
    directory: Path | None = None
    compiler: str | None = None  # only from a trusted workspace
    dropped: tuple[str, ...] = ()  # flags refused because the workspace is not trusted


def _line_text(lines: list[str], line: int) -> str:
    return lines[line].rstrip("\r\n") if 0 <= line < len(lines) else ""


def _column(lines: list[str], point: dict) -> tuple[int, int]:
    """A gcc location as (0-based line, code-point column).

    gcc's `column` and `display-column` are display widths (a tab, an emoji
    count 2+) and from stdin it cannot re-read the text to compute them;
    `byte-column` is exact: converted here against the text checked.
    """
    line = int(point.get("line", 1)) - 1
    byte = int(point.get("byte-column", point.get("column", 1))) - 1
    return line, to_code_points(_line_text(lines, line), max(byte, 0), "bytes")


def parse_gcc_json(output: str, text: str, source: str = "gcc") -> tuple[Finding, ...]:
    """Findings in the checked text from gcc's `-fdiagnostics-format=json` (gcc 10-13).

    One JSON array on one line of stderr; an item looks like (gcc 12):
    {"kind": "error", "message": "‘p’ is a pointer; did you mean to use ‘->’?",
     "option": "-Wunused-variable" (warnings only), "column-origin": 1,
     "locations": [{"caret": {"file": "<stdin>", "line": 6, "byte-column": 30,
                              "display-column": 30, "column": 30}, "finish": {...}}],
     "fixits": [{"start": {...}, "next": {...}, "string": "->"}], "children": [notes]}
    `finish` is the last character (inclusive); a fix-it's `next` is exclusive.
    Diagnostics located in other files (headers) are left out: no edit here fixes them.
    """
    lines = split_lines(text)
    findings: list[Finding] = []
    for item in _json_items(output):
        locations = item.get("locations") or []
        caret = locations[0].get("caret") if locations else None
        if not isinstance(caret, dict) or caret.get("file") != "<stdin>":
            continue
        start_line, start_col = _column(lines, caret)
        finish = locations[0].get("finish")
        if isinstance(finish, dict) and finish.get("file") == "<stdin>":
            end_line, end_col = _column(lines, finish)
            end_col += 1
        else:
            end_line, end_col = start_line, start_col + 1
        if end_line < len(lines):
            end_col = min(end_col, len(_line_text(lines, end_line)))
        if (end_line, end_col) <= (start_line, start_col):
            end_line, end_col = start_line, start_col
        kind = str(item.get("kind", "error"))
        option = item.get("option")
        findings.append(
            Finding(
                source=source,
                code=str(option) if option else kind.replace(" ", "-"),
                message=str(item.get("message", "")),
                span=Span(start_line, start_col, end_line, end_col),
                severity=SEVERITY.get(kind, Severity.ERROR),
                tool_fix=_fixits(lines, item.get("fixits") or []),
            )
        )
    return tuple(findings)


def _fixits(lines: list[str], fixits: list) -> tuple[ToolEdit, ...]:
    edits = []
    for fixit in fixits:
        start, end = fixit.get("start"), fixit.get("next")
        if not (isinstance(start, dict) and isinstance(end, dict)):
            return ()
        if start.get("file") != "<stdin>" or end.get("file") != "<stdin>":
            return ()  # a fix in a header: not ours to make
        (sl, sc), (el, ec) = _column(lines, start), _column(lines, end)
        edits.append(ToolEdit(Span(sl, sc, el, ec), str(fixit.get("string", ""))))
    return tuple(edits)


def _json_items(output: str) -> list[dict]:
    items: list[dict] = []
    for line in output.splitlines():
        if not line.startswith("["):
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError:
            continue
        items += [item for item in data if isinstance(item, dict)]
    return items


def find_database(path: Path, root: Path) -> Path | None:
    """The compile_commands.json for a file: in the root (or its build folders), else
    in a folder above the file."""
    for name in DATABASE_DIRS:
        candidate = root / name / DATABASE
        if candidate.is_file():
            return candidate
    for folder in path.parents:
        if (folder / DATABASE).is_file():
            return folder / DATABASE
        if folder == root:
            break
    return None


def _arguments(entry: dict) -> list[str]:
    if isinstance(entry.get("arguments"), list):
        return [str(a) for a in entry["arguments"]]
    if isinstance(entry.get("command"), str):
        try:
            return shlex.split(entry["command"])
        except ValueError:
            return []
    return []


def flags_from_entry(entry: dict, path: Path, trusted: bool) -> CompileFlags:
    """The check's flags from one compilation database entry (pure)."""
    arguments = _arguments(entry)
    directory = Path(str(entry.get("directory", path.parent)))
    if not arguments:
        return CompileFlags(directory=directory)
    compiler = arguments[0] if trusted and COMPILER_NAME.match(Path(arguments[0]).name) else None
    flags: list[str] = []
    dropped: list[str] = []
    rest = arguments[1:]
    index = 0
    while index < len(rest):
        arg = rest[index]
        value = None
        if arg in WITH_VALUE and index + 1 < len(rest):
            value = rest[index + 1]
            index += 1
        index += 1
        if arg in DROPPED or arg.startswith("-o") or arg[:3] in ("-MF", "-MT", "-MQ"):
            continue
        if not arg.startswith("-"):
            continue  # the input file: the candidate comes on stdin
        if not trusted and (UNSAFE.match(arg) or not arg.startswith(SAFE_PREFIXES)):
            dropped.append(arg if value is None else f"{arg} {value}")
            continue
        if trusted and arg.startswith(("-fdiagnostics-format", "-save-temps", "-fdump")):
            continue  # would change the output fixloop reads, or write files
        if arg in ("-I", "-isystem", "-iquote", "-idirafter", "-include", "-imacros") and value:
            value = str(Path(directory, value))
        elif arg.startswith(INCLUDE_DIRS) and not arg.startswith("-isysroot"):
            prefix = next(p for p in INCLUDE_DIRS if arg.startswith(p))
            arg = prefix + str(Path(directory, arg[len(prefix):]))
        flags += [arg] if value is None else [arg, value]
    return CompileFlags(tuple(flags), directory, compiler, tuple(dropped))


@dataclass(frozen=True, slots=True)
class _Index:
    stamp: tuple[int, int]
    files: dict[Path, dict]  # resolved file -> its entry
    folders: dict[Path, dict]  # resolved folder -> its first entry


class Databases:
    """compile_commands.json files, read once and indexed until they change on disk
    (a large project's database is megabytes: not to be parsed per candidate)."""

    def __init__(self) -> None:
        self._indexes: dict[Path, _Index] = {}

    def entry(self, database: Path, path: Path) -> dict | None:
        """`path`'s own entry, else the first in its folder, else None."""
        index = self._index(database)
        target = path.resolve()
        return index.files.get(target) or index.folders.get(target.parent)

    def _index(self, database: Path) -> _Index:
        try:
            info = database.stat()
        except OSError as exc:
            raise VerifierError(f"{database} cannot be read: {exc.strerror}") from None
        stamp = (info.st_mtime_ns, info.st_size)
        cached = self._indexes.get(database)
        if cached is not None and cached.stamp == stamp:
            return cached
        try:
            entries = json.loads(database.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise VerifierError(f"{database} cannot be read: {exc}") from None
        if not isinstance(entries, list):
            raise VerifierError(f"{database} is not a list of compile commands")
        files: dict[Path, dict] = {}
        folders: dict[Path, dict] = {}
        for entry in entries:
            if not isinstance(entry, dict) or "file" not in entry:
                continue
            file = Path(str(entry.get("directory", database.parent)), str(entry["file"])).resolve()
            files.setdefault(file, entry)
            folders.setdefault(file.parent, entry)
        index = self._indexes[database] = _Index(stamp, files, folders)
        return index


def compile_flags(
    path: Path, root: Path, trusted: bool, databases: Databases | None = None
) -> CompileFlags:
    """The flags for `path` from the workspace's compilation database, if it has one.

    The file's own entry, else the first entry in the same folder (a new file,
    a header), else none.
    """
    database = find_database(path, root)
    if database is None:
        return CompileFlags()
    entry = (databases or Databases()).entry(database, path)
    return flags_from_entry(entry, path, trusted) if entry is not None else CompileFlags()


class Gcc:
    """gcc (C) or g++ (C++) -fsyntax-only on the candidate, from stdin."""

    def __init__(self, name: str = "gcc", *, timeout: float = 30.0) -> None:
        assert name in ("gcc", "g++"), name
        self.name = name
        self.mode = "c" if name == "gcc" else "c++"
        self.timeout = timeout
        self._notices: list[str] = []
        self._said: set[str] = set()
        self._databases = Databases()

    def take_notices(self) -> tuple[str, ...]:
        notices, self._notices = tuple(self._notices), []
        return notices

    def argv(self, request: CheckRequest, flags: CompileFlags) -> list[str]:
        compiler = flags.compiler or shutil.which(self.name) or self.name
        return [
            compiler,
            "-fsyntax-only",
            "-fdiagnostics-format=json",
            *flags.flags,
            "-iquote",
            str(request.path.parent),
            "-x",
            self.mode,
            "-",
        ]

    async def check(self, request: CheckRequest) -> tuple[Finding, ...]:
        flags = compile_flags(request.path, request.root, request.trusted, self._databases)
        if flags.dropped:
            notice = (
                f"{self.name}: the folder is not trusted, so these flags of its "
                f"{DATABASE} are not used: {' '.join(flags.dropped)} (trust the folder to use them)"
            )
            if notice not in self._said:
                self._said.add(notice)
                self._notices.append(notice)
        argv = self.argv(request, flags)
        cwd = flags.directory if flags.directory and flags.directory.is_dir() else None
        cwd = cwd or request.path.parent
        try:
            run = await run_tool(
                argv, stdin=request.text.encode("utf-8"), cwd=cwd if cwd.is_dir() else None,
                timeout=self.timeout,
            )
        except VerifierError as exc:
            if "not found" in str(exc):
                raise VerifierError(f"{exc} ({install_hint(self.name)})") from None
            raise
        output = run.stderr.decode("utf-8", "replace")
        findings = parse_gcc_json(output, request.text, self.name)
        if run.returncode != 0 and not any(f.severity is Severity.ERROR for f in findings):
            text = "\n".join(line for line in output.splitlines() if not line.startswith("["))
            raise VerifierError(
                f"{self.name} exited with {run.returncode}"
                + (f": {text.strip()[-TAIL:]}" if text.strip() else "")
            )
        return findings


def make_gcc(*, timeout: float = 30.0) -> Gcc:
    return Gcc("gcc", timeout=timeout)


def make_gxx(*, timeout: float = 30.0) -> Gcc:
    return Gcc("g++", timeout=timeout)
