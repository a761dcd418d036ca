"""`fixloop fix --apply` never corrupts a file and never loses an edit.

A kill at any moment of the write leaves the old file or the new one, whole; a
file-size limit leaves the old one and says so; another writer's change made
while the loop ran is kept (the fix is applied to the new text) or, where the
fix goes, the write is refused. A byte order mark and the file's own line
endings survive.
"""

from __future__ import annotations

import resource
import subprocess
import sys

import pytest
from conftest import write_config
from fixloop.fakes import Text
from helpers import search_replace

pytestmark = [pytest.mark.e2e]

BROKEN = "import sys\n\n\ndef main():\n    print(sys.argv)\n    return pathlib.Path('.')\n"
FIXED = BROKEN.replace("import sys\n", "import sys\nimport pathlib\n")
FIX = search_replace("import sys", "import sys\nimport pathlib")

# Run in the child: kill it (SIGKILL) at one point of writing app.py, then run fixloop.
KILLER = r'''
import os, signal, sys

point, target, argv = sys.argv[1], sys.argv[2], sys.argv[3:]
write, fsync, replace = os.write, os.fsync, os.replace


def ours(fd):
    try:
        return f".{target}." in os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        return False


def die():
    os.kill(os.getpid(), signal.SIGKILL)


def half_then_die(fd, data):
    if ours(fd):
        write(fd, bytes(data)[: len(data) // 2])
        die()
    return write(fd, data)


def rename(source, destination, *args, **kwargs):
    if os.path.basename(str(destination)) == target:
        if point == "before-rename":
            die()
        replace(source, destination, *args, **kwargs)
        die()
    return replace(source, destination, *args, **kwargs)


if point == "mid-write":
    os.write = half_then_die
elif point == "before-fsync":
    os.fsync = lambda fd: die() if ours(fd) else fsync(fd)
else:
    os.replace = rename

from fixloop.cli import main

sys.exit(main(argv))
'''


def fixloop(*args: str, cwd, preexec=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "fixloop", *args],
        cwd=cwd, capture_output=True, timeout=120, stdin=subprocess.DEVNULL,
        preexec_fn=preexec, check=False,
    )


@pytest.mark.fault
@pytest.mark.parametrize("point", ["mid-write", "before-fsync", "before-rename", "after-rename"])
def test_a_kill_while_applying_leaves_the_old_file_or_the_new_one_whole(
    tmp_path, model_server, point
):
    write_config(tmp_path, model_server.openai_base_url)
    app = tmp_path / "app.py"
    app.write_text(BROKEN)
    app.chmod(0o640)
    model_server.default = Text(FIX)
    (tmp_path / "killer.py").write_text(KILLER)
    run = subprocess.run(
        [sys.executable, "killer.py", point, "app.py", "fix", "--apply", "app.py"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
        check=False,
    )
    assert run.returncode == -9, run.stderr  # it did die there
    expected = FIXED if point == "after-rename" else BROKEN
    assert app.read_text() == expected
    assert app.stat().st_mode & 0o777 == 0o640
    # A leftover temporary file is the most a kill leaves (hidden, beside the file).
    assert {p.name for p in tmp_path.iterdir()} - {"app.py", "killer.py", ".fixloop.toml"} <= {
        p.name for p in tmp_path.glob(".app.py.*.fixloop")
    }


def _limit(size: int):
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))

    return limit


@pytest.mark.fault
def test_a_file_size_limit_leaves_the_file_intact_and_says_so(tmp_path, model_server):
    # A 90 KB file: its first secret scan and checks take seconds on a loaded machine (CI saw
    # the loop time out at 20 s, and nothing to write): room enough, the write is the test.
    write_config(tmp_path, model_server.openai_base_url, seconds=300,
                 extra="\n[files]\nmax_bytes = 2000000\n")  # fmt: skip
    app = tmp_path / "app.py"
    big = BROKEN + "".join(f"\n\ndef f{i}():\n    return {i}\n" for i in range(3_000))
    app.write_text(big)
    model_server.default = Text(FIX)
    # Room for the file as it is (and the ledger), not for the fixed one, 15 bytes longer.
    run = fixloop("fix", "--apply", "app.py", cwd=tmp_path, preexec=_limit(len(big) + 4))
    err = run.stderr.decode()
    assert run.returncode == 1, err
    assert app.read_text() == big
    assert ": fixed" in run.stdout.decode(), run.stdout.decode()  # a fix there was to write
    assert "app.py: not written: cannot be written (the file size limit was reached)" in err
    assert "Traceback" not in err
    assert not list(tmp_path.glob(".app.py.*"))  # the temporary file was removed


