"""Build corpora of real bugs from DebugBench (thunlp/DebugBench, Apache-2.0).

DebugBench takes LeetCode solutions (`oracle_code`) and injects one or more bugs
into each (`buggy_code`), in C++, Java and Python3; `benchmark/<lang>_<bug type>.json`
holds a list of such pairs. A case here is one pair, faithful to the source
(no minimising, no reformatting):

    before = prelude + buggy_code      after = prelude + oracle_code

kept when `fixloop check --json` (the default gate: Python = python + ruff
E4,E7,E9,F; C++ = g++ -fsyntax-only) reports EXACTLY ONE diagnostic on `before`
and NONE on `after`. `target` is that diagnostic as fixloop reports it.

    python bench/debugbench_corpus.py /work/.mirror/thunlp+DebugBench/repo \\
        [--out-dir tests/soundness/real] [--cache /tmp/debugbench-cache] [--language python]

The mirror is a bare git directory (read with git; no network).

LeetCode runs a solution after implicit imports and definitions; the same
prelude goes in front of both versions so that each compiles as it did there:
- C++: `#include <bits/stdc++.h>` and `using namespace std;`, and LeetCode's
  `TreeNode` / `ListNode` when the code uses one without defining it, and the
  problem's `Node` when the code quotes its definition in a comment.
- Python: an explicit import of each name of LeetCode's environment (typing,
  collections, heapq, math, bisect, itertools, functools, operator, ...) that the
  oracle uses undefined and the buggy version uses too (a name undefined only in
  the buggy version is the bug, never imported), LeetCode's `ListNode` /
  `TreeNode`, and `Node` (the problem's definition when the code quotes it).
  Explicit, because a star import is itself a diagnostic of the gate (F403/F405),
  and so is an import of a name one side does not use (F401).
A case whose diagnostic lies in the prelude is not kept.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from real_corpus import _cpp_pch, _cpp_quick, _python_quick, fixloop_check

SOURCE = "thunlp/DebugBench"
LICENSE = "Apache-2.0"
LANGUAGES = {"python": ("python3_", "solution.py"), "cpp": ("cpp_", "solution.cpp")}

# --- Python: LeetCode's environment, as explicit imports ---

# Modules LeetCode imports by name.
PY_MODULES = ("bisect", "collections", "copy", "functools", "heapq", "itertools", "math",
              "operator", "random", "re", "statistics", "string", "sys", "typing")
# Modules LeetCode star-imports; a name in several comes from the first listed.
PY_STAR = ("collections", "heapq", "math", "bisect", "itertools", "functools", "operator",
           "statistics", "typing")
PY_CLASSES = {
    "ListNode": (
        "class ListNode:\n"
        "    def __init__(self, val=0, next=None):\n"
        "        self.val = val\n"
        "        self.next = next\n"
    ),
    "TreeNode": (
        "class TreeNode:\n"
        "    def __init__(self, val=0, left=None, right=None):\n"
        "        self.val = val\n"
        "        self.left = left\n"
        "        self.right = right\n"
    ),
}
PY_GENERIC_NODE = (
    "class Node:\n"
    "    def __init__(self, val=None, *args):\n"
    "        self.val = val\n"
)


def _star_names() -> dict[str, str]:
    import importlib

    names: dict[str, str] = {}
    for module_name in PY_STAR:
        module = importlib.import_module(module_name)
        public = getattr(module, "__all__", None) or [n for n in dir(module) if not n.startswith("_")]
        for name in public:
            names.setdefault(name, module_name)
    return names


def _undefined(texts: list[str]) -> list[set[str]]:
    """The names ruff's F821 finds undefined in each text."""
    found: list[set[str]] = [set() for _ in texts]
    with tempfile.TemporaryDirectory() as tmp:
        for i, text in enumerate(texts):
            (Path(tmp) / f"f{i}.py").write_text(text, encoding="utf-8")
        ruff = subprocess.run(
            [sys.executable, "-m", "ruff", "check", "--isolated", "--no-cache", "--select", "F821",
             "--output-format", "json", "--exit-zero", tmp],
            capture_output=True, text=True, check=True,
        )
    for item in json.loads(ruff.stdout or "[]"):
        match = re.search(r"`([^`]+)`", item["message"])
        if match:
            found[int(Path(item["filename"]).stem[1:])].add(match.group(1))
    return found


def _quoted_node(code: str, language: str) -> str | None:
    """The problem's `Node` as the code quotes it in a comment, uncommented, or None."""
    if language == "python":
        match = re.search(r'^(class Node\b.*?)^\s*"""', code, re.DOTALL | re.MULTILINE)
        return match.group(1).rstrip() + "\n" if match else None
    match = re.search(r"^\s*(?://\s*)?(class|struct) Node\b.*?^\s*(?://\s*)?\};", code, re.DOTALL | re.MULTILINE)
    if not match:
        return None
    lines = [re.sub(r"^\s*//\s?", "", line) for line in match.group(0).splitlines()]
    return "\n".join(lines).strip("\n") + "\n"


