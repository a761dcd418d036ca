"""Anthropic's Messages API: POST {base_url}/v1/messages, JSON or typed SSE events."""

from __future__ import annotations

from typing import Any

from fixloop.providers.base import BadReply, BadStatus, ChatRequest
from fixloop.providers.sse import Event
from fixloop.providers.wire import Reply, load_object, tokens

API_VERSION = "2023-06-01"
# Error types inside a 200 stream, as the HTTP status the same error would have had.
ERROR_STATUSES = {
    "overloaded_error": 529,
    "rate_limit_error": 429,
    "api_error": 500,
    "timeout_error": 504,
}


class AnthropicDialect:
    """x-api-key and anthropic-version headers; a top-level system prompt; usage in tokens."""

    path = "v1/messages"
    length_stops = frozenset({"max_tokens"})

    def headers(self, api_key: str | None) -> dict[str, str]:
        headers = {"anthropic-version": API_VERSION}
        if api_key:
            headers["x-api-key"] = api_key
        return headers

    def body(self, model: str, request: ChatRequest, stream: bool) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": model,
            "system": request.system,
            "messages": [{"role": m.role, "content": m.content} for m in request.messages],
            "max_tokens": request.max_tokens,
            "temperature": request.temperature,
        }
        if stream:
            body["stream"] = True
        return body

    def parse(self, body: bytes) -> Reply:
        """{"type": "message", "content": [{"type": "text", "text": "..."}],
        "stop_reason": "end_turn", "usage": {"input_tokens": 9, "output_tokens": 12}}"""
        data = load_object(body)
        if data.get("type") == "error":
            raise _error(data)
        content = data.get("content")
        if not isinstance(content, list):
            raise BadReply("reply has no content")
        reply = Reply(complete=True)
        for block in content:
            if (
                isinstance(block, dict)
                and block.get("type") == "text"
                and isinstance(block.get("text"), str)
            ):
                reply.add(block["text"])
        reply.stop = data.get("stop_reason")
        usage = data.get("usage")
        if isinstance(usage, dict):
            reply.input_tokens = tokens(usage.get("input_tokens"))
            reply.output_tokens = tokens(usage.get("output_tokens"))
        return reply

    def feed(self, reply: Reply, event: Event) -> None:
        """message_start (input tokens), content_block_delta (text), message_delta
        (stop reason, output tokens), message_stop; ping; error."""
        data = load_object(event.data, "a streamed event")
        kind = data.get("type") or event.name
        if kind == "message_start":
            message = data.get("message")
            usage = message.get("usage") if isinstance(message, dict) else None
            if isinstance(usage, dict):
                reply.input_tokens = tokens(usage.get("input_tokens"))
        elif kind == "content_block_delta":
            delta = data.get("delta")
            if isinstance(delta, dict) and delta.get("type") == "text_delta":
                text = delta.get("text")
                if isinstance(text, str):
                    reply.add(text)
        elif kind == "message_delta":
            delta = data.get("delta")
            if isinstance(delta, dict) and delta.get("stop_reason"):
                reply.stop = delta["stop_reason"]
            usage = data.get("usage")
            if isinstance(usage, dict) and tokens(usage.get("output_tokens")) is not None:
                reply.output_tokens = tokens(usage.get("output_tokens"))
        elif kind == "message_stop":
            reply.complete = True
        elif kind == "error":
            raise _error(data)


def _error(data: dict[str, Any]) -> BadStatus:
    error = data.get("error") if isinstance(data.get("error"), dict) else {}
    kind = str(error.get("type") or "error")
    message = str(error.get("message") or kind)
    return BadStatus(f"{kind}: {message}", ERROR_STATUSES.get(kind, 200))
