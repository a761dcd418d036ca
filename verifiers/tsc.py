"""tsc as a verifier: the candidate in a warm mirror of the workspace, source `tsc`.

tsc has no stdin mode. Each check writes the text where the real file sits in
the workspace's mirror (`fixloop.shadow.mirror.Mirror`: everything else symlinks to the real
project, node_modules included) and runs

    tsc --noEmit --pretty false [--listFiles] -p <mirror>/<tsconfig> \\
        --incremental --tsBuildInfoFile <private>/<n>.tsbuildinfo

so a candidate costs an incremental check. Only the file's own errors count;
`--listFiles` (on a file's first check, and again when its tsconfig changes)
tells whether the file is part of the project at all (if not, tsc would pass
anything, so that is an error, not a pass). A file with no
tsconfig.json above it (up to the workspace root) is checked alone with tsc's
defaults. tsc runs none of the workspace's code, so it runs in untrusted
workspaces too, though only fixloop's own tsc (or one on PATH) does there.
The code is tsc's (`TS2322`).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import anyio

from fixloop.processes.run import run_tool
from fixloop.shadow.mirror import Mirror, MirrorError, Mirrors
from fixloop.text.columns import lines_of, point, word_span
from fixloop.verifiers.base import CheckRequest, Finding, Severity, Span, VerifierError
from fixloop.verifiers.locate import ToolLog, find_node_tool, project_file

INSTALL_HINT = (
    "add typescript to the project (npm install --save-dev typescript), or put tsc on PATH"
)
CONFIG_NAMES = ("tsconfig.json",)
_LINE = re.compile(
    r"^(?P<file>.+?)\((?P<line>\d+),(?P<col>\d+)\): (?P<category>error|warning|message) "
    r"(?P<code>TS\d+): (?P<message>.*)$"
)
_GLOBAL = re.compile(r"^(?P<category>error|warning) (?P<code>TS\d+): (?P<message>.*)$")
_ANY = re.compile(r"\): (?:error|warning) TS\d+: ")
SEVERITY = {"error": Severity.ERROR, "warning": Severity.WARNING, "message": Severity.INFORMATION}
DETAIL_LIMIT = 300


def parse_tsc(
    output: str, path: Path, text: str, cwd: Path
) -> tuple[tuple[Finding, ...], tuple[str, ...], tuple[Path, ...]]:
    """(findings in `path`, errors outside any source file, files listed) from
    `tsc --pretty false [--listFiles]` run in `cwd`.

    Each diagnostic is one line, its message chain indented below it (tsc 7.0):
        src/app.ts(5,3): error TS2322: Type 'number' is not assignable to type 'string'.
        src/chain.ts(2,7): error TS2322: Type '(a: ...) => number' is not assignable to type 'F'.
          Types of parameters 'a' and 'a' are incompatible.
        error TS5042: Option 'project' cannot be mixed with source files on a command line.
    Lines are 1-based, columns 1-based UTF-16 units; only the start is given, so the
    span covers the word there. Errors in a tsconfig (`tsconfig.json(3,5): error TS5023`)
    come back among the global errors. `--listFiles` adds one absolute path per line.
    """
    lines = lines_of(text)
    target = os.path.normpath(path)
    found: list[tuple[str, list[str], Span, Severity]] = []
    general: list[str] = []
    listed: list[Path] = []
    chain: list[str] | None = None  # the message lines of the diagnostic being read
    for raw in output.splitlines():
        if raw.startswith("  ") and chain is not None:
            chain.append(raw.strip())
            continue
        chain = None
        match = _LINE.match(raw)
        if match:
            file = Path(match["file"])
            file = file if file.is_absolute() else cwd / file
            if os.path.normpath(file) != target:
                if file.suffix == ".json":
                    general.append(raw.strip())
                continue
            line, col = point(lines, int(match["line"]) - 1, int(match["col"]) - 1, "utf16")
            chain = [match["message"]]
            found.append(
                (
                    match["code"],
                    chain,
                    Span(*word_span(lines, line, col)),
                    SEVERITY[match["category"]],
                )
            )
            continue
        match = _GLOBAL.match(raw)
        if match:
            general.append(raw.strip())
        elif raw.startswith("/"):
            listed.append(Path(raw.strip()))
    findings = tuple(
        Finding(source="tsc", code=code, message="\n".join(chain), span=span, severity=severity)
        for code, chain, span, severity in found
    )
    return findings, tuple(general), tuple(listed)


def native_tsc(binary: Path) -> Path | None:
    """TypeScript 7's compiler itself, beside the node script `bin/tsc` that only starts it
    (skipping node saves a third of a second per check); None for TypeScript before 7."""
    try:
        script = Path(os.path.realpath(binary))
    except OSError:
        return None
    package = script.parent.parent  # node_modules/typescript
    if script.name != "tsc" or package.name != "typescript":
        return None
    for folder in (package / "node_modules", package.parent):
        for native in sorted(folder.glob("@typescript/typescript-*/lib/tsc")):
            if native.is_file() and os.access(native, os.X_OK):
                return native
    return None


class Tsc:
    """tsc on the text in a mirror of the workspace; one mirror per workspace, kept warm."""

    name = "tsc"

    def __init__(self, *, timeout: float = 60.0, binary: str | None = None) -> None:
        self.timeout = timeout
        self.binary = binary
        self._mirrors = Mirrors()
        # (tsconfig, its size and mtime, file): tsc said the file is part of that project
        self._members: set[tuple[Path, tuple[int, int] | None, Path]] = set()
        self._log = ToolLog()

    def executable(self, request: CheckRequest) -> Path:
        if self.binary is not None:
            return Path(self.binary)
        binary, what = find_node_tool(
            "tsc", request.path, request.root, request.trusted, INSTALL_HINT
        )
        native = native_tsc(binary)
        if native is not None:
            what += f", run as its native compiler {native}"
        self._log.using("tsc", request.root, what)
        return native or binary

    async def check(self, request: CheckRequest) -> tuple[Finding, ...]:
        binary = self.executable(request)
        request, config = project_file(request, CONFIG_NAMES)
        async with self._mirrors.use(request.root) as mirror:
            try:
                shadow = await anyio.to_thread.run_sync(mirror.place, request.path, request.text)
            except (MirrorError, OSError) as exc:
                raise VerifierError(f"tsc: cannot mirror the workspace: {exc}") from None
            argv = [str(binary), "--noEmit", "--pretty", "false"]
            member = None
            if config is not None:
                member = (config, _stamp(config), request.path)
                if member not in self._members:  # ask tsc once whether the file is its
                    argv.append("--listFiles")
                argv += ["-p", str(mirror.shadow_of(config))]
                argv += ["--incremental", "--tsBuildInfoFile", str(self._buildinfo(mirror, config))]
            else:
                argv.append(str(shadow))
            run = await run_tool(argv, cwd=mirror.path, timeout=self.timeout)
        output = run.stdout.decode("utf-8", "replace")
        if run.returncode not in (0, 1, 2):
            raise VerifierError(_failure(run.returncode, output, run.stderr))
        findings, general, listed = parse_tsc(output, shadow, request.text, mirror.path)
        if general:
            raise VerifierError(f"tsc stopped at an error of the project: {_cut(general[0])}")
        if member is not None and member not in self._members:
            if any(_same(p, shadow) for p in listed):
                self._members.add(member)
        if member is not None and member not in self._members:
            rel = request.path.relative_to(request.root)
            raise VerifierError(
                f"tsc does not check {rel}: it is not part of the project in "
                f"{config.relative_to(request.root)} (its files/include)"
            )
        if run.returncode != 0 and not _ANY.search(output):  # failed, and said nothing of why
            raise VerifierError(_failure(run.returncode, output, run.stderr))
        return findings

    def _buildinfo(self, mirror: Mirror, config: Path) -> Path:
        name = str(config.relative_to(mirror.root)).replace(os.sep, "__")
        return mirror.home / f"{name}.tsbuildinfo"

    async def aclose(self) -> None:
        self._mirrors.close()


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return (info.st_size, info.st_mtime_ns)


def _same(a: Path, b: Path) -> bool:
    return os.path.normpath(a) == os.path.normpath(b)


def _cut(text: str) -> str:
    return text if len(text) <= DETAIL_LIMIT else text[: DETAIL_LIMIT - 1] + "…"


def _failure(returncode: int, stdout: str, stderr: bytes) -> str:
    detail = (stderr.decode("utf-8", "replace").strip() or stdout.strip()).splitlines()
    last = detail[-1] if detail else "no message"
    return f"tsc failed (exit {returncode}): {_cut(last)}"
