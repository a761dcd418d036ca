"""The pure parts of the tsc, eslint, cargo and go verifiers, on recorded output;
and the workspace mirror they check candidates in."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from fixloop.shadow.mirror import Mirror, MirrorError
from fixloop.text.columns import from_utf8, from_utf16, utf16_offset_point
from fixloop.verifiers import Severity, Span, ToolEdit
from fixloop.verifiers.cargo import cargo_failure, has_errors, parse_cargo_json, path_names
from fixloop.verifiers.eslint import eslint_failure, parse_eslint_json
from fixloop.verifiers.go import go_failure, parse_go_errors, parse_go_vet_json
from fixloop.verifiers.tsc import parse_tsc

DATA = Path(__file__).parent / "data"


def data(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


# -- columns ---------------------------------------------------------------------------------


def test_columns_of_other_units_become_code_points():
    line = 'x = "😀é"; y'
    assert from_utf16(line, 11) == 10  # 😀 is two UTF-16 units
    assert from_utf8(line, 14) == 10  # 😀 is four bytes, é two
    assert from_utf16(line, 99) == from_utf8(line, 99) == len(line)  # clamped
    assert from_utf8("é", 1) == 0  # inside a character: the character's start
    assert utf16_offset_point("a😀\nbc", 4) == (1, 0)
    assert utf16_offset_point("ab\ncd", 99) == (1, 2)


# -- tsc -------------------------------------------------------------------------------------

TS_ROOT = Path("/tmp/fixloop-demo-ts")  # where the recordings were made (cwd), tsc 7.0.2


def test_tsc_gives_this_files_errors_in_code_points_with_their_message_chains():
    text = data("tsc-app.ts")
    findings, general, listed = parse_tsc(
        data("tsc-7.0.2-app.txt"), TS_ROOT / "src" / "app.ts", text, TS_ROOT
    )
    assert general == ()
    assert [(f.code, f.span) for f in findings] == [
        # `const t` after "😀😀": tsc says column 27 (UTF-16), the code point is 24 (0-based)
        ("TS2322", Span(5, 24, 5, 25)),
        ("TS2322", Span(6, 8, 6, 9)),
    ]  # other.ts's error is not app.ts's
    assert text.splitlines()[5][24] == "t"
    chain = findings[1].message.splitlines()
    assert chain[0] == "Type '(a: { x: string; }) => string' is not assignable to type 'F'."
    assert chain[-1] == "Type 'number' is not assignable to type 'string'."
    assert all(f.source == "tsc" and f.severity is Severity.ERROR for f in findings)
    assert TS_ROOT / "src" / "app.ts" in listed and TS_ROOT / "src" / "util.ts" in listed


def test_a_tsconfig_error_is_an_error_of_the_project():
    _, general, _ = parse_tsc(
        data("tsc-7.0.2-bad-config.txt"), TS_ROOT / "src" / "app.ts", data("tsc-app.ts"), TS_ROOT
    )
    assert general == ("tsconfig.json(1,38): error TS5023: Unknown compiler option 'bogus'.",)
    _, general, _ = parse_tsc(
        "error TS5042: Option 'project' cannot be mixed with source files on a command line.\n",
        TS_ROOT / "a.ts",
        "",
        TS_ROOT,
    )
    assert len(general) == 1 and "TS5042" in general[0]


# -- eslint ----------------------------------------------------------------------------------


def test_eslint_findings_with_rules_severities_and_fixes_in_code_points():
    text = data("eslint-app.js")
    findings = parse_eslint_json(data("eslint-10.15.0-app.json"), text)
    assert [(f.code, f.severity, f.span) for f in findings] == [
        ("no-unused-vars", Severity.ERROR, Span(0, 6, 0, 7)),
        # after "😀é": eslint says column 22 (UTF-16), the code point is 20 (0-based)
        ("no-unused-vars", Severity.ERROR, Span(0, 20, 0, 26)),
        ("prefer-const", Severity.WARNING, Span(0, 20, 0, 26)),
        ("eqeqeq", Severity.ERROR, Span(2, 8, 2, 10)),
        ("no-undef", Severity.ERROR, Span(2, 23, 2, 30)),
        ("prefer-const", Severity.WARNING, Span(3, 6, 3, 7)),
    ]
    assert text.splitlines()[0][20:26] == "unused"
    # eslint's own fix (not a suggestion) is the tool's fix; its range was UTF-16 offsets
    assert findings[2].tool_fix == (ToolEdit(Span(0, 16, 0, 31), "const unused = 1;"),)
    assert text.splitlines()[0][16:31] == "let unused = 1;"
    assert findings[0].tool_fix == ()  # only a suggestion: no fix


def test_eslint_parse_errors_and_ignored_files():
    (syntax,) = parse_eslint_json(data("eslint-10.15.0-syntax.json"), "let x = ;\n")
    assert (syntax.code, syntax.severity, syntax.span) == (
        "syntax",
        Severity.ERROR,
        Span(0, 8, 0, 9),
    )
    assert syntax.message == "Parsing error: Unexpected token ;"
    assert parse_eslint_json(data("eslint-10.15.0-ignored.json"), "x\n") == ()


def test_eslint_failure_names_the_cause_not_the_banner():
    stderr = (DATA / "eslint-10.15.0-bad-config.stderr").read_bytes()
    message = eslint_failure(2, stderr, b"")
    assert message.startswith("eslint failed (exit 2): A configuration object specifies rule")
    assert "nope" in message


# -- cargo -----------------------------------------------------------------------------------

RS_ROOT = Path("/tmp/fixloop-demo-rs")


def test_cargo_primary_spans_of_this_file_only_once_each():
    text = data("cargo-lib.rs")
    names = path_names(RS_ROOT / "src" / "lib.rs", RS_ROOT)
    assert "src/lib.rs" in names
    findings = parse_cargo_json(data("cargo-1.95.0-lib.jsonl"), names, text)
    assert [(f.code, f.severity, f.span) for f in findings] == [
        # `"x"` after "😀é": rustc's columns are code points already
        ("E0308", Severity.ERROR, Span(3, 31, 3, 34)),
        ("E0308", Severity.ERROR, Span(4, 4, 4, 19)),
        ("unused_variables", Severity.WARNING, Span(10, 17, 10, 18)),
    ]  # util.rs's warning is not lib.rs's; the lib and its test target said E0308 twice
    assert text.splitlines()[3][31:34] == '"x"'
    assert findings[0].message == "mismatched types: expected `i32`, found `&str`"
    assert has_errors(data("cargo-1.95.0-lib.jsonl"))


def test_cargo_that_cannot_resolve_offline_says_why():
    stderr = (DATA / "cargo-1.95.0-offline-dep.stderr").read_bytes()
    assert cargo_failure(101, stderr) == (
        "cargo check failed (exit 101): "
        "error: no matching package named `not-a-real-crate-xyz` found"
    )
    assert parse_cargo_json("", {"src/lib.rs"}, "") == ()


# -- go --------------------------------------------------------------------------------------

GO_ROOT = Path("/tmp/fixloop-demo-go")


def test_go_build_errors_of_this_file_in_code_points():
    text = data("go-a.go")
    findings, seen = parse_go_errors(
        data("go-1.19.8-build.txt"), GO_ROOT / "pkg" / "a.go", GO_ROOT, text
    )
    assert seen == 3  # b.go's error counts as an error of the package, not of a.go
    assert [(f.code, f.severity, f.span) for f in findings] == [
        # `"x"` after "😀é": go says column 29 (bytes), the code point is 24 (0-based)
        ("compile", Severity.ERROR, Span(5, 24, 5, 25)),
        ("compile", Severity.ERROR, Span(7, 12, 7, 26)),
    ]
    assert text.splitlines()[5][24] == '"'
    assert findings[1].message == "undefined: undefinedThing"


def test_go_vet_json_findings_carry_the_analyzer():
    text = data("go-a-compiles.go")
    (finding,) = parse_go_vet_json(
        data("go-1.19.8-vet.json"), GO_ROOT / "pkg" / "a.go", GO_ROOT, text
    )
    assert (finding.code, finding.severity, finding.span) == (
        "printf",
        Severity.WARNING,
        Span(6, 1, 6, 4),
    )
    assert finding.message == "fmt.Printf format %d has arg s of wrong type string"
    (typed,) = parse_go_vet_json(
        data("go-1.19.8-vet-typeerror.txt"),
        GO_ROOT / "pkg" / "a_test.go",
        GO_ROOT,
        'package pkg\nimport "testing"\nfunc TestX(t *testing.T) { var x int = "no" }\n',
    )
    assert typed.code == "compile" and typed.span.start_line == 2


def test_go_offline_failures_name_the_missing_module():
    message = go_failure("go build", 1, data("go-1.19.8-offline.txt"))
    assert message == "go build failed (exit 1): m.go:2:8: module lookup disabled by GOPROXY=off"


# -- the mirror ------------------------------------------------------------------------------


def make_tree(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


def test_the_mirror_links_everything_but_the_candidate_and_never_writes_the_workspace(tmp_path):
    root = tmp_path / "ws"
    make_tree(root, {"a/b/x.ts": "real x", "a/y.ts": "y", "c/z.ts": "z", "Cargo.lock": "lock"})
    mirror = Mirror(root, tmp_path / "home")
    shadow = mirror.place(root / "a" / "b" / "x.ts", "candidate")
    assert shadow == mirror.path / "a" / "b" / "x.ts"
    assert shadow.read_text() == "candidate" and not shadow.is_symlink()
    assert (root / "a" / "b" / "x.ts").read_text() == "real x"
    assert (mirror.path / "c").is_symlink() and (mirror.path / "a" / "y.ts").is_symlink()
    assert not (mirror.path / "a").is_symlink()
    mirror.keep_copy(root / "Cargo.lock")
    copy = mirror.path / "Cargo.lock"
    assert not copy.is_symlink() and copy.read_text() == "lock"
    copy.write_text("rewritten by the tool")
    assert (root / "Cargo.lock").read_text() == "lock"
    mirror.close()
    assert not (tmp_path / "home").exists() and (root / "a" / "b" / "x.ts").exists()


def test_the_mirror_follows_the_workspace(tmp_path):
    root = tmp_path / "ws"
    make_tree(root, {"src/x.ts": "x1", "src/gone.ts": "g", "Cargo.lock": "v1"})
    mirror = Mirror(root, tmp_path / "home")
    mirror.keep_copy(root / "Cargo.lock")
    mirror.place(root / "src" / "x.ts", "candidate 1")
    (root / "src" / "gone.ts").unlink()
    (root / "src" / "new.ts").write_text("n")
    (root / "Cargo.lock").write_text("v2, longer")
    os.utime(root / "Cargo.lock", ns=(1, 10**18))
    shadow = mirror.place(root / "src" / "other.ts", "a new unsaved file")
    assert shadow.read_text() == "a new unsaved file"
    # the earlier candidate's file holds the real text again, as a copy (fresh mtime)
    x = mirror.path / "src" / "x.ts"
    assert x.read_text() == "x1" and not x.is_symlink()
    assert (mirror.path / "src" / "new.ts").read_text() == "n"
    assert not (mirror.path / "src" / "gone.ts").exists()
    assert (mirror.path / "Cargo.lock").read_text() == "v2, longer"
    (root / "src" / "x.ts").write_text("x2")
    mirror.refresh()
    assert x.read_text() == "x2"
    mirror.place(root / "src" / "x.ts", "candidate 2")
    assert not (mirror.path / "src" / "other.ts").exists()  # it had no real file
    assert x.read_text() == "candidate 2"


def test_the_mirror_refuses_a_file_outside_the_workspace(tmp_path):
    mirror = Mirror(tmp_path / "ws", tmp_path / "home")
    with pytest.raises(MirrorError, match="not inside the workspace"):
        mirror.place(tmp_path / "elsewhere.ts", "x")
