"""Each fault a model server can throw at a loop: recovered, or a failed attempt and the loop goes on.

Real HTTP to the scripted server, real verifiers, a real ledger metering every request.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import anyio
import pytest
from fixloop.budget import Ledger
from fixloop.config import ModelSettings
from fixloop.engine.loop import FixLoop, LoopLimits
from fixloop.engine.results import LoopStatus, Outcome
from fixloop.engine.spending import TierMeter
from fixloop.fakes import Error, Hang, Raw, Text, Truncated
from fixloop.providers import RetryPolicy, make_provider
from fixloop.providers.client import HttpProvider
from loops import checked
from helpers import search_replace

BROKEN = "import sys\n\n\ndef main():\n    print(sys.argv)\n    return pathlib.Path('.')\n"
FIX = search_replace("import sys", "import sys\nimport pathlib")
FAST_RETRY = RetryPolicy(base=0.05, cap=0.2)

pytestmark = pytest.mark.fault


async def make_loop(
    tmp_path,
    server,
    *,
    protocol="openai",
    stream=True,
    attempts=4,
    parallel=1,
    timeout=20.0,
    policy=FAST_RETRY,
    max_tokens=1024,
    base_url=None,
):
    broken = await checked(tmp_path, BROKEN)
    model = ModelSettings(
        protocol=protocol,
        base_url=base_url
        or (server.openai_base_url if protocol == "openai" else server.anthropic_base_url),
        model="scripted",
        usd_per_mtok_in=1.0,
        usd_per_mtok_out=2.0,
        timeout=timeout,
        stream=stream,
        max_tokens=max_tokens,
    )
    ledger = Ledger(tmp_path / "ledger.sqlite3")
    loop = FixLoop(
        snapshot=broken.snapshot,
        finding=broken.finding,
        baseline=broken.check.findings,
        verifiers=broken.verifiers,
        provider=make_provider(model, env={}, policy=policy),
        model=model,
        tier="fast",
        limits=LoopLimits(attempts, parallel, 20.0),
        verify_limiter=broken.limiter,
        meter=TierMeter(ledger, workspace=tmp_path, tier="fast", model=model, cap=10.0),
    )
    return loop, ledger


def calls(ledger: Ledger) -> list[tuple]:
    return ledger._db.execute(
        "SELECT state, reserved_usd, usd, output_tokens FROM calls ORDER BY id"
    ).fetchall()


async def test_429_waits_for_retry_after_then_recovers(tmp_path, model_server):
    model_server.script(Error(429, message="slow down", headers={"retry-after": "0.3"}), Text(FIX))
    loop, ledger = await make_loop(tmp_path, model_server)
    started = time.monotonic()
    result = await loop.run()
    assert result.status is LoopStatus.FIXED and len(result.attempts) == 1
    assert len(model_server.requests) == 2
    assert time.monotonic() - started >= 0.3  # it waited as asked before asking again
    assert [c[0] for c in calls(ledger)] == ["released", "settled"]  # each request reserved


@pytest.mark.parametrize(
    "protocol,status", [("openai", 500), ("openai", 503), ("anthropic", 529), ("anthropic", 500)]
)
async def test_server_errors_are_retried(tmp_path, model_server, protocol, status):
    model_server.script(Error(status), Text(FIX))
    loop, _ = await make_loop(tmp_path, model_server, protocol=protocol)
    result = await loop.run()
    assert result.status is LoopStatus.FIXED and len(result.attempts) == 1
    assert len(model_server.requests) == 2


async def test_errors_past_the_retries_fail_the_attempt_and_the_loop_goes_on(
    tmp_path, model_server
):
    model_server.script(Error(529), Error(529), Error(529), Text(FIX))
    loop, _ = await make_loop(tmp_path, model_server, protocol="anthropic")
    result = await loop.run()
    assert result.status is LoopStatus.FIXED
    first, second = result.attempts
    assert first.outcome is Outcome.PROVIDER_ERROR and "HTTP 529" in first.reason
    assert second.outcome is Outcome.VERIFIED
    assert len(model_server.requests) == 4


@pytest.mark.parametrize(
    "fault,stream,reason",
    [
        (Raw(200, b'{"choices": [{"message": '), False, "not JSON"),
        (Raw(200, b'{"choices": []}'), False, "no choices"),
        (Text(""), True, "no text"),
        (Truncated(FIX), False, "cut off"),
        (Truncated(FIX), True, "cut off"),
    ],
    ids=["malformed-json", "no-choices", "empty", "truncated-body", "cut-stream"],
)
async def test_a_broken_reply_is_a_failed_attempt(tmp_path, model_server, fault, stream, reason):
    model_server.script(fault, Text(FIX))
    loop, ledger = await make_loop(tmp_path, model_server, stream=stream)
    result = await loop.run()
    assert result.status is LoopStatus.FIXED
    first, second = result.attempts
    assert first.outcome is Outcome.PROVIDER_ERROR and reason in first.reason
    assert second.outcome is Outcome.VERIFIED
    # The broken reply came with a 200: it may have been billed, so it is settled, not released.
    assert calls(ledger)[0][0] == "settled"


@pytest.mark.parametrize("protocol", ["openai", "anthropic"])
async def test_a_cut_stream_is_settled_with_what_arrived(tmp_path, model_server, protocol):
    model_server.script(Truncated("x" * 400), Text(FIX))
    loop, ledger = await make_loop(tmp_path, model_server, protocol=protocol, max_tokens=1000)
    result = await loop.run()
    assert result.status is LoopStatus.FIXED and "cut off" in result.attempts[0].reason
    state, reserved, usd, output_tokens = calls(ledger)[0]
    assert state == "settled" and 100 <= output_tokens < 1000 and usd < reserved


@pytest.mark.parametrize("stream", [True, False])
async def test_a_hang_past_the_timeout_fails_the_attempt(tmp_path, model_server, stream):
    model_server.script(Hang(), Text(FIX))
    loop, _ = await make_loop(tmp_path, model_server, timeout=0.5, stream=stream)
    with anyio.fail_after(15):
        result = await loop.run()
    assert result.status is LoopStatus.FIXED
    assert "no complete reply within 0.5 s" in result.attempts[0].reason
    await model_server.await_disconnects(1)
    assert len(model_server.requests) == 2  # a timeout is not retried: the next attempt asks again


async def test_a_stalled_stream_times_out_too(tmp_path, model_server):
    model_server.script(Text(FIX * 20, tokens_per_second=2), Text(FIX))
    loop, _ = await make_loop(tmp_path, model_server, timeout=0.8)
    with anyio.fail_after(15):
        result = await loop.run()
    assert result.status is LoopStatus.FIXED
    assert "0.8 s" in result.attempts[0].reason


async def test_a_resting_provider_fails_attempts_without_requests(tmp_path, model_server):
    model_server.default = Raw(200, b"<html>bad gateway</html>")
    policy = RetryPolicy(failures_to_rest=2, rest=60.0)
    loop, _ = await make_loop(tmp_path, model_server, policy=policy, attempts=4)
    with anyio.fail_after(15), anyio.move_on_after(2):  # the rest outlasts this deadline
        await loop.run()
    assert len(model_server.requests) == 2
    assert "resting" in loop.attempts[-1].reason
    assert isinstance(loop.provider, HttpProvider) and loop.provider.health().state.value == "down"


async def test_the_losing_stream_is_dropped_as_soon_as_another_wins(tmp_path, model_server):
    slow = Text(FIX + "\n" + "x" * 2000, tokens_per_second=20)
    model_server.script(slow, Text(FIX, delay=0.3))
    loop, ledger = await make_loop(tmp_path, model_server, attempts=2, parallel=2, max_tokens=1000)
    with anyio.fail_after(15):
        result = await loop.run()
        assert result.status is LoopStatus.FIXED
        await model_server.await_disconnects(1)
    rows = calls(ledger)
    assert len(rows) == 2 and all(state == "settled" for state, *_ in rows)
    # The dropped stream is settled with what had arrived (and a margin), not at its worst case.
    assert all(usd < reserved and tokens < 1000 for _, reserved, usd, tokens in rows)


# --- the server cannot be reached -----------------------------------------------------


async def test_connection_refused_fails_each_attempt_and_bills_nothing(tmp_path, model_server):
    # A port that is bound but not listening refuses every connection, and no one else gets it.
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
        loop, ledger = await make_loop(
            tmp_path, model_server, attempts=2, base_url=f"http://127.0.0.1:{port}/v1"
        )
        with anyio.fail_after(15):
            result = await loop.run()
    assert result.status is LoopStatus.GAVE_UP and len(result.attempts) == 2
    for attempt in result.attempts:
        assert attempt.outcome is Outcome.PROVIDER_ERROR
        assert f"cannot reach the model server at http://127.0.0.1:{port}/v1" in attempt.reason
    # Each attempt tried three times (refusals are retried); nothing was billed.
    assert [c[0] for c in calls(ledger)] == ["released"] * 6


async def test_an_unresolvable_host_is_a_clear_failed_attempt(tmp_path, model_server):
    # `.invalid` never resolves (RFC 2606): no request can leave the machine.
    url = "http://fixloop-nonexistent.invalid/v1"
    loop, ledger = await make_loop(tmp_path, model_server, attempts=1, base_url=url, timeout=5)
    with anyio.fail_after(30):
        result = await loop.run()
    (attempt,) = result.attempts
    assert result.status is LoopStatus.GAVE_UP and attempt.outcome is Outcome.PROVIDER_ERROR
    assert "fixloop-nonexistent.invalid" in attempt.reason
    assert {c[0] for c in calls(ledger)} == {"released"}
    assert model_server.requests == []


# --- replies with nothing in them -----------------------------------------------------


def sse(*events: dict | str) -> bytes:
    return b"".join(
        b"data: " + (e if isinstance(e, str) else json.dumps(e)).encode() + b"\n\n" for e in events
    )


@pytest.mark.parametrize(
    "protocol,fault",
    [
        (
            "openai",
            Raw(
                200,
                sse({"choices": []}, {"choices": [], "usage": None}, "[DONE]"),
                "text/event-stream",
            ),
        ),
        (
            "openai",
            Raw(200, b'{"choices": [{"message": {"content": null}, "finish_reason": "stop"}]}'),
        ),
        ("anthropic", Raw(200, b'{"type": "message", "content": [], "stop_reason": "end_turn"}')),
    ],
    ids=["openai-stream-empty-choices", "openai-null-content", "anthropic-empty-content"],
)
async def test_an_empty_reply_is_a_failed_attempt(tmp_path, model_server, protocol, fault):
    model_server.script(fault, Text(FIX))
    loop, _ = await make_loop(tmp_path, model_server, protocol=protocol)
    result = await loop.run()
    assert result.status is LoopStatus.FIXED
    first, second = result.attempts
    assert first.outcome is Outcome.PROVIDER_ERROR and "no text" in first.reason
    assert second.outcome is Outcome.VERIFIED


# --- replies of several megabytes -----------------------------------------------------


def scripted_process(tmp_path: Path, replies: list[dict]):
    """The scripted server in a process of its own, so that its megabytes are not ours."""
    script = tmp_path / "script.json"
    script.write_text(json.dumps({"replies": replies}))
    process = subprocess.Popen(
        [sys.executable, "-m", "fixloop.fakes", "--script", str(script)],
        stdout=subprocess.PIPE,
        text=True,
    )
    line = process.stdout.readline()
    assert line.startswith("PORT "), line
    return process, int(line.split()[1])


BIG = 16 * 1024 * 1024


@pytest.mark.parametrize(
    "stream,reply,reason",
    [
        (False, {"kind": "text", "content": "x" * BIG}, "over the 1048576-byte cap"),
        (
            True,
            {
                "kind": "raw",
                "status": 200,
                "content_type": "text/event-stream",
                "body": sse({"choices": [{"index": 0, "delta": {"content": "x" * BIG}}]}).decode(),
            },
            "longer than 1048576 characters",
        ),
        (
            True,
            {
                "kind": "raw",
                "status": 200,
                "content_type": "text/event-stream",
                "body": sse(
                    *[{"choices": [{"index": 0, "delta": {"content": "y" * (1 << 18)}}]}]
                    * (BIG >> 18),
                    "[DONE]",
                ).decode(),
            },
            "passed 1048576 characters",
        ),
    ],
    ids=["json-body", "one-giant-event", "many-events"],
)
async def test_a_reply_of_megabytes_is_dropped_in_bounded_memory(tmp_path, stream, reply, reason):
    process, port = scripted_process(tmp_path, [reply, {"kind": "text", "content": FIX}])
    try:
        loop, ledger = await make_loop(
            tmp_path, None, stream=stream, base_url=f"http://127.0.0.1:{port}/v1"
        )
        tracemalloc.start()
        try:
            with anyio.fail_after(60):
                result = await loop.run()
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    finally:
        process.terminate()
        process.wait(10)
    assert result.status is LoopStatus.FIXED
    first, second = result.attempts
    assert first.outcome is Outcome.PROVIDER_ERROR and reason in first.reason
    assert second.outcome is Outcome.VERIFIED
    assert peak < BIG / 4, f"peak {peak} bytes for a {BIG}-byte reply"
    # It may have been billed: settled, at no more than max_tokens.
    state, reserved, usd, output_tokens = calls(ledger)[0]
    assert state == "settled" and output_tokens <= 1024 and usd <= reserved


# --- replies in the wrong language ----------------------------------------------------


@pytest.mark.parametrize(
    "reply,outcome,reason",
    [
        (
            "Je ne peux pas corriger ce code : il manque l'importation de pathlib.",
            Outcome.PARSE_ERROR,
            "no code block",
        ),
        ("这段代码缺少 pathlib 的导入。请添加 import 语句。", Outcome.PARSE_ERROR, "no code block"),
        (
            search_replace(
                "import sys", "const sys = require('sys');\nconst pathlib = require('path');"
            ),
            Outcome.FAILED,
            "python SyntaxError",
        ),
        (
            "```javascript\nconst path = require('path');\nfunction main() { return path.resolve('.'); }\n```",
            Outcome.REJECTED,
            "deletes code",
        ),
        (
            (
                "```js\nconst sys = require('sys');\n\nfunction main() {\n    print(sys.argv)\n"
                "    return pathlib.Path('.')\n}\n```"
            ),
            Outcome.FAILED,
            "python SyntaxError",
        ),
    ],
    ids=[
        "french-prose",
        "chinese-prose",
        "javascript-edit",
        "javascript-window",
        "javascript-keeping-lines",
    ],
)
async def test_a_reply_in_the_wrong_language_fails_with_a_reason(
    tmp_path, model_server, reply, outcome, reason
):
    model_server.script(Text(reply), Text(FIX))
    loop, _ = await make_loop(tmp_path, model_server)
    result = await loop.run()
    assert result.status is LoopStatus.FIXED
    first, second = result.attempts
    assert first.outcome is outcome and reason in first.reason, first
    assert second.outcome is Outcome.VERIFIED
    # The failure is fed to the next attempt, so the model hears what was wrong.
    assert first.reason in model_server.requests[1].prompt_text
