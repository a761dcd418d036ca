"""A fake model server: real OpenAI and Anthropic HTTP on 127.0.0.1, answering from a script
or from a responder.

fixloop's providers are tested against it instead of mocked transports, so what
crosses the wire (JSON bodies, SSE framing, error formats, Content-Length,
keep-alive, dropped connections) is what the real services send. The tests
script it; the benchmark's simulated models (`fixloop.benchmark.simserver`) are a
responder on it.

    from fixloop.fakes import Error, ScriptedModelServer, Text

    with ScriptedModelServer() as srv:
        srv.script(Error(429, headers={"retry-after": "1"}), Text("fixed"))
        ...  # point a provider at srv.openai_base_url or srv.anthropic_base_url
        assert srv.wait_for_requests(2)[1].protocol == "openai"

Each completion request (a POST to any path ending in `/v1/chat/completions` or
`/v1/messages`) takes the responder's reply if it gives one, else the next
scripted reply, else `default`, else a 500 "script exhausted" error. Replies are
paced by deadline from the moment the request arrived (the first token at
`delay`, token k at `delay + k / tokens_per_second`): a busy machine makes them
late, never early.

Standard library only, served from daemon threads: it works under any event
loop or none, and a hanging handler never blocks the test that owns it.
"""

from __future__ import annotations

import asyncio
import collections
import http.server
import json
import select
import socket
import socketserver
import sys
import threading
import time
from collections.abc import Callable
from typing import Any, Self

from fixloop.fakes.replies import (
    Answer,
    Choices,
    Error,
    Finished,
    Hang,
    ProtocolName,
    Raw,
    RecordedRequest,
    Reply,
    Responder,
    Text,
    Truncated,
)
from fixloop.fakes.wire import (
    Stream,
    anthropic_body,
    anthropic_stream,
    error_body,
    json_bytes,
    openai_body,
    openai_stream,
    reason,
    usage_of,
)

SCRIPT_EXHAUSTED = "scripted model server: script exhausted"

# How often a waiting handler looks for a departed client: often enough that
# cancellation tests finish in tens of milliseconds.
_POLL = 0.02
_PEEK = socket.MSG_PEEK | getattr(socket, "MSG_DONTWAIT", 0)
_ROUTES: dict[str, ProtocolName] = {"/v1/chat/completions": "openai", "/v1/messages": "anthropic"}


