"""Build corpora of real bugs with their real fixes from the history of public repositories.

A case is a commit that changes one file of a repository from a version the
checker flags to one it does not: the parent's file raises exactly ONE
diagnostic of fixloop's default gate for the file's language, the commit's
file raises none. The ground truth of "what the checker flags" is
`fixloop check --json` itself; the miner's own quick checks only narrow the
candidates down before it is asked.

    python bench/real_corpus.py mine --repo /path/to/bare.git --name owner/repo \\
        --language python --out /tmp/mined/owner+repo.python.jsonl
    python bench/real_corpus.py minimize /tmp/mined/owner+repo.python.jsonl
    python bench/real_corpus.py build --language python --out-jsonl tests/soundness/real/python.jsonl \\
        --out-bench tests/soundness/real/python /tmp/mined/*.python.jsonl

`mine` reads a bare git repository (no network). `minimize` keeps of each
commit's change to the file only the smallest set of its hunks that still
removes the diagnostic and leaves the file clean (a commit often also renames,
reformats or comments elsewhere; what the diagnostic needed is the fix), and
says how many hunks it kept. `build` deduplicates, caps each repository's
share, and writes the soundness-corpus lines
({"id","kind":"honest","family","path","before","after","target","why","language"})
and the bench's case folders (before/, after/, case.toml).

C++ files of solution repositories (LeetCode answers) have no #include of
their own: the judge compiles them after its prelude. `--prelude leetcode`
puts that prelude (`#include <bits/stdc++.h>` and `using namespace std;`)
in front of both versions, so the file compiles as it did where it was written.
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import itertools
import json
import os
import subprocess
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

EXTENSIONS = {"python": (".py",), "cpp": (".cpp", ".cc", ".cxx")}
PRELUDES = {"none": "", "leetcode": "#include <bits/stdc++.h>\nusing namespace std;\n\n"}
RUFF_SELECT = "E4,E7,E9,F"  # fixloop's default ruff rules (verifiers/ruff.py)
BATCH = 200


@dataclass(frozen=True, slots=True)
class Change:
    """One file changed by one commit."""

    commit: str
    path: str
    before: str
    after: str


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True,
        errors="replace",
    ).stdout


def changed_files(repo: Path, language: str, max_lines: int) -> list[tuple[str, str]]:
    """(commit, path) of every small in-place change to a file of the language."""
    pathspecs = [f"*{ext}" for ext in EXTENSIONS[language]]
    log = _git(repo, "log", "--no-merges", "--no-renames", "--diff-filter=M", "--numstat",
               "--format=@@%H", "--", *pathspecs)
    found: list[tuple[str, str]] = []
    commit = ""
    for line in log.splitlines():
        if line.startswith("@@"):
            commit = line[2:]
            continue
        parts = line.split("\t")
        if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit():
            continue
        if 0 < int(parts[0]) + int(parts[1]) <= max_lines and parts[2].endswith(EXTENSIONS[language]):
            found.append((commit, parts[2]))
    return found


def read_blobs(repo: Path, names: list[str]) -> list[str | None]:
    """The texts of `rev:path` names, in order (None when missing, binary or not UTF-8)."""
    proc = subprocess.run(
        ["git", "-C", str(repo), "cat-file", "--batch"],
        input="".join(f"{n}\n" for n in names).encode(), capture_output=True, check=True,
    )
    out, pos, texts = proc.stdout, 0, []
    for _ in names:
        end = out.index(b"\n", pos)
        header = out[pos:end].split()
        pos = end + 1
        if len(header) < 3 or header[1] == b"missing":
            texts.append(None)
            continue
        size = int(header[2])
        body = out[pos : pos + size]
        pos += size + 1
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        texts.append(text if text is not None and "\0" not in text else None)
    return texts


def changes(repo: Path, language: str, max_lines: int, prelude: str) -> list[Change]:
    pairs = changed_files(repo, language, max_lines)
    names = [n for c, p in pairs for n in (f"{c}^:{p}", f"{c}:{p}")]
    texts = read_blobs(repo, names)
    found = []
    for i, (commit, path) in enumerate(pairs):
        before, after = texts[2 * i], texts[2 * i + 1]
        if before is None or after is None or before == after or len(before) > 60_000:
            continue
        found.append(Change(commit, path, prelude + before, prelude + after))
    return found


# --- quick filters (they only narrow the candidates; fixloop check decides) ---


def _python_quick(texts: list[str]) -> list[int]:
    """How many diagnostics python + ruff's default rules give on each text (roughly)."""
    counts = []
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i, text in enumerate(texts):
            path = Path(tmp) / f"f{i}.py"
            path.write_text(text, encoding="utf-8")
            paths.append(path)
        ruff = subprocess.run(
            [sys.executable, "-m", "ruff", "check", "--isolated", "--no-cache", "--select",
             RUFF_SELECT, "--output-format", "json", "--exit-zero", tmp],
            capture_output=True, text=True, check=True,
        )
        per_file: dict[str, int] = defaultdict(int)
        for item in json.loads(ruff.stdout or "[]"):
            per_file[Path(item["filename"]).name] += 1
        for i, text in enumerate(texts):
            try:
                compile(text, "f.py", "exec", dont_inherit=True)
                syntax = 0
            except (SyntaxError, ValueError):
                syntax = 1
            counts.append(1 if syntax else per_file[f"f{i}.py"])
    return counts


