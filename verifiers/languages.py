"""The languages fixloop routes: how to recognise a file, and which verifiers check it.

A pure table. A document is routed by its LSP languageId first (what the
editor says it is), then by its file extension. Each language names the
verifiers that apply to it (a `[verifiers] <language> = [...]` list may only
name those, or a workspace's own `command` verifiers) and the default list,
cheapest first. A default that this fixloop does not have, or whose tool is
not installed, is reported once with `install_hint`; it never passes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath

__all__ = [
    "LANGUAGES",
    "Language",
    "applies",
    "by_key",
    "detect",
    "install_hint",
    "keys",
]


@dataclass(frozen=True, slots=True)
class Language:
    """One routed language."""

    key: str  # the `[verifiers]` key and Snapshot.language
    name: str  # what prompts call it
    fence: str  # the tag of a fenced code block
    ids: tuple[str, ...]  # LSP languageIds
    extensions: tuple[str, ...]  # lower-case, with the dot
    defaults: tuple[str, ...]  # the gate when the settings name none, cheapest first
    tools: tuple[str, ...]  # the built-in verifiers that can check it, cheapest first
    comments: tuple[str, ...]  # what starts a comment line
    silencers: str  # examples of suppressions, for the prompt


LANGUAGES: tuple[Language, ...] = (
    Language(
        key="python",
        name="Python",
        fence="python",
        ids=("python",),
        extensions=(".py", ".pyi"),
        defaults=("python", "ruff"),
        tools=("python", "ruff", "mypy", "pyright"),
        comments=("#",),
        silencers="no `# noqa`, no `# type: ignore`",
    ),
    Language(
        key="typescript",
        name="TypeScript",
        fence="typescript",
        ids=("typescript", "typescriptreact"),
        extensions=(".ts", ".tsx", ".mts", ".cts"),
        defaults=("tsc", "eslint"),
        tools=("tsc", "eslint"),
        comments=("//", "/*"),
        silencers="no `// eslint-disable`, no `// @ts-ignore` or `@ts-expect-error`, no `as any`",
    ),
    Language(
        key="javascript",
        name="JavaScript",
        fence="javascript",
        ids=("javascript", "javascriptreact"),
        extensions=(".js", ".jsx", ".mjs", ".cjs"),
        defaults=("eslint",),
        tools=("eslint", "tsc"),
        comments=("//", "/*"),
        silencers="no `// eslint-disable`, no `// @ts-ignore`",
    ),
    Language(
        key="c",
        name="C",
        fence="c",
        ids=("c",),
        extensions=(".c", ".h"),
        defaults=("gcc",),
        tools=("gcc",),
        comments=("//", "/*"),
        silencers="no `#pragma GCC diagnostic ignored`, no `// NOLINT`",
    ),
    Language(
        key="cpp",
        name="C++",
        fence="cpp",
        ids=("cpp",),
        extensions=(".cc", ".cpp", ".cxx", ".c++", ".hh", ".hpp", ".hxx", ".h++", ".ipp"),
        defaults=("g++",),
        tools=("g++",),
        comments=("//", "/*"),
        silencers="no `#pragma GCC diagnostic ignored`, no `// NOLINT`",
    ),
    Language(
        key="rust",
        name="Rust",
        fence="rust",
        ids=("rust",),
        extensions=(".rs",),
        defaults=("cargo",),
        tools=("cargo",),
        comments=("//",),
        silencers="no `#[allow(...)]` or `#![allow(...)]`",
    ),
    Language(
        key="go",
        name="Go",
        fence="go",
        ids=("go",),
        extensions=(".go",),
        defaults=("go",),
        tools=("go",),
        comments=("//",),
        silencers="no `//nolint`, no `_ = x` to hide an unused variable you should use",
    ),
)

# How to get each built-in tool, for the notice when it cannot run.
INSTALL: dict[str, str] = {
    "ruff": "pip install ruff (fixloop's own comes with it)",
    "mypy": "pip install mypy in the project's environment",
    "pyright": "pip install 'pyright[nodejs]' in the project's environment",
    "tsc": "npm install --save-dev typescript in the project",
    "eslint": "npm install --save-dev eslint in the project (with an eslint.config.js)",
    "gcc": "install gcc (Debian/Ubuntu: apt-get install gcc)",
    "g++": "install g++ (Debian/Ubuntu: apt-get install g++)",
    "cargo": "install Rust with rustup (https://rustup.rs) or apt-get install cargo",
    "go": "install Go (https://go.dev/doc/install) or apt-get install golang-go",
}

SHEBANGS = (("python", "python"), ("node", "javascript"), ("deno", "typescript"))

_BY_KEY = {language.key: language for language in LANGUAGES}
_BY_ID = {language_id: language for language in LANGUAGES for language_id in language.ids}
_BY_EXTENSION = {ext: language for language in LANGUAGES for ext in language.extensions}


def keys() -> tuple[str, ...]:
    """The language keys, in table order."""
    return tuple(_BY_KEY)


def by_key(key: str) -> Language:
    """The language for a key (KeyError for one fixloop does not route)."""
    return _BY_KEY[key]


def detect(
    language_id: str | None, path: str | PurePath | None, first_line: str = ""
) -> Language | None:
    """The language of a document: its LSP languageId, else its extension, else the
    interpreter its `#!` line names (a script without an extension); None if not routed.

    A languageId fixloop does not know (`plaintext`, `markdown`) falls back to the
    extension, so a `.c` file opened as plain text is still C.
    """
    if language_id and language_id in _BY_ID:
        return _BY_ID[language_id]
    if path is not None:
        suffix = PurePath(path).suffix.lower()
        if suffix in _BY_EXTENSION:
            return _BY_EXTENSION[suffix]
    if first_line.startswith("#!"):
        words = first_line[2:].split()
        program = PurePath(words[1] if words and words[0].endswith("/env") and len(words) > 1
                           else words[0] if words else "").name
        for prefix, key in SHEBANGS:
            if program.startswith(prefix):
                return _BY_KEY[key]
    return None


def applies(tool: str, language: str) -> bool:
    """Whether a built-in verifier can check files of `language`."""
    return tool in _BY_KEY[language].tools


def install_hint(tool: str) -> str:
    """How to get a tool, or a generic hint."""
    return INSTALL.get(tool, f"install {tool} and make sure it is on PATH")
