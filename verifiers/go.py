"""go as a verifier: `go vet`, and `go build` where it fails to compile, on the candidate
in a warm mirror of the module, source `go`.

    go vet -json ./<package>              (code = the analyzer, `printf`)
    go build -o /dev/null ./<package>     (only when vet met a type error, which it reports
                                           alone: the compiler lists them all; code `compile`)

The text is written where the real file sits in the workspace's mirror
(`fixloop.shadow.mirror.Mirror`; go.mod and go.sum are copies there, so go never writes the
real ones). Nothing is downloaded and no other toolchain is fetched:
GOTOOLCHAIN=local, GOPROXY=off, GOFLAGS=-mod=mod (-mod=vendor with a vendor
folder) -buildvcs=false (no git, which would run the repository's config), GOWORK=off; go's own build cache keeps it warm. A `_test.go` file is
not part of `go build`: its type errors are vet's. A file its build constraints
leave out (`//go:build ignore`) would pass anything: `go list` says so on its
first check (and whenever its header changes), and that is an error.
Building Go runs none of the module's code (no build scripts; cgo's flags are
vetted by go itself), so go runs in untrusted workspaces too.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import anyio

from fixloop.processes.run import run_tool
from fixloop.shadow.mirror import MirrorError, Mirrors
from fixloop.text.columns import lines_of, point, word_span
from fixloop.verifiers.base import CheckRequest, Finding, Severity, Span, VerifierError
from fixloop.verifiers.locate import ToolLog, find_program, project_file, tool_env

INSTALL_HINT = "install Go (Debian: apt-get install golang-go)"
_POSITION = re.compile(
    r"^(?:vet: )?(?P<file>[^\s:][^:]*?):(?P<line>\d+):(?P<col>\d+): (?P<message>.*)$"
)
DETAIL_LIMIT = 300
# What go says when a dependency is not in the module cache (nothing is downloaded):
# no verdict on the file, whatever line the message points at.
OFFLINE = ("module lookup disabled", "missing go.sum entry", "no required module provides")


def _finding(lines: list[str], line: int, col: int, code: str, message: str) -> Finding:
    line, col = point(lines, line - 1, col - 1, "utf8")
    return Finding(
        source="go",
        code=code,
        message=message,
        span=Span(*word_span(lines, line, col)),
        severity=Severity.ERROR if code == "compile" else Severity.WARNING,
    )


def _same(reported: str, cwd: Path, target: Path) -> bool:
    file = Path(reported)
    file = file if file.is_absolute() else cwd / file
    return os.path.normpath(file) == os.path.normpath(target)


def parse_go_errors(
    output: str, target: Path, cwd: Path, text: str
) -> tuple[tuple[Finding, ...], int]:
    """(findings in `target`, positions reported in all files) from `go build` or
    `go vet` text output, run in `cwd`.

    go 1.19 prints the package as a header, then one line per error (at most 10):
        # example.com/demo/pkg
        pkg/a.go:6:29: cannot use "x" (untyped string constant) as int value in ...
    `go vet` prefixes a type error with "vet: ". Lines and columns are 1-based,
    columns in UTF-8 bytes; only the start is given, so the span covers the word there.
    """
    lines = lines_of(text)
    findings = []
    seen = 0
    for raw in output.splitlines():
        match = _POSITION.match(raw.strip())
        if not match:
            continue
        seen += 1
        if _same(match["file"], cwd, target):
            findings.append(
                _finding(lines, int(match["line"]), int(match["col"]), "compile", match["message"])
            )
    return tuple(findings), seen


def parse_go_vet_json(output: str, target: Path, cwd: Path, text: str) -> tuple[Finding, ...]:
    """Findings in `target` from `go vet -json` (on stderr, between package headers):

        # example.com/demo/pkg
        {
            "example.com/demo/pkg": {
                "printf": [{"posn": "/abs/pkg/a.go:7:2",
                            "message": "fmt.Printf format %d has arg s of wrong type string"}]
            }
        }
    Type errors still come as text ("vet: pkg/a.go:6:29: ..."), also parsed here.
    """
    lines = lines_of(text)
    findings: list[Finding] = list(parse_go_errors(output, target, cwd, text)[0])
    decoder = json.JSONDecoder()
    index = 0
    while (start := output.find("{", index)) != -1:
        try:
            report, index = decoder.raw_decode(output, start)
        except json.JSONDecodeError:
            index = start + 1
            continue
        for analyzers in report.values() if isinstance(report, dict) else ():
            for analyzer, items in analyzers.items() if isinstance(analyzers, dict) else ():
                if not isinstance(items, list):
                    continue  # {"error": "..."} for a package vet could not load
                for item in items:
                    match = re.match(r"^(.*):(\d+):(\d+)$", str(item.get("posn", "")))
                    if match and _same(match[1], cwd, target):
                        findings.append(
                            _finding(
                                lines,
                                int(match[2]),
                                int(match[3]),
                                str(analyzer),
                                str(item.get("message", "")),
                            )
                        )
    unique = {(f.code, f.message, f.span): f for f in findings}
    return tuple(unique.values())


def go_failure(what: str, returncode: int, output: str) -> str:
    lines = [
        line.strip()
        for line in output.splitlines()
        if line.strip() and not line.startswith(("#", "go: downloading"))
    ]
    lines = [line for line in lines if any(w in line for w in OFFLINE)] or lines
    detail = lines[0] if lines else "no message"
    if len(detail) > DETAIL_LIMIT:
        detail = detail[: DETAIL_LIMIT - 1] + "…"
    return f"{what} failed (exit {returncode}): {detail}"


IGNORED_TEMPLATE = '{{range .IgnoredGoFiles}}{{.}}{{"\\n"}}{{end}}'


def _header(text: str) -> str:
    """What comes before the package clause: where build constraints live."""
    head, _, _ = text.partition("\npackage ")
    return head if not text.startswith("package ") else ""


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return (info.st_size, info.st_mtime_ns)


def find_go() -> Path:
    return find_program("go", INSTALL_HINT, (Path("/usr/local/go/bin/go"),))


class Go:
    """go build and go vet on the text in a mirror of the module."""

    name = "go"

    def __init__(self, *, timeout: float = 120.0, binary: str | None = None) -> None:
        self.timeout = timeout
        self.binary = binary
        self._mirrors = Mirrors()
        self._log = ToolLog()
        # (go.mod, its stamp, file, the file's header): go list said the file is built
        self._built: set[tuple] = set()

    async def check(self, request: CheckRequest) -> tuple[Finding, ...]:
        binary = Path(self.binary) if self.binary else find_go()
        request, module = project_file(request, ("go.mod",))
        if module is None:
            raise VerifierError(
                f"go: no go.mod above {request.path.relative_to(request.root)} in the workspace"
            )
        self._log.using("go", request.root, str(binary))
        package = "./" + request.path.parent.relative_to(module.parent).as_posix()
        vendored = (module.parent / "vendor" / "modules.txt").is_file()
        env = tool_env(
            GOTOOLCHAIN="local",
            GOPROXY="off",
            # -buildvcs=false: go build would run git in the repository to stamp the binary,
            # and git runs the repository's own config (core.fsmonitor, a command)
            GOFLAGS=("-mod=vendor" if vendored else "-mod=mod") + " -buildvcs=false",
            GOWORK="off",
            GOTELEMETRY="off",
        )
        async with self._mirrors.use(request.root) as mirror:
            try:
                shadow = await anyio.to_thread.run_sync(
                    self._prepare, mirror, module, request.path, request.text
                )
            except (MirrorError, OSError) as exc:
                raise VerifierError(f"go: cannot mirror the workspace: {exc}") from None
            cwd = mirror.shadow_of(module).parent
            header = (module, _stamp(module), request.path, _header(request.text))
            if header not in self._built:
                await self._ensure_built(binary, package, cwd, env, request, module)
                self._built.add(header)
            vet = await run_tool(
                [str(binary), "vet", "-json", package], cwd=cwd, timeout=self.timeout, env=env
            )
            output = (vet.stderr + vet.stdout).decode("utf-8", "replace")
            if any(words in output for words in OFFLINE):
                raise VerifierError(go_failure("go vet", vet.returncode, output))
            _, seen = parse_go_errors(output, shadow, cwd, request.text)
            if seen and not request.path.name.endswith("_test.go"):
                # vet stops at the first type error: the compiler lists them all
                build = await run_tool(
                    [str(binary), "build", "-o", os.devnull, package],
                    cwd=cwd,
                    timeout=self.timeout,
                    env=env,
                )
                built = (build.stderr + build.stdout).decode("utf-8", "replace")
                if any(words in built for words in OFFLINE):
                    raise VerifierError(go_failure("go build", build.returncode, built))
                findings, listed = parse_go_errors(built, shadow, cwd, request.text)
                if build.returncode != 0 and listed:
                    return findings
        findings = parse_go_vet_json(output, shadow, cwd, request.text)
        if vet.returncode != 0 and not findings and not seen:
            raise VerifierError(go_failure("go vet", vet.returncode, output))
        return findings

    async def _ensure_built(
        self, binary: Path, package: str, cwd: Path, env: dict[str, str], request, module: Path
    ) -> None:
        """VerifierError if the file's build constraints leave it out of its package (go would
        pass anything in it: a `//go:build ignore` line is no fix)."""
        listing = await run_tool(
            [str(binary), "list", "-e", "-f", IGNORED_TEMPLATE, package],
            cwd=cwd,
            timeout=self.timeout,
            env=env,
        )
        ignored = listing.stdout.decode("utf-8", "replace").split()
        if request.path.name in ignored:
            rel = request.path.relative_to(request.root)
            raise VerifierError(
                f"go does not build {rel}: its build constraints leave it out of the package"
            )

    @staticmethod
    def _prepare(mirror, module: Path, path: Path, text: str) -> Path:
        for name in ("go.mod", "go.sum"):  # go may rewrite them: copies, never links
            mirror.keep_copy(module.parent / name)
        return mirror.place(path, text)

    async def aclose(self) -> None:
        self._mirrors.close()
