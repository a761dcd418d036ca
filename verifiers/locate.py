"""Which executable runs a tool, and what else a verifier looks for on disk.

Python tools (ruff, mypy, pyright): a project that pins one in its virtual
environment gets the same verdicts from fixloop as from its CI, so
`.venv/bin/<tool>` (or `venv/bin/<tool>`) under the workspace root wins over the
copy fixloop ships.

Node tools (tsc, eslint): the workspace's `node_modules/.bin/<tool>` (nearest
to the file) wins in a trusted workspace, then fixloop's own copy
(`$FIXLOOP_NODE_TOOLS/node_modules/.bin`, by default the user's data folder
`fixloop/node`, where `.ci/install-toolchains` puts it), then PATH.

Verifiers also find here the project file above a source file (tsconfig.json,
Cargo.toml, go.mod) and fixloop's own folders for tools and caches.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import sys
from dataclasses import replace
from pathlib import Path

import platformdirs

from fixloop.verifiers.base import CheckRequest, VerifierError

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


NODE_TOOLS_ENV = "FIXLOOP_NODE_TOOLS"
CACHE_ENV = "FIXLOOP_CACHE_DIR"
TRUST_HINT = (
    "trust the folder in your editor (initializationOptions.trusted), or pass --trust to "
    "`fixloop check` / `fixloop fix`"
)


def untrusted(tool: str, why: str) -> VerifierError:
    """The error for a tool that would run the workspace's own code."""
    return VerifierError(f"{tool} {why}, so it runs only in a trusted workspace: {TRUST_HINT}")


def nearest(path: Path, root: Path, names: tuple[str, ...]) -> Path | None:
    """The first of `names` in the file's folder or above it, up to `root` (inclusive)."""
    folder = path.parent
    while True:
        for name in names:
            candidate = folder / name
            if candidate.is_file():
                return candidate
        if folder == root or folder == folder.parent or root not in folder.parents:
            return None
        folder = folder.parent


def project_file(request: CheckRequest, names: tuple[str, ...]) -> tuple[CheckRequest, Path | None]:
    """The nearest of `names` (tsconfig.json, Cargo.toml, go.mod) for the file, and the request
    with the root the tool's project needs: the workspace root, or the project file's folder
    when that lies above it (a workspace opened on a sub-folder of a crate or module)."""
    found = nearest(request.path, request.root, names)
    if found is not None:
        return request, found
    for folder in request.root.parents:
        for name in names:
            if (folder / name).is_file():
                return replace(request, root=folder), folder / name
    return request, None


def node_tools_dir() -> Path:
    """fixloop's own folder of npm-installed tools."""
    configured = os.environ.get(NODE_TOOLS_ENV)
    if configured:
        return Path(configured)
    return Path(platformdirs.user_data_dir("fixloop", appauthor=False)) / "node"


def find_node_tool(
    tool: str, path: Path, root: Path, trusted: bool, install_hint: str
) -> tuple[Path, str]:
    """(executable, what it is) for `tool`; VerifierError with `install_hint` if none."""
    if trusted:
        folder = path.parent
        while root == folder or root in folder.parents:
            local = folder / "node_modules" / ".bin" / tool
            if local.is_file() and os.access(local, os.X_OK):
                return local, f"the workspace's {tool} ({local})"
            folder = folder.parent
    own = node_tools_dir() / "node_modules" / ".bin" / tool
    if own.is_file() and os.access(own, os.X_OK):
        return own, f"fixloop's own {tool} ({own})"
    found = shutil.which(tool)
    if found is not None:
        return Path(found), f"{tool} on PATH ({found})"
    raise VerifierError(f"{tool} is not installed: {install_hint}")


def find_program(tool: str, install_hint: str, extra: tuple[Path, ...] = ()) -> Path:
    """`tool` on PATH (or in one of `extra`); VerifierError with `install_hint` if none."""
    found = shutil.which(tool)
    if found is not None:
        return Path(found)
    for candidate in extra:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    raise VerifierError(f"{tool} is not installed: {install_hint}")


def cache_dir(kind: str, root: Path) -> Path:
    """A lasting cache folder for one tool and workspace (cargo's target folder):
    `$FIXLOOP_CACHE_DIR` or the user's cache folder, then `<kind>/<workspace>-<hash>`."""
    base = os.environ.get(CACHE_ENV) or platformdirs.user_cache_dir("fixloop", appauthor=False)
    digest = hashlib.blake2b(str(root).encode("utf-8", "surrogatepass"), digest_size=8)
    folder = Path(base) / kind / f"{root.name or 'root'}-{digest.hexdigest()}"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def tool_env(**values: str) -> dict[str, str]:
    """The server's environment with `values` set (for tools that read settings from it)."""
    env = dict(os.environ)
    env.update(values)
    return env
