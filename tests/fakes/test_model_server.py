"""Tests for the fake model server (fixloop.fakes): the wire formats the providers will meet."""

from __future__ import annotations

import asyncio
import http.client
import json
import select
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import fixloop.fakes as model_server
import httpx
import pytest
from fixloop.fakes import (
    SCRIPT_EXHAUSTED,
    Choices,
    Error,
    Hang,
    Raw,
    ScriptedModelServer,
    Text,
    Truncated,
    load_script,
    replies,
)

OPENAI_BODY = {"model": "mercury-2", "messages": [{"role": "user", "content": "fix it"}]}
ANTHROPIC_BODY = {
    "model": "claude-sonnet-4-5",
    "max_tokens": 256,
    "system": "You fix code.",
    "messages": [{"role": "user", "content": "fix it"}],
}
ANTHROPIC_HEADERS = {"x-api-key": "test-key", "anthropic-version": "2023-06-01"}


@pytest.fixture
def srv():
    with ScriptedModelServer() as server:
        yield server


@pytest.fixture(scope="module")
def client():
    # One client for the module: building its TLS context costs tens of milliseconds.
    with httpx.Client(timeout=5.0) as c:
        yield c


def openai(client: httpx.Client, srv: ScriptedModelServer, **extra) -> httpx.Response:
    body = {**OPENAI_BODY, **extra}
    return client.post(f"{srv.openai_base_url}/chat/completions", json=body)


def anthropic(client: httpx.Client, srv: ScriptedModelServer, **extra) -> httpx.Response:
    url = f"{srv.anthropic_base_url}/v1/messages"
    return client.post(url, json={**ANTHROPIC_BODY, **extra}, headers=ANTHROPIC_HEADERS)


def sse(text: str) -> list[tuple[str | None, str]]:
    """(event name, data) pairs of an SSE body, in order."""
    events = []
    for block in text.split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if line)
        if "data" in fields:
            events.append((fields.get("event"), fields["data"]))
    return events


def test_urls(srv):
    assert srv.openai_base_url == f"http://127.0.0.1:{srv.port}/v1"
    assert srv.anthropic_base_url == f"http://127.0.0.1:{srv.port}"


def test_openai_json(srv, client):
    srv.script(Text("hello world", usage=(12, 3)))
    response = openai(client, srv, max_tokens=64, temperature=0.2)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert int(response.headers["content-length"]) == len(response.content)
    body = response.json()
    assert body["object"] == "chat.completion"
    assert body["id"].startswith("chatcmpl-")
    assert body["model"] == "mercury-2"
    assert isinstance(body["created"], int)
    assert body["choices"] == [
        {
            "index": 0,
            "message": {"role": "assistant", "content": "hello world"},
            "finish_reason": "stop",
        }
    ]
    assert body["usage"] == {"prompt_tokens": 12, "completion_tokens": 3, "total_tokens": 15}


def test_usage_is_estimated_from_text(srv, client):
    srv.script(Text("x" * 40, finish_reason="length"))
    body = client.post(
        f"{srv.openai_base_url}/chat/completions",
        json={"model": "m", "messages": [{"role": "user", "content": "y" * 80}]},
    ).json()
    assert body["usage"] == {"prompt_tokens": 20, "completion_tokens": 10, "total_tokens": 30}
    assert body["choices"][0]["finish_reason"] == "length"


def test_openai_stream_with_usage_and_done(srv, client):
    srv.script(Text("def f():\n    return 1\n", usage=(30, 7)))
    with client.stream(
        "POST",
        f"{srv.openai_base_url}/chat/completions",
        json={**OPENAI_BODY, "stream": True, "stream_options": {"include_usage": True}},
    ) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        assert response.headers["transfer-encoding"] == "chunked"
        events = sse(response.read().decode())
    assert all(name is None for name, _ in events)
    assert events[-1][1] == "[DONE]"
    chunks = [json.loads(data) for _, data in events[:-1]]
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks if c["choices"])
    assert text == "def f():\n    return 1\n"
    finish, usage = chunks[-2], chunks[-1]
    assert finish["choices"] == [{"index": 0, "delta": {}, "finish_reason": "stop"}]
    assert finish["usage"] is None
    assert usage["choices"] == []
    assert usage["usage"] == {"prompt_tokens": 30, "completion_tokens": 7, "total_tokens": 37}


def test_openai_stream_without_usage_option_has_no_usage_chunk(srv, client):
    srv.script(Text("ok"))
    response = openai(client, srv, stream=True)
    events = sse(response.text)
    assert events[-1][1] == "[DONE]"
    chunks = [json.loads(data) for _, data in events[:-1]]
    assert all(c["choices"] and "usage" not in c for c in chunks)


