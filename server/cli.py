"""The `fixloop` command: serve | check | fix | bench | stats."""

from __future__ import annotations

import argparse
import dataclasses
import difflib
import json
import os
import sys
from pathlib import Path

import anyio
from fixloop import __version__
from fixloop.config import ConfigError, Settings, Tier, find_root
from fixloop.config import load_settings as assemble_for

SKIP_DIRS = {
    ".git", ".hg", ".venv", "venv", "node_modules", "__pycache__", ".mypy_cache", ".tox",
    "target", "build", "dist",
}


def source_files(paths: list[str]) -> dict[Path, Path]:
    """The files named, and the files of every routed language under the folders named, each
    with the folder it was found from (its workspace root when no marker says otherwise).

    Paths stay as named (absolute, links not followed), so that a link's own place decides
    the workspace and `_snapshot` can refuse one that leads out of it. Folders are walked
    without following links to folders.
    """
    from fixloop.verifiers import languages

    found: dict[Path, Path] = {}
    for name in paths:
        path = Path(os.path.abspath(name))
        if path.is_dir():
            within: list[Path] = []
            for folder, dirs, names in os.walk(path):
                dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
                for file in names:
                    candidate = Path(folder, file)
                    if languages.detect(None, candidate) is not None and (
                        candidate.is_file() or candidate.is_symlink()
                    ):
                        within.append(candidate)
            found.update((file, path) for file in sorted(within) if file not in found)
        elif path.is_file() or path.is_symlink():
            found.setdefault(path, path.parent)
        else:
            raise FileNotFoundError(f"no such file or folder: {name}")
    return found


TRUST_HELP = (
    "let the workspace run its own programs: the tools in its virtual environment, "
    "mypy plugins, commands its config names (the [gate] tests, command verifiers); only for code you trust"
)


def load_settings(root: Path, trusted: bool, said: set[str] | None = None) -> Settings:
    """The workspace's settings over the user's config file; each notice on stderr once."""
    assembled = assemble_for(root, trusted=trusted)
    for notice in assembled.notices:
        if said is None or notice not in said:
            print(f"fixloop: {notice}", file=sys.stderr)
            if said is not None:
                said.add(notice)
    return assembled.settings


def _snapshot(path: Path, trusted: bool, read: dict | None = None, named: Path | None = None):
    """The file as a snapshot, or None (said on stderr) when it is not UTF-8 text or of a
    language fixloop does not route. `read`: gets the file as read (userfiles.SourceText,
    what `--apply` writes over), by path.

    `trusted`: the user said `--trust`, so the workspace may run its own programs."""
    from fixloop.engine.privacy import outside
    from fixloop.engine.results import Snapshot
    from fixloop.userfiles import read_source
    from fixloop.verifiers import languages

    # Where the path is, not where a link leads; `named`: the folder on the command line.
    root = find_root(path, named)
    if reason := outside(path, root):
        print(f"fixloop: {reason}; skipped", file=sys.stderr)
        return None
    path, root = path.resolve(), root.resolve()
    try:
        source = read_source(path)  # a byte order mark is kept aside, not checked as code
        text = source.text
        if "\0" in text:
            raise UnicodeDecodeError("utf-8", b"\0", 0, 1, "NUL byte")
    except UnicodeDecodeError:
        print(f"fixloop: {_display(path)}: not UTF-8 text; skipped", file=sys.stderr)
        return None
    except OSError as exc:
        print(f"fixloop: {_display(path)}: cannot be read ({exc.strerror}); skipped", file=sys.stderr)
        return None
    language = languages.detect(None, path, text[:200].partition("\n")[0])
    if language is None:
        known = ", ".join(lang.name for lang in languages.LANGUAGES)
        print(
            f"fixloop: {_display(path)}: not a file of a language fixloop checks ({known}); "
            "skipped",
            file=sys.stderr,
        )
        return None
    if read is not None:
        read[path] = source
    return Snapshot(path.as_uri(), 0, text, path, root, trusted, language.key)


def _finding_json(finding) -> dict:
    return {
        "source": finding.source,
        "code": finding.code,
        "message": finding.message,
        "line": finding.span.start_line + 1,
        "column": finding.span.start_col + 1,
        "end_line": finding.span.end_line + 1,
        "end_column": finding.span.end_col + 1,
    }


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


