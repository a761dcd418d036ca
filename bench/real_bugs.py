"""Models on real bugs, run exactly as the product runs them: `fixloop fix` on a workspace.

Each case of a corpus (JSON lines in the soundness format: `id`, `path`,
`before`, `after` = the real fix) becomes a folder of one workspace; each
setup runs `fixloop fix WORKSPACE --json` once, so the model's process stays
warm across cases as it does in an editor, loops run one at a time
(`budget.loops = 1`), and every verified fix is recorded with its diff and
classified against the real fix:

- `same`: the fixed file equals the real fix (whitespace within lines aside);
- `equivalent`: the same Python AST (for other languages: the same tokens);
- `differs`: verified, but not what the author did: a behaviour change unless
  shown otherwise (read the diffs in the JSON).

    python bench/real_bugs.py --corpus tests/soundness/real/python.jsonl --cases 20 \\
        --setups ladder,large --seconds 60 --json out.json

`--single-bug` samples only cases with one bug (DebugBench's families other
than double, triple and quadruple).

Setups: `small` (the 0.5B alone), `large` (the 1.5B alone), `ladder` (no
[models] table: what the product does by default, the 0.5B then the 1.5B).
The load average is printed beside the figures: they only mean something with it.

`--variant` runs the same product with one prompt setting changed (engine/prompt.py's
module constants, or the tier's temperature), to measure prompts on the same sample:

    python bench/real_bugs.py --corpus C.jsonl --cases 12 --setups small --seconds 120 \\
        --attempts 4 --variant no-context
"""

from __future__ import annotations

import argparse
import ast
import io
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
import tokenize
from pathlib import Path

from fixloop.providers.local import LARGE, SMALL, local_settings


def _tier_table(model) -> str:
    """A [models.fast] table with the settings the product gives that local model by default."""
    tier = local_settings(model)
    return (
        f'[models.fast]\nprotocol = "local"\nmodel = "{tier.model}"\n'
        f'reply_format = "{tier.reply_format}"\nmax_tokens = {tier.max_tokens}\n'
        f"temperature = {tier.temperature}\nstream = {str(tier.stream).lower()}\n"
    )


# Variants: module constants of fixloop.engine set before `fixloop fix` runs ("prompt.X" is
# engine/prompt.py's X), and the fast tier's settings (a setup with a [models.fast] table).
# "shipped" is whatever the product does now; "no-salvage" judges a refused candidate as it
# came (judge.py searches one of 2 to SALVAGE_HUNKS hunks for a part the policy accepts).
VARIANTS: dict[str, tuple[dict[str, object], dict[str, float]]] = {
    "shipped": ({}, {}),
    "no-context": ({"prompt.CONTEXT_LINES": 0}, {}),
    "context-10": ({"prompt.CONTEXT_LINES": 10}, {}),
    "context-30": ({"prompt.CONTEXT_LINES": 30}, {}),
    "no-failures": ({"prompt.FAILURES_SHOWN": 0}, {}),
    "failures-3": ({"prompt.FAILURES_SHOWN": 3}, {}),
    "first-none": ({"prompt.FIRST_LINE": ""}, {}),
    "first-indent": ({"prompt.FIRST_LINE": "indent"}, {}),
    "first-line": ({"prompt.FIRST_LINE": "line"}, {}),
    "no-salvage": ({"judge.SALVAGE_HUNKS": 1}, {}),
    "t0.2": ({}, {"temperature": 0.2}),
    "t0.7": ({}, {"temperature": 0.7}),
    "t1.0": ({}, {"temperature": 1.0}),
    "tokens-256": ({}, {"max_tokens": 256}),
    "tokens-1024": ({}, {"max_tokens": 1024}),
}


def _command(fixloop: str, variant: str) -> list[str]:
    """`fixloop` itself, or the same CLI in a Python that first sets the variant's constants."""
    settings, _ = VARIANTS[variant]
    if not settings:
        return [fixloop]
    code = (
        "import importlib, sys\n"
        + "".join(
            f"setattr(importlib.import_module('fixloop.engine.{name.rpartition('.')[0]}'), "
            f"{name.rpartition('.')[2]!r}, {value!r})\n"
            for name, value in settings.items()
        )
        + "from fixloop.cli import main\nsys.exit(main())\n"
    )
    return [str(Path(fixloop).with_name("python")), "-c", code]


