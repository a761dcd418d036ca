"""A scripted model server for tests: real OpenAI and Anthropic HTTP on loopback.

fixloop's providers are tested against this server instead of mocked transports,
so what crosses the wire (JSON bodies, SSE framing, error formats, Content-Length,
keep-alive, dropped connections) is what the real services send. It is the one
test double the project allows.

    from fakes.model_server import Error, ScriptedModelServer, Text

    with ScriptedModelServer() as srv:
        srv.script(Error(429, headers={"retry-after": "1"}), Text("fixed"))
        ...  # point a provider at srv.openai_base_url or srv.anthropic_base_url
        assert srv.wait_for_requests(2)[1].protocol == "openai"

Each completion request takes the responder's reply if it gives one, else the
next scripted reply, else `default`, else a 500 "script exhausted" error.

From a shell, for editor end-to-end tests (prints `PORT <n>` when ready):

    python tests/fakes/model_server.py --script replies.json [--port N]

Standard library only, served from daemon threads: it works under any event
loop or none, and a hanging handler never blocks the test that owns it.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import http
import http.server
import itertools
import json
import select
import signal
import socket
import socketserver
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass, field
from pathlib import Path
from typing import Any, Literal, NamedTuple, Self

__all__ = [
    "SCRIPT_EXHAUSTED",
    "Choices",
    "Error",
    "Hang",
    "ProtocolName",
    "Raw",
    "RecordedRequest",
    "Reply",
    "Responder",
    "ScriptedModelServer",
    "Text",
    "Truncated",
    "load_script",
    "main",
    "reply_from_json",
]

SCRIPT_EXHAUSTED = "scripted model server: script exhausted"

# How often a waiting handler looks for a departed client: often enough that
# cancellation tests finish in tens of milliseconds.
_POLL = 0.02
# Characters per streamed delta, about one token, so pacing in tokens per second holds.
_PIECE = 4
_PEEK = socket.MSG_PEEK | getattr(socket, "MSG_DONTWAIT", 0)

ProtocolName = Literal["openai", "anthropic"]
_ROUTES: dict[str, ProtocolName] = {"/v1/chat/completions": "openai", "/v1/messages": "anthropic"}


# --- replies ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    """A normal answer; a request with OpenAI's `n` > 1 gets it in every choice."""

    content: str
    _: KW_ONLY
    delay: float = 0.0  # seconds to the first token (to the response, when not streaming)
    usage: tuple[int, int] | None = None  # (prompt, completion) tokens; None: estimated
    finish_reason: str = "stop"  # OpenAI's words; mapped to Anthropic's stop_reason
    tokens_per_second: float | None = None  # pace of a streamed reply; None: all at once

    def contents_for(self, n: int) -> list[str]:
        return [self.content] * n


@dataclass(frozen=True)
class Choices:
    """Different answers for one OpenAI request with `n` > 1; Anthropic gets the first."""

    contents: list[str]
    _: KW_ONLY
    delay: float = 0.0  # the rest as for Text
    usage: tuple[int, int] | None = None
    finish_reason: str = "stop"
    tokens_per_second: float | None = None

    def contents_for(self, n: int) -> list[str]:
        return list(self.contents)


_Answer = Text | Choices


@dataclass(frozen=True)
class Error:
    """An HTTP error with a body in the protocol's own error format."""

    status: int
    _: KW_ONLY
    message: str = ""  # empty: the status's reason phrase
    headers: dict[str, str] = field(default_factory=dict)  # e.g. {"retry-after": "1"}
    error_type: str | None = None  # None: what the real service uses for this status


@dataclass(frozen=True)
class Hang:
    """Accept the request and never answer, until the server closes or the client leaves."""


@dataclass(frozen=True)
class Raw:
    """Any status and body, malformed ones included."""

    status: int
    body: bytes
    content_type: str = "application/json"