async def _check(files: dict[Path, Path], as_json: bool, trusted: bool) -> int:
    from fixloop.engine.findings import run_checks
    from fixloop.engine.toolbox import Toolbox

    toolbox = Toolbox()
    report, total = [], 0
    said: set[str] = set()
    try:
        for path, named in files.items():
            snapshot = _snapshot(path, trusted, named=named)
            if snapshot is None:
                total += 1
                continue
            settings = load_settings(snapshot.root, trusted, said)
            result = await run_checks(
                snapshot, toolbox.verifiers(settings, snapshot=snapshot), toolbox.verify_limiter
            )
            for error in result.errors:
                print(f"fixloop: {_display(path)}: {error}", file=sys.stderr)
            for notice in result.notices:
                print(f"fixloop: {notice}", file=sys.stderr)
            total += len(result.shown) + len(result.errors)
            if as_json:
                report.append({"path": str(path), "diagnostics": [_finding_json(f) for f in result.shown]})
            for f in result.shown if not as_json else ():
                print(
                    f"{_display(path)}:{f.span.start_line + 1}:{f.span.start_col + 1}: "
                    f"{f.source} {f.code} {f.message}"
                )
    finally:
        await toolbox.aclose()
    if as_json:
        print(json.dumps(report, indent=2))
    return 1 if total else 0


def _diff(path: Path, before: str, after: str) -> str:
    from fixloop.text.lines import split_lines

    name = _display(path)
    return "".join(
        difflib.unified_diff(
            split_lines(before),
            split_lines(after),
            fromfile=f"a/{name}",
            tofile=f"b/{name}",
        )
    )


async def _fix(files: dict[Path, Path], apply: bool, as_json: bool, trusted: bool) -> int:
    from fixloop.engine.headless import fix_file, merge_fixes
    from fixloop.engine.toolbox import NO_MODEL, UNTRUSTED_GATE, Toolbox
    from fixloop.text.edits import apply_line_edit

    toolbox = Toolbox()
    everything_fixed = True
    warned_untrusted = False
    report = []
    warned = False
    said: set[str] = set()  # the ledger's notices, each once
    read: dict = {}  # path -> the file as read (userfiles.SourceText), for --apply

    def refused(exc) -> None:  # once: every later loop is refused for the same reason
        nonlocal warned
        if not warned:
            warned = True
            print(f"fixloop: {exc}", file=sys.stderr)

    try:
        for path, named in files.items():
            snapshot = _snapshot(path, trusted, read, named)
            if snapshot is None:
                everything_fixed = False
                continue
            # or the local model
            settings = toolbox.effective(load_settings(snapshot.root, trusted, said))
            if Tier.FAST not in settings.models:
                print(f"fixloop: {NO_MODEL}", file=sys.stderr)
                return 2
            if settings.gate.tests and not trusted and not warned_untrusted:
                warned_untrusted = True
                print(f"fixloop: {UNTRUSTED_GATE}", file=sys.stderr)
            result = await fix_file(
                snapshot, settings, toolbox, on_refused=refused, trusted=trusted
            )
            if toolbox.notice and toolbox.notice not in said:
                said.add(toolbox.notice)
                print(f"fixloop: {toolbox.notice}", file=sys.stderr)
            for error in result.check.errors:
                print(f"fixloop: {_display(path)}: {error}", file=sys.stderr)
                everything_fixed = False
            for notice in result.check.notices:
                if notice not in said:
                    said.add(notice)
                    print(f"fixloop: {notice}", file=sys.stderr)
            entries = []
            fixes = []
            for finding, loop in result.results:
                diff = ""
                if loop.fix is not None:
                    fixes.append(loop.fix)
                    fixed = snapshot.text
                    for edit in sorted(loop.fix.edits(), key=lambda e: e.start, reverse=True):
                        fixed = apply_line_edit(fixed, edit)
                    diff = _diff(path, snapshot.text, fixed)
                else:
                    everything_fixed = False
                entries.append((finding, loop, diff))
                if not as_json:
                    where = f"{_display(path)}:{finding.span.start_line + 1}"
                    what = f"{finding.source} {finding.code} {finding.message}"
                    figures = f"{len(loop.attempts)} attempt(s), {loop.seconds:.2f} s"
                    if loop.fix is not None:
                        by = f" by {loop.fix.model}" if loop.fix.tier != Tier.FAST else ""
                        print(f"# {where}: {what}: fixed{by} ({figures}): {loop.fix.title}")
                        print(diff, end="")
                    else:
                        print(f"# {where}: {what}: {loop.status.value} ({figures}): {loop.reason}")
            applied_fixes: list = []
            if apply and fixes:
                text, applied_fixes, skipped = await merge_fixes(
                    snapshot, fixes, settings, toolbox, result.check
                )
                if skipped:
                    everything_fixed = False
                    for fix in skipped:
                        print(
                            f"fixloop: {_display(path)}:{fix.finding.span.start_line + 1}: "
                            f"not applied: it clashes with another fix; run again",
                            file=sys.stderr,
                        )
                if text != snapshot.text:
                    from fixloop.engine.privacy import outside

                    # The file read was checked; a link put in its place since is not followed.
                    if reason := outside(snapshot.path, snapshot.root):
                        print(f"fixloop: {reason}; not written", file=sys.stderr)
                        everything_fixed = False
                        applied_fixes = []
                    elif not _write(snapshot.path, read[snapshot.path], text):
                        everything_fixed = False
                        applied_fixes = []
            report.append(
                {
                    "path": str(path),
                    "fixes": [
                        {
                            "diagnostic": _finding_json(finding),
                            "status": loop.status.value,
                            "tier": _tier(loop),
                            "attempts": len(loop.attempts),
                            "seconds": round(loop.seconds, 3),
                            "usd": loop.usd,
                            "reason": loop.reason,
                            "diff": diff,
                            "title": loop.fix.title if loop.fix else None,
                            "applied": loop.fix in applied_fixes if loop.fix else False,
                        }
                        for finding, loop, diff in entries
                    ],
                }
            )
    finally:
        await toolbox.aclose()
    if as_json:
        print(json.dumps(report, indent=2))
    return 0 if everything_fixed else 1


