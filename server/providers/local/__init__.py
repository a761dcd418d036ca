"""The offline local models (`fixloop[local]`, `fixloop[local-large]`), served by child processes.

`LocalModels` is what the toolbox holds: it says which local model stands in
for a tier when no model is configured, makes the provider for a
`protocol = "local"` model, and stops the children in `aclose()`. Requests go
over HTTP through the ordinary OpenAI provider, pointed at the child.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path

import anyio
from fixloop.config import ModelSettings
from fixloop.providers.base import ChatRequest, Completion, FatalProviderError, Unreachable
from fixloop.providers.local.process import LocalProcess, describe_exit
from fixloop.providers.local.weights import (
    BUILD_FLAGS,
    CATALOG,
    LARGE,
    SMALL,
    LocalModel,
    WeightsError,
    assemble,
    ensure_weights,
    part_paths,
)
from fixloop.providers.openai import OpenAIProvider

CACHE_ENV = "FIXLOOP_CACHE_DIR"  # where assembled models and the children's logs go
SWITCH_ENV = "FIXLOOP_LOCAL_MODEL"  # "off": never stand in for a missing [models] table
INSTALL = f'CMAKE_ARGS="{BUILD_FLAGS}" python3 -m pip install "fixloop[local]"'


def threads_for(cores: int) -> int:
    """Decoding threads for a machine: leave a core to the verifiers that run meanwhile.

    Measured on 2 cores: with one core busy, 2 threads fell to 1.7 tok/s while
    1 thread held 14 tok/s. Beyond 8 threads a small model gains little.
    """
    return max(1, min(cores - 1, 8))


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def local_settings(model: LocalModel) -> ModelSettings:
    """The tier settings for a local model: free, more varied than a hosted one."""
    return ModelSettings(
        protocol="local",
        model=model.name,
        max_tokens=256,  # a small region rewritten; bounds a rambling reply (4-14 tok/s here)
        temperature=0.7,  # attempts on one prompt should differ
        timeout=120.0,
        reply_format="rewrite",  # the 0.5B model copes with a code block, not SEARCH/REPLACE
    )


class LocalProvider:
    """A local model: its child started on first use, one request at a time.

    Requests wait for their turn here rather than in the child, so one cancelled
    while waiting (another candidate won) never reaches the model.
    """

    def __init__(self, process: LocalProcess, settings: ModelSettings, busy: Callable[[], int]):
        self.name = settings.model
        self.process = process
        self._settings = settings
        self._busy = busy
        self._client: _ThreadedClient | None = None

    async def _client_for(self, base_url: str) -> _ThreadedClient:
        """The HTTP client for the child at `base_url` (a restarted child has a new port)."""
        if self._client is not None and self._client.base_url != base_url:
            await self._client.aclose()
            self._client = None
        if self._client is None:
            self._client = _ThreadedClient(
                base_url=base_url, model=self.name, api_key=None, timeout=self._settings.timeout
            )
        return self._client

    async def complete(self, request: ChatRequest) -> Completion:
        async with self.process.turn:
            base_url = await self.process.ensure()
            client = await self._client_for(base_url)
            # Fewer threads while verifiers run: they share the cores (see threads_for).
            client.threads = max(1, self.process.threads - self._busy())
            try:
                completion = await client.complete(request)
            except Unreachable as exc:
                why = await self.process.after_failure()
                if why:
                    raise Unreachable(f"{why}; it is started again for the next attempt") from None
                raise exc
            self.process.answered()
            return completion

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()


class _ThreadedClient(OpenAIProvider):
    """The OpenAI provider, also telling the child how many threads to decode with."""

    threads = 1

    def __init__(self, *, base_url: str, **kwargs) -> None:
        super().__init__(base_url=base_url, **kwargs)
        self.base_url = base_url

    def body(self, request: ChatRequest) -> dict:
        return {**super().body(request), "n_threads": self.threads}


class LocalModels:
    """The local models' children, owned by the toolbox and stopped with it."""

    def __init__(
        self,
        env: Mapping[str, str],
        busy: Callable[[], int] = lambda: 0,
        *,
        installed: Callable[[LocalModel], bool] = lambda model: model.installed,
        cores: int | None = None,
    ) -> None:
        self._env = env
        self._busy = busy
        self._installed = installed
        self.threads = threads_for(cores or _cores())
        self._processes: dict[str, LocalProcess] = {}
        self._providers: list[LocalProvider] = []

    @property
    def cache_dir(self) -> Path:
        if self._env.get(CACHE_ENV):
            return Path(self._env[CACHE_ENV])
        import platformdirs  # comes with the extras, needed only once a local model is used

        return Path(platformdirs.user_cache_dir("fixloop"))

    def default(self, tier: str) -> ModelSettings | None:
        """The local model standing in for `tier` when no model is configured.

        Fast: the 0.5B model, else the 1.5B. Frontier: the 1.5B model, when the
        0.5B is the fast one.
        """
        if self._env.get(SWITCH_ENV, "").lower() == "off":
            return None
        small, large = self._installed(SMALL), self._installed(LARGE)
        if tier == "fast" and (small or large):
            return local_settings(SMALL if small else LARGE)
        if tier == "frontier" and small and large:
            return local_settings(LARGE)
        return None

    def provider(self, settings: ModelSettings) -> LocalProvider:
        """The provider for a `protocol = "local"` tier; FatalProviderError for an unknown model."""
        model = CATALOG.get(settings.model)
        if model is None:
            raise FatalProviderError(
                f"no local model is called {settings.model!r} (known: {', '.join(CATALOG)})"
            )
        if model.name not in self._processes:
            self._processes[model.name] = LocalProcess(
                model, cache_dir=self.cache_dir, threads=self.threads
            )
        provider = LocalProvider(self._processes[model.name], settings, self._busy)
        self._providers.append(provider)
        return provider

    async def aclose(self) -> None:
        """Stop every child; bounded, and safe to call twice."""
        with anyio.CancelScope(shield=True):
            for provider in self._providers:
                await provider.aclose()
            for process in self._processes.values():
                await process.aclose()
        self._providers.clear()


__all__ = [
    "BUILD_FLAGS",
    "CACHE_ENV",
    "CATALOG",
    "INSTALL",
    "LARGE",
    "SMALL",
    "SWITCH_ENV",
    "LocalModel",
    "LocalModels",
    "LocalProcess",
    "LocalProvider",
    "WeightsError",
    "assemble",
    "describe_exit",
    "ensure_weights",
    "local_settings",
    "part_paths",
    "threads_for",
]
