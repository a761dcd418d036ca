"""Both protocols, streamed and not, over real HTTP to the scripted server, metered by a real ledger."""

from __future__ import annotations

import json

import anyio
import pytest
from fixloop.budget import CallState, Ledger
from fixloop.config import ModelSettings
from fixloop.engine.spending import TierMeter, prompt_tokens
from fixloop.fakes import Error, Raw, Text
from fixloop.providers import (
    BadReply,
    ChatRequest,
    FatalProviderError,
    HealthState,
    Message,
    ProviderDown,
    RetryPolicy,
    make_provider,
)

KEY_ENV = "FIXLOOP_TEST_KEY"
KEY = "sk-test-0123456789abcdef-SECRET"
REQUEST = ChatRequest(
    system="You fix code.", messages=(Message("user", "fix line 3"),), max_tokens=200
)
FAST_RETRY = RetryPolicy(base=0.05, cap=0.2)


def model(server, protocol="openai", *, stream=True, key=True, **extra) -> ModelSettings:
    url = server.openai_base_url if protocol == "openai" else server.anthropic_base_url
    return ModelSettings(
        protocol=protocol,
        base_url=url,
        model=f"scripted-{protocol}",
        api_key_env=KEY_ENV if key else None,
        usd_per_mtok_in=2.0,
        usd_per_mtok_out=10.0,
        stream=stream,
        **extra,
    )


def metered(tmp_path, settings: ModelSettings, cap: float = 10.0):
    ledger = Ledger(tmp_path / "ledger.sqlite3")
    return ledger, TierMeter(ledger, workspace=tmp_path, tier="fast", model=settings, cap=cap)


def calls(ledger: Ledger) -> list[tuple]:
    return ledger._db.execute(
        "SELECT state, reserved_usd, usd, input_tokens, output_tokens FROM calls ORDER BY id"
    ).fetchall()


@pytest.mark.parametrize("stream", [True, False])
async def test_openai(tmp_path, model_server, stream):
    model_server.script(Text("the fix", usage=(120, 7)))
    settings = model(model_server, stream=stream)
    provider = make_provider(settings, env={KEY_ENV: KEY})
    ledger, meter = metered(tmp_path, settings)
    completion = await provider.complete(REQUEST, meter)
    assert (completion.text, completion.input_tokens, completion.output_tokens) == (
        "the fix",
        120,
        7,
    )
    (request,) = model_server.requests
    assert request.path == "/v1/chat/completions"
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert request.body["messages"][0] == {"role": "system", "content": "You fix code."}
    assert request.body["max_tokens"] == 200
    assert bool(request.body.get("stream")) is stream
    if stream:
        assert request.body["stream_options"] == {"include_usage": True}
    ((state, reserved, usd, tokens_in, tokens_out),) = calls(ledger)
    assert state == CallState.SETTLED.value and (tokens_in, tokens_out) == (120, 7)
    assert reserved == pytest.approx((prompt_tokens(REQUEST) * 2 + 200 * 10) / 1e6)
    assert usd == pytest.approx((120 * 2 + 7 * 10) / 1e6)
    await provider.aclose()


@pytest.mark.parametrize("stream", [True, False])
async def test_anthropic(tmp_path, model_server, stream):
    model_server.script(Text("the fix", usage=(150, 9)))
    settings = model(model_server, "anthropic", stream=stream)
    provider = make_provider(settings, env={KEY_ENV: KEY})
    ledger, meter = metered(tmp_path, settings)
    completion = await provider.complete(REQUEST, meter)
    assert (completion.text, completion.input_tokens, completion.output_tokens) == (
        "the fix",
        150,
        9,
    )
    (request,) = model_server.requests
    assert request.protocol == "anthropic" and request.path == "/v1/messages"
    assert (
        request.headers["x-api-key"] == KEY and request.headers["anthropic-version"] == "2023-06-01"
    )
    assert "authorization" not in request.headers
    assert request.body["system"] == "You fix code."
    assert request.body["messages"] == [{"role": "user", "content": "fix line 3"}]
    assert bool(request.body.get("stream")) is stream
    ((state, _, usd, tokens_in, tokens_out),) = calls(ledger)
    assert (state, tokens_in, tokens_out) == ("settled", 150, 9)
    assert usd == pytest.approx((150 * 2 + 9 * 10) / 1e6)
    await provider.aclose()


@pytest.mark.badinput
def test_a_missing_key_names_the_variable(model_server):
    with pytest.raises(FatalProviderError) as missing:
        make_provider(model(model_server, "anthropic"), env={})
    assert KEY_ENV in str(missing.value) and "scripted-anthropic" in str(missing.value)


