"""mypy and pyright as verifiers, run for real on small workspaces; the verdict cache."""

from __future__ import annotations

import logging
import os
import sys
import sysconfig
import venv
from pathlib import Path

import anyio
import pytest
import pytest_asyncio

from fixloop.verifiers import CheckRequest, VerifierError
from fixloop.verifiers.cache import CachedVerifier
from fixloop.verifiers.mypy import Mypy
from fixloop.verifiers.pyright import Pyright, PyrightInstall, find_pyright
from fixloop.verifiers.ruff import Ruff, ruff_binary

LABEL = "def label(n: int) -> str:\n    return n * 2\n"
FIXED = "def label(n: int) -> str:\n    return str(n)\n"
SAME_LENGTH = "def label(n: int) -> int:\n    return n * 2\n"  # as long as LABEL, and clean
OPTIONAL = (
    'import re\n\n\ndef word(text: str) -> str:\n    return re.match(r"\\w+", text).group(0)\n'
)


def request(root: Path, text: str, name: str = "app.py") -> CheckRequest:
    return CheckRequest(text, root / name, root)


# One workspace, one mypy and one pyright for the module: each pays its cold start once.
pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest.fixture(scope="module")
def shared(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("workspace")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def mypy():
    verifier = Mypy(workers=2)
    yield verifier
    await verifier.aclose()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def pyright():
    verifier = Pyright()
    yield verifier
    await verifier.aclose()


async def test_mypy_checks_the_text_not_the_file(shared, mypy):
    (shared / "text.py").write_text(FIXED)  # the file on disk is clean; the buffer is not
    (finding,) = await mypy.check(request(shared, LABEL, "text.py"))
    assert (finding.source, finding.code) == ("mypy", "return-value")
    assert finding.span.start_line == 1
    assert await mypy.check(request(shared, FIXED, "text.py")) == ()


async def test_mypy_verdicts_never_leak_between_candidates_of_equal_length(shared, mypy):
    # mypy's cache trusts size and mtime (whole seconds), then hashes the *real*
    # file: without unique shadows the second candidate would inherit the first's verdict.
    (shared / "same.py").write_text(LABEL)
    for _ in range(2):
        assert [f.code for f in await mypy.check(request(shared, LABEL, "same.py"))] == [
            "return-value"
        ]
        assert await mypy.check(request(shared, SAME_LENGTH, "same.py")) == ()


async def test_concurrent_mypy_checks_each_get_their_own_verdict(shared, mypy):
    (shared / "many.py").write_text(FIXED)
    await mypy.check(request(shared, FIXED, "many.py"))
    texts = [LABEL if i % 2 else FIXED.replace("str(n)", f"str(n + {i})") for i in range(6)]
    verdicts: dict[int, int] = {}

    async def one(i: int) -> None:
        verdicts[i] = len(await mypy.check(request(shared, texts[i], "many.py")))

    async with anyio.create_task_group() as tg:
        for i in range(len(texts)):
            tg.start_soon(one, i)
    assert verdicts == {i: i % 2 for i in range(6)}


async def test_mypy_follows_imports_and_reports_only_this_file(shared, mypy):
    (shared / "helper.py").write_text(
        'def double(x: int) -> int:\n    return x * 2\n\nbad: int = ""\n'
    )
    (shared / "user.py").write_text("")
    text = 'import helper\n\nhelper.double("a")\n'
    (finding,) = await mypy.check(request(shared, text, "user.py"))
    assert finding.code == "arg-type" and finding.span.start_line == 2


async def test_a_new_unsaved_file_is_checked_too(shared, mypy):
    (finding,) = await mypy.check(request(shared, LABEL, name="new.py"))
    assert finding.code == "return-value"


@pytest.mark.fault
async def test_a_mypy_configuration_error_is_no_verdict(tmp_path, mypy):
    (tmp_path / "mypy.ini").write_text("[mypy]\nplugins = no_such_plugin_module\n")
    (tmp_path / "app.py").write_text(LABEL)
    with pytest.raises(VerifierError, match="no_such_plugin_module"):
        await mypy.check(request(tmp_path, LABEL))


def _script(path: Path, body: str) -> Path:
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)
    return path


@pytest.mark.fault
async def test_a_mypy_that_dies_is_no_verdict(tmp_path):
    broken = Mypy(
        python=_script(tmp_path / "python", "echo 'Fatal Python error: init' >&2; exit 1")
    )
    try:
        with pytest.raises(VerifierError, match="Fatal Python error"):
            await broken.check(request(tmp_path, LABEL))
    finally:
        await broken.aclose()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"


@pytest.mark.fault
async def test_a_hanging_mypy_is_killed_and_no_verdict(tmp_path):
    pidfile = tmp_path / "sleeper.pid"
    hanging = _script(
        tmp_path / "python",
        f'echo \'{{"ready": true, "version": "2.4.1"}}\'; sleep 60 & echo $! > {pidfile}; wait',
    )
    verifier = Mypy(python=hanging, timeout=1)
    try:
        with anyio.fail_after(20):
            with pytest.raises(VerifierError, match="timed out after 1 s"):
                await verifier.check(request(tmp_path, LABEL))
            sleeper = int(pidfile.read_text())
            while _alive(sleeper):  # killed with its process group, not left behind
                await anyio.sleep(0.01)
    finally:
        await verifier.aclose()


@pytest.mark.fault
async def test_a_mypy_that_never_starts_is_no_verdict(tmp_path):
    verifier = Mypy(python=_script(tmp_path / "python", "sleep 60"), timeout=0.5)
    try:
        with anyio.fail_after(20), pytest.raises(VerifierError, match="did not start"):
            await verifier.check(request(tmp_path, LABEL))
    finally:
        await verifier.aclose()


