"""Writing the user's files: the merge of a fix into a file changed meanwhile, atomic writes."""

from __future__ import annotations

import os

import pytest
from fixloop.userfiles import Conflict, Written, merge, read_source, write_atomically, write_fix
from fixloop.verifiers.python import syntax_findings

pytestmark = pytest.mark.fault

ORIGINAL = "import sys\n\n\ndef main():\n    return pathlib.Path(sys.argv[0])\n"
FIXED = ORIGINAL.replace("import sys\n", "import sys\nimport pathlib\n")


@pytest.mark.parametrize(
    "current, expected",
    [
        (ORIGINAL + "\nX = 1\n", FIXED + "\nX = 1\n"),  # added far away
        ("# head\n" + ORIGINAL, "# head\n" + FIXED),  # added before: the fix moves down
        (ORIGINAL.replace("main", "run"), FIXED.replace("main", "run")),  # changed elsewhere
        (ORIGINAL.replace("import sys\n", "import sys, os\n"), None),  # the line it follows
        (ORIGINAL.replace("\n\n\ndef", "\nimport re\n\ndef"), None),  # right after it
        ("", None),  # emptied
    ],
)
def test_a_fix_merges_into_a_changed_file_only_where_its_lines_are_unchanged(current, expected):
    assert merge(ORIGINAL, FIXED, current) == expected


def test_a_replacement_needs_its_lines_unchanged():
    original = "a\nb\nc\n"
    fixed = "a\nB\nc\n"
    assert merge(original, fixed, "z\na\nb\nc\n") == "z\na\nB\nc\n"
    assert merge(original, fixed, "a\nbb\nc\n") is None


def test_write_fix_over_the_file_as_read_keeps_the_bom_and_the_mode(tmp_path):
    path = tmp_path / "a.py"
    path.write_bytes(b"\xef\xbb\xbf" + ORIGINAL.encode())
    path.chmod(0o600)
    source = read_source(path)
    assert source.bom and source.text == ORIGINAL
    assert write_fix(source, FIXED) is Written.WRITTEN
    assert path.read_bytes() == b"\xef\xbb\xbf" + FIXED.encode()
    assert path.stat().st_mode & 0o777 == 0o600


def test_write_fix_through_a_link_writes_the_file_and_keeps_the_link(tmp_path):
    real = tmp_path / "real.py"
    real.write_text(ORIGINAL)
    link = tmp_path / "link.py"
    link.symlink_to(real)
    write_fix(read_source(link), FIXED)
    assert link.is_symlink() and real.read_text() == FIXED


def test_a_conflict_leaves_the_file_and_no_temporary(tmp_path):
    path = tmp_path / "a.py"
    path.write_text(ORIGINAL)
    source = read_source(path)
    path.write_text("import sys  # mine\n")
    with pytest.raises(Conflict):
        write_fix(source, FIXED)
    assert path.read_text() == "import sys  # mine\n"
    assert os.listdir(tmp_path) == ["a.py"]


def test_a_write_raced_between_the_check_and_the_rename_is_refused(tmp_path):
    path = tmp_path / "a.py"
    path.write_text(ORIGINAL)
    with pytest.raises(Conflict):
        write_atomically(path, FIXED.encode(), expected=b"something else")
    assert path.read_text() == ORIGINAL and os.listdir(tmp_path) == ["a.py"]


@pytest.mark.badinput
def test_a_buffer_with_a_bom_compiles_and_columns_count_it():
    assert syntax_findings("\ufeffimport os\n", "a.py") == ()
    (finding,) = syntax_findings("\ufeffdef f(x)\n    pass\n", "a.py")
    assert finding.message == "expected ':'" and finding.span.start_col == 8  # 7 without the BOM