SETUPS = {
    "small": _tier_table(SMALL),
    "large": _tier_table(LARGE),
    "ladder": "",  # no [models]: the embedded default
}


# DebugBench's families of several bugs in one solution: `--single-bug` leaves them out.
MULTI_BUG = frozenset({"double", "triple", "quadruple"})


def load_cases(corpus: Path, count: int | None, seed: int, single_bug: bool = False) -> list[dict]:
    """The honest cases of a corpus (one bug each with `single_bug`), then a seeded sample."""
    cases = [json.loads(line) for line in corpus.read_text().splitlines() if line.strip()]
    cases = [c for c in cases if c.get("kind", "honest") == "honest"]
    if single_bug:
        cases = [c for c in cases if c.get("family") not in MULTI_BUG]
    if count is not None and count < len(cases):
        cases = random.Random(seed).sample(cases, count)
    return cases


def _folder(case: dict) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", case["id"])


def lay_out(root: Path, cases: list[dict], setup: str, seconds: float, attempts: int,
            tier: dict[str, float] | None = None) -> None:  # fmt: skip
    # One workspace for all the cases, each in its own folder: the model stays warm.
    # Auto-escalation is what the ladder is; a setup with one model has nowhere to go.
    (root / ".fixloop.toml").write_text(
        f"[budget]\nloops = 1\nparallel = 1\nseconds = {seconds}\nattempts = {attempts}\n"
        + f"auto_escalate = {'true' if setup == 'ladder' else 'false'}\n"
    )
    # Which model a tier is: the user's own config file says so, as for a user (a workspace's
    # file may not, untrusted: see docs/trust.md).
    (root / ".user").mkdir()
    table = SETUPS[setup]
    for key, value in (tier or {}).items():  # the ladder's table is empty: nothing to change
        table = re.sub(rf"(?m)^{key} = .*$", f"{key} = {value}", table)
    (root / ".user" / "config.toml").write_text(table)
    for case in cases:
        path = root / _folder(case) / case["path"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(case["before"], encoding="utf-8", newline="")


def apply_diff(before: str, diff: str) -> str | None:
    """The text after a unified diff of one file (as `fixloop fix` prints it)."""
    lines = before.splitlines(keepends=True)
    out: list[str] = []
    at = 0
    for hunk in re.finditer(r"^@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@.*\n((?:[ +\-\\].*\n?)*)",
                            diff, re.M):  # fmt: skip
        start = int(hunk.group(1)) - (0 if hunk.group(2) == "0" else 1)
        out.extend(lines[at:start])
        at = start
        for line in hunk.group(3).splitlines(keepends=True):
            tag, body = line[:1], line[1:]
            if tag == " ":
                out.append(lines[at])
                at += 1
            elif tag == "-":
                at += 1
            elif tag == "+":
                out.append(body)
    out.extend(lines[at:])
    return "".join(out)


def _squeezed(text: str) -> str:
    return "\n".join(" ".join(line.split()) for line in text.splitlines() if line.strip())


def _tokens(text: str) -> list[str] | None:
    try:
        return [
            t.string
            for t in tokenize.generate_tokens(io.StringIO(text).readline)
            if t.type not in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE,
                              tokenize.INDENT, tokenize.DEDENT)  # fmt: skip
        ]
    except (tokenize.TokenError, SyntaxError):
        return None


def classify(fixed: str, truth: str, language: str) -> str:
    if _squeezed(fixed) == _squeezed(truth):
        return "same"
    if language == "python":
        try:
            if ast.dump(ast.parse(fixed)) == ast.dump(ast.parse(truth)):
                return "equivalent"
        except SyntaxError:
            pass
    elif re.findall(r"\w+|[^\w\s]", re.sub(r"//.*|/\*.*?\*/", "", fixed, flags=re.S)) == re.findall(
        r"\w+|[^\w\s]", re.sub(r"//.*|/\*.*?\*/", "", truth, flags=re.S)
    ):
        return "equivalent"
    return "differs"


