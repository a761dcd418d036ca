"""One settings tree, loaded from defaults, editor settings and the workspace file.

Precedence: defaults < editor settings < workspace file, except that for every
budget cap the smaller of the editor's and the workspace's value wins. Every
layer is validated on its own; a bad key or value gives a message naming the
key and where it came from, and that layer keeps its last good value.
"""

from __future__ import annotations

import enum
import math
import os
import re
import reprlib
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fixloop.verifiers import languages
from fixloop.verifiers.registry import KNOWN as KNOWN_VERIFIERS

WORKSPACE_FILE = ".fixloop.toml"


class Tier(enum.StrEnum):
    """A model class: the key of a `[models.<tier>]` table."""

    FAST = "fast"  # cheap and quick, tried first and in a loop
    FRONTIER = "frontier"  # on request, or by itself after the fast tier gave up


class ReplyFormat(enum.StrEnum):
    """What a prompt asks the model to reply with: `models.<tier>.reply_format`."""

    EDITS = "search-replace"  # SEARCH/REPLACE blocks: a one-line fix costs a one-line reply
    WHOLE = "whole"  # the whole window in one fenced block (small models, the bench's baseline)


TIERS = tuple(tier.value for tier in Tier)
PROTOCOLS = ("openai", "anthropic", "local")  # local: fixloop[local], served by fixloop
REPLY_FORMATS = tuple(fmt.value for fmt in ReplyFormat)
COMMAND_FORMATS = ("regex", "jsonl", "sarif")
CAPS = ("usd_per_day", "attempts", "parallel", "loops", "seconds", "frontier_attempts")


@dataclass(frozen=True, kw_only=True)
class ModelSettings:
    """One model tier: where to reach it and what it costs."""

    protocol: str = "openai"
    base_url: str = ""
    model: str = ""
    api_key_env: str | None = None  # the variable's name, never the key itself
    usd_per_mtok_in: float = 0.0
    usd_per_mtok_out: float = 0.0
    max_tokens: int = 1024
    temperature: float = 0.2
    timeout: float = 60.0
    stream: bool = True  # stream replies (SSE), so a cancelled attempt stops at once
    # search/replace blocks, or the whole region in a code block (which small models
    # manage far more often)
    reply_format: ReplyFormat = ReplyFormat.EDITS
    # Where `base_url` and `api_key_env` were set (a file, or the editor's settings): a key is
    # only sent to a base_url named in the same place (see providers.make_provider).
    base_url_from: str = field(default="", metadata={"provenance": True})
    api_key_env_from: str = field(default="", metadata={"provenance": True})

    def __post_init__(self) -> None:
        # The loaders and the editor give the format as its string.
        object.__setattr__(self, "reply_format", ReplyFormat(self.reply_format))


@dataclass(frozen=True, kw_only=True)
class BudgetSettings:
    """Hard limits per workspace."""

    usd_per_day: float = 2.0
    attempts: int = 8
    parallel: int = 3
    loops: int = 4
    seconds: float = 30.0
    frontier_attempts: int = 2
    auto_escalate: bool = False
    # The ladder (a local frontier model): the fast tier's attempts before the frontier takes
    # over. In 60 s the 0.5B judged at most 2 replies, and all its fixes came in those 2
    # (bench/results/ladder-1.5b); the 1.5B should not wait for 8.
    ladder_attempts: int = 2


@dataclass(frozen=True, kw_only=True)
class CommandSettings:
    """A workspace's own verifier: a command and how to read what it prints (trusted only)."""

    argv: tuple[str, ...]  # placeholders: {file} (the shadow file), {real_file}, {root}
    files: tuple[str, ...]  # globs (relative to the root, or a bare file name) it checks
    format: str = "regex"  # regex | jsonl | sarif
    # regex: named groups line, message; col, code, severity, end_line, end_col, file optional
    pattern: str = ""
    fields: tuple[tuple[str, str], ...] = ()  # jsonl: our field -> its (dotted) key
    stdin: bool = False  # the candidate on stdin as well
    output: str = "stdout"  # stdout | stderr | both: where the diagnostics are printed
    columns: str = "auto"  # what its columns count: characters | bytes | utf-16 | auto
    # (auto: characters, except SARIF's own columnKind, utf-16 unless the run says otherwise)
    base: int = 1  # 1: lines and columns start at 1; 0: at 0
    timeout: float = 30.0