@dataclass(frozen=True)
class Truncated:
    """A reply cut short: a body shorter than its Content-Length, or an SSE stream
    that stops mid-way with no terminal event; then the connection closes."""

    content: str


Reply = Text | Choices | Error | Hang | Raw | Truncated


# --- requests --------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordedRequest:
    """One completion request as the server received it."""

    path: str
    headers: dict[str, str]  # keys in lower case
    body: dict[str, Any]
    protocol: ProtocolName

    @property
    def prompt_text(self) -> str:
        """The system prompt and every message's text, joined by newlines."""
        parts = _texts(self.body.get("system"))
        for message in self.body.get("messages") or []:
            if isinstance(message, dict):
                parts += _texts(message.get("content"))
        return "\n".join(parts)


Responder = Callable[[RecordedRequest], Reply | None]


def _texts(content: Any) -> list[str]:
    # Both protocols allow a plain string or a list of typed blocks with "text".
    if isinstance(content, str):
        return [content]
    if isinstance(content, list):
        return [
            b["text"] for b in content if isinstance(b, dict) and isinstance(b.get("text"), str)
        ]
    return []


# --- wire formats ----------------------------------------------------------------------

_ANTHROPIC_ERRORS = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    529: "overloaded_error",
}
_OPENAI_ERRORS = {
    401: ("invalid_request_error", "invalid_api_key"),
    429: ("requests", "rate_limit_exceeded"),
}
_ANTHROPIC_STOP = {"stop": "end_turn", "length": "max_tokens"}


