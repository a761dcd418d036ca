"""The simulated model server: real OpenAI and Anthropic HTTP through the product's providers,
paced by deadline, answering the ground truth or a wrong reply, and noticing cancellation."""

from __future__ import annotations

import time

import anyio
import pytest

from fixloop.benchmark.oracle import RIGHT
from fixloop.benchmark.profiles import WRONG_KINDS, Profile
from fixloop.benchmark.simserver import (
    Session,
    SimulatedModels,
    SimulatedModelServer,
    base_url,
)
from fixloop.config import ModelSettings
from fixloop.engine.replies import ReplyError, apply_reply, parse_reply
from fixloop.engine.window import Region, Window
from fixloop.providers import BadReply, ChatRequest, FatalProviderError, Message, make_provider

BEFORE = '"""A module."""\n\n\ndef double(value):\n    return 2 * valeu\n'
AFTER = '"""A module."""\n\n\ndef double(value):\n    return 2 * value\n'
SYSTEM = "Reply with one or more SEARCH/REPLACE blocks and nothing else."
PROMPT = "Editable region (lines 1-5; the numbers are not part of the file):\n..."
SLACK = 2.0  # a loaded machine may be late; it is never early


@pytest.fixture
def corpus(tmp_path):
    case = tmp_path / "corpus" / "001-misspell"
    (case / "before").mkdir(parents=True)
    (case / "after").mkdir()
    (case / "before" / "module.py").write_text(BEFORE)
    (case / "after" / "module.py").write_text(AFTER)
    (case / "case.toml").write_text(
        'file = "module.py"\nverifier = "ruff"\ncode = "F821"\nline = 5\nkind = "misspell"\n'
    )
    return tmp_path / "corpus"


def serve(corpus, **profile):
    models = SimulatedModels({"sim": Profile(name="sim", **profile)}, corpus, seed=1)
    return models, SimulatedModelServer(models)


def settings(server, protocol="openai", *, stream=True, max_tokens=1024, repeat=0):
    session = Session("sim", "001-misspell", "test", repeat)
    return ModelSettings(
        protocol=protocol,
        base_url=base_url(server.port, session, protocol),
        model="sim",
        stream=stream,
        max_tokens=max_tokens,
    )


def request(max_tokens=1024):
    return ChatRequest(system=SYSTEM, messages=(Message("user", PROMPT),), max_tokens=max_tokens)


@pytest.mark.parametrize("protocol", ["openai", "anthropic"])
@pytest.mark.parametrize("stream", [True, False])
async def test_a_right_answer_is_the_ground_truth_at_the_profiles_pace(corpus, protocol, stream):
    models, server = serve(corpus, protocol=protocol, ttft=0.3, tokens_per_second=200, p_right=1.0)
    with server:
        provider = make_provider(settings(server, protocol, stream=stream), {})
        started = time.perf_counter()
        completion = await provider.complete(request())
        elapsed = time.perf_counter() - started
        await provider.aclose()
    (record,) = models.records
    window = Window((Region(0, 5),), 0)
    assert apply_reply(BEFORE, window, parse_reply(completion.text)) == (AFTER,)
    assert record["answer"] == RIGHT and record["completed"] and record["protocol"] == protocol
    assert completion.output_tokens == record["output_tokens"] > 1
    assert completion.input_tokens == record["input_tokens"] > 1
    intended = 0.3 + (record["output_tokens"] - 1) / 200
    assert record["intended_seconds"] == pytest.approx(intended)
    assert intended <= record["seconds"] <= elapsed < intended + SLACK


async def test_the_first_token_waits_for_ttft_and_the_rest_for_tokens_per_second(corpus):
    fast_start, server = serve(corpus, ttft=0.0, tokens_per_second=40, p_right=1.0)
    with server:
        provider = make_provider(settings(server), {})
        completion = await provider.complete(request())
        await provider.aclose()
    tokens = completion.output_tokens
    assert tokens >= 10  # so that the pace, not the first token, makes the time
    assert (tokens - 1) / 40 <= completion.seconds < (tokens - 1) / 40 + SLACK
    slow_start, server = serve(corpus, ttft=0.8, tokens_per_second=1e6, p_right=1.0)
    with server:
        provider = make_provider(settings(server), {})
        completion = await provider.complete(request())
        await provider.aclose()
    assert 0.8 <= completion.seconds < 0.8 + SLACK


async def test_a_wrong_answer_is_a_near_miss_a_cheat_or_unusable(corpus):
    models, server = serve(corpus, ttft=0.0, tokens_per_second=1e6, p_right=0.0)
    with server:
        provider = make_provider(settings(server), {})
        texts = [(await provider.complete(request())).text for _ in range(12)]
        await provider.aclose()
    kinds = {r["answer"] for r in models.records}
    assert kinds <= set(WRONG_KINDS) and len(kinds) >= 2
    window = Window((Region(0, 5),), 0)
    for text in texts:
        try:
            assert apply_reply(BEFORE, window, parse_reply(text)) != (AFTER,)
        except ReplyError:
            pass  # unusable


async def test_the_same_seed_gives_the_same_answers(corpus):
    answers = []
    for _ in range(2):
        models, server = serve(corpus, ttft=0.0, tokens_per_second=1e6, p_right=0.5)
        with server:
            provider = make_provider(settings(server), {})
            for _ in range(6):
                await provider.complete(request())
            await provider.aclose()
        answers.append([r["answer"] for r in models.records])
    assert answers[0] == answers[1]


async def test_a_reply_longer_than_max_tokens_is_cut_with_the_length_stop(corpus):
    models, server = serve(corpus, ttft=0.0, tokens_per_second=1e6, p_right=1.0)
    with server:
        provider = make_provider(settings(server, max_tokens=5), {})
        with pytest.raises(BadReply, match="max_tokens"):
            await provider.complete(request(max_tokens=5))
        await provider.aclose()
    assert models.records[0]["output_tokens"] == 5


async def test_a_cancelled_request_stops_the_stream(corpus):
    models, server = serve(corpus, ttft=30.0, tokens_per_second=10, p_right=1.0)
    with server:
        provider = make_provider(settings(server), {})
        with anyio.move_on_after(0.3) as scope:
            await provider.complete(request())
        assert scope.cancelled_caught
        await provider.aclose()
        (record,) = await anyio.to_thread.run_sync(models.wait_for_records, 1, 10.0)
    assert record["completed"] is False
    assert record["seconds"] < 10  # it noticed the hang-up, long before its 30 s first token


async def test_an_unknown_case_or_profile_is_not_found(corpus):
    models, server = serve(corpus)
    with server:
        for session in (
            Session("sim", "no-such-case", "t", 0),
            Session("nope", "001-misspell", "t", 0),
        ):
            model = ModelSettings(base_url=base_url(server.port, session, "openai"), model="sim")
            provider = make_provider(model, {})
            with pytest.raises(FatalProviderError, match="not found"):
                await provider.complete(request())
            await provider.aclose()
    assert models.records == []