def _language_field(key: str):
    return field(default=languages.by_key(key).defaults)


@dataclass(frozen=True, kw_only=True)
class VerifierSettings:
    """Gate order per language, cheapest first, and the workspace's own command verifiers."""

    python: tuple[str, ...] = _language_field("python")
    typescript: tuple[str, ...] = _language_field("typescript")
    javascript: tuple[str, ...] = _language_field("javascript")
    c: tuple[str, ...] = _language_field("c")
    cpp: tuple[str, ...] = _language_field("cpp")
    rust: tuple[str, ...] = _language_field("rust")
    go: tuple[str, ...] = _language_field("go")
    timeout: float | None = None  # seconds one run of a tool may take; None: each tool's own
    command: Mapping[str, CommandSettings] = field(default_factory=dict)

    def for_language(self, language: str) -> tuple[str, ...]:
        """The gate for one language key (see fixloop.verifiers.languages)."""
        return getattr(self, language)


@dataclass(frozen=True, kw_only=True)
class GateSettings:
    """The optional semantic gate (trusted workspaces only)."""

    tests: tuple[str, ...] | None = None
    timeout: float = 120.0  # seconds for one run of the tests


@dataclass(frozen=True, kw_only=True)
class FileSettings:
    """Which files may be sent to a model."""

    exclude: tuple[str, ...] = ()  # glob patterns, relative to the workspace root
    max_bytes: int = 1_000_000


@dataclass(frozen=True, kw_only=True)
class EditorSettings:
    """How fixloop behaves towards the editor."""

    publish_diagnostics: bool = True
    debounce: float = 0.3  # seconds of quiet after an edit before the verifiers run


@dataclass(frozen=True, kw_only=True)
class Settings:
    """The whole settings tree."""

    models: Mapping[Tier, ModelSettings] = field(default_factory=dict)
    budget: BudgetSettings = BudgetSettings()
    verifiers: VerifierSettings = VerifierSettings()
    gate: GateSettings = GateSettings()
    files: FileSettings = FileSettings()
    editor: EditorSettings = EditorSettings()


class ConfigError(Exception):
    """A bad key or value; the message names the key and the source."""


@dataclass(frozen=True)
class _Rule:
    kind: type | tuple[type, ...]
    check: Any = None  # callable(value) -> str | None (a complaint)
    describe: str = ""


def _between(low: float, high: float, *, above: bool = False):
    """A number from `low` (or above it, with `above`) to `high`: every number fixloop reads is
    bounded at load, so a huge one (TOML integers have no size limit) is named here instead of
    overflowing later in a price, a token count or a timeout."""

    def check(value: Any) -> str | None:
        if value > high:
            return f"must be at most {high:,}"
        if above and not value > low:
            return f"must be greater than {low}"
        if value < low:
            return "must not be negative" if low == 0 else f"must be at least {low}"
        return None

    return check


def _one_of(options: tuple[str, ...]):
    def check(value: str) -> str | None:
        return None if value in options else f"must be one of {', '.join(options)}"

    return check


def _verifier_list(language: str, commands: Mapping[str, Any]):
    """The check for `verifiers.<language>`: known names, applicable to the language, once each."""

    def check(value: list[str]) -> str | None:
        known = [*languages.by_key(language).tools, *commands]
        unknown = [
            name for name in value
            if name not in commands and name not in KNOWN_VERIFIERS
            and not any(name in lang.tools for lang in languages.LANGUAGES)
        ]
        if unknown:
            return (
                f"names unknown verifier(s) {', '.join(unknown)} "
                f"(known: {', '.join(known)})"
            )
        foreign = [
            name for name in value
            if name not in commands and not languages.applies(name, language)
        ]
        if foreign:
            return (
                f"names {', '.join(foreign)}, which cannot check {language} files "
                f"(known for {language}: {', '.join(known)})"
            )
        if len(set(value)) != len(value):
            return "names a verifier twice"
        return None

    return check


