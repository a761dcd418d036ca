"""A workspace's own verifier: a command from `[verifiers.command.<name>]` (trusted only).

The candidate is written to a shadow file of the same name in a private
folder (`{file}` in argv), and also sent on stdin when `stdin = true`; the
command runs in the workspace root through the one subprocess helper. What it
prints is read as `regex`, `jsonl` or `sarif` (fixloop.verifiers.command_formats).
A command that cannot be started, times out, or fails without printing a
diagnostic gives no verdict (never a pass). In a workspace that is not trusted
it is not run at all: the user is told once how to trust the folder.
"""

from __future__ import annotations

import fnmatch
import shutil
from pathlib import Path, PurePath
from typing import TYPE_CHECKING

from fixloop.processes.private import private_dir
from fixloop.processes.run import run_tool
from fixloop.text.lines import split_lines
from fixloop.verifiers.base import CheckRequest, Finding, VerifierError
from fixloop.verifiers.command_formats import parse_jsonl, parse_regex, parse_sarif, to_finding

if TYPE_CHECKING:  # the settings value; config imports verifiers, not the other way round
    from fixloop.config import CommandSettings

UNTRUSTED = (
    "the workspace's command verifier `{name}` is not run because the folder is not trusted "
    "(the other verifiers still apply); to run it, trust the folder: VS Code's Workspace "
    "Trust, `initializationOptions.trusted = true` in other editors, or `--trust` for "
    "`fixloop check` and `fixloop fix`"
)
TAIL = 400


def matches(globs: tuple[str, ...], path: Path, root: Path) -> bool:
    """Whether `path` is one of the files the globs name (relative to root, or by name)."""
    try:
        relative = path.relative_to(root).as_posix()
    except ValueError:
        relative = path.as_posix()
    for glob in globs:
        if "/" in glob:
            if fnmatch.fnmatchcase(relative, glob) or PurePath(relative).match(glob):
                return True
        elif fnmatch.fnmatchcase(path.name, glob):
            return True
    return False


def command_argv(argv: tuple[str, ...], *, file: Path, real_file: Path, root: Path) -> list[str]:
    """argv with its placeholders filled in (a plain replacement: other braces stay)."""
    values = {"{file}": str(file), "{real_file}": str(real_file), "{root}": str(root)}
    out = []
    for arg in argv:
        for placeholder, value in values.items():
            arg = arg.replace(placeholder, value)
        out.append(arg)
    return out


def _same_file(reported: str | None, shadow: Path, real: Path) -> bool:
    if not reported:
        return True
    name = reported.removeprefix("file://")
    return PurePath(name).name in (shadow.name, real.name)


class CommandVerifier:
    """One `[verifiers.command.<name>]` table, run on candidates."""

    def __init__(self, name: str, settings: CommandSettings) -> None:
        self.name = name
        self.settings = settings
        self._notices: list[str] = []
        self._refused = False

    def take_notices(self) -> tuple[str, ...]:
        notices, self._notices = tuple(self._notices), []
        return notices

    async def check(self, request: CheckRequest) -> tuple[Finding, ...]:
        if not request.trusted:
            if not self._refused:
                self._refused = True
                self._notices.append(UNTRUSTED.format(name=self.name))
            return ()
        settings = self.settings
        folder = private_dir("command")
        try:
            shadow = folder / request.path.name
            shadow.write_text(request.text, encoding="utf-8", newline="")
            argv = command_argv(
                settings.argv, file=shadow, real_file=request.path, root=request.root
            )
            run = await run_tool(
                argv,
                stdin=request.text.encode("utf-8") if settings.stdin else b"",
                cwd=request.root,
                timeout=settings.timeout,
            )
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        output = {
            "stdout": run.stdout,
            "stderr": run.stderr,
            "both": run.stdout + b"\n" + run.stderr,
        }[settings.output].decode("utf-8", "replace")
        unit = "characters" if settings.columns == "auto" else settings.columns
        if settings.format == "regex":
            raws = parse_regex(output, settings.pattern)
        elif settings.format == "jsonl":
            raws = parse_jsonl(output, settings.fields)
        else:
            if not output.strip() and run.returncode == 0:
                return ()
            raws, sarif_unit = parse_sarif(output)
            unit = sarif_unit if settings.columns == "auto" else unit
        raws = tuple(raw for raw in raws if _same_file(raw.file, shadow, request.path))
        if not raws and run.returncode != 0:
            tail = (run.stderr or run.stdout).decode("utf-8", "replace").strip()[-TAIL:]
            raise VerifierError(
                f"{self.name} exited with {run.returncode} and reported nothing fixloop could "
                f"read" + (f": {tail}" if tail else "")
            )
        lines = split_lines(request.text) or [""]
        base = 1 if settings.format == "sarif" else settings.base
        return tuple(
            to_finding(raw, self.name, lines, unit=unit, base=base) for raw in raws
        )
