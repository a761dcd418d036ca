"""The offline local models (`fixloop[local]`, `fixloop[local-large]`), served by child processes.

`LocalModels` is what the toolbox holds: it says which local model stands in
for a tier when no model is configured, makes the provider for a
`protocol = "local"` model, and stops the children in `aclose()`. Requests go
over HTTP through the ordinary provider (`HttpProvider`, OpenAI dialect), pointed
at the child, without its retries and rests: the child's crashes are counted here.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path

import anyio
from fixloop.config import ModelSettings, ReplyFormat, Tier
from fixloop.providers.base import (
    ChatRequest,
    Completion,
    FatalProviderError,
    Health,
    HealthState,
    Meter,
    ProviderError,
    Unreachable,
)
from fixloop.providers.client import HttpProvider
from fixloop.providers.local.grammar import fenced_block
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
from fixloop.providers.openai import OpenAIDialect
from fixloop.providers.retry import RetryPolicy

CACHE_ENV = "FIXLOOP_CACHE_DIR"  # where assembled models and the children's logs go
SWITCH_ENV = "FIXLOOP_LOCAL_MODEL"  # "off": never stand in for a missing [models] table
# No retries (a crashed child is restarted by the next attempt, not by the same one)
# and no rests: a small model's bad replies say nothing about the child's health.
POLICY = RetryPolicy(retries=0, failures_to_rest=1 << 30)
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
        stream=False,  # the child answers in JSON; a client gone stops it at its next token
        reply_format=ReplyFormat.WHOLE,  # the 0.5B model copes with a code block, not SEARCH/REPLACE
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
        self._dialect = _ThreadedDialect()
        self._client: HttpProvider | None = None
        self._closing: list[HttpProvider] = []  # clients of children gone, closed in aclose()
        self._base_url = ""

    def health(self) -> Health:
        return Health(HealthState.UP)  # a child that keeps crashing is a FatalProviderError

    def _client_for(self, base_url: str) -> HttpProvider:
        """The HTTP client for the child at `base_url` (a restarted child has a new port)."""
        if self._client is None or self._base_url != base_url:
            old, self._client = self._client, None
            if old is not None:
                self._closing.append(old)
            self._client = HttpProvider(
                dialect=self._dialect,
                base_url=base_url,
                model=self.name,
                api_key=None,
                timeout=self._settings.timeout,
                stream=self._settings.stream,
                policy=POLICY,
            )
            self._base_url = base_url
        return self._client

    async def complete(self, request: ChatRequest, meter: Meter | None = None) -> Completion:
        async with self.process.turn:
            base_url = await self.process.ensure()
            client = self._client_for(base_url)
            # Fewer threads while verifiers run: they share the cores (see threads_for).
            self._dialect.threads = max(1, self.process.threads - self._busy())
            try:
                completion = await client.complete(request, meter)
            except FatalProviderError:
                raise
            except ProviderError as exc:
                why = await self.process.after_failure()
                if why:
                    raise Unreachable(f"{why}; it is started again for the next attempt") from exc
                raise
            self.process.answered()
            return completion

    async def aclose(self) -> None:
        clients = [*self._closing, *([self._client] if self._client is not None else [])]
        self._closing, self._client = [], None
        for client in clients:
            await client.aclose()


class _ThreadedDialect(OpenAIDialect):
    """OpenAI chat completions, also telling the child how many threads to decode with."""

    threads = 1

    def body(self, model: str, request: ChatRequest, stream: bool) -> dict:
        body = {**super().body(model, request, stream), "n_threads": self.threads}
        if request.fence is not None:
            body["grammar"] = fenced_block(
                request.fence.tag, request.fence.max_lines, request.fence.first
            )
        return body


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
        self._found: dict[str, bool] = {}

    @property
    def cache_dir(self) -> Path:
        if self._env.get(CACHE_ENV):
            return Path(self._env[CACHE_ENV])
        import platformdirs  # comes with the extras, needed only once a local model is used

        return Path(platformdirs.user_cache_dir("fixloop"))

    def default(self, tier: Tier) -> ModelSettings | None:
        """The local model standing in for `tier` when no model is configured.

        Fast: the 0.5B model, else the 1.5B. Frontier: the 1.5B model, when the
        0.5B is the fast one.
        """
        if self._env.get(SWITCH_ENV, "").lower() == "off":
            return None
        small, large = self._has(SMALL), self._has(LARGE)
        if tier == Tier.FAST and (small or large):
            return local_settings(SMALL if small else LARGE)
        if tier == Tier.FRONTIER and small and large:
            return local_settings(LARGE)
        return None

    def _has(self, model: LocalModel) -> bool:
        """Whether a model's parts are installed, looked up once (settings are read often)."""
        if model.name not in self._found:
            self._found[model.name] = self._installed(model)
        return self._found[model.name]

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