def _http_url(value: str) -> str | None:
    """A model server's address: http:// or https:// and a host ("" is no address: unset)."""
    if not value:
        return None
    try:
        parts = urlsplit(value)
        _ = parts.port  # a port that is no number raises ValueError
    except ValueError as exc:
        return f"must be an http:// or https:// URL ({exc})"
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return "must be an http:// or https:// URL with a host, e.g. http://127.0.0.1:11434/v1"
    return None


ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _env_name(value: str) -> str | None:
    """The name of the variable holding a key: a shell variable's name, never empty (an empty
    name meant \"no key\" without saying so; leave the key out for a server needing none)."""
    if ENV_NAME.fullmatch(value):
        return None
    return (
        "must be the name of an environment variable (letters, digits and _), "
        "or left out for a server that needs no key"
    )


def _shown(value: Any) -> str:
    """A value for a message: short, and safe for a value nested thousands deep."""
    return _REPR.repr(value)


_REPR = reprlib.Repr()
_REPR.maxstring = _REPR.maxother = 80


def _argv(value: list[str]) -> str | None:
    return None if value else "must name a command (a non-empty list of strings)"


NUMBER = (int, float)
# Upper bounds: far above any sensible setting, far below what overflows a float or a timeout.
MAX_TOKENS = 1_000_000  # output tokens per request
MAX_USD_PER_MTOK = 10_000.0  # the dearest model lists about $150 per million tokens
MAX_USD_PER_DAY = 100_000.0
MAX_ATTEMPTS = 1_000
MAX_PARALLEL = 64
MAX_SECONDS = 86_400.0  # a day: any wall-clock limit or timeout
MAX_FILE_BYTES = 1_000_000_000
MAX_DEBOUNCE = 60.0
SCHEMA: dict[str, dict[str, _Rule]] = {
    "model": {
        "protocol": _Rule(str, _one_of(PROTOCOLS)),
        "base_url": _Rule(str, _http_url),
        "model": _Rule(str),
        "api_key_env": _Rule(str, _env_name),
        "usd_per_mtok_in": _Rule(NUMBER, _between(0, MAX_USD_PER_MTOK)),
        "usd_per_mtok_out": _Rule(NUMBER, _between(0, MAX_USD_PER_MTOK)),
        "max_tokens": _Rule(int, _between(1, MAX_TOKENS)),
        "temperature": _Rule(NUMBER, _between(0, 2)),
        "timeout": _Rule(NUMBER, _between(0, MAX_SECONDS, above=True)),
        "stream": _Rule(bool),
        "reply_format": _Rule(str, _one_of(REPLY_FORMATS)),
    },
    "budget": {
        "usd_per_day": _Rule(NUMBER, _between(0, MAX_USD_PER_DAY)),
        "attempts": _Rule(int, _between(1, MAX_ATTEMPTS)),
        "parallel": _Rule(int, _between(1, MAX_PARALLEL)),
        "loops": _Rule(int, _between(1, MAX_PARALLEL)),
        "seconds": _Rule(NUMBER, _between(0, MAX_SECONDS, above=True)),
        "frontier_attempts": _Rule(int, _between(1, MAX_ATTEMPTS)),
        "auto_escalate": _Rule(bool),
        "ladder_attempts": _Rule(int, _between(1, MAX_ATTEMPTS)),
    },
    "verifiers": {"timeout": _Rule(NUMBER, _between(0, MAX_SECONDS, above=True))},  # + one list per language, `command`
    "command": {
        "argv": _Rule(list, _argv),
        "files": _Rule(list, lambda v: None if v else "must name at least one glob"),
        "format": _Rule(str, _one_of(COMMAND_FORMATS)),
        "pattern": _Rule(str),
        "fields": _Rule(dict),
        "stdin": _Rule(bool),
        "output": _Rule(str, _one_of(("stdout", "stderr", "both"))),
        "columns": _Rule(str, _one_of(("auto", "characters", "bytes", "utf-16"))),
        "base": _Rule(int, lambda v: None if v in (0, 1) else "must be 0 or 1"),
        "timeout": _Rule(NUMBER, _between(0, MAX_SECONDS, above=True)),
    },
    "gate": {
        "tests": _Rule(list, _argv),
        "timeout": _Rule(NUMBER, _between(0, MAX_SECONDS, above=True)),
    },
    "files": {"exclude": _Rule(list), "max_bytes": _Rule(int, _between(1, MAX_FILE_BYTES))},
    "editor": {"publish_diagnostics": _Rule(bool), "debounce": _Rule(NUMBER, _between(0, MAX_DEBOUNCE))},
}
TYPE_NAMES = {
    str: "a string", bool: "true or false", int: "an integer", list: "a list of strings",
    dict: "a table of strings",
}


