"""Model providers: the only code that speaks HTTP.

`make_provider` turns one tier's settings into a provider, reading the key
from the environment variable the settings name (never from the settings).
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from fixloop.config import ModelSettings
from fixloop.providers.base import (
    BadReply,
    BadStatus,
    ChatRequest,
    Completion,
    FatalProviderError,
    Message,
    Provider,
    ProviderError,
    Unreachable,
)
from fixloop.providers.openai import OpenAIProvider


def make_provider(settings: ModelSettings, env: Mapping[str, str] = os.environ) -> Provider:
    """A provider for one tier; FatalProviderError if its key is missing."""
    api_key = None
    if settings.api_key_env:
        api_key = env.get(settings.api_key_env)
        if not api_key:
            raise FatalProviderError(
                f"the environment variable {settings.api_key_env} is not set: "
                f"it must hold the API key for {settings.model}"
            )
    if settings.protocol != "openai":
        raise FatalProviderError(
            f"protocol {settings.protocol!r} is not supported yet (use an OpenAI-compatible server)"
        )
    return OpenAIProvider(
        base_url=settings.base_url,
        model=settings.model,
        api_key=api_key,
        timeout=settings.timeout,
    )


__all__ = [
    "BadReply",
    "BadStatus",
    "ChatRequest",
    "Completion",
    "FatalProviderError",
    "Message",
    "Provider",
    "ProviderError",
    "Unreachable",
    "make_provider",
]
