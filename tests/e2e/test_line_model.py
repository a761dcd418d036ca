"""LSP's line model end to end: a form feed, U+2028 or U+0085 inside a line is not a line break.

`str.splitlines` breaks at them, LSP (and Python, ruff, mypy) do not: a fix
computed on a text split the wrong way lands lines off. Through the language
server (pytest-lsp, with an incremental change) and through `fixloop fix`.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
import pytest_lsp
from conftest import write_config
from fixloop.fakes import Text
from helpers import search_replace
from lspclient import Client, apply_text_edits, edits_of, start
from lsprotocol import types as T
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

pytestmark = [pytest.mark.e2e, pytest.mark.badinput]

ODD = ["\x0c", "\u2028", "\x85"]
FIX = search_replace("def f(x)", "def f(x):")


def broken(char: str, name: str = "f") -> str:
    return f"# intro{char}more{char}and more\n\n\ndef {name}(x)\n    return x + 1\n"


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=[sys.executable, "-m", "fixloop", "serve"]),
)
async def lsp(lsp_client: LanguageClient, tmp_path, model_server):
    write_config(tmp_path, model_server.openai_base_url, attempts=2)
    client = await start(lsp_client, model_server, tmp_path, client_capabilities("neovim@v0.11.0"))
    yield
    await client.close()


@pytest.fixture
def client(lsp) -> Client:
    return lsp.fixloop


@pytest.mark.parametrize("char", ODD)
async def test_an_odd_character_before_the_fix_does_not_move_it_in_the_editor(
    client: Client, char
):
    client.model.default = Text(FIX)
    uri = await client.open("app.py", broken(char, "g"))
    await client.wait_diagnostics(uri, 1)
    # An incremental change after the odd character: `g` -> `f` on line 3 (LSP's count).
    client.lsp.text_document_did_change(
        T.DidChangeTextDocumentParams(
            text_document=T.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[
                T.TextDocumentContentChangePartial(
                    range=T.Range(T.Position(3, 4), T.Position(3, 5)), text="f"
                )
            ],
        )
    )
    diagnostics = await client.wait_diagnostics(uri, 2)
    assert diagnostics and {d.range.start.line for d in diagnostics} == {3}
    await client.wait_status(lambda s: s["fixes"] >= 1)
    (action,) = await client.actions(uri, diagnostics[0])
    if action.edit is None:
        action = await client.lsp.code_action_resolve_async(action)
    fixed = apply_text_edits(broken(char), edits_of(action.edit, uri, 2), client.encoding)
    assert fixed == broken(char).replace("def f(x)", "def f(x):")
    # The model saw the line to fix in its window, whole.
    assert "    4 | def f(x)\n    5 |     return x + 1\n" in client.model.requests[-1].prompt_text


@pytest.mark.parametrize("char", ODD)
def test_an_odd_character_before_the_fix_does_not_move_it_on_the_command_line(
    tmp_path, model_server, char
):
    write_config(tmp_path, model_server.openai_base_url, attempts=2)
    (tmp_path / "app.py").write_bytes(broken(char).encode())
    model_server.default = Text(FIX)
    run = subprocess.run(
        [sys.executable, "-m", "fixloop", "fix", "--apply", "app.py"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert "app.py:4:" in run.stdout  # the finding's line, as the user counts it
    assert (tmp_path / "app.py").read_bytes().decode() == broken(char).replace("def f(x)", "def f(x):")
    assert "    4 | def f(x)\n    5 |     return x + 1\n" in model_server.requests[0].prompt_text


@pytest.mark.parametrize("newline", ["\r", "\r\n"])
async def test_a_fix_in_the_editor_keeps_the_buffers_line_endings(client: Client, newline):
    client.model.default = Text(FIX)
    text = broken("").replace("\n", newline)
    uri = await client.open("app.py", text)
    diagnostics = await client.wait_diagnostics(uri, 1)
    assert diagnostics and {d.range.start.line for d in diagnostics} == {3}
    await client.wait_status(lambda s: s["fixes"] >= 1)
    fixed = await client.fix_text(uri, diagnostics[0], text, 1)
    assert fixed == text.replace("def f(x)", "def f(x):")
