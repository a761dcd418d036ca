"""End to end in real VS Code: the packaged extension in code-server, driven through Chromium.

What a user does: fix a wrong `fixloop.server.path` from the error's "Open Settings",
store an API key from the palette, open a broken file, see the
squiggle and the status item's "1 fix", press Ctrl+. and Enter on the `fixloop:`
fix, and save. The model is the scripted server; everything else is real: the
.vsix built by `npm ci && vsce package`, VS Code 1.100 (code-server), the
extension launching `fixloop serve` from this virtualenv, ruff.

Needs what `.ci/install-editors` installs (Debian's chromium, code-server and
playwright-core from npm); the test runs that script, which skips what is there.
Screenshots go to `artifacts/` at the repository root.
"""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import write_config
from fixloop.fakes import Text
from helpers import search_replace

pytestmark = pytest.mark.vscode

REPO = Path(__file__).resolve().parents[2]
EXTENSION = REPO / "editors" / "vscode"
E2E = EXTENSION / ".e2e"
DRIVER = Path(__file__).parent / "vscode" / "drive.cjs"
ARTIFACTS = REPO / "artifacts"

BROKEN = 'import sys\n\n\ndef main():\n    print("é😀", sys.argv)\n    return pathlib.Path(".")\n'
FIXED = BROKEN.replace("import sys\n", "import sys\nimport pathlib\n")
NOQA = search_replace('    return pathlib.Path(".")', '    return pathlib.Path(".")  # noqa: F821')
FIX = search_replace("import sys", "import sys\nimport pathlib")
KEY_NAME = "FIXLOOP_E2E_KEY"
KEY = "sk-e2e-not-a-real-key-4242"
MAX_TOKENS = 777  # set only in VS Code's settings: proves they reach the server


def run(argv: list[str], *, cwd: Path, timeout: float, env: dict | None = None) -> str:
    """Run a build step; fail with its output's tail when it fails."""
    try:
        done = subprocess.run(
            argv,
            check=False,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"{' '.join(argv)} took more than {timeout}s:\n{(exc.stdout or '')[-3000:]}")
    if done.returncode != 0:
        pytest.fail(
            f"{' '.join(argv)} failed ({done.returncode}):\n{(done.stdout + done.stderr)[-4000:]}"
        )
    return done.stdout


@pytest.fixture(scope="module")
def editors_installed() -> None:
    run(["bash", str(REPO / ".ci" / "install-editors")], cwd=REPO, timeout=1200)


@pytest.fixture(scope="module")
def node_modules() -> None:
    """`npm ci` in editors/vscode, unless node_modules is newer than the lock file."""
    installed = EXTENSION / "node_modules" / ".package-lock.json"
    lock = EXTENSION / "package-lock.json"
    if not installed.is_file() or installed.stat().st_mtime < max(
        lock.stat().st_mtime, (EXTENSION / "package.json").stat().st_mtime
    ):
        run(["npm", "ci", "--no-audit", "--no-fund"], cwd=EXTENSION, timeout=600)


@pytest.fixture(scope="module")
def vsix(tmp_path_factory, node_modules) -> Path:
    """The extension packaged as users get it: `npm ci && vsce package`."""
    out = tmp_path_factory.mktemp("vsix") / "fixloop.vsix"
    run(
        ["npx", "vsce", "package", "--allow-missing-repository", "-o", str(out)],
        cwd=EXTENSION,
        timeout=300,
    )
    return out


def test_the_extensions_own_unit_tests_pass(node_modules):
    """`npm test`: tsc, then node's test runner on the settings → server tree mapping."""
    out = run(["npm", "test"], cwd=EXTENSION, timeout=300)
    assert re.search(r"^# pass [1-9]", out, re.MULTILINE) and re.search(
        r"^# fail 0$", out, re.MULTILINE
    ), out