def _type_ok(value: Any, kind: type | tuple[type, ...]) -> bool:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if isinstance(value, bool) and bool not in kinds:
        return False  # true is not a number here
    if kind is list:
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    if kind is dict:
        return isinstance(value, Mapping) and all(isinstance(v, str) for v in value.values())
    if isinstance(value, float) and not math.isfinite(value):
        return False  # nan and inf (TOML allows both) are no limit, delay or price
    return isinstance(value, kinds)


def _check_table(table: Any, rules: dict[str, _Rule], where: str, source: str) -> dict:
    if not isinstance(table, Mapping):
        raise ConfigError(f"{source}: `{where}` must be a table")
    out = {}
    for key, value in table.items():
        name = f"{where}.{key}"
        rule = rules.get(key)
        if rule is None:
            raise ConfigError(
                f"{source}: unknown key `{name}` (known: {', '.join(sorted(rules))})"
            )
        if not _type_ok(value, rule.kind):
            wanted = "a number" if rule.kind == NUMBER else TYPE_NAMES.get(rule.kind, str(rule.kind))
            if isinstance(value, float) and not math.isfinite(value):
                wanted = "a finite number"
            raise ConfigError(f"{source}: `{name}` must be {wanted}, got {_shown(value)}")
        complaint = rule.check(value) if rule.check else None
        if complaint:
            raise ConfigError(f"{source}: `{name}` {complaint}, got {_shown(value)}")
        out[key] = value
    return out


INNER = ("model", "command")  # tables inside other sections
JSONL_FIELDS = ("line", "col", "message", "code", "severity", "end_line", "end_col", "file")


def _check_command(name: str, table: Any, source: str) -> dict:
    where = f"verifiers.command.{name}"
    command = _check_table(table, SCHEMA["command"], where, source)
    for required in ("argv", "files"):
        if required not in command:
            raise ConfigError(f"{source}: `{where}.{required}` is required")
    form = command.get("format", "regex")
    if form == "regex":
        pattern = command.get("pattern")
        if not pattern:
            raise ConfigError(f"{source}: `{where}.pattern` is required with format = \"regex\"")
        try:
            groups = re.compile(pattern).groupindex
        except re.error as exc:
            raise ConfigError(f"{source}: `{where}.pattern` is not a valid regex: {exc}") from None
        missing = [g for g in ("line", "message") if g not in groups]
        if missing:
            raise ConfigError(
                f"{source}: `{where}.pattern` needs the named group(s) {', '.join(missing)} "
                "(e.g. (?P<line>\\d+)); col, code, severity, end_line, end_col, file are optional"
            )
    if form == "jsonl":
        fields = command.get("fields", {})
        unknown = [key for key in fields if key not in JSONL_FIELDS]
        if unknown:
            raise ConfigError(
                f"{source}: unknown key `{where}.fields.{unknown[0]}` "
                f"(known: {', '.join(JSONL_FIELDS)})"
            )
    if name in KNOWN_VERIFIERS or any(name in lang.tools for lang in languages.LANGUAGES):
        raise ConfigError(f"{source}: `{where}` has the name of fixloop's own verifier {name}")
    return command


