"""Any OpenAI-compatible chat-completions server (hosted, Ollama, llama.cpp, vLLM)."""

from __future__ import annotations

import json
import time

import httpx

from fixloop.providers.base import (
    BadReply,
    BadStatus,
    ChatRequest,
    Completion,
    Unreachable,
)
from fixloop.providers.http import error_message, raise_for_status


class OpenAIProvider:
    """POST {base_url}/chat/completions, one choice per request, JSON reply."""

    def __init__(
        self,
        *,
        base_url: str,
        model: str,
        api_key: str | None,
        timeout: float,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.name = model
        headers = {"content-type": "application/json"}
        if api_key:
            headers["authorization"] = f"Bearer {api_key}"
        self._client = httpx.AsyncClient(
            base_url=base_url.rstrip("/") + "/",
            headers=headers,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            transport=transport,
        )

    def body(self, request: ChatRequest) -> dict:
        messages = [{"role": "system", "content": request.system}]
        messages += [{"role": m.role, "content": m.content} for m in request.messages]
        return {
            "model": self.name,
            "messages": messages,
            "max_tokens": request.max_tokens,
            "temperature": request.temperature,
        }

    async def complete(self, request: ChatRequest) -> Completion:
        started = time.perf_counter()
        try:
            response = await self._client.post("chat/completions", json=self.body(request))
        except httpx.TimeoutException:
            raise Unreachable("the model server did not answer in time") from None
        except httpx.TransportError as exc:
            raise Unreachable(f"cannot reach the model server: {exc}") from None
        raise_for_status(response)
        return parse_chat_completion(response.content, time.perf_counter() - started)

    async def aclose(self) -> None:
        await self._client.aclose()


def parse_chat_completion(body: bytes, seconds: float = 0.0) -> Completion:
    """The first choice's text and the usage, from a chat.completion JSON body.

    {"choices": [{"index": 0, "message": {"role": "assistant", "content": "..."},
      "finish_reason": "stop"}], "usage": {"prompt_tokens": 9, "completion_tokens": 12}}
    """
    try:
        data = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BadReply(f"reply is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise BadReply("reply is not a JSON object")
    if "error" in data:
        raise BadStatus(f"model server error: {error_message(data)}", 200)
    choices = data.get("choices")
    if not isinstance(choices, list) or not choices:
        raise BadReply("reply has no choices")
    message = choices[0].get("message") if isinstance(choices[0], dict) else None
    content = message.get("content") if isinstance(message, dict) else None
    if not isinstance(content, str) or not content.strip():
        raise BadReply("reply has no text")
    usage = data.get("usage") if isinstance(data.get("usage"), dict) else {}
    return Completion(
        text=content,
        input_tokens=int(usage.get("prompt_tokens") or 0),
        output_tokens=int(usage.get("completion_tokens") or 0),
        seconds=seconds,
    )
