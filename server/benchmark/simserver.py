"""A simulated model server on 127.0.0.1: OpenAI and Anthropic HTTP, streamed at a profile's pace.

The engine's real providers talk to it as to any hosted model: JSON or SSE
streams, usage in tokens, cancellation by hanging up. Each request's URL
names its session, so one server serves every case, strategy and tier:

    POST /s/<profile>/<case>/<strategy>/<repeat>/v1/chat/completions   (OpenAI)
    POST /s/<profile>/<case>/<strategy>/<repeat>/v1/messages           (Anthropic)

The answer (`oracle.answer`) is right with the profile's probability for the
case's kind, drawn from a generator seeded by (seed, session, request
number). Pacing is by deadline from the moment the request arrived: the first
token at `ttft`, token k at `ttft + k / tokens_per_second`, so a busy machine
makes replies late, never early. A reply longer than `max_tokens` is cut
there and ends with the protocol's length stop.

Each finished request (answered or abandoned by its client) is one JSON line
in the log. Run it as a child process of the benchmark so that its threads
never share the engine's interpreter:

    python -m fixloop.benchmark.simserver --corpus bench/corpus --profiles P.json --log L.jsonl
    PORT 41234          <- printed when ready; it stops when its stdin closes
"""

from __future__ import annotations

import argparse
import http.server
import json
import math
import random
import select
import socket
import socketserver
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self, TextIO
from urllib.parse import quote, unquote

from fixloop.benchmark.corpus import read_case
from fixloop.benchmark.oracle import RIGHT, Oracle, answer
from fixloop.benchmark.profiles import WRONG_KINDS, Profile

POLL = 0.01  # how often a waiting handler looks for a departed client
_PEEK = socket.MSG_PEEK | getattr(socket, "MSG_DONTWAIT", 0)


@dataclass(frozen=True, slots=True)
class Session:
    """Whose request it is: the URL's parts."""

    profile: str
    case: str
    strategy: str
    repeat: int

    @property
    def key(self) -> str:
        return f"{self.profile}/{self.case}/{self.strategy}/{self.repeat}"


def session_prefix(port: int, session: Session) -> str:
    parts = (session.profile, session.case, session.strategy, str(session.repeat))
    return f"http://127.0.0.1:{port}/s/" + "/".join(quote(p, safe="") for p in parts)


def base_url(port: int, session: Session, protocol: str) -> str:
    """The base_url a provider of `protocol` uses for this session."""
    prefix = session_prefix(port, session)
    return prefix + "/v1" if protocol == "openai" else prefix


def parse_path(path: str) -> tuple[Session, str] | None:
    """(session, protocol) from a request path, or None."""
    parts = path.partition("?")[0].split("/")
    # ['', 's', profile, case, strategy, repeat, 'v1', 'chat', 'completions'] or [..., 'v1', 'messages']
    if len(parts) < 8 or parts[1] != "s" or parts[6] != "v1":
        return None
    tail = parts[7:]
    protocol = {("chat", "completions"): "openai", ("messages",): "anthropic"}.get(tuple(tail))
    if protocol is None or not parts[5].isdigit():
        return None
    profile, case, strategy = (unquote(p) for p in parts[2:5])
    return Session(profile, case, strategy, int(parts[5])), protocol


def piece_chars(chars_per_token: float) -> int:
    """Characters per streamed delta: one token each."""
    return max(1, round(chars_per_token))


def tokens(text: str, chars_per_token: float) -> int:
    return max(1, math.ceil(len(text) / piece_chars(chars_per_token)))


def prompt_texts(body: dict[str, Any], protocol: str) -> tuple[str, str]:
    """(system, user) texts of a request body in either protocol."""

    def text(content: Any) -> str:
        if isinstance(content, str):
            return content
        if isinstance(content, list):
            return "\n".join(b.get("text", "") for b in content if isinstance(b, dict))
        return ""

    messages = [m for m in body.get("messages") or [] if isinstance(m, dict)]
    if protocol == "anthropic":
        system = text(body.get("system"))
    else:
        system = "\n".join(text(m.get("content")) for m in messages if m.get("role") == "system")
    user = "\n".join(text(m.get("content")) for m in messages if m.get("role") == "user")
    return system, user