def _check_verifiers(table: Any, source: str) -> dict:
    """`[verifiers]`: one gate per language, the timeout, and the `command` verifiers."""
    if not isinstance(table, Mapping):
        raise ConfigError(f"{source}: `verifiers` must be a table")
    table = dict(table)
    commands_raw = table.pop("command", {})
    if not isinstance(commands_raw, Mapping):
        raise ConfigError(f"{source}: `verifiers.command` must be a table of commands")
    commands = {name: _check_command(name, spec, source) for name, spec in commands_raw.items()}
    rules = dict(SCHEMA["verifiers"])
    for key in languages.keys():
        rules[key] = _Rule(list, _verifier_list(key, commands))
    out = _check_table(table, rules | {"command": _Rule(dict)}, "verifiers", source)
    if commands:
        out["command"] = commands
    return out


def validate_layer(raw: Any, source: str) -> dict:
    """Check one layer (a TOML table or editor settings); return it as plain dicts."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{source}: settings must be a table, got {type(raw).__name__}")
    layer: dict[str, Any] = {}
    for section, table in raw.items():
        if section == "models":
            if not isinstance(table, Mapping):
                raise ConfigError(f"{source}: `models` must be a table of tiers")
            if not table:
                raise ConfigError(
                    f"{source}: `models` names no model (known tiers: {', '.join(TIERS)}): "
                    "add [models.fast] with its base_url and model, or remove [models]"
                )
            models = {}
            for tier, model in table.items():
                if tier not in TIERS:
                    raise ConfigError(
                        f"{source}: unknown model tier `models.{tier}` (known: {', '.join(TIERS)})"
                    )
                models[tier] = _check_table(model, SCHEMA["model"], f"models.{tier}", source)
                if models[tier].get("protocol") == "local" and models[tier].get("base_url"):
                    raise ConfigError(
                        f"{source}: `models.{tier}.base_url` is not used with protocol = "
                        '"local" (fixloop serves that model itself): remove it, or set the '
                        "protocol of the server at that address (openai or anthropic)"
                    )
            layer["models"] = models
        elif section == "verifiers":
            layer[section] = _check_verifiers(table, source)
        elif section in SCHEMA and section not in INNER:
            layer[section] = _check_table(table, SCHEMA[section], section, source)
        else:
            known = ", ".join(["models", *[s for s in SCHEMA if s not in INNER]])
            raise ConfigError(f"{source}: unknown section `{section}` (known: {known})")
    return layer


def merge_layers(*layers: dict) -> dict:
    """Later layers over earlier ones, except that the smallest budget cap wins."""
    merged: dict[str, Any] = {}
    for layer in layers:
        for section, b in layer.items():
            a = merged.get(section, {})
            if section == "models":
                merged[section] = {
                    tier: {**a.get(tier, {}), **b.get(tier, {})} for tier in {*a, *b}
                }
                continue
            table = {**a, **b}
            if section == "verifiers" and ("command" in a or "command" in b):
                table["command"] = {**a.get("command", {}), **b.get("command", {})}
            if section == "budget":
                for cap in CAPS:
                    if cap in a and cap in b:
                        table[cap] = min(a[cap], b[cap])
            merged[section] = table
    return merged


def build_settings(
    layer: dict, source: str = "settings", tier_sources: Mapping[str, str] | None = None
) -> Settings:
    """Settings from a merged layer; checks what only the whole tree can show.

    `tier_sources`: where each `[models.<tier>]` was written, for its messages."""
    models = {}
    for tier, table in layer.get("models", {}).items():
        model = ModelSettings(**table)
        for required in ("base_url", "model") if model.protocol != "local" else ("model",):
            if not getattr(model, required):
                where = (tier_sources or {}).get(tier) or source
                raise ConfigError(f"{where}: `models.{tier}.{required}` is required")
        models[Tier(tier)] = model

    def section(cls, name):
        values = dict(layer.get(name, {}))
        for key, value in values.items():
            if isinstance(value, list):
                values[key] = tuple(value)
        if name == "verifiers" and "command" in values:
            values["command"] = {
                command: _command_settings(spec) for command, spec in values["command"].items()
            }
        return cls(**values)

    return Settings(
        models=models,
        budget=section(BudgetSettings, "budget"),
        verifiers=section(VerifierSettings, "verifiers"),
        gate=section(GateSettings, "gate"),
        files=section(FileSettings, "files"),
        editor=section(EditorSettings, "editor"),
    )


def _command_settings(spec: Mapping[str, Any]) -> CommandSettings:
    values = dict(spec)
    for key in ("argv", "files"):
        values[key] = tuple(values[key])
    values["fields"] = tuple(sorted(values.get("fields", {}).items()))
    return CommandSettings(**values)


def read_workspace_file(root: Path) -> tuple[dict, Path | None]:
    """The raw `.fixloop.toml`, or `[tool.fixloop]` of pyproject.toml, and its path."""
    own = root / WORKSPACE_FILE
    if own.is_dir():
        raise ConfigError(f"{own}: is a folder, not a settings file (fixloop reads it as TOML)")
    if own.is_file():
        return _load_toml(own), own
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        data = _load_toml(pyproject)
        tool = data.get("tool")
        section = tool.get("fixloop") if isinstance(tool, dict) else None  # `tool = 1`: not ours
        if section is not None:
            return section, pyproject
    return {}, None


def _load_toml(path: Path) -> dict:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except RecursionError:  # tomllib recurses once per nested array or inline table
        raise ConfigError(f"{path}: not valid TOML for fixloop: nested too deeply") from None
    except UnicodeDecodeError as exc:  # TOML is UTF-8; tomllib lets this through as is
        line = exc.object[: exc.start].count(b"\n") + 1
        raise ConfigError(f"{path}: not valid TOML: line {line} is not UTF-8") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read: {exc.strerror}") from None


def load_workspace_layer(root: Path) -> tuple[dict, Path | None]:
    """The validated workspace layer and the file it came from."""
    raw, path = read_workspace_file(root)
    return validate_layer(raw, str(path) if path else str(root)), path


def find_root(path: Path, fallback: Path | None = None) -> Path:
    """The workspace root for a file: the nearest folder with fixloop or project markers.

    With none above it, `fallback` (the folder named on the command line, when it holds
    the file), else the file's own folder: `files.exclude = ["gen/**"]` must mean the same
    for `fixloop fix ws` whether or not `ws` has a marker."""
    start = path if path.is_dir() else path.parent
    for folder in [start, *start.parents]:
        if (folder / WORKSPACE_FILE).exists():  # a folder there is reported when it is read
            return folder
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() or (folder / ".git").exists():
            return folder
    if fallback is not None and (fallback == start or fallback in start.parents):
        return fallback
    return start



# --- Where settings come from -------------------------------------------------------------
#
# Layers, later over earlier: the user's config file, the editor's settings, the workspace's
# file. The first two are the user's own ("user-level"); the workspace's file came with the
# folder. Unless the workspace is trusted, its file may not say where model requests go, nor
# which environment variable's key goes with them: those keys are dropped, with a notice.

CONFIG_DIR_ENV = "FIXLOOP_CONFIG_DIR"  # the user's config folder (tests set it); not a workspace's
USER_FILE = "config.toml"
ROUTING = ("protocol", "base_url", "api_key_env")  # what decides where a request and its key go


def user_config_file(env: Mapping[str, str] | None = None) -> Path:
    """The user's own config file: `$FIXLOOP_CONFIG_DIR/config.toml`, or the platform's
    user config folder (`~/.config/fixloop/config.toml` on Linux)."""
    import platformdirs

    env = os.environ if env is None else env
    folder = env.get(CONFIG_DIR_ENV) or platformdirs.user_config_dir("fixloop")
    return Path(folder) / USER_FILE


def load_user_layer(env: Mapping[str, str] | None = None) -> tuple[dict, Path | None]:
    """The validated layer of the user's config file (empty when there is none), and its path."""
    path = user_config_file(env)
    if path.is_dir():
        raise ConfigError(f"{path}: is a folder, not a file")
    if not path.is_file():
        return {}, None
    return validate_layer(_load_toml(path), str(path)), path


