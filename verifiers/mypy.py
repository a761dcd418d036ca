"""mypy as a verifier: the text checked through `--shadow-file`, source `mypy`.

mypy has no stdin mode. Every check (a buffer or a candidate) writes the text
to a private shadow file and runs `mypy -O json --shadow-file REAL SHADOW REAL`
on a warm worker (`mypy_pool`), so errors are reported for the real path and
imports resolve as in the project. The code is mypy's error code
(`return-value`, `arg-type`, ...).
"""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import anyio
from fixloop.processes.private import private_dir
from fixloop.text.lines import split_lines
from fixloop.verifiers.base import CheckRequest, Finding, Severity, Span, VerifierError
from fixloop.verifiers.locate import ToolLog, own_python, project_tool, project_venv, venv_python
from fixloop.verifiers.mypy_config import PluginsNamed, untrusted_config
from fixloop.verifiers.mypy_pool import MypyAnswer, MypyPool

MIN_VERSION = (1, 11)  # `--output json`


@dataclass(frozen=True, slots=True)
class MypyRecord:
    """One line of `mypy -O json`."""

    file: str
    line: int
    column: int
    end_line: int | None
    end_column: int | None
    message: str
    hint: str | None
    code: str | None
    severity: str


def mypy_records(output: str) -> tuple[tuple[MypyRecord, ...], tuple[str, ...]]:
    """The JSON records of mypy's stdout, and the lines that were not JSON.

    Each record looks like (mypy 2.4; `line` 1-based, columns 0-based, end exclusive):
    {"file": "/abs/pkg/app.py", "line": 9, "column": 11, "end_line": 9, "end_column": 18,
     "message": "Incompatible return value type (got \"int\", expected \"str\")",
     "hint": null, "code": "return-value", "severity": "error"}
    Notes that belong to an error arrive in its "hint"; others have "severity": "note".
    """
    records, other = [], []
    for line in output.splitlines():
        if not line.startswith("{"):
            if line.strip():
                other.append(line)
            continue
        try:
            item = json.loads(line)
            records.append(
                MypyRecord(
                    file=str(item["file"]),
                    line=int(item["line"]),
                    column=int(item["column"]),
                    end_line=_int_or_none(item.get("end_line")),
                    end_column=_int_or_none(item.get("end_column")),
                    message=str(item["message"]),
                    hint=item.get("hint"),
                    code=item.get("code"),
                    severity=str(item.get("severity", "error")),
                )
            )
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            raise VerifierError(
                f"mypy printed a line that is not its JSON: {line[:200]} ({exc})"
            ) from None
    return tuple(records), tuple(other)


def _int_or_none(value) -> int | None:
    return None if value is None else int(value)


def same_file(reported: str, path: Path, root: Path) -> bool:
    candidate = Path(reported)
    if not candidate.is_absolute():
        candidate = root / candidate
    return os.path.normpath(candidate) == os.path.normpath(path)


def record_span(record: MypyRecord, lines: list[str]) -> Span:
    """The record's range in code points, clamped to the text.

    mypy 2.x reports wrong columns on lines with non-ASCII text (they count
    neither bytes nor code points), so such a line is marked whole.
    """
    if not lines:
        return Span(0, 0, 0, 0)
    last = len(lines) - 1
    line = min(max(record.line - 1, 0), last)
    end_line = record.end_line - 1 if record.end_line is not None else line
    end_line = min(max(end_line, line), last)
    text, end_text = lines[line].rstrip("\r\n"), lines[end_line].rstrip("\r\n")
    if not (text.isascii() and end_text.isascii()) or record.column < 0:
        return Span(line, len(text) - len(text.lstrip()), end_line, len(end_text))
    col = min(record.column, len(text))
    if record.end_column is None or record.end_column < 0:
        end_col = min(col + 1, len(end_text)) if end_line == line else len(end_text)
    else:
        end_col = min(record.end_column, len(end_text))
    if end_line == line and end_col <= col:
        end_col = min(col + 1, len(text)) if col < len(text) else col
    return Span(line, col, end_line, end_col)


def parse_mypy_json(output: str, path: Path, root: Path, text: str) -> tuple[Finding, ...]:
    """Findings in `path` (whose text is `text`) from `mypy -O json` output.

    Notes on their own (`reveal_type`, "By default the bodies of untyped
    functions are not checked") are dropped: they are not errors to fix. Notes
    that belong to an error (mypy's "hint") follow its message on new lines.
    """
    records, _ = mypy_records(output)
    lines = split_lines(text)
    findings = []
    for record in records:
        if record.severity == "note" or not same_file(record.file, path, root):
            continue
        message = record.message + (f"\n{record.hint}" if record.hint else "")
        findings.append(
            Finding(
                source="mypy",
                code=record.code or "misc",
                message=message,
                span=record_span(record, lines),
                severity=Severity.ERROR if record.severity == "error" else Severity.WARNING,
            )
        )
    return tuple(findings)


