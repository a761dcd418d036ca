"""The local model's server: OpenAI chat completions on 127.0.0.1, as fixloop's child process.

It runs apart from fixloop so that a crash in llama.cpp's native code ends only
this process; fixloop notices and starts it again. What the parent relies on:

- `PORT <n>` on stdout once the model is loaded and the socket listens;
- `GET /health` answers `{"status": "ok", "busy": ..., "served": ...}`, also while generating;
- `POST /v1/chat/completions` (JSON, one choice); requests are decoded one at a
  time, and one whose client has gone away stops at its next token;
- the field `n_threads` in a request (fixloop's own) sets the threads for it, and
  `grammar` (also fixloop's own: GBNF text) constrains what it may generate;
- the process exits when its stdin closes, so it never outlives fixloop.

    python -m fixloop.providers.local.serve --model FILE.gguf --threads 1
"""

from __future__ import annotations

import argparse
import json
import os
import random
import select
import socket
import stat
import sys
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

CACHE_MB = 256  # prompt states kept in RAM, so alternating prompts skip their prefill


class ClientGone(Exception):
    """The HTTP client closed its connection: nobody wants this completion any more."""


class BadRequest(Exception):
    """A request that is not a chat completion this server can serve."""


def _trimmed_cache(llama_cpp, capacity_bytes: int):
    """llama-cpp's RAM prompt cache, holding each state without its logits.

    A saved state carries the logits of a whole batch (n_batch x vocabulary,
    300 MB for Qwen's 152k tokens) that the cache does not count towards its
    capacity. They are not needed: a loaded state is decoded again before
    sampling (`_requires_eval`), so one row is kept, which broadcasts on load.
    """

    class TrimmedRAMCache(llama_cpp.LlamaRAMCache):
        def __setitem__(self, key, value) -> None:
            value.scores = value.scores[-1:].copy()
            super().__setitem__(key, value)

    return TrimmedRAMCache(capacity_bytes=capacity_bytes)


class Model:
    """The loaded model, decoding one request at a time."""

    def __init__(self, path: str, threads: int, ctx: int, cache_mb: int) -> None:
        import llama_cpp  # only here: the parent never loads the native library

        self._llama_cpp = llama_cpp
        self.name = os.path.basename(path).removesuffix(".gguf")
        self.llm = llama_cpp.Llama(
            model_path=path,
            n_ctx=ctx,
            n_threads=threads,
            n_threads_batch=threads,
            verbose=False,
        )
        if cache_mb > 0:
            self.llm.set_cache(_trimmed_cache(llama_cpp, cache_mb << 20))
        self.threads = threads
        self._grammars: dict[str, Any] = {}  # GBNF text -> compiled grammar (a few shapes)
        self.lock = threading.Lock()
        self.busy = False
        self.served = 0

    def _set_threads(self, threads: int) -> None:
        if threads != self.threads:
            self._llama_cpp.llama_set_n_threads(self.llm.ctx, threads, threads)
            self.threads = threads

    def _grammar(self, text: Any):
        """The compiled grammar for a request's `grammar` field (None: unconstrained)."""
        if text is None:
            return None
        if not isinstance(text, str) or not text.strip():
            raise BadRequest("`grammar` must be GBNF text")
        if text not in self._grammars:
            try:
                compiled = self._llama_cpp.LlamaGrammar.from_string(text, verbose=False)
            except Exception as exc:  # llama.cpp says only that parsing failed
                raise BadRequest(f"`grammar` does not parse: {exc}") from exc
            if len(self._grammars) >= 16:
                self._grammars.clear()
            self._grammars[text] = compiled
        return self._grammars[text]

    def complete(self, body: dict, gone) -> dict:
        """One chat completion; ClientGone once `gone()` says the client left."""
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            raise BadRequest("`messages` must be a non-empty list")
        for message in messages:
            if not (isinstance(message, dict) and isinstance(message.get("content"), str)):
                raise BadRequest("every message needs a string `content`")
        grammar = self._grammar(body.get("grammar"))

        while not self.lock.acquire(timeout=0.2):
            if gone():
                raise ClientGone
        try:
            self.busy = True
            threads = body.get("n_threads")
            if isinstance(threads, int) and threads >= 1:
                self._set_threads(threads)
            seed = body.get("seed")
            # Streamed inside, so that a client gone away stops it at the next token (a
            # logits processor cannot: llama-cpp calls it from C, which swallows exceptions).
            stream = self.llm.create_chat_completion(
                messages=[
                    {"role": m.get("role", "user"), "content": m["content"]} for m in messages
                ],
                max_tokens=int(body.get("max_tokens") or 512),
                temperature=float(body.get("temperature", 0.2)),
                # llama-cpp reuses one seed unless told: identical prompts would give
                # identical candidates, and parallel attempts would be wasted.
                seed=seed if isinstance(seed, int) else random.getrandbits(31),
                stop=body.get("stop") or [],
                grammar=grammar,
                stream=True,
            )
            text, tokens, finish = [], 0, "length"
            try:
                for chunk in stream:
                    if gone():
                        raise ClientGone
                    choice = chunk["choices"][0]
                    piece = choice.get("delta", {}).get("content")
                    if piece:
                        text.append(piece)
                        tokens += 1
                    finish = choice.get("finish_reason") or finish
            finally:
                getattr(stream, "close", lambda: None)()
            prompt_tokens = max(0, self.llm.n_tokens - tokens)  # the context holds both
            self.served += 1
        finally:
            self.busy = False
            self.lock.release()
        return {
            "id": f"chatcmpl-fixloop-{self.served}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model") or self.name,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": "".join(text)},
                    "finish_reason": finish,
                }
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": tokens,
                "total_tokens": prompt_tokens + tokens,
            },
        }