def python_preludes(buggy: list[str], oracle: list[str]) -> list[tuple[str, list[str]]]:
    """(prelude, the names it provides) for each pair."""
    star = _star_names()
    undefined_oracle = _undefined(oracle)
    undefined_buggy = _undefined(buggy)
    out = []
    for b, o, uo, ub in zip(buggy, oracle, undefined_oracle, undefined_buggy, strict=True):
        try:
            compile(b, "b.py", "exec", dont_inherit=True)
            used_in_buggy = ub  # ruff saw the whole file
        except (SyntaxError, ValueError):
            # a broken file: ruff may not see all its names; a name the oracle
            # needs counts as used by the buggy version when it appears in it
            used_in_buggy = {n for n in uo if re.search(rf"\b{re.escape(n)}\b", b)}
        names = sorted(uo & used_in_buggy)
        imports, classes, provided = [], [], []
        for name in names:
            if name in PY_MODULES:
                imports.append(f"import {name}")
            elif name in star:
                imports.append(f"from {star[name]} import {name}")
            elif name in PY_CLASSES:
                classes.append(PY_CLASSES[name])
            elif name == "Node":
                classes.append(_quoted_node(o, "python") or PY_GENERIC_NODE)
            else:
                continue
            provided.append(name)
        parts = []
        if imports:
            parts.append("\n".join(sorted(imports)) + "\n")
        parts += classes
        prelude = "\n\n".join(parts)
        out.append((prelude + "\n\n" if prelude else "", provided))
    return out


# --- C++ ---

CPP_HEADER = "#include <bits/stdc++.h>\nusing namespace std;\n\n"
CPP_STRUCTS = {
    "ListNode": (
        "struct ListNode {\n"
        "    int val;\n"
        "    ListNode *next;\n"
        "    ListNode() : val(0), next(nullptr) {}\n"
        "    ListNode(int x) : val(x), next(nullptr) {}\n"
        "    ListNode(int x, ListNode *next) : val(x), next(next) {}\n"
        "};\n"
    ),
    "TreeNode": (
        "struct TreeNode {\n"
        "    int val;\n"
        "    TreeNode *left;\n"
        "    TreeNode *right;\n"
        "    TreeNode() : val(0), left(nullptr), right(nullptr) {}\n"
        "    TreeNode(int x) : val(x), left(nullptr), right(nullptr) {}\n"
        "    TreeNode(int x, TreeNode *left, TreeNode *right) : val(x), left(left), right(right) {}\n"
        "};\n"
    ),
}


def _cpp_names(code: str) -> tuple[set[str], set[str]]:
    """(identifiers the code uses, classes it defines), comments and strings aside (tree-sitter)."""
    import tree_sitter_cpp
    from tree_sitter import Language, Parser

    tree = Parser(Language(tree_sitter_cpp.language())).parse(code.encode())
    used, defined = set(), set()
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.type in ("identifier", "type_identifier"):
            used.add(node.text.decode())
        if node.type in ("struct_specifier", "class_specifier"):
            name = node.child_by_field_name("name")
            if name is not None and node.child_by_field_name("body") is not None:
                defined.add(name.text.decode())
        stack.extend(node.children)
    return used, defined


def cpp_prelude(buggy: str, oracle: str) -> tuple[str, list[str]]:
    used_b, defined_b = _cpp_names(buggy)
    used_o, defined_o = _cpp_names(oracle)
    structs, provided = [], []
    for name in ("ListNode", "TreeNode", "Node"):
        if name not in used_o or name not in used_b or name in defined_o or name in defined_b:
            continue
        text = CPP_STRUCTS.get(name) or _quoted_node(oracle, "cpp")
        if text is None:
            continue
        structs.append(text)
        provided.append(name)
    return CPP_HEADER + "".join(s + "\n" for s in structs), provided


# --- build ---


def load(mirror: Path, prefix: str) -> tuple[str, list[tuple[str, int, dict]]]:
    commit = subprocess.run(["git", "-C", str(mirror), "rev-parse", "HEAD"], check=True,
                            capture_output=True, text=True).stdout.strip()
    names = subprocess.run(["git", "-C", str(mirror), "ls-tree", "--name-only", "HEAD", "benchmark/"],
                           check=True, capture_output=True, text=True).stdout.splitlines()
    rows = []
    for name in sorted(names):
        if not Path(name).name.startswith(prefix) or not name.endswith(".json"):
            continue
        text = subprocess.run(["git", "-C", str(mirror), "show", f"HEAD:{name}"], check=True,
                              capture_output=True, text=True).stdout
        rows += [(name, i, item) for i, item in enumerate(json.loads(text))]
    return commit, rows