class CodeServer:
    """code-server in its own process group, with its own user data and extensions."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.user_data = home / "user-data"
        self.extensions = home / "extensions"
        self.binary = E2E / "node_modules" / ".bin" / "code-server"
        self.env = {
            **os.environ,
            "XDG_CONFIG_HOME": str(home / "config"),
            "XDG_DATA_HOME": str(home / "data"),
            "EXTENSIONS_GALLERY": '{"serviceUrl": ""}',  # no marketplace: nothing leaves the machine
        }
        self.process: subprocess.Popen[str] | None = None
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.output: list[str] = []

    def argv(self, *args: str) -> list[str]:
        return [
            str(self.binary),
            "--config",
            str(self.home / "config.yaml"),
            "--user-data-dir",
            str(self.user_data),
            "--extensions-dir",
            str(self.extensions),
            *args,
        ]

    def install(self, vsix: Path, settings: dict) -> None:
        out = run(
            self.argv("--install-extension", str(vsix)), cwd=self.home, timeout=120, env=self.env
        )
        assert "successfully installed" in out, out
        user = self.user_data / "User"
        user.mkdir(parents=True, exist_ok=True)
        (user / "settings.json").write_text(json.dumps(settings, indent=2))

    def start(self, folder: Path, timeout: float = 60) -> str:
        """Start serving; the URL once it listens."""
        self.process = subprocess.Popen(
            self.argv(
                "--auth",
                "none",
                "--bind-addr",
                "127.0.0.1:0",
                "--disable-telemetry",
                "--disable-update-check",
                "--disable-workspace-trust",
                str(folder),
            ),
            cwd=self.home,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        threading.Thread(target=self._read, daemon=True).start()
        while True:
            try:
                line = self.lines.get(timeout=timeout)
            except queue.Empty:
                pytest.fail(f"code-server did not listen within {timeout}s:\n{self.log()}")
            if line is None:
                pytest.fail(f"code-server exited:\n{self.log()}")
            if match := re.search(r"HTTP server listening on (http://127\.0\.0\.1:\d+/)", line):
                return match.group(1)

    def _read(self) -> None:
        assert self.process and self.process.stdout
        for line in self.process.stdout:
            self.output.append(line)
            self.lines.put(line)
        self.lines.put(None)

    def log(self) -> str:
        return "".join(self.output)[-4000:]

    def extension_log(self) -> str:
        """The extension's `fixloop` output channel, as code-server wrote it to disk."""
        logs = sorted((self.user_data / "logs").rglob("*fixloop*.log"))
        return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-4000:]}" for p in logs)

    def logs_text(self) -> str:
        return "\n".join(
            p.read_text(errors="replace") for p in (self.user_data / "logs").rglob("*.log")
        )

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


@pytest.fixture
def code_server(tmp_path, editors_installed) -> Iterator[CodeServer]:
    home = tmp_path / "code-server"
    home.mkdir()
    server = CodeServer(home)
    try:
        yield server
    finally:
        server.stop()


def test_a_verified_fix_from_the_light_bulb(
    code_server: CodeServer, vsix: Path, tmp_path, model_server
):
    fixloop = Path(sys.executable).parent / "fixloop"
    assert fixloop.is_file(), f"{fixloop}: install fixloop in this virtualenv (pip install -e .)"
    settings = {
        "fixloop.server.path": str(tmp_path / "no-such-fixloop"),  # the first thing the user fixes
        "fixloop.models.fast.base_url": model_server.openai_base_url,
        "fixloop.models.fast.model": "scripted-fast",
        "fixloop.models.fast.max_tokens": MAX_TOKENS,
        "fixloop.models.fast.api_key_env": KEY_NAME,
        "fixloop.budget.attempts": 3,  # the smaller of this and .fixloop.toml's 4 applies
        "security.workspace.trust.enabled": False,
        "workbench.startupEditor": "none",
        "workbench.tips.enabled": False,
        "telemetry.telemetryLevel": "off",
        "extensions.ignoreRecommendations": True,
        "extensions.autoCheckUpdates": False,
        "update.mode": "none",
    }
    code_server.install(vsix, settings)

    workspace = tmp_path / "project"
    workspace.mkdir()
    write_config(workspace, model_server.openai_base_url, attempts=4, parallel=1)
    (workspace / "app.py").write_text(BROKEN)
    model_server.script(Text(NOQA), Text(FIX))
    url = code_server.start(workspace)

    ARTIFACTS.mkdir(exist_ok=True)
    screenshots = {
        "notFound": str(ARTIFACTS / "vscode-e2e-not-found.png"),
        "quickFix": str(ARTIFACTS / "vscode-e2e-quickfix.png"),
        "done": str(ARTIFACTS / "vscode-e2e.png"),
        "failure": str(ARTIFACTS / "vscode-e2e-failure.png"),
    }
    config = {
        "url": url,
        "folder": str(workspace),
        "file": "app.py",
        "serverPath": str(fixloop),
        "notFoundText": "cannot find the language server",
        "apiKeyName": KEY_NAME,
        "apiKey": KEY,
        "flaggedAt": "6:12",
        "fixTitle": "fixloop: import pathlib",
        "fixedLine": "import pathlib",
        "statsText": "fixloop: 1 loop, 1 fixed, 2 model attempts",
        "screenshots": screenshots,
        "stepSeconds": 90,
    }
    env = {**os.environ, "NODE_PATH": str(E2E / "node_modules")}
    try:
        driver = subprocess.run(
            ["node", str(DRIVER), json.dumps(config)],
            check=False,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=400,
        )
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"the driver hung:\n{exc.stdout}\n{code_server.extension_log()}")
    print(driver.stdout)  # the steps with their times, for -s and CI logs
    report = f"{driver.stdout}\n{code_server.extension_log()}"
    assert driver.returncode == 0, report

    # Saved through the editor: exactly the fix, nothing else touched.
    assert (workspace / "app.py").read_text() == FIXED, report
    # The noqa cheat was refused and the second reply won.
    requests = model_server.requests
    assert len(requests) == 2, report
    # VS Code's settings arrived as the server's tree, and the key from secret storage as $KEY_NAME.
    assert all(r.body.get("max_tokens") == MAX_TOKENS for r in requests), report
    assert all(r.headers.get("authorization") == f"Bearer {KEY}" for r in requests), report
    # The key is in neither the settings nor any log.
    assert KEY not in (code_server.user_data / "User" / "settings.json").read_text()
    assert KEY not in code_server.logs_text()
