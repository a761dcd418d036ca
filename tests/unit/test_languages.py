"""Routing documents to languages, and each language's gate, prompt and anti-cheat rules."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixloop.config import ConfigError, Settings, build_settings, validate_layer
from fixloop.engine import anticheat
from fixloop.engine.prompt import ReplyFormat, build_request
from fixloop.engine.results import Snapshot
from fixloop.engine.toolbox import Toolbox, gate_names
from fixloop.engine.window import make_window
from fixloop.verifiers import languages
from fixloop.verifiers.base import CheckRequest, Finding, Span, VerifierError
from fixloop.verifiers.unavailable import Unavailable


@pytest.mark.parametrize(
    ("language_id", "path", "key"),
    [
        ("python", "a.py", "python"),
        ("typescriptreact", "a.tsx", "typescript"),
        ("typescript", "a.ts", "typescript"),
        ("javascriptreact", "a.jsx", "javascript"),
        (None, "a.mjs", "javascript"),
        (None, "a.cjs", "javascript"),
        ("c", "a.c", "c"),
        ("cpp", "a.h", "cpp"),  # the editor's word wins over the extension
        (None, "a.hpp", "cpp"),
        (None, "a.CC", "cpp"),
        ("rust", "a.rs", "rust"),
        (None, "main.go", "go"),
        ("plaintext", "a.c", "c"),  # an id fixloop does not know: the extension decides
    ],
)
def test_documents_are_routed_by_language_id_then_extension(language_id, path, key):
    language = languages.detect(language_id, path)
    assert language is not None and language.key == key


def test_files_of_other_languages_are_not_routed():
    assert languages.detect("markdown", "README.md") is None
    assert languages.detect(None, "Makefile") is None


def test_every_default_applies_to_its_language():
    for language in languages.LANGUAGES:
        assert language.defaults and set(language.defaults) <= set(language.tools)
        assert Settings().verifiers.for_language(language.key) == language.defaults


def test_a_language_gate_is_configured_next_to_python():
    layer = validate_layer({"verifiers": {"c": ["gcc"], "typescript": ["eslint"]}}, "w.toml")
    settings = build_settings(layer)
    assert settings.verifiers.c == ("gcc",)
    assert settings.verifiers.typescript == ("eslint",)
    assert settings.verifiers.python == ("python", "ruff")


def test_an_unknown_verifier_names_the_key_and_the_file():
    with pytest.raises(ConfigError, match=r"w\.toml: `verifiers\.rust` names unknown verifier\(s\) clippy"):
        validate_layer({"verifiers": {"rust": ["clippy"]}}, "w.toml")


def test_a_verifier_of_another_language_is_refused():
    with pytest.raises(ConfigError, match=r"`verifiers\.go` names ruff, which cannot check go files"):
        validate_layer({"verifiers": {"go": ["ruff"]}}, "w.toml")
    with pytest.raises(ConfigError, match=r"`verifiers\.python` names gcc, which cannot check python"):
        validate_layer({"verifiers": {"python": ["python", "gcc"]}}, "w.toml")


def _snapshot(name: str, text: str, language: str, root: Path = Path("/w")) -> Snapshot:
    return Snapshot(f"file:///w/{name}", 1, text, root / name, root, True, language)


def test_the_gate_is_the_snapshot_s_language_s():
    settings = Settings()
    assert gate_names(settings, _snapshot("a.c", "", "c")) == ["gcc"]
    assert gate_names(settings, _snapshot("a.ts", "", "typescript")) == ["tsc", "eslint"]
    assert gate_names(settings, None) == ["python", "ruff"]


async def test_a_default_tool_this_fixloop_lacks_never_passes_and_says_how_to_get_it():
    verifier = Unavailable("cargo", "rust")
    request = CheckRequest("fn main() {}\n", Path("/w/src/main.rs"), Path("/w"))
    with pytest.raises(VerifierError, match="cargo is not available.*rustup"):
        await verifier.check(request)


def test_the_toolbox_gives_an_unavailable_stand_in_for_an_unregistered_default():
    toolbox = Toolbox(env={})
    snapshot = _snapshot("main.rs", "fn main() {}\n", "rust")
    from fixloop.verifiers.registry import KNOWN

    (verifier,) = toolbox.verifiers(Settings(), snapshot=snapshot)
    assert verifier.name == "cargo"
    assert isinstance(verifier, Unavailable) == ("cargo" not in KNOWN)


C_TEXT = 'int main(void) {\n    int x = 1\n    return x;\n}\n'


def test_the_prompt_names_the_language_and_its_suppressions():
    finding = Finding("gcc", "error", "expected ';' before 'return'", Span(1, 13, 1, 14))
    snapshot = _snapshot("a.c", C_TEXT, "c")
    window = make_window(C_TEXT, finding)
    edits = build_request(snapshot, finding, window, [], max_tokens=100, temperature=0)
    assert "in a C file" in edits.system and "#pragma GCC diagnostic" in edits.system
    assert "noqa" not in edits.system
    whole = build_request(
        snapshot, finding, window, [], max_tokens=100, temperature=0,
        reply_format=ReplyFormat.WHOLE,
    )
    assert "```c code block" in whole.system
    python = build_request(
        _snapshot("a.py", "x = 1\n", "python"), finding, make_window("x = 1\n", finding), [],
        max_tokens=100, temperature=0,
    )
    assert "in a Python file" in python.system and "# noqa" in python.system


def test_suppressions_are_those_of_the_language():
    finding = Finding("gcc", "-Wunused-variable", "unused variable 'x'", Span(1, 8, 1, 9))
    original = "int f(void) {\n    int x = 1;\n    return 0;\n}\n"
    pragma = original.replace("int f", '#pragma GCC diagnostic ignored "-Wunused-variable"\nint f')
    reason = anticheat.review(original, pragma, finding, None, "c")
    assert reason and "suppression" in reason
    nolint = original.replace("int x = 1;", "int x = 1; // NOLINT")
    assert "suppression" in (anticheat.review(original, nolint, finding, None, "cpp") or "")
    # Python's rules mean nothing in C (a line starting with # is the preprocessor there)
    labels = {label for label, _ in anticheat.suppressions("c")}
    assert "NOLINT" in labels and not labels & {"# " + "noqa", "# type: ignore"}
    rust = "fn f() {\n    let x = 1;\n}\n"
    allowed = "#[allow(unused_variables)]\n" + rust
    rust_finding = Finding("cargo", "unused_variables", "unused variable: `x`", Span(1, 8, 1, 9))
    assert "suppression" in (anticheat.review(rust, allowed, rust_finding, None, "rust") or "")
    ts = "const x: number = 'a';\n"
    ignored = "// @ts-ignore\n" + ts
    ts_finding = Finding("tsc", "TS2322", "Type 'string' is not assignable", Span(0, 6, 0, 7))
    assert "suppression" in (anticheat.review(ts, ignored, ts_finding, None, "typescript") or "")


def test_c_comment_lines_do_not_count_as_code_and_preprocessor_lines_do():
    finding = Finding("gcc", "error", "'y' undeclared", Span(2, 11, 2, 12))
    original = "#include <stdio.h>\nint f(void) {\n    return y;\n}\n"
    # deleting the include is deleting code in C (it is a comment in Python)
    dropped = original.replace("#include <stdio.h>\n", "")
    assert "deletes code" in (anticheat.review(original, dropped, finding, None, "c") or "")
    # commenting the flagged line out is deleting it
    commented = original.replace("    return y;\n", "    // return y;\n")
    assert "deletes code" in (anticheat.review(original, commented, finding, None, "c") or "")


def test_an_undeclared_name_in_c_may_get_an_include_at_the_top():
    text = "#include <stdlib.h>\n// a tool\n\n" + "".join(f"int f{n}(void);\n" for n in range(10)) + (
        "int main(void) {\n    printf(\"hi\");\n    return 0;\n}\n"
    )
    finding = Finding("gcc", "-Wimplicit-function-declaration",
                      "implicit declaration of function ‘printf’", Span(14, 4, 14, 10))
    window = make_window(text, finding)
    assert [(r.start, r.end) for r in window.regions] == [(0, 1), (11, 17)]
    other = Finding("gcc", "error", "expected ‘;’ before ‘return’", Span(14, 17, 14, 18))
    assert len(make_window(text, other).regions) == 1


def test_neovim_attaches_to_every_routed_language():
    import re

    config = (Path(__file__).parents[2] / "editors" / "nvim" / "lua" / "fixloop" / "config.lua").read_text()
    block = re.search(r"filetypes = \{(.*?)\}", config, re.S)
    assert block is not None
    filetypes = re.findall(r"'([\w-]+)'", block.group(1))
    assert filetypes == [i for language in languages.LANGUAGES for i in language.ids]
