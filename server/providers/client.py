"""One provider over HTTP: a dialect, retries, a breaker, and a reservation per request.

Each HTTP request (retries included) is admitted by the caller's Meter first and
its charge closed when the request is over:

- released when nothing can have been billed: the connection failed, or the
  server answered with an error status;
- settled with the reported usage when the reply is whole;
- otherwise (cancelled, timed out, cut off, unreadable) settled conservatively:
  the prompt estimate in, and out what was streamed so far plus a margin for
  what the server produced before it noticed, or `max_tokens` for a JSON reply.

Streaming is the default: when the loop cancels a losing attempt, the
connection closes at once and the server stops generating.

A reply is read in pieces and dropped once it passes `reply_cap` (a JSON body
in bytes, a stream's text or any one of its lines in characters): a broken or
hostile server cannot make fixloop hold megabytes for a fix of a few lines.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import random
import ssl
import time

import anyio
import httpx
from fixloop.providers.base import (
    BadReply,
    Charge,
    ChatRequest,
    Completion,
    FatalProviderError,
    Health,
    Meter,
    ProviderError,
    Unreachable,
)
from fixloop.providers.http import raise_for_status, scrub
from fixloop.providers.pool import ClientPool
from fixloop.providers.retry import DEFAULT_POLICY, Breaker, RetryPolicy
from fixloop.providers.sse import Decoder, Event, Lines, LineTooLong
from fixloop.providers.wire import Dialect, Reply

# Tokens a server may still produce between our hang-up and its noticing.
STREAM_SLACK = 16
# A streamed token is rarely shorter than two characters: count high.
CHARS_PER_TOKEN = 2
# A fix is a few hundred characters; a reply past this is broken (or hostile) and dropped.
REPLY_CAP = 1 << 20


@functools.cache
def _tls_context() -> ssl.SSLContext | bool:
    """One TLS context for every provider: building one reads the CA bundle, about 0.1 s of
    CPU that would otherwise stall the event loop each time a provider is made."""
    make = getattr(httpx, "create_ssl_context", None)
    return make() if make is not None else True


class _Progress:
    """How far one request got, for closing its charge."""

    def __init__(self, streamed: bool) -> None:
        self.streamed = streamed
        self.never_sent = False
        self.status: int | None = None
        self.reply = Reply()


class HttpProvider:
    """A model behind an OpenAI or Anthropic endpoint."""

    def __init__(
        self,
        *,
        dialect: Dialect,
        base_url: str,
        model: str,
        api_key: str | None,
        timeout: float,
        stream: bool = True,
        policy: RetryPolicy = DEFAULT_POLICY,
        transport: httpx.AsyncBaseTransport | None = None,
        rng: random.Random | None = None,
        reply_cap: int = REPLY_CAP,
    ) -> None:
        self.name = model
        self._reply_cap = reply_cap
        self._dialect = dialect
        self._base_url = base_url.rstrip("/")
        self._timeout = timeout
        self._stream = stream
        self._policy = policy
        self._secrets = (api_key,) if api_key else ()
        self._breaker = Breaker(model, policy)
        self._rng = rng or random.Random()
        headers = {"content-type": "application/json", **dialect.headers(api_key)}
        tls = _tls_context()  # one for every client of every provider: each costs tens of ms
        self._client = ClientPool(
            lambda size: httpx.AsyncClient(
                base_url=self._base_url + "/",
                headers=headers,
                timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
                limits=httpx.Limits(max_connections=size, max_keepalive_connections=size),
                verify=tls,
                transport=transport,
            )
        )

    def health(self) -> Health:
        return self._breaker.health()

    async def complete(self, request: ChatRequest, meter: Meter | None = None) -> Completion:
        started = time.perf_counter()
        self._breaker.check()
        retry = 0
        while True:
            try:
                reply = await self._request(request, meter)
            except ProviderError as exc:
                scrub(exc, self._secrets)
                if isinstance(exc, FatalProviderError):
                    raise
                wait = self._policy.delay(exc, retry, self._rng)
                if (
                    retry < self._policy.retries
                    and self._policy.retryable(exc)
                    and wait <= self._policy.max_wait
                    and self._time_left() > wait
                ):
                    retry += 1
                    await anyio.sleep(wait)
                    continue
                after = getattr(exc, "retry_after", None) or 0.0
                self._breaker.failed(
                    str(exc), rest_at_least=after if after > self._policy.max_wait else 0.0
                )
                raise
            self._breaker.succeeded()
            return Completion(
                text=reply.text,
                input_tokens=reply.input_tokens or 0,
                output_tokens=reply.output_tokens or 0,
                seconds=time.perf_counter() - started,
                requests=retry + 1,
            )

    @staticmethod
    def _time_left() -> float:
        """Seconds until the caller's deadline (a retry that cannot finish is not sent)."""
        return anyio.current_effective_deadline() - anyio.current_time()

    async def _request(self, request: ChatRequest, meter: Meter | None) -> Reply:
        # May refuse (nothing is sent then); a cancellation waits for the reservation to land.
        charge = await meter.reserve(request) if meter is not None else None
        granted = getattr(charge, "max_tokens", request.max_tokens)
        if granted < request.max_tokens:  # what is left of the budget bounds the reply
            request = dataclasses.replace(request, max_tokens=granted)
        body = self._dialect.body(self.name, request, self._stream)
        progress = _Progress(self._stream)
        try:
            try:
                with anyio.fail_after(self._timeout):
                    await self._exchange_unless_stopped(body, progress, charge)
            except TimeoutError:
                raise Unreachable(
                    f"no complete reply within {self._timeout:g} s", timed_out=True
                ) from None
        except BaseException:
            if charge is not None:
                await self._close(charge, progress, request, whole=False)
            raise
        if charge is not None:
            await self._close(charge, progress, request, whole=True)
        return self._checked(progress.reply, request)

    async def _exchange_unless_stopped(
        self, body: dict, progress: _Progress, charge: Charge | None
    ) -> None:
        """The exchange, cut off when the charge says the request must stop (the workspace's
        budget has passed its cap: another request was reported above its reservation)."""
        watch = getattr(charge, "stopped", None)
        if watch is None:
            await self._exchange(body, progress)
            return
        stop: BaseException | None = None
        failure: Exception | None = None

        async def watcher(scope: anyio.CancelScope) -> None:
            nonlocal stop
            stop = await watch()
            scope.cancel()

        async with anyio.create_task_group() as tg:
            with anyio.CancelScope() as exchange:
                tg.start_soon(watcher, exchange)
                try:
                    await self._exchange(body, progress)
                except Exception as exc:  # noqa: BLE001 -- raised below, outside the group (unwrapped)
                    failure = exc
            tg.cancel_scope.cancel()
        if failure is not None:
            raise failure
        if stop is not None and exchange.cancelled_caught:
            raise stop

    async def _close(
        self, charge: Charge, progress: _Progress, request: ChatRequest, whole: bool
    ) -> None:
        if progress.never_sent or (progress.status or 0) >= 400:
            await charge.release()
            return
        reply = progress.reply
        output = reply.output_tokens
        if output is None and (progress.streamed or reply.chars):
            output = math.ceil(reply.chars / CHARS_PER_TOKEN) + (0 if whole else STREAM_SLACK)
            output = min(request.max_tokens, output)
        await charge.settle(reply.input_tokens, output)

    def _checked(self, reply: Reply, request: ChatRequest) -> Reply:
        if reply.stop in self._dialect.length_stops:
            raise BadReply(
                f"the reply was cut off at max_tokens ({request.max_tokens}) after "
                f"{reply.chars} characters"
            )
        if not reply.text.strip():
            raise BadReply("the reply has no text")
        return reply

    async def _exchange(self, body: dict, progress: _Progress) -> None:
        path = self._dialect.path
        try:
            async with self._client.stream("POST", path, json=body) as response:
                progress.status = response.status_code
                await self._read(response, progress)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            progress.never_sent = True
            raise Unreachable(f"cannot reach the model server at {self._base_url}: {exc}") from None
        except httpx.TimeoutException:
            raise Unreachable(f"no answer within {self._timeout:g} s", timed_out=True) from None
        except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
            progress.never_sent = True
            raise FatalProviderError(f"bad base_url {self._base_url!r}: {exc}") from None
        except httpx.TransportError as exc:
            raise Unreachable(f"the connection to {self._base_url} failed: {exc}") from None

    async def _read(self, response: httpx.Response, progress: _Progress) -> None:
        reply = progress.reply
        try:
            if response.status_code >= 400:
                await response.aread()
                raise_for_status(response)
            streamed = "text/event-stream" in response.headers.get("content-type", "")
            if not streamed:  # a server may answer a stream request with one JSON body
                progress.streamed = False
                progress.reply = self._dialect.parse(await self._body(response))
                return
            decoder, lines = Decoder(), Lines(self._reply_cap)
            async for text in response.aiter_text():
                for line in lines.feed(text):
                    self._event(reply, decoder.line(line))
            for line in lines.close():
                self._event(reply, decoder.line(line))
        except LineTooLong:
            raise BadReply(
                f"the stream sent a line longer than {self._reply_cap} characters; "
                "the reply was dropped"
            ) from None
        except httpx.TimeoutException:
            raise Unreachable(
                f"the reply stalled after {reply.chars} characters", timed_out=True
            ) from None
        except httpx.TransportError as exc:
            what = "stream" if progress.streamed else "reply"
            raise BadReply(
                f"the {what} was cut off after {reply.chars} characters: {exc}"
            ) from None
        if not reply.complete:
            raise BadReply(
                f"the stream ended without its final event after {reply.chars} characters"
            )

    def _event(self, reply: Reply, event: Event | None) -> None:
        if event is None or reply.complete:
            return
        self._dialect.feed(reply, event)
        if reply.chars > self._reply_cap:
            raise BadReply(
                f"the reply passed {self._reply_cap} characters and was dropped "
                "(a fix is a few lines)"
            )

    async def _body(self, response: httpx.Response) -> bytes:
        """A whole JSON body, read in pieces up to the cap."""
        cap = self._reply_cap
        try:
            announced = int(response.headers.get("content-length", "0"))
        except ValueError:
            announced = 0
        if announced > cap:
            raise BadReply(f"the reply is {announced} bytes, over the {cap}-byte cap; dropped")
        chunks, size = [], 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > cap:
                raise BadReply(
                    f"the reply passed {cap} bytes and was dropped (a fix is a few lines)"
                )
            chunks.append(chunk)
        return b"".join(chunks)

    async def aclose(self) -> None:
        await self._client.aclose()
