"""A throwaway shadow tree of a workspace: the test gate runs the project's tests in it.

One tree per candidate, removed when its run is done (`mirror` is the warm kind a
verifier keeps). Every directory is recreated and every file is a symlink to the real one,
except the candidate's file, which is written for real. The copies live in a
private directory (mode 0700, named after this process: see
`fixloop.processes.private`) that is removed when the copy is done with, or at
the next start if this process dies first.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from fixloop.processes.private import owner, private_dir

SKIP = {
    ".git",
    ".hg",
    ".svn",
    ".venv",
    "venv",
    "node_modules",
    "__pycache__",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".tox",
    ".nox",
    "build",
    "dist",
}
MAX_FILES = 20_000


class ShadowError(Exception):
    """The workspace cannot be mirrored (too large, unreadable)."""


def _mirror(root: Path, target: Path, base: Path) -> None:
    count = 0
    # The temporary folder may sit inside the workspace (TMPDIR=./tmp, a workspace at ~ or /):
    # the mirror must not walk into itself, nor into another fixloop's private folders.
    own = os.path.realpath(base)
    for folder, dirs, files in os.walk(root):
        dirs[:] = [
            d
            for d in dirs
            if d not in SKIP
            and not d.endswith(".egg-info")
            and owner(d) is None
            and os.path.realpath(os.path.join(folder, d)) != own
        ]
        relative = Path(folder).relative_to(root)
        (target / relative).mkdir(exist_ok=True)
        for name in files:
            count += 1
            if count > MAX_FILES:
                raise ShadowError(f"{root} has more than {MAX_FILES} files to mirror")
            os.symlink(Path(folder) / name, target / relative / name)


def make_shadow_tree(root: Path, path: Path, text: str) -> Path:
    """A mirror of `root` where `path` holds `text`; returns the mirror's root.

    Blocking (it walks the tree): call it from a worker thread. Remove the
    mirror with `remove_shadow_tree`.
    """
    base = private_dir("shadow")
    try:
        mirror = base / (root.name or "root")
        mirror.mkdir()
        _mirror(root, mirror, base)
        destination = mirror / path.relative_to(root)
        destination.parent.mkdir(parents=True, exist_ok=True)
        if destination.is_symlink() or destination.exists():
            destination.unlink()
        destination.write_text(text, encoding="utf-8")
    except BaseException:
        shutil.rmtree(base, ignore_errors=True)
        raise
    return mirror


def remove_shadow_tree(mirror: Path) -> None:
    """Remove a mirror made by `make_shadow_tree` (and its private parent)."""
    shutil.rmtree(mirror.parent, ignore_errors=True)