class SimulatedModels:
    """What the server knows: profiles, the corpus, the seed; and the request log."""

    def __init__(
        self, profiles: dict[str, Profile], corpus: Path, seed: int, log: TextIO | None = None
    ) -> None:
        self.profiles = profiles
        self.corpus = corpus
        self.seed = seed
        self._log = log
        self._lock = threading.Condition()
        self._counts: dict[str, int] = {}
        self._oracles: dict[str, Oracle] = {}
        self.records: list[dict[str, Any]] = []  # the same as the log, for in-process use

    def oracle(self, case_id: str) -> Oracle | None:
        with self._lock:
            if case_id not in self._oracles:
                folder = self.corpus / case_id
                if (
                    "/" in case_id
                    or case_id.startswith(".")
                    or not (folder / "case.toml").is_file()
                ):
                    return None
                case = read_case(folder)
                self._oracles[case_id] = Oracle(
                    case.before,
                    case.after,
                    case.kind,
                    case.verifier,
                    case.code,
                    case.line,
                    case.language,
                )
            return self._oracles[case_id]

    def number(self, session: Session) -> int:
        """This request's number within its session, from 1."""
        with self._lock:
            self._counts[session.key] = self._counts.get(session.key, 0) + 1
            return self._counts[session.key]

    def decide(
        self, session: Session, number: int, oracle: Oracle, system: str, user: str
    ) -> tuple[str, str]:
        profile = self.profiles[session.profile]
        rng = random.Random(f"{self.seed}/{session.key}/{number}")
        right = rng.random() < profile.p_for(oracle.kind)
        kinds = [k for k in WRONG_KINDS if profile.wrong.get(k, 0) > 0]
        wrong = rng.choices(kinds, weights=[profile.wrong[k] for k in kinds])[0]
        return answer(oracle, system, user, right, wrong, rng)

    def record(self, entry: dict[str, Any]) -> None:
        with self._lock:
            self.records.append(entry)
            if self._log is not None:
                self._log.write(json.dumps(entry) + "\n")
                self._log.flush()
            self._lock.notify_all()

    def wait_for_records(self, count: int, timeout: float) -> list[dict[str, Any]]:
        """The records once there are `count` of them (or all there are after `timeout`)."""
        with self._lock:
            self._lock.wait_for(lambda: len(self.records) >= count, timeout)
            return list(self.records)


# --- wire formats --------------------------------------------------------------------------


def _json_bytes(obj: Any) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode()


def _data(obj: Any) -> bytes:
    return b"data: " + _json_bytes(obj) + b"\n\n"


def _event(name: str, **fields: Any) -> bytes:
    return b"event: " + name.encode() + b"\n" + _data({"type": name, **fields})


