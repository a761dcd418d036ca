"""The loop corpus: one folder per case, checked on load.

    017-misspell/
      before/module.py   the file with the diagnostic
      after/module.py    the ground truth
      case.toml          file, verifier, code, line (1-based); kind, source (how it was made);
                         language (optional: a key of fixloop.verifiers.languages, else
                         the file's extension decides, as `fixloop check` does)

A case is good when the verifiers report exactly that diagnostic on `before`
(and nothing else), nothing on `after`, and the product's judge (engine/judge.py,
the one every model candidate meets) verifies the ground truth: whole when the
anti-cheat policy accepts it, else the part of it the judge would offer from
such a reply (its hunks inside the diagnostic's window, salvaged and minimised).
A trimmed case keeps that part as its ground truth and says so (`ReadyCase.trimmed`):
the rest of the real fix changes what the diagnostic did not flag. A case no
honest fix can pass measures nothing, so a refused one is bad.
Each case is checked by its language's default gate (Python: python, ruff;
C++: g++; ...) plus its own verifier, and judged with its language's rules.
"""

from __future__ import annotations

import random
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

import anyio
from fixloop.engine import anticheat
from fixloop.engine.findings import run_checks
from fixloop.engine.hunks import hunks
from fixloop.engine.judge import Judge, reassemble
from fixloop.engine.results import Outcome, Snapshot
from fixloop.engine.window import make_window
from fixloop.verifiers import Verifier, languages
from fixloop.verifiers.base import Finding

REQUIRED = {"file": str, "verifier": str, "code": str, "line": int}


class CorpusError(Exception):
    """A corpus that cannot be read at all."""


@dataclass(frozen=True, slots=True)
class Case:
    """One corpus case as written on disk."""

    id: str  # the folder's name
    file: str  # relative path of the file inside before/ and after/
    verifier: str
    code: str
    line: int  # 1-based
    kind: str
    source: str
    before: str
    after: str
    language: str = "python"  # a key of fixloop.verifiers.languages

    @property
    def verifiers(self) -> tuple[str, ...]:
        """The gate for this case: its language's default gate, then the case's own verifier."""
        base = languages.by_key(self.language).defaults
        extra = () if self.verifier in base else (self.verifier,)
        return (*base, *extra)


@dataclass(frozen=True, slots=True)
class ReadyCase:
    """A case that passed its check, placed in the benchmark's workspace."""

    case: Case
    snapshot: Snapshot  # `before`, written at snapshot.path
    finding: Finding  # the diagnostic to fix
    baseline: tuple[Finding, ...]  # everything the verifiers report on `before`
    trimmed: str = ""  # why the ground truth is only the part the judge offers ("": whole)


