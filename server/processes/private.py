"""Private temporary folders, named after the process that owns them.

Shadow copies of a workspace, mypy's shadow files and caches and pyright's
shadow trees each live in a folder `fixloop-<kind>-<pid>-<random>` that
`tempfile.mkdtemp` makes with mode 0700 in the system's temporary folder.
Their owner removes them when it is done; a folder left behind by a process
that died (a crash, a kill) is removed by `sweep` when fixloop next starts.
The folders of a fixloop that is still running are never touched. A
`procs` folder records the tool process groups its owner started (see
`reaper`) and lives in /dev/shm unless TMPDIR is set (no disk write per
tool run): those groups still running are killed before the folder goes.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import tempfile
from pathlib import Path

KINDS = ("shadow", "mypy", "pyright", "command", "cc", "procs")
_OWNED = re.compile(rf"^fixloop-(?:{'|'.join(KINDS)})-(\d+)-")


def private_dir(kind: str) -> Path:
    """A new folder only this user can enter, marked with this process's id."""
    assert kind in KINDS, kind
    base = procs_base() if kind == "procs" else None
    return Path(tempfile.mkdtemp(prefix=f"fixloop-{kind}-{os.getpid()}-", dir=base))


def owner(name: str) -> int | None:
    """The process id a private folder's name carries, if it is one of ours."""
    match = _OWNED.match(name)
    return int(match.group(1)) if match else None


def alive(pid: int) -> bool:
    """Whether a process with this id is running (a zombie has finished: not alive)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: not ours to judge
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state != "Z"


# Where a `procs` folder goes unless TMPDIR says otherwise: memory, so that recording a
# tool run costs no disk write (tens of microseconds instead of up to a millisecond).
MEMORY = Path("/dev/shm")


def procs_base() -> Path:
    """The folder for this process's `procs` folder: TMPDIR if set, else /dev/shm if usable."""
    if not os.environ.get("TMPDIR") and os.access(MEMORY, os.W_OK | os.X_OK):
        return MEMORY
    return Path(tempfile.gettempdir())


def sweep(folder: Path | None = None) -> list[Path]:
    """Remove this user's private folders whose owning process is gone; return them.
    By default in the temporary folder and in /dev/shm (where `procs` folders may be)."""
    if folder is not None:
        return _sweep(Path(folder))
    bases = dict.fromkeys([Path(tempfile.gettempdir()), MEMORY])
    return [path for base in bases for path in _sweep(base)]


def _sweep(base: Path) -> list[Path]:
    try:
        entries = list(os.scandir(base))
    except OSError:
        return []
    removed = []
    for entry in entries:
        pid = owner(entry.name)
        if pid is None:
            continue
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or alive(pid):
            continue
        if entry.name.startswith("fixloop-procs-"):
            from fixloop.processes.reaper import reap

            reap(Path(entry.path))
        shutil.rmtree(entry.path, ignore_errors=True)
        removed.append(Path(entry.path))
    return removed