def verdict(answer: MypyAnswer, path: Path, root: Path, text: str) -> tuple[Finding, ...]:
    """Findings from one mypy run, or VerifierError when mypy could not check the file."""
    records, other = mypy_records(answer.stdout)
    if answer.code == 2:
        # 2 is a crash, a usage error, or a blocking error (a syntax error) that stopped mypy.
        ours = parse_mypy_json(answer.stdout, path, root, text)
        if ours:
            return ours
        # A config error (a plugin that cannot be imported) comes as a record on stderr.
        blocking = [r for r in (*records, *_stderr_records(answer.stderr)) if r.severity == "error"]
        if blocking:
            r = blocking[0]
            raise VerifierError(f"mypy stopped at an error in {r.file}:{r.line}: {r.message}")
        raise VerifierError(f"mypy failed (exit 2): {_first_words(answer, other)}")
    if answer.code not in (0, 1):
        raise VerifierError(f"mypy failed (exit {answer.code}): {_first_words(answer, other)}")
    if answer.code == 1 and not records:
        raise VerifierError(f"mypy reported errors it did not print: {_first_words(answer, other)}")
    return parse_mypy_json(answer.stdout, path, root, text)


def _stderr_records(stderr: str) -> tuple[MypyRecord, ...]:
    try:
        return mypy_records(stderr)[0]
    except VerifierError:  # a traceback line that merely starts with "{"
        return ()


def _first_words(answer: MypyAnswer, other: tuple[str, ...]) -> str:
    lines = [*other, *answer.stderr.strip().splitlines()]
    errors = [line for line in lines if "error" in line.lower()]
    chosen = errors[-1] if errors else (lines[-1] if lines else "no message")
    return chosen.strip()[:500]


_CONFIG_COMPLAINT = re.compile(r"^(?P<file>[^\s:][^:]*\.(?:ini|cfg|toml)): (?P<what>.+)$")


def config_complaints(
    stderr: str, root: Path, ours: dict[Path, Path | None] | None = None
) -> list[str]:
    """mypy's complaints about its config file, which it prints and then ignores (exit 0).

    mypy 2.4 on a `mypy.ini` with an unknown option and a bad value:
        mypy.ini: [mypy]: Unrecognized option: bogus_key = 1
        mypy.ini: [mypy]: warn_unused_ignores: Not a boolean: maybe
    """
    complaints = []
    for line in stderr.splitlines():
        match = _CONFIG_COMPLAINT.match(line.strip())
        if match:
            path = Path(match["file"])
            where = path if path.is_absolute() else root / path
            where = (ours or {}).get(where) or where  # fixloop's file: name the workspace's
            complaints.append(
                f"mypy: {where}: {match['what']} (mypy ignores this setting and goes on)"
            )
    return complaints


def shadow_text(text: str, number: int) -> str:
    """The text as mypy gets it, made unique so that mypy's cache cannot mistake it.

    mypy (2.4) judges a shadowed module fresh when the shadow's size and mtime
    (whole seconds) match its cache, and otherwise compares the cache's hash
    with the hash of the *real* file, not the shadow. So two candidates of the
    same length written in one second, or any candidate checked right after
    the text on disk, would get the earlier verdict. A unique mtime (set by
    the caller) and a unique trailing comment rule out both.
    """
    ending = "" if not text or text.endswith(("\n", "\r")) else "\n"
    return f"{text}{ending}# fixloop shadow {number}\n"


def _version(text: str) -> tuple[int, ...]:
    parts = []
    for part in text.split("+")[0].split(".")[:2]:
        digits = "".join(ch for ch in part if ch.isdigit())
        parts.append(int(digits or 0))
    return tuple(parts)


