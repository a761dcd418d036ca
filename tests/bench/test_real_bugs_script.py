"""bench/real_bugs.py: the sample it takes, the variants it runs, the refusal share it reports."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "real_bugs.py"


def _script():
    spec = importlib.util.spec_from_file_location("real_bugs_script", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _corpus(tmp_path: Path) -> Path:
    families = ["missing colons", "double", "illegal indentation", "triple", "quadruple"]
    lines = [
        json.dumps({"id": f"c{i}", "family": family, "path": "a.py", "before": "", "after": ""})
        for i, family in enumerate(families)
    ]
    path = tmp_path / "corpus.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_single_bug_leaves_out_the_cases_of_several_bugs_before_sampling(tmp_path):
    script = _script()
    corpus = _corpus(tmp_path)
    assert [c["id"] for c in script.load_cases(corpus, None, 7)] == ["c0", "c1", "c2", "c3", "c4"]
    single = script.load_cases(corpus, 2, 7, single_bug=True)
    assert sorted(c["id"] for c in single) == ["c0", "c2"]


def test_the_no_salvage_variant_sets_the_judges_constant_before_the_cli_runs():
    script = _script()
    argv = script._command(str(Path(sys.executable).with_name("fixloop")), "no-salvage")
    code = argv[2].replace("from fixloop.cli import main\nsys.exit(main())\n", "")
    code += "import fixloop.engine.judge as j\nprint(j.SALVAGE_HUNKS)\n"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "1"


def test_the_refused_share_is_per_tier_of_its_model_requests():
    script = _script()
    stats = {
        "all_time": {
            "fast": {"requests": 8, "input_tokens": 10, "output_tokens": 5},
            "frontier": {"requests": 0, "input_tokens": 0, "output_tokens": 0},
        },
        "speed_all_time": {"tiers": {"fast": {"fixes": 1, "failures": {"anti-cheat": 6}}}},
    }
    tiers = script._tiers(stats)
    assert tiers["fast"]["failures"] == {"anti-cheat": 6}
    assert script.refused_share(tiers) == {"fast": 0.75, "frontier": None}
