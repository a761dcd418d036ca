"""End to end: type errors found and their fixes verified by mypy and pyright in the shadow.

A real LSP client (pytest-lsp) against `fixloop serve`, the scripted model,
and the real type checkers, configured in the workspace's `.fixloop.toml`.
"""

from __future__ import annotations

import sys

import pytest
import pytest_lsp
from fixloop.fakes import Text
from helpers import search_replace
from lsprotocol import types as T
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from conftest import write_config
from lspclient import Client, apply_text_edits, edits_of, start

pytestmark = pytest.mark.e2e

LABEL = "def label(count: int) -> str:\n    return count * 2\n"
LABEL_CHEAT = search_replace("    return count * 2", "    return count * 2  # type: ignore")
LABEL_WRONG = search_replace("    return count * 2", "    return count * 2.0")
LABEL_FIX = search_replace("    return count * 2", "    return str(count * 2)")

WORD = 'import re\n\n\ndef first_word(text: str) -> str:\n    return re.match(r"\\w+", text).group(0)\n'
WORD_WRONG = search_replace(
    '    return re.match(r"\\w+", text).group(0)',
    '    return str(re.match(r"\\w+", text).group(0))',
)
WORD_FIX = search_replace(
    '    return re.match(r"\\w+", text).group(0)',
    '    match = re.match(r"\\w+", text)\n    return match.group(0) if match else ""',
)


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=[sys.executable, "-m", "fixloop", "serve"]),
    params=[("visual-studio-code", "mypy"), ("neovim@v0.11.0", "pyright")],
    ids=["vscode-mypy", "neovim-pyright"],
)
async def lsp(lsp_client: LanguageClient, request, tmp_path, model_server):
    editor, checker = request.param
    verifiers = f'\n[verifiers]\npython = ["python", "ruff", "{checker}"]\n'
    write_config(tmp_path, model_server.openai_base_url, attempts=4, parallel=1, extra=verifiers)
    client = await start(lsp_client, model_server, tmp_path, client_capabilities(editor))
    client.checker = checker
    yield
    await client.close()


@pytest.fixture
def client(lsp) -> Client:
    return lsp.fixloop


async def fixed_text(client: Client, uri: str, text: str, target: T.Diagnostic) -> str:
    await client.wait_status(lambda s: s["fixes"] >= 1, timeout=60)
    (action,) = await client.actions(uri, target)
    assert action.title.startswith("fixloop:") and action.is_preferred
    if action.edit is None:  # clients that resolve edits lazily
        action = await client.lsp.code_action_resolve_async(action)
    return apply_text_edits(text, edits_of(action.edit, uri, 1), client.encoding)


async def test_a_type_error_is_fixed_and_verified_by_the_type_checker(client: Client):
    if client.checker == "mypy":
        text, name, code, script = (
            LABEL,
            "label.py",
            "return-value",
            (LABEL_CHEAT, LABEL_WRONG, LABEL_FIX),
        )
        expected = LABEL.replace("return count * 2", "return str(count * 2)")
    else:
        text, name, code, script = (
            WORD,
            "word.py",
            "reportOptionalMemberAccess",
            (WORD_WRONG, WORD_FIX),
        )
        expected = WORD.replace(
            '    return re.match(r"\\w+", text).group(0)\n',
            '    match = re.match(r"\\w+", text)\n    return match.group(0) if match else ""\n',
        )
    client.model.script(*(Text(reply) for reply in script))
    uri = await client.open(name, text)
    diagnostics = await client.wait_diagnostics(uri, 1, timeout=60)
    (target,) = diagnostics  # ruff and the compiler see nothing wrong: only the type checker does
    assert (target.source, target.code) == (client.checker, code)
    assert target.range.start.line == 4 if client.checker == "pyright" else 1

    assert await fixed_text(client, uri, text, target) == expected
    requests = client.model.requests
    assert len(requests) == len(script)
    # The wrong fix was run through the type checker in the shadow, which still objected.
    failed = [
        line for line in requests[-1].prompt_text.splitlines() if "failed verification" in line
    ]
    assert failed and f"{client.checker} {code} at line" in failed[-1]
    if client.checker == "mypy":
        assert "suppression (# type: ignore)" in requests[1].prompt_text