@pytest.mark.fault
def test_a_line_added_by_another_writer_while_the_loop_runs_is_kept(tmp_path, model_server):
    write_config(tmp_path, model_server.openai_base_url)
    app = tmp_path / "app.py"
    app.write_text(BROKEN)

    def write_then_reply(request):  # the user (or a formatter) saves while the model thinks
        with app.open("a") as handle:
            handle.write("\n\nVERSION = 2\n")
        return Text(FIX)

    model_server.responder = write_then_reply
    run = fixloop("fix", "--apply", "app.py", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert app.read_text() == FIXED + "\n\nVERSION = 2\n"
    assert b"changed while fixloop ran" in run.stderr


@pytest.mark.fault
def test_a_change_where_the_fix_goes_refuses_the_write(tmp_path, model_server):
    write_config(tmp_path, model_server.openai_base_url)
    app = tmp_path / "app.py"
    app.write_text(BROKEN)
    theirs = BROKEN.replace("import sys\n", "import sys  # theirs\n")

    def write_then_reply(request):
        app.write_text(theirs)
        return Text(FIX)

    model_server.responder = write_then_reply
    run = fixloop("fix", "--apply", "app.py", cwd=tmp_path)
    err = run.stderr.decode()
    assert run.returncode == 1
    assert app.read_text() == theirs
    assert "app.py: not written: it changed since it was read, in the lines the fix changes" in err
    assert "Traceback" not in err


@pytest.mark.badinput
def test_a_byte_order_mark_is_neither_an_error_nor_lost(tmp_path, model_server):
    write_config(tmp_path, model_server.openai_base_url)
    app = tmp_path / "app.py"
    app.write_bytes(b"\xef\xbb\xbf" + BROKEN.encode())
    check = fixloop("check", "app.py", cwd=tmp_path)
    assert b"U+FEFF" not in check.stdout and b"F821" in check.stdout
    model_server.default = Text(FIX)
    run = fixloop("fix", "--apply", "app.py", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert app.read_bytes() == b"\xef\xbb\xbf" + FIXED.encode()
    assert "\ufeff" not in model_server.requests[0].prompt_text


@pytest.mark.badinput
@pytest.mark.parametrize("newline", ["\r", "\r\n"])
def test_the_files_own_line_endings_are_kept(tmp_path, model_server, newline):
    write_config(tmp_path, model_server.openai_base_url)
    app = tmp_path / "app.py"
    app.write_bytes(BROKEN.replace("\n", newline).encode())
    model_server.default = Text(FIX)
    run = fixloop("fix", "--apply", "app.py", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert app.read_bytes() == FIXED.replace("\n", newline).encode()


NO_COLON = "import os\n\n\ndef f()\n    return os.sep\n"
COLON = search_replace("def f()", "def f():")


@pytest.mark.badinput
def test_a_file_mixing_line_endings_keeps_each_of_them(tmp_path, model_server):
    # The fixed line ended in "\n" in a file whose first line ends in "\r\n": it keeps "\n".
    write_config(tmp_path, model_server.openai_base_url)
    app = tmp_path / "app.py"
    app.write_bytes(b"import os\r\n\n\r\ndef f()\n    return os.sep\r\n")
    model_server.default = Text(COLON)
    run = fixloop("fix", "--apply", "app.py", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert app.read_bytes() == b"import os\r\n\n\r\ndef f():\n    return os.sep\r\n"


@pytest.mark.badinput
def test_the_model_reads_a_cr_only_file_one_line_per_line(tmp_path, model_server):
    # Sent as it was, a CR-only window was one line to the model ("1 | import os\r    2 | ...").
    write_config(tmp_path, model_server.openai_base_url)
    app = tmp_path / "app.py"
    app.write_bytes(NO_COLON.replace("\n", "\r").encode())
    model_server.default = Text(COLON)
    run = fixloop("fix", "--apply", "app.py", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    prompt = model_server.requests[0].prompt_text
    assert "\r" not in prompt
    assert "    4 | def f()\n    5 |     return os.sep\n" in prompt
    assert app.read_bytes() == NO_COLON.replace("def f()", "def f():").replace("\n", "\r").encode()


@pytest.mark.badinput
def test_a_fix_on_a_line_holding_u2028_applies(tmp_path, model_server):
    # U+2028 is a character inside the line (LSP's line model), so the SEARCH line matches.
    write_config(tmp_path, model_server.openai_base_url)
    app = tmp_path / "app.py"
    app.write_text(NO_COLON.replace("def f()", "def f()  # x\u2028y"), encoding="utf-8")
    model_server.default = Text(search_replace("def f()  # x\u2028y", "def f():  # x\u2028y"))
    run = fixloop("fix", "--apply", "app.py", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert app.read_text(encoding="utf-8") == NO_COLON.replace("def f()", "def f():  # x\u2028y")
