"""Speed of the offline models on this machine: decoding rate and first-token latency.

For each model (the 0.5B, the 1.5B), through the product's own provider and
child process (threads as the product picks them), with the cores quiet and
then with verifiers competing (a loop of `python -m py_compile` and `ruff check`
on a file, as the engine runs them between attempts):

- decode tok/s: (time of a 65-token reply - time of a 1-token reply) / 64, both
  on a prompt already read, median of `--repeats`;
- first token, cold: a 1-token reply to a prompt never seen (the whole prefill);
- first token, again: the same prompt after another one in between (what the
  second attempt on a diagnostic waits for when its prompt's state is reused).

    python bench/local_speed.py --repeats 5            # needs fixloop[local,local-large]

The medians come side by side in one run, with the load average before and after.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import anyio
import httpx
from fixloop.providers import ChatRequest, Message
from fixloop.providers.local import LARGE, SMALL, LocalModels, _ThreadedDialect, local_settings

CODE = Path(__file__).resolve().parents[1] / "server" / "engine" / "prompt.py"


def _prompt(tag: str) -> ChatRequest:
    # A window-sized prompt: 30 lines of code (~400 tokens); `tag` first makes
    # it a prompt never seen (no prefix shared with earlier ones beyond the chat template).
    code = "".join(CODE.read_text().splitlines(keepends=True)[:30])
    return ChatRequest(
        system=f"[{tag}] You fix one diagnostic in a Python file.",
        messages=(
            Message("user", f"Add a docstring to each function:\n```python\n{code}```"),
        ),
        max_tokens=1,
        temperature=0.0,
    )


def _with_tokens(request: ChatRequest, tokens: int) -> ChatRequest:
    return ChatRequest(request.system, request.messages, max_tokens=tokens, temperature=0.0)


@contextlib.contextmanager
def verifiers_running(enabled: bool):
    """Verifiers on a loop in the background, as competition for the cores."""
    if not enabled:
        yield
        return
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "target.py"
        target.write_text(CODE.read_text())
        ruff = Path(sys.executable).with_name("ruff")
        script = (
            f"while true; do {sys.executable} -m py_compile {target}; "
            f"{ruff} check --no-cache -q {target} >/dev/null; done"
        )
        proc = subprocess.Popen(["sh", "-c", script], start_new_session=True)
        try:
            yield
        finally:
            os.killpg(proc.pid, 15)
            proc.wait()


async def _timed(provider, request: ChatRequest) -> tuple[float, int]:
    """Seconds and tokens of one reply, straight from the child (the provider refuses a reply
    cut at max_tokens, which is what these are), with the product's own request body."""
    base_url = await provider.process.ensure()
    body = _ThreadedDialect().body(provider.name, request, stream=False)
    body["n_threads"] = provider.process.threads
    async with httpx.AsyncClient(timeout=600) as client:
        started = time.perf_counter()
        reply = await client.post(f"{base_url}/chat/completions", json=body)
        seconds = time.perf_counter() - started
    reply.raise_for_status()
    return seconds, reply.json()["usage"]["completion_tokens"]


async def measure(model, repeats: int, busy: bool) -> dict:
    local = LocalModels(os.environ)
    provider = local.provider(local_settings(model))
    rates, cold, again = [], [], []
    try:
        await _timed(provider, _prompt("warm-up"))  # load the model
        with verifiers_running(busy):
            for _ in range(repeats):
                fresh = _prompt(uuid.uuid4().hex)
                seconds, _ = await _timed(provider, fresh)
                cold.append(seconds)
                await _timed(provider, _prompt(uuid.uuid4().hex))  # another prompt in between
                seconds, _ = await _timed(provider, fresh)
                again.append(seconds)
                long, tokens = await _timed(provider, _with_tokens(fresh, 65))
                short, _ = await _timed(provider, fresh)
                if tokens > 1:
                    rates.append((tokens - 1) / max(1e-6, long - short))
    finally:
        await local.aclose()
    return {
        "model": model.name,
        "verifiers": "competing" if busy else "quiet",
        "decode_tok_s": round(statistics.median(rates), 1) if rates else None,
        "first_token_cold_s": round(statistics.median(cold), 2),
        "first_token_again_s": round(statistics.median(again), 2),
    }


async def main_async(args) -> list[dict]:
    rows = []
    models = [m for m in (SMALL, LARGE) if m.name in args.models.split(",") and m.installed]
    for model in models:
        for busy in (False, True):
            rows.append(await measure(model, args.repeats, busy))
            print(rows[-1], file=sys.stderr, flush=True)
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--models", default=f"{SMALL.name},{LARGE.name}")
    args = parser.parse_args()
    # `timeout` stops it with SIGTERM: unwind, so that the verifiers' loop and the children stop.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    before = os.getloadavg()
    rows = anyio.run(main_async, args)
    after = os.getloadavg()
    print(f"load average {before[0]:.1f} before, {after[0]:.1f} after; {os.cpu_count()} cores")
    print(f"{'model':22} {'verifiers':10} {'tok/s':>6} {'first token cold s':>19} "
          f"{'first token again s':>20}")  # fmt: skip
    for row in rows:
        print(f"{row['model']:22} {row['verifiers']:10} {row['decode_tok_s']!s:>6} "
              f"{row['first_token_cold_s']:>19} {row['first_token_again_s']:>20}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
