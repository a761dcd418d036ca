"""Verifier speed: fixloop's verifiers against the bare tools, side by side in one run.

    .venv/bin/python bench/verifiers.py [--runs 15] [--only ruff,mypy,pyright,gcc]

Each section runs the contenders in turn within every round (so load on the
machine hits them alike), a fresh candidate text per run (no cache helps),
and prints medians and the ratio to the bare tool.

- ruff: `Ruff().check` (the buffer on stdin) vs bare `ruff check --stdin-filename F -`.
- mypy: `Mypy().check` (warm worker, --shadow-file) vs bare `mypy --shadow-file` with a
  warm cache; and cold: a new `Mypy()` vs bare mypy with an empty cache. Two projects:
  a small generated one and fixloop's own `server/` (which imports pygls, lsprotocol, anyio, httpx).
- pyright: `Pyright().check` (warm language server) vs the bare language server exchange
  (didOpen, pull, didClose) vs the bare CLI `pyright --outputjson` on the file.
- tsc, eslint, cargo, go (`--only tsc,eslint,cargo,go`): each verifier (the candidate in its
  warm mirror of the workspace, or eslint on stdin) vs the bare tool run by hand on a copy of
  the same project with the candidate written into the file (tsc incremental with its own
  tsbuildinfo, cargo with its own warm target folder, go with its build cache), generated
  projects of 40 TypeScript modules, a 400-line JavaScript file, a crate of 20 modules and a
  Go module of 10 packages.
- gcc: `Gcc("gcc").check` (the candidate on stdin, JSON diagnostics, flags from the
  project's compile_commands.json) vs bare `gcc -fsyntax-only` on the same file with the
  same flags (and the bare stdin + JSON command line, to show what the parsing costs).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import anyio

from fixloop.verifiers.base import CheckRequest
from fixloop.verifiers.cargo import Cargo, find_cargo
from fixloop.verifiers.eslint import Eslint
from fixloop.verifiers.gcc import Gcc
from fixloop.verifiers.go import Go, find_go
from fixloop.verifiers.locate import find_node_tool
from fixloop.verifiers.mypy import Mypy
from fixloop.verifiers.pyright import Pyright, find_pyright, virtual_path
from fixloop.verifiers.registry import aclose_verifier
from fixloop.verifiers.ruff import Ruff, ruff_binary
from fixloop.verifiers.tsc import Tsc, native_tsc

REPO = Path(__file__).resolve().parent.parent
SMALL = {
    "pkg/__init__.py": "",
    "pkg/shapes.py": "from dataclasses import dataclass\n\n\n@dataclass\nclass Point:\n    x: int\n    y: int\n",
    "pkg/geometry.py": "from pkg.shapes import Point\n\n\ndef norm(p: Point) -> int:\n    return abs(p.x) + abs(p.y)\n",
    "pkg/io.py": "import json\n\nfrom pkg.shapes import Point\n\n\ndef load(text: str) -> list[Point]:\n"
    "    return [Point(**item) for item in json.loads(text)]\n",
    "pkg/app.py": "from pkg.geometry import norm\nfrom pkg.io import load\n\n\ndef total(text: str) -> int:\n"
    "    return sum(norm(p) for p in load(text))\n\n\ndef label(text: str) -> str:\n    return total(text)\n",
}


def candidate(text: str, n: int) -> str:
    """A different text each run, as a new candidate is."""
    return text + f"\n\ndef _candidate_{n}() -> int:\n    return {n}\n"


def median(values: list[float]) -> float:
    return statistics.median(values)


def report(title: str, rows: list[tuple[str, list[float]]], base: str) -> None:
    base_median = median(dict(rows)[base])
    print(f"\n{title}")
    print(f"  {'':52} {'median':>9} {'ratio':>7}  runs")
    for label, values in rows:
        ratio = median(values) / base_median
        print(f"  {label:52} {median(values) * 1000:7.1f} ms {ratio:6.2f}x  {len(values)}")


def make_project(files: dict[str, str]) -> Path:
    root = Path(tempfile.mkdtemp(prefix="fixloop-bench-"))
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def timed_run(argv: list[str], cwd: Path, stdin: bytes = b"") -> float:
    started = time.perf_counter()
    subprocess.run(argv, cwd=cwd, input=stdin, capture_output=True, check=False)
    return time.perf_counter() - started


async def timed_check(verifier, request: CheckRequest) -> float:
    started = time.perf_counter()
    await verifier.check(request)
    return time.perf_counter() - started


# -- ruff ----------------------------------------------------------------------------------


async def bench_ruff(runs: int) -> None:
    root = make_project({})
    path = root / "scheduler.py"
    text = (REPO / "server" / "engine" / "scheduler.py").read_text()
    path.write_text(text)
    ruff = Ruff()
    bare, ours = [], []
    for n in range(runs + 1):
        source = candidate(text, n)
        argv = [
            ruff_binary(),
            "check",
            "--output-format",
            "json",
            "--stdin-filename",
            str(path),
            "-",
        ]
        b = await anyio.to_thread.run_sync(timed_run, argv, root, source.encode())
        o = await timed_check(ruff, CheckRequest(source, path, root))
        if n:  # the first round warms the file system cache
            bare.append(b)
            ours.append(o)
    report(
        f"ruff: one candidate of {path.name} ({len(text.splitlines())} lines)",
        [("bare ruff check --stdin-filename (subprocess)", bare), ("fixloop Ruff().check", ours)],
        "bare ruff check --stdin-filename (subprocess)",
    )
    shutil.rmtree(root)


# -- mypy ----------------------------------------------------------------------------------


def mypy_argv(cache: Path, real: Path, shadow: Path) -> list[str]:
    mypy = str(Path(sys.executable).with_name("mypy"))
    return [
        mypy,
        "-O",
        "json",
        "--cache-dir",
        str(cache),
        "--shadow-file",
        str(real),
        str(shadow),
        str(real),
    ]


async def bench_mypy(runs: int, name: str, root: Path, target: Path, cold_runs: int) -> None:
    text = target.read_text()
    work = Path(tempfile.mkdtemp(prefix="fixloop-bench-mypy-"))
    shadow = work / "shadow.py"
    warm_cache = work / "warm"
    shadow.write_text(text)
    await anyio.to_thread.run_sync(
        timed_run, mypy_argv(warm_cache, target, shadow), root
    )  # warm it
    mypy = Mypy(workers=1)
    await mypy.check(CheckRequest(text, target, root))  # warm the worker and its cache
    bare, ours = [], []
    for n in range(runs):
        source = candidate(text, n)
        shadow.write_text(source)
        bare.append(
            await anyio.to_thread.run_sync(timed_run, mypy_argv(warm_cache, target, shadow), root)
        )
        ours.append(await timed_check(mypy, CheckRequest(source, target, root)))
    await mypy.aclose()
    bare_cold, ours_cold = [], []
    for n in range(cold_runs):
        source = candidate(text, 1000 + n)
        shadow.write_text(source)
        cache = work / f"cold-{n}"
        bare_cold.append(
            await anyio.to_thread.run_sync(timed_run, mypy_argv(cache, target, shadow), root)
        )
        fresh = Mypy(workers=1)
        ours_cold.append(await timed_check(fresh, CheckRequest(source, target, root)))
        await fresh.aclose()
    report(
        f"mypy, {name}: one candidate of {target.relative_to(root)}",
        [
            ("bare mypy --shadow-file, warm cache", bare),
            ("fixloop Mypy().check, warm", ours),
            ("bare mypy --shadow-file, empty cache (cold)", bare_cold),
            ("fixloop Mypy().check, first check (cold)", ours_cold),
        ],
        "bare mypy --shadow-file, warm cache",
    )
    print(f"  cold ratio (fixloop / bare): {median(ours_cold) / median(bare_cold):.2f}x")
    shutil.rmtree(work)


# -- pyright -------------------------------------------------------------------------------


async def bench_pyright(runs: int) -> None:
    root = make_project(SMALL)
    target = root / "pkg" / "app.py"
    text = target.read_text()
    install = find_pyright(root)
    cli_root = make_project(SMALL)  # the CLI reads the file from disk: its own copy
    cli_target = cli_root / "pkg" / "app.py"
    cli = [
        str(install.node),
        str(install.script.with_name("index.js")),
        "--outputjson",
        str(cli_target),
    ]
    ours = Pyright()
    await ours.check(CheckRequest(text, target, root))  # start and warm it
    # The same server process driven without fixloop's layer (watch, parse): the bare exchange.
    session = await ours._server(root).ensure(60)
    uri = virtual_path(target).as_uri()

    async def bare_exchange(source: str, version: int) -> float:
        started = time.perf_counter()
        async with session.lock:
            await session.notify(
                "textDocument/didOpen",
                {
                    "textDocument": {
                        "uri": uri,
                        "languageId": "python",
                        "version": version,
                        "text": source,
                    }
                },
            )
            await session.request("textDocument/diagnostic", {"textDocument": {"uri": uri}})
            await session.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
        return time.perf_counter() - started

    await bare_exchange(text, 1)
    bare_cli, bare_ls, mine = [], [], []
    for n in range(runs):
        source = candidate(text, n)
        cli_target.write_text(source)
        bare_cli.append(await anyio.to_thread.run_sync(timed_run, cli, cli_root))
        if n % 2:  # alternate who goes first: the server may still be busy after the other
            bare_ls.append(await bare_exchange(source, 1000 + n))
            mine.append(await timed_check(ours, CheckRequest(source, target, root)))
        else:
            mine.append(await timed_check(ours, CheckRequest(source, target, root)))
            bare_ls.append(await bare_exchange(source + "\n", 1000 + n))
    await ours.aclose()
    report(
        f"pyright {install.version}: one candidate of pkg/app.py (small project)",
        [
            ("bare language server: didOpen + pull + didClose", bare_ls),
            ("fixloop Pyright().check (warm language server)", mine),
            ("bare CLI: pyright --outputjson FILE", bare_cli),
        ],
        "bare language server: didOpen + pull + didClose",
    )
    print(f"  fixloop / bare CLI: {median(mine) / median(bare_cli):.3f}x")
    shutil.rmtree(root)
    shutil.rmtree(cli_root)


# -- tsc, eslint, cargo, go ---------------------------------------------------------------


def ts_project(modules: int = 40) -> dict[str, str]:
    files = {
        "tsconfig.json": '{"compilerOptions": {"strict": true, "target": "ES2022", '
        '"module": "NodeNext", "noEmit": true}, "include": ["src"]}\n'
    }
    for i in range(modules):
        imports = f'import {{ f{i - 1} }} from "./m{i - 1}.js";\n' if i else ""
        call = f"f{i - 1}(n)" if i else "n"
        body = "".join(
            f"export function g{i}_{k}(xs: number[]): number {{\n"
            f"  return xs.map((x) => x * {k}).reduce((a, b) => a + b, 0);\n}}\n"
            for k in range(10)
        )
        files[f"src/m{i}.ts"] = (
            f"{imports}export function f{i}(n: number): number {{\n  return {call} + {i};\n}}\n"
            + body
        )
    return files


def js_file(functions: int = 100) -> str:
    return "".join(
        f"export function f{i}(xs) {{\n  const total = xs.reduce((a, b) => a + b, 0);\n"
        f"  return total * {i};\n}}\n"
        for i in range(functions)
    )


def rust_crate(modules: int = 20) -> dict[str, str]:
    files = {
        "Cargo.toml": '[package]\nname = "bench"\nversion = "0.1.0"\nedition = "2021"\n',
        "src/lib.rs": "".join(f"pub mod m{i};\n" for i in range(modules)),
    }
    for i in range(modules):
        use = f"use crate::m{i - 1}::f{i - 1};\n\n" if i else ""
        call = f"f{i - 1}(n)" if i else "n"
        body = "".join(
            f"pub fn g{i}_{k}(xs: &[i64]) -> i64 {{\n    xs.iter().map(|x| x * {k}).sum()\n}}\n"
            for k in range(10)
        )
        files[f"src/m{i}.rs"] = f"{use}pub fn f{i}(n: i64) -> i64 {{\n    {call} + {i}\n}}\n" + body
    return files


def go_module(packages: int = 10) -> dict[str, str]:
    files = {"go.mod": "module example.com/bench\n\ngo 1.19\n"}
    for i in range(packages):
        imports = f'import "example.com/bench/p{i - 1}"\n\n' if i else ""
        call = f"p{i - 1}.F(n)" if i else "n"
        body = "".join(
            f"func G{k}(xs []int) int {{\n\ttotal := 0\n\tfor _, x := range xs {{\n"
            f"\t\ttotal += x * {k}\n\t}}\n\treturn total\n}}\n"
            for k in range(10)
        )
        files[f"p{i}/p.go"] = (
            f"package p{i}\n\n{imports}func F(n int) int {{\n\treturn {call} + {i}\n}}\n" + body
        )
    return files


def toolchain_candidate(language: str, text: str, n: int) -> str:
    return (
        text
        + {
            "ts": f"export function candidate{n}(): number {{\n  return {n};\n}}\n",
            "js": f"export function candidate{n}() {{\n  return {n};\n}}\n",
            "rs": f"pub fn candidate{n}() -> i64 {{\n    {n}\n}}\n",
            "go": f"func Candidate{n}() int {{\n\treturn {n}\n}}\n",
        }[language]
    )


async def bench_toolchain(
    runs: int, title: str, files: dict[str, str], target: str, language: str, verifier, bare
) -> None:
    """`bare`: {label: (argv, env or None)} run in a copy of the project (cwd: its root) after
    the candidate is written into the copy's file; the first label is the ratio's base."""
    root = make_project(files)
    copy = make_project(files)
    path, copy_path = root / target, copy / target
    text = path.read_text()
    rows: dict[str, list[float]] = {label: [] for label in bare}
    ours: list[float] = []
    for n in range(runs + 1):  # round 0 warms every contender (caches, target folders)
        source = toolchain_candidate(language, text, n)
        copy_path.write_text(source)
        for label, (argv, env) in bare.items():
            started = time.perf_counter()
            await anyio.to_thread.run_sync(
                lambda a=argv, e=env: subprocess.run(
                    a, cwd=copy, capture_output=True, check=False, env=e
                )
            )
            if n:
                rows[label].append(time.perf_counter() - started)
        took = await timed_check(verifier, CheckRequest(source, path, root))
        if n:
            ours.append(took)
    await aclose_verifier(verifier)
    base = next(iter(bare))
    report(title, [*rows.items(), (f"fixloop {verifier.name} verifier", ours)], base)
    print(f"  fixloop / {base}: {median(ours) / median(rows[base]):.2f}x")
    shutil.rmtree(root)
    shutil.rmtree(copy)


async def bench_toolchains(runs: int, only: set[str]) -> None:
    env = dict(os.environ)
    if "tsc" in only:
        files = ts_project()
        tsc, _ = find_node_tool("tsc", REPO / "x", REPO, False, "run .ci/install-toolchains")
        native = native_tsc(tsc) or tsc
        info = Path(tempfile.mkdtemp(prefix="fixloop-bench-")) / "bench.tsbuildinfo"
        common = ["--noEmit", "--pretty", "false", "-p", "tsconfig.json"]
        incremental = ["--incremental", "--tsBuildInfoFile", str(info)]
        await bench_toolchain(
            runs,
            "tsc: one candidate of src/m39.ts (40 modules)",
            files,
            "src/m39.ts",
            "ts",
            Tsc(),
            {
                "bare tsc --noEmit -p, incremental (native compiler)": (
                    [str(native), *common, *incremental],
                    None,
                ),
                "bare node_modules/.bin/tsc --noEmit -p, incremental": (
                    [str(tsc), *common, *incremental],
                    None,
                ),
                "bare tsc --noEmit -p, not incremental": ([str(native), *common], None),
            },
        )
    if "eslint" in only:
        eslint, _ = find_node_tool("eslint", REPO / "x", REPO, False, "run .ci/install-toolchains")
        files = {
            "eslint.config.mjs": 'export default [{ files: ["**/*.js"], rules: '
            '{ "no-undef": "error", "prefer-const": "warn", "no-unused-vars": "error" } }];\n',
            "src/app.js": js_file(),
        }
        await bench_toolchain(
            runs,
            "eslint: one candidate of src/app.js (400 lines)",
            files,
            "src/app.js",
            "js",
            Eslint(),
            {
                "bare eslint --stdin --stdin-filename -f json": (
                    [
                        "sh",
                        "-c",
                        f'"{eslint}" --stdin --stdin-filename "$PWD/src/app.js" -f json '
                        "--no-warn-ignored < src/app.js",
                    ],
                    None,
                ),
                "bare eslint -f json FILE": ([str(eslint), "-f", "json", "src/app.js"], None),
            },
        )
    if "cargo" in only:
        target_dir = Path(tempfile.mkdtemp(prefix="fixloop-bench-target-"))
        cargo = str(find_cargo())
        await bench_toolchain(
            runs,
            "cargo: one candidate of src/m19.rs (a crate of 20 modules)",
            rust_crate(),
            "src/m19.rs",
            "rs",
            Cargo(),
            {
                "bare cargo check --offline --message-format=json": (
                    [cargo, "check", "--offline", "--message-format=json", "--quiet"],
                    {**env, "CARGO_TARGET_DIR": str(target_dir)},
                )
            },
        )
        shutil.rmtree(target_dir, ignore_errors=True)
    if "go" in only:
        go = str(find_go())
        go_env = {**env, "GOTOOLCHAIN": "local", "GOPROXY": "off", "GOFLAGS": "-mod=mod"}
        await bench_toolchain(
            runs,
            "go: one candidate of p9/p.go (a module of 10 packages)",
            go_module(),
            "p9/p.go",
            "go",
            Go(),
            {
                "bare go vet -json ./p9": ([go, "vet", "-json", "./p9"], go_env),
                "bare go build -o /dev/null ./p9 && go vet -json ./p9": (
                    [
                        "sh",
                        "-c",
                        f'"{go}" build -o /dev/null ./p9 && "{go}" vet -json ./p9',
                    ],
                    go_env,
                ),
                "bare go build -o /dev/null ./p9": (
                    [go, "build", "-o", "/dev/null", "./p9"],
                    go_env,
                ),
            },
        )
# -- gcc -----------------------------------------------------------------------------------


def c_source(functions: int = 120) -> str:
    """A C file of a few hundred lines that includes the standard headers a real one does."""
    parts = ['#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n#include "config.h"\n\n',
             "struct item { int id; double weight; const char *name; };\n\n"]
    for n in range(functions):
        parts.append(
            f"static double weigh_{n}(const struct item *items, size_t count) {{\n"
            f"    double total = {n}.0 * SCALE;\n"
            "    for (size_t i = 0; i < count; i++) {\n"
            "        if (items[i].name && strlen(items[i].name) > 3) total += items[i].weight;\n"
            "    }\n"
            "    return total;\n}\n\n"
        )
    parts.append("int main(void) {\n    struct item items[2] = {{1, 2.0, \"four\"}, {2, 3.0, NULL}};\n")
    parts += [f"    printf(\"%f\\n\", weigh_{n}(items, 2));\n" for n in range(functions)]
    parts.append("    return EXIT_SUCCESS;\n}\n")
    return "".join(parts)


async def bench_gcc(runs: int) -> None:
    import json

    root = make_project({"include/config.h": "#define SCALE 2\n"})
    path = root / "src" / "main.c"
    path.parent.mkdir()
    text = c_source()
    path.write_text(text)
    flags = ["-Iinclude", "-std=c11", "-Wall", "-Wextra"]
    (root / "compile_commands.json").write_text(json.dumps([{
        "directory": str(root), "file": "src/main.c",
        "arguments": ["gcc", *flags, "-c", "src/main.c", "-o", "main.o"],
    }]))
    gcc = Gcc("gcc")  # not the cached one: every candidate is new anyway
    bare_file, bare_stdin, ours = [], [], []
    for n in range(runs + 1):
        source = text + f"\nint candidate_{n}(void) {{ return {n}; }}\n"
        path.write_text(source)  # the bare tool reads the file: give it the same text
        b = await anyio.to_thread.run_sync(
            timed_run, ["gcc", "-fsyntax-only", *flags, "src/main.c"], root
        )
        s = await anyio.to_thread.run_sync(
            timed_run,
            ["gcc", "-fsyntax-only", "-fdiagnostics-format=json", *flags, "-iquote",
             str(path.parent), "-x", "c", "-"],
            root,
            source.encode(),
        )
        o = await timed_check(gcc, CheckRequest(source, path, root))
        if n:
            bare_file.append(b)
            bare_stdin.append(s)
            ours.append(o)
    base = "bare gcc -fsyntax-only src/main.c (subprocess)"
    report(
        f"gcc: one candidate of a {len(text.splitlines())}-line C file (stdio, stdlib, string)",
        [
            (base, bare_file),
            ("bare gcc -fsyntax-only -fdiagnostics-format=json -x c -", bare_stdin),
            ('fixloop Gcc("gcc").check (+ compile_commands.json)', ours),
        ],
        base,
    )
    shutil.rmtree(root)


async def main(runs: int, only: set[str]) -> None:
    print(f"python {sys.version.split()[0]}, {runs} runs per contender, rounds interleaved")
    if "ruff" in only:
        await bench_ruff(runs)
    if "mypy" in only:
        small = make_project(SMALL)
        await bench_mypy(
            runs, "small project (5 modules)", small, small / "pkg" / "app.py", cold_runs=3
        )
        shutil.rmtree(small)
        own = make_project({})
        shutil.copytree(REPO / "server", own / "fixloop")
        await bench_mypy(
            max(5, runs // 2),
            "fixloop's server/ (+ pygls, lsprotocol, anyio, httpx)",
            own,
            own / "fixloop" / "engine" / "loop.py",
            cold_runs=2,
        )
        shutil.rmtree(own)
    if "pyright" in only:
        await bench_pyright(runs)
    if only & {"tsc", "eslint", "cargo", "go"}:
        await bench_toolchains(runs, only)
    if "gcc" in only and shutil.which("gcc"):
        await bench_gcc(runs)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--only", default="ruff,mypy,pyright,gcc,tsc,eslint,cargo,go")
    args = parser.parse_args()
    anyio.run(main, args.runs, set(args.only.split(",")))
