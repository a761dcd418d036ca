"""The bytes of OpenAI and Anthropic replies: JSON bodies, SSE streams and error bodies,
as the real services send them (pure functions over a request and an answer)."""

from __future__ import annotations

import http
import itertools
import json
import time
import uuid
from typing import Any, NamedTuple

from fixloop.fakes.replies import Answer, ProtocolName, RecordedRequest

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


def reason(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Overloaded" if status == 529 else "Error"


def error_body(protocol: ProtocolName, status: int, message: str, error_type: str | None) -> dict:
    message = message or reason(status)
    if protocol == "anthropic":
        default = _ANTHROPIC_ERRORS.get(
            status, "api_error" if status >= 500 else "invalid_request_error"
        )
        return {"type": "error", "error": {"type": error_type or default, "message": message}}
    kind, code = _OPENAI_ERRORS.get(
        status, ("server_error" if status >= 500 else "invalid_request_error", None)
    )
    return {"error": {"message": message, "type": error_type or kind, "param": None, "code": code}}


def usage_of(request: RecordedRequest, answer: Answer, contents: list[str]) -> tuple[int, int]:
    if answer.usage is not None:
        return answer.usage
    # About four characters a token, as the providers' own rough estimates assume.
    return max(1, len(request.prompt_text) // 4), sum(max(1, len(c) // 4) for c in contents)


def pieces(text: str, size: int) -> list[str]:
    """The text in streamed deltas of `size` characters."""
    return [text[i : i + size] for i in range(0, len(text), size)]


def json_bytes(obj: Any) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode()


def _openai_usage(usage: tuple[int, int]) -> dict[str, int]:
    return {"prompt_tokens": usage[0], "completion_tokens": usage[1], "total_tokens": sum(usage)}


def openai_body(request: RecordedRequest, contents: list[str], finish: str, usage) -> dict:
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


def anthropic_body(request: RecordedRequest, content: str, finish: str, usage) -> dict:
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


class Stream(NamedTuple):
    """An SSE reply in three parts, so the handler can pace and cut it."""

    opening: bytes  # sent with the headers, as the real services do
    deltas: list[bytes]  # one piece of content each, paced
    ending: bytes  # the terminal events; a truncated reply never sends them


def _data(obj: Any) -> bytes:
    return b"data: " + json_bytes(obj) + b"\n\n"


def _event(name: str, **fields: Any) -> bytes:
    return b"event: " + name.encode() + b"\n" + _data({"type": name, **fields})


def openai_stream(
    request: RecordedRequest, contents: list[str], finish: str, usage, size: int
) -> Stream:
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
        b"".join(chunk(i, {"content": p}) for i, p in enumerate(group) if p is not None)
        for group in itertools.zip_longest(*(pieces(c, size) for c in contents))
    ]
    ending = b"".join(chunk(i, {}, finish) for i in indices)
    if include_usage:
        ending += _data({**head, "choices": [], "usage": _openai_usage(usage)})
    return Stream(
        b"".join(chunk(i, {"role": "assistant", "content": ""}) for i in indices),
        deltas,
        ending + b"data: [DONE]\n\n",
    )


def anthropic_stream(
    request: RecordedRequest, contents: list[str], finish: str, usage, size: int
) -> Stream:
    message = anthropic_body(request, "", finish, (usage[0], 1))
    message.update(content=[], stop_reason=None)
    block = {"type": "text", "text": ""}
    stop = {"stop_reason": _ANTHROPIC_STOP.get(finish, finish), "stop_sequence": None}
    return Stream(
        _event("message_start", message=message)
        + _event("content_block_start", index=0, content_block=block)
        + _event("ping"),
        [
            _event("content_block_delta", index=0, delta={"type": "text_delta", "text": p})
            for p in pieces(contents[0], size)
        ],
        _event("content_block_stop", index=0)
        + _event("message_delta", delta=stop, usage={"output_tokens": usage[1]})
        + _event("message_stop"),
    )
