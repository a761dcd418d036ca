"""cargo as a verifier: `cargo check` on the candidate in a warm mirror of the crate,
source `cargo`.

    cargo check --offline --message-format=json --quiet --manifest-path <mirror>/Cargo.toml

The text is written where the real file sits in the workspace's mirror
(`fixloop.shadow.mirror.Mirror`; Cargo.lock is a copy there, so cargo never writes the real
one), with a target folder of its own per workspace (`CARGO_TARGET_DIR`, in
fixloop's cache folder, kept between sessions): a candidate costs an
incremental check of the crate it belongs to. Build scripts and proc macros
are the workspace's code, so cargo runs only in a trusted workspace. Files
under tests/, benches/ or examples/ are checked with `--all-targets`.

Only messages whose primary span lies in the file count (other files' and
those without a primary span are dropped). A file that no target compiles (no
`mod` declares it) would pass anything: rustc's dep-info files tell, and that
is an error, not a pass. The code is rustc's (`E0308`) or
the lint's name (`unused_variables`).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import anyio

from fixloop.processes.run import run_tool
from fixloop.shadow.mirror import MirrorError, Mirrors
from fixloop.text.columns import lines_of, point
from fixloop.verifiers.base import CheckRequest, Finding, Severity, Span, VerifierError
from fixloop.verifiers.locate import (
    ToolLog,
    cache_dir,
    find_program,
    project_file,
    tool_env,
    untrusted,
)

INSTALL_HINT = "install Rust (rustup, or Debian's cargo package)"
ALL_TARGETS = ("tests", "benches", "examples")
LEVELS = {"error": Severity.ERROR, "warning": Severity.WARNING}
DETAIL_LIMIT = 300


def cargo_messages(output: str) -> list[dict]:
    """The `compiler-message` objects of cargo's JSON lines (other reasons and stray
    lines are skipped)."""
    messages = []
    for line in output.splitlines():
        if not line.startswith("{"):
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError:
            continue
        if item.get("reason") == "compiler-message" and isinstance(item.get("message"), dict):
            messages.append(item["message"])
    return messages


def parse_cargo_json(output: str, names: set[str], text: str) -> tuple[Finding, ...]:
    """Findings in the file (any of `names`: how rustc may spell its path) from
    `cargo check --message-format=json`.

    One JSON object per line (cargo 1.95); the ones that matter:
    {"reason": "compiler-message", "message": {"level": "error", "message": "mismatched types",
     "code": {"code": "E0308", ...}, "spans": [{"file_name": "src/lib.rs", "line_start": 4,
     "column_start": 32, "line_end": 4, "column_end": 35, "is_primary": true,
     "label": "expected `i32`, found `&str`", ...}, ...], "children": [...], "rendered": ...}}
    Lines and columns are 1-based, columns in code points, the end exclusive. The same
    message may come twice (a crate checked as lib and as test): kept once.
    """
    lines = lines_of(text)
    findings: dict[tuple, Finding] = {}
    for message in cargo_messages(output):
        severity = LEVELS.get(str(message.get("level")))
        if severity is None:
            continue
        primary = next(
            (s for s in message.get("spans") or () if s.get("is_primary")),
            None,
        )
        if primary is None or os.path.normpath(str(primary.get("file_name"))) not in names:
            continue
        start = point(lines, int(primary["line_start"]) - 1, int(primary["column_start"]) - 1)
        end = point(lines, int(primary["line_end"]) - 1, int(primary["column_end"]) - 1)
        end = max(start, end)
        code = (message.get("code") or {}).get("code") or "rustc"
        text_of = str(message.get("message", ""))
        label = primary.get("label")
        if label:
            text_of = f"{text_of}: {label}"
        finding = Finding(
            source="cargo",
            code=str(code),
            message=text_of,
            span=Span(start[0], start[1], end[0], end[1]),
            severity=severity,
        )
        findings.setdefault((finding.code, finding.message, finding.span), finding)
    return tuple(findings.values())


def compiled_files(output: str, manifest: Path) -> set[str] | None:
    """The source files rustc read for the package's targets (as rustc named them), from the
    dep-info file beside each artifact cargo reported; None when it reported none.

    {"reason": "compiler-artifact", "manifest_path": "/ws/Cargo.toml",
     "filenames": ["/target/debug/deps/libdemo-5b4a7f52b7ff73db.rmeta"], ...}
    with /target/debug/deps/demo-5b4a7f52b7ff73db.d saying `<artifact>: src/lib.rs src/util.rs`.
    """
    found: set[str] | None = None
    for line in output.splitlines():
        if '"compiler-artifact"' not in line:
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError:
            continue
        if os.path.normpath(str(item.get("manifest_path"))) != os.path.normpath(manifest):
            continue
        for filename in item.get("filenames") or ():
            artifact = Path(filename)
            info = artifact.with_name(artifact.name.removeprefix("lib")).with_suffix(".d")
            try:
                first = info.read_text(encoding="utf-8").splitlines()[0]
            except (OSError, IndexError):
                continue
            _, _, deps = first.partition(": ")
            files = deps.replace("\\ ", "\0").split()
            found = (found or set()) | {os.path.normpath(f.replace("\0", " ")) for f in files}
    return found


def has_errors(output: str) -> bool:
    return any(m.get("level") == "error" for m in cargo_messages(output))


def path_names(shadow: Path, manifest_dir: Path) -> set[str]:
    """How rustc may name the file: absolute, or relative to the package's folder or any
    folder above it (the cargo workspace's root, wherever it is)."""
    names = {os.path.normpath(shadow)}
    for folder in (manifest_dir, *manifest_dir.parents):
        names.add(os.path.normpath(os.path.relpath(shadow, folder)))
    return names


def cargo_failure(returncode: int, stderr: bytes) -> str:
    lines = [
        line.strip()
        for line in stderr.decode("utf-8", "replace").splitlines()
        if line.strip() and not line.strip().startswith(("Blocking", "Checking", "Compiling"))
    ]
    errors = [line for line in lines if line.startswith("error")]
    detail = (errors or lines or ["no message"])[0]
    if len(detail) > DETAIL_LIMIT:
        detail = detail[: DETAIL_LIMIT - 1] + "…"
    return f"cargo check failed (exit {returncode}): {detail}"


def find_cargo() -> Path:
    return find_program("cargo", INSTALL_HINT, (Path.home() / ".cargo" / "bin" / "cargo",))


class Cargo:
    """cargo check on the text in a mirror of the workspace; trusted workspaces only."""

    name = "cargo"

    def __init__(self, *, timeout: float = 300.0, binary: str | None = None) -> None:
        # The first check of a workspace builds its dependencies: minutes, not seconds.
        self.timeout = timeout
        self.binary = binary
        self._mirrors = Mirrors(skip=frozenset({"target"}))
        self._log = ToolLog()

    async def check(self, request: CheckRequest) -> tuple[Finding, ...]:
        if not request.trusted:
            raise untrusted("cargo", "runs the workspace's build scripts and proc macros")
        binary = Path(self.binary) if self.binary else find_cargo()
        request, manifest = project_file(request, ("Cargo.toml",))
        if manifest is None:
            raise VerifierError(
                f"cargo: no Cargo.toml above {request.path.relative_to(request.root)} "
                "in the workspace"
            )
        self._log.using("cargo", request.root, str(binary))
        relative = request.path.relative_to(manifest.parent)
        async with self._mirrors.use(request.root) as mirror:
            try:
                shadow = await anyio.to_thread.run_sync(
                    self._prepare, mirror, manifest, request.path, request.text
                )
            except (MirrorError, OSError) as exc:
                raise VerifierError(f"cargo: cannot mirror the workspace: {exc}") from None
            shadow_manifest = mirror.shadow_of(manifest)
            argv = [
                str(binary),
                "check",
                "--offline",
                "--message-format=json",
                "--quiet",
                "--manifest-path",
                str(shadow_manifest),
            ]
            if relative.parts and relative.parts[0] in ALL_TARGETS:
                argv.append("--all-targets")
            env = tool_env(
                CARGO_TARGET_DIR=str(cache_dir("cargo-target", request.root)),
                CARGO_TERM_COLOR="never",
            )
            run = await run_tool(argv, cwd=shadow_manifest.parent, timeout=self.timeout, env=env)
            names = path_names(shadow, shadow_manifest.parent)
            compiled = compiled_files(run.stdout.decode("utf-8", "replace"), shadow_manifest)
        output = run.stdout.decode("utf-8", "replace")
        if run.returncode != 0 and not has_errors(output):
            raise VerifierError(cargo_failure(run.returncode, run.stderr))
        findings = parse_cargo_json(output, names, request.text)
        if run.returncode == 0 and compiled is not None and not names & compiled:
            # cargo would pass anything in a file no target compiles: that is no verdict
            raise VerifierError(
                f"cargo does not compile {relative}: no target of {manifest.name} includes it "
                "(is a `mod` declaration missing?)"
            )
        return findings

    @staticmethod
    def _prepare(mirror, manifest: Path, path: Path, text: str) -> Path:
        # Cargo.lock sits beside the cargo workspace's root manifest, maybe above the root:
        # copies, never links, wherever it is
        for folder in (manifest.parent, *manifest.parent.parents):
            if (folder / "Cargo.lock").is_file():
                mirror.keep_copy(folder / "Cargo.lock")
        return mirror.place(path, text)

    async def aclose(self) -> None:
        self._mirrors.close()
