"""A warm shadow of a workspace for tools that read the whole project from disk.

tsc, cargo and go have no stdin mode: they check a candidate only if it sits
in a project on disk. A `Mirror` is that project, kept for the life of the
verifier so the tool's caches (tsbuildinfo, cargo's target folder, go's build
cache) stay warm between candidates:

- The mirror sits at the workspace's own absolute path under a private folder,
  the folders above it holding symlinks to the real folders' entries, so a
  path that climbs out of the workspace (`"extends": "../tsconfig.base.json"`,
  a cargo workspace above the root) resolves as it does in the workspace.
- The mirror's root holds a symlink to every entry of the workspace's root.
  Only the folders on the way to a file fixloop writes are real folders (their
  entries symlinks in turn), so a mirror costs a few folder listings, not a
  walk of the tree, and every file fixloop did not write is the real one.
- `place(path, text)` writes the candidate where the real file is. A file
  placed earlier becomes a copy of the real file again (refreshed whenever the
  real file changes), never a symlink: tools that judge freshness by mtime
  (cargo) must see it change.
- `keep_copy(path)`: files a tool may write (Cargo.lock, go.mod, go.sum) are
  copies, so nothing the tool does reaches the workspace through a symlink.
- The real folders are listed again before each use: files added or removed
  in the workspace show up.

Blocking (it touches the disk): call it from a worker thread.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio

from fixloop.processes.private import owner, private_dir

Stamp = tuple[int, int]


def _stamp(path: Path) -> Stamp | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return (info.st_size, info.st_mtime_ns)


class MirrorError(Exception):
    """The file is not inside the workspace, or the mirror cannot be written."""


class Mirror:
    """A shadow of `root` at `home/<root name>`; see the module's docstring."""

    def __init__(self, root: Path, home: Path, skip: frozenset[str] = frozenset()) -> None:
        self.root = root
        self.home = home
        self.skip = skip  # names never mirrored (a tool's own output folder)
        # The mirror sits at the same absolute path under home/fs, and the folders above it
        # hold symlinks to the real folders' entries: `../../tsconfig.base.json` from a
        # tsconfig, or a cargo workspace above the root, resolve as they do in the workspace.
        self.top = home / "fs"
        self.path = self.top / root.relative_to(root.anchor)
        self._above_done = False
        self._real_dirs: set[Path] = set()  # relative folders that are real in the mirror
        self._copies: dict[Path, Stamp | None] = {}  # relative file -> real stamp copied
        self._outer: dict[Path, Stamp | None] = {}  # files above the root kept as copies
        self._placed: Path | None = None  # relative file holding a candidate now

    def shadow_of(self, path: Path) -> Path:
        return self.path / self.relative(path)

    def relative(self, path: Path) -> Path:
        try:
            return path.relative_to(self.root)
        except ValueError:
            raise MirrorError(f"{path} is not inside the workspace {self.root}") from None

    def real_of(self, shadow: Path) -> Path | None:
        """The workspace path a mirror path stands for (None if it is outside the mirror)."""
        try:
            return self.root / Path(os.path.normpath(shadow)).relative_to(self.path)
        except ValueError:
            return None

    def place(self, path: Path, text: str) -> Path:
        """Write `text` as `path` in the mirror (the folders on its way made real); return it."""
        relative = self.relative(path)
        if self._placed is not None and self._placed != relative:
            self._copies[self._placed] = None  # held a candidate: a copy of the real file again
        self._placed = relative
        self._copies.pop(relative, None)
        self._realize(relative.parent)
        self.refresh()
        target = self.path / relative
        if target.is_symlink() or (target.exists() and not target.is_file()):
            _remove(target)
        target.write_text(text, encoding="utf-8")
        return target

    def keep_copy(self, path: Path) -> None:
        """Keep `path` (if it exists) as a copy in the mirror, refreshed from the real file;
        `path` may also sit in a folder above the root (a cargo workspace's Cargo.lock)."""
        if path.parent in self.root.parents:
            self._outer.setdefault(path, None)
            self.refresh()
            return
        relative = self.relative(path)
        if relative == self._placed:
            return
        self._copies.setdefault(relative, None)
        self._realize(relative.parent)
        self.refresh()

    def refresh(self) -> None:
        """Bring the real folders and the copies up to date with the workspace."""
        if not self._above_done:
            self._mirror_above()
        self.path.mkdir(parents=True, exist_ok=True)
        for real, stamp in list(self._outer.items()):
            shadow = self.top / real.relative_to(real.anchor)
            now = _stamp(real)
            if now != stamp or shadow.is_symlink():
                if shadow.is_symlink() or shadow.exists():
                    _remove(shadow)
                if now is not None:
                    shutil.copyfile(real, shadow)
                self._outer[real] = now
        for folder in sorted(self._real_dirs, key=lambda p: len(p.parts)):
            self._sync_folder(folder)
        for relative, stamp in list(self._copies.items()):
            real, shadow = self.root / relative, self.path / relative
            now = _stamp(real)
            if now is None:
                if shadow.is_symlink() or shadow.exists():
                    _remove(shadow)
                self._copies[relative] = None
            elif now != stamp or not shadow.is_file() or shadow.is_symlink():
                if shadow.is_symlink() or shadow.exists():
                    _remove(shadow)
                shutil.copyfile(real, shadow)
                self._copies[relative] = now

    def _mirror_above(self) -> None:
        """The folders above the root: real, their other entries symlinks (made once)."""
        chain = [*reversed(self.root.parents), self.root]
        for folder, below in zip(chain, chain[1:], strict=False):
            shadow = self.top / folder.relative_to(folder.anchor)
            shadow.mkdir(parents=True, exist_ok=True)
            try:
                names = os.listdir(folder)
            except OSError:
                continue
            for name in names:
                if name == below.name or owner(name) is not None or name in self.skip:
                    continue  # the way down, and fixloop's own private folders (no loops)
                link = shadow / name
                if not link.is_symlink() and not link.exists():
                    os.symlink(folder / name, link)
        self._above_done = True

    def _realize(self, folder: Path) -> None:
        parts = folder.parts
        for depth in range(len(parts) + 1):
            relative = Path(*parts[:depth])
            if relative in self._real_dirs:
                continue
            shadow = self.path / relative
            if shadow.is_symlink():
                shadow.unlink()
            shadow.mkdir(parents=True, exist_ok=True)
            self._real_dirs.add(relative)
            self._sync_folder(relative)

    def _sync_folder(self, relative: Path) -> None:
        """Make a real folder's entries match the workspace's: symlinks, except what is
        real here (folders on the way, copies, the placed file)."""
        real, shadow = self.root / relative, self.path / relative
        try:
            wanted = {name for name in os.listdir(real) if name not in self.skip}
        except OSError:
            wanted = set()
        try:
            present = set(os.listdir(shadow))
        except OSError:
            present = set()
        own = {
            p.name
            for p in (*self._real_dirs, *self._copies, *([self._placed] if self._placed else []))
            if p.parent == relative and p != relative
        }
        for name in present - wanted - own:
            _remove(shadow / name)
        for name in wanted - present - own:
            os.symlink(real / name, shadow / name)

    def close(self) -> None:
        shutil.rmtree(self.home, ignore_errors=True)


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path)


class Mirrors:
    """One mirror per workspace, used by one check at a time (the tool's caches are the
    mirror's, and a tool run sees one candidate)."""

    def __init__(self, skip: frozenset[str] = frozenset()) -> None:
        self.skip = skip
        self._mirrors: dict[Path, tuple[Mirror, anyio.Lock]] = {}

    @asynccontextmanager
    async def use(self, root: Path) -> AsyncIterator[Mirror]:
        entry = self._mirrors.get(root)
        if entry is None:
            mirror = Mirror(root, private_dir("shadow"), self.skip)
            entry = self._mirrors[root] = (mirror, anyio.Lock())
        mirror, lock = entry
        async with lock:
            yield mirror

    def close(self) -> None:
        for mirror, _ in self._mirrors.values():
            mirror.close()
        self._mirrors.clear()
