"""Generate the loop benchmark's corpus from real code.

Functions are taken from the Python standard library (each with the imports
it uses, as a small standalone module), checked clean, then mutated so that
one real diagnostic appears: an import dropped (ruff F821), a name misspelt
(F821), an unused import added (F401), a colon deleted (a syntax error). A
mutation is kept only when the verifiers report exactly the intended
diagnostic, and the original passes. Seeded: the same run gives the same
corpus.

A second pass makes type errors for mypy from annotated functions of the
typed packages installed beside fixloop (pytest, mypy, packaging, ...; only
functions whose names all come from builtins and the standard library): a
return value replaced by another name or a wrong-typed expression (mypy
`return-value`), an argument replaced the same way (mypy `arg-type`). Those
cases depend on the packages' versions, which each case's `source` records.

    python bench/make_corpus.py --out bench/corpus --cases 240 --typed-cases 60 --seed 7
"""

from __future__ import annotations

import argparse
import ast
import builtins
import importlib.metadata
import random
import re
import shutil
import sys
import sysconfig
import tempfile
from pathlib import Path

import anyio
from fixloop.engine import anticheat
from fixloop.engine.findings import run_checks
from fixloop.engine.results import Snapshot
from fixloop.engine.window import make_window
from fixloop.verifiers.registry import aclose_verifier, make_verifiers

SOURCES = [
    "textwrap.py",
    "shlex.py",
    "fnmatch.py",
    "glob.py",
    "posixpath.py",
    "string.py",
    "colorsys.py",
    "bisect.py",
    "heapq.py",
    "calendar.py",
    "difflib.py",
    "csv.py",
    "ipaddress.py",
    "statistics.py",
    "fractions.py",
    "quopri.py",
    "base64.py",
    "gettext.py",
    "locale.py",
    "tokenize.py",
    "inspect.py",
    "pprint.py",
    "reprlib.py",
    "netrc.py",
    "mimetypes.py",
    "smtplib.py",
    "uuid.py",
    "zipfile/__init__.py",
    "tarfile.py",
    "argparse.py",
    "configparser.py",
    "email/utils.py",
    "http/cookies.py",
    "urllib/parse.py",
    "json/encoder.py",
    "logging/__init__.py",
    "subprocess.py",
    "shutil.py",
    "tempfile.py",
    "pathlib.py",
    "random.py",
    "ast.py",
    "dis.py",
    "pydoc.py",
    "trace.py",
    "timeit.py",
    "platform.py",
    "sysconfig.py",
    "optparse.py",
    "pickletools.py",
    "imaplib.py",
    "ftplib.py",
    "poplib.py",
    "webbrowser.py",
    "mailbox.py",
    "plistlib.py",
    "doctest.py",
    "pdb.py",
]
UNUSED = ["os", "sys", "re", "json", "math", "itertools", "functools", "collections", "typing"]
KINDS = ("drop-import", "misspell", "unused-import", "missing-colon")


def functions(path: Path) -> list[str]:
    """Standalone modules: one top-level function of 8-50 lines with the imports it uses."""
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    imports = [node for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))]
    lines = source.splitlines(keepends=True)
    found = []
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef) or node.decorator_list:
            continue
        start, end = node.lineno - 1, node.end_lineno
        if not 8 <= end - start <= 50:
            continue
        body = "".join(lines[start:end])
        used = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
        needed = []
        for imp in imports:
            names = [(a.asname or a.name).split(".")[0] for a in imp.names]
            kept = [a for a, name in zip(imp.names, names) if name in used]
            if kept and not (isinstance(imp, ast.ImportFrom) and imp.level):
                if isinstance(imp, ast.Import):
                    needed += [
                        f"import {a.name}" + (f" as {a.asname}" if a.asname else "") for a in kept
                    ]
                else:
                    names_text = ", ".join(
                        a.name + (f" as {a.asname}" if a.asname else "") for a in kept
                    )
                    needed.append(f"from {imp.module} import {names_text}")
        header = f'"""From {path.name}: {node.name}."""\n' + "".join(f"{line}\n" for line in needed)
        found.append(header + "\n\n" + body)
    return found


