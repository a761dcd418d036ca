"""Through `fixloop serve`: a workspace's command verifier runs only when trusted, and a
language's default tool that cannot run is said once, never counted as a pass.

The command is a small Python program that leaves a marker file when it runs
and prints one diagnostic per `TODO` in the file it is given, in regex form.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from conftest import write_config
from lspwire import until

pytestmark = [pytest.mark.e2e, pytest.mark.trust, pytest.mark.usefixtures("toolchains")]

LINT = """\
import re, sys
open({marker!r}, "a").write("ran\\n")
for number, line in enumerate(open(sys.argv[1], encoding="utf-8"), 1):
    for match in re.finditer("TODO", line):
        print(f"{{sys.argv[1]}}:{{number}}:{{match.start() + 1}}: warning: a TODO is left [todo]")
"""
PATTERN = r"^(?P<file>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<severity>\w+): (?P<message>.+?) \[(?P<code>\w+)\]$"
C_TEXT = "int f(void) {\n    return 0; /* TODO: é😀 TODO */\n}\n"


def configure(root: Path, base_url: str, marker: Path) -> None:
    lint = root.parent / f"{root.name}-lint.py"
    lint.write_text(LINT.format(marker=str(marker)))
    command = f"""
[verifiers]
c = ["gcc", "todo"]

[verifiers.command.todo]
argv = [{sys.executable!r}, {str(lint)!r}, "{{file}}"]
files = ["*.c"]
pattern = '{PATTERN}'
"""
    write_config(root, base_url, extra=command)


@pytest.mark.parametrize("options", [None, {"trusted": False}], ids=["no-options", "false"])
async def test_an_untrusted_session_never_runs_the_command(tmp_path, model_server, serve, options):
    marker = tmp_path.parent / f"{tmp_path.name}-lint-ran"
    configure(tmp_path, model_server.openai_base_url, marker)
    wire = await serve(tmp_path)
    await wire.initialize([tmp_path], options)
    first = wire.open(tmp_path / "a.c", C_TEXT, language_id="c")
    second = wire.open(tmp_path / "b.c", C_TEXT, language_id="c")
    assert await wire.diagnostics(first, 1) == []  # gcc ran: the file is clean for it
    assert await wire.diagnostics(second, 1) == []
    assert not marker.exists()
    refused = [m for m in wire.shown() if "`todo` is not run" in m]
    assert len(refused) == 1, wire.shown()
    assert "initializationOptions.trusted" in refused[0] and "Workspace Trust" in refused[0]
    assert await wire.shutdown() == 0


async def test_a_trusted_session_runs_it_on_the_candidate_text(tmp_path, model_server, serve):
    marker = tmp_path.parent / f"{tmp_path.name}-lint-ran"
    configure(tmp_path, model_server.openai_base_url, marker)
    wire = await serve(tmp_path)
    await wire.initialize([tmp_path], {"trusted": True})
    (tmp_path / "a.c").write_text("int f(void) { return 0; }\n")  # the file on disk has no TODO
    uri = wire.open(tmp_path / "a.c", C_TEXT, language_id="c")
    diagnostics = await wire.diagnostics(uri, 1)
    assert [(d["source"], d["code"], d["severity"]) for d in diagnostics] == [
        ("todo", "todo", 2), ("todo", "todo", 2)
    ]
    columns = [d["range"]["start"]["character"] for d in diagnostics]
    # utf-16 (the wire's client offers no encodings): the second TODO is past é and 😀
    assert columns == [17, 27]
    assert marker.exists()
    assert not [m for m in wire.shown() if "not trusted" in m]
    assert await wire.shutdown() == 0


async def test_a_default_tool_that_is_missing_is_said_once_and_never_passes(
    tmp_path, model_server, serve
):
    write_config(tmp_path, model_server.openai_base_url)
    empty = tmp_path.parent / f"{tmp_path.name}-empty-path"
    empty.mkdir()
    wire = await serve(tmp_path, PATH=str(empty))  # no g++ to be found
    await wire.initialize([tmp_path], {"trusted": True})
    first = wire.open(tmp_path / "a.cpp", "int f() { return missing; }\n", language_id="cpp")
    second = wire.open(tmp_path / "b.cpp", "int g() { return 1; }\n", language_id="cpp")
    said = await until(lambda: [m for m in wire.shown() if "g++" in m], 30)
    assert await wire.diagnostics(first, 1) == [] and await wire.diagnostics(second, 1) == []
    assert len(said) == 1 and "not found" in said[0] and "apt-get install g++" in said[0]
    assert not model_server.requests  # nothing to fix, nothing verified
    assert await wire.shutdown() == 0


GO_BROKEN = 'package main\n\nfunc main() {\n\tvar n int = "s"\n\t_ = n\n}\n'


def test_go_runs_no_git_in_the_workspace(tmp_path):
    # go build and go list stamp binaries with VCS information by running git in the
    # repository, and git runs its config's core.fsmonitor command.
    import os
    import subprocess

    marker = tmp_path.parent / f"{tmp_path.name}-fsmonitor-ran"
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    subprocess.run(
        ["git", "-C", str(tmp_path), "config", "core.fsmonitor", f"echo ran >> '{marker}'; false"],
        check=True,
    )
    (tmp_path / "go.mod").write_text("module example.com/m\n\ngo 1.19\n")
    (tmp_path / "main.go").write_text(GO_BROKEN)
    run = subprocess.run(
        [sys.executable, "-m", "fixloop", "check", "main.go"], cwd=tmp_path, capture_output=True,
        text=True, timeout=300, stdin=subprocess.DEVNULL,
        env={**os.environ, "GOCACHE": str(tmp_path.parent / f"{tmp_path.name}-gocache")},
    )
    assert "main.go:4" in run.stdout and "go compile" in run.stdout, run.stdout + run.stderr
    assert not marker.exists()


def test_fix_runs_no_git_in_the_workspace(tmp_path, model_server):
    # The reproduction: `fixloop fix` asked git whether the file is ignored.
    import subprocess

    from fixloop.fakes import Text
    from helpers import search_replace

    marker = tmp_path.parent / f"{tmp_path.name}-fsmonitor-ran"
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    subprocess.run(
        ["git", "-C", str(tmp_path), "config", "core.fsmonitor", f"echo ran >> '{marker}'; false"],
        check=True,
    )
    write_config(tmp_path, model_server.openai_base_url)
    (tmp_path / "app.py").write_text("def f():\n    return pathlib.Path('.')\n")
    model_server.default = Text(search_replace("def f():", "import pathlib\n\n\ndef f():"))
    run = subprocess.run(
        [sys.executable, "-m", "fixloop", "fix", "app.py"], cwd=tmp_path, capture_output=True,
        text=True, timeout=120, stdin=subprocess.DEVNULL,
    )
    assert "+import pathlib" in run.stdout, run.stdout + run.stderr
    assert not marker.exists()
