"""HTTP details shared by the protocols: error bodies, statuses, secrets in messages."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable

import httpx
from fixloop.providers.base import BadStatus, FatalProviderError

# Statuses after which no retry can help until the user changes something.
FATAL_STATUSES = {401: "the API key was refused", 403: "access denied", 404: "not found"}
REDACTED = "[redacted]"


def error_message(data: object) -> str:
    """The human message inside an OpenAI or Anthropic error body."""
    if isinstance(data, dict):
        error = data.get("error")
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            return error["message"]
        if isinstance(error, str):
            return error
    return "no message"


# The longest rest a `retry-after` can ask for: a day ("inf" or 1e308 rested the provider
# for ever, "nan" is no number of seconds).
MAX_RETRY_AFTER = 86_400.0


def retry_after(headers: httpx.Headers) -> float | None:
    """The seconds a `retry-after` header asks for (HTTP dates are not worth parsing here)."""
    value = headers.get("retry-after")
    try:
        seconds = float(value) if value is not None else None
    except ValueError:
        return None
    if seconds is None or math.isnan(seconds):
        return None
    return min(max(0.0, seconds), MAX_RETRY_AFTER)


def raise_for_status(response: httpx.Response) -> None:
    """Translate an HTTP error status into the provider error tree (the body must be read)."""
    if response.status_code < 400:
        return
    try:
        detail = error_message(json.loads(response.content))
    except (json.JSONDecodeError, UnicodeDecodeError):
        detail = response.text[:200].strip() or "no message"
    status = response.status_code
    if status in FATAL_STATUSES:
        raise FatalProviderError(f"{FATAL_STATUSES[status]} (HTTP {status}): {detail}")
    raise BadStatus(f"HTTP {status}: {detail}", status, retry_after(response.headers))


def scrub(exc: BaseException, secrets: Iterable[str]) -> None:
    """Take every secret out of an exception's message (servers echo keys in 401 bodies)."""
    secrets = [s for s in secrets if s]
    if not secrets:
        return
    args = []
    for arg in exc.args:
        if isinstance(arg, str):
            for secret in secrets:
                arg = arg.replace(secret, REDACTED)
        args.append(arg)
    exc.args = tuple(args)