def run_setup(fixloop: str, cases: list[dict], setup: str, args) -> list[dict]:
    with tempfile.TemporaryDirectory(prefix=f"real-bugs-{setup}-") as tmp:
        root = Path(tmp)
        lay_out(root, cases, setup, args.seconds, args.attempts, VARIANTS[args.variant][1])
        env = {**os.environ, "FIXLOOP_STATE_DIR": str(root / ".state"),
               "FIXLOOP_CONFIG_DIR": str(root / ".user")}  # fmt: skip
        started = time.perf_counter()
        done = subprocess.run(
            [*_command(fixloop, args.variant), "fix", str(root), "--json"],
            capture_output=True, text=True, env=env,
            timeout=len(cases) * args.seconds * 3 + 600,
        )  # fmt: skip
        wall = time.perf_counter() - started
        try:
            report = json.loads(done.stdout)
        except json.JSONDecodeError:
            sys.exit(f"{setup}: fixloop fix printed no JSON (exit {done.returncode}):\n"
                     f"{done.stderr[-3000:]}")  # fmt: skip
        stats = subprocess.run(
            [fixloop, "stats", str(root), "--json"], capture_output=True, text=True, env=env,
            timeout=120,
        )  # fmt: skip
        stats_json = json.loads(stats.stdout) if stats.returncode == 0 else {}
        failures = _failures(stats_json)
        tiers = _tiers(stats_json)
        print(f"{setup}: failed attempts by why: {failures}", file=sys.stderr)
        by_folder = {Path(entry["path"]).relative_to(root).parts[0]: entry for entry in report}
        runs = []
        for case in cases:
            entry = by_folder.get(_folder(case), {"fixes": []})
            fixes = entry["fixes"]
            fixed = [f for f in fixes if f["status"] == "fixed"]
            seconds = sum(f["seconds"] for f in fixes)
            outcome = "not checked" if not fixes else ("fixed" if fixed and len(fixed) == len(fixes)
                                                       else fixes[0]["status"])  # fmt: skip
            kind = None
            if outcome == "fixed":
                text = case["before"]
                for fix in fixed:
                    text = apply_diff(text, fix["diff"]) or text
                kind = classify(text, case["after"], case.get("language", "python"))
            runs.append({
                "case": case["id"], "setup": setup, "outcome": outcome, "kind": kind,
                "seconds": round(seconds, 2), "attempts": sum(f["attempts"] for f in fixes),
                "tiers": [f["tier"] for f in fixes], "reasons": [f["reason"] for f in fixes],
                "diffs": [f["diff"] for f in fixes], "failures_of_setup": failures,
                "tiers_of_setup": tiers,
            })  # fmt: skip
        print(f"{setup}: {len(cases)} cases in {wall:.0f} s (fixloop exit {done.returncode})",
              file=sys.stderr)  # fmt: skip
        return runs


def _failures(stats) -> dict[str, int]:
    """Failed attempts by why, summed over the tiers `fixloop stats --json` reports."""
    total: dict[str, int] = {}
    for tier in (stats.get("speed_all_time", {}).get("tiers") or {}).values():
        for why, count in (tier.get("failures") or {}).items():
            total[why] = total.get(why, 0) + count
    return total


def _tiers(stats) -> dict[str, dict]:
    """Per tier: model requests, tokens, failed attempts by why (from `fixloop stats --json`)."""
    speed = stats.get("speed_all_time", {}).get("tiers") or {}
    return {
        tier: {
            "requests": spent.get("requests", 0),
            "input_tokens": spent.get("input_tokens", 0),
            "output_tokens": spent.get("output_tokens", 0),
            "fixes": (speed.get(tier) or {}).get("fixes", 0),
            "failures": (speed.get(tier) or {}).get("failures") or {},
        }
        for tier, spent in (stats.get("all_time") or {}).items()
    }


