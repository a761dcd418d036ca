"""ruff as a verifier: the buffer on stdin, JSON out, source `ruff`."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

from fixloop.processes.run import run_tool
from fixloop.verifiers.base import (
    CheckRequest,
    Finding,
    Severity,
    Span,
    ToolEdit,
    VerifierError,
)
from fixloop.verifiers.locate import ToolLog, project_tool

# ruff 0.16 enabled ~400 rules by default; a project without its own ruff
# settings gets ruff's long-standing default set instead, so fixloop does not
# flood a newcomer's buffer (and budget) with style findings.
DEFAULT_SELECT = "E4,E7,E9,F"
RUFF_CONFIG_FILES = ("ruff.toml", ".ruff.toml")
DETAIL_LIMIT = 300
_SNIPPET = re.compile(r"^\d+ \|")  # the quoted source line of a TOML error


@cache
def ruff_binary() -> str:
    """The ruff executable fixloop ships with."""
    try:
        from ruff.__main__ import find_ruff_bin
    except ImportError:
        return "ruff"
    return str(find_ruff_bin())


def has_ruff_config(path: Path, root: Path) -> bool:
    """Whether ruff will find settings of the project's own for `path`."""
    for folder in [path.parent, *path.parent.parents]:
        if any((folder / name).is_file() for name in RUFF_CONFIG_FILES):
            return True
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            try:
                if "[tool.ruff" in pyproject.read_text(encoding="utf-8", errors="replace"):
                    return True
            except OSError:
                pass
        if folder == root:
            break
    return False


def ruff_argv(request: CheckRequest, binary: str) -> list[str]:
    argv = [binary, "check", "--output-format", "json", "--no-fix", "--force-exclude", "--quiet"]
    if not has_ruff_config(request.path, request.root):
        argv += ["--select", DEFAULT_SELECT]
    return argv + ["--stdin-filename", str(request.path), "-"]


def _span(item: dict) -> Span:
    start, end = item["location"], item["end_location"]
    return Span(start["row"] - 1, start["column"] - 1, end["row"] - 1, end["column"] - 1)


def parse_ruff_json(output: bytes | str) -> tuple[Finding, ...]:
    """Findings from `ruff check --output-format json`.

    Each item looks like (ruff 0.17; 1-based rows, code-point columns, end exclusive):
    {"code": "F401", "message": "`os` imported but unused", "location": {"row": 1, "column": 8},
     "end_location": {"row": 1, "column": 10}, "fix": {"applicability": "safe", "message": ...,
     "edits": [{"content": "", "location": {...}, "end_location": {...}}]}, ...}
    Syntax errors have "code": "invalid-syntax" (null before ruff 0.12).
    """
    try:
        items = json.loads(output)
    except json.JSONDecodeError as exc:
        raise VerifierError(f"ruff printed output that is not JSON: {exc}") from None
    if not isinstance(items, list):
        raise VerifierError("ruff printed JSON that is not a list")
    findings = []
    for item in items:
        code = item.get("code") or "invalid-syntax"
        fix = item.get("fix") or {}
        edits = tuple(
            ToolEdit(_span(edit), edit["content"])
            for edit in fix.get("edits", ())
            if fix.get("applicability") == "safe"
        )
        findings.append(
            Finding(
                source="ruff",
                code=code,
                message=item.get("message", ""),
                span=_span(item),
                severity=Severity.ERROR if code == "invalid-syntax" else Severity.WARNING,
                tool_fix=edits,
            )
        )
    return tuple(findings)


class Ruff:
    """ruff check on the text, with the project's configuration."""

    name = "ruff"

    def __init__(self, binary: str | None = None, timeout: float = 20.0) -> None:
        self.binary = binary  # None: the workspace's ruff if it has one, else fixloop's
        self.timeout = timeout
        self._log = ToolLog()

    def binary_for(self, root: Path, trusted: bool = True) -> str:
        if self.binary is not None:
            return self.binary
        local = project_tool(root, "ruff") if trusted else None
        if local is not None:
            self._log.using("ruff", root, f"the workspace's ruff ({local})")
            return str(local)
        self._log.using("ruff", root, f"fixloop's own ruff ({ruff_binary()})")
        return ruff_binary()

    async def check(self, request: CheckRequest) -> tuple[Finding, ...]:
        run = await run_tool(
            ruff_argv(request, self.binary_for(request.root, request.trusted)),
            stdin=request.text.encode("utf-8"),
            cwd=request.root,
            timeout=self.timeout,
        )
        if run.returncode not in (0, 1):
            raise VerifierError(ruff_failure(run.returncode, run.stderr))
        return parse_ruff_json(run.stdout)


def ruff_failure(returncode: int, stderr: bytes) -> str:
    """What went wrong, from ruff's stderr; for a bad config, the file, line and key.

    ruff 0.17 on a `ruff.toml` with an unknown key (exit 2):
        ruff failed
          Cause: Failed to load configuration `/ws/ruff.toml`
          Cause: Failed to parse /ws/ruff.toml
          Cause: TOML parse error at line 3, column 1
          |
        3 | bogus = 1
          | ^^^^^
        unknown field `bogus`, expected one of `allowed-confusables`, ...
    """
    parts = []
    for line in stderr.decode("utf-8", "replace").splitlines():
        line = line.strip()
        if not line or line == "ruff failed" or line.startswith("|") or _SNIPPET.match(line):
            continue
        parts.append(line.removeprefix("Cause:").strip())
    detail = ": ".join(dict.fromkeys(parts)) or "no message"
    if len(detail) > DETAIL_LIMIT:
        detail = detail[: DETAIL_LIMIT - 1] + "…"
    return f"ruff failed (exit {returncode}): {detail}"
