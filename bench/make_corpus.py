"""Generate the loop benchmark's corpus from real code.

Functions are taken from the Python standard library (each with the imports
it uses, as a small standalone module), checked clean, then mutated so that
one real diagnostic appears: an import dropped (ruff F821), a name misspelt
(F821), an unused import added (F401), a colon deleted (a syntax error). A
mutation is kept only when the verifiers report exactly the intended
diagnostic, and the original passes. Seeded: the same run gives the same
corpus.

    python bench/make_corpus.py --out bench/corpus --cases 240 --seed 7
"""

from __future__ import annotations

import argparse
import ast
import random
import re
import shutil
import sys
import sysconfig
from pathlib import Path

import anyio

from fixloop.engine.checks import run_checks
from fixloop.engine.values import Snapshot
from fixloop.verifiers import make_verifiers

SOURCES = [
    "textwrap.py", "shlex.py", "fnmatch.py", "glob.py", "posixpath.py", "string.py",
    "colorsys.py", "bisect.py", "heapq.py", "calendar.py", "difflib.py", "csv.py",
    "ipaddress.py", "statistics.py", "fractions.py", "quopri.py", "base64.py",
    "gettext.py", "locale.py", "tokenize.py", "inspect.py", "pprint.py", "reprlib.py",
    "netrc.py", "mimetypes.py", "smtplib.py", "uuid.py", "zipfile/__init__.py", "tarfile.py",
    "argparse.py", "configparser.py", "email/utils.py", "http/cookies.py", "urllib/parse.py",
    "json/encoder.py", "logging/__init__.py", "subprocess.py", "shutil.py", "tempfile.py",
    "pathlib.py", "random.py", "ast.py", "dis.py", "pydoc.py", "trace.py", "timeit.py",
    "platform.py", "sysconfig.py", "optparse.py", "pickletools.py", "imaplib.py", "ftplib.py",
    "poplib.py", "webbrowser.py", "mailbox.py", "plistlib.py", "doctest.py", "pdb.py",
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
                    needed += [f"import {a.name}" + (f" as {a.asname}" if a.asname else "") for a in kept]
                else:
                    names_text = ", ".join(a.name + (f" as {a.asname}" if a.asname else "") for a in kept)
                    needed.append(f"from {imp.module} import {names_text}")
        header = f'"""From {path.name}: {node.name}."""\n' + "".join(f"{line}\n" for line in needed)
        found.append(header + "\n\n" + body)
    return found


def mutate(text: str, kind: str, rng: random.Random) -> tuple[str, int] | None:
    """(mutated text, 1-based line of the diagnostic) or None when this kind does not apply."""
    lines = text.splitlines(keepends=True)
    if kind == "drop-import":
        candidates = [i for i, line in enumerate(lines) if line.startswith("import ") and " as " not in line and "," not in line]
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
        stores = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
        loads = [n for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
                 and n.id in stores and len(n.id) >= 4]
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
        if re.search(rf"^(import|from) {module}\b", text, re.M) or re.search(rf"\b{module}\b", text):
            return None
        doc_end = 1
        return "".join(lines[:doc_end] + [f"import {module}\n"] + lines[doc_end:]), doc_end + 1
    if kind == "missing-colon":
        heads = [i for i, line in enumerate(lines)
                 if re.match(r"\s*(if|for|while|elif|with|def)\b.*:\s*$", line) and "#" not in line
                 and line.rstrip().endswith(":") and line.count("(") == line.count(")")]
        if not heads:
            return None
        index = rng.choice(heads)
        stripped = lines[index].rstrip()
        return "".join(lines[:index] + [stripped[:-1] + "\n"] + lines[index + 1 :]), index + 1
    raise ValueError(kind)


EXPECTED = {"drop-import": ("ruff", "F821"), "misspell": ("ruff", "F821"),
            "unused-import": ("ruff", "F401"), "missing-colon": ("python", "SyntaxError")}


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

    pool = [(name, fn) for name in SOURCES if (stdlib / name).is_file() for fn in functions(stdlib / name)]
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
            if not errors and len(shown) == 1 and (shown[0].source, shown[0].code) == want \
                    and shown[0].span.start_line + 1 == line:
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "corpus")
    parser.add_argument("--cases", type=int, default=240)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    made = anyio.run(build, args.out, args.cases, args.seed)
    return 0 if made >= args.cases else 1


if __name__ == "__main__":
    sys.exit(main())
