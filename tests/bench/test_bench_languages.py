"""The bench routes each case by its language, as `fixloop check` does, and `--cases N`
samples from the cases that pass the corpus check."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from fixloop.cli import main

CORPUS = Path(__file__).resolve().parents[2] / "bench" / "corpus"
SURE = "mercury-class:name=sure,ttft=0.01,tps=20000,p=1.0"
CPP_BEFORE = (
    "#include <vector>\nusing namespace std;\n\nint total(const vector<int>& v) {\n"
    "    int sum = 0;\n    for (int x : v) sum += x;\n    return summ;\n}\n"
)


def write_cpp_case(root: Path, name: str) -> None:
    folder = root / name
    (folder / "before").mkdir(parents=True)
    (folder / "after").mkdir()
    (folder / "before" / "total.cpp").write_text(CPP_BEFORE)
    (folder / "after" / "total.cpp").write_text(CPP_BEFORE.replace("summ;", "sum;"))
    (folder / "case.toml").write_text(
        'file = "total.cpp"\nverifier = "g++"\ncode = "error"\nline = 7\nkind = "misspell"\n'
    )


def write_bad_case(root: Path, name: str) -> None:
    bad = shutil.copytree(CORPUS / "004-missing-colon", root / name)
    (bad / "after" / "module.py").write_text((bad / "before" / "module.py").read_text())


def bench(corpus: Path, out: Path, *extra: str) -> int:
    return main(
        [
            "bench",
            "--corpus",
            str(corpus),
            "--out",
            str(out),
            "--fast",
            SURE,
            "--strategies",
            "fast-first",
            "--seconds",
            "30",
            "--jobs",
            "2",
            "--no-progress",
            *extra,
        ]
    )


def test_a_cpp_case_is_checked_and_fixed_by_g_plus_plus(tmp_path, capsys):
    corpus = tmp_path / "corpus"
    write_cpp_case(corpus, "000-cpp")
    shutil.copytree(CORPUS / "000-misspell", corpus / "001-python")
    assert main(["bench", "--corpus", str(corpus), "--check", "--no-progress"]) == 0
    assert "2 good cases, 0 bad" in capsys.readouterr().out
    assert bench(corpus, tmp_path / "out", "--json", "--case", "000-cpp") == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["strategies"]["fast-first"]["fixed"] == 1


def test_cases_n_samples_among_the_good_cases(tmp_path, capsys):
    corpus = tmp_path / "corpus"
    good = ["000-misspell", "001-missing-colon"]
    for name in good:
        shutil.copytree(CORPUS / name, corpus / name)
    for index in range(6):
        write_bad_case(corpus, f"{index + 2:03d}-bad")
    assert main(["bench", "--corpus", str(corpus), "--check", "--cases", "1", "--no-progress"]) == 1
    assert "2 good cases, 6 bad; a sample of 1" in capsys.readouterr().out
    out = tmp_path / "out"
    assert bench(corpus, out, "--cases", "2", "--json") == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["strategies"]["fast-first"]["jobs"] == 2
    assert {json.loads(line)["case"] for line in (out / "results.jsonl").open()} == set(good)
    assert len(summary["run"]["bad_cases"]) == 6


def test_the_simulated_models_wrong_answers_are_written_in_the_cases_language():
    import random

    from fixloop.benchmark.oracle import Oracle, cheat, near_miss, whole_region

    after = CPP_BEFORE.replace("summ;", "sum;")
    oracle = Oracle(CPP_BEFORE, after, "g++-error", "g++", "error", 7, "cpp")
    rng = random.Random(1)
    cheats = {cheat(oracle, rng) for _ in range(20)}
    assert all("noqa" not in text for text in cheats)
    assert "    // return summ;\n" in {text.splitlines(keepends=True)[6] for text in cheats}
    wrong = near_miss(oracle, rng).splitlines()[6]
    assert wrong == "    return static_cast<long>(summ);"
    assert whole_region(CPP_BEFORE, after, [], "cpp").startswith("```cpp\n")
    python = Oracle("x = 1\ny = z\n", "x = 1\ny = x\n", "misspell", "ruff", "F821", 2)
    assert "# noqa" in "".join(cheat(python, random.Random(s)) for s in range(6))