def client_gone(connection: socket.socket) -> bool:
    """Whether the peer closed the connection (it sends nothing else mid-request)."""
    try:
        readable, _, _ = select.select([connection], [], [], 0)
        return bool(readable) and connection.recv(1, socket.MSG_PEEK) == b""
    except OSError:
        return True


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: "ModelServer"

    def log_message(self, format: str, *args: Any) -> None:
        pass  # one line per request would drown the log; errors are logged below

    def _send(self, status: int, payload: dict) -> None:
        data = json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up meanwhile
            self.close_connection = True

    def _error(self, status: int, message: str) -> None:
        self._send(status, {"error": {"message": message, "type": "invalid_request_error"}})

    def do_GET(self) -> None:
        model = self.server.model
        if self.path == "/health":
            self._send(200, {"status": "ok", "busy": model.busy, "served": model.served})
        elif self.path == "/v1/models":
            self._send(200, {"object": "list", "data": [{"id": model.name, "object": "model"}]})
        else:
            self._error(404, f"no such path: {self.path}")

    def do_POST(self) -> None:
        if self.path != "/v1/chat/completions":
            self._error(404, f"no such path: {self.path}")
            return
        try:
            length = int(self.headers.get("content-length") or 0)
            body = json.loads(self.rfile.read(length))
            if not isinstance(body, dict):
                raise BadRequest("the body must be a JSON object")
            reply = self.server.model.complete(body, lambda: client_gone(self.connection))
        except ClientGone:
            self.close_connection = True
            return
        except (BadRequest, ValueError, TypeError) as exc:
            self._error(HTTPStatus.BAD_REQUEST, str(exc))
            return
        except Exception as exc:  # the model failed in Python: say so, keep serving
            print(f"fixloop local model: {exc!r}", file=sys.stderr, flush=True)
            self._error(HTTPStatus.INTERNAL_SERVER_ERROR, f"the local model failed: {exc}")
            return
        self._send(200, reply)


class ModelServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, model: Model, port: int) -> None:
        self.model = model
        super().__init__(("127.0.0.1", port), Handler)


def _exit_with_parent() -> None:
    """Exit once stdin closes: fixloop is gone, however it went."""
    try:
        while sys.stdin.buffer.read(65536):
            pass
    finally:
        os._exit(0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, help="the GGUF file")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--ctx", type=int, default=4096, help="context length in tokens")
    parser.add_argument("--cache-mb", type=int, default=CACHE_MB, help="prompt cache size")
    parser.add_argument("--port", type=int, default=0, help="0: any free port")
    args = parser.parse_args(argv)
    if stat.S_ISFIFO(os.fstat(0).st_mode):  # started by fixloop (by hand: stdin is a terminal)
        threading.Thread(target=_exit_with_parent, daemon=True).start()
    started = time.perf_counter()
    model = Model(args.model, args.threads, args.ctx, args.cache_mb)
    server = ModelServer(model, args.port)
    print(
        f"fixloop local model: {model.name} loaded in {time.perf_counter() - started:.1f} s, "
        f"{args.threads} thread(s)",
        file=sys.stderr,
        flush=True,
    )
    print(f"PORT {server.server_address[1]}", flush=True)
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
