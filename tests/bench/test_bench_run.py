"""`fixloop bench` end to end with very fast simulated models: four strategies side by side
on a few shipped cases through the real engine, results resumable, the report written."""

from __future__ import annotations

import json
import shutil
import statistics
from pathlib import Path

import pytest

from fixloop.cli import main

CORPUS = Path(__file__).resolve().parents[2] / "bench" / "corpus"
CASES = ["000-misspell", "001-missing-colon", "002-unused-import", "003-drop-import"]
FAST = "mercury-class:name=quick,ttft=0.01,tps=20000,p=0.5"
FRONTIER = "frontier-class:name=sure,ttft=0.02,tps=20000,p=0.9"
STRATEGIES = ("fast-first", "frontier-only", "escalate", "serial")


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def bench(corpus, out, *extra):
    argv = [
        "bench",
        "--corpus",
        str(corpus),
        "--out",
        str(out),
        "--fast",
        FAST,
        "--frontier",
        FRONTIER,
        "--jobs",
        "4",
        "--seconds",
        "20",
        "--no-progress",
        *extra,
    ]
    return main(argv)


@pytest.fixture
def corpus(tmp_path):
    root = tmp_path / "corpus"
    for name in CASES:
        shutil.copytree(CORPUS / name, root / name)
    bad = shutil.copytree(CORPUS / "004-missing-colon", root / "009-bad")
    (bad / "after" / "module.py").write_text((bad / "before" / "module.py").read_text())
    return root


def test_strategies_side_by_side_resumable_with_a_report(corpus, tmp_path, capsys):
    out = tmp_path / "out"
    first = CASES[:3] + ["009-bad"]
    assert bench(corpus, out, *(f"--case={c}" for c in first)) == 0
    said = capsys.readouterr()
    assert "bad case, left out: 009-bad: after should raise nothing" in said.err
    for name in STRATEGIES:
        assert name in said.out
    assert "fast-first reaches a verified fix in" in said.out and "report:" in said.out

    records = lines(out / "results.jsonl")
    assert sorted((r["case"], r["strategy"]) for r in records) == sorted(
        (c, s) for c in CASES[:3] for s in STRATEGIES
    )
    for record in records:
        assert record["attempts"], record
        if record["fixed"]:
            assert record["matches_truth"] and record["time_to_fix"] <= record["seconds"] + 1e-6
            assert record["verdict"] == "same" and record["fix_diff"].startswith("--- a/")
            assert record["attempts"][-1]["outcome"] == "verified" or any(
                a["outcome"] == "verified" for a in record["attempts"]
            )
    by = {s: [r for r in records if r["strategy"] == s] for s in STRATEGIES}
    # The product's pipeline: the checker's own fix first, then the fast tier.
    assert all(a["tier"] in ("tool", "fast") for r in by["fast-first"] for a in r["attempts"])
    assert all(
        a["tier"] == "frontier"
        for s in ("frontier-only", "serial")
        for r in by[s]
        for a in r["attempts"]
    )
    for record in by["escalate"]:
        tiers = [a["tier"] for a in record["attempts"]]
        order = {"tool": 0, "fast": 1, "frontier": 2}
        assert tiers == sorted(tiers, key=order.__getitem__) and tiers.count("fast") <= 4
    assert all(len(r["attempts"]) <= 4 for r in by["serial"])
    # The serial baseline rewrites the whole file: many more tokens per reply.
    tokens = {
        s: statistics.median(a["output_tokens"] for r in by[s] for a in r["attempts"])
        for s in ("fast-first", "serial")
    }
    assert tokens["serial"] > 3 * tokens["fast-first"]

    summary = json.loads((out / "summary.json").read_text())
    assert set(summary["strategies"]) == set(STRATEGIES)
    assert summary["run"]["bad_cases"][0].startswith("009-bad:")
    fast = summary["strategies"]["fast-first"]
    assert fast["jobs"] == 3 and sum(t["attempts"] for t in fast["by_tier"].values()) == sum(
        len(r["attempts"]) for r in by["fast-first"]
    )
    assert fast["verdicts"] == {"same": fast["fixed"], "equivalent": 0, "behaviour change": 0}
    assert 0 <= fast["time"]["engine_share"] < 1
    assert {(c["a"], c["b"]) for c in summary["comparisons"]} >= {
        ("fast-first", "frontier-only"),
        ("fast-first", "serial"),
    }

    html = (out / "report.html").read_text()
    assert html.count("<svg") == 6
    for title in (
        "Time to a verified fix",
        "Success against attempts",
        "Cost against time",
        "Where the attempts&#x27; time went",
        "Why attempts failed",
    ):
        assert title in html
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "<script" not in html and "<link" not in html

    # A rerun does nothing twice: no request for what is done, only the new case's jobs.
    requests = lines(out / "requests.jsonl")
    assert bench(corpus, out, *(f"--case={c}" for c in CASES)) == 0
    capsys.readouterr()
    records = lines(out / "results.jsonl")
    assert len(records) == 4 * len(STRATEGIES)
    new_requests = lines(out / "requests.jsonl")[len(requests) :]
    assert new_requests and {q["case"] for q in new_requests} == {CASES[3]}

    # Other settings do not mix with these results.
    assert (
        main(
            [
                "bench",
                "--corpus",
                str(corpus),
                "--out",
                str(out),
                "--fast",
                "mercury-class",
                "--frontier",
                FRONTIER,
                "--case",
                CASES[0],
                "--no-progress",
            ]
        )
        == 2
    )
    assert "other settings" in capsys.readouterr().err


def test_json_for_machines_and_clear_errors(corpus, tmp_path, capsys):
    out = tmp_path / "out"
    assert bench(corpus, out, "--case", CASES[0], "--strategies", "fast-first", "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["strategies"]["fast-first"]["jobs"] == 1
    assert data["run"]["tiers"]["fast"]["name"] == "quick"
    assert bench(corpus, out, "--strategies", "fastest") == 2
    assert "unknown strategy fastest" in capsys.readouterr().err
    assert bench(corpus, out, "--case", "nope") == 2
    assert "has no case nope" in capsys.readouterr().err
    assert main(["bench", "--corpus", str(corpus), "--fast", "gpt-9", "--no-progress"]) == 2
    assert "unknown profile 'gpt-9'" in capsys.readouterr().err
    assert main(["bench", "--corpus", str(corpus), "--check", "--no-progress"]) == 1
    said = capsys.readouterr()
    assert "4 good cases, 1 bad" in said.out and "009-bad" in said.err