async def test_a_local_server_needs_no_key(model_server):
    model_server.script(Text("ok"))
    provider = make_provider(model(model_server, key=False), env={})
    await provider.complete(REQUEST)
    assert "authorization" not in model_server.requests[0].headers
    await provider.aclose()


@pytest.mark.trust
@pytest.mark.parametrize("protocol", ["openai", "anthropic"])
async def test_the_key_never_appears_in_errors(tmp_path, model_server, protocol):
    model_server.script(Error(401, message=f"Incorrect API key provided: {KEY}"))
    settings = model(model_server, protocol)
    provider = make_provider(settings, env={KEY_ENV: KEY})
    ledger, meter = metered(tmp_path, settings)
    with pytest.raises(FatalProviderError) as refused:
        await provider.complete(REQUEST, meter)
    assert KEY not in str(refused.value) and "[redacted]" in str(refused.value)
    assert calls(ledger)[0][0] == "released"  # a refused key is not billed
    assert KEY.encode() not in (tmp_path / "ledger.sqlite3").read_bytes()
    await provider.aclose()


@pytest.mark.fault
@pytest.mark.parametrize("protocol", ["openai", "anthropic"])
async def test_a_reply_stopped_at_max_tokens_is_bad_but_billed(tmp_path, model_server, protocol):
    model_server.script(Text("<<<<<<< SEARCH\nimport", usage=(80, 200), finish_reason="length"))
    settings = model(model_server, protocol)
    provider = make_provider(settings, env={KEY_ENV: KEY})
    ledger, meter = metered(tmp_path, settings)
    with pytest.raises(BadReply, match="max_tokens"):
        await provider.complete(REQUEST, meter)
    assert calls(ledger)[0][3:] == (80, 200)
    await provider.aclose()


@pytest.mark.fault
async def test_an_overloaded_event_mid_stream_is_retried(tmp_path, model_server):
    overloaded = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
    body = b"event: error\ndata: " + json.dumps(overloaded).encode() + b"\n\n"
    model_server.script(Raw(200, body, content_type="text/event-stream"), Text("fine"))
    settings = model(model_server, "anthropic")
    provider = make_provider(settings, env={KEY_ENV: KEY}, policy=FAST_RETRY)
    ledger, meter = metered(tmp_path, settings)
    completion = await provider.complete(REQUEST, meter)
    assert completion.text == "fine" and completion.requests == 2
    assert [c[0] for c in calls(ledger)] == ["settled", "settled"]  # a 200 may have been billed
    await provider.aclose()


@pytest.mark.fault
async def test_a_provider_that_keeps_failing_rests(tmp_path, model_server):
    model_server.default = Raw(200, b"{broken")
    policy = RetryPolicy(failures_to_rest=3, rest=60.0)
    provider = make_provider(model(model_server, key=False), env={}, policy=policy)
    for _ in range(3):
        with pytest.raises(BadReply):
            await provider.complete(REQUEST)
    health = provider.health()
    assert health.state is HealthState.DOWN and "3 failed call(s)" in health.reason
    assert "not JSON" in health.reason and health.seconds_left > 50
    with pytest.raises(ProviderDown):
        await provider.complete(REQUEST)
    assert len(model_server.requests) == 3  # resting: nothing sent
    await provider.aclose()


@pytest.mark.fault
async def test_a_retry_that_cannot_finish_before_the_deadline_is_not_waited_for(model_server):
    model_server.script(Error(429, headers={"retry-after": "5"}), Text("late"))
    provider = make_provider(model(model_server, key=False), env={})
    with anyio.fail_after(3):
        with anyio.move_on_after(2):  # the loop's deadline
            with pytest.raises(Exception, match="HTTP 429"):
                await provider.complete(REQUEST)
    assert len(model_server.requests) == 1
    await provider.aclose()


async def test_many_requests_in_flight_share_small_pools_and_keep_their_connections(model_server):
    import threading

    from fixloop.providers.pool import SIZE

    release = threading.Event()
    in_flight = SIZE + 4

    def responder(request):
        release.wait(20)
        return Text("fixed")

    model_server.responder = responder
    provider = make_provider(model(model_server, key=False), env={})
    answers = []

    async def ask() -> None:
        answers.append(await provider.complete(REQUEST))

    with anyio.fail_after(30):
        async with anyio.create_task_group() as tg:
            for _ in range(in_flight):
                tg.start_soon(ask)
            await model_server.await_requests(in_flight)
            pool = provider._client
            assert len(pool._clients) == 2 and sorted(pool._busy) == [4, SIZE]
            release.set()
        async with anyio.create_task_group() as tg:  # again: the same two clients serve them
            for _ in range(in_flight):
                tg.start_soon(ask)
    assert [a.text for a in answers] == ["fixed"] * (2 * in_flight)
    assert len(pool._clients) == 2
    await provider.aclose()
