"""From mypy/semanal.py: dotted_identifier_leftmost."""
from __future__ import annotations


def dotted_identifier_leftmost(s: str) -> str | None:
    """The leftmost component of s, if s is a dotted identifier, else None.

    A dotted identifier is two or more identifiers joined by ".", such as
    "builtins.tuple" or "typing.Mapping". A bare identifier is not a dotted
    identifier: callers are expected to handle that case separately.

    Returns the leftmost component (which is never empty) so that callers
    need not split s a second time to obtain it.
    """
    # NOTE: Scanning with find() rather than s.split(".") avoids allocating a
    #       list, since only the leftmost component is ever needed.
    dot = s.find(".")
    if dot == -1:
        return None
    leftmost = s[:dot]
    if not leftmost.isidentifier():
        return None
    start = dot + 1
    while True:
        dot = s.find(".", start)
        if dot == -1:
            if not s[start:].isidentifier():
                return None
            return leftmost
        if not s[start:dot].isidentifier():
            return None
        start = dot + 1