def _write(path: Path, source, text: str) -> bool:
    """Write the fixed text over the file as read (fixloop/userfiles.py); say why not."""
    from fixloop.userfiles import WriteError, Written, write_fix

    try:
        if write_fix(source, text) is Written.MERGED:
            print(
                f"fixloop: {_display(path)}: it changed while fixloop ran; the fixes were "
                "applied to the new text (the lines they change had not changed)",
                file=sys.stderr,
            )
    except WriteError as exc:
        print(f"fixloop: {_display(path)}: not written: {exc}", file=sys.stderr)
        return False
    return True


def _tier(loop) -> str:
    if loop.fix is not None:
        return loop.fix.tier
    return loop.attempts[-1].tier if loop.attempts else Tier.FAST


STATS_COLUMNS = {
    "requests": "requests",
    "input_tokens": "tokens in",
    "output_tokens": "tokens out",
    "usd": "usd",
    "loops": "loops",
    "fixes": "fixes",
}


def _stats_table(title: str, figures: dict) -> list[str]:
    lines = [title]
    if not figures:
        return lines + ["  no model requests"]
    lines.append(f"  {'tier':<10}" + "".join(f"{label:>12}" for label in STATS_COLUMNS.values()))
    for tier, row in figures.items():
        cells = [
            f"{row.usd:>12.4f}" if c == "usd" else f"{getattr(row, c):>12,}" for c in STATS_COLUMNS
        ]
        lines.append(f"  {tier:<10}" + "".join(cells))
    return lines


SPEED_COLUMNS = {
    "loops": ("loops", "{:,}"),
    "fixes": ("fixes", "{:,}"),
    "fixes_per_minute": ("fixes/min", "{:.1f}"),
    "median_seconds": ("median s", "{:.2f}"),
    "p95_seconds": ("p95 s", "{:.2f}"),
    "attempts_per_fix": ("tries/fix", "{:.1f}"),
    "usd_per_fix": ("usd/fix", "{:.4f}"),
}