class _Wire:
    """The bytes of one reply in one protocol: an opening, one delta per piece, an ending."""

    def __init__(
        self, protocol: str, model: str, usage: tuple[int, int], finish: str, stream_usage: bool
    ) -> None:
        self.protocol = protocol
        self.model = model
        self.usage = usage
        self.finish = finish  # "stop" or "length", OpenAI's words
        self.stream_usage = stream_usage
        self.id = uuid.uuid4().hex[:24]

    def _chunk(self, delta: dict, finish: str | None = None) -> bytes:
        chunk = {
            "id": f"chatcmpl-{self.id}",
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": self.model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }
        if self.stream_usage:
            chunk["usage"] = None
        return _data(chunk)

    def opening(self) -> bytes:
        if self.protocol == "openai":
            return self._chunk({"role": "assistant", "content": ""})
        message = {
            "id": f"msg_{self.id}",
            "type": "message",
            "role": "assistant",
            "model": self.model,
            "content": [],
            "stop_reason": None,
            "stop_sequence": None,
            "usage": {"input_tokens": self.usage[0], "output_tokens": 1},
        }
        return _event("message_start", message=message) + _event(
            "content_block_start", index=0, content_block={"type": "text", "text": ""}
        )

    def delta(self, text: str) -> bytes:
        if self.protocol == "openai":
            return self._chunk({"content": text})
        return _event("content_block_delta", index=0, delta={"type": "text_delta", "text": text})

    def ending(self) -> bytes:
        if self.protocol == "openai":
            end = self._chunk({}, self.finish)
            if self.stream_usage:
                end += _data(
                    {
                        "id": f"chatcmpl-{self.id}",
                        "object": "chat.completion.chunk",
                        "created": int(time.time()),
                        "model": self.model,
                        "choices": [],
                        "usage": self._openai_usage(),
                    }
                )
            return end + b"data: [DONE]\n\n"
        stop = {
            "stop_reason": "max_tokens" if self.finish == "length" else "end_turn",
            "stop_sequence": None,
        }
        return (
            _event("content_block_stop", index=0)
            + _event("message_delta", delta=stop, usage={"output_tokens": self.usage[1]})
            + _event("message_stop")
        )

    def _openai_usage(self) -> dict[str, int]:
        return {
            "prompt_tokens": self.usage[0],
            "completion_tokens": self.usage[1],
            "total_tokens": sum(self.usage),
        }

    def whole(self, text: str) -> bytes:
        if self.protocol == "openai":
            return _json_bytes(
                {
                    "id": f"chatcmpl-{self.id}",
                    "object": "chat.completion",
                    "created": int(time.time()),
                    "model": self.model,
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": text},
                            "finish_reason": self.finish,
                        }
                    ],
                    "usage": self._openai_usage(),
                }
            )
        return _json_bytes(
            {
                "id": f"msg_{self.id}",
                "type": "message",
                "role": "assistant",
                "model": self.model,
                "content": [{"type": "text", "text": text}],
                "stop_reason": "max_tokens" if self.finish == "length" else "end_turn",
                "stop_sequence": None,
                "usage": {"input_tokens": self.usage[0], "output_tokens": self.usage[1]},
            }
        )


def _error_body(protocol: str, status: int, message: str) -> dict[str, Any]:
    if protocol == "anthropic":
        kind = "not_found_error" if status == 404 else "invalid_request_error"
        return {"type": "error", "error": {"type": kind, "message": message}}
    return {
        "error": {"message": message, "type": "invalid_request_error", "param": None, "code": None}
    }