def mutate(text: str, kind: str, rng: random.Random) -> tuple[str, int] | None:
    """(mutated text, 1-based line of the diagnostic) or None when this kind does not apply."""
    lines = text.splitlines(keepends=True)
    if kind == "drop-import":
        candidates = [
            i
            for i, line in enumerate(lines)
            if line.startswith("import ") and " as " not in line and "," not in line
        ]
        if not candidates:
            return None
        index = rng.choice(candidates)
        name = lines[index].split()[1].split(".")[0]
        uses = [i for i, line in enumerate(lines) if i > index and re.search(rf"\b{name}\.", line)]
        if not uses:
            return None
        return "".join(lines[:index] + lines[index + 1 :]), uses[0]  # line numbers shift by one
    if kind == "misspell":
        tree = ast.parse(text)
        stores = {
            n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
        }
        loads = [
            n
            for n in ast.walk(tree)
            if isinstance(n, ast.Name)
            and isinstance(n.ctx, ast.Load)
            and n.id in stores
            and len(n.id) >= 4
        ]
        if not loads:
            return None
        node = rng.choice(loads)
        name = node.id
        i = rng.randrange(1, len(name) - 2)
        wrong = name[:i] + name[i + 1] + name[i] + name[i + 2 :]
        if wrong == name:
            return None
        line = lines[node.lineno - 1]
        new_line = line[: node.col_offset] + wrong + line[node.col_offset + len(name) :]
        return "".join(lines[: node.lineno - 1] + [new_line] + lines[node.lineno :]), node.lineno
    if kind == "unused-import":
        module = rng.choice(UNUSED)
        if re.search(rf"^(import|from) {module}\b", text, re.MULTILINE) or re.search(
            rf"\b{module}\b", text
        ):
            return None
        doc_end = 1
        return "".join(lines[:doc_end] + [f"import {module}\n"] + lines[doc_end:]), doc_end + 1
    if kind == "missing-colon":
        heads = [
            i
            for i, line in enumerate(lines)
            if re.match(r"\s*(if|for|while|elif|with|def)\b.*:\s*$", line)
            and "#" not in line
            and line.rstrip().endswith(":")
            and line.count("(") == line.count(")")
        ]
        if not heads:
            return None
        index = rng.choice(heads)
        stripped = lines[index].rstrip()
        return "".join(lines[:index] + [stripped[:-1] + "\n"] + lines[index + 1 :]), index + 1
    raise ValueError(kind)


EXPECTED = {
    "drop-import": ("ruff", "F821"),
    "misspell": ("ruff", "F821"),
    "unused-import": ("ruff", "F401"),
    "missing-colon": ("python", "SyntaxError"),
    "return-value": ("mypy", "return-value"),
    "arg-type": ("mypy", "arg-type"),
}

# Typed packages (distribution, import folder under site-packages) for the mypy cases.
TYPED_SOURCES = [
    ("pytest", "_pytest"),
    ("mypy", "mypy"),
    ("packaging", "packaging"),
    ("httpx", "httpx"),
    ("anyio", "anyio"),
    ("cattrs", "cattrs"),
    ("pluggy", "pluggy"),
    ("platformdirs", "platformdirs"),
    ("hypothesis", "hypothesis"),
    ("pip", "pip/_internal"),
]
TYPED_KINDS = ("return-value", "arg-type")
BUILTINS = set(dir(builtins))


def _stdlib_imports(tree: ast.Module) -> tuple[list[ast.stmt], set[str]]:
    """The module's absolute imports of standard-library modules, and the names they bind."""
    kept, names = [], set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            modules = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            modules = [node.module]
        else:
            continue
        if all(m.split(".")[0] in sys.stdlib_module_names for m in modules):
            kept.append(node)
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
    return kept, names


def typed_functions(path: Path) -> list[str]:
    """Standalone modules: one annotated top-level function of 8-50 lines whose names all
    come from builtins and standard-library imports, with those imports."""
    source = path.read_text(encoding="utf-8")
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    imports, imported = _stdlib_imports(tree)
    future = (
        "from __future__ import annotations\n"
        if "from __future__ import annotations" in source
        else ""
    )
    lines = source.splitlines(keepends=True)
    found = []
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef) or node.decorator_list or node.returns is None:
            continue
        start, end = node.lineno - 1, node.end_lineno
        if not 8 <= end - start <= 50:
            continue
        local = {a.arg for a in ast.walk(node) if isinstance(a, ast.arg)}
        local |= {
            n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
        }
        used = {
            n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
        }
        if used - local - BUILTINS - imported:
            continue
        needed = []
        for imp in imports:
            kept = [a for a in imp.names if (a.asname or a.name).split(".")[0] in used]
            if not kept:
                continue
            text = ", ".join(a.name + (f" as {a.asname}" if a.asname else "") for a in kept)
            needed.append(
                f"import {text}"
                if isinstance(imp, ast.Import)
                else f"from {imp.module} import {text}"
            )
        relative = path.as_posix().split("site-packages/")[-1]
        header = (
            f'"""From {relative}: {node.name}."""\n'
            + future
            + "".join(f"{line}\n" for line in needed)
        )
        found.append(header + "\n\n" + "".join(lines[start:end]))
    return found


