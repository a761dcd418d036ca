"""Helpers shared by test modules (imported as `helpers`)."""

from __future__ import annotations


def search_replace(search: str, replace: str) -> str:
    """A model reply in the SEARCH/REPLACE format."""
    return f"<<<<<<< SEARCH\n{search}\n=======\n{replace}\n>>>>>>> REPLACE\n"


class HeldReply:
    """A model-server responder: the first request waits until `release` is set, then gets
    `reply`; later requests fall through to the script (or the default)."""

    def __init__(self, reply) -> None:
        import threading

        self.reply = reply
        self.release = threading.Event()
        self._taken = False

    def __call__(self, request):
        if self._taken:
            return None
        self._taken = True
        self.release.wait(60)
        return self.reply