def _cpp_pch(tmp: Path) -> Path:
    """A precompiled bits/stdc++.h, so the quick filter does not parse it for every file."""
    header = tmp / "pre.h"
    header.write_text("#include <bits/stdc++.h>\n", encoding="utf-8")
    subprocess.run(["g++", "-x", "c++-header", str(header), "-o", str(tmp / "pre.h.gch")],
                   check=True)
    return header


def _cpp_quick(texts: list[str], tmp: Path, header: Path) -> list[int]:
    counts = []
    for text in texts:
        proc = subprocess.run(
            ["g++", "-fsyntax-only", "-include", str(header), "-fdiagnostics-format=json",
             "-x", "c++", "-"],
            input=text.encode(), capture_output=True, timeout=60, check=False,
        )
        try:
            items = json.loads(proc.stderr.decode("utf-8", "replace").splitlines()[0])
        except (json.JSONDecodeError, IndexError):
            items = []
        counts.append(sum(1 for d in items if d.get("kind") in ("error", "fatal error")))
    return counts


def fixloop_check(texts_and_names: list[tuple[str, str]]) -> list[list[dict]]:
    """What `fixloop check --json` reports for each (file name, text), in order."""
    results: list[list[dict]] = []
    for start in range(0, len(texts_and_names), BATCH):
        batch = texts_and_names[start : start + BATCH]
        with tempfile.TemporaryDirectory() as tmp:
            paths = []
            for i, (name, text) in enumerate(batch):
                path = Path(tmp) / str(i) / name
                path.parent.mkdir()
                path.write_text(text, encoding="utf-8")
                paths.append(str(path))
            proc = subprocess.run(
                ["fixloop", "check", "--json", *paths], capture_output=True, text=True,
                cwd=tmp, timeout=3600, check=False,
            )
            report = {Path(item["path"]).parent.name: item["diagnostics"]
                      for item in json.loads(proc.stdout)}
            results += [report.get(str(i), []) for i in range(len(batch))]
    return results


