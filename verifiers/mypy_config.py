"""mypy's configuration for an untrusted workspace: written by fixloop, read by mypy alone.

Left to itself, mypy looks for its configuration in the working folder, its
parents and the user's home (mypy.ini, .mypy.ini, pyproject.toml, setup.cfg,
~/.config/mypy/config), and a configuration may name code for mypy to import
(`plugins`) or a Python to run (`python_executable`). In a workspace the user
has not trusted, fixloop reads the workspace's own configuration (in its root
only, in mypy's order), keeps the options that only change what is reported,
and hands mypy that file with `--config-file`, so mypy's own discovery never
happens. A configuration that names plugins is refused as a whole: without the
plugin its verdicts would be wrong (django, pydantic), and with it the
workspace's code would run.
"""

from __future__ import annotations

import configparser
import hashlib
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

CONFIG_NAMES = ("mypy.ini", ".mypy.ini", "pyproject.toml", "setup.cfg")  # mypy's own order

# Options that only decide what mypy reports (mypy's "config file" docs). Anything else is
# left out: plugins, python_executable, mypy_path, custom_typeshed_dir, the cache, reports
# (files written anywhere), output format (fixloop asks for JSON), files and packages.
SAFE_OPTIONS = frozenset(
    """
    ignore_missing_imports follow_imports follow_imports_for_stubs follow_untyped_imports
    namespace_packages explicit_package_bases
    python_version platform always_true always_false
    disallow_any_unimported disallow_any_expr disallow_any_decorated disallow_any_explicit
    disallow_any_generics disallow_subclassing_any
    disallow_untyped_calls untyped_calls_exclude disallow_untyped_defs disallow_incomplete_defs
    check_untyped_defs disallow_untyped_decorators
    implicit_optional no_implicit_optional strict_optional
    warn_redundant_casts warn_unused_ignores warn_no_return warn_return_any warn_unreachable
    ignore_errors
    allow_untyped_globals allow_redefinition allow_redefinition_new local_partial_types
    disable_error_code enable_error_code extra_checks implicit_reexport strict_concatenate
    strict_equality strict_equality_for_none strict_bytes strict
    disable_bytearray_promotion disable_memoryview_promotion enable_incomplete_feature
    warn_incomplete_stub
    """.split()
)
CODE_OPTIONS = frozenset({"plugins"})  # code mypy would import: the whole config is refused


class PluginsNamed(Exception):
    """The workspace's mypy configuration names plugins (code mypy would import)."""

    def __init__(self, path: Path) -> None:
        super().__init__(str(path))
        self.path = path


@dataclass(frozen=True, slots=True)
class UntrustedConfig:
    """The configuration fixloop gives mypy, and what it left out of the workspace's."""

    text: str  # an ini file: [mypy] and [mypy-<pattern>] sections
    source: Path | None  # the workspace's file it came from
    dropped: tuple[str, ...]  # options left out, as `section.option`

    def write(self, folder: Path) -> Path:
        """The file (named by its content, written once) in fixloop's private `folder`."""
        digest = hashlib.sha256(self.text.encode()).hexdigest()[:16]
        path = folder / f"mypy-{digest}.ini"
        if not path.exists():
            path.write_text(self.text, encoding="utf-8")
        return path


def _ini_sections(path: Path, text: str, *, setup_cfg: bool) -> dict[str, dict[str, str]] | None:
    parser = configparser.RawConfigParser()  # as mypy: no interpolation, keys lower-cased
    try:
        parser.read_string(text, source=str(path))
    except configparser.Error:
        return {}  # mypy will say what is wrong with it; nothing of it is carried over
    sections = {
        name: dict(parser.items(name)) for name in parser.sections()
        if name == "mypy" or name.startswith("mypy-")
    }
    if setup_cfg and "mypy" not in sections:
        return None  # not mypy's config: mypy would look further
    return sections


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, list):
        return ", ".join(_toml_value(item) for item in value)
    return str(value)


def _toml_sections(text: str) -> dict[str, dict[str, str]] | None:
    try:
        section = tomllib.loads(text).get("tool", {}).get("mypy")
    except (tomllib.TOMLDecodeError, AttributeError):
        return {}
    if not isinstance(section, Mapping):
        return None
    sections = {"mypy": {}}
    for key, value in section.items():
        if key == "overrides" and isinstance(value, list):
            for override in value:
                if not isinstance(override, Mapping):
                    continue
                modules = override.get("module")
                modules = [modules] if isinstance(modules, str) else modules or []
                options = {
                    k.lower(): _toml_value(v) for k, v in override.items() if k != "module"
                }
                for module in modules:
                    sections.setdefault(f"mypy-{module}", {}).update(options)
        else:
            sections["mypy"][key.lower()] = _toml_value(value)
    return sections


def read_workspace_config(root: Path) -> tuple[Path | None, dict[str, dict[str, str]]]:
    """The config file mypy would read in `root` (first in mypy's order), and its sections."""
    for name in CONFIG_NAMES:
        path = root / name
        try:
            if not path.is_file():
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        if name == "pyproject.toml":
            sections = _toml_sections(text)
        else:
            sections = _ini_sections(path, text, setup_cfg=name == "setup.cfg")
        if sections is not None:
            return path, sections
    return None, {}


def _clean(value: str) -> str:
    return " ".join(value.split())  # one line: nothing can start another option or section


def untrusted_config(root: Path) -> UntrustedConfig:
    """mypy's configuration for an untrusted workspace; PluginsNamed when it names plugins."""
    source, sections = read_workspace_config(root)
    if any(CODE_OPTIONS & set(options) for options in sections.values()):
        raise PluginsNamed(source)
    lines, dropped = [], []
    for name in ["mypy", *sorted(s for s in sections if s != "mypy")]:
        options = sections.get(name, {})
        if name != "mypy" and not options:
            continue
        if any(ch in name for ch in "[]\n\r"):
            dropped.append(name)
            continue
        lines.append(f"[{name}]")
        for key, value in options.items():
            if key in SAFE_OPTIONS:
                lines.append(f"{key} = {_clean(value)}")
            else:
                dropped.append(f"{name}.{key}")
        lines.append("")
    return UntrustedConfig("\n".join(lines) or "[mypy]\n", source, tuple(dropped))