def _cached(cache: Path | None, key: str, compute):
    if cache is None:
        return compute()
    path = cache / (hashlib.sha256(key.encode()).hexdigest()[:24] + ".json")
    if path.exists():
        return json.loads(path.read_text())
    value = compute()
    cache.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value))
    return value


def _parallel_check(named: list[tuple[str, str]], workers: int) -> list[list[dict]]:
    """fixloop check on the texts, in `workers` processes at once."""
    chunks = [named[i::workers] for i in range(workers)]
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        results = list(pool.map(fixloop_check, chunks))
    out: list[list[dict]] = [[] for _ in named]
    for w, result in enumerate(results):
        for j, diagnostics in enumerate(result):
            out[w + j * workers] = diagnostics
    return out


def _cpp_quick_all(texts: list[str], workers: int) -> list[int]:
    with tempfile.TemporaryDirectory() as tmp:
        header = _cpp_pch(Path(tmp))
        with concurrent.futures.ThreadPoolExecutor(workers) as pool:
            return [n for (n,) in pool.map(lambda t: _cpp_quick([t], Path(tmp), header), texts)]


def build_language(mirror: Path, language: str, out_dir: Path, cache: Path | None, workers: int) -> None:
    prefix, filename = LANGUAGES[language]
    commit, rows = load(mirror, prefix)
    rows = [r for r in rows if r[2]["buggy_code"] != r[2]["oracle_code"]]
    buggy = [r[2]["buggy_code"] for r in rows]
    oracle = [r[2]["oracle_code"] for r in rows]
    if language == "python":
        preludes = python_preludes(buggy, oracle)
    else:
        preludes = [cpp_prelude(b, o) for b, o in zip(buggy, oracle, strict=True)]
    befores = [p + b for (p, _), b in zip(preludes, buggy, strict=True)]
    afters = [p + o for (p, _), o in zip(preludes, oracle, strict=True)]
    print(f"{language}: {len(rows)} pairs that differ", file=sys.stderr)

    key = f"{language}:{commit}:" + hashlib.sha256("\0".join(befores + afters).encode()).hexdigest()
    if language == "python":
        quick_before = _cached(cache, key + ":qb", lambda: _python_quick(befores))
        keep = [i for i, n in enumerate(quick_before) if n == 1]
        quick_after = _cached(cache, key + ":qa", lambda: _python_quick([afters[i] for i in keep]))
    else:
        quick_before = _cached(cache, key + ":qb", lambda: _cpp_quick_all(befores, workers))
        keep = [i for i, n in enumerate(quick_before) if n == 1]
        quick_after = _cached(cache, key + ":qa", lambda: _cpp_quick_all([afters[i] for i in keep], workers))
    keep = [i for i, n in zip(keep, quick_after, strict=True) if n == 0]
    print(f"{language}: {len(keep)} pass the quick filter", file=sys.stderr)
    named = [(filename, t) for i in keep for t in (befores[i], afters[i])]
    checked = _cached(cache, key + ":fixloop:" + ",".join(map(str, keep)),
                      lambda: _parallel_check(named, workers))

    out = out_dir / f"debugbench-{language}.jsonl"
    counts: Counter = Counter()
    dropped: Counter = Counter()
    with out.open("w", encoding="utf-8") as fh:
        for k, i in enumerate(keep):
            before_d, after_d = checked[2 * k], checked[2 * k + 1]
            if len(before_d) != 1 or after_d:
                dropped["fixloop check disagrees with the quick filter"] += 1
                continue
            d = before_d[0]
            prelude, provided = preludes[i]
            if d["line"] <= prelude.count("\n"):
                dropped["diagnostic in the prelude"] += 1
                continue
            name, index, _ = rows[i]
            family = Path(name).stem[len(prefix):]
            added = "prelude leetcode" + (f" ({', '.join(provided)})" if provided else "")
            fh.write(json.dumps({
                "id": f"debugbench-{language}-{sum(counts.values()):04d}",
                "kind": "honest", "family": family, "path": filename,
                "before": befores[i], "after": afters[i],
                "target": {"source": d["source"], "code": d["code"], "line": d["line"]},
                "why": f"github:{SOURCE}@{commit}:{name}#{index} ({LICENSE}); {added}",
                "language": language,
            }) + "\n")
            counts[family] += 1
    print(json.dumps({"language": language, "cases": sum(counts.values()),
                      "by_bug_type": dict(sorted(counts.items())), "dropped": dropped}, indent=1),
          file=sys.stderr)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mirror", help="the bare git directory of thunlp/DebugBench")
    parser.add_argument("--out-dir", default="tests/soundness/real")
    parser.add_argument("--language", choices=sorted(LANGUAGES), action="append")
    parser.add_argument("--cache", help="a folder to keep the checkers' results in between runs")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    for language in args.language or sorted(LANGUAGES, reverse=True):
        build_language(Path(args.mirror), language, Path(args.out_dir),
                       Path(args.cache) if args.cache else None, args.workers)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    main()