def route(path: str) -> ProtocolName | None:
    """The protocol a completion path speaks (any prefix before `/v1/`), or None."""
    path = path.partition("?")[0]
    for suffix, protocol in _ROUTES.items():
        if path.endswith(suffix):
            return protocol
    return None


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
        received = time.monotonic()
        # Read the body first, even for a 404, so the next request on this connection parses.
        raw = self.rfile.read(int(self.headers.get("content-length") or 0))
        protocol = route(self.path)
        if protocol is None:
            return self._not_found()
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return self._send_json(
                400, error_body(protocol, 400, "body is not a JSON object", None)
            )
        headers = {k.lower(): v for k, v in self.headers.items()}
        request = RecordedRequest(self.path, headers, body, protocol, received)
        fake = self.server.fake
        fake._record(request)
        self._gone = False
        reply = fake._reply_for(request)
        completed = False
        try:
            completed = self._answer(request, reply)
        except OSError:  # a write to a client that left, or to a socket close() shut
            self._client_left()
        finally:
            fake._finished(request, reply, completed)

    def _answer(self, request: RecordedRequest, reply: Reply) -> bool:
        """Send the reply; True when all of it went out."""
        match reply:
            case Error():
                body = error_body(request.protocol, reply.status, reply.message, reply.error_type)
                self._send_json(reply.status, body, reply.headers)
                return True
            case Raw():
                self._send_bytes(reply.status, reply.body, reply.content_type)
                return True
            case Hang():
                self._wait_until(None)
                self.close_connection = True
                return False
            case Truncated():
                self._send_answer(request, Text(reply.content), truncate=True)
                return False
            case Text() | Choices():
                return self._send_answer(request, reply, truncate=False)
            case _:
                raise TypeError(f"not a scripted reply: {reply!r}")

    def _send_answer(self, request: RecordedRequest, answer: Answer, truncate: bool) -> bool:
        openai = request.protocol == "openai"
        contents = answer.contents_for((request.body.get("n") or 1) if openai else 1)
        contents = contents if openai else contents[:1]
        usage = usage_of(request, answer, contents)
        finish = answer.finish_reason
        if request.body.get("stream"):
            build = openai_stream if openai else anthropic_stream
            stream = build(request, contents, finish, usage, answer.piece_chars)
            return self._send_stream(stream, request.received, answer, truncate)
        if not self._wait_until(request.received + answer.delay):
            return False
        if openai:
            data = json_bytes(openai_body(request, contents, finish, usage))
        else:
            data = json_bytes(anthropic_body(request, contents[0], finish, usage))
        if not truncate:
            self._send_bytes(200, data, "application/json")
            return True
        # Announce the whole body, send half of it, and hang up.
        self._send_head(200, "application/json", {"content-length": str(len(data))})
        self.wfile.write(data[: len(data) // 2])
        self.close_connection = True
        return False

    def _send_stream(self, stream: Stream, start: float, answer: Answer, truncate: bool) -> bool:
        # Chunked encoding keeps the connection reusable, as with the real services.
        sse = {"cache-control": "no-cache", "transfer-encoding": "chunked"}
        self._send_head(200, "text/event-stream; charset=utf-8", sse)
        self._write_chunk(stream.opening)
        deltas = stream.deltas[: len(stream.deltas) // 2] if truncate else stream.deltas
        interval = 1.0 / answer.tokens_per_second if answer.tokens_per_second else 0.0
        first = start + answer.delay
        sent = 0
        while sent < len(deltas):
            if not self._wait_until(first + sent * interval):
                return False
            # Everything due by now goes out together: late, never early.
            due = int((time.monotonic() - first) / interval) + 1 if interval else len(deltas)
            ready = max(sent + 1, min(len(deltas), due))
            self._write_chunk(b"".join(deltas[sent:ready]))
            sent = ready
        if truncate:
            self.close_connection = True  # no terminal chunk: the client sees a cut stream
            return False
        self._write_chunk(stream.ending)
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()
        return True

    def _not_found(self) -> None:
        # Unknown paths answer in the dialect the client seems to speak.
        protocol: ProtocolName = "anthropic" if "anthropic-version" in self.headers else "openai"
        message = f"Unknown request URL: {self.command} {self.path}"
        self._send_json(404, error_body(protocol, 404, message, None))

    def _send_head(self, status: int, content_type: str, headers: dict[str, str]) -> None:
        self.send_response(status, reason(status))
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
        self._send_bytes(status, json_bytes(obj), "application/json", headers)

    def _write_chunk(self, data: bytes) -> None:
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def _wait_until(self, deadline: float | None) -> bool:
        """Wait for `deadline` (monotonic; None: until close); False if the client or the
        server goes first."""
        fake = self.server.fake
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


class ScriptedModelServer:
    """An OpenAI and Anthropic model server on 127.0.0.1 that answers from a script.

    It serves from construction until `close()` (or the end of a `with` block).
    `default` answers once the script runs out; `responder`, when it returns a
    reply, goes before the script. Both may be set at any time. `on_finished` hears
    of every request once it is over; `keep_requests=False` records none (a long
    benchmark run would hold every prompt).
    """

    def __init__(
        self,
        port: int = 0,
        *,
        default: Reply | None = None,
        responder: Responder | None = None,
        on_finished: Finished | None = None,
        keep_requests: bool = True,
    ) -> None:
        self.default = default
        self.responder = responder
        self.on_finished = on_finished
        self._keep_requests = keep_requests
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
        if self._keep_requests:
            with self._cond:
                self._requests.append(request)
                self._cond.notify_all()

    def _finished(self, request: RecordedRequest, reply: Reply, completed: bool) -> None:
        if self.on_finished is not None:
            self.on_finished(request, reply, completed)

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
