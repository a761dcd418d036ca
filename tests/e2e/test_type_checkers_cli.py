"""End to end: `fixloop check` with the type checkers configured, as a user runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

TEXT = (
    "import re\n\n\ndef label(count: int) -> str:\n    return count * 2\n\n\n"
    'def word(text: str) -> str:\n    return re.match(r"\\w+", text).group(0)\n'
)


def test_check_reports_what_mypy_and_pyright_report(tmp_path):
    config = '[verifiers]\npython = ["python", "ruff", "mypy", "pyright"]\n'
    (tmp_path / ".fixloop.toml").write_text(config)
    (tmp_path / "app.py").write_text(TEXT)
    run = subprocess.run(
        [sys.executable, "-m", "fixloop", "check", "--json", "app.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
        stdin=subprocess.DEVNULL,
    )
    assert run.returncode == 1, run.stderr
    found = [(d["source"], d["code"], d["line"]) for d in json.loads(run.stdout)[0]["diagnostics"]]
    assert found == [
        ("mypy", "return-value", 5),
        ("mypy", "union-attr", 9),
        ("pyright", "reportReturnType", 5),
        ("pyright", "reportOptionalMemberAccess", 9),
    ]
    # Nothing is left behind: mypy's workers and pyright's server ran in the workspace and
    # went with the command.
    assert processes_in(tmp_path) == []


def processes_in(folder: Path) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if os.readlink(entry / "cwd") == str(folder):
                    found.append(int(entry.name))
            except OSError:
                pass
    return found
