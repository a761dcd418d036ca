"""From _pytest/pathlib.py: _chmod_rwx."""
from __future__ import annotations
import os
import stat


def _chmod_rwx(p: str) -> bool:
    """Grant owner sufficient permissions for deletion.

    Directories get ``S_IRWXU`` (read+write+exec for traversal).
    Regular files get ``S_IRUSR | S_IWUSR`` only, to avoid making
    non-executable files executable as a side effect.

    Returns True if permissions were actually changed, False if they were
    already sufficient or couldn't be changed.
    """
    try:
        old_mode = os.stat(p).st_mode
    except OSError:
        # Path may have been removed concurrently, or be inaccessible.
        return False
    perm_mode = stat.S_IMODE(old_mode)
    bits = stat.S_IRWXU if stat.S_ISDIR(old_mode) else stat.S_IRUSR | stat.S_IWUSR
    new_mode = perm_mode | bits
    if perm_mode == new_mode:
        return False
    try:
        os.chmod(p, new_mode)
    except OSError:
        return False
    return True