# --- HTTP ----------------------------------------------------------------------------------


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive and chunked streams, as the real services
    server: _HTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        arrived = time.monotonic()
        raw = self.rfile.read(int(self.headers.get("content-length") or 0))
        route = parse_path(self.path)
        protocol = (
            route[1]
            if route
            else ("anthropic" if "anthropic-version" in self.headers else "openai")
        )
        if route is None:
            return self._send_json(404, _error_body(protocol, 404, f"unknown path {self.path}"))
        session = route[0]
        models = self.server.models
        profile = models.profiles.get(session.profile)
        oracle = models.oracle(session.case)
        if profile is None or oracle is None:
            what = "profile" if profile is None else "case"
            return self._send_json(
                404, _error_body(protocol, 404, f"unknown {what} in {self.path}")
            )
        try:
            body = json.loads(raw)
            assert isinstance(body, dict)
        except (ValueError, AssertionError):
            return self._send_json(400, _error_body(protocol, 400, "body is not a JSON object"))
        system, user = prompt_texts(body, protocol)
        number = models.number(session)
        text, kind = models.decide(session, number, oracle, system, user)
        cpt = profile.chars_per_token
        out = tokens(text, cpt)
        max_tokens = body.get("max_tokens")
        finish = "stop"
        size = piece_chars(cpt)
        if isinstance(max_tokens, int) and 0 < max_tokens < out:
            text, out, finish = text[: max_tokens * size], max_tokens, "length"
        usage = (tokens(system + user, cpt), out)
        pieces = [text[i : i + size] for i in range(0, len(text), size)] or [""]
        intended = profile.ttft + (len(pieces) - 1) / profile.tokens_per_second
        entry = {
            "session": session.key,
            "profile": session.profile,
            "case": session.case,
            "strategy": session.strategy,
            "repeat": session.repeat,
            "number": number,
            "protocol": protocol,
            "answer": kind,
            "right": kind == RIGHT,
            "input_tokens": usage[0],
            "output_tokens": usage[1],
            "intended_seconds": intended,
        }
        wire = _Wire(
            protocol,
            profile.model_name,
            usage,
            finish,
            bool((body.get("stream_options") or {}).get("include_usage")),
        )
        if body.get("stream"):
            completed = self._stream(wire, pieces, arrived, profile)
        else:
            completed = self._wait_until(arrived + intended)
            if completed:
                completed = self._send_bytes(200, wire.whole(text), "application/json")
        entry.update(completed=completed, seconds=time.monotonic() - arrived)
        models.record(entry)

    def _stream(self, wire: _Wire, pieces: list[str], arrived: float, profile: Profile) -> bool:
        per_piece = 1.0 / profile.tokens_per_second
        try:
            self.send_response(200)
            self.send_header("content-type", "text/event-stream; charset=utf-8")
            self.send_header("cache-control", "no-cache")
            self.send_header("transfer-encoding", "chunked")
            self.end_headers()
            self._chunk(wire.opening())
            sent = 0
            while sent < len(pieces):
                due = arrived + profile.ttft + sent * per_piece
                if not self._wait_until(due):
                    return False
                # Everything due by now goes out together: late, never early.
                now = time.monotonic()
                ready = max(
                    sent + 1, min(len(pieces), int((now - arrived - profile.ttft) / per_piece) + 1)
                )
                self._chunk(b"".join(wire.delta(p) for p in pieces[sent:ready]))
                sent = ready
            self._chunk(wire.ending())
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
            return True
        except OSError:
            self.close_connection = True
            return False

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def _wait_until(self, deadline: float) -> bool:
        """Wait for `deadline`; False when the client leaves or the server stops first."""
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return True
            if self.server.stopping.is_set() or self._peer_closed(min(POLL, remaining)):
                self.close_connection = True
                return False

    def _peer_closed(self, timeout: float) -> bool:
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
        if data:  # a pipelined request is not a departure
            time.sleep(timeout)
        return not data

    def _send_bytes(self, status: int, data: bytes, content_type: str) -> bool:
        try:
            self.send_response(status)
            self.send_header("content-type", content_type)
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            self.wfile.flush()
            return True
        except OSError:
            self.close_connection = True
            return False

    def _send_json(self, status: int, obj: Any) -> None:
        self._send_bytes(status, _json_bytes(obj), "application/json")


class _HTTPServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, models: SimulatedModels) -> None:
        self.models = models
        self.stopping = threading.Event()
        super().__init__(("127.0.0.1", 0), _Handler)

    def server_bind(self) -> None:
        socketserver.TCPServer.server_bind(self)  # no FQDN look-up: it can stall without DNS
        self.server_name, self.server_port = str(self.server_address[0]), self.server_address[1]

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)


class SimulatedModelServer:
    """The server in a thread of this process (tests; the benchmark runs it as a child process)."""

    def __init__(self, models: SimulatedModels) -> None:
        self.models = models
        self._httpd = _HTTPServer(models)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, args=(0.05,), name="simulated-models", daemon=True
        )
        self._thread.start()

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    def close(self) -> None:
        self._httpd.stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The benchmark's simulated model server.")
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--profiles", type=Path, required=True, help="a JSON list of profiles")
    parser.add_argument("--log", type=Path, required=True, help="JSON lines, one per request")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    profiles = {p["name"]: Profile(**p) for p in json.loads(args.profiles.read_text())}
    with args.log.open("a", encoding="utf-8") as log:
        models = SimulatedModels(profiles, args.corpus, args.seed, log)
        with SimulatedModelServer(models) as server:
            print(f"PORT {server.port}", flush=True)
            sys.stdin.read()  # until the parent closes our stdin (or dies)
    return 0


if __name__ == "__main__":
    sys.exit(main())