def test_openai_n_choices(srv, client):
    srv.script(Text("same"), Choices(["a", "b", "c"]))
    same = openai(client, srv, n=3).json()["choices"]
    assert [(c["index"], c["message"]["content"]) for c in same] == [
        (0, "same"),
        (1, "same"),
        (2, "same"),
    ]
    response = openai(client, srv, n=3, stream=True)
    texts = ["", "", ""]
    for _, data in sse(response.text)[:-1]:
        for choice in json.loads(data)["choices"]:
            texts[choice["index"]] += choice["delta"].get("content", "")
    assert texts == ["a", "b", "c"]


def test_choices_give_anthropic_the_first(srv, client):
    srv.script(Choices(["first", "second"]))
    assert anthropic(client, srv).json()["content"] == [{"type": "text", "text": "first"}]


def test_anthropic_json(srv, client):
    srv.script(Text("fixed", usage=(40, 2)))
    response = anthropic(client, srv)
    assert response.status_code == 200
    assert int(response.headers["content-length"]) == len(response.content)
    body = response.json()
    assert body["id"].startswith("msg_")
    assert {k: v for k, v in body.items() if k != "id"} == {
        "type": "message",
        "role": "assistant",
        "model": "claude-sonnet-4-5",
        "content": [{"type": "text", "text": "fixed"}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": 40, "output_tokens": 2},
    }


def test_anthropic_stream_event_sequence(srv, client):
    srv.script(Text("return value + 1", usage=(50, 5), finish_reason="length"))
    response = anthropic(client, srv, stream=True)
    assert response.headers["content-type"].startswith("text/event-stream")
    events = [(name, json.loads(data)) for name, data in sse(response.text)]
    assert all(name == data["type"] for name, data in events)
    names = [name for name, _ in events]
    deltas = names.count("content_block_delta")
    assert deltas > 1
    assert names == [
        "message_start",
        "content_block_start",
        "ping",
        *["content_block_delta"] * deltas,
        "content_block_stop",
        "message_delta",
        "message_stop",
    ]
    start = events[0][1]["message"]
    assert start["usage"]["input_tokens"] == 50
    assert start["content"] == [] and start["stop_reason"] is None
    text = "".join(d["delta"]["text"] for n, d in events if n == "content_block_delta")
    assert text == "return value + 1"
    assert events[-2][1]["delta"] == {"stop_reason": "max_tokens", "stop_sequence": None}
    assert events[-2][1]["usage"] == {"output_tokens": 5}


def test_openai_429_with_retry_after(srv, client):
    srv.script(Error(429, message="slow down", headers={"retry-after": "1"}))
    response = openai(client, srv)
    assert response.status_code == 429
    assert response.headers["retry-after"] == "1"
    assert response.json() == {
        "error": {
            "message": "slow down",
            "type": "requests",
            "param": None,
            "code": "rate_limit_exceeded",
        }
    }


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (400, "invalid_request_error"),
        (401, "authentication_error"),
        (429, "rate_limit_error"),
        (500, "api_error"),
        (529, "overloaded_error"),
    ],
)
def test_anthropic_errors(srv, client, status, kind):
    srv.script(Error(status, headers={"retry-after": "2"}))
    response = anthropic(client, srv)
    assert response.status_code == status
    assert response.headers["retry-after"] == "2"
    body = response.json()
    assert body["type"] == "error"
    assert body["error"]["type"] == kind
    assert body["error"]["message"]


def test_error_type_override_and_openai_server_error(srv, client):
    srv.script(Error(503), Error(400, message="bad", error_type="insufficient_quota"))
    assert openai(client, srv).json()["error"]["type"] == "server_error"
    assert openai(client, srv).json()["error"] == {
        "message": "bad",
        "type": "insufficient_quota",
        "param": None,
        "code": None,
    }


def test_raw_malformed_body(srv, client):
    srv.script(Raw(200, b'{"choices": [', content_type="application/json"))
    response = openai(client, srv)
    assert response.status_code == 200
    assert response.content == b'{"choices": ['
    with pytest.raises(json.JSONDecodeError):
        response.json()


def test_truncated_json_body(srv, client):
    srv.script(Truncated("x" * 200))
    with pytest.raises(httpx.RemoteProtocolError):
        openai(client, srv)


