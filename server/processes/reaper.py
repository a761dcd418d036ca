"""A record of the tool process groups a fixloop started, for the next fixloop to end.

Every tool fixloop runs (`run.run_tool`, `longlived.ToolProcess`) starts in a
session and process group of its own. A fixloop that is SIGKILLed or crashes
cannot kill them, and a test command or `cargo check` may run on for minutes.
So each group is recorded, while it runs, as an empty file `<pgid>-<start>`
in this process's private folder `fixloop-procs-<pid>-*` (see `private`: in
/dev/shm unless TMPDIR is set, so a record is no disk write),
where `<start>` is the leader's start time from /proc/<pgid>/stat: the pair
names one process for the whole boot, so a reused pid is never mistaken for
it. The file goes when the run ends. `private.sweep` calls `reap` on the
folder of a fixloop that is gone: a recorded group is killed only if its
leader still runs with the same start time and still leads that group, the
record was written since the last boot, and the entry is a plain file (never a
symlink). Anything else in the folder is ignored. Linux only (elsewhere there
is no /proc: nothing is recorded and nothing is killed).
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import signal
import stat
import threading
from pathlib import Path

from fixloop.processes.private import private_dir

_RECORD = re.compile(r"^(\d+)-(\d+)$")

_lock = threading.Lock()
# (owner pid, folder, an open descriptor of it): a forked child makes its own.
_folder: tuple[int, Path, int] | None = None

Ticket = tuple[int, str]  # (folder descriptor, record name)


def _stat_fields(pid: int) -> list[bytes] | None:
    """The fields of /proc/<pid>/stat after the command name (state first), or None."""
    try:  # raw reads: this runs once per tool run
        fd = os.open(f"/proc/{pid}/stat", os.O_RDONLY)
        try:
            data = os.read(fd, 4096)
        finally:
            os.close(fd)
    except OSError:
        return None
    fields = data.rpartition(b")")[2].split()
    return fields if len(fields) > 19 else None


def start_time(pid: int) -> int | None:
    """When process `pid` started (clock ticks since boot), or None if it is gone."""
    fields = _stat_fields(pid)
    return int(fields[19]) if fields is not None else None


def _own_folder() -> int:
    """A descriptor of this process's `procs` folder (made on first use)."""
    global _folder
    pid = os.getpid()
    held = _folder
    if held is not None and held[0] == pid:
        return held[2]
    with _lock:
        if _folder is None or _folder[0] != pid:
            folder = private_dir("procs")
            _folder = (pid, folder, os.open(folder, os.O_RDONLY | os.O_DIRECTORY))
            atexit.register(_at_exit, pid)
        return _folder[2]


def record(pid: int) -> Ticket | None:
    """Record the process group `pid` leads (just started with a new session); the ticket
    to `forget` when it has ended. None where nothing can be recorded."""
    started = start_time(pid)
    if started is None:
        return None  # no /proc, or it has already gone
    name = f"{pid}-{started}"
    try:
        folder = _own_folder()
        os.mknod(name, stat.S_IFREG | 0o600, dir_fd=folder)  # an empty file; never follows links
    except FileExistsError:
        pass
    except OSError:
        return None  # a full disk must not stop a check
    return folder, name


def forget(ticket: Ticket | None) -> None:
    """The recorded group has ended (or was killed): drop its record."""
    if ticket is not None:
        try:
            os.unlink(ticket[1], dir_fd=ticket[0])
        except OSError:
            pass


def _boot_time() -> float:
    try:
        with open("/proc/stat", "rb") as handle:
            for line in handle:
                if line.startswith(b"btime "):
                    return float(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return float("inf")  # unknown: trust no record


def reap(folder: Path) -> list[int]:
    """Kill (SIGKILL, whole group) every group recorded in `folder` that still runs; return
    their ids. Only groups whose leader is the recorded process are touched."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    booted = _boot_time()
    killed = []
    for entry in entries:
        match = _RECORD.match(entry.name)
        if match is None:
            continue
        pgid, started = int(match.group(1)), int(match.group(2))
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.getuid() or info.st_mtime < booted:
            continue
        if pgid <= 1 or pgid == os.getpid():
            continue
        fields = _stat_fields(pgid)
        if fields is None or int(fields[19]) != started or int(fields[2]) != pgid:
            continue  # gone, a reused pid, or no longer leading its group
        try:
            os.killpg(pgid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            continue
        killed.append(pgid)
    return killed


def _at_exit(pid: int) -> None:
    """A fixloop ending normally ends what it still has running and removes its folder."""
    held = _folder
    if held is None or held[0] != pid or os.getpid() != pid:
        return
    reap(held[1])
    shutil.rmtree(held[1], ignore_errors=True)
    os.close(held[2])