class Mypy:
    """mypy on the text through a shadow file, on warm workers per workspace."""

    name = "mypy"

    def __init__(
        self, *, python: Path | None = None, timeout: float = 120.0, workers: int | None = None
    ) -> None:
        self._python = python  # None: the workspace's mypy if it has one, else fixloop's
        self.timeout = timeout
        self.workers = workers or max(1, min(os.cpu_count() or 1, 4))
        self._home: Path | None = None
        self._pools: dict[tuple[Path, Path], MypyPool] = {}
        self._shadow_ids = itertools.count(1)
        self._log = ToolLog()
        self._notices: dict[str, None] = {}  # not yet taken, in order
        self._noticed: set[str] = set()
        self._configs: dict[Path, Path | None] = {}  # fixloop's mypy configs -> their source

    def _private(self) -> Path:
        if self._home is None:
            self._home = private_dir("mypy")
            (self._home / "shadows").mkdir()
        return self._home

    def _interpreter(self, root: Path, trusted: bool = True) -> tuple[Path, list[str], str]:
        """The Python whose mypy runs, extra arguments, and how to describe it."""
        if self._python is not None:
            return self._python, [], f"mypy of {self._python}"
        if not trusted:  # nothing of the workspace's runs: no venv, no `python_executable`
            own = own_python()
            return (
                own,
                ["--python-executable", str(own)],
                "fixloop's own mypy (untrusted workspace)",
            )
        local = project_tool(root, "mypy")
        venv = project_venv(root)
        if local is not None and venv is not None:
            return venv_python(venv), [], f"the workspace's mypy ({local})"
        extra = ["--python-executable", str(venv_python(venv))] if venv is not None else []
        return (
            own_python(),
            extra,
            "fixloop's own mypy" + (f", with the workspace's packages ({venv})" if venv else ""),
        )

    async def _pool(self, root: Path, trusted: bool = True) -> tuple[MypyPool, list[str]]:
        python, extra, what = self._interpreter(root, trusted)
        key = (root, python)
        pool = self._pools.get(key)
        if pool is None:
            home = self._private() / f"pool-{len(self._pools)}"
            home.mkdir()
            pool = self._pools[key] = MypyPool(python, root, home, self.workers)
        return pool, extra

    def _untrusted_config(self, root: Path) -> list[str]:
        """`--config-file` with fixloop's own file for an untrusted workspace (mypy then looks
        for no other); VerifierError when the workspace's config names plugins."""
        try:
            config = untrusted_config(root)
        except PluginsNamed as exc:
            raise VerifierError(
                f"{exc.path} names mypy plugins, which run the workspace's own code; "
                "mypy runs here only once you trust the workspace"
            ) from None
        if config.dropped:
            notice = (
                f"mypy: {config.source}: not used while the workspace is not trusted: "
                f"{', '.join(config.dropped)} (only options that change what mypy reports are)"
            )
            if notice not in self._noticed:
                self._noticed.add(notice)
                self._notices[notice] = None
        path = config.write(self._private())
        self._configs[path] = config.source
        return ["--config-file", str(path)]

    async def check(self, request: CheckRequest) -> tuple[Finding, ...]:
        config = [] if request.trusted else self._untrusted_config(request.root)
        pool, extra = await self._pool(request.root, request.trusted)
        extra = [*config, *extra]
        number = next(self._shadow_ids)
        shadow = self._private() / "shadows" / f"{number}-{request.path.name}"
        shadow.write_bytes(shadow_text(request.text, number).encode("utf-8"))
        os.utime(shadow, (number, number))
        real = request.path
        target = real if real.exists() else shadow  # a new, unsaved file: check the shadow itself

        def args(cache_dir: str) -> list[str]:
            return [
                "-O",
                "json",
                "--show-absolute-path",
                "--cache-dir",
                cache_dir,
                *extra,
                "--shadow-file",
                str(real),
                str(shadow),
                str(target),
            ]

        try:
            answer = await pool.run(args, self.timeout)
        finally:
            shadow.unlink(missing_ok=True)
        self._describe(pool, request.root, request.trusted)
        for complaint in config_complaints(answer.stderr, request.root, self._configs):
            if complaint not in self._noticed:
                self._noticed.add(complaint)
                self._notices[complaint] = None
        if pool.version and _version(pool.version) < MIN_VERSION:
            needed = ".".join(map(str, MIN_VERSION))
            raise VerifierError(
                f"mypy {pool.version} is too old for fixloop (it needs {needed}+ for JSON output): "
                "upgrade the workspace's mypy"
            )
        return verdict(answer, target, request.root, request.text)

    def take_notices(self) -> tuple[str, ...]:
        """What the user should hear although mypy ran (its config's complaints), once each."""
        notices, self._notices = tuple(self._notices), {}
        return notices

    def _describe(self, pool: MypyPool, root: Path, trusted: bool) -> None:
        _, _, what = self._interpreter(root, trusted)
        self._log.using("mypy", root, f"{what}, version {pool.version}")

    async def aclose(self) -> None:
        with anyio.CancelScope(shield=True):
            for pool in self._pools.values():
                await pool.aclose()
            self._pools.clear()
            if self._home is not None:
                shutil.rmtree(self._home, ignore_errors=True)
                self._home = None
