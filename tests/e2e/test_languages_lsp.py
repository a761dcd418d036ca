"""End to end: a C error found by gcc, fixed by the scripted model, verified by gcc in the shadow.

A real LSP client (pytest-lsp) against `fixloop serve` and real gcc; the
document is routed by its languageId `c` to `[verifiers] c = ["gcc"]`.
"""

from __future__ import annotations

import sys

import pytest
import pytest_lsp
from conftest import write_config
from fixloop.fakes import Text
from helpers import search_replace
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from lspclient import Client, apply_text_edits, edits_of, start

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("toolchains")]

BROKEN = (
    '#include "limits_local.h"\n'
    "\n"
    "int total(int a, int b) {\n"
    '    const char *label = "é😀";\n'
    "    (void)label;\n"
    "    return a + b + missing_value + LOCAL_LIMIT;\n"
    "}\n"
)
LINE = "    return a + b + missing_value + LOCAL_LIMIT;"
CHEAT = search_replace(LINE, '#pragma GCC diagnostic ignored "-Wall"\n' + LINE)
WRONG = search_replace(LINE, "    return a + b + missing + LOCAL_LIMIT;")
# Defined for real (dropping it from the sum would remove the use instead of defining it).
DEFINED = "    const int missing_value = 1;\n" + LINE
FIX = search_replace(LINE, DEFINED)


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=[sys.executable, "-m", "fixloop", "serve"]),
    params=["visual-studio-code", "neovim@v0.11.0"],
)
async def lsp(lsp_client: LanguageClient, request, tmp_path, model_server):
    write_config(tmp_path, model_server.openai_base_url, attempts=4, parallel=1,
                 extra='\n[verifiers]\nc = ["gcc"]\n')
    # A header next to the file: the candidate on stdin finds it through -iquote.
    (tmp_path / "limits_local.h").write_text("#define LOCAL_LIMIT 7\n")
    client = await start(lsp_client, model_server, tmp_path, client_capabilities(request.param))
    yield
    await client.close()


@pytest.fixture
def client(lsp) -> Client:
    return lsp.fixloop


async def test_a_c_error_is_fixed_and_verified_by_gcc(client: Client):
    client.model.script(Text(CHEAT), Text(WRONG), Text(FIX))
    uri = await client.open("total.c", BROKEN, language_id="c")
    diagnostics = await client.wait_diagnostics(uri, 1)
    (target,) = diagnostics
    assert target.source == "gcc" and target.code == "error"
    assert "missing_value" in target.message and "undeclared" in target.message
    column = LINE.index("missing_value")
    assert (target.range.start.line, target.range.start.character) == (5, column)

    await client.wait_status(lambda s: s["fixes"] >= 1)
    (action,) = await client.actions(uri, target)
    assert action.title.startswith("fixloop:") and action.is_preferred
    if action.edit is None:
        action = await client.lsp.code_action_resolve_async(action)
    fixed = apply_text_edits(BROKEN, edits_of(action.edit, uri, 1), client.encoding)
    assert fixed == BROKEN.replace(LINE, DEFINED)
    # the pragma was refused before gcc ran; `missing` failed in gcc; the third passed
    assert len(client.model.requests) == 3
    prompt = client.model.requests[0].prompt_text
    assert "in a C file" in prompt and "Python" not in prompt and "total.c" in prompt


async def test_a_file_of_a_language_fixloop_does_not_route_is_left_alone(client: Client):
    uri = await client.open("notes.txt", "int x = y;\n", language_id="plaintext")
    c_uri = await client.open("ok.c", "int ok(void) { return 0; }\n", language_id="c")
    assert list(await client.wait_diagnostics(c_uri, 1)) == []
    assert not [p for p in client.published if p.uri == uri]


async def test_gcc_s_fix_it_hint_is_offered_without_a_model(client: Client):
    text = "struct point { int x; };\n\nint get(struct point *p) {\n    return p.x;\n}\n"
    uri = await client.open("point.c", text, language_id="c")
    (target,) = await client.wait_diagnostics(uri, 1)
    assert "did you mean to use ‘->’?" in target.message
    await client.wait_status(lambda s: s["fixes"] >= 1)
    (action,) = await client.actions(uri, target)
    if action.edit is None:
        action = await client.lsp.code_action_resolve_async(action)
    fixed = apply_text_edits(text, edits_of(action.edit, uri, 1), client.encoding)
    assert fixed == text.replace("p.x", "p->x")
    assert client.model.requests == []  # tier 0: gcc's own fix, verified by gcc