def _reason(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Overloaded" if status == 529 else "Error"


def _error_body(protocol: ProtocolName, status: int, message: str, error_type: str | None) -> dict:
    message = message or _reason(status)
    if protocol == "anthropic":
        default = _ANTHROPIC_ERRORS.get(
            status, "api_error" if status >= 500 else "invalid_request_error"
        )
        return {"type": "error", "error": {"type": error_type or default, "message": message}}
    kind, code = _OPENAI_ERRORS.get(
        status, ("server_error" if status >= 500 else "invalid_request_error", None)
    )
    return {"error": {"message": message, "type": error_type or kind, "param": None, "code": code}}


def _usage(request: RecordedRequest, answer: _Answer, contents: list[str]) -> tuple[int, int]:
    if answer.usage is not None:
        return answer.usage
    # About four characters a token, as the providers' own rough estimates assume.
    return max(1, len(request.prompt_text) // 4), sum(max(1, len(c) // 4) for c in contents)


def _pieces(text: str) -> list[str]:
    return [text[i : i + _PIECE] for i in range(0, len(text), _PIECE)]


def _json_bytes(obj: Any) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode()


def _openai_usage(usage: tuple[int, int]) -> dict[str, int]:
    return {"prompt_tokens": usage[0], "completion_tokens": usage[1], "total_tokens": sum(usage)}


def _openai_body(request: RecordedRequest, contents: list[str], finish: str, usage) -> dict:
    choices = [
        {"index": i, "message": {"role": "assistant", "content": c}, "finish_reason": finish}
        for i, c in enumerate(contents)
    ]
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": request.body.get("model", "scripted"),
        "choices": choices,
        "usage": _openai_usage(usage),
    }


def _anthropic_body(request: RecordedRequest, content: str, finish: str, usage) -> dict:
    return {
        "id": f"msg_{uuid.uuid4().hex[:24]}",
        "type": "message",
        "role": "assistant",
        "model": request.body.get("model", "scripted"),
        "content": [{"type": "text", "text": content}],
        "stop_reason": _ANTHROPIC_STOP.get(finish, finish),
        "stop_sequence": None,
        "usage": {"input_tokens": usage[0], "output_tokens": usage[1]},
    }


class _Stream(NamedTuple):
    """An SSE reply in three parts, so the handler can pace and cut it."""

    opening: bytes  # sent with the headers, as the real services do
    deltas: list[bytes]  # one piece of content each, paced
    ending: bytes  # the terminal events; a truncated reply never sends them


def _data(obj: Any) -> bytes:
    return b"data: " + _json_bytes(obj) + b"\n\n"


def _event(name: str, **fields: Any) -> bytes:
    return b"event: " + name.encode() + b"\n" + _data({"type": name, **fields})


def _openai_stream(request: RecordedRequest, contents: list[str], finish: str, usage) -> _Stream:
    head = {
        "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": request.body.get("model", "scripted"),
    }
    include_usage = bool((request.body.get("stream_options") or {}).get("include_usage"))
    # With include_usage the real service puts "usage": null in every chunk but the last.
    tail = {"usage": None} if include_usage else {}

    def chunk(i: int, delta: dict, finish_reason: str | None = None) -> bytes:
        choice = {"index": i, "delta": delta, "finish_reason": finish_reason}
        return _data({**head, "choices": [choice], **tail})

    indices = range(len(contents))
    deltas = [
        b"".join(chunk(i, {"content": p}) for i, p in enumerate(pieces) if p is not None)
        for pieces in itertools.zip_longest(*map(_pieces, contents))
    ]
    ending = b"".join(chunk(i, {}, finish) for i in indices)
    if include_usage:
        ending += _data({**head, "choices": [], "usage": _openai_usage(usage)})
    return _Stream(
        b"".join(chunk(i, {"role": "assistant", "content": ""}) for i in indices),
        deltas,
        ending + b"data: [DONE]\n\n",
    )


def _anthropic_stream(request: RecordedRequest, contents: list[str], finish: str, usage) -> _Stream:
    message = _anthropic_body(request, "", finish, (usage[0], 1))
    message.update(content=[], stop_reason=None)
    block = {"type": "text", "text": ""}
    stop = {"stop_reason": _ANTHROPIC_STOP.get(finish, finish), "stop_sequence": None}
    return _Stream(
        _event("message_start", message=message)
        + _event("content_block_start", index=0, content_block=block)
        + _event("ping"),
        [
            _event("content_block_delta", index=0, delta={"type": "text_delta", "text": p})
            for p in _pieces(contents[0])
        ],
        _event("content_block_stop", index=0)
        + _event("message_delta", delta=stop, usage={"output_tokens": usage[1]})
        + _event("message_stop"),
    )


# --- HTTP ------------------------------------------------------------------------------


class _Handler(http.server.BaseHTTPRequestHandler):
    """Serves one connection: routes, records, and answers with the chosen reply."""

    protocol_version = "HTTP/1.1"  # keep-alive, as real clients expect
    server: _HTTPServer
    _gone = False  # this request's client has left and been counted

    def setup(self) -> None:
        super().setup()
        self.server.fake._register(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.fake._unregister(self.connection)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # tests assert on srv.requests; access lines would only be noise

    def do_GET(self) -> None:
        self._not_found()

    def do_POST(self) -> None:
        # Read the body first, even for a 404, so the next request on this connection parses.
        raw = self.rfile.read(int(self.headers.get("content-length") or 0))
        protocol = _ROUTES.get(self.path.partition("?")[0])
        if protocol is None:
            return self._not_found()
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return self._send_json(
                400, _error_body(protocol, 400, "body is not a JSON object", None)
            )
        headers = {k.lower(): v for k, v in self.headers.items()}
        request = RecordedRequest(self.path, headers, body, protocol)
        self.server.fake._record(request)
        self._gone = False
        try:
            self._answer(request, self.server.fake._reply_for(request))
        except OSError:  # a write to a client that left, or to a socket close() shut
            self._client_left()

    def _answer(self, request: RecordedRequest, reply: Reply) -> None:
        match reply:
            case Error():
                body = _error_body(request.protocol, reply.status, reply.message, reply.error_type)
                self._send_json(reply.status, body, reply.headers)
            case Raw():
                self._send_bytes(reply.status, reply.body, reply.content_type)
            case Hang():
                self._wait(None)
                self.close_connection = True
            case Truncated():
                self._send_answer(request, Text(reply.content), truncate=True)
            case Text() | Choices():
                self._send_answer(request, reply, truncate=False)
            case _:
                raise TypeError(f"not a scripted reply: {reply!r}")

    def _send_answer(self, request: RecordedRequest, answer: _Answer, truncate: bool) -> None:
        openai = request.protocol == "openai"
        contents = answer.contents_for((request.body.get("n") or 1) if openai else 1)
        contents = contents if openai else contents[:1]
        usage = _usage(request, answer, contents)
        finish = answer.finish_reason
        if request.body.get("stream"):
            build = _openai_stream if openai else _anthropic_stream
            return self._send_stream(build(request, contents, finish, usage), answer, truncate)
        if not self._wait(answer.delay):
            return
        if openai:
            data = _json_bytes(_openai_body(request, contents, finish, usage))
        else:
            data = _json_bytes(_anthropic_body(request, contents[0], finish, usage))
        if not truncate:
            return self._send_bytes(200, data, "application/json")
        # Announce the whole body, send half of it, and hang up.
        self._send_head(200, "application/json", {"content-length": str(len(data))})
        self.wfile.write(data[: len(data) // 2])
        self.close_connection = True

    def _send_stream(self, stream: _Stream, answer: _Answer, truncate: bool) -> None:
        # Chunked encoding keeps the connection reusable, as with the real services.
        sse = {"cache-control": "no-cache", "transfer-encoding": "chunked"}
        self._send_head(200, "text/event-stream; charset=utf-8", sse)
        self._write_chunk(stream.opening)
        deltas = stream.deltas[: len(stream.deltas) // 2] if truncate else stream.deltas
        interval = 1.0 / answer.tokens_per_second if answer.tokens_per_second else 0.0
        if not self._wait(answer.delay):
            return
        for i, delta in enumerate(deltas):
            if i and not self._wait(interval):
                return
            self._write_chunk(delta)
        if truncate:
            self.close_connection = True  # no terminal chunk: the client sees a cut stream
            return
        self._write_chunk(stream.ending)
        self.wfile.write(b"0\r\n\r\n")

    def _not_found(self) -> None:
        # Unknown paths answer in the dialect the client seems to speak.
        protocol: ProtocolName = "anthropic" if "anthropic-version" in self.headers else "openai"
        message = f"Unknown request URL: {self.command} {self.path}"
        self._send_json(404, _error_body(protocol, 404, message, None))

    def _send_head(self, status: int, content_type: str, headers: dict[str, str]) -> None:
        self.send_response(status, _reason(status))
        self.send_header("content-type", content_type)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()

    def _send_bytes(
        self, status: int, data: bytes, content_type: str, headers: dict[str, str] | None = None
    ) -> None:
        self._send_head(status, content_type, {**(headers or {}), "content-length": str(len(data))})
        self.wfile.write(data)

    def _send_json(self, status: int, obj: Any, headers: dict[str, str] | None = None) -> None:
        self._send_bytes(status, _json_bytes(obj), "application/json", headers)

    def _write_chunk(self, data: bytes) -> None:
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))

    def _wait(self, seconds: float | None) -> bool:
        """Let `seconds` pass (None: until close); False if the client or the server goes first."""
        fake = self.server.fake
        deadline = None if seconds is None else time.monotonic() + seconds
        while not fake.closing:
            remaining = _POLL if deadline is None else deadline - time.monotonic()
            if remaining <= 0:
                return True
            if self._peer_closed(min(_POLL, remaining)):
                self._client_left()
                return False
        self.close_connection = True
        return False

    def _peer_closed(self, timeout: float) -> bool:
        # poll, not select: a big test session can hold descriptors past select's 1024 limit.
        poller = select.poll()
        poller.register(self.connection, select.POLLIN)
        if not poller.poll(timeout * 1000):
            return False
        try:
            data = self.connection.recv(1, _PEEK)
        except BlockingIOError:
            return False
        except OSError:
            return True
        if data:
            # A pipelined request is no departure; wait instead of spinning on it.
            self.server.fake._stopping.wait(timeout)
        return not data

    def _client_left(self) -> None:
        self.close_connection = True
        if not self._gone and not self.server.fake.closing:
            self._gone = True
            self.server.fake._count_disconnect()


class _HTTPServer(http.server.ThreadingHTTPServer):
    daemon_threads = True  # a handler left hanging must never keep the process alive

    def __init__(self, address: tuple[str, int], fake: ScriptedModelServer) -> None:
        self.fake = fake
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks up the host's FQDN, which can stall with no DNS.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = str(self.server_address[0]), self.server_address[1]

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Dropped connections are counted, not printed; anything else is a bug here.
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)


# --- the server ------------------------------------------------------------------------


class ScriptedModelServer:
    """An OpenAI and Anthropic model server on 127.0.0.1 that answers from a script.

    It serves from construction until `close()` (or the end of a `with` block).
    `default` answers once the script runs out; `responder`, when it returns a
    reply, goes before the script. Both may be set at any time.
    """

    def __init__(
        self, port: int = 0, *, default: Reply | None = None, responder: Responder | None = None
    ) -> None:
        self.default = default
        self.responder = responder
        self._cond = threading.Condition()  # guards everything below and wakes the waiters
        self._script: collections.deque[Reply] = collections.deque()
        self._requests: list[RecordedRequest] = []
        self._disconnects = 0
        self._connections: dict[socket.socket, threading.Thread] = {}
        self._stopping = threading.Event()
        self._httpd = _HTTPServer(("127.0.0.1", port), self)
        # serve_forever notices close() only between polls, so poll often; it costs little.
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            args=(0.01,),
            name=f"model-server-{self.port}",
            daemon=True,
        )
        self._thread.start()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def openai_base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def anthropic_base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def closing(self) -> bool:
        return self._stopping.is_set()

    @property
    def requests(self) -> list[RecordedRequest]:
        """The completion requests received so far, oldest first (a copy)."""
        with self._cond:
            return list(self._requests)

    @property
    def disconnects(self) -> int:
        """How many requests lost their client before the reply was fully sent."""
        with self._cond:
            return self._disconnects

    @property
    def pending(self) -> int:
        """How many scripted replies have not been used yet."""
        with self._cond:
            return len(self._script)

    def script(self, *replies: Reply) -> None:
        """Queue replies; each completion request, of either protocol, takes the next."""
        with self._cond:
            self._script.extend(replies)

    def wait_for_requests(self, n: int, timeout: float = 10.0) -> list[RecordedRequest]:
        """Block until `n` requests have arrived; return all received so far."""
        self._wait_until(lambda: len(self._requests) >= n, timeout, f"{n} requests")
        return self.requests

    async def await_requests(self, n: int, timeout: float = 10.0) -> list[RecordedRequest]:
        """`wait_for_requests` for async tests, waiting in a worker thread."""
        return await asyncio.to_thread(self.wait_for_requests, n, timeout)

    def wait_for_disconnects(self, n: int, timeout: float = 10.0) -> int:
        """Block until `n` clients have left before their reply was sent; return the count."""
        self._wait_until(lambda: self._disconnects >= n, timeout, f"{n} disconnects")
        return self.disconnects

    async def await_disconnects(self, n: int, timeout: float = 10.0) -> int:
        """`wait_for_disconnects` for async tests, waiting in a worker thread."""
        return await asyncio.to_thread(self.wait_for_disconnects, n, timeout)

    def close(self) -> None:
        """Stop serving, release hanging handlers and drop every open connection."""
        with self._cond:
            if self._stopping.is_set():
                return
            self._stopping.set()
            connections = dict(self._connections)
            self._cond.notify_all()
        self._httpd.shutdown()
        self._httpd.server_close()
        for sock in connections:
            _shut(sock)  # wakes handlers reading an idle keep-alive connection
        deadline = time.monotonic() + 2.0
        for thread in [*connections.values(), self._thread]:
            thread.join(max(0.0, deadline - time.monotonic()))

    # Called from handler threads.

    def _wait_until(self, predicate: Callable[[], bool], timeout: float, what: str) -> None:
        with self._cond:
            # close() wakes waiters too, so a waiter never outlives the server by its timeout.
            self._cond.wait_for(lambda: predicate() or self.closing, timeout)
            if not predicate():
                raise TimeoutError(
                    f"scripted model server: no {what} within {timeout} s "
                    f"({len(self._requests)} requests, "
                    f"{self._disconnects} disconnects)"
                )

    def _register(self, sock: socket.socket) -> None:
        with self._cond:
            if self._stopping.is_set():
                _shut(sock)  # accepted while closing; close() has already taken its list
            self._connections[sock] = threading.current_thread()

    def _unregister(self, sock: socket.socket) -> None:
        with self._cond:
            self._connections.pop(sock, None)

    def _record(self, request: RecordedRequest) -> None:
        with self._cond:
            self._requests.append(request)
            self._cond.notify_all()

    def _count_disconnect(self) -> None:
        with self._cond:
            self._disconnects += 1
            self._cond.notify_all()

    def _reply_for(self, request: RecordedRequest) -> Reply:
        responder = self.responder
        if responder is not None:
            try:
                reply = responder(request)
            except Exception as exc:  # noqa: BLE001 -- a broken responder should fail the test visibly
                return Error(500, message=f"scripted model server: responder raised {exc!r}")
            if reply is not None:
                return reply
        with self._cond:
            if self._script:
                return self._script.popleft()
        default = self.default
        return default if default is not None else Error(500, message=SCRIPT_EXHAUSTED)


def _shut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already gone


# --- scripts and the command line ------------------------------------------------------


def reply_from_json(obj: dict[str, Any]) -> Reply:
    """One reply from its JSON form, e.g. {"kind": "text", "content": "...", "delay": 0.1}."""
    fields = {k: v for k, v in obj.items() if k != "kind"}
    kind = obj.get("kind")
    if "usage" in fields and fields["usage"] is not None:
        fields["usage"] = tuple(fields["usage"])
    if kind == "raw" and isinstance(fields.get("body"), str):
        fields["body"] = fields["body"].encode()
    kinds: dict[str, type] = {
        "text": Text,
        "choices": Choices,
        "error": Error,
        "hang": Hang,
        "raw": Raw,
        "truncated": Truncated,
    }
    if kind not in kinds:
        raise ValueError(f"unknown reply kind {kind!r}; expected one of {sorted(kinds)}")
    try:
        return kinds[kind](**fields)
    except TypeError as exc:
        raise ValueError(f"bad {kind!r} reply {obj!r}: {exc}") from None


def load_script(obj: Any) -> tuple[list[Reply], Reply | None]:
    """Replies and default from a script: a list of replies, or {"replies": [...], "default": {...}}."""
    if isinstance(obj, list):
        obj = {"replies": obj}
    if not isinstance(obj, dict):
        raise TypeError("a script is a list of replies or an object with 'replies'")
    default = obj.get("default")
    return (
        [reply_from_json(r) for r in obj.get("replies", [])],
        reply_from_json(default) if default is not None else None,
    )


def main(argv: list[str] | None = None) -> int:
    """Serve a script file until SIGTERM or SIGINT, printing `PORT <n>` once ready."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--script", type=Path, required=True, help="JSON file of replies")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: any free)")
    args = parser.parse_args(argv)
    try:
        replies, default = load_script(json.loads(args.script.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError) as exc:
        parser.error(f"{args.script}: {exc}")
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    with ScriptedModelServer(args.port, default=default) as srv:
        srv.script(*replies)
        print(f"PORT {srv.port}", flush=True)
        stop.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
