"""End to end through pytest-lsp: escalation to the frontier tier, the budget stop, keys and status."""

from __future__ import annotations

import re
import sqlite3
import sys
from pathlib import Path

import pytest
import pytest_lsp
from fixloop.fakes import Error, Hang, Raw, Text
from helpers import search_replace
from lsprotocol import types as T
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from lspclient import Client, apply_text_edits, edits_of, start
from tiers import FRONTIER_KEY, FRONTIER_KEY_ENV, FRONTIER_MODEL, write_tier_config

pytestmark = pytest.mark.e2e

BROKEN = "import sys\n\n\ndef main():\n    print(sys.argv)\n    return pathlib.Path('.')\n"
FIXED = BROKEN.replace("import sys\n", "import sys\nimport pathlib\n")
FIX = search_replace("import sys", "import sys\nimport pathlib")
OTHER = "import os\n\n\ndef other():\n    return collections.OrderedDict()\n"
FAST_KEY_ENV = "FIXLOOP_TEST_FAST_KEY"
FAST_KEY = "sk-fast-test-1b2c3d4e5f60718293a4-SECRET"


@pytest.fixture(autouse=True)
def keys(monkeypatch):
    # Set before the server starts (autouse fixtures come first): it inherits them.
    monkeypatch.setenv(FRONTIER_KEY_ENV, FRONTIER_KEY)
    monkeypatch.setenv(FAST_KEY_ENV, FAST_KEY)


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=[sys.executable, "-m", "fixloop", "serve"]),
    params=["visual-studio-code"],
)
async def lsp(lsp_client: LanguageClient, request, tmp_path, model_server):
    client = await start(lsp_client, model_server, tmp_path, client_capabilities(request.param))
    yield
    await client.close()


@pytest.fixture
def client(lsp) -> Client:
    return lsp.fixloop


def by_protocol(fast, frontier):
    return lambda request: fast if request.protocol == "openai" else frontier


async def target(client: Client, uri: str, code: str = "F821") -> T.Diagnostic:
    (diagnostic,) = [d for d in await client.wait_diagnostics(uri, 1) if d.code == code]
    return diagnostic


