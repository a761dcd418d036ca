"""The compile check and the ruff parser, on real texts and recorded ruff output."""

import os
from pathlib import Path

import anyio
import pytest

from fixloop.processes.run import run_tool
from fixloop.verifiers import CheckRequest, Span, VerifierError
from fixloop.verifiers.python import syntax_findings
from fixloop.verifiers.ruff import Ruff, parse_ruff_json

DATA = Path(__file__).parent / "data"


def test_ruff_json_is_parsed_into_code_point_spans():
    findings = parse_ruff_json((DATA / "ruff-0.17.6-f401-e702-f821.json").read_bytes())
    by_code = {f.code: f for f in findings}
    assert set(by_code) == {"F401", "E702", "F821"}
    # `y = "é😀"; print(undefined_nm)`: the name starts at code point 16 on line 2.
    assert by_code["F821"].span == Span(1, 16, 1, 28)
    assert by_code["F821"].message == "Undefined name `undefined_nm`"
    assert by_code["F401"].tool_fix and by_code["F401"].tool_fix[0].new_text == ""


def test_ruff_syntax_errors_keep_their_code():
    (finding,) = parse_ruff_json((DATA / "ruff-0.17.6-invalid-syntax.json").read_bytes())
    assert finding.code == "invalid-syntax"
    assert finding.span == Span(1, 0, 1, 0)


@pytest.mark.fault
def test_ruff_output_that_is_not_json_is_a_verifier_error():
    with pytest.raises(VerifierError, match="not JSON"):
        parse_ruff_json(b"error: something broke")


@pytest.mark.parametrize(
    "text, code, span",
    [
        ("if x\n    pass\n", "SyntaxError", Span(0, 3, 0, 4)),
        ("def f():\nreturn 1\n", "IndentationError", Span(1, 0, 1, 6)),
        ("s = 'é😀' +\n", "SyntaxError", Span(0, 9, 0, 10)),
    ],
)
def test_compile_errors_become_findings(text, code, span):
    (finding,) = syntax_findings(text, "demo.py")
    assert (finding.source, finding.code) == ("python", code)
    assert finding.span == span


def test_clean_text_has_no_syntax_findings():
    assert syntax_findings("x = 1\n", "demo.py") == ()


async def test_ruff_runs_on_stdin_with_the_buffer_not_the_file(tmp_path):
    path = tmp_path / "app.py"
    path.write_text("x = 1\n")
    request = CheckRequest("import os\n", path, tmp_path)
    (finding,) = await Ruff().check(request)
    assert finding.code == "F401"


async def test_a_project_ruff_config_is_honoured(tmp_path):
    (tmp_path / "ruff.toml").write_text('[lint]\nselect = ["E711"]\n')
    path = tmp_path / "app.py"
    findings = await Ruff().check(CheckRequest("import os\nx = None\nif x == None: pass\n", path, tmp_path))
    assert [f.code for f in findings] == ["E711"]


@pytest.mark.fault
async def test_a_missing_tool_is_a_clear_error(tmp_path):
    with pytest.raises(VerifierError, match="not found"):
        await Ruff(binary=str(tmp_path / "no-ruff")).check(CheckRequest("x = 1\n", tmp_path / "a.py", tmp_path))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"


@pytest.mark.fault
async def test_a_hanging_tool_is_killed_with_its_group(tmp_path):
    pidfile = tmp_path / "child.pid"
    with anyio.fail_after(10):
        with pytest.raises(VerifierError, match="timed out"):
            await run_tool(["sh", "-c", f"sleep 30 & echo $! > {pidfile}; wait"], timeout=0.5)
        child = int(pidfile.read_text())
        while _alive(child):  # the grandchild goes with the group, not after 30 s
            await anyio.sleep(0.01)


@pytest.mark.fault
async def test_a_flooding_tool_is_stopped():
    with anyio.fail_after(10):
        with pytest.raises(VerifierError, match="more than"):
            await run_tool(["yes"], timeout=5, cap=100_000)
