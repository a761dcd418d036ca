"""From _pytest/pathlib.py: samefile_nofollow."""
from __future__ import annotations
import os
from pathlib import Path


def samefile_nofollow(p1: Path, p2: Path) -> bool:
    """Test whether two paths reference the same actual file or directory.

    Unlike Path.samefile(), does not resolve symlinks.
    """
    s1, s2 = p1.lstat(), p2.lstat()
    # On Windows st_ino is the file ID, which file systems are free to not support,
    # in which case it is 0 for every file -- WinFsp mounts such as sshfs-win are one
    # example. os.path.samestat() would then consider any two files on the volume to
    # be the same (python/cpython#78116), so treat a zero file ID as "unknown" and
    # leave the caller with plain path comparison (#14864).
    if s1.st_ino == 0 or s2.st_ino == 0:
        return False
    return os.path.samestat(p1, s2)
