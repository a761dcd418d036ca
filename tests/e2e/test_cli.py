"""End to end: `fixloop check` and `fixloop fix` as a user runs them, against the scripted model."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from fixloop.fakes import Text
from helpers import search_replace

from conftest import write_config

pytestmark = pytest.mark.e2e

BROKEN = "import sys\n\n\ndef main():\n    print(sys.argv)\n    return pathlib.Path('.')\n"
FIXED = BROKEN.replace("import sys\n", "import sys\nimport pathlib\n")
NOQA = search_replace("    return pathlib.Path('.')", "    return pathlib.Path('.')  # noqa")
NO_OP = search_replace("    return pathlib.Path('.')", "    return pathlib.Path('.')")
FIX = search_replace("import sys", "import sys\nimport pathlib")


def fixloop(*args: str, cwd) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "fixloop", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def test_version(tmp_path):
    run = fixloop("--version", cwd=tmp_path)
    assert run.returncode == 0 and run.stdout.startswith("fixloop ")


def test_check_prints_diagnostics(tmp_path):
    (tmp_path / "app.py").write_text(BROKEN)
    run = fixloop("check", "app.py", cwd=tmp_path)
    assert run.returncode == 1
    assert "app.py:6:12: ruff F821 Undefined name `pathlib`" in run.stdout
    data = json.loads(fixloop("check", "--json", ".", cwd=tmp_path).stdout)
    assert [d["code"] for d in data[0]["diagnostics"]] == ["F821"]


def test_fix_prints_the_verified_diff_and_leaves_the_file(workspace, model_server):
    (workspace / "app.py").write_text(BROKEN)
    model_server.script(Text(NOQA), Text(NO_OP), Text(FIX))
    run = fixloop("fix", "app.py", cwd=workspace)
    assert run.returncode == 0, run.stderr
    assert "+import pathlib\n" in run.stdout and "noqa" not in run.stdout
    assert "--- a/app.py" in run.stdout
    assert "fixloop: import pathlib" in run.stdout  # the title says what the fix does
    assert (workspace / "app.py").read_text() == BROKEN
    assert len(model_server.requests) == 3


def test_fix_apply_writes_the_fix(workspace, model_server):
    (workspace / "app.py").write_text(BROKEN)
    model_server.script(Text(NOQA), Text(NO_OP), Text(FIX))
    run = fixloop("fix", "--apply", "app.py", cwd=workspace)
    assert run.returncode == 0, run.stderr
    assert (workspace / "app.py").read_text() == FIXED
    assert fixloop("check", "app.py", cwd=workspace).returncode == 0  # compile and ruff accept it


def test_fix_fails_when_a_diagnostic_gets_no_fix(workspace, model_server):
    (workspace / "app.py").write_text(BROKEN)
    model_server.default = Text(NOQA)
    run = fixloop("fix", "--apply", "--json", "app.py", cwd=workspace)
    assert run.returncode == 1
    (report,) = json.loads(run.stdout)
    (entry,) = report["fixes"]
    assert entry["status"] == "gave up" and "suppression" in entry["reason"]
    assert (workspace / "app.py").read_text() == BROKEN


def test_fix_apply_merges_fixes_for_several_diagnostics(tmp_path, model_server):
    write_config(tmp_path, model_server.openai_base_url, attempts=2)
    text = "import os\n\n\ndef main(x):\n    return pathlib.Path(x)\n"
    (tmp_path / "app.py").write_text(text)

    def respond(request):
        if "F401" in request.prompt_text:
            return Text(search_replace("import os", ""))
        return Text(search_replace("import os", "import os\nimport pathlib"))

    model_server.responder = respond
    run = fixloop("fix", "--apply", "app.py", cwd=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.count("--- a/app.py") == 2
    assert (tmp_path / "app.py").read_text() == text.replace("import os\n", "import pathlib\n")


@pytest.mark.badinput
def test_without_a_model_the_message_says_how_to_configure_one(tmp_path):
    # tests/conftest.py switches the local model off (FIXLOOP_LOCAL_MODEL=off) for this test.
    (tmp_path / "app.py").write_text(BROKEN)
    run = fixloop("fix", "app.py", cwd=tmp_path)
    assert run.returncode == 2 and "[models.fast]" in run.stderr
    assert 'pip install "fixloop[local]"' in run.stderr


@pytest.mark.badinput
def test_a_bad_config_key_names_the_key_and_the_file(tmp_path):
    (tmp_path / "app.py").write_text(BROKEN)
    (tmp_path / ".fixloop.toml").write_text("[budget]\nattempt = 3\n")
    run = fixloop("fix", "app.py", cwd=tmp_path)
    assert run.returncode == 2
    assert "budget.attempt" in run.stderr and ".fixloop.toml" in run.stderr
