"""Corpus cases are checked on load: `before` raises exactly the diagnostic, `after` none."""

from __future__ import annotations

import anyio
import pytest

from fixloop.benchmark.corpus import CorpusError, ReadyCase, prepare, read_case, read_corpus, sample
from fixloop.verifiers.registry import make_verifiers

BEFORE = '"""A module."""\n\n\ndef double(value):\n    return 2 * valeu\n'
AFTER = '"""A module."""\n\n\ndef double(value):\n    return 2 * value\n'


def write_case(root, name, before=BEFORE, after=AFTER, meta=None):
    folder = root / name
    (folder / "before").mkdir(parents=True)
    (folder / "after").mkdir()
    (folder / "before" / "module.py").write_text(before)
    (folder / "after" / "module.py").write_text(after)
    (folder / "case.toml").write_text(
        meta
        if meta is not None
        else 'file = "module.py"\nverifier = "ruff"\ncode = "F821"\nline = 5\nkind = "misspell"\n'
    )
    return folder


async def check(tmp_path, folder):
    verifiers = dict(zip(("python", "ruff"), make_verifiers(["python", "ruff"]), strict=True))
    workspace = tmp_path / "workspace"
    workspace.mkdir(exist_ok=True)
    return await prepare(read_case(folder), workspace, verifiers, anyio.CapacityLimiter(2))


async def test_a_good_case_is_ready_with_its_finding(tmp_path):
    ready = await check(tmp_path, write_case(tmp_path / "c", "001-good"))
    assert isinstance(ready, ReadyCase)
    assert (ready.finding.source, ready.finding.code, ready.finding.span.start_line) == (
        "ruff",
        "F821",
        4,
    )
    assert ready.snapshot.path.read_text() == BEFORE


@pytest.mark.parametrize(
    "before, after, meta, words",
    [
        (
            AFTER,
            AFTER,
            None,
            "before should raise exactly ruff F821 at line 5, but the verifiers report nothing",
        ),
        (
            BEFORE,
            AFTER,
            'file = "module.py"\nverifier = "ruff"\ncode = "F821"\nline = 4\n',
            "ruff F821 at line 5",
        ),
        (
            BEFORE,
            BEFORE,
            None,
            "after should raise nothing, but the verifiers report ruff F821 at line 5",
        ),
        (
            BEFORE,
            AFTER.replace("2 * value", "2"),
            None,
            "the anti-cheat policy refuses the ground truth",
        ),
    ],
)
async def test_a_bad_case_says_what_is_wrong(tmp_path, before, after, meta, words):
    problem = await check(tmp_path, write_case(tmp_path / "c", "002-bad", before, after, meta))
    assert isinstance(problem, str)
    assert problem.startswith("002-bad: ") and words in problem


FAR = (
    "\n\n\ndef half(value):\n    \"\"\"Half of it.\n\n    More words.\n    \"\"\"\n    return value / 2\n"
)


async def test_a_ground_truth_that_also_fixes_what_nobody_flagged_is_trimmed_to_the_flagged_fix(
    tmp_path,
):
    # The real fix also changes `half`, far outside the window, which no checker flags:
    # a model's reply cannot reach it; the case measures the flagged fix alone.
    after = AFTER + FAR.replace("value / 2", "value // 2")
    ready = await check(tmp_path, write_case(tmp_path / "c", "004-more", BEFORE + FAR, after))
    assert isinstance(ready, ReadyCase), ready
    assert ready.case.after == AFTER + FAR
    assert ready.trimmed.startswith("1 of its 2 hunks (the whole is refused: ")


async def test_a_ground_truth_whose_flagged_part_is_a_cheat_stays_bad(tmp_path):
    after = AFTER.replace("2 * value", "2") + FAR.replace("value / 2", "value // 2")
    problem = await check(tmp_path, write_case(tmp_path / "c", "005-cheat", BEFORE + FAR, after))
    assert isinstance(problem, str) and "refuses the ground truth" in problem


async def test_a_whole_ground_truth_the_policy_accepts_is_kept_whole(tmp_path):
    ready = await check(tmp_path, write_case(tmp_path / "c", "006-whole"))
    assert isinstance(ready, ReadyCase) and ready.trimmed == ""
    assert ready.case.after == AFTER


@pytest.mark.parametrize(
    "meta, words",
    [
        ('file = "module.py"\nverifier = "ruff"\ncode = "F821"\n', "`line` must be an integer"),
        (
            'file = "module.py"\nverifier = "ruff"\ncode = "F821"\nline = "5"\n',
            "`line` must be an integer",
        ),
        ("file = ", "not valid TOML"),
        (
            'file = "other.py"\nverifier = "ruff"\ncode = "F821"\nline = 5\n',
            "other.py: cannot be read",
        ),
    ],
)
def test_an_unreadable_case_names_the_file(tmp_path, meta, words):
    folder = write_case(tmp_path, "003-broken", meta=meta)
    with pytest.raises(CorpusError, match=words):
        read_case(folder)


def test_a_sample_is_seeded_and_grows_by_keeping_what_it_had(tmp_path):
    for index in range(10):
        write_case(tmp_path, f"{index:03d}-case")
    cases = read_corpus(tmp_path)
    three, five = sample(cases, 3, seed=7), sample(cases, 5, seed=7)
    assert {c.id for c in three} < {c.id for c in five}
    assert sample(cases, 3, seed=7) == three
    assert len(sample(cases, None, seed=7)) == 10
    with pytest.raises(CorpusError, match="no corpus"):
        read_corpus(tmp_path / "missing")


CPP_BEFORE = "#include <vector>\nusing namespace std;\n\nint total(vector<int> v) {\n    int sum = 0;\n    for (int x : v) sum += x;\n    return summ;\n}\n"
CPP_AFTER = CPP_BEFORE.replace("return summ;", "return sum;")


def write_cpp_case(root, name, meta_extra=""):
    folder = root / name
    (folder / "before").mkdir(parents=True)
    (folder / "after").mkdir()
    (folder / "before" / "sum.cpp").write_text(CPP_BEFORE)
    (folder / "after" / "sum.cpp").write_text(CPP_AFTER)
    (folder / "case.toml").write_text(
        f'file = "sum.cpp"\nverifier = "g++"\ncode = "error"\nline = 7\n{meta_extra}'
    )
    return folder


def test_a_case_takes_its_language_from_the_file_or_case_toml(tmp_path):
    python = read_case(write_case(tmp_path, "001-py"))
    assert (python.language, python.verifiers) == ("python", ("python", "ruff"))
    cpp = read_case(write_cpp_case(tmp_path, "002-cpp"))
    assert (cpp.language, cpp.verifiers) == ("cpp", ("g++",))
    header = read_case(write_cpp_case(tmp_path, "003-named", 'language = "c"\n'))
    assert (header.language, header.verifiers) == ("c", ("gcc", "g++"))
    with pytest.raises(CorpusError, match="`language` must be one of"):
        read_case(write_cpp_case(tmp_path, "004-unknown", 'language = "cobol"\n'))


async def test_a_cpp_case_is_checked_by_its_own_gate_not_pythons(tmp_path):
    folder = write_cpp_case(tmp_path / "c", "001-cpp")
    case = read_case(folder)
    verifiers = dict(zip(case.verifiers, make_verifiers(list(case.verifiers)), strict=True))
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    ready = await prepare(case, workspace, verifiers, anyio.CapacityLimiter(2))
    assert isinstance(ready, ReadyCase), ready
    assert ready.snapshot.language == "cpp"
    assert (ready.finding.source, ready.finding.span.start_line) == ("g++", 6)