def _fake_venv(root: Path, tools: dict[str, str]) -> Path:
    """A real virtual environment in the workspace whose packages are the test run's own (a .pth
    file, as an editable install writes one), with its tools linked in as `pip install` would
    put them: its python imports mypy whatever the machine's own python has."""
    venv_dir = root / ".venv"
    venv.create(venv_dir, with_pip=False, symlinks=True)
    (site_packages,) = (venv_dir / "lib").glob("python3*/site-packages")
    (site_packages / "test-run.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    for name, target in tools.items():
        (venv_dir / "bin" / name).symlink_to(target)
    return venv_dir


async def test_the_workspace_mypy_wins_and_the_log_says_so(tmp_path, mypy, caplog):
    _fake_venv(tmp_path, {"mypy": str(Path(sys.executable).with_name("mypy"))})
    caplog.set_level(logging.INFO, logger="fixloop.verifiers")
    (finding,) = await mypy.check(request(tmp_path, LABEL))
    assert finding.code == "return-value"
    assert f"the workspace's mypy ({tmp_path / '.venv' / 'bin' / 'mypy'})" in caplog.text


async def test_the_workspace_ruff_wins_and_the_log_says_so(tmp_path, caplog):
    _fake_venv(tmp_path, {"ruff": ruff_binary()})
    caplog.set_level(logging.INFO, logger="fixloop.verifiers")
    (finding,) = await Ruff().check(request(tmp_path, "import os\n"))
    assert finding.code == "F401"
    assert "the workspace's ruff" in caplog.text


async def test_pyright_checks_the_text_through_its_language_server(shared, pyright, caplog):
    caplog.set_level(logging.INFO, logger="fixloop.verifiers")
    (shared / "word.py").write_text("")
    (finding,) = await pyright.check(request(shared, OPTIONAL, "word.py"))
    assert (finding.source, finding.code) == ("pyright", "reportOptionalMemberAccess")
    assert finding.span.start_line == 4
    fixed = OPTIONAL.replace("return re.match", "match = re.match").replace(
        ".group(0)\n", '\n    return match.group(0) if match else ""\n'
    )
    assert await pyright.check(request(shared, fixed, "word.py")) == ()
    assert "fixloop's own pyright" in caplog.text


async def test_pyright_sees_files_changed_on_disk(shared, pyright):
    (shared / "pkg").mkdir()
    (shared / "pkg" / "__init__.py").write_text("")
    (shared / "pkg" / "util.py").write_text("def one() -> int:\n    return 1\n")
    text = "from .util import one\n\nx: str = one()\n"
    (finding,) = await pyright.check(
        request(shared, text, "pkg/app.py")
    )  # relative import resolved
    assert finding.code == "reportAssignmentType"
    (shared / "pkg" / "util.py").write_text("def one() -> str:\n    return '1'\n")
    with anyio.fail_after(20):
        while await pyright.check(request(shared, text, "pkg/app.py")):
            await anyio.sleep(0.1)  # the watch scans at most every 0.2 s


@pytest.mark.fault
async def test_a_pyright_that_dies_is_no_verdict_and_is_restarted(tmp_path):
    real = find_pyright(tmp_path)
    dead = PyrightInstall(
        _script(tmp_path / "node", "echo 'node: bad option' >&2; exit 9"), real.script, "x", "test"
    )
    verifier = Pyright(install=dead)
    try:
        with pytest.raises(VerifierError, match="node: bad option"):
            await verifier.check(request(tmp_path, OPTIONAL))
    finally:
        await verifier.aclose()


@pytest.mark.fault
async def test_a_slow_pyright_is_stopped_and_no_verdict(tmp_path):
    verifier = Pyright(timeout=0.3)  # a cold start takes longer than that
    try:
        with anyio.fail_after(20), pytest.raises(VerifierError, match="timed out after 0.3 s"):
            await verifier.check(request(tmp_path, OPTIONAL))
        assert all(server.session is None for server in verifier._servers.values())
    finally:
        await verifier.aclose()


async def test_identical_texts_are_verified_once(tmp_path):
    cached = CachedVerifier(Ruff())
    texts = ["import os\n", "import os\n", "import sys\n"]
    async with anyio.create_task_group() as tg:
        for text in texts:
            tg.start_soon(cached.check, request(tmp_path, text))
    assert (cached.misses, cached.hits) == (2, 1)
    (finding,) = await cached.check(request(tmp_path, "import os\n"))
    assert finding.code == "F401" and cached.hits == 2
    # Another file (other settings, other module) is another verdict.
    await cached.check(request(tmp_path, "import os\n", "other.py"))
    assert cached.misses == 3


@pytest.mark.fault
async def test_failures_are_not_cached(tmp_path):
    cached = CachedVerifier(Ruff(binary=str(tmp_path / "no-ruff")))
    for _ in range(2):
        with pytest.raises(VerifierError, match="not found"):
            await cached.check(request(tmp_path, "x = 1\n"))
    assert cached.misses == 2


@pytest.mark.fault
async def test_closing_stops_every_process_and_removes_the_private_files(tmp_path):
    (tmp_path / "app.py").write_text(LABEL)
    mypy, pyright = Mypy(workers=1), Pyright()
    await mypy.check(request(tmp_path, LABEL))
    await pyright.check(request(tmp_path, OPTIONAL))
    workers = [
        slot.worker.tool.process.pid for pool in mypy._pools.values() for slot in pool._slots
    ]
    servers = [server.session.tool.process.pid for server in pyright._servers.values()]
    homes = [mypy._home, pyright._home]
    assert len(workers) == 1 and len(servers) == 1 and all(home.is_dir() for home in homes)
    await mypy.aclose()
    await pyright.aclose()
    assert not any(_alive(pid) for pid in workers + servers)
    assert not any(home.exists() for home in homes)
