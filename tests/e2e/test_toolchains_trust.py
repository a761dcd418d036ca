"""Through `fixloop serve`: what the TypeScript and Rust gates do in a workspace that is
not trusted (eslint's config and cargo's build scripts are the workspace's code), and
what a missing toolchain looks like to the user.
"""

from __future__ import annotations

import pytest
from conftest import write_config
from fixloop.fakes import Text
from helpers import search_replace
from lspwire import until

pytestmark = [pytest.mark.e2e, pytest.mark.trust, pytest.mark.usefixtures("toolchains")]

ESLINT_MARKER_CONFIG = """import {{ writeFileSync }} from "node:fs";
writeFileSync({marker!r}, "ran");
export default [{{ files: ["**/*.ts"], rules: {{}} }}];
"""
TS_BROKEN = "export function label(n: number): string {\n  return n;\n}\n"
TS_FIX = search_replace("  return n;", "  return String(n);")


async def test_an_untrusted_typescript_workspace_never_runs_eslint_says_how_to_trust_and_tsc_still_gates(
    tmp_path, model_server, serve
):
    write_config(tmp_path, model_server.openai_base_url)
    model_server.default = Text(TS_FIX)
    marker = tmp_path.parent / f"{tmp_path.name}-eslint-config-ran"
    (tmp_path / "eslint.config.mjs").write_text(ESLINT_MARKER_CONFIG.format(marker=str(marker)))
    (tmp_path / "tsconfig.json").write_text('{"compilerOptions": {"strict": true}}\n')
    wire = await serve(tmp_path)
    await wire.initialize([tmp_path], None)
    first = wire.open(tmp_path / "a.ts", TS_BROKEN, language_id="typescript")
    second = wire.open(tmp_path / "b.ts", TS_BROKEN, language_id="typescript")
    said = await until(lambda: [m for m in wire.shown() if "eslint" in m], 60)
    # tsc still runs (it runs none of the workspace's code): its findings are shown
    for uri in (first, second):
        (diagnostic,) = await wire.diagnostics(uri, 1, timeout=60)
        assert (diagnostic["source"], diagnostic["code"]) == ("tsc", "TS2322")
    assert len(said) == 1 and "trusted workspace" in said[0]
    assert "initializationOptions.trusted" in said[0]
    await wire.status(lambda s: s["fixes"] == 2, 60)  # verified by tsc alone
    assert not marker.exists()
    assert await wire.shutdown() == 0


async def test_a_missing_toolchain_is_said_once_with_how_to_install_it(
    tmp_path, model_server, serve
):
    write_config(tmp_path, model_server.openai_base_url)
    empty = tmp_path.parent / f"{tmp_path.name}-empty"
    empty.mkdir()
    (tmp_path / "go.mod").write_text("module m\n\ngo 1.19\n")
    wire = await serve(tmp_path, PATH=str(empty), HOME=str(empty))  # no go, no cargo
    await wire.initialize([tmp_path], {"trusted": True})
    first = wire.open(tmp_path / "a.go", "package m\n\nvar x int = \"a\"\n", language_id="go")
    second = wire.open(tmp_path / "b.go", "package m\n", language_id="go")
    said = await until(lambda: [m for m in wire.shown() if "go is not installed" in m], 30)
    assert await wire.diagnostics(first, 1) == [] and await wire.diagnostics(second, 1) == []
    assert len(said) == 1 and "apt-get install golang-go" in said[0]
    assert not model_server.requests
    assert await wire.shutdown() == 0
