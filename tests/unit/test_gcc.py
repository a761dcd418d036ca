"""gcc/g++ as verifiers: the parser on recorded output, flags from compile_commands.json, real gcc.

Recorded with gcc 12.2 (Debian 12.2.0-14):
  gcc -fsyntax-only -fdiagnostics-format=json -Wall -x c - < gcc-sample.c 2> gcc-12.2-sample.json
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fixloop.verifiers.base import CheckRequest, Severity, Span, ToolEdit, VerifierError
from fixloop.verifiers.gcc import Gcc, compile_flags, flags_from_entry, parse_gcc_json
from fixloop.verifiers.registry import make_verifier

pytestmark = pytest.mark.usefixtures("toolchains")  # installs what is missing (conftest.py)

DATA = Path(__file__).parent / "data"
SAMPLE = (DATA / "gcc-sample.c").read_text(encoding="utf-8")
LINES = SAMPLE.splitlines()


def test_the_parser_reads_kind_option_message_and_code_point_columns():
    findings = parse_gcc_json((DATA / "gcc-12.2-sample.json").read_text(), SAMPLE)
    pointer, unused, s = findings
    assert pointer.code == "error" and pointer.severity is Severity.ERROR
    assert pointer.message == "‘p’ is a pointer; did you mean to use ‘->’?"
    assert pointer.span == Span(3, 12, 3, 13)
    # past a tab, é (2 bytes) and 😀 (4 bytes): byte-column 32 is code point 27
    column = LINES[2].index("unused")
    assert unused.span == Span(2, column, 2, column + len("unused"))
    assert (unused.code, unused.severity) == ("-Wunused-variable", Severity.WARNING)
    assert s.span == Span(2, LINES[2].index("s ="), 2, LINES[2].index("s =") + 1)


def test_fix_it_hints_become_tool_edits():
    pointer = parse_gcc_json((DATA / "gcc-12.2-sample.json").read_text(), SAMPLE)[0]
    assert pointer.tool_fix == (ToolEdit(Span(3, 12, 3, 13), "->"),)


def test_a_fatal_error_and_gcc_s_own_lines_around_the_json():
    output = (DATA / "gcc-12.2-fatal.txt").read_text()
    (finding,) = parse_gcc_json(output, '#include "missing.h"\n')
    assert finding.code == "fatal-error" and finding.message == "missing.h: No such file or directory"
    assert finding.span == Span(0, 9, 0, 20)


def test_diagnostics_in_headers_are_left_out():
    item = {"kind": "error", "message": "in a header",
            "locations": [{"caret": {"file": "inc/a.h", "line": 1, "byte-column": 1}}]}
    assert parse_gcc_json(json.dumps([item]), "int x;\n") == ()


def _entry(arguments, directory="/proj/build", file="../src/a.c"):
    return {"directory": directory, "arguments": arguments, "file": file}


def test_flags_from_a_trusted_workspace():
    entry = _entry(["/opt/cross/bin/arm-none-eabi-gcc", "-Iinclude", "-I", "../gen", "-DDEBUG=1",
                    "-std=c11", "-Wall", "-O2", "-fplugin=./p.so", "-o", "a.o", "-c", "../src/a.c",
                    "-MD", "-MF", "a.d"])
    flags = flags_from_entry(entry, Path("/proj/src/a.c"), trusted=True)
    assert flags.compiler == "/opt/cross/bin/arm-none-eabi-gcc"
    assert flags.flags == ("-I/proj/build/include", "-I", "/proj/build/../gen", "-DDEBUG=1",
                           "-std=c11", "-Wall", "-O2", "-fplugin=./p.so")
    assert flags.directory == Path("/proj/build")


def test_an_untrusted_workspace_never_gives_its_compiler_or_plugins():
    entry = _entry(["./evil-gcc", "-Iinclude", "-fplugin=./p.so", "-specs=x.specs", "-B./bin",
                    "-Wl,--foo", "-wrapper", "-std=gnu99", "-Werror", "-c", "../src/a.c"])
    flags = flags_from_entry(entry, Path("/proj/src/a.c"), trusted=False)
    assert flags.compiler is None
    assert flags.flags == ("-I/proj/build/include", "-std=gnu99", "-Werror")
    assert set(flags.dropped) == {"-fplugin=./p.so", "-specs=x.specs", "-B./bin", "-Wl,--foo", "-wrapper"}
    command = {"directory": "/p", "command": "clang -DX='a b' -c a.c", "file": "a.c"}
    assert flags_from_entry(command, Path("/p/a.c"), trusted=True) == flags_from_entry(
        command, Path("/p/a.c"), trusted=True
    )
    assert flags_from_entry(command, Path("/p/a.c"), trusted=True).flags == ("-DX=a b",)
    assert flags_from_entry(command, Path("/p/a.c"), trusted=True).compiler is None  # not gcc


def test_the_database_entry_for_the_file_or_its_folder(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "build").mkdir()
    (tmp_path / "build" / "compile_commands.json").write_text(json.dumps([
        {"directory": str(tmp_path), "arguments": ["gcc", "-DONE", "-c", "src/one.c"], "file": "src/one.c"},
        {"directory": str(tmp_path), "arguments": ["gcc", "-DTWO", "-c", "src/two.c"], "file": "src/two.c"},
    ]))
    assert compile_flags(tmp_path / "src" / "two.c", tmp_path, True).flags == ("-DTWO",)
    assert compile_flags(tmp_path / "src" / "new.h", tmp_path, True).flags == ("-DONE",)
    assert compile_flags(tmp_path / "other.c", tmp_path, True).flags == ()
    (tmp_path / "build" / "compile_commands.json").write_text("{")
    with pytest.raises(VerifierError, match="compile_commands.json cannot be read"):
        compile_flags(tmp_path / "src" / "two.c", tmp_path, True)


# -- real gcc ---------------------------------------------------------------


async def test_gcc_checks_the_candidate_text_not_the_file(tmp_path):
    path = tmp_path / "a.c"
    path.write_text("int main(void) { return 0; }\n")
    gcc = make_verifier("gcc")
    findings = await gcc.check(CheckRequest("int main(void) { return y; }\n", path, tmp_path))
    assert [(f.source, f.code, f.span.start_line) for f in findings] == [("gcc", "error", 0)]
    assert "‘y’ undeclared" in findings[0].message
    assert await gcc.check(CheckRequest(path.read_text(), path, tmp_path)) == ()


async def test_relative_includes_resolve_from_the_real_file_s_folder(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "answer.h").write_text("#define ANSWER 42\n")
    path = tmp_path / "src" / "a.c"
    text = '#include "answer.h"\nint f(void) { return ANSWER; }\n'
    assert await Gcc("gcc").check(CheckRequest(text, path, tmp_path)) == ()


async def test_compile_commands_flags_are_used(tmp_path):
    (tmp_path / "include").mkdir()
    (tmp_path / "include" / "config.h").write_text("#define LIMIT 3\n")
    path = tmp_path / "a.c"
    (tmp_path / "compile_commands.json").write_text(json.dumps([{
        "directory": str(tmp_path), "file": "a.c",
        "arguments": ["gcc", "-Iinclude", "-DEXTRA=1", "-Wall", "-c", "a.c"],
    }]))
    text = "#include <config.h>\nint f(void) { int unused; return LIMIT + EXTRA; }\n"
    findings = await Gcc("gcc").check(CheckRequest(text, path, tmp_path, trusted=False))
    assert [(f.code, f.message) for f in findings] == [("-Wunused-variable", "unused variable ‘unused’")]


async def test_gxx_checks_cpp(tmp_path):
    path = tmp_path / "a.cpp"
    text = "#include <vector>\nint f() { std::vector<int> v; return v.size() + missing; }\n"
    findings = await make_verifier("g++").check(CheckRequest(text, path, tmp_path))
    assert [(f.source, f.code) for f in findings] == [("g++", "error")]
    assert "missing" in findings[0].message


async def test_untrusted_flags_left_out_are_said_once(tmp_path):
    path = tmp_path / "a.c"
    (tmp_path / "compile_commands.json").write_text(json.dumps([{
        "directory": str(tmp_path), "file": "a.c",
        "arguments": ["gcc", "-fplugin=./nope.so", "-c", "a.c"],
    }]))
    gcc = Gcc("gcc")
    assert await gcc.check(CheckRequest("int x;\n", path, tmp_path, trusted=False)) == ()
    (notice,) = gcc.take_notices()
    assert "not trusted" in notice and "-fplugin=./nope.so" in notice
    await gcc.check(CheckRequest("int y;\n", path, tmp_path, trusted=False))
    assert gcc.take_notices() == ()


async def test_a_bad_flag_is_no_verdict(tmp_path):
    path = tmp_path / "a.c"
    (tmp_path / "compile_commands.json").write_text(json.dumps([{
        "directory": str(tmp_path), "file": "a.c", "arguments": ["gcc", "-std=c77", "-c", "a.c"],
    }]))
    with pytest.raises(VerifierError, match="gcc exited with 1"):
        await Gcc("gcc").check(CheckRequest("int x;\n", path, tmp_path))


async def test_a_missing_compiler_is_no_verdict_and_says_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(VerifierError, match="not found.*apt-get install gcc"):
        await Gcc("gcc").check(CheckRequest("int x;\n", tmp_path / "a.c", tmp_path))


def test_the_database_is_read_again_only_when_it_changes(tmp_path):
    from fixloop.verifiers.gcc import Databases

    database = tmp_path / "compile_commands.json"
    database.write_text(json.dumps([{"directory": str(tmp_path), "file": "a.c", "arguments": ["gcc", "-DA", "a.c"]}]))
    databases = Databases()
    assert compile_flags(tmp_path / "a.c", tmp_path, True, databases).flags == ("-DA",)
    index = databases._index(database)
    assert databases._index(database) is index  # unchanged: not parsed again
    database.write_text(json.dumps([{"directory": str(tmp_path), "file": "a.c", "arguments": ["gcc", "-DBB", "a.c"]}]))
    assert compile_flags(tmp_path / "a.c", tmp_path, True, databases).flags == ("-DBB",)
