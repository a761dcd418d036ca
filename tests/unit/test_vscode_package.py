"""The VS Code extension's settings are the server's settings: same keys, same defaults."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from fixloop.config import (
    SCHEMA,
    TIERS,
    BudgetSettings,
    EditorSettings,
    FileSettings,
    ModelSettings,
    VerifierSettings,
)
from fixloop.verifiers import languages

PACKAGE = Path(__file__).resolve().parents[2] / "editors" / "vscode" / "package.json"
EXTENSION_ONLY = {"fixloop.server.path", "fixloop.trace.server"}
# A workspace's own test command (and its timeout): .fixloop.toml only.
NOT_IN_VSCODE = {"gate.tests", "gate.timeout"}


def contributed() -> dict[str, dict]:
    package = json.loads(PACKAGE.read_text())
    properties: dict[str, dict] = {}
    for section in package["contributes"]["configuration"]:
        properties.update(section["properties"])
    return properties


def server_defaults() -> dict[str, object]:
    defaults: dict[str, object] = {}
    for tier in TIERS:
        for f in dataclasses.fields(ModelSettings):
            if f.metadata.get("provenance"):
                continue  # where a value came from, set by fixloop, not a setting
            defaults[f"models.{tier}.{f.name}"] = f.default
    for name, cls in (
        ("budget", BudgetSettings),
        ("verifiers", VerifierSettings),
        ("editor", EditorSettings),
        ("files", FileSettings),
    ):
        for f in dataclasses.fields(cls):
            if (name, f.name) == ("verifiers", "command"):
                continue  # a workspace's own commands: .fixloop.toml only
            defaults[f"{name}.{f.name}"] = f.default
    return defaults


def test_every_server_key_is_a_vscode_setting_and_nothing_else_is():
    keys = {key.removeprefix("fixloop.") for key in contributed() if key not in EXTENSION_ONLY}
    expected = {f"models.{tier}.{key}" for tier in TIERS for key in SCHEMA["model"]} | {
        f"{section}.{key}"
        for section in ("budget", "verifiers", "editor", "gate", "files")
        for key in SCHEMA[section]
    } | {f"verifiers.{language}" for language in languages.keys()}
    assert keys == expected - NOT_IN_VSCODE


@pytest.mark.parametrize("key", sorted(server_defaults()))
def test_the_settings_ui_shows_the_server_default(key):
    setting = contributed()[f"fixloop.{key}"]
    default = server_defaults()[key]
    if default is None:  # unset: "" or null, which the extension never sends
        assert setting["default"] == ("" if "string" in setting["type"] else None)
    elif isinstance(default, tuple):
        assert setting["default"] == list(default)
    else:
        assert setting["default"] == default
        assert type(setting["default"]) is type(default) or isinstance(default, float)


@pytest.mark.parametrize("language", languages.keys())
def test_verifier_choices_are_the_language_s_verifiers(language):
    choices = contributed()[f"fixloop.verifiers.{language}"]["items"]["enum"]
    assert choices == list(languages.by_key(language).tools)


def test_the_extension_starts_for_every_routed_language():
    package = json.loads(PACKAGE.read_text())
    ids = [language_id for language in languages.LANGUAGES for language_id in language.ids]
    assert package["activationEvents"][: len(ids)] == [f"onLanguage:{i}" for i in ids]
    server = (PACKAGE.parent / "src" / "server.ts").read_text()
    for language_id in ids:
        assert f'{{ scheme: "file", language: "{language_id}" }}' in server