def refused_share(tiers: dict[str, dict]) -> dict[str, float | None]:
    """Per tier: the share of its model requests that the judge refused (anti-cheat)."""
    return {
        tier: round(row["failures"].get("anti-cheat", 0) / row["requests"], 3)
        if row["requests"]
        else None
        for tier, row in tiers.items()
    }


def summary(setup: str, runs: list[dict], deadline: float) -> dict:
    fixed = [r for r in runs if r["outcome"] == "fixed" and r["seconds"] <= deadline]
    times = sorted(r["seconds"] for r in fixed)
    kinds = {k: sum(1 for r in fixed if r["kind"] == k) for k in ("same", "equivalent", "differs")}
    return {
        "setup": setup,
        "fixed": f"{len(fixed)}/{len(runs)}",
        "success": round(len(fixed) / len(runs), 3) if runs else 0.0,
        "median_s": round(statistics.median(times), 1) if times else None,
        "p95_s": round(times[min(len(times) - 1, round(0.95 * (len(times) - 1)))], 1) if times else None,
        "attempts": sum(r["attempts"] for r in runs),
        **kinds,
        # Per attempt: the failed ones by why (from `fixloop stats`), and the verified ones.
        "failed_attempts": runs[0]["failures_of_setup"] if runs else {},
        "tiers": runs[0].get("tiers_of_setup", {}) if runs else {},
        "refused_share": refused_share(runs[0].get("tiers_of_setup", {})) if runs else {},
        "fixed_by": {t: sum(1 for r in fixed for x in r["tiers"] if x == t)
                     for t in sorted({x for r in fixed for x in r["tiers"]})},  # fmt: skip
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--cases", type=int, default=None, help="a seeded sample of this many")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--single-bug",
        action="store_true",
        help="leave out cases whose family is several bugs (DebugBench)",
    )
    parser.add_argument("--setups", default="ladder,large")
    parser.add_argument("--seconds", type=float, default=60.0, help="wall-clock per diagnostic")
    parser.add_argument("--attempts", type=int, default=8)
    parser.add_argument("--fixloop", default=str(Path(sys.executable).with_name("fixloop")))
    parser.add_argument("--variant", default="shipped", choices=VARIANTS)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    cases = load_cases(args.corpus, args.cases, args.seed, args.single_bug)
    load_before = os.getloadavg()
    runs: list[dict] = []
    for setup in args.setups.split(","):
        runs += run_setup(args.fixloop, cases, setup, args)
    load_after = os.getloadavg()
    # The ladder's two tiers each get `seconds`; its figure counts only fixes within one `seconds`.
    table = [summary(s, [r for r in runs if r["setup"] == s], args.seconds)
             for s in args.setups.split(",")]  # fmt: skip
    print(f"{len(cases)} cases from {args.corpus} (seed {args.seed}"
          f"{', single-bug' if args.single_bug else ''}); variant {args.variant}; "
          f"{args.attempts} attempts, {args.seconds:.0f} s each; load average "
          f"{load_before[0]:.1f} before, {load_after[0]:.1f} after")  # fmt: skip
    print(f"{'setup':8} {'fixed':>7} {'median s':>9} {'p95 s':>7} {'attempts':>9} "
          f"{'same':>5} {'equiv':>6} {'differs':>8}")  # fmt: skip
    for row in table:
        print(f"{row['setup']:8} {row['fixed']:>7} {row['median_s']!s:>9} {row['p95_s']!s:>7} "
              f"{row['attempts']:>9} {row['same']:>5} {row['equivalent']:>6} {row['differs']:>8}")
        print(f"  {row['setup']}: fixed by {row['fixed_by']}; failed attempts {row['failed_attempts']}")
        print(f"  {row['setup']}: refused by the judge, share of model requests per tier "
              f"{row['refused_share']}")
    if args.json:
        args.json.write_text(json.dumps({"table": table, "runs": runs, "variant": args.variant,
                                         "load": [load_before, load_after]}, indent=2))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
