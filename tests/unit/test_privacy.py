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
