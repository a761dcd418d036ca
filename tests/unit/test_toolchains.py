"""tsc, eslint, cargo and go as verifiers, with the real tools (`.ci/install-toolchains`).

Each: a real error is found in the candidate (not in the file on disk), the fixed
text passes, the workspace is never written, and a tool that is missing, crashes or
hangs is a VerifierError, never a pass.
"""

from __future__ import annotations

import os
from pathlib import Path

import anyio
import pytest
import pytest_asyncio

from fixloop.verifiers import CheckRequest, VerifierError
from fixloop.verifiers.cargo import Cargo
from fixloop.verifiers.eslint import Eslint
from fixloop.verifiers.go import Go
from fixloop.verifiers.registry import aclose_verifier, available
from fixloop.verifiers.tsc import Tsc

pytestmark = pytest.mark.usefixtures("toolchains")  # installs what is missing (conftest.py)


def make_tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under root with its bytes (to show a check wrote nothing there)."""
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and "node_modules" not in path.parts
    }


def script(path: Path, body: str) -> str:
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)
    return str(path)


@pytest.fixture(autouse=True)
def cache_dir(tmp_path_factory, monkeypatch):
    """cargo's lasting target folders go to a temporary cache, not the user's."""
    monkeypatch.setenv("FIXLOOP_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))


def request(root: Path, name: str, text: str, trusted: bool = True) -> CheckRequest:
    return CheckRequest(text=text, path=root / name, root=root, trusted=trusted)


# -- tsc -------------------------------------------------------------------------------------

TS = {
    "tsconfig.json": '{"compilerOptions": {"strict": true, "target": "ES2022",'
    ' "module": "NodeNext", "noEmit": true}, "include": ["src"]}\n',
    "src/util.ts": "export function double(n: number): number {\n  return n * 2;\n}\n",
    "src/app.ts": 'import { double } from "./util.js";\n\n'
    "export function label(n: number): string {\n  return String(double(n));\n}\n",
    "scripts/loose.ts": "export const x = 1;\n",
}
TS_BROKEN = TS["src/app.ts"].replace("return String(double(n));", "return double(n);")


@pytest.fixture(scope="module")
def ts_root(tmp_path_factory):
    return make_tree(tmp_path_factory.mktemp("ts") / "ws", TS)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def tsc():
    verifier = Tsc()
    yield verifier
    await verifier.aclose()


@pytest.mark.asyncio(loop_scope="module")
async def test_tsc_finds_the_candidates_error_and_passes_the_fix(ts_root, tsc):
    before = snapshot(ts_root)
    assert available("tsc", ts_root)
    (finding,) = await tsc.check(request(ts_root, "src/app.ts", TS_BROKEN))
    assert (finding.source, finding.code) == ("tsc", "TS2322")
    assert finding.message == "Type 'number' is not assignable to type 'string'."
    assert (finding.span.start_line, finding.span.start_col) == (3, 2)
    assert await tsc.check(request(ts_root, "src/app.ts", TS["src/app.ts"])) == ()
    # the other file's errors are not this one's; the real file was never touched
    util = TS["src/util.ts"].replace("n * 2", '"x"')
    (wrong,) = await tsc.check(request(ts_root, "src/util.ts", util))
    assert wrong.span.start_line == 1
    assert snapshot(ts_root) == before


@pytest.mark.asyncio(loop_scope="module")
async def test_tsc_sees_a_new_file_and_untrusted_workspaces_get_fixloops_tsc(ts_root, tsc):
    make_tree(ts_root, {"src/late.ts": "export const late: number = 1;\n"})
    text = 'import { late } from "./late.js";\nexport const s: string = late;\n'
    (finding,) = await tsc.check(request(ts_root, "src/uses_late.ts", text, trusted=False))
    assert finding.code == "TS2322" and finding.span.start_line == 1


@pytest.mark.asyncio(loop_scope="module")
async def test_tsc_refuses_a_file_outside_its_project(ts_root, tsc):
    with pytest.raises(VerifierError, match="not part of the project in tsconfig.json"):
        await tsc.check(request(ts_root, "scripts/loose.ts", TS["scripts/loose.ts"]))


async def test_errors_in_other_files_are_not_this_ones(tmp_path):
    root = make_tree(tmp_path / "ws", {**TS, "src/other.ts": 'export const n: number = "x";\n'})
    verifier = Tsc()
    try:  # the second check no longer lists the project's files: same verdict
        for _ in range(2):
            assert await verifier.check(request(root, "src/app.ts", TS["src/app.ts"])) == ()
        (finding,) = await verifier.check(request(root, "src/app.ts", TS_BROKEN))
        assert finding.code == "TS2322"
    finally:
        await verifier.aclose()


async def test_a_tsconfig_that_extends_one_above_the_workspace(tmp_path):
    base = '{"compilerOptions": {"strict": true, "noImplicitReturns": true}}\n'
    make_tree(tmp_path, {"tsconfig.base.json": base})
    root = make_tree(
        tmp_path / "packages" / "app",
        {**TS, "tsconfig.json": '{"extends": "../../tsconfig.base.json", "include": ["src"]}'},
    )
    verifier = Tsc()
    try:
        (finding,) = await verifier.check(request(root, "src/app.ts", TS_BROKEN))
        assert finding.code == "TS2322"
    finally:
        await verifier.aclose()


async def test_a_broken_tsconfig_is_no_verdict(tmp_path):
    root = make_tree(tmp_path / "ws", {**TS, "tsconfig.json": '{"compilerOptions": {"bogus": 1}}'})
    verifier = Tsc()
    try:
        with pytest.raises(VerifierError, match="TS5023: Unknown compiler option 'bogus'"):
            await verifier.check(request(root, "src/app.ts", TS["src/app.ts"]))
    finally:
        await aclose_verifier(verifier)


async def test_the_workspaces_own_tsc_runs_only_when_trusted(tmp_path):
    marker = tmp_path / "ran"
    root = make_tree(tmp_path / "ws", TS)
    (root / "node_modules" / ".bin").mkdir(parents=True)
    script(root / "node_modules" / ".bin" / "tsc", f"touch {marker}; exit 3")
    verifier = Tsc()
    try:
        await verifier.check(request(root, "src/app.ts", TS["src/app.ts"], trusted=False))
        assert not marker.exists()
        with pytest.raises(VerifierError, match="tsc failed"):
            await verifier.check(request(root, "src/app.ts", TS["src/app.ts"] + "\n"))
        assert marker.exists()
    finally:
        await aclose_verifier(verifier)


# -- eslint ----------------------------------------------------------------------------------

ESLINT_CONFIG = """export default [
  {
    files: ["**/*.js"],
    languageOptions: { ecmaVersion: 2022, sourceType: "module" },
    rules: { "no-undef": "error", "prefer-const": "warn" },
  },
];
"""
JS_BROKEN = "export function f(a) {\n  let k = a + 1;\n  return k + missing;\n}\n"
JS_FIXED = "export function f(a) {\n  const k = a + 1;\n  return k;\n}\n"


async def test_eslint_finds_the_error_with_its_fix_and_passes_the_fixed_text(tmp_path):
    root = make_tree(tmp_path / "ws", {"eslint.config.mjs": ESLINT_CONFIG, "src/app.js": "x\n"})
    assert available("eslint", root)
    verifier = Eslint()
    const, undef = await verifier.check(request(root, "src/app.js", JS_BROKEN))
    assert (const.code, undef.code) == ("prefer-const", "no-undef")
    assert undef.message == "'missing' is not defined." and undef.span.start_line == 2
    (edit,) = const.tool_fix
    assert edit.new_text.startswith("const k")
    assert await verifier.check(request(root, "src/app.js", JS_FIXED)) == ()


async def test_eslint_runs_only_in_a_trusted_workspace(tmp_path):
    marker = tmp_path / "config-ran"
    config = f'import {{ writeFileSync }} from "node:fs";\nwriteFileSync("{marker}", "");\n'
    root = make_tree(tmp_path / "ws", {"eslint.config.mjs": config + ESLINT_CONFIG})
    eslint = Eslint()
    for _ in range(2):
        assert await eslint.check(request(root, "app.js", JS_BROKEN, trusted=False)) == ()
    (notice,) = eslint.take_notices()  # said once, however many checks
    assert "only in a trusted workspace: trust the folder" in notice
    assert not marker.exists()
    assert await eslint.check(request(root, "app.js", JS_BROKEN, trusted=True))  # proof it would
    assert marker.exists()


async def test_eslint_without_a_config_checks_nothing_and_says_so_once(tmp_path):
    root = make_tree(tmp_path / "ws", {"app.js": JS_BROKEN})
    verifier = Eslint()
    assert await verifier.check(request(root, "app.js", JS_BROKEN)) == ()
    assert await verifier.check(request(root, "app.js", JS_FIXED)) == ()
    (notice,) = verifier.take_notices()
    assert "no eslint.config.*" in notice and verifier.take_notices() == ()


async def test_an_eslint_config_that_fails_to_load_is_no_verdict(tmp_path):
    config = 'export default [{ rules: { "nope/x": "error" } }];\n'
    root = make_tree(tmp_path / "ws", {"eslint.config.mjs": config})
    with pytest.raises(VerifierError, match=r"eslint failed \(exit 2\): A configuration object"):
        await Eslint().check(request(root, "app.js", JS_FIXED))


# -- cargo -----------------------------------------------------------------------------------

CARGO = {
    "Cargo.toml": '[package]\nname = "demo"\nversion = "0.1.0"\nedition = "2021"\n',
    "src/lib.rs": "mod util;\n\npub fn label(n: i32) -> String {\n"
    "    util::double(n).to_string()\n}\n",
    "src/util.rs": "pub fn double(n: i32) -> i32 {\n    n * 2\n}\n",
}
RS_BROKEN = CARGO["src/lib.rs"].replace("util::double(n).to_string()", "util::double(n)")


@pytest.fixture(scope="module")
def crate(tmp_path_factory):
    return make_tree(tmp_path_factory.mktemp("rs") / "ws", CARGO)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def cargo():
    verifier = Cargo()
    yield verifier
    await verifier.aclose()


@pytest.mark.asyncio(loop_scope="module")
async def test_cargo_finds_the_candidates_error_and_passes_the_fix(crate, cargo):
    before = snapshot(crate)
    assert available("cargo", crate)
    (finding,) = await cargo.check(request(crate, "src/lib.rs", RS_BROKEN))
    assert (finding.source, finding.code) == ("cargo", "E0308")
    assert finding.message == "mismatched types: expected `String`, found `i32`"
    assert finding.span.start_line == 3
    assert await cargo.check(request(crate, "src/lib.rs", CARGO["src/lib.rs"])) == ()
    # a candidate for another file; lib.rs's earlier candidate is gone from the mirror
    (unused,) = await cargo.check(
        request(
            crate, "src/util.rs", "pub fn double(n: i32) -> i32 {\n    let m = 1;\n    n * 2\n}\n"
        )
    )
    assert (unused.code, unused.span.start_line) == ("unused_variables", 1)
    assert snapshot(crate) == before  # no target/, no Cargo.lock written in the workspace


@pytest.mark.asyncio(loop_scope="module")
async def test_cargo_refuses_a_file_no_target_compiles(crate, cargo):
    orphan = 'pub fn b() -> i32 {\n    "not checked"\n}\n'  # no `mod orphan;` anywhere
    with pytest.raises(VerifierError, match="cargo does not compile src/orphan.rs"):
        await cargo.check(request(crate, "src/orphan.rs", orphan))
    assert await cargo.check(request(crate, "src/util.rs", CARGO["src/util.rs"])) == ()


async def test_a_cargo_workspace_above_the_root_keeps_its_lock_file(tmp_path):
    top = make_tree(
        tmp_path / "repo",
        {"Cargo.toml": '[workspace]\nmembers = ["demo"]\nresolver = "2"\n', "Cargo.lock": ""},
    )
    member = make_tree(top / "demo", CARGO)
    before = snapshot(top)
    verifier = Cargo()
    try:  # the workspace is opened on the member; cargo finds the workspace above it
        (finding,) = await verifier.check(request(member, "src/lib.rs", RS_BROKEN))
        assert finding.code == "E0308"
    finally:
        await verifier.aclose()
    assert snapshot(top) == before  # cargo rewrote Cargo.lock: its copy, not the real one


async def test_cargo_runs_only_in_a_trusted_workspace(tmp_path):
    root = make_tree(tmp_path / "ws", CARGO)
    with pytest.raises(VerifierError, match="build scripts and proc macros.*trust the folder"):
        await Cargo().check(request(root, "src/lib.rs", RS_BROKEN, trusted=False))


async def test_cargo_without_a_manifest_or_offline_dependency_is_no_verdict(tmp_path):
    loose = make_tree(tmp_path / "loose", {"main.rs": "fn main() {}\n"})
    with pytest.raises(VerifierError, match="no Cargo.toml above main.rs"):
        await Cargo().check(request(loose, "main.rs", "fn main() {}\n"))
    manifest = CARGO["Cargo.toml"] + '\n[dependencies]\nnot-a-real-crate-xyz = "1"\n'
    root = make_tree(tmp_path / "ws", {**CARGO, "Cargo.toml": manifest})
    verifier = Cargo()
    try:
        with pytest.raises(VerifierError, match="no matching package named `not-a-real-crate"):
            await verifier.check(request(root, "src/lib.rs", CARGO["src/lib.rs"]))
    finally:
        await aclose_verifier(verifier)


# -- go --------------------------------------------------------------------------------------

GO = {
    "go.mod": "module example.com/demo\n\ngo 1.19\n",
    "pkg/label.go": 'package pkg\n\nimport "fmt"\n\nfunc Label(n int) string {\n'
    "\treturn fmt.Sprint(n)\n}\n",
    "main.go": 'package main\n\nimport "example.com/demo/pkg"\n\n'
    "func main() { println(pkg.Label(1)) }\n",
}
GO_BROKEN = GO["pkg/label.go"].replace("return fmt.Sprint(n)", "return fmt.Sprint(n) + n")
GO_VET = GO["pkg/label.go"].replace("return fmt.Sprint(n)", 'return fmt.Sprintf("%d", "x")')


@pytest.fixture(scope="module")
def module(tmp_path_factory):
    return make_tree(tmp_path_factory.mktemp("go") / "ws", GO)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def go():
    verifier = Go()
    yield verifier
    await verifier.aclose()


@pytest.mark.asyncio(loop_scope="module")
async def test_go_finds_compile_and_vet_errors_and_passes_the_fix(module, go):
    before = snapshot(module)
    assert available("go", module)
    (finding,) = await go.check(request(module, "pkg/label.go", GO_BROKEN, trusted=False))
    assert (finding.source, finding.code, finding.span.start_line) == ("go", "compile", 5)
    assert "(mismatched types string and int)" in finding.message
    (vet,) = await go.check(request(module, "pkg/label.go", GO_VET))
    assert vet.code == "printf" and "wrong type string" in vet.message
    assert await go.check(request(module, "pkg/label.go", GO["pkg/label.go"])) == ()
    test_file = (
        'package pkg\n\nimport "testing"\n\nfunc TestLabel(t *testing.T) { var x int = "no" }\n'
    )
    (typed,) = await go.check(request(module, "pkg/label_test.go", test_file))
    assert typed.code == "compile" and typed.span.start_line == 4
    assert snapshot(module) == before


@pytest.mark.asyncio(loop_scope="module")
async def test_go_refuses_a_file_its_build_constraints_leave_out(module, go):
    cheat = "//go:build ignore\n\n" + GO_BROKEN  # a line that makes go skip the file
    with pytest.raises(VerifierError, match="its build constraints leave it out"):
        await go.check(request(module, "pkg/label.go", cheat))
    (finding,) = await go.check(request(module, "pkg/label.go", GO_BROKEN))
    assert finding.code == "compile"


@pytest.mark.asyncio(loop_scope="module")
async def test_a_workspace_opened_inside_the_module_is_checked_in_the_whole_module(module, go):
    inner = module / "pkg"  # go.mod is above this root: the module's folder is mirrored
    (finding,) = await go.check(CheckRequest(GO_BROKEN, inner / "label.go", inner, True))
    assert finding.code == "compile" and finding.span.start_line == 5


async def test_go_downloads_nothing_a_missing_module_is_no_verdict(tmp_path):
    root = make_tree(
        tmp_path / "ws",
        {
            "go.mod": "module m\n\ngo 1.19\n\nrequire example.com/nothere v1.0.0\n",
            "m.go": 'package m\n\nimport _ "example.com/nothere"\n',
        },
    )
    before = snapshot(root)
    verifier = Go()
    try:
        with pytest.raises(VerifierError, match="module lookup disabled by GOPROXY=off"):
            await verifier.check(request(root, "m.go", (root / "m.go").read_text()))
    finally:
        await aclose_verifier(verifier)
    assert snapshot(root) == before


# -- missing, crashing and hanging tools -----------------------------------------------------

FAULT_CASES = {
    "tsc": (Tsc, {"tsconfig.json": "{}", "a.ts": ""}, "a.ts"),
    "eslint": (Eslint, {"eslint.config.mjs": "export default [];", "a.js": ""}, "a.js"),
    "cargo": (Cargo, CARGO, "src/lib.rs"),
    "go": (Go, GO, "pkg/label.go"),
}


@pytest.mark.fault
@pytest.mark.parametrize("name", sorted(FAULT_CASES))
async def test_a_missing_tool_is_no_verdict(tmp_path, name):
    factory, files, path = FAULT_CASES[name]
    root = make_tree(tmp_path / "ws", files)
    verifier = factory(binary=str(tmp_path / "nowhere" / name))
    try:
        with pytest.raises(VerifierError, match=f"{name} not found"):
            await verifier.check(request(root, path, files[path]))
    finally:
        await aclose_verifier(verifier)


@pytest.mark.fault
@pytest.mark.parametrize("name", sorted(FAULT_CASES))
async def test_a_crashing_tool_is_no_verdict(tmp_path, name):
    factory, files, path = FAULT_CASES[name]
    root = make_tree(tmp_path / "ws", files)
    crash = script(tmp_path / name, "echo 'fatal: out of memory' >&2; exit 134")
    verifier = factory(binary=crash)
    try:
        with pytest.raises(VerifierError, match=r"\(exit 134\).*out of memory"):
            await verifier.check(request(root, path, files[path]))
    finally:
        await aclose_verifier(verifier)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.fault
@pytest.mark.parametrize("name", sorted(FAULT_CASES))
async def test_a_hanging_tool_is_killed_with_its_children_and_no_verdict(tmp_path, name):
    factory, files, path = FAULT_CASES[name]
    root = make_tree(tmp_path / "ws", files)
    pidfile = tmp_path / "child.pid"
    hang = script(tmp_path / name, f"sleep 60 & echo $! > {pidfile}; wait")
    verifier = factory(binary=hang, timeout=1)
    try:
        with anyio.fail_after(20):
            with pytest.raises(VerifierError, match="timed out after 1 s"):
                await verifier.check(request(root, path, files[path]))
            child = int(pidfile.read_text())
            while _alive(child):  # the tool's whole process group went
                await anyio.sleep(0.01)
    finally:
        await aclose_verifier(verifier)


def test_a_tool_that_is_not_installed_is_not_available(tmp_path, monkeypatch):
    root = make_tree(tmp_path / "ws", {"a.ts": ""})
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.setenv("HOME", str(empty))
    monkeypatch.setenv("FIXLOOP_NODE_TOOLS", str(empty))
    assert not available("tsc", root) and not available("eslint", root)
    assert available("go", root) == Path("/usr/local/go/bin/go").is_file()
    assert not available("cargo", root)
