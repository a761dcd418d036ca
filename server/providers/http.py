"""HTTP details shared by the protocols: error bodies and statuses."""

from __future__ import annotations

import json

import httpx

from fixloop.providers.base import BadStatus, FatalProviderError

# Statuses after which no retry can help until the user changes something.
FATAL_STATUSES = {401: "the API key was refused", 403: "access denied", 404: "not found"}


def error_message(data: object) -> str:
    """The human message inside an OpenAI or Anthropic error body."""
    if isinstance(data, dict):
        error = data.get("error")
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            return error["message"]
        if isinstance(error, str):
            return error
    return "no message"


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def raise_for_status(response: httpx.Response) -> None:
    """Translate an HTTP error status into the provider error tree."""
    if response.status_code < 400:
        return
    try:
        detail = error_message(json.loads(response.content))
    except (json.JSONDecodeError, UnicodeDecodeError):
        detail = response.text[:200].strip() or "no message"
    status = response.status_code
    if status in FATAL_STATUSES:
        raise FatalProviderError(f"{FATAL_STATUSES[status]} (HTTP {status}): {detail}")
    raise BadStatus(f"HTTP {status}: {detail}", status, _retry_after(response))
