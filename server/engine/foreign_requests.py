"""Another server's diagnostic in a code action: the tracked finding it is, or a re-check.

When no tracked finding matches and the document was not checked with the
verifier that re-checks that source, the document is marked to be checked
again with it at once; the loop for the finding it reproduces starts then.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fixloop.engine.foreign import Checking, same_problem, verifier_for
from fixloop.engine.tracking import Document, Tracked


def locate(
    doc: Document | None,
    version: int,
    source: str | None,
    code: str,
    line: int,
    available: Callable[[str, Path], bool],
) -> Tracked | Checking | None:
    """The finding another server's diagnostic is about, if fixloop can re-check it.

    Checking: the document is being checked with the matching verifier;
    the loop for the finding it reproduces starts then, first in the queue.
    """
    name = verifier_for(source)
    if name is None or doc is None or doc.checked is None:
        return None
    if doc.checked.version != version or doc.latest.version != version:
        return None
    for tracked in doc.tracked.values():
        if tracked.finding.span.start_line == line and same_problem(tracked.finding, name, code):
            return tracked
    if name in doc.checked_with:
        return None  # checked with it for this version, and it does not report that
    if (name, code, line) not in doc.wanted:
        if not available(name, doc.latest.root):
            return None
        doc.wanted.add((name, code, line))
        doc.extra[name] = None
        doc.urgent = True
        doc.wake.set()
    return Checking(name)
