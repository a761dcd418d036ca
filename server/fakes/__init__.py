"""Fake model servers: real OpenAI and Anthropic HTTP on loopback, for the tests and the bench.

`ScriptedModelServer` answers from a script (the tests' one test double);
`fixloop.benchmark.simserver` drives the same server with simulated models. From a
shell (prints `PORT <n>` when ready, serves until SIGTERM):

    python -m fixloop.fakes --script replies.json [--port N]
"""

from __future__ import annotations

from fixloop.fakes.replies import (
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
    load_script,
    reply_from_json,
)
from fixloop.fakes.server import SCRIPT_EXHAUSTED, ScriptedModelServer

__all__ = [
    "SCRIPT_EXHAUSTED",
    "Choices",
    "Error",
    "Finished",
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
    "reply_from_json",
]
