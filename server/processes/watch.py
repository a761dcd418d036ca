"""Noticing files that changed on disk, for a language server that cannot.

A language server learns about changes to files it has not opened from the
client (`workspace/didChangeWatchedFiles`). fixloop is that client, so before
a check it compares a cheap scan of the workspace (names, sizes, mtimes of
Python sources and config files) with the last one, at most every so often.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

import anyio

log = logging.getLogger("fixloop.verifiers")

SUFFIXES = (".py", ".pyi")
NAMES = {"pyrightconfig.json", "pyproject.toml"}
SKIP = {"node_modules", "__pycache__", "site-packages", "build", "dist", "venv"}
LIMIT = 20_000  # files; past this the workspace is not watched (a message says so)

CREATED, CHANGED, DELETED = 1, 2, 3  # LSP FileChangeType

Stamp = tuple[int, int]


def scan(root: Path, limit: int = LIMIT) -> dict[str, Stamp] | None:
    """Size and mtime of the watched files under `root`; None past `limit` files."""
    found: dict[str, Stamp] = {}
    stack = [str(root)]
    while stack:
        folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            name = entry.name
            try:
                if entry.is_dir(follow_symlinks=False):
                    if not name.startswith(".") and name not in SKIP:
                        stack.append(entry.path)
                elif name.endswith(SUFFIXES) or name in NAMES:
                    stat = entry.stat()
                    found[entry.path] = (stat.st_size, stat.st_mtime_ns)
                    if len(found) > limit:
                        return None
            except OSError:
                continue
    return found


def compare(old: dict[str, Stamp], new: dict[str, Stamp]) -> list[tuple[str, int]]:
    """(path, LSP change type) for every file created, changed or deleted."""
    changes = [
        (path, CREATED if path not in old else CHANGED)
        for path, stamp in new.items()
        if old.get(path) != stamp
    ]
    changes += [(path, DELETED) for path in old if path not in new]
    return sorted(changes)


class Watch:
    """Changes under a root since the last call; scans at most every `interval`."""

    def __init__(self, root: Path, limit: int = LIMIT) -> None:
        self.root = root
        self.limit = limit
        self._files: dict[str, Stamp] | None = None
        self._next = 0.0
        self.too_big = False

    async def changes(self) -> list[tuple[str, int]]:
        if self.too_big or time.monotonic() < self._next:
            return []
        started = time.monotonic()
        files = await anyio.to_thread.run_sync(scan, self.root, self.limit)
        took = time.monotonic() - started
        # Scanning a large tree for every candidate would cost more than it saves.
        self._next = time.monotonic() + max(0.2, 20 * took)
        if files is None:
            self.too_big = True
            log.warning(
                "%s has more than %d Python files: pyright will not hear of files changed on disk",
                self.root,
                self.limit,
            )
            return []
        old, self._files = self._files, files
        return [] if old is None else compare(old, files)
