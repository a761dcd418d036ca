"""What may go to a model: secret files, excluded and ignored files, large files, secrets in text."""

import subprocess
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fixloop.config import FileSettings
from fixloop.engine.privacy import is_secret_file, mask, refusal

pytestmark = pytest.mark.trust

KEY = "sk-ant-api03-" + "a1B2" * 10


@pytest.mark.parametrize("name", [".env", ".env.local", "prod.env", "id_rsa", "server.pem", "tls.key", "credentials.json"])
def test_secret_files_are_recognised(name):
    assert is_secret_file(Path(name))


@pytest.mark.parametrize("name", ["app.py", "environment.py", "keys.py", "test_env.py"])
def test_ordinary_files_are_not_secret(name):
    assert not is_secret_file(Path(name))


async def test_refusals(tmp_path):
    settings = FileSettings(exclude=("generated/*",), max_bytes=100)
    assert "secret" in await refusal(tmp_path / ".env", tmp_path, "X=1\n", settings)
    assert "files.exclude" in await refusal(tmp_path / "generated" / "a.py", tmp_path, "x = 1\n", settings)
    assert "max_bytes" in await refusal(tmp_path / "big.py", tmp_path, "x = 1\n" * 50, settings)
    assert await refusal(tmp_path / "app.py", tmp_path, "x = 1\n", settings) is None


async def test_git_ignored_files_are_refused(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / ".gitignore").write_text("private/\n")
    reason = await refusal(tmp_path / "private" / "notes.py", tmp_path, "x = 1\n", FileSettings())
    assert reason and "ignored by git" in reason
    assert await refusal(tmp_path / "public.py", tmp_path, "x = 1\n", FileSettings()) is None


def test_secrets_are_masked_and_restored():
    text = f'CLIENT = make(api_key="{KEY}")\npassword = "hunter2-but-longer"\nAWS = "AKIAABCDEFGHIJKLMNOP"\n'
    masked = mask(text)
    assert KEY not in masked.text and "hunter2-but-longer" not in masked.text
    assert "AKIAABCDEFGHIJKLMNOP" not in masked.text
    assert masked.unmask(masked.text) == text
    # A reply that echoes a placeholder gets the real secret back.
    reply = masked.text.splitlines()[0].replace("make(", "build(")
    assert masked.unmask(reply) == f'CLIENT = build(api_key="{KEY}")'


@given(st.text())
def test_masking_round_trips_any_text(text):
    masked = mask(text)
    assert masked.unmask(masked.text) == text if "<fixloop-secret-" not in text else True


# --- .gitignore read by fixloop: git never runs (it would run the repository's config) ----

def fsmonitor_repo(root: Path, marker: Path) -> None:
    """A repository whose config runs a command whenever git looks at its files."""
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(
        ["git", "-C", str(root), "config", "core.fsmonitor", f"echo ran >> '{marker}'; false"],
        check=True,
    )


async def test_git_ignore_rules_are_read_without_running_git(tmp_path):
    marker = tmp_path.parent / f"{tmp_path.name}-fsmonitor-ran"
    fsmonitor_repo(tmp_path, marker)
    (tmp_path / ".gitignore").write_text("private/\n")
    reason = await refusal(tmp_path / "private" / "a.py", tmp_path, "x = 1\n", FileSettings())
    assert reason and "ignored by git" in reason
    assert await refusal(tmp_path / "public.py", tmp_path, "x = 1\n", FileSettings()) is None
    assert not marker.exists()


@pytest.mark.parametrize(
    "files, path, ignored",
    [
        ({".gitignore": "*.log\n"}, "sub/deep/x.log", True),
        ({"sub/.gitignore": "gen_*.py\n"}, "sub/gen_a.py", True),
        ({"sub/.gitignore": "gen_*.py\n"}, "gen_a.py", False),  # applies below its folder only
        ({"sub/.gitignore": "/top.py\n"}, "sub/top.py", True),  # anchored to its own folder
        ({".gitignore": "*.py\n", "sub/.gitignore": "!keep.py\n"}, "sub/keep.py", False),
        ({".gitignore": "build/\n!build/keep.py\n"}, "build/keep.py", True),  # folder hides it
        ({".git/info/exclude": "local_*.py\n"}, "local_notes.py", True),
        ({".git/info/exclude": "*.py\n", ".gitignore": "!app.py\n"}, "app.py", False),
        ({".gitignore": "# comment\n\\#literal.py\n"}, "#literal.py", True),
        ({}, "app.py", False),
    ],
)
def test_gitignore_semantics(tmp_path, files, path, ignored):
    from fixloop.engine.gitignore import git_ignores

    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    env = {"HOME": str(tmp_path / "home")}  # no global excludes file of the machine's
    assert git_ignores(tmp_path / path, tmp_path, env) is ignored
    if files:  # git itself agrees (run here by the test, on a repository without hooks)
        run = subprocess.run(
            ["git", "-c", "core.excludesFile=/dev/null", "-C", str(tmp_path), "check-ignore",
             "-q", "--no-index", "--", path],
            capture_output=True, check=False,
        )
        assert (run.returncode == 0) is ignored
