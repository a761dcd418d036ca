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


# --- detect-secrets over the whole file ---------------------------------------------------

AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
STRIPE = "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc"
GITHUB = "ghp_" + "Z9y8X7w6V5u4T3s2R1q0Z9y8X7w6V5u4T3s2"
PRIVATE_KEY_BODY = [
    "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW",
    "QyNTUxOQAAACBdT1Pp3Q2Jm8fQ0x7hK1sN9vR6wY4cZ2eA5gL8uI3oTQAAAJgF0zXkBdM1",
    "5AAAAAtzc2gtZWQyNTUxOQAAACBdT1Pp3Q2Jm8fQ0x7hK1sN9vR6wY4cZ2eA5gL8uI3oTQ",
]
KINDS = {
    "aws-secret": (f'AWS_SECRET_ACCESS_KEY = "{AWS_SECRET}"\n', AWS_SECRET),
    "short-password": ('db_password = "Sup3rS3cret"\n', "Sup3rS3cret"),
    "annotated": ('admin_password: str = "hunter2hunter2"\n', "hunter2hunter2"),
    "typed-go": ('var password string = "hunter2hunter2"\n', "hunter2hunter2"),
    "keyword-argument": (f'CLIENT = make(api_key="{KEY}")\n', KEY),
    "stripe": (f'STRIPE = "{STRIPE}"\n', STRIPE),
    "github": (f'TOKEN = "{GITHUB}"\n', GITHUB),
    "basic-auth-url": ('DB = "postgres://admin:pw4Sup3r@db.internal/app"\n', "pw4Sup3r"),
    "url-without-user": ('CACHE = "redis://:RedisRedPass44@cache:6379/0"\n', "RedisRedPass44"),
    "bytes-password": ('password = b"BytesPw49"\n', "BytesPw49"),
}


@pytest.mark.parametrize("kind", list(KINDS))
def test_each_kind_of_secret_is_masked_wherever_it_occurs_and_restored(kind):
    line, secret = KINDS[kind]
    text = f"import os\n\n{line}\n\ndef use():\n    return {secret!r}\n"
    masked = mask(text)
    assert secret not in masked.text
    assert masked.text.count("<fixloop-secret-") >= 2  # both places
    assert masked.unmask(masked.text) == text


def test_fragments_and_ordinary_code_are_not_masked():
    text = (
        'db_password = "Sup3rS3cret"\nTIMEOUT = 30\n\n\ndef handle(db, request):\n'
        "    return request.get(db)\n"
    )
    masked = mask(text)
    assert "Sup3rS3cret" not in masked.text
    # The entropy plugins report 'db' and '3c' in eager mode: no two-letter fragment is masked.
    assert "def handle(db, request):\n    return request.get(db)\n" in masked.text
    assert "TIMEOUT = 30" in masked.text
    assert mask("def f(x):\n    return x + 1\n").secrets == ()


@pytest.mark.parametrize("kind", ["OPENSSH ", "RSA ", "ENCRYPTED ", "EC ", ""])
def test_a_private_key_is_masked_whole_though_only_its_begin_line_is_a_result(kind):
    # detect-secrets knows no `ENCRYPTED PRIVATE KEY` (PKCS#8 with a passphrase): found anyway.
    text = "\n".join(
        [f'KEY = """-----BEGIN {kind}PRIVATE KEY-----', *PRIVATE_KEY_BODY,
         f'-----END {kind}PRIVATE KEY-----"""', "", "x = 1", ""]
    )
    masked = mask(text)
    for line in PRIVATE_KEY_BODY:
        assert line not in masked.text
    # a window that holds the body alone (its BEGIN line far above) is masked too
    from fixloop.engine.secrets import Masker, find_secrets

    window = "\n".join(PRIVATE_KEY_BODY[1:])
    assert not any(line in Masker.of(find_secrets(text)).mask(window) for line in PRIVATE_KEY_BODY)
    assert masked.unmask(masked.text) == text


def test_a_new_version_is_scanned_where_it_changed_and_cached_lines_still_count():
    from fixloop.engine.secrets import find_secrets

    first = "import os\n\n\ndef f():\n    return 1\n"
    assert find_secrets(first, "a.py") == frozenset()
    second = first + 'db_password = "Sup3rS3cret"\n'
    assert find_secrets(second, "a.py") == {"Sup3rS3cret"}
    third = 'db_password = "Sup3rS3cret"\n' + first  # the same line, now cached, elsewhere
    assert find_secrets(third, "a.py") == {"Sup3rS3cret"}