@pytest.mark.parametrize(
    ("path", "body", "end"),
    [
        ("/v1/chat/completions", OPENAI_BODY, "[DONE]"),
        ("/v1/messages", ANTHROPIC_BODY, "message_stop"),
    ],
)
def test_truncated_stream_has_no_end(srv, client, path, body, end):
    srv.script(Truncated("0123456789" * 4))
    url = f"http://127.0.0.1:{srv.port}{path}"
    received: list[str] = []
    body = {**body, "stream": True}
    with (
        pytest.raises(httpx.RemoteProtocolError),
        client.stream("POST", url, json=body, headers=ANTHROPIC_HEADERS) as response,
    ):
        received.extend(response.iter_text())
    text = "".join(received)
    assert "delta" in text and end not in text


def test_hang_is_released_by_close(client):
    srv = ScriptedModelServer()
    srv.script(Hang())
    with ThreadPoolExecutor(1) as pool:
        pending = pool.submit(openai, client, srv)
        srv.wait_for_requests(1, timeout=2)
        started = time.monotonic()
        srv.close()
        assert time.monotonic() - started < 1.0
        with pytest.raises(httpx.RemoteProtocolError):
            pending.result(timeout=2)
    assert srv.disconnects == 0  # the server hung up, not the client


def test_hang_counts_client_timeout_as_disconnect(srv):
    srv.script(Hang())
    with httpx.Client(timeout=0.2) as impatient, pytest.raises(httpx.ReadTimeout):
        openai(impatient, srv)
    assert srv.wait_for_disconnects(1, timeout=2) == 1


def test_stream_abandoned_midway_counts_as_disconnect(srv, client):
    srv.script(Text("x" * 400, tokens_per_second=50))
    with client.stream(
        "POST", f"{srv.openai_base_url}/chat/completions", json={**OPENAI_BODY, "stream": True}
    ) as response:
        next(response.iter_lines())
    assert srv.wait_for_disconnects(1, timeout=2) == 1


def test_delay_and_pacing(srv, client):
    srv.script(Text("ok", delay=0.15), Text("y" * 40, tokens_per_second=200))
    started = time.monotonic()
    openai(client, srv)
    assert time.monotonic() - started >= 0.15
    started = time.monotonic()
    anthropic(client, srv, stream=True)  # ten pieces, nine gaps of 5 ms
    assert time.monotonic() - started >= 0.045


def test_script_exhausted_and_default(srv, client):
    response = openai(client, srv)
    assert response.status_code == 500
    assert response.json()["error"]["message"] == SCRIPT_EXHAUSTED
    response = anthropic(client, srv)
    assert response.status_code == 500
    assert response.json()["error"] == {"type": "api_error", "message": SCRIPT_EXHAUSTED}
    srv.default = Text("fallback")
    assert anthropic(client, srv).json()["content"][0]["text"] == "fallback"


def test_responder_goes_before_the_script(srv, client):
    srv.script(Text("scripted"))
    srv.responder = lambda r: Text("dynamic") if "urgent" in r.prompt_text else None
    urgent = [{"role": "user", "content": "urgent"}]
    assert openai(client, srv, messages=urgent).json()["choices"][0]["message"]["content"] == (
        "dynamic"
    )
    assert srv.pending == 1
    assert openai(client, srv).json()["choices"][0]["message"]["content"] == "scripted"


def test_broken_responder_answers_500(srv, client):
    srv.responder = lambda r: 1 / 0
    response = anthropic(client, srv)
    assert response.status_code == 500
    assert "ZeroDivisionError" in response.json()["error"]["message"]


def test_requests_are_recorded(srv, client):
    srv.script(Text("a"), Text("b"))
    openai(client, srv, n=2)
    client.post(
        f"{srv.anthropic_base_url}/v1/messages",
        headers=ANTHROPIC_HEADERS,
        json={
            **ANTHROPIC_BODY,
            "system": [{"type": "text", "text": "sys"}],
            "messages": [
                {"role": "user", "content": [{"type": "text", "text": "one"}]},
                {"role": "assistant", "content": "two"},
            ],
        },
    )
    first, second = srv.wait_for_requests(2, timeout=1)
    assert first.protocol == "openai" and first.path == "/v1/chat/completions"
    assert first.body["n"] == 2 and first.prompt_text == "fix it"
    assert second.protocol == "anthropic" and second.path == "/v1/messages"
    assert second.headers["x-api-key"] == "test-key"
    assert second.headers["anthropic-version"] == "2023-06-01"
    assert second.prompt_text == "sys\none\ntwo"
    assert srv.requests == [first, second]


def test_wait_for_requests_times_out(srv):
    with pytest.raises(TimeoutError):
        srv.wait_for_requests(1, timeout=0.05)


