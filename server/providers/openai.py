"""Any OpenAI-compatible chat-completions server (hosted, Ollama, llama.cpp, vLLM)."""

from __future__ import annotations

from typing import Any

from fixloop.providers.base import BadReply, BadStatus, ChatRequest
from fixloop.providers.http import error_message
from fixloop.providers.sse import Event
from fixloop.providers.wire import Reply, load_object, tokens


class OpenAIDialect:
    """POST {base_url}/chat/completions, one choice; JSON or SSE chunks ending in [DONE]."""

    path = "chat/completions"
    length_stops = frozenset({"length"})

    def headers(self, api_key: str | None) -> dict[str, str]:
        return {"authorization": f"Bearer {api_key}"} if api_key else {}

    def body(self, model: str, request: ChatRequest, stream: bool) -> dict[str, Any]:
        messages = [{"role": "system", "content": request.system}]
        messages += [{"role": m.role, "content": m.content} for m in request.messages]
        body: dict[str, Any] = {
            "model": model,
            "messages": messages,
            "max_tokens": request.max_tokens,
            "temperature": request.temperature,
        }
        if stream:
            body["stream"] = True
            body["stream_options"] = {"include_usage": True}  # the usage comes in a last chunk
        return body

    def parse(self, body: bytes) -> Reply:
        """{"choices": [{"message": {"content": "..."}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 9, "completion_tokens": 12}}"""
        data = load_object(body)
        if "error" in data:
            raise BadStatus(f"model server error: {error_message(data)}", 200)
        choices = data.get("choices")
        if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
            raise BadReply("reply has no choices")
        message = choices[0].get("message")
        content = message.get("content") if isinstance(message, dict) else None
        reply = Reply(complete=True)
        if isinstance(content, str):
            reply.add(content)
        reply.stop = choices[0].get("finish_reason")
        _usage(reply, data.get("usage"))
        return reply

    def feed(self, reply: Reply, event: Event) -> None:
        """data: {"choices": [{"index": 0, "delta": {"content": "..."}, "finish_reason": null}]}
        ... data: {"choices": [], "usage": {...}}   data: [DONE]"""
        if event.data.strip() == "[DONE]":
            reply.complete = True
            return
        chunk = load_object(event.data, "a streamed chunk")
        if "error" in chunk:
            raise BadStatus(f"model server error mid-stream: {error_message(chunk)}", 200)
        choices = chunk.get("choices") or []
        for choice in choices[:1] if isinstance(choices, list) else ():
            if not isinstance(choice, dict) or choice.get("index", 0) != 0:
                continue
            delta = choice.get("delta")
            content = delta.get("content") if isinstance(delta, dict) else None
            if isinstance(content, str):
                reply.add(content)
            if choice.get("finish_reason"):
                reply.stop = choice["finish_reason"]
        _usage(reply, chunk.get("usage"))


def _usage(reply: Reply, usage: object) -> None:
    if isinstance(usage, dict):
        reply.input_tokens = tokens(usage.get("prompt_tokens"))
        reply.output_tokens = tokens(usage.get("completion_tokens"))
