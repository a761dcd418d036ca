"""End to end: a workspace's own `command` verifier and gcc through `fixloop check` and `fixloop fix`.

The command is real ruff (the one fixloop ships with) asked for SARIF, with
its path in the workspace's config: it runs only with `--trust`.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import write_config
from fixloop.fakes import Text
from fixloop.verifiers.ruff import ruff_binary
from helpers import search_replace
from test_cli import fixloop

pytestmark = pytest.mark.e2e

SHELLISH = 'x = "é😀"; print(undefined_name)\n'


def _config(root: Path, base_url: str = "http://127.0.0.1:9/v1") -> None:
    command = f"""
[verifiers]
python = ["python"]

[verifiers.command.sarif-lint]
argv = ["{ruff_binary()}", "check", "--no-cache", "--select", "F821", "--output-format", "sarif", "{{file}}"]
files = ["*.py"]
format = "sarif"
columns = "characters"
"""
    write_config(root, base_url, extra=command)


def test_untrusted_the_command_is_refused_and_says_how_to_trust(tmp_path):
    _config(tmp_path)
    (tmp_path / "app.py").write_text(SHELLISH)
    run = fixloop("check", "app.py", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "`sarif-lint` is not run because the folder is not trusted" in run.stderr
    assert "--trust" in run.stderr and "Workspace Trust" in run.stderr
    assert run.stdout == ""


def test_trusted_the_command_s_findings_are_reported_in_code_points(tmp_path):
    _config(tmp_path)
    (tmp_path / "app.py").write_text(SHELLISH)
    run = fixloop("check", "--trust", "--json", "app.py", cwd=tmp_path)
    assert run.returncode == 1, run.stderr
    (report,) = json.loads(run.stdout)
    (diagnostic,) = report["diagnostics"]
    assert diagnostic["source"] == "sarif-lint" and diagnostic["code"] == "F821"
    assert diagnostic["column"] == SHELLISH.index("undefined_name") + 1


def test_a_command_that_cannot_start_is_no_verdict(tmp_path):
    write_config(tmp_path, "http://127.0.0.1:9/v1", extra="""
[verifiers.command.gone]
argv = ["/nonexistent/lint", "{file}"]
files = ["*.py"]
format = "jsonl"
""")
    (tmp_path / "app.py").write_text("x = 1\n")
    run = fixloop("check", "--trust", "app.py", cwd=tmp_path)
    assert run.returncode == 1
    assert "gone" in run.stderr and "not found" in run.stderr


def test_fix_with_trust_verifies_with_the_command(tmp_path, model_server):
    _config(tmp_path, model_server.openai_base_url)
    (tmp_path / "app.py").write_text(SHELLISH)
    model_server.script(Text(search_replace(SHELLISH.rstrip("\n"), 'x = "é😀"; print(x)')))
    run = fixloop("fix", "--trust", "app.py", cwd=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert '+x = "é😀"; print(x)' in run.stdout


@pytest.mark.usefixtures("toolchains")  # gcc
def test_check_a_c_file_with_gcc(tmp_path):
    (tmp_path / "a.c").write_text("int f(void) { return y; }\n")
    (tmp_path / "b.rs").write_text("fn main() {}\n")
    run = fixloop("check", "a.c", cwd=tmp_path)
    assert run.returncode == 1
    assert "a.c:1:22: gcc error ‘y’ undeclared" in run.stdout
