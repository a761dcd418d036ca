"""Settings per workspace root: editor settings merged with the workspace file.

Each layer keeps its last good value: a bad edit to `.fixloop.toml` or to the
editor's settings is reported once and the server goes on as before.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fixloop.config import (
    ConfigError,
    Settings,
    build_settings,
    load_workspace_layer,
    merge_layers,
    validate_layer,
)

CONFIG_FILES = (".fixloop.toml", "pyproject.toml")


def _stamp(root: Path) -> tuple:
    stamp = []
    for name in CONFIG_FILES:
        try:
            info = (root / name).stat()
            stamp.append((name, info.st_mtime_ns, info.st_size))
        except OSError:
            stamp.append((name, None, None))
    return tuple(stamp)


class SettingsStore:
    """Validated layers and the merged Settings per root.

    Owned by the engine's side of the seam (engine/service.py), on the engine's thread
    alone: the language server sends it editor settings as a command and reads settings
    only from the views."""

    def __init__(self, report: Callable[[str], None]) -> None:
        self._report = report
        self._editor: dict = {}
        self._workspace: dict[Path, tuple[tuple, dict, str]] = {}
        self._merged: dict[Path, Settings] = {}
        self._good: dict[Path, Settings] = {}

    def set_editor(self, raw: object, source: str) -> None:
        """New editor settings (initializationOptions or workspace/configuration)."""
        try:
            layer = validate_layer(raw or {}, source)
        except ConfigError as exc:
            self._report(f"{exc}; keeping the previous settings")
            return
        self._editor = layer
        self._merged.clear()

    def for_root(self, root: Path) -> Settings:
        """The settings for a workspace root, re-reading its file when it changed."""
        stamp = _stamp(root)
        cached = self._workspace.get(root)
        if cached is None or cached[0] != stamp:
            layer, source = cached[1:] if cached else ({}, str(root))
            try:
                layer, path = load_workspace_layer(root)
                source = str(path) if path else str(root)
            except ConfigError as exc:
                self._report(f"{exc}; keeping the previous settings")
            self._workspace[root] = (stamp, layer, source)
            self._merged.pop(root, None)
        merged = self._merged.get(root)
        if merged is None:
            _, layer, source = self._workspace[root]
            try:
                self._good[root] = build_settings(merge_layers(self._editor, layer), source)
            except ConfigError as exc:
                self._report(f"{exc}; keeping the previous settings")
            merged = self._merged[root] = self._good.get(root) or Settings()
        return merged
