"""What may be sent to a model: never secret or ignored files, never a secret in a window.

A file is kept from every model when its real path is outside the workspace (a
symlink out of it), when its name looks like a secret (`.env`,
keys, certificates), when `.gitignore` or the `files.exclude` setting matches
it, or when it is larger than `files.max_bytes`. Inside a file that may be
sent, every secret detect-secrets finds in the whole file is replaced by a
placeholder wherever it occurs in what is sent (engine/secrets.py), and put back
into the reply before it is applied.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from pathlib import Path

from fixloop.config import FileSettings
from fixloop.engine.gitignore import git_ignores
from fixloop.engine.secrets import Masker, find_secrets

SECRET_FILES = (
    ".env", ".env.*", "*.env", ".envrc", ".netrc", ".pgpass", ".npmrc", ".pypirc",
    "*.pem", "*.key", "*.p12", "*.pfx", "*.jks", "*.keystore", "*.crt", "*.cer", "*.der",
    "id_rsa*", "id_dsa*", "id_ecdsa*", "id_ed25519*", "credentials", "credentials.*",
    "secrets.*", "*.secret", "*.secrets",
)
def is_secret_file(path: Path) -> bool:
    return any(fnmatch.fnmatch(path.name, pattern) for pattern in SECRET_FILES)


def excluded(path: Path, root: Path, patterns: tuple[str, ...]) -> str | None:
    """The `files.exclude` pattern matching `path` (relative to `root`), if any."""
    try:
        relative = path.relative_to(root).as_posix()
    except ValueError:
        relative = path.as_posix()
    for pattern in patterns:
        if fnmatch.fnmatch(relative, pattern) or fnmatch.fnmatch(path.name, pattern):
            return pattern
    return None


async def git_ignored(path: Path, root: Path) -> bool:
    """Whether git ignores `path` in the repository around `root` (False outside git).

    Read from the ignore files (engine/gitignore.py): running git would run the
    repository's own configuration (`core.fsmonitor`)."""
    return git_ignores(path, root)


def outside(path: Path, root: Path) -> str | None:
    """Why `path` is not the workspace's to read, send or write: its real path (symlinks
    followed) is outside the workspace's real root. None when it is inside."""
    try:
        real, real_root = path.resolve(), root.resolve()
    except (OSError, RuntimeError) as exc:  # a symlink loop
        return f"{path.name}: its real path cannot be found ({exc}); skipped"
    if real == real_root or real_root in real.parents:
        return None
    return (
        f"{path} leads to {real}, outside the workspace {root}: fixloop never reads, "
        "sends or writes a file outside the workspace"
    )


def not_text(path: Path, text: str) -> str | None:
    """Why a buffer is no text fixloop can work on (binary, or not UTF-8), or None.

    Editors hand undecodable bytes over as lone surrogates, and a binary file
    has NUL bytes: no tool can check either, and neither goes to a model.
    """
    if "\x00" in text:
        return (
            f"{path.name} contains NUL bytes, so it is not a text file: fixloop neither "
            "checks it nor sends it to a model"
        )
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        line = text.count("\n", 0, exc.start) + 1
        return (
            f"{path.name} is not valid UTF-8 (undecodable bytes on line {line}): fixloop neither "
            "checks it nor sends it to a model"
        )
    return None


async def refusal(path: Path, root: Path, text: str, settings: FileSettings) -> str | None:
    """Why this file must not be sent to a model, or None."""
    if reason := outside(path, root):
        return reason
    if reason := not_text(path, text):
        return reason
    if is_secret_file(path):
        return f"{path.name} looks like a secret file; fixloop never sends it to a model"
    pattern = excluded(path, root, settings.exclude)
    if pattern:
        return f"{path.name} matches files.exclude ({pattern!r}); not sent to a model"
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > settings.max_bytes:
        return (
            f"{path.name} is {size} bytes, over files.max_bytes ({settings.max_bytes}); "
            "not sent to a model"
        )
    if await git_ignored(path, root):
        return f"{path.name} is ignored by git; fixloop never sends it to a model"
    return None


@dataclass(frozen=True, slots=True)
class Masked:
    """A text with its secrets replaced, and how to put them back."""

    text: str
    secrets: tuple[tuple[str, str], ...]  # (placeholder, secret)

    def unmask(self, text: str) -> str:
        return Masker(self.secrets).unmask(text)


def mask(text: str, filename: str = "file.py") -> Masked:
    """Replace every secret detect-secrets finds in `text` (the whole of it) by a placeholder.

    Blocking and ~0.1 ms a line: the loop scans the file once, off the event loop
    (engine/secrets.py), and masks every message with the file's secrets."""
    masker = Masker.of(find_secrets(text, filename))
    return Masked(masker.mask(text), masker.secrets)
