"""Model providers: the only code that speaks HTTP.

`make_provider` turns one tier's settings into a provider, reading the key
from the environment variable the settings name (never from the settings),
and only when that variable was named in the same place as the base_url: a key
is never sent to an endpoint that another source of settings chose.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from fixloop.config import ModelSettings
from fixloop.providers.anthropic import AnthropicDialect
from fixloop.providers.base import (
    BadReply,
    BadStatus,
    Charge,
    ChatRequest,
    Completion,
    Fence,
    FatalProviderError,
    Health,
    HealthState,
    Message,
    Meter,
    Provider,
    ProviderDown,
    ProviderError,
    Unreachable,
)
from fixloop.providers.client import HttpProvider
from fixloop.providers.openai import OpenAIDialect
from fixloop.providers.retry import DEFAULT_POLICY, RetryPolicy

DIALECTS = {"openai": OpenAIDialect, "anthropic": AnthropicDialect}


def make_provider(
    settings: ModelSettings,
    env: Mapping[str, str] = os.environ,
    *,
    policy: RetryPolicy | None = None,
) -> Provider:
    """A provider for one tier; FatalProviderError if its key is missing."""
    api_key = None
    if settings.api_key_env and settings.api_key_env_from != settings.base_url_from:
        raise FatalProviderError(
            f"the key variable {settings.api_key_env} (named in "
            f"{settings.api_key_env_from or 'the defaults'}) is not sent to "
            f"{settings.base_url or 'the default base_url'} (named in "
            f"{settings.base_url_from or 'the defaults'}): a key only goes to the base_url "
            "named beside it; name both in the same settings"
        )
    if settings.api_key_env:
        api_key = env.get(settings.api_key_env)
        if not api_key:
            raise FatalProviderError(
                f"the environment variable {settings.api_key_env} is not set: "
                f"it must hold the API key for {settings.model}"
            )
    dialect = DIALECTS.get(settings.protocol)
    if dialect is None:
        raise FatalProviderError(
            f"protocol {settings.protocol!r} is not supported (use one of {', '.join(DIALECTS)})"
        )
    return HttpProvider(
        dialect=dialect(),
        base_url=settings.base_url,
        model=settings.model,
        api_key=api_key,
        timeout=settings.timeout,
        stream=settings.stream,
        policy=policy or DEFAULT_POLICY,
    )


__all__ = [
    "BadReply",
    "BadStatus",
    "Charge",
    "ChatRequest",
    "Completion",
    "FatalProviderError",
    "Fence",
    "Health",
    "HealthState",
    "Message",
    "Meter",
    "Provider",
    "ProviderDown",
    "ProviderError",
    "RetryPolicy",
    "Unreachable",
    "make_provider",
]
