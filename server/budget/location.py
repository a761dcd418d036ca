"""Where the ledger lives: the user's state directory, or FIXLOOP_STATE_DIR."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import platformdirs

STATE_DIR_ENV = "FIXLOOP_STATE_DIR"
LEDGER_FILE = "ledger.sqlite3"


def state_dir(env: Mapping[str, str] = os.environ) -> Path:
    """FIXLOOP_STATE_DIR when set, else the platform's per-user state folder for fixloop."""
    override = env.get(STATE_DIR_ENV)
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_state_dir("fixloop", appauthor=False))


def ledger_path(env: Mapping[str, str] = os.environ) -> Path:
    return state_dir(env) / LEDGER_FILE