def test_unknown_paths_and_bad_bodies(srv, client):
    response = client.get(f"{srv.openai_base_url}/models")
    assert response.status_code == 404
    assert response.json()["error"]["type"] == "invalid_request_error"
    response = client.post(f"{srv.anthropic_base_url}/v1/complete", headers=ANTHROPIC_HEADERS)
    assert response.status_code == 404
    assert response.json()["error"]["type"] == "not_found_error"
    response = client.post(f"{srv.openai_base_url}/chat/completions", content=b"[1")
    assert response.status_code == 400
    assert srv.requests == []


@pytest.mark.parametrize("stream", [False, True])
def test_keep_alive(srv, stream):
    srv.script(Text("one"), Text("two"))
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=5)
    try:
        payload = json.dumps({**OPENAI_BODY, "stream": stream})
        sockets = []
        for _ in range(2):
            conn.request(
                "POST", "/v1/chat/completions", payload, {"content-type": "application/json"}
            )
            assert conn.getresponse().read()
            sockets.append(conn.sock)
        assert sockets[0] is not None and sockets[0] is sockets[1]
    finally:
        conn.close()


@pytest.mark.asyncio
async def test_async_client_cancel_is_seen_as_disconnect(srv):
    srv.script(Text("z" * 400, tokens_per_second=50))
    first_delta = asyncio.Event()

    async def consume(client: httpx.AsyncClient) -> None:
        url = f"{srv.anthropic_base_url}/v1/messages"
        body = {**ANTHROPIC_BODY, "stream": True}
        async with client.stream("POST", url, json=body, headers=ANTHROPIC_HEADERS) as response:
            async for line in response.aiter_lines():
                if "content_block_delta" in line:
                    first_delta.set()

    async with httpx.AsyncClient(timeout=5) as client:
        task = asyncio.create_task(consume(client))
        requests = await srv.await_requests(1, timeout=2)
        assert requests[0].protocol == "anthropic"
        await asyncio.wait_for(first_delta.wait(), timeout=2)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert await srv.await_disconnects(1, timeout=2) == 1


def test_load_script_forms():
    replies, default = load_script(
        {
            "replies": [
                {"kind": "text", "content": "a", "delay": 0.1, "usage": [3, 4]},
                {"kind": "choices", "contents": ["x", "y"]},
                {"kind": "error", "status": 429, "headers": {"retry-after": "1"}},
                {"kind": "hang"},
                {"kind": "raw", "status": 200, "body": "{"},
                {"kind": "truncated", "content": "cut"},
            ],
            "default": {"kind": "text", "content": "d"},
        }
    )
    assert replies == [
        Text("a", delay=0.1, usage=(3, 4)),
        Choices(["x", "y"]),
        Error(429, headers={"retry-after": "1"}),
        Hang(),
        Raw(200, b"{"),
        Truncated("cut"),
    ]
    assert default == Text("d")
    assert load_script([{"kind": "hang"}]) == ([Hang()], None)
    with pytest.raises(ValueError, match="unknown reply kind"):
        load_script([{"kind": "poem"}])


def test_all_is_complete():
    """Every reply kind and the server come from `fixloop.fakes` itself."""
    kinds = {
        name for name, value in vars(replies).items()
        if isinstance(value, type) and value.__module__ == replies.__name__
    }
    public = kinds | {"ScriptedModelServer", "SCRIPT_EXHAUSTED", "load_script", "reply_from_json"}
    assert public <= set(model_server.__all__)
    assert all(hasattr(model_server, name) for name in model_server.__all__)


def test_command_line(tmp_path: Path):
    script = tmp_path / "script.json"
    script.write_text(json.dumps({"replies": [{"kind": "text", "content": "from the cli"}]}))
    argv = [sys.executable, "-m", "fixloop.fakes", "--script", str(script), "--port", "0"]
    with subprocess.Popen(argv, stdout=subprocess.PIPE, text=True) as proc:
        stdout = proc.stdout
        assert stdout is not None
        try:
            ready, _, _ = select.select([stdout], [], [], 10)
            assert ready, "no PORT line within 10 s"
            word, port = stdout.readline().split()
            assert word == "PORT"
            url = f"http://127.0.0.1:{port}/v1/chat/completions"
            reply = httpx.post(url, json=OPENAI_BODY, timeout=5).json()
            assert reply["choices"][0]["message"]["content"] == "from the cli"
            assert httpx.post(url, json=OPENAI_BODY, timeout=5).status_code == 500
        finally:
            proc.terminate()
            assert proc.wait(timeout=5) == 0