def _names_in_scope(function: ast.FunctionDef) -> list[str]:
    names = [
        a.arg for a in (*function.args.posonlyargs, *function.args.args, *function.args.kwonlyargs)
    ]
    names += [
        n.id for n in ast.walk(function) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
    ]
    return list(dict.fromkeys(n for n in names if n not in ("self", "cls")))


def _replace_segment(lines: list[str], node: ast.expr, new: str) -> tuple[str, int] | None:
    if node.lineno != node.end_lineno:
        return None
    line = lines[node.lineno - 1]
    start, end = _char_offset(line, node.col_offset), _char_offset(line, node.end_col_offset)
    new_line = line[:start] + new + line[end:]
    return "".join(lines[: node.lineno - 1] + [new_line] + lines[node.lineno :]), node.lineno


def _char_offset(line: str, byte_offset: int) -> int:
    return len(line.encode("utf-8")[:byte_offset].decode("utf-8", errors="ignore"))


def typed_mutations(text: str, kind: str, rng: random.Random) -> list[tuple[str, int]]:
    """Candidate mutations of one kind, most plausible first: (mutated text, 1-based line)."""
    tree = ast.parse(text)
    function = next(n for n in tree.body if isinstance(n, ast.FunctionDef))
    lines = text.splitlines(keepends=True)
    scope = _names_in_scope(function)
    targets: list[ast.expr] = []
    if kind == "return-value":
        targets = [
            n.value for n in ast.walk(function) if isinstance(n, ast.Return) and n.value is not None
        ]
    elif kind == "arg-type":
        targets = [
            a
            for n in ast.walk(function)
            if isinstance(n, ast.Call)
            for a in n.args
            if isinstance(a, (ast.Name, ast.Attribute, ast.Constant))
        ]
    rng.shuffle(targets)
    found = []
    for node in targets[:3]:
        old = ast.get_source_segment(text, node) or ""
        others = [name for name in scope if name != old and name not in old]
        rng.shuffle(others)
        options = others[:2] + [f"str({old})", "None"]
        if not isinstance(node, ast.Constant):
            options.insert(-1, f"len({old})")
        for new in options:
            if new == old:
                continue
            mutated = _replace_segment(lines, node, new)
            if mutated is not None:
                found.append(mutated)
    return found


def fair(before: str, after: str, finding) -> bool:
    """Whether the ground truth passes the anti-cheat policy (`str(None)` -> `None` would not)."""
    return not anticheat.review(before, after, finding, make_window(before, finding))


async def build(out: Path, cases: int, seed: int) -> int:
    rng = random.Random(seed)
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    verifiers = make_verifiers(["python", "ruff"])
    limiter = anyio.CapacityLimiter(2)
    scratch = out / ".scratch"
    scratch.mkdir(parents=True, exist_ok=True)

    async def findings(text: str):
        snapshot = Snapshot("file:///case.py", 0, text, scratch / "case.py", scratch)
        result = await run_checks(snapshot, verifiers, limiter)
        return result.shown, result.errors

    pool = [
        (name, fn)
        for name in SOURCES
        if (stdlib / name).is_file()
        for fn in functions(stdlib / name)
    ]
    rng.shuffle(pool)
    made = 0
    per_kind = {kind: 0 for kind in KINDS}
    seen: set[str] = set()
    for source, original in pool * 3:
        if made >= cases:
            break
        shown, errors = await findings(original)
        if shown or errors:
            continue  # only clean originals make a ground truth
        for kind in sorted(KINDS, key=lambda k: (per_kind[k], rng.random())):
            mutated = mutate(original, kind, rng)
            if mutated is None or mutated[0] in seen:
                continue
            before, line = mutated
            seen.add(before)
            shown, errors = await findings(before)
            want = EXPECTED[kind]
            if (
                not errors
                and len(shown) == 1
                and (shown[0].source, shown[0].code) == want
                and shown[0].span.start_line + 1 == line
                and fair(before, original, shown[0])
            ):
                break  # exactly the intended diagnostic
        else:
            continue
        case = out / f"{made:03d}-{kind}"
        if case.exists():
            shutil.rmtree(case)
        (case / "before").mkdir(parents=True)
        (case / "after").mkdir()
        (case / "before" / "module.py").write_text(before)
        (case / "after" / "module.py").write_text(original)
        (case / "case.toml").write_text(
            f'file = "module.py"\nverifier = "{want[0]}"\ncode = "{want[1]}"\nline = {line}\n'
            f'kind = "{kind}"\nsource = "{source}"\n'
        )
        made += 1
        per_kind[kind] += 1
    shutil.rmtree(scratch, ignore_errors=True)
    print(f"{made} cases: {per_kind}", file=sys.stderr)
    return made