@dataclass(frozen=True)
class Layer:
    """One validated layer of settings and where it came from."""

    values: dict
    source: str
    user_level: bool  # the user's own settings: they may say where requests and keys go


@dataclass(frozen=True)
class Assembled:
    """The settings a workspace runs with, and what the user should hear about them."""

    settings: Settings
    notices: tuple[str, ...] = ()


def _untrusted_routing(layer: Layer, user_tiers: set[str]) -> tuple[Layer, list[str]]:
    """A workspace layer without what would route requests and keys, and a notice per key."""
    models = layer.values.get("models")
    if not models:
        return layer, []
    notices, kept = [], {}
    where = user_config_file()
    for tier, table in models.items():
        dropped = [key for key in ROUTING if key in table]
        for key in dropped:
            notices.append(
                f"{layer.source}: `models.{tier}.{key}` is ignored: this workspace is not "
                "trusted, and only your own settings (the editor's fixloop settings, or "
                f"{where}) may say where model requests and API keys go; trust the "
                "workspace to let its file decide"
            )
        if tier not in user_tiers:
            # Nothing of the user's to refine: without a base_url the tier cannot run, and
            # with no tier at all the local model (when installed) stands in.
            if not dropped:
                notices.append(
                    f"{layer.source}: `models.{tier}` is ignored: this workspace is not "
                    f"trusted and your own settings configure no {tier} model"
                )
            continue
        kept[tier] = {key: value for key, value in table.items() if key not in ROUTING}
    values = dict(layer.values)
    if kept:
        values["models"] = kept
    else:
        values.pop("models")
    return Layer(values, layer.source, layer.user_level), notices


