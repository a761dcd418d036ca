"""End to end: `fixloop fix` escalating by itself, the budget across runs, `fixloop stats`."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from fixloop.fakes import Error, Text
from helpers import search_replace
from tiers import FRONTIER_KEY, FRONTIER_KEY_ENV, FRONTIER_MODEL, write_tier_config

pytestmark = pytest.mark.e2e

BROKEN = "import sys\n\n\ndef main():\n    print(sys.argv)\n    return pathlib.Path('.')\n"
FIXED = BROKEN.replace("import sys\n", "import sys\nimport pathlib\n")
FIX = search_replace("import sys", "import sys\nimport pathlib")


def fixloop(*args: str, cwd, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "fixloop", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
        env={**os.environ, FRONTIER_KEY_ENV: FRONTIER_KEY, **(env or {})},
    )


def by_protocol(fast, frontier):
    return lambda request: fast if request.protocol == "openai" else frontier


def test_fix_escalates_by_itself_with_auto_escalate(tmp_path, model_server):
    write_tier_config(tmp_path, model_server, attempts=2, budget="auto_escalate = true")
    (tmp_path / "app.py").write_text(BROKEN)
    model_server.responder = by_protocol(Text("no idea"), Text(FIX))
    run = fixloop("fix", "--apply", "--json", "app.py", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    (report,) = json.loads(run.stdout)
    (entry,) = report["fixes"]
    assert entry["status"] == "fixed" and entry["tier"] == "frontier" and entry["attempts"] == 3
    assert (tmp_path / "app.py").read_text() == FIXED
    assert [r.protocol for r in model_server.requests] == ["openai", "openai", "anthropic"]
    assert model_server.requests[2].headers["x-api-key"] == FRONTIER_KEY
    assert "unusable reply" in model_server.requests[2].prompt_text  # the fast failures as context


def test_without_auto_escalate_the_cli_stays_on_the_fast_tier(tmp_path, model_server):
    write_tier_config(tmp_path, model_server, attempts=2)
    (tmp_path / "app.py").write_text(BROKEN)
    model_server.responder = by_protocol(Text("no idea"), Text(FIX))
    run = fixloop("fix", "app.py", cwd=tmp_path)
    assert run.returncode == 1
    assert {r.protocol for r in model_server.requests} == {"openai"}


def test_the_days_spend_survives_a_restart_and_stats_reports_it(tmp_path, model_server, state_dir):
    cap = 0.5
    write_tier_config(
        tmp_path,
        model_server,
        attempts=20,
        frontier=False,
        # Input is reserved at a token per prompt byte (about $0.10 here), output at max_tokens.
        fast_prices=(10.0, 2000.0),
        fast_max_tokens=100,
        budget=f"usd_per_day = {cap}",
    )
    (tmp_path / "app.py").write_text(BROKEN)
    model_server.default = Text("no idea", usage=(150, 20))
    first = fixloop("fix", "app.py", cwd=tmp_path)
    assert first.returncode == 1
    assert first.stderr.count("budget") >= 1 and first.stderr.count("fixloop: today's budget") == 1
    sent = len(model_server.requests)
    assert 1 <= sent < 20

    second = fixloop("fix", "app.py", cwd=tmp_path)  # a new process: the ledger remembers
    assert second.returncode == 1 and "budget" in second.stderr
    assert len(model_server.requests) == sent

    stats = fixloop("stats", "--json", cwd=tmp_path)
    assert stats.returncode == 0, stats.stderr
    data = json.loads(stats.stdout)
    assert data["workspace"] == str(tmp_path) and data["usd_per_day"] == cap
    fast = data["today"]["fast"]
    assert fast["requests"] == sent and fast["loops"] == 2 and fast["fixes"] == 0
    assert fast["input_tokens"] == 150 * sent and fast["output_tokens"] == 20 * sent
    assert data["usd_today"] == pytest.approx(sent * (150 * 10 + 20 * 2000) / 1e6)
    assert data["usd_today"] <= cap
    assert data["all_time"] == data["today"]
    assert data["ledger"] == str(state_dir / "ledger.sqlite3")

    text = fixloop("stats", cwd=tmp_path)
    assert text.returncode == 0
    assert f"today ({data['day']}): ${data['usd_today']:.4f} of ${cap:.2f}" in text.stdout
    assert "fast" in text.stdout and "all time:" in text.stdout


def test_stats_for_a_workspace_without_calls(tmp_path):
    run = fixloop("stats", cwd=tmp_path)
    assert run.returncode == 0 and "no model requests" in run.stdout
    assert fixloop("stats", "nowhere", cwd=tmp_path).returncode == 2


@pytest.mark.trust
def test_keys_never_reach_the_cli_output(tmp_path, model_server):
    key_env, key = "FIXLOOP_TEST_FAST_KEY", "sk-cli-test-99887766554433-SECRET"
    write_tier_config(tmp_path, model_server, attempts=3, fast_key_env=key_env, frontier=False)
    (tmp_path / "app.py").write_text(BROKEN)
    model_server.script(Error(400, message=f"your key {key} is odd"))
    model_server.default = Error(401, message=f"Incorrect API key provided: {key}")
    run = fixloop("fix", "--json", "app.py", cwd=tmp_path, env={key_env: key})
    assert run.returncode == 1
    assert model_server.requests[0].headers["authorization"] == f"Bearer {key}"
    assert "refused" in run.stdout
    assert key not in run.stdout + run.stderr


@pytest.mark.badinput
def test_a_missing_key_names_the_variable(tmp_path, model_server):
    write_tier_config(tmp_path, model_server, fast_key_env="FIXLOOP_TEST_UNSET_KEY", frontier=False)
    (tmp_path / "app.py").write_text(BROKEN)
    run = fixloop("fix", "app.py", cwd=tmp_path, env={"FIXLOOP_TEST_UNSET_KEY": ""})
    assert run.returncode == 1 and "FIXLOOP_TEST_UNSET_KEY" in run.stdout
    assert model_server.requests == []


def test_the_frontier_tier_stops_after_frontier_attempts(tmp_path, model_server):
    write_tier_config(
        tmp_path, model_server, attempts=1, budget="auto_escalate = true\nfrontier_attempts = 2"
    )
    (tmp_path / "app.py").write_text(BROKEN)
    model_server.default = Text("no idea")
    run = fixloop("fix", "--json", "app.py", cwd=tmp_path)
    assert run.returncode == 1
    (entry,) = json.loads(run.stdout)[0]["fixes"]
    assert entry["status"] == "gave up" and entry["tier"] == "frontier" and entry["attempts"] == 3
    assert [r.protocol for r in model_server.requests] == ["openai", "anthropic", "anthropic"]
    assert FRONTIER_MODEL == model_server.requests[1].body["model"]
