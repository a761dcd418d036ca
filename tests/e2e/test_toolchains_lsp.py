"""End to end: TypeScript, Rust and Go errors found by their real tools, fixed by the
scripted model, verified by the same tools in the workspace's mirror; a JavaScript
finding fixed by eslint's own fix (tier 0, no model).

A real LSP client (pytest-lsp) against `fixloop serve`, in a trusted workspace
(eslint and cargo run the workspace's code); each document is routed by its
languageId to the language's default gate (typescript: tsc + eslint, rust: cargo,
go: go, javascript: eslint). Each model script starts with a cheat the
anti-cheat policy refuses before any tool runs, then a wrong fix the tool
rejects, then the fix.
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

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("toolchains")]


@pytest.fixture(autouse=True)
def cache_dir(tmp_path_factory, monkeypatch):
    """cargo's lasting target folders go to a temporary cache (the server inherits it)."""
    monkeypatch.setenv("FIXLOOP_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=[sys.executable, "-m", "fixloop", "serve"]),
    params=["visual-studio-code"],
)
async def lsp(lsp_client: LanguageClient, request, tmp_path, model_server):
    write_config(tmp_path, model_server.openai_base_url, attempts=4, parallel=1, seconds=60)
    client = await start(
        lsp_client,
        model_server,
        tmp_path,
        client_capabilities(request.param),
        initialization_options={"trusted": True},
    )
    yield
    await client.close()


@pytest.fixture
def client(lsp) -> Client:
    return lsp.fixloop


async def fixed_by_the_model(
    client: Client, name: str, language_id: str, broken: str, line: str, fixed_line: str
) -> T.Diagnostic:
    """Open `broken`; wait for the fix of its one diagnostic; check it replaces `line`."""
    uri = await client.open(name, broken, language_id=language_id)
    (target,) = await client.wait_diagnostics(uri, 1, timeout=90)
    await client.wait_status(lambda s: s["fixes"] >= 1, timeout=90)
    (action,) = await client.actions(uri, target)
    assert action.title.startswith("fixloop:") and action.is_preferred
    if action.edit is None:
        action = await client.lsp.code_action_resolve_async(action)
    fixed = apply_text_edits(broken, edits_of(action.edit, uri, 1), client.encoding)
    assert fixed == broken.replace(line, fixed_line)
    # the cheat was refused before any tool ran, the wrong fix failed in the tool, then the fix
    assert len(client.model.requests) == 3
    assert (client.root / name).read_text() == broken  # the buffer was never touched
    return target


# -- TypeScript: tsc ----------------------------------------------------------------------

TS_LINE = "  return double(n) + s.length;"
TS_BROKEN = (
    'import { double } from "./util.js";\n\n'
    "export function label(n: number): string {\n"
    '  const s = "é😀";\n'
    f"{TS_LINE}\n"
    "}\n"
)


async def test_a_typescript_error_is_fixed_and_verified_by_tsc(client: Client):
    (client.root / "tsconfig.json").write_text(
        '{"compilerOptions": {"strict": true, "target": "ES2022", "module": "NodeNext"},'
        ' "include": ["src"]}\n'
    )
    (client.root / "src").mkdir()
    (client.root / "src" / "util.ts").write_text(
        "export function double(n: number): number {\n  return n * 2;\n}\n"
    )
    client.model.script(
        Text(search_replace(TS_LINE, "  // @ts-ignore\n" + TS_LINE)),
        Text(search_replace(TS_LINE, "  return double(n) * s.length;")),
        Text(search_replace(TS_LINE, "  return String(double(n) + s.length);")),
    )
    target = await fixed_by_the_model(
        client,
        "src/app.ts",
        "typescript",
        TS_BROKEN,
        TS_LINE,
        "  return String(double(n) + s.length);",
    )
    assert (target.source, target.code) == ("tsc", "TS2322")
    assert target.message == "Type 'number' is not assignable to type 'string'."
    assert (target.range.start.line, target.range.start.character) == (4, 2)
    prompt = client.model.requests[0].prompt_text
    assert "in a TypeScript file" in prompt and "Python" not in prompt


