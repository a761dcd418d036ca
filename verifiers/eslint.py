"""eslint as a verifier: the buffer on stdin, JSON out, source `eslint`.

    eslint --stdin --stdin-filename <real path> -f json --no-warn-ignored

An eslint config (`eslint.config.js` and friends) is JavaScript: running
eslint runs the workspace's code, so eslint runs only in a trusted workspace
(untrusted, it is not run: a notice says once how to trust the folder, and the
rest of the gate, tsc for TypeScript, still applies, as for command verifiers). A
workspace without an eslint config has not asked for eslint: no findings, and
a notice says so once. The workspace's own eslint (node_modules/.bin) wins.
The code is the rule (`no-unused-vars`); parse errors have the code `syntax`.
eslint's own `fix` (not its suggestions) comes along as the finding's tool fix.
"""

from __future__ import annotations

import json
from pathlib import Path

from fixloop.processes.run import run_tool
from fixloop.text.columns import lines_of, point, utf16_offset_point
from fixloop.verifiers.base import (
    CheckRequest,
    Finding,
    Severity,
    Span,
    ToolEdit,
    VerifierError,
)
from fixloop.verifiers.locate import ToolLog, find_node_tool, project_file, untrusted

INSTALL_HINT = "add eslint to the project (npm install --save-dev eslint), or put eslint on PATH"
CONFIG_NAMES = tuple(f"eslint.config.{ext}" for ext in ("js", "mjs", "cjs", "ts", "mts", "cts"))
SEVERITY = {2: Severity.ERROR, 1: Severity.WARNING}
DETAIL_LIMIT = 300


def parse_eslint_json(output: bytes | str, text: str) -> tuple[Finding, ...]:
    """Findings from `eslint -f json` on one file (given on stdin).

    The output is a list with one result (eslint 10.15):
    [{"filePath": "/abs/src/app.js", "messages": [{"ruleId": "prefer-const", "severity": 1,
       "message": "'k' is never reassigned. Use 'const' instead.", "line": 4, "column": 7,
       "endLine": 4, "endColumn": 8, "fix": {"range": [40, 50], "text": "const k = 2;"}},
      {"ruleId": null, "fatal": true, "severity": 2, "message": "Parsing error: ...",
       "line": 1, "column": 9}], ...}]
    Lines are 1-based, columns 1-based in UTF-16 units with the end exclusive; a fix's
    range is UTF-16 offsets into the whole text. A file the config does not cover
    gives one warning without a rule ("File ignored because ..."): no findings.
    """
    try:
        results = json.loads(output)
    except json.JSONDecodeError as exc:
        raise VerifierError(f"eslint printed output that is not JSON: {exc}") from None
    if not isinstance(results, list):
        raise VerifierError("eslint printed JSON that is not a list of results")
    lines = lines_of(text)
    findings = []
    for result in results:
        for item in result.get("messages") or ():
            rule = item.get("ruleId")
            message = str(item.get("message", ""))
            if rule is None and not item.get("fatal") and message.startswith("File ignored"):
                continue
            line = int(item.get("line") or 1) - 1
            start = point(lines, line, int(item.get("column") or 1) - 1, "utf16")
            if item.get("endLine") is not None:
                end = point(
                    lines,
                    int(item["endLine"]) - 1,
                    int(item.get("endColumn") or 1) - 1,
                    "utf16",
                )
            else:
                end = (start[0], min(start[1] + 1, len(lines[start[0]])))
            end = max(end, start)
            findings.append(
                Finding(
                    source="eslint",
                    code=str(rule) if rule is not None else "syntax",
                    message=message,
                    span=Span(start[0], start[1], end[0], end[1]),
                    severity=SEVERITY.get(int(item.get("severity") or 2), Severity.ERROR),
                    tool_fix=_fix(item.get("fix"), text),
                )
            )
    return tuple(findings)


def _fix(fix: object, text: str) -> tuple[ToolEdit, ...]:
    if not isinstance(fix, dict):
        return ()
    try:
        start, end = (int(n) for n in fix["range"])
        new_text = str(fix["text"])
    except (KeyError, TypeError, ValueError):
        return ()
    first, last = utf16_offset_point(text, start), utf16_offset_point(text, end)
    return (ToolEdit(Span(first[0], first[1], last[0], last[1]), new_text),)


def eslint_failure(returncode: int, stderr: bytes, stdout: bytes) -> str:
    """What eslint said when it could not lint (exit 2: a config it cannot load, ...).

    eslint 10 prints a banner first:
        Oops! Something went wrong! :(

        ESLint: 10.15.0

        ESLint couldn't find an eslint.config.* file.
    """
    lines = []
    for line in (stderr or stdout).decode("utf-8", "replace").splitlines():
        line = line.strip()
        if not line or line.startswith(("Oops! Something went wrong", "ESLint: ")):
            continue
        lines.append(line)
    detail = lines[0] if lines else "no message"
    if len(detail) > DETAIL_LIMIT:
        detail = detail[: DETAIL_LIMIT - 1] + "…"
    return f"eslint failed (exit {returncode}): {detail}"


class Eslint:
    """eslint on the text with the workspace's config; trusted workspaces only."""

    name = "eslint"

    def __init__(self, *, timeout: float = 30.0, binary: str | None = None) -> None:
        self.timeout = timeout
        self.binary = binary
        self._log = ToolLog()
        self._notices: list[str] = []
        self._unconfigured: set[Path] = set()
        self._refused = False

    def executable(self, request: CheckRequest) -> Path:
        if self.binary is not None:
            return Path(self.binary)
        binary, what = find_node_tool(
            "eslint", request.path, request.root, request.trusted, INSTALL_HINT
        )
        self._log.using("eslint", request.root, what)
        return binary

    async def check(self, request: CheckRequest) -> tuple[Finding, ...]:
        if not request.trusted:
            if not self._refused:
                self._refused = True
                why = untrusted("eslint", "loads the workspace's eslint config, which is code")
                self._notices.append(f"{why} (the other verifiers still apply)")
            return ()
        if project_file(request, CONFIG_NAMES)[1] is None:  # eslint looks above the root too
            if request.root not in self._unconfigured:
                self._unconfigured.add(request.root)
                self._notices.append(
                    f"eslint: no eslint.config.* in {request.root}, so eslint checks nothing there"
                )
            return ()
        argv = [
            str(self.executable(request)),
            "--stdin",
            "--stdin-filename",
            str(request.path),
            "--format",
            "json",
            "--no-warn-ignored",
        ]
        run = await run_tool(
            argv, stdin=request.text.encode("utf-8"), cwd=request.root, timeout=self.timeout
        )
        if run.returncode not in (0, 1):
            raise VerifierError(eslint_failure(run.returncode, run.stderr, run.stdout))
        return parse_eslint_json(run.stdout, request.text)

    def take_notices(self) -> tuple[str, ...]:
        notices, self._notices = tuple(self._notices), []
        return notices