def ledger_rows(state_dir: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(state_dir / "ledger.sqlite3") as db:
        return db.execute(sql).fetchall()


async def test_escalation_end_to_end(client: Client, state_dir):
    write_tier_config(client.root, client.model, attempts=2)
    client.model.responder = by_protocol(Text("I cannot fix this."), Text(FIX))
    uri = await client.open("app.py", BROKEN)
    diagnostic = await target(client, uri)
    await client.wait_log(r"F821 line 6 \(fast\): gave up after 2 attempt")

    actions = await client.actions(uri, diagnostic)
    titles = [a.title for a in actions]
    assert any(t.startswith("fixloop: retry fixing F821") for t in titles)
    (escalate,) = [a for a in actions if a.command and a.command.command == "fixloop.escalate"]
    match = re.fullmatch(
        rf"fixloop: escalate to {FRONTIER_MODEL} \(≈ \$(\d+\.\d\d)\)", escalate.title
    )
    assert (
        match and float(match.group(1)) >= 0.01
    )  # 2 attempts × (prompt × $3 + 512 × $15 per Mtok)
    assert escalate.command.arguments[0] == uri
    assert len(client.model.requests) == 2

    assert await client.execute(escalate.command) is True
    await client.wait_status(lambda s: s["fixes"] >= 1)
    (action,) = await client.actions(uri, diagnostic)
    assert action.title == "fixloop: import pathlib" and action.is_preferred
    if action.edit is None:
        action = await client.lsp.code_action_resolve_async(action)
    assert apply_text_edits(BROKEN, edits_of(action.edit, uri, 1), client.encoding) == FIXED

    frontier = [r for r in client.model.requests if r.protocol == "anthropic"]
    assert len(frontier) == 1 and frontier[0].path == "/v1/messages"
    assert frontier[0].headers["x-api-key"] == FRONTIER_KEY
    assert frontier[0].headers["anthropic-version"] == "2023-06-01"
    assert frontier[0].body["model"] == FRONTIER_MODEL and frontier[0].body["stream"] is True
    # The fast tier's failures are the frontier's context.
    assert "Earlier attempts failed" in frontier[0].prompt_text
    assert "unusable reply" in frontier[0].prompt_text

    stats = await client.lsp.workspace_execute_command_async(
        T.ExecuteCommandParams(command="fixloop.stats")
    )
    (workspace,) = stats["workspaces"]
    assert workspace["workspace"] == str(client.root)
    assert workspace["today"]["fast"]["requests"] == 2 and workspace["today"]["fast"]["fixes"] == 0
    assert (
        workspace["today"]["frontier"]["requests"] == 1
        and workspace["today"]["frontier"]["fixes"] == 1
    )
    spent = ledger_rows(state_dir, "SELECT SUM(usd) FROM calls WHERE state = 'settled'")[0][0]
    assert stats["usd_spent"] == pytest.approx(spent) and spent > 0


async def test_escalation_on_request_drops_the_running_fast_attempt(client: Client):
    write_tier_config(client.root, client.model, attempts=4)
    client.model.responder = by_protocol(Hang(), Text(FIX, delay=0.1))
    uri = await client.open("app.py", BROKEN)
    diagnostic = await target(client, uri)
    await client.model.await_requests(1)
    await client.wait_status(lambda s: s["running"] == 1)
    actions = await client.actions(uri, diagnostic)
    assert actions[0].disabled is not None and "fixing F821" in actions[0].title
    (escalate,) = [a for a in actions if a.command and a.command.command == "fixloop.escalate"]
    assert FRONTIER_MODEL in escalate.title

    assert await client.execute(escalate.command) is True
    await client.model.await_disconnects(1)  # the fast request was dropped
    await client.wait_status(lambda s: s["fixes"] >= 1)
    (action,) = await client.actions(uri, diagnostic)
    assert action.title == "fixloop: import pathlib"
    assert [r.protocol for r in client.model.requests] == ["openai", "anthropic"]


async def test_auto_escalate_needs_no_click(client: Client):
    write_tier_config(client.root, client.model, attempts=1, budget="auto_escalate = true")
    client.model.responder = by_protocol(Text("no idea"), Text(FIX))
    uri = await client.open("app.py", BROKEN)
    await target(client, uri)
    await client.wait_status(lambda s: s["fixes"] >= 1)
    assert [r.protocol for r in client.model.requests] == ["openai", "anthropic"]


async def test_the_budget_stop(client: Client, state_dir):
    cap = 0.5
    # Each request reserves tenths of a dollar: input at a token per prompt byte, output at
    # max_tokens.
    write_tier_config(
        client.root,
        client.model,
        attempts=20,
        frontier=False,
        fast_prices=(10.0, 2000.0),
        fast_max_tokens=100,
        budget=f"usd_per_day = {cap}",
    )
    client.model.default = Text("no idea", usage=(150, 20))
    uri = await client.open("app.py", BROKEN)
    await target(client, uri)
    await client.wait_log(r"F821 line 6 \(fast\): over budget")
    sent = len(client.model.requests)
    assert sent >= 1

    # Another diagnostic: its loop is refused before sending anything, and no second warning.
    other = await client.open("other.py", OTHER)
    await target(client, other)
    await client.wait_log(r"\(fast\): over budget", count=2)
    assert len(client.model.requests) == sent
    warnings = [m for m in client.shown if "budget" in m]
    assert len(warnings) == 1, client.shown
    assert "usd_per_day" in warnings[0]

    reserved, spent = ledger_rows(
        state_dir,
        "SELECT MAX(reserved_usd), SUM(CASE state WHEN 'settled' THEN usd ELSE 0 END) FROM calls",
    )[0]
    assert spent <= cap + reserved
    status = await client.wait_status(lambda s: s["usd_spent"] == pytest.approx(spent, abs=1e-6))
    assert status["usd_budget"] == cap


@pytest.mark.fault
async def test_a_failing_provider_shows_as_down(client: Client):
    write_tier_config(client.root, client.model, attempts=8, seconds=4, frontier=False)
    client.model.default = Raw(200, b"{not json")
    uri = await client.open("app.py", BROKEN)
    await target(client, uri)
    status = await client.wait_status(lambda s: s.get("down"))
    assert "scripted-fast" in status["down"][0] and "not JSON" in status["down"][0]
    await client.wait_log(r"\(fast\): timed out")
    assert len(client.model.requests) == 5  # resting after five failures in a row


@pytest.mark.trust
async def test_keys_never_reach_logs_messages_stderr_or_the_ledger(
    client: Client, state_dir, capfd
):
    write_tier_config(client.root, client.model, attempts=3, fast_key_env=FAST_KEY_ENV)
    client.model.script(
        Raw(200, f'{{"error": "bad key {FAST_KEY}"}}'.encode()),
        Text("no idea"),
    )
    client.model.default = Error(401, message=f"Incorrect API key provided: {FAST_KEY}")
    uri = await client.open("app.py", BROKEN)
    diagnostic = await target(client, uri)
    await client.wait_log(r"\(fast\): stopped")
    assert client.model.requests[0].headers["authorization"] == f"Bearer {FAST_KEY}"  # it was used
    actions = await client.actions(uri, diagnostic)
    (escalate,) = [a for a in actions if a.command and a.command.command == "fixloop.escalate"]
    client.model.default = Error(401, message=f"invalid x-api-key {FRONTIER_KEY}")
    await client.execute(escalate.command)
    await client.wait_log(r"\(frontier\): stopped")
    await client.shutdown()
    stderr = capfd.readouterr().err
    assert "refused" in stderr  # the server did log the failures
    everything = "\n".join([*client.logs, *client.shown, stderr])
    for key in (FAST_KEY, FRONTIER_KEY):
        assert key not in everything
        for name in ("ledger.sqlite3", "ledger.sqlite3-wal"):
            path = state_dir / name
            assert not path.exists() or key.encode() not in path.read_bytes()


async def test_cancel_and_retry_keep_working(client: Client):
    write_tier_config(client.root, client.model, attempts=3)
    client.model.responder = by_protocol(Hang(), Text(FIX))
    uri = await client.open("app.py", BROKEN)
    diagnostic = await target(client, uri)
    await client.model.await_requests(1)
    await client.wait_status(lambda s: s["running"] == 1)
    (_, escalate) = await client.actions(uri, diagnostic)
    uri_arg, finding_id = escalate.command.arguments
    cancel = T.Command(title="cancel", command="fixloop.cancel", arguments=[uri_arg, finding_id])
    assert await client.execute(cancel) is True
    await client.model.await_disconnects(1)
    titles = [a.title for a in await client.actions(uri, diagnostic)]
    assert titles[0] == "fixloop: retry fixing F821 (cancelled)" and "escalate" in titles[1]

    client.model.responder = by_protocol(Text(FIX), Text(FIX))
    assert (
        await client.execute(
            T.Command(title="retry", command="fixloop.retry", arguments=[uri_arg, finding_id])
        )
        is True
    )
    await client.wait_status(lambda s: s["fixes"] >= 1)
    assert [r.protocol for r in client.model.requests] == [
        "openai",
        "openai",
    ]  # the fast tier again


@pytest.mark.fault
async def test_shutting_down_with_requests_in_flight_is_clean(client: Client, capfd):
    write_tier_config(client.root, client.model, attempts=3, parallel=2)
    client.model.default = Hang()
    uri = await client.open("app.py", BROKEN)
    await target(client, uri)
    await client.model.await_requests(2)
    await client.shutdown()
    assert client.lsp._server.returncode == 0
    assert "Error sending data" not in capfd.readouterr().err