def mine(args: argparse.Namespace) -> None:
    repo = Path(args.repo)
    prelude = PRELUDES[args.prelude]
    found = changes(repo, args.language, args.max_lines, prelude)
    print(f"{args.name}: {len(found)} small changes", file=sys.stderr)
    if args.language == "python":
        before_counts = _python_quick([c.before for c in found])
        keep = [c for c, n in zip(found, before_counts) if n == 1]
        after_counts = _python_quick([c.after for c in keep])
        keep = [c for c, n in zip(keep, after_counts) if n == 0]
    else:
        with tempfile.TemporaryDirectory() as tmp:
            header = _cpp_pch(Path(tmp))
            keep = []
            for c in found:
                if _cpp_quick([c.before], Path(tmp), header) == [1] and _cpp_quick(
                    [c.after], Path(tmp), header
                ) == [0]:
                    keep.append(c)
    print(f"{args.name}: {len(keep)} pass the quick filter", file=sys.stderr)
    checked = fixloop_check(
        [(Path(c.path).name, t) for c in keep for t in (c.before, c.after)]
    )
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    kept = 0
    with out.open("w", encoding="utf-8") as fh:
        for i, c in enumerate(keep):
            before, after = checked[2 * i], checked[2 * i + 1]
            if len(before) != 1 or after:
                continue
            d = before[0]
            fh.write(json.dumps({
                "repo": args.name, "license": args.license, "commit": c.commit, "path": c.path,
                "prelude": args.prelude, "language": args.language, "before": c.before,
                "after": c.after,
                "target": {"source": d["source"], "code": d["code"], "line": d["line"]},
                "message": d["message"],
            }) + "\n")
            kept += 1
    print(f"{args.name}: {kept} cases confirmed by fixloop check", file=sys.stderr)


# --- minimize ---

MAX_HUNKS = 8  # more separate hunks than this: the whole change is kept


def hunks(before: str, after: str) -> list[tuple[str, int, int, int, int]]:
    a, b = before.splitlines(keepends=True), after.splitlines(keepends=True)
    return difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()


def apply_hunks(before: str, after: str, opcodes, chosen: set[int]) -> str:
    """`before` with only the chosen changed hunks (indexes into `opcodes`) of `after`."""
    a, b = before.splitlines(keepends=True), after.splitlines(keepends=True)
    out: list[str] = []
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        out += b[j1:j2] if tag != "equal" and index in chosen else a[i1:i2]
    return "".join(out)


def _clean(text: str, language: str, tools: dict) -> bool:
    if language == "python":
        return _python_quick([text]) == [0]
    return _cpp_quick([text], tools["tmp"], tools["header"]) == [0]


def smallest_change(row: dict, tools: dict) -> tuple[str, int, int]:
    """(after, hunks kept, hunks in the commit) with the fewest hunks that leave no diagnostic."""
    opcodes = hunks(row["before"], row["after"])
    changed = [i for i, op in enumerate(opcodes) if op[0] != "equal"]
    if len(changed) <= 1 or len(changed) > MAX_HUNKS:
        return row["after"], len(changed), len(changed)
    for size in range(1, len(changed)):
        for subset in itertools.combinations(changed, size):
            text = apply_hunks(row["before"], row["after"], opcodes, set(subset))
            if _clean(text, row["language"], tools):
                return text, size, len(changed)
    return row["after"], len(changed), len(changed)


def minimize(args: argparse.Namespace) -> None:
    for name in args.inputs:
        rows = [json.loads(line) for line in Path(name).read_text(encoding="utf-8").splitlines() if line.strip()]
        with tempfile.TemporaryDirectory() as tmp:
            tools = {"tmp": Path(tmp)}
            if any(r["language"] == "cpp" for r in rows):
                tools["header"] = _cpp_pch(Path(tmp))
            results = [smallest_change(row, tools) for row in rows]
        # fixloop check decides: a smaller change it does not find clean is not taken
        smaller = [i for i, (after, kept, total) in enumerate(results) if kept < total]
        checked = fixloop_check([(Path(rows[i]["path"]).name, results[i][0]) for i in smaller])
        verdict = dict(zip(smaller, checked, strict=True))
        out = Path(name).with_suffix(".min.jsonl")
        with out.open("w", encoding="utf-8") as fh:
            for i, row in enumerate(rows):
                after, kept, total = results[i]
                if verdict.get(i):
                    after, kept = row["after"], total
                fh.write(json.dumps({**row, "commit_after": row["after"], "after": after,
                                     "hunks": [kept, total]}) + "\n")
        shrunk = sum(1 for i in smaller if not verdict[i])
        print(f"{name}: {len(rows)} cases, {shrunk} reduced to fewer hunks -> {out}",
              file=sys.stderr)


# --- build ---


def _family(target: dict) -> str:
    return target["code"] if target["source"] != "g++" else "g++-error"


