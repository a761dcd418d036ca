"""Helpers shared by test modules (imported as `helpers`)."""

from __future__ import annotations

import json
import os
from pathlib import Path


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


def write_user_routes(routes: dict[str, dict[str, str]]) -> Path:
    """The user's config file (in this test's $FIXLOOP_CONFIG_DIR) saying where each tier's
    requests go: only user-level settings may, in an untrusted workspace."""
    path = Path(os.environ["FIXLOOP_CONFIG_DIR"]) / "config.toml"
    lines = []
    for tier, table in routes.items():
        lines.append(f"[models.{tier}]")
        lines += [f"{key} = {json.dumps(value)}" for key, value in table.items()]
        lines.append("")
    path.write_text("\n".join(lines))
    return path