def read_case(folder: Path) -> Case:
    """One case folder; CorpusError saying what is wrong with it."""
    meta = folder / "case.toml"
    try:
        table = tomllib.loads(meta.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CorpusError(f"{meta}: cannot be read: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise CorpusError(f"{meta}: not valid TOML: {exc}") from None
    for key, kind in REQUIRED.items():
        if not isinstance(table.get(key), kind) or isinstance(table.get(key), bool):
            raise CorpusError(
                f"{meta}: `{key}` must be {'an integer' if kind is int else 'a string'}"
            )
    language = _language(meta, table)
    texts = []
    for side in ("before", "after"):
        path = folder / side / table["file"]
        try:
            texts.append(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise CorpusError(f"{path}: cannot be read: {exc}") from None
    return Case(
        id=folder.name,
        file=table["file"],
        verifier=table["verifier"],
        code=table["code"],
        line=table["line"],
        kind=str(table.get("kind", "")),
        source=str(table.get("source", "")),
        before=texts[0],
        after=texts[1],
        language=language,
    )


def _language(meta: Path, table: dict) -> str:
    """The case's language: `language` in case.toml, else what the file's name says."""
    named, known = table.get("language"), languages.keys()
    if named is not None:
        if not isinstance(named, str) or named not in known:
            raise CorpusError(f"{meta}: `language` must be one of {', '.join(known)}")
        return named
    found = languages.detect(None, table["file"])
    if found is None:
        raise CorpusError(
            f"{meta}: no language for {table['file']!r}: name it with `language = ...`"
        )
    return found.key


def read_corpus(corpus: Path) -> list[Case]:
    """Every case folder under `corpus`, by name; CorpusError when one is unreadable."""
    if not corpus.is_dir():
        raise CorpusError(f"no corpus at {corpus}: pass --corpus DIR (a folder of case folders)")
    folders = sorted(p for p in corpus.iterdir() if (p / "case.toml").is_file())
    if not folders:
        raise CorpusError(f"{corpus} has no case folders (each needs a case.toml)")
    return [read_case(folder) for folder in folders]


def sample(cases: list[Case], count: int | None, seed: int) -> list[Case]:
    """`count` cases chosen by `seed`; a larger count keeps the smaller one's cases."""
    if count is None or count >= len(cases):
        return list(cases)
    order = list(cases)
    random.Random(seed).shuffle(order)
    return sorted(order[:count], key=lambda c: c.id)


def _describe(findings) -> str:
    return ", ".join(f"{f.source} {f.code} at line {f.span.start_line + 1}" for f in findings)


async def prepare(
    case: Case, workspace: Path, verifiers: dict[str, Verifier], limiter: anyio.CapacityLimiter
) -> ReadyCase | str:
    """Write the case into the workspace and check it: a ReadyCase, or why it is bad."""
    folder = workspace / "cases" / case.id
    path = folder / case.file
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(case.before, encoding="utf-8")
    gate = tuple(verifiers[name] for name in case.verifiers)
    before = Snapshot(path.as_uri(), 0, case.before, path, workspace, language=case.language)
    checked = await run_checks(before, gate, limiter)
    if checked.errors:  # a tool's hiccup under load is not the case's fault: once more
        checked = await run_checks(before, gate, limiter)
    if checked.errors:
        return f"{case.id}: the verifiers failed on before: {'; '.join(checked.errors)}"
    wanted = [
        f
        for f in checked.shown
        if (f.source, f.code, f.span.start_line + 1) == (case.verifier, case.code, case.line)
    ]
    if len(wanted) != 1 or len(checked.shown) != 1:
        said = _describe(checked.shown) or "nothing"
        return (
            f"{case.id}: before should raise exactly {case.verifier} {case.code} at line "
            f"{case.line}, but the verifiers report {said}"
        )
    after_snapshot = Snapshot(path.as_uri(), 0, case.after, path, workspace, language=case.language)
    after = await run_checks(after_snapshot, gate, limiter)
    if after.errors:
        after = await run_checks(after_snapshot, gate, limiter)
    if after.errors:
        return f"{case.id}: the verifiers failed on after: {'; '.join(after.errors)}"
    if after.shown:
        return f"{case.id}: after should raise nothing, but the verifiers report {_describe(after.shown)}"
    window = make_window(case.before, wanted[0])
    refusal = anticheat.review(
        case.before, case.after, wanted[0], window, case.language, root=workspace
    )
    if refusal is None:
        return ReadyCase(case, before, wanted[0], checked.findings)
    judge = Judge(
        snapshot=before, finding=wanted[0], baseline=checked.findings, window=window,
        verifiers=gate, limiter=limiter,
    )
    offered = await _offered(case, window, judge)
    if offered is None:
        return f"{case.id}: the anti-cheat policy refuses the ground truth: {refusal}"
    kept, total = len(hunks(case.before, offered)), len(hunks(case.before, case.after))
    return ReadyCase(
        replace(case, after=offered), before, wanted[0], checked.findings,
        trimmed=f"{kept} of its {total} hunks (the whole is refused: {refusal})",
    )


async def _offered(case: Case, window, judge: Judge) -> str | None:
    """What the product would offer from a model reply equal to the ground truth, if anything.

    A reply can only rewrite the window, so the ground truth's hunks outside it
    are not part of it; the judge then salvages and minimises as for any reply.
    """
    inside = tuple(h for h in hunks(case.before, case.after) if reassemble(case.before, window, (h,)))
    candidate = reassemble(case.before, window, inside) if inside else None
    if candidate is None:
        return None
    judgement = await judge(candidate, 1)
    if judgement.outcome is not Outcome.VERIFIED or judgement.candidate is None:
        return None
    return judgement.candidate.text