def build(args: argparse.Namespace) -> None:
    rows: list[dict] = []
    for name in args.inputs:
        with open(name, encoding="utf-8") as fh:
            rows += [json.loads(line) for line in fh if line.strip()]
    seen: set[str] = set()
    by_repo: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        key = hashlib.sha256((row["before"] + "\0" + row["after"]).encode()).hexdigest()
        if key in seen:
            continue
        seen.add(key)
        by_repo[row["repo"]].append(row)
    chosen: list[dict] = []
    for repo in sorted(by_repo):
        # diversity: at most `cap` per repository, spread over its diagnostic codes
        groups: dict[str, list[dict]] = defaultdict(list)
        for row in sorted(by_repo[repo], key=lambda r: (r["commit"], r["path"])):
            groups[_family(row["target"]) + row["target"]["source"]].append(row)
        picked: list[dict] = []
        while len(picked) < args.cap and any(groups.values()):
            for key in sorted(groups):
                if groups[key] and len(picked) < args.cap:
                    picked.append(groups[key].pop(0))
        chosen += picked
    out_jsonl = Path(args.out_jsonl)
    out_jsonl.parent.mkdir(parents=True, exist_ok=True)
    bench = Path(args.out_bench) if args.out_bench else None
    with out_jsonl.open("w", encoding="utf-8") as fh:
        for n, row in enumerate(chosen):
            case_id = f"{args.language}-{n:03d}"
            name = Path(row["path"]).name
            kept, total = row.get("hunks", [0, 0])
            reduced = f"; {kept} of the commit's {total} hunks" if kept < total else ""
            fh.write(json.dumps({
                "id": case_id, "kind": "honest", "family": _family(row["target"]),
                "path": name, "before": row["before"], "after": row["after"],
                "target": row["target"],
                "why": f"github:{row['repo']}@{row['commit']}:{row['path']} ({row['license']})"
                + (f"; prelude {row['prelude']}" if row["prelude"] != "none" else "")
                + reduced,
                "language": row["language"],
            }) + "\n")
            if bench is not None:
                folder = bench / f"{n:03d}-{_family(row['target']).lower()}"
                for side in ("before", "after"):
                    (folder / side).mkdir(parents=True, exist_ok=True)
                    (folder / side / name).write_text(row[side], encoding="utf-8")
                t = row["target"]
                meta = (
                    f"file = {json.dumps(name)}\nverifier = {json.dumps(t['source'])}\n"
                    f"code = {json.dumps(t['code'])}\nline = {t['line']}\n"
                    f"kind = {json.dumps(_family(t))}\n"
                    f"source = {json.dumps('github:' + row['repo'] + '@' + row['commit'] + ':' + row['path'])}\n"
                    f"language = {json.dumps(row['language'])}\n"
                    f"license = {json.dumps(row['license'])}\n"
                )
                (folder / "case.toml").write_text(meta, encoding="utf-8")
    counts = defaultdict(int)
    for row in chosen:
        counts[row["repo"]] += 1
    print(json.dumps({"cases": len(chosen), "by_repo": counts}, indent=1), file=sys.stderr)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    m = sub.add_parser("mine")
    m.add_argument("--repo", required=True, help="a git directory with history")
    m.add_argument("--name", required=True, help="owner/repo, for the record")
    m.add_argument("--license", required=True, help="the repository's licence (SPDX id)")
    m.add_argument("--language", choices=sorted(EXTENSIONS), required=True)
    m.add_argument("--prelude", choices=sorted(PRELUDES), default="none")
    m.add_argument("--max-lines", type=int, default=20, help="changed lines at most per file")
    m.add_argument("--out", required=True)
    mz = sub.add_parser("minimize")
    mz.add_argument("inputs", nargs="+", help="files `mine` wrote; X.jsonl -> X.min.jsonl")
    b = sub.add_parser("build")
    b.add_argument("--language", required=True)
    b.add_argument("--cap", type=int, default=60, help="cases at most from one repository")
    b.add_argument("--out-jsonl", required=True)
    b.add_argument("--out-bench")
    b.add_argument("inputs", nargs="+")
    args = parser.parse_args(argv)
    {"mine": mine, "minimize": minimize, "build": build}[args.command](args)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    main()
