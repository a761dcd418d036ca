"""Whether git ignores a file, read from the ignore files themselves: git never runs.

Running git in a workspace runs that repository's configuration (a
`core.fsmonitor` command, hooks), so fixloop reads the rules with pathspec's
`GitIgnoreSpec` (the matcher black and mypy use), as git would:

- sources, lowest precedence first: the user's global excludes file
  (`$XDG_CONFIG_HOME/git/ignore`), the repository's `.git/info/exclude`, then
  every `.gitignore` from the repository's top down to the file's folder, each
  applying to paths below its own folder; within and across sources the last
  matching pattern wins (`!pattern` re-includes);
- a file in an ignored folder is ignored, whatever a later `!` says (git does
  not look inside a folder it ignores).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from pathlib import Path, PurePosixPath

import pathspec


def repository_top(root: Path) -> Path | None:
    """The folder holding `.git` at or above `root`, if any."""
    for folder in [root, *root.parents]:
        if (folder / ".git").exists():
            return folder
    return None


def _lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []


def _global_excludes(env: Mapping[str, str]) -> Path:
    config = env.get("XDG_CONFIG_HOME") or os.path.join(env.get("HOME", "~"), ".config")
    return Path(config).expanduser() / "git" / "ignore"


def _sources(top: Path, folders: list[str], env: Mapping[str, str]) -> Iterator[tuple[str, pathspec.GitIgnoreSpec]]:
    """(the folder a source applies to, relative to `top`, its spec), lowest precedence first."""
    for path in (_global_excludes(env), top / ".git" / "info" / "exclude"):
        if lines := _lines(path):
            yield "", pathspec.GitIgnoreSpec.from_lines(lines)
    for folder in ["", *folders]:
        if lines := _lines(top / folder / ".gitignore"):
            yield folder, pathspec.GitIgnoreSpec.from_lines(lines)


def _matches(relative: str, sources: list[tuple[str, pathspec.GitIgnoreSpec]]) -> bool:
    ignored = False
    for base, spec in sources:
        if base and (not relative.startswith(base + "/") or relative == base + "/"):
            continue  # a folder's .gitignore applies below it, not to the folder itself
        result = spec.check_file(relative[len(base) + 1 :] if base else relative)
        if result.include is not None:
            ignored = result.include
    return ignored


def git_ignores(path: Path, root: Path, env: Mapping[str, str] | None = None) -> bool:
    """Whether git ignores `path` in the repository around `root` (False outside git)."""
    top = repository_top(root)
    if top is None:
        return False
    try:
        relative = PurePosixPath(path.relative_to(top).as_posix())
    except ValueError:
        return False  # not in this repository
    folders = [str(PurePosixPath(*relative.parts[:depth])) for depth in range(1, len(relative.parts))]
    sources = list(_sources(top, folders, os.environ if env is None else env))
    if not sources:
        return False
    # A folder git ignores hides everything in it.
    if any(_matches(folder + "/", sources) for folder in folders):
        return True
    return _matches(str(relative), sources)
