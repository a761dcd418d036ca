"""The user's files: read as text, written back atomically and only over what was read.

`fixloop fix --apply` is the one place fixloop writes a user's file. The write
never leaves a half-written file (a temporary file in the same folder, flushed
and fsynced, with the original's mode, renamed over it) and never overwrites a
change made since the file was read: when the file no longer holds what was
read (its SHA-256), the fix is applied again to the new text if the lines it
touches (and, for a pure insertion, the lines around it) are unchanged there;
otherwise the write is refused with a message.

Text is UTF-8; a byte order mark is not part of the text (Python skips it) but
is written back. Line endings are the text's own (see text/lines.py).

    WriteError          the file was left as it was; the message says why
    └── Conflict        it changed where the fix goes
"""

from __future__ import annotations

import difflib
import enum
import errno
import hashlib
import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from fixloop.text.lines import split_lines

__all__ = [
    "BOM",
    "Conflict",
    "SourceText",
    "WriteError",
    "Written",
    "decode",
    "encode",
    "merge",
    "read_source",
    "write_atomically",
    "write_fix",
]

BOM = b"\xef\xbb\xbf"


class WriteError(Exception):
    """The file was not written (and is as it was); the message says why."""


class Conflict(WriteError):
    """The file changed since it was read, where the fix goes."""


class Written(enum.Enum):
    WRITTEN = "written"  # over the text that was read
    MERGED = "merged"  # the file had changed elsewhere: the fix was applied to the new text


@dataclass(frozen=True, slots=True)
class SourceText:
    """A file as read: its text (without a byte order mark) and what identifies the bytes."""

    path: Path
    text: str
    bom: bool
    digest: str  # SHA-256 of the bytes read


def decode(data: bytes) -> tuple[str, bool]:
    """(text, had a BOM); UnicodeDecodeError for bytes that are not UTF-8."""
    bom = data.startswith(BOM)
    return data[len(BOM) if bom else 0 :].decode("utf-8"), bom


def encode(text: str, bom: bool) -> bytes:
    return (BOM if bom else b"") + text.encode("utf-8")


def read_source(path: Path) -> SourceText:
    """OSError, or UnicodeDecodeError for a file that is not UTF-8 text."""
    data = path.read_bytes()
    text, bom = decode(data)
    return SourceText(path, text, bom, _digest(data))


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_fix(source: SourceText, fixed: str) -> Written:
    """Write `fixed` (the text of `source` with verified fixes) over the file, if it still
    holds what was read; else over the file's new text when the fix merges cleanly.
    Raises WriteError (Conflict) and leaves the file as it is otherwise."""
    target = _real(source.path)
    try:
        data = target.read_bytes()
    except OSError as exc:
        raise WriteError(f"cannot read it again before writing ({exc.strerror})") from None
    outcome = Written.WRITTEN
    new = encode(fixed, source.bom)
    if _digest(data) != source.digest:
        try:
            current, bom = decode(data)
        except UnicodeDecodeError:
            raise Conflict("it changed since it was read and is no longer UTF-8 text") from None
        merged = merge(source.text, fixed, current)
        if merged is None:
            raise Conflict(
                "it changed since it was read, in the lines the fix changes; "
                "nothing was written: run fixloop again"
            )
        new, outcome = encode(merged, bom), Written.MERGED
    write_atomically(target, new, expected=data)
    return outcome


def merge(original: str, fixed: str, current: str) -> str | None:
    """`current` with the changes that turn `original` into `fixed`, or None when a change
    would land on lines that `current` changed (or next to a changed line, for an insertion)."""
    a, b, c = split_lines(original), split_lines(fixed), split_lines(current)
    same = [
        (i1, i2, j1) for tag, i1, i2, j1, _ in
        difflib.SequenceMatcher(None, a, c, autojunk=False).get_opcodes() if tag == "equal"
    ]

    def moved(start: int, end: int) -> int | None:
        """Where lines [start, end) of `original` are in `current`, if they are there unchanged."""
        for i1, i2, j1 in same:
            if i1 <= start and end <= i2:
                return j1 + start - i1
        return None

    hunks: list[tuple[int, int, list[str]]] = []  # in `current`: replace [start, end) with lines
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        if i1 < i2:
            at = moved(i1, i2)
            if at is None:
                return None
            hunks.append((at, at + i2 - i1, b[j1:j2]))
            continue
        # An insertion before line i1: both neighbours must be unchanged and still adjacent.
        before = moved(i1 - 1, i1) if i1 > 0 else 0
        after = moved(i1, i1 + 1) if i1 < len(a) else len(c)
        if i1 > 0 and before is not None:
            before += 1
        if before is None or after is None or before != after:
            return None
        hunks.append((before, before, b[j1:j2]))
    out, done = [], 0
    for start, end, lines in sorted(hunks, key=lambda h: (h[0], h[1])):
        if start < done:
            return None
        out += c[done:start] + lines
        done = end
    return "".join(out + c[done:])


def write_atomically(path: Path, data: bytes, *, expected: bytes | None = None) -> None:
    """Replace the file's content with `data` so that a crash at any moment leaves either the
    old file or the new one, whole. `expected`: what the file must still hold just before
    the rename (another writer in between is a Conflict). Raises WriteError."""
    target = _real(path)
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except OSError as exc:
        raise WriteError(f"cannot be written ({exc.strerror})") from None
    try:
        fd, temporary = tempfile.mkstemp(
            dir=target.parent, prefix=f".{target.name}.", suffix=".fixloop"
        )
    except OSError as exc:
        raise WriteError(
            f"cannot be written: no temporary file in {target.parent} ({exc.strerror})"
        ) from None
    try:
        try:
            _write_all(fd, data)
            os.fchmod(fd, mode)
            os.fsync(fd)
        finally:
            os.close(fd)
        if expected is not None and target.read_bytes() != expected:
            raise Conflict(
                "another program wrote it while fixloop was writing; nothing was written: "
                "run fixloop again"
            )
        os.replace(temporary, target)
    except OSError as exc:
        _remove(temporary)
        why = "the file size limit was reached" if exc.errno == errno.EFBIG else exc.strerror
        raise WriteError(f"cannot be written ({why}); the file is unchanged") from None
    except BaseException:
        _remove(temporary)
        raise
    _sync_folder(target.parent)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _real(path: Path) -> Path:
    """The file a link points to: the link itself stays a link."""
    return Path(os.path.realpath(path))


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (the folder's entry), where the system allows it."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
