"""Simulated models on 127.0.0.1: OpenAI and Anthropic HTTP, streamed at a profile's pace.

The models are a responder on the tests' fake model server (`fixloop.fakes`), so
the engine's real providers talk to them as to any hosted model: JSON or SSE
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
import json
import math
import random
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self, TextIO
from urllib.parse import quote, unquote

from fixloop.benchmark.corpus import read_case
from fixloop.benchmark.oracle import RIGHT, Oracle, answer
from fixloop.benchmark.profiles import WRONG_KINDS, Profile
from fixloop.fakes import Error, RecordedRequest, Reply, ScriptedModelServer, Text


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
    """What the server knows: profiles, the corpus, the seed; and the request log.

    `respond` is the fake server's responder (an answer paced by the profile, or a
    404 naming what is unknown); `finished` logs each answered request."""

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

    def respond(self, request: RecordedRequest) -> Reply:
        """The answer to one request: right with the profile's probability, paced by it."""
        route = parse_path(request.path)
        if route is None:
            return Error(404, message=f"unknown path {request.path}")
        session = route[0]
        profile = self.profiles.get(session.profile)
        oracle = self.oracle(session.case)
        if profile is None or oracle is None:
            what = "profile" if profile is None else "case"
            return Error(404, message=f"unknown {what} in {request.path}")
        system, user = prompt_texts(request.body, request.protocol)
        number = self.number(session)
        text, kind = self.decide(session, number, oracle, system, user)
        cpt = profile.chars_per_token
        size = piece_chars(cpt)
        out = tokens(text, cpt)
        max_tokens = request.body.get("max_tokens")
        finish = "stop"
        if isinstance(max_tokens, int) and 0 < max_tokens < out:
            text, out, finish = text[: max_tokens * size], max_tokens, "length"
        usage = (tokens(system + user, cpt), out)
        deltas = max(1, math.ceil(len(text) / size))
        intended = profile.ttft + (deltas - 1) / profile.tokens_per_second
        entry = {
            "session": session.key,
            "profile": session.profile,
            "case": session.case,
            "strategy": session.strategy,
            "repeat": session.repeat,
            "number": number,
            "protocol": request.protocol,
            "answer": kind,
            "right": kind == RIGHT,
            "input_tokens": usage[0],
            "output_tokens": usage[1],
            "intended_seconds": intended,
        }
        streamed = bool(request.body.get("stream"))
        return Text(
            text,
            delay=profile.ttft if streamed else intended,  # a JSON reply comes whole, at the end
            usage=usage,
            finish_reason=finish,
            tokens_per_second=profile.tokens_per_second,
            piece_chars=size,
            note=entry,
        )

    def finished(self, request: RecordedRequest, reply: Reply, completed: bool) -> None:
        """Log a request this simulation answered (sent whole, or abandoned by its client)."""
        if isinstance(reply, Text) and isinstance(reply.note, dict):
            seconds = time.monotonic() - request.received
            self.record({**reply.note, "completed": completed, "seconds": seconds})

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


class SimulatedModelServer:
    """The server in a thread of this process (tests; the benchmark runs it as a child process)."""

    def __init__(self, models: SimulatedModels) -> None:
        self.models = models
        self._server = ScriptedModelServer(
            responder=models.respond, on_finished=models.finished, keep_requests=False
        )

    @property
    def port(self) -> int:
        return self._server.port

    def close(self) -> None:
        self._server.close()

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