def _write_case(
    out: Path, number: int, kind: str, before: str, after: str, line: int, source: str
) -> None:
    want = EXPECTED[kind]
    case = out / f"{number:03d}-{kind}"
    if case.exists():
        shutil.rmtree(case)
    (case / "before").mkdir(parents=True)
    (case / "after").mkdir()
    (case / "before" / "module.py").write_text(before)
    (case / "after" / "module.py").write_text(after)
    (case / "case.toml").write_text(
        f'file = "module.py"\nverifier = "{want[0]}"\ncode = "{want[1]}"\nline = {line}\n'
        f'kind = "{kind}"\nsource = "{source}"\n'
    )


async def build_typed(out: Path, first: int, cases: int, seed: int) -> int:
    """The mypy cases, numbered from `first`."""
    rng = random.Random(seed)
    purelib = Path(sysconfig.get_paths()["purelib"])
    verifiers = make_verifiers(["python", "ruff", "mypy"])
    limiter = anyio.CapacityLimiter(2)
    scratch = Path(tempfile.mkdtemp(prefix="fixloop-corpus-"))  # outside any project's settings

    async def findings(text: str):
        path = scratch / "module.py"
        snapshot = Snapshot(path.as_uri(), 0, text, path, scratch)
        result = await run_checks(snapshot, verifiers, limiter)
        return result.shown, result.errors

    pool = []
    for distribution, folder in TYPED_SOURCES:
        try:
            version = importlib.metadata.version(distribution)
        except importlib.metadata.PackageNotFoundError:
            continue
        for path in sorted((purelib / folder).rglob("*.py")):
            if not {"test", "tests", "testing", "vendor", "_vendor"}.intersection(path.parts):
                where = f"{path.relative_to(purelib).as_posix()} ({distribution} {version})"
                pool += [(where, fn) for fn in typed_functions(path)]
    rng.shuffle(pool)
    made = 0
    per_kind = {kind: 0 for kind in TYPED_KINDS}
    try:
        for source, original in pool:
            if made >= cases:
                break
            shown, errors = await findings(original)
            if shown or errors:
                continue
            kind = min(TYPED_KINDS, key=lambda k: (per_kind[k], rng.random()))
            for before, line in typed_mutations(original, kind, rng)[:4]:
                shown, errors = await findings(before)
                if (
                    not errors
                    and len(shown) == 1
                    and (shown[0].source, shown[0].code) == EXPECTED[kind]
                    and shown[0].span.start_line + 1 == line
                    and fair(before, original, shown[0])
                ):
                    _write_case(out, first + made, kind, before, original, line, source)
                    made += 1
                    per_kind[kind] += 1
                    break
    finally:
        for verifier in verifiers:
            await aclose_verifier(verifier)
        shutil.rmtree(scratch, ignore_errors=True)
    print(f"{made} typed cases: {per_kind}", file=sys.stderr)
    return made


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "corpus")
    parser.add_argument("--cases", type=int, default=240)
    parser.add_argument("--typed-cases", type=int, default=60, help="mypy cases, after the others")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--typed-only", action="store_true", help="keep the first --cases cases; make the mypy ones"
    )
    args = parser.parse_args()
    made = args.cases if args.typed_only else anyio.run(build, args.out, args.cases, args.seed)
    typed = anyio.run(build_typed, args.out, args.cases, args.typed_cases, args.seed)
    return 0 if made >= args.cases and typed >= args.typed_cases else 1


if __name__ == "__main__":
    sys.exit(main())