def _provenance(layers: Sequence[Layer], merged: dict) -> None:
    """Mark each tier with where its base_url and its key variable were set (the last layer
    that set each)."""
    for tier, table in merged.get("models", {}).items():
        for key in ("base_url", "api_key_env"):
            for layer in reversed(layers):
                if key in layer.values.get("models", {}).get(tier, {}):
                    table[f"{key}_from"] = layer.source
                    break


def assemble_settings(layers: Sequence[Layer], *, trusted: bool) -> Assembled:
    """The one place settings are put together: the CLI, the server and the benchmark call it.

    `layers` come earliest first (user file, editor, workspace file). Untrusted, a layer that
    is not the user's own keeps none of `protocol`, `base_url`, `api_key_env` (the notices
    say which were dropped), and a tier that only such a layer configures is dropped.
    ConfigError when the merged tree is not whole (a tier without its base_url or model).
    """
    notices: list[str] = []
    if not trusted:
        user_tiers = {
            tier for layer in layers if layer.user_level for tier in layer.values.get("models", {})
        }
        kept = []
        for layer in layers:
            if not layer.user_level:
                layer, said = _untrusted_routing(layer, user_tiers)
                notices += said
            kept.append(layer)
        layers = kept
    merged = merge_layers(*(layer.values for layer in layers))
    _provenance(layers, merged)
    source = layers[-1].source if layers else "settings"
    # A tier missing a key is said where the tier was written, not where the workspace is.
    tier_sources = {
        tier: " and ".join(
            layer.source for layer in layers if tier in layer.values.get("models", {})
        )
        for tier in merged.get("models", {})
    }
    return Assembled(build_settings(merged, source, tier_sources), tuple(notices))


def load_settings(root: Path, *, trusted: bool, env: Mapping[str, str] | None = None) -> Assembled:
    """The settings of a workspace on the command line: the user's file, then the workspace's."""
    user, user_path = load_user_layer(env)
    workspace, path = load_workspace_layer(root)
    return assemble_settings(
        [
            Layer(user, str(user_path or user_config_file(env)), True),
            Layer(workspace, str(path or root), False),
        ],
        trusted=trusted,
    )
