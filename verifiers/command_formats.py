"""Pure parsers for what a workspace's command verifier prints: regex, JSON lines, SARIF.

Each returns raw diagnostics (`Raw`, numbers as the tool gave them); `to_finding`
turns one into a Finding in code points, given the text that was checked.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from fixloop.text.columns import to_code_points
from fixloop.verifiers.base import Finding, Severity, Span, VerifierError

SEVERITIES = {
    "error": Severity.ERROR,
    "fatal": Severity.ERROR,
    "fatal error": Severity.ERROR,
    "e": Severity.ERROR,
    "warning": Severity.WARNING,
    "warn": Severity.WARNING,
    "w": Severity.WARNING,
    "note": Severity.INFORMATION,
    "info": Severity.INFORMATION,
    "information": Severity.INFORMATION,
    "i": Severity.INFORMATION,
    "hint": Severity.HINT,
    "style": Severity.HINT,
    "none": Severity.HINT,
}


@dataclass(frozen=True, slots=True)
class Raw:
    """One diagnostic as the tool printed it: numbers in its own base and column unit."""

    line: int
    message: str
    col: int | None = None
    end_line: int | None = None
    end_col: int | None = None
    code: str = ""
    severity: str = ""
    file: str | None = None


def _int(value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def parse_regex(output: str, pattern: str | re.Pattern[str]) -> tuple[Raw, ...]:
    """Every match of `pattern` (named groups line, message; col, code, severity,
    end_line, end_col, file optional), e.g. for `file.sh:3:5: warning: ... [SC2086]`."""
    regex = re.compile(pattern, re.MULTILINE) if isinstance(pattern, str) else pattern
    found: list[Raw] = []
    for match in regex.finditer(output):
        groups = {k: v for k, v in match.groupdict().items() if v is not None}
        line = _int(groups.get("line"))
        if line is None:
            continue
        found.append(
            Raw(
                line=line,
                message=groups.get("message", "").strip(),
                col=_int(groups.get("col")),
                end_line=_int(groups.get("end_line")),
                end_col=_int(groups.get("end_col")),
                code=groups.get("code", "").strip(),
                severity=groups.get("severity", "").strip(),
                file=groups.get("file"),
            )
        )
    return tuple(found)


def _dig(item: Any, path: str) -> Any:
    for part in path.split("."):
        if isinstance(item, Mapping):
            item = item.get(part)
        elif isinstance(item, list) and part.isdigit() and int(part) < len(item):
            item = item[int(part)]
        else:
            return None
    return item


DEFAULT_FIELDS = {
    "line": "line",
    "col": "column",
    "end_line": "end_line",
    "end_col": "end_column",
    "message": "message",
    "code": "code",
    "severity": "severity",
    "file": "file",
}


def parse_jsonl(
    output: str, fields: Mapping[str, str] | Iterable[tuple[str, str]] = ()
) -> tuple[Raw, ...]:
    """One JSON object per line; `fields` maps line, col, message, ... to (dotted) keys.

    Lines that are not JSON objects (a banner, a summary) are skipped; an object
    without a line number or message is not a diagnostic.
    """
    mapping = {**DEFAULT_FIELDS, **dict(fields)}
    found: list[Raw] = []
    for text in output.splitlines():
        text = text.strip()
        if not text.startswith("{"):
            continue
        try:
            item = json.loads(text)
        except json.JSONDecodeError:
            continue
        line = _int(_dig(item, mapping["line"]))
        message = _dig(item, mapping["message"])
        if line is None or not isinstance(message, str):
            continue
        code = _dig(item, mapping["code"])
        severity = _dig(item, mapping["severity"])
        file = _dig(item, mapping["file"])
        found.append(
            Raw(
                line=line,
                message=message.strip(),
                col=_int(_dig(item, mapping["col"])),
                end_line=_int(_dig(item, mapping["end_line"])),
                end_col=_int(_dig(item, mapping["end_col"])),
                code="" if code is None else str(code),
                severity="" if severity is None else str(severity),
                file=file if isinstance(file, str) else None,
            )
        )
    return tuple(found)


def parse_sarif(output: str) -> tuple[tuple[Raw, ...], str]:
    """SARIF 2.1 results and the column unit of their runs (`utf16CodeUnits` unless the
    run says `unicodeCodePoints`); raise VerifierError if it is not SARIF.

    A result looks like: {"ruleId": "SC2086", "level": "warning", "message": {"text": "..."},
      "locations": [{"physicalLocation": {"artifactLocation": {"uri": "file:///x.sh"},
      "region": {"startLine": 3, "startColumn": 5, "endLine": 3, "endColumn": 9}}}]}
    SARIF lines and columns are 1-based, the end column exclusive.
    """
    try:
        log = json.loads(output)
    except json.JSONDecodeError as exc:
        raise VerifierError(f"output is not SARIF JSON: {exc}") from None
    if not isinstance(log, Mapping) or not isinstance(log.get("runs"), list):
        raise VerifierError("output is not SARIF: no `runs` list")
    found: list[Raw] = []
    unit = "utf-16"
    for run in log["runs"]:
        if not isinstance(run, Mapping):
            continue
        if run.get("columnKind") == "unicodeCodePoints":
            unit = "characters"
        for result in run.get("results") or ():
            if not isinstance(result, Mapping):
                continue
            message = _dig(result, "message.text")
            location = _dig(result, "locations.0.physicalLocation")
            line = _int(_dig(location, "region.startLine"))
            if not isinstance(message, str) or line is None:
                continue
            found.append(
                Raw(
                    line=line,
                    message=message.strip(),
                    col=_int(_dig(location, "region.startColumn")),
                    end_line=_int(_dig(location, "region.endLine")),
                    end_col=_int(_dig(location, "region.endColumn")),
                    code=str(result.get("ruleId") or ""),
                    severity=str(result.get("level") or "warning"),
                    file=_dig(location, "artifactLocation.uri"),
                )
            )
    return tuple(found), unit


def to_finding(
    raw: Raw, source: str, lines: list[str], *, unit: str = "characters", base: int = 1
) -> Finding:
    """A Finding in 0-based code points; a missing column is the whole line."""
    count = max(1, len(lines))
    start_line = min(max(raw.line - base, 0), count - 1)
    text = lines[start_line].rstrip("\r\n") if lines else ""
    if raw.col is None:
        start_col, end_line, end_col = 0, start_line, len(text)
    else:
        start_col = to_code_points(text, max(raw.col - base, 0), unit)
        end_line = start_line
        if raw.end_line is not None:
            end_line = min(max(raw.end_line - base, start_line), count - 1)
        end_text = lines[end_line].rstrip("\r\n") if lines else ""
        if raw.end_col is not None:
            end_col = to_code_points(end_text, max(raw.end_col - base, 0), unit)
        else:
            end_col = min(start_col + 1, len(end_text)) if end_line == start_line else 0
        if end_line == start_line and end_col < start_col:
            end_col = start_col
    severity = SEVERITIES.get(raw.severity.strip().lower(), Severity.ERROR)
    return Finding(
        source=source,
        code=raw.code,
        message=raw.message,
        span=Span(start_line, start_col, end_line, end_col),
        severity=severity,
    )
