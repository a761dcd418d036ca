"""The README's two set-up commands are what CI runs: the same lines, in the same order."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def readme_commands() -> list[str]:
    """The lines of the README's first code block."""
    block = re.search(r"```bash\n(.*?)```", (ROOT / "README.md").read_text(), re.DOTALL)
    assert block is not None, "the README starts with a ```bash block"
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_the_readme_starts_with_exactly_two_commands():
    first, second = readme_commands()
    assert first.startswith('CMAKE_ARGS="-DGGML_NATIVE=OFF ') and "'.[local]'" in first
    assert first.endswith("&& fixloop fix examples/")
    assert second.endswith("&& python3 -m pytest")


def test_ci_runs_the_readme_commands_verbatim_in_order():
    ci = [line.strip() for line in (ROOT / ".ci/run").read_text().splitlines()]
    first, second = readme_commands()
    assert first in ci and second in ci
    assert ci.index(first) < ci.index(second)


def test_ci_installs_nothing_the_readme_commands_do_not():
    """The tests install the toolchains and editors they need themselves (tests/conftest.py,
    tests/editors/test_vscode.py): CI may not, or a fresh machine would fail where CI passes."""
    first, second = readme_commands()
    commands = [
        line.strip() for line in (ROOT / ".ci/run").read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    installs = [line for line in commands if "install" in line and line not in (first, second)]
    assert installs == ["python3 -m pip install --quiet --upgrade pip"]