async def test_the_typescript_servers_own_diagnostic_gets_tscs_fix(client: Client):
    """VS Code's TypeScript server says source `ts`, code 2322: the same problem as tsc's
    TS2322, so the code action on its diagnostic offers the fix tsc verified."""
    (client.root / "tsconfig.json").write_text('{"compilerOptions": {"strict": true}}\n')
    broken = "export function label(n: number): string {\n  return n;\n}\n"
    client.model.script(Text(search_replace("  return n;", "  return String(n);")))
    uri = await client.open("app.ts", broken)
    await client.wait_status(lambda s: s["fixes"] >= 1, timeout=90)
    from_ts_server = T.Diagnostic(
        range=T.Range(T.Position(1, 2), T.Position(1, 8)),
        message="Type 'number' is not assignable to type 'string'.",
        severity=T.DiagnosticSeverity.Error,
        code=2322,
        source="ts",
    )
    fixed = await client.fix_text(uri, from_ts_server, broken, 1)
    assert fixed == broken.replace("  return n;", "  return String(n);")
    assert len(client.model.requests) == 1


# -- Rust: cargo check --------------------------------------------------------------------

RS_LINE = "    n * 2"
RS_BROKEN = (
    "pub fn label(n: i32) -> String {\n"
    '    let _s = "é😀";\n'
    f"{RS_LINE}\n"
    "}\n"
)


async def test_a_rust_error_is_fixed_and_verified_by_cargo(client: Client):
    (client.root / "Cargo.toml").write_text(
        '[package]\nname = "demo"\nversion = "0.1.0"\nedition = "2021"\n'
    )
    (client.root / "src").mkdir()
    client.model.script(
        Text(search_replace(RS_LINE, "    #[allow(unused)]\n" + RS_LINE)),
        Text(search_replace(RS_LINE, "    n * 3")),
        Text(search_replace(RS_LINE, "    (n * 2).to_string()")),
    )
    target = await fixed_by_the_model(
        client, "src/lib.rs", "rust", RS_BROKEN, RS_LINE, "    (n * 2).to_string()"
    )
    assert (target.source, target.code) == ("cargo", "E0308")
    assert target.message.startswith("mismatched types: expected `String`, found `i32`")
    assert (target.range.start.line, target.range.start.character) == (2, 4)
    assert not (client.root / "target").exists() and not (client.root / "Cargo.lock").exists()


# -- Go: go vet / go build ----------------------------------------------------------------

GO_LINE = '\treturn n * "2"'
GO_BROKEN = (
    "package calc\n\n"
    "func Double(n int) int {\n"
    '\t_ = "é😀"\n'
    f"{GO_LINE}\n"
    "}\n"
)


async def test_a_go_error_is_fixed_and_verified_by_go(client: Client):
    (client.root / "go.mod").write_text("module example.com/calc\n\ngo 1.19\n")
    client.model.script(
        Text(search_replace(GO_LINE, GO_LINE + " //nolint")),
        Text(search_replace(GO_LINE, '\treturn n * "3"')),
        Text(search_replace(GO_LINE, "\treturn n * 2")),
    )
    target = await fixed_by_the_model(
        client, "calc.go", "go", GO_BROKEN, GO_LINE, "\treturn n * 2"
    )
    assert (target.source, target.code) == ("go", "compile")
    assert '"2"' in target.message
    assert target.range.start.line == 4
    assert (client.root / "go.mod").read_text() == "module example.com/calc\n\ngo 1.19\n"


# -- JavaScript: eslint's own fix, tier 0 -------------------------------------------------

ESLINT_CONFIG = (
    'export default [{ files: ["**/*.js"], rules: { "prefer-const": "error" } }];\n'
)
JS_BROKEN = "export function total(xs) {\n  let sum = 0;\n  return sum + xs.length;\n}\n"


async def test_eslints_own_fix_is_verified_and_offered_without_a_model(client: Client):
    (client.root / "eslint.config.mjs").write_text(ESLINT_CONFIG)
    uri = await client.open("total.js", JS_BROKEN, language_id="javascript")
    (target,) = await client.wait_diagnostics(uri, 1, timeout=60)
    assert (target.source, target.code) == ("eslint", "prefer-const")
    await client.wait_status(lambda s: s["fixes"] >= 1, timeout=60)
    (action,) = await client.actions(uri, target)
    if action.edit is None:
        action = await client.lsp.code_action_resolve_async(action)
    fixed = apply_text_edits(JS_BROKEN, edits_of(action.edit, uri, 1), client.encoding)
    assert fixed == JS_BROKEN.replace("let sum", "const sum")
    assert client.model.requests == []
