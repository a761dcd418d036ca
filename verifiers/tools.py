"""Which executable runs a tool: the workspace's own first, then fixloop's.

A project that pins ruff, mypy or pyright in its virtual environment gets
the same verdicts from fixloop as from its CI, so `.venv/bin/<tool>` (or
`venv/bin/<tool>`) under the workspace root wins over the copy fixloop ships.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

log = logging.getLogger("fixloop.verifiers")

VENV_DIRS = (".venv", "venv")
_BIN = "Scripts" if os.name == "nt" else "bin"
_EXE = ".exe" if os.name == "nt" else ""


def project_venv(root: Path) -> Path | None:
    """The workspace's virtual environment (`.venv` or `venv` with a Python in it)."""
    for name in VENV_DIRS:
        venv = root / name
        if (venv / _BIN / f"python{_EXE}").exists():
            return venv
    return None


def venv_python(venv: Path) -> Path:
    return venv / _BIN / f"python{_EXE}"


def project_tool(root: Path, name: str) -> Path | None:
    """`<root>/.venv/bin/<name>` (or venv/), if it is there and executable."""
    venv = project_venv(root)
    if venv is None:
        return None
    tool = venv / _BIN / f"{name}{_EXE}"
    return tool if tool.is_file() and os.access(tool, os.X_OK) else None


def site_packages(venv: Path) -> list[Path]:
    """The environment's site-packages folders."""
    if os.name == "nt":
        return [venv / "Lib" / "site-packages"]
    return sorted((venv / "lib").glob("python3*/site-packages"))


def own_python() -> Path:
    """The interpreter fixloop runs on (its dependencies, mypy included, live there)."""
    return Path(sys.executable)


class ToolLog:
    """Says once per (tool, workspace) which executable is used."""

    def __init__(self) -> None:
        self._said: set[tuple[str, Path, str]] = set()

    def using(self, tool: str, root: Path, what: str) -> None:
        key = (tool, root, what)
        if key not in self._said:
            self._said.add(key)
            log.info("%s for %s: %s", tool, root, what)
