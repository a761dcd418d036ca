"""The test gate on real pytest runs in shadow copies of a workspace."""

from __future__ import annotations

import sys

import pytest
from fixloop.fakes import Text
from helpers import search_replace

from conftest import write_config
from fixloop.engine.results import Snapshot
from fixloop.engine.testgate import TestGate, covering_tests, failed_tests

MODULE = "def double(x):\n    return x * 2\n"
TESTS = "from mod import double\n\n\ndef test_double():\n    assert double(2) == 4\n"
PYTEST = (sys.executable, "-m", "pytest", "-q")


def workspace(root, module=MODULE, tests=TESTS):
    (root / "mod.py").write_text(module)
    (root / "tests").mkdir(exist_ok=True)
    (root / "tests" / "test_mod.py").write_text(tests)
    return Snapshot((root / "mod.py").as_uri(), 1, module, root / "mod.py", root)


async def test_a_candidate_that_breaks_a_passing_test_is_refused(tmp_path):
    snapshot = workspace(tmp_path)
    gate = TestGate(PYTEST)
    verdict = await gate.check(snapshot, "def double(x):\n    return x + 2 + 1\n")
    assert not verdict.passed
    assert "test_double" in verdict.reason and "breaks 1 test" in verdict.reason
    assert (await gate.check(snapshot, "def double(x):\n    return 2 * x\n")).passed
    # The real file was never touched.
    assert (tmp_path / "mod.py").read_text() == MODULE


async def test_tests_failing_on_the_original_do_not_block(tmp_path):
    tests = TESTS + "\n\ndef test_already_broken():\n    assert double(1) == 3\n"
    snapshot = workspace(tmp_path, tests=tests)
    verdict = await TestGate(PYTEST).check(snapshot, "def double(x):\n    return x + x\n")
    assert verdict.passed


async def test_a_command_that_fails_on_the_original_cannot_judge(tmp_path):
    snapshot = workspace(tmp_path)
    gate = TestGate((sys.executable, "-c", "raise SystemExit(3)"))
    assert (await gate.check(snapshot, "x = 1\n")).passed


@pytest.mark.fault
async def test_a_hanging_test_command_is_a_failure_not_a_pass(tmp_path):
    snapshot = workspace(tmp_path)
    gate = TestGate((sys.executable, "-c", "import time, sys; time.sleep(0 if 'x = 1' in open('mod.py').read() else 30)"), timeout=2)
    verdict = await gate.check(snapshot, "def double(x):\n    return x * 2  # x = 1\n")
    assert not verdict.passed and "no verdict" in verdict.reason


def test_covering_tests_follow_the_naming(tmp_path):
    workspace(tmp_path)
    assert covering_tests(tmp_path, tmp_path / "mod.py") == [tmp_path / "tests" / "test_mod.py"]
    assert covering_tests(tmp_path, tmp_path / "other.py") == []


def test_junit_failures_are_read():
    xml = (
        '<testsuites><testsuite><testcase classname="tests.test_mod" name="test_a"/>'
        '<testcase classname="tests.test_mod" name="test_b"><failure message="x"/></testcase>'
        '<testcase classname="" name="tests.test_c"><error message="boom"/></testcase>'
        "</testsuite></testsuites>"
    )
    assert failed_tests(xml) == {"tests.test_mod::test_b", "::tests.test_c"}


@pytest.mark.trust
@pytest.mark.e2e
def test_fix_with_trust_runs_the_tests_and_refuses_a_behaviour_change(tmp_path, model_server):
    import subprocess

    module = "def check(value):\n    if value == None:\n        return 'missing'\n    return value\n"
    tests = "from mod import check\n\n\ndef test_zero():\n    assert check(0) == 0\n"
    workspace(tmp_path, module, tests)
    gate = f'\n[gate]\ntests = ["{sys.executable}", "-m", "pytest", "-q"]\n'
    write_config(tmp_path, model_server.openai_base_url, attempts=3, seconds=120, extra=gate)
    model_server.script(
        Text(search_replace("    if value == None:", "    if value is None or value == 0:")),  # passes ruff, breaks test
        Text(search_replace("    if value == None:", "    if value is None:")),
    )

    def fix(*flags):
        return subprocess.run(
            [sys.executable, "-m", "fixloop", "fix", *flags, "mod.py"],
            cwd=tmp_path, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
        )

    run = fix("--trust", "--apply")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "if value is None:" in (tmp_path / "mod.py").read_text()
    assert len(model_server.requests) == 2
    assert "test_zero" in model_server.requests[1].prompt_text  # the failing test was fed back

    (tmp_path / "mod.py").write_text(module)
    model_server.script(Text(search_replace("    if value == None:", "    if value is None or value == 0:")))
    run = fix()  # untrusted: the test command is not run, and the user is told
    assert "not trusted" in run.stderr
    assert run.returncode == 0 and "+    if value is None or value == 0:" in run.stdout
