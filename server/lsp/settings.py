"""Settings per workspace root: the user's config file, the editor's settings, the workspace file.

They are put together by `config.assemble_settings`, the one place that knows
the precedence and what an untrusted workspace's file may not decide. Each
layer keeps its last good value: a bad edit to `.fixloop.toml`, to the user's
config file or to the editor's settings is reported once and the server goes on
as before.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fixloop.config import (
    ConfigError,
    Layer,
    Settings,
    assemble_settings,
    load_user_layer,
    load_workspace_layer,
    user_config_file,
    validate_layer,
)

CONFIG_FILES = (".fixloop.toml", "pyproject.toml")


def _stamp_of(path: Path) -> tuple:
    try:
        info = path.stat()
        return (str(path), info.st_mtime_ns, info.st_size)
    except OSError:
        return (str(path), None, None)


def _stamp(root: Path) -> tuple:
    return tuple(_stamp_of(root / name) for name in CONFIG_FILES)


class SettingsStore:
    """Validated layers and the merged Settings per root.

    Owned by the engine's side of the seam (engine/service.py), on the engine's thread
    alone: the language server sends it editor settings as a command and reads settings
    only from the views.

    `trusted`: whether the editor said the workspace is trusted (asked on every
    look-up, since `initialize` sets it after the store exists).
    """

    def __init__(
        self, report: Callable[[str], None], trusted: Callable[[], bool] = lambda: False
    ) -> None:
        self._report = report
        self._trusted = trusted
        self._editor: dict = {}
        self._editor_source = "editor settings"
        self._user: tuple[tuple, dict, str] | None = None
        self._workspace: dict[Path, tuple[tuple, dict, str]] = {}
        self._merged: dict[Path, Settings] = {}
        self._good: dict[Path, Settings] = {}
        self._said: set[str] = set()

    def set_editor(self, raw: object, source: str) -> None:
        """New editor settings (initializationOptions or workspace/configuration)."""
        try:
            layer = validate_layer(raw or {}, source)
        except ConfigError as exc:
            self._report(f"{exc}; keeping the previous settings")
            return
        self._editor, self._editor_source = layer, source
        self._merged.clear()

    def _user_layer(self) -> tuple[dict, str]:
        """The user's config file, re-read when it changed (its last good value if it broke)."""
        path = user_config_file()
        stamp = (_stamp_of(path),)
        if self._user is None or self._user[0] != stamp:
            layer = self._user[1] if self._user else {}
            try:
                layer, _ = load_user_layer()
            except ConfigError as exc:
                self._report(f"{exc}; keeping the previous settings")
            self._user = (stamp, layer, str(path))
            self._merged.clear()
        return self._user[1], self._user[2]

    def for_root(self, root: Path) -> Settings:
        """The settings for a workspace root, re-reading its files when they changed."""
        user, user_source = self._user_layer()
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
            layers = [
                Layer(user, user_source, True),
                Layer(self._editor, self._editor_source, True),
                Layer(layer, source, False),
            ]
            try:
                assembled = assemble_settings(layers, trusted=self._trusted())
                self._good[root] = assembled.settings
                for notice in assembled.notices:
                    if notice not in self._said:
                        self._said.add(notice)
                        self._report(notice)
            except ConfigError as exc:
                self._report(f"{exc}; keeping the previous settings")
            merged = self._merged[root] = self._good.get(root) or Settings()
        return merged
