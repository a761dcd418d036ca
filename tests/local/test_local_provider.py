"""The local model's provider with the real model: a crash costs one attempt, never the caller."""

from __future__ import annotations

import os
import signal

import anyio
import pytest
from fixloop.providers import ChatRequest, FatalProviderError, Fence, Message, Unreachable
from fixloop.providers.local import (
    SMALL,
    LocalModel,
    LocalModels,
    LocalProcess,
    assemble,
    local_settings,
)
from procfs import alive, wait_busy, wait_gone

pytestmark = pytest.mark.local_model

LONG = ChatRequest(
    system="You are a counter.",
    messages=(Message("user", "Count from 1 to 400, one number per line, nothing else."),),
    max_tokens=1500,
    temperature=0.0,
)
SHORT = ChatRequest(
    system="You answer in one word.",
    messages=(Message("user", "Reply with the word OK."),),
    max_tokens=8,
)


async def test_a_killed_model_process_fails_one_request_and_the_next_starts_it_again():
    local = LocalModels(os.environ)
    provider = local.provider(local_settings(SMALL))
    errors: list[str] = []

    async def ask_and_fail() -> None:
        with pytest.raises(Unreachable) as caught:
            await provider.complete(LONG)
        errors.append(str(caught.value))

    try:
        async with anyio.create_task_group() as tg:
            tg.start_soon(ask_and_fail)
            killed = await wait_busy(os.getpid(), timeout=300)
            os.kill(killed, signal.SIGKILL)
        (error,) = errors
        assert "the local model process was killed by SIGKILL" in error
        assert "started again for the next attempt" in error

        reply = await provider.complete(SHORT)
        assert reply.text.strip() and reply.output_tokens >= 1 and reply.input_tokens > 10
        restarted = provider.process.pid
        assert restarted != killed and provider.process.starts == 2
    finally:
        await local.aclose()
    await wait_gone(restarted, timeout=10)


async def test_a_cancelled_request_stops_generating_and_the_model_serves_the_next(local_cache):
    local = LocalModels(os.environ)
    provider = local.provider(local_settings(SMALL))
    try:
        with anyio.move_on_after(300):
            async with anyio.create_task_group() as tg:
                tg.start_soon(provider.complete, LONG)
                await wait_busy(os.getpid(), timeout=300)
                tg.cancel_scope.cancel()  # the other candidate won
        # Without the disconnect noticed, this would wait for 1500 tokens first.
        with anyio.fail_after(60):
            reply = await provider.complete(SHORT)
        assert reply.text.strip() and provider.process.starts == 1
    finally:
        await local.aclose()


async def test_a_model_file_that_cannot_load_is_a_clear_error(tmp_path):
    broken = tmp_path / "broken.bin"
    broken.write_bytes(b"GGUF this is not a model" * 100)
    import hashlib

    digest = hashlib.sha256(broken.read_bytes()).hexdigest()
    model = LocalModel(
        name="broken", file="broken.gguf", parts=("no_such_package",), sha256=digest, extra="local"
    )
    assemble([broken], tmp_path / "cache" / "models" / model.file, digest)
    process = LocalProcess(model, cache_dir=tmp_path / "cache", threads=1, start_timeout=120)
    try:
        with pytest.raises(FatalProviderError) as caught:
            await process.ensure()
    finally:
        await process.aclose()
    message = str(caught.value)
    assert "the local model broken could not start: the process " in message
    assert "exited with status" in message or "was killed by SIG" in message  # llama.cpp may abort
    assert str(tmp_path / "cache" / "logs" / "broken.log") in message
    assert process.pid is None or not alive(process.pid)


async def test_a_fenced_request_gets_exactly_one_block_even_when_asked_for_prose():
    from fixloop.engine.replies import parse_reply

    local = LocalModels(os.environ)
    provider = local.provider(local_settings(SMALL))
    chatty = ChatRequest(
        system="You are a friendly teacher.",
        messages=(
            Message(
                "user",
                "First explain in two paragraphs what a missing colon is, then show "
                "`def f(x)` fixed, then list three tips.",
            ),
        ),
        max_tokens=400,
        temperature=0.7,
        fence=Fence("python", 4),
    )
    try:
        reply = await provider.complete(chatty)
    finally:
        await local.aclose()
    assert reply.text.startswith("```python\n") and reply.text.endswith("```"), reply.text
    assert reply.text.count("```") == 2
    assert len(reply.text.splitlines()) <= 4 + 2
    assert parse_reply(reply.text).whole is not None


async def test_a_fenced_reply_starts_with_the_region_s_first_line_not_the_context_above():
    from fixloop.engine.replies import parse_reply

    local = LocalModels(os.environ)
    provider = local.provider(local_settings(SMALL))
    # Asked to copy the file from its top, the model would start with the import.
    request = ChatRequest(
        system="You copy code exactly.",
        messages=(
            Message(
                "user",
                "Copy this file in one python block, from its first line:\n"
                "import os\n\n\nclass A:\n    def f(self):\n        return os.sep\n",
            ),
        ),
        max_tokens=60,
        temperature=0.7,
        fence=Fence("python", 8, first="    def f(self):"),
    )
    try:
        reply = await provider.complete(request)
    finally:
        await local.aclose()
    assert reply.text.startswith("```python\n    def f(self):"), reply.text
    assert parse_reply(reply.text).whole is not None


async def test_the_model_process_never_imports_the_workspace_s_modules(tmp_path, monkeypatch):
    """fixloop runs where the user is, often the workspace: `python -m` would have put that
    folder first on the child's sys.path, so a workspace's socket.py ran in the child."""
    marker = tmp_path / "shadow-ran"
    for name in ("json", "socket", "argparse", "random", "select"):
        (tmp_path / f"{name}.py").write_text(f"open({str(marker)!r}, 'a').write('{name}\\n')\n")
    monkeypatch.chdir(tmp_path)
    local = LocalModels(os.environ)
    provider = local.provider(local_settings(SMALL))
    try:
        reply = await provider.complete(SHORT)
    finally:
        await local.aclose()
    assert reply.text.strip()
    assert not marker.exists(), marker.read_text()