def _speed_table(title: str, label: str, figures: dict) -> list[str]:
    """Loop speed per tier or per verifier, then why attempts failed."""
    if not figures:
        return []
    lines = [title, f"  {label:<10}" + "".join(f"{h:>11}" for h, _ in SPEED_COLUMNS.values())]
    for name, row in figures.items():
        cells = []
        for column, (_, form) in SPEED_COLUMNS.items():
            value = getattr(row, column)
            cells.append(f"{'-' if value is None else form.format(value):>11}")
        lines.append(f"  {name:<10}" + "".join(cells))
    for name, row in figures.items():
        if row.failures:
            why = ", ".join(f"{kind} {count}" for kind, count in row.failures.items())
            lines.append(f"  {name}: failed attempts: {why}")
    return lines


def _stats(path: str, as_json: bool) -> int:
    from fixloop.budget import Ledger, LedgerError, ledger_path

    folder = Path(path).resolve()
    if not folder.exists():
        raise FileNotFoundError(f"no such file or folder: {path}")
    root = find_root(folder)
    try:
        cap = assemble_for(root, trusted=False).settings.budget.usd_per_day
    except ConfigError as exc:
        print(f"fixloop: {exc}", file=sys.stderr)
        cap = None
    try:
        ledger = Ledger(ledger_path())
    except LedgerError as exc:
        print(f"fixloop: {exc}", file=sys.stderr)
        return 2
    try:
        stats = ledger.stats(str(root))
    finally:
        ledger.close()
    if as_json:
        data = dataclasses.asdict(stats)
        data.update(usd_today=stats.usd_today, usd_per_day=cap, ledger=str(ledger.path))
        print(json.dumps(data, indent=2))
        return 0
    budget = f" of ${cap:.2f}" if cap is not None else ""
    print(f"fixloop stats for {root} (ledger: {ledger.path})")
    today = f"today ({stats.day}): ${stats.usd_today:.4f}{budget}"
    print("\n".join(_stats_table(today, stats.today)))
    print("\n".join(_stats_table("all time:", stats.all_time)))
    for when, speed in (("today", stats.speed_today), ("all time", stats.speed_all_time)):
        lines = _speed_table(f"loops {when}, per tier:", "tier", speed.tiers)
        lines += _speed_table(f"loops {when}, per verifier:", "verifier", speed.verifiers)
        if lines:
            print("\n".join(lines))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="fixloop", description="Diagnostics into verified fixes, fast."
    )
    parser.add_argument("--version", action="version", version=f"fixloop {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help="run the language server on stdio")
    check = commands.add_parser("check", help="run the verifiers and print diagnostics")
    check.add_argument("paths", nargs="+")
    check.add_argument("--json", action="store_true")
    check.add_argument("--trust", action="store_true", help=TRUST_HELP)
    fix = commands.add_parser("fix", help="run the fix loops and print verified fixes as diffs")
    fix.add_argument("paths", nargs="+")
    fix.add_argument("--apply", action="store_true", help="write the verified fixes")
    fix.add_argument("--json", action="store_true")
    fix.add_argument("--trust", action="store_true", help=TRUST_HELP)
    from fixloop.benchmark.command import add_arguments as bench_arguments

    bench = commands.add_parser(
        "bench", help="the loop benchmark: strategies side by side on a corpus, with a report"
    )
    bench_arguments(bench)
    stats = commands.add_parser(
        "stats", help="spend, requests, tokens and fixes per tier for a workspace, from the ledger"
    )
    stats.add_argument("path", nargs="?", default=".", help="a folder or file in the workspace")
    stats.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if args.command == "serve":
        from fixloop.lsp.server import serve

        return serve()
    if args.command == "bench":
        from fixloop.benchmark.command import run as bench

        return bench(args)
    try:
        if args.command == "stats":
            return _stats(args.path, args.json)
        files = source_files(args.paths)
        from fixloop.processes.private import sweep

        sweep()  # shadows of a fixloop that crashed or was killed
        if args.command == "check":
            return anyio.run(_check, files, args.json, args.trust)
        return anyio.run(_fix, files, args.apply, args.json, args.trust)
    except (ConfigError, FileNotFoundError) as exc:
        print(f"fixloop: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
