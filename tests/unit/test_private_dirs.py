"""Private folders: mode 0700, named after their owner, swept once the owner is gone."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest
from fixloop.processes.private import alive, owner, private_dir, sweep
from fixloop.shadow.tree import make_shadow_tree, remove_shadow_tree

pytestmark = pytest.mark.trust


def test_a_private_dir_is_only_ours_and_carries_our_pid(tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)  # re-read TMPDIR
    folder = private_dir("shadow")
    assert folder.parent == tmp_path
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert owner(folder.name) == os.getpid()
    assert owner("fixloop-other-1-x") is None and owner("unrelated") is None


def test_sweep_removes_the_dead_and_spares_the_living(tmp_path):
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead_pid = int(dead.stdout)
    assert not alive(dead_pid)
    living = subprocess.Popen(
        [sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE
    )
    try:
        stale = tmp_path / f"fixloop-mypy-{dead_pid}-abc"
        (stale / "shadows").mkdir(parents=True)
        kept = [
            tmp_path / f"fixloop-shadow-{living.pid}-def",  # another fixloop, still running
            tmp_path / f"fixloop-pyright-{os.getpid()}-ghi",  # ours
            tmp_path / "fixloop-notes",  # not a private folder at all
        ]
        for folder in kept:
            folder.mkdir()
        assert sweep(tmp_path) == [stale]
        assert not stale.exists() and all(folder.exists() for folder in kept)
    finally:
        living.stdin.close()
        living.wait()


def test_the_mirror_does_not_walk_into_itself_when_the_temp_folder_is_inside(tmp_path, monkeypatch):
    # Found by the fault suite: with TMPDIR inside the workspace the mirror copied itself
    # until the path was too long, and the loop crashed.
    import tempfile

    workspace = tmp_path / "ws"
    (workspace / "tmp").mkdir(parents=True)
    (workspace / "pkg").mkdir()
    (workspace / "pkg" / "mod.py").write_text("x = 1\n")
    monkeypatch.setenv("TMPDIR", str(workspace / "tmp"))
    monkeypatch.setattr(tempfile, "tempdir", None)
    mirror = make_shadow_tree(workspace, workspace / "pkg" / "mod.py", "x = 2\n")
    try:
        assert (mirror / "pkg" / "mod.py").read_text() == "x = 2\n"
        assert not any(p.name.startswith("fixloop-") for p in (mirror / "tmp").iterdir())
    finally:
        remove_shadow_tree(mirror)
    assert list((workspace / "tmp").iterdir()) == []
