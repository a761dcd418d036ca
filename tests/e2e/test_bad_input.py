"""Bad input through `fixloop serve`: broken `.fixloop.toml` edits, and files that must not
reach a model (binary, not UTF-8, too large, secret, ignored).

A bad config gets one message naming the key and the file, and the loops go
on with the last good settings; the file is read again whenever it changes on
disk. A file that must not reach a model never does: the scripted model
server sees no request for it.
"""

from __future__ import annotations

import os
import subprocess

import pytest
from conftest import write_config
from fixloop.fakes import Text
from helpers import search_replace
from lspwire import Wire, until

pytestmark = [pytest.mark.e2e, pytest.mark.badinput]

BROKEN = "import sys\n\n\ndef main():\n    print(sys.argv)\n    return pathlib.Path('.')\n"
FIX = search_replace("import sys", "import sys\nimport pathlib")

# (what is written to .fixloop.toml, what the one message must say)
BAD_CONFIGS = [
    ('[budget]\nattempts = "many"\n', "`budget.attempts` must be an integer, got 'many'"),
    ("[budget]\natempts = 3\n", "unknown key `budget.atempts`"),
    ("[bogus]\nx = 1\n", "unknown section `bogus`"),
    (
        '[models.fast]\nprotocol = "openai"\nbase_url = "http://127.0.0.1:1/v1"\n',
        "`models.fast.model` is required",
    ),
    ("[budget\nattempts = 2\n", "not valid TOML"),
    ("[editor]\ndebounce = inf\n", "`editor.debounce` must be a finite number, got inf"),
    (b"[budget]\nattempts = 2 # \xff\n", "line 2 is not UTF-8"),
    # Once "internal error ... OverflowError" on every check.
    (f"[verifiers]\ntimeout = {10**50}\n", "`verifiers.timeout` must be at most 86,400"),
]


def config(root, server, model: str):
    path = write_config(root, server.openai_base_url, attempts=2)
    path.write_text(path.read_text().replace("scripted-fast", model))
    return path


def fixed(wire: Wire) -> int:
    """How many loops have ended with a fix so far (from the server's log)."""
    return sum("fixed after" in line for line in wire.logs())


async def test_a_bad_config_edit_is_named_and_the_last_good_settings_are_kept(
    tmp_path, model_server, serve
):
    path = config(tmp_path, model_server, "model-good")
    model_server.default = Text(FIX)
    wire = await serve(tmp_path)
    await wire.initialize([tmp_path])
    uri = wire.open(tmp_path / "app.py", BROKEN)
    await wire.diagnostics(uri, 1)
    await wire.status(lambda s: s["fixes"] == 1)
    version = 1

    for content, expected in BAD_CONFIGS:
        # Written whole (as editors save): the server re-reads the file whenever it looks,
        # and a half-written file is another test's matter.
        draft = path.with_name(".fixloop.toml.draft")
        draft.write_bytes(content if isinstance(content, bytes) else content.encode())
        os.replace(draft, path)
        # An edit inside the window: a new loop, which reads the settings again.
        version += 1
        asked, done = len(model_server.requests), fixed(wire)
        wire.change(uri, version, BROKEN.replace("sys.argv", f"sys.argv, {version}"))
        await wire.diagnostics(uri, version)
        await until(lambda done=done: fixed(wire) > done, 30)
        said = await until(lambda expected=expected: [m for m in wire.shown() if expected in m], 30)
        assert len(said) == 1 and str(path) in said[0], (expected, wire.shown())
        assert "keeping the previous settings" in said[0]
        # The new loop ran on the last good settings: the same model, the same limits.
        assert len(model_server.requests) > asked
        assert {r.body["model"] for r in model_server.requests[asked:]} == {"model-good"}

    # A good file again is picked up at the next check (it is read whenever it changes).
    (tmp_path / "draft").mkdir()
    os.replace(config(tmp_path / "draft", model_server, "model-mended"), path)
    asked = len(model_server.requests)
    # A text not seen before: a remembered fix would need no model request at all.
    wire.change(uri, version + 1, BROKEN.replace("sys.argv", "sys.argv, 'mended'"))
    await wire.diagnostics(uri, version + 1)
    await until(lambda: len(model_server.requests) > asked, 30)
    assert model_server.requests[-1].body["model"] == "model-mended"
    assert await wire.shutdown() == 0


def git_init(folder) -> None:
    subprocess.run(["git", "init", "-q", str(folder)], check=True)


BIG = BROKEN + "".join(f"\n\ndef f{i}():\n    return {i}\n" for i in range(100))


async def test_files_that_must_not_reach_a_model_never_do(tmp_path, model_server, serve):
    write_config(tmp_path, model_server.openai_base_url, extra="\n[files]\nmax_bytes = 1000\n")
    git_init(tmp_path)
    (tmp_path / ".gitignore").write_text("generated/\n")
    (tmp_path / "generated").mkdir()
    model_server.default = Text(FIX)
    wire = await serve(tmp_path)
    await wire.initialize([tmp_path])

    # Not checked at all: no tool can read them (and nothing was published but an empty list).
    for name, text, expected in (
        ("binary.py", "x = 1\x00\x01\x02\nimport os\n", "binary.py contains NUL bytes"),
        (
            "latin1.py",
            "s = 'caf\udce9'\nimport os\n",
            "latin1.py is not valid UTF-8 (undecodable bytes on line 1)",
        ),
    ):
        uri = wire.open(tmp_path / name, text)
        assert await wire.diagnostics(uri, 1) == []
        said = await until(lambda expected=expected: [m for m in wire.shown() if expected in m], 30)
        assert len(said) == 1 and "nor sends it to a model" in said[0]

    # Checked and shown, never sent.
    for name, text, expected in (
        ("big.py", BIG, "over files.max_bytes (1000)"),
        ("secrets.py", BROKEN, "looks like a secret file"),
        ("generated/out.py", BROKEN, "ignored by git"),
    ):
        uri = wire.open(tmp_path / name, text)
        codes = [d["code"] for d in await wire.diagnostics(uri, 1)]
        assert "F821" in codes
        said = await until(lambda expected=expected: [m for m in wire.shown() if expected in m], 30)
        assert len(said) == 1, wire.shown()

    assert model_server.requests == []
    # The same broken code in an ordinary file goes to the model: the server was not just idle.
    wire.open(tmp_path / "app.py", BROKEN)
    await wire.status(lambda s: s["fixes"] == 1)
    (request,) = model_server.requests
    assert "File: app.py" in request.prompt_text
    assert await wire.shutdown() == 0


async def test_an_edit_that_makes_a_file_binary_clears_it_and_stops_its_loop(
    tmp_path, model_server, serve
):
    from fixloop.fakes import Hang

    write_config(tmp_path, model_server.openai_base_url)
    model_server.default = Hang()
    wire: Wire = await serve(tmp_path)
    await wire.initialize([tmp_path])
    uri = wire.open(tmp_path / "app.py", BROKEN)
    assert await wire.diagnostics(uri, 1)
    await model_server.await_requests(1)
    wire.change(uri, 2, BROKEN + "\x00")
    assert await wire.diagnostics(uri, 2) == []
    await model_server.await_disconnects(1)  # its running request was dropped
    await wire.status(lambda s: s["running"] == 0 and s["queued"] == 0)
    assert len(model_server.requests) == 1
    assert await wire.shutdown() == 0


def fixloop_cli(*args: str, cwd) -> subprocess.CompletedProcess:
    import sys

    return subprocess.run(
        [sys.executable, "-m", "fixloop", *args],
        cwd=cwd, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
    )


@pytest.mark.parametrize(
    "key, line",
    [
        ("models.fast.max_tokens", f"max_tokens = {10**50}"),
        ("models.fast.usd_per_mtok_in", f"usd_per_mtok_in = {10**50}"),
        ("models.fast.timeout", f"timeout = {10**50}"),
    ],
)
def test_a_huge_number_stops_the_cli_before_any_request(tmp_path, model_server, key, line):
    path = write_config(tmp_path, model_server.openai_base_url)
    name = line.partition(" =")[0]
    text = "\n".join(l for l in path.read_text().splitlines() if not l.startswith(name + " "))
    path.write_text(text.replace('model = "scripted-fast"', f'model = "scripted-fast"\n{line}'))
    (tmp_path / "app.py").write_text(BROKEN)
    model_server.default = Text(FIX)
    run = fixloop_cli("fix", "app.py", cwd=tmp_path)
    assert run.returncode == 2, run.stderr
    assert f"`{key}` must be at most" in run.stderr and str(path) in run.stderr
    assert "Traceback" not in run.stderr
    assert model_server.requests == []


def test_a_settings_file_that_is_a_folder_is_said_by_the_cli(tmp_path):
    (tmp_path / ".fixloop.toml").mkdir()
    (tmp_path / "app.py").write_text(BROKEN)
    run = fixloop_cli("check", "app.py", cwd=tmp_path)
    assert run.returncode == 2
    assert f"{tmp_path / '.fixloop.toml'}: is a folder" in run.stderr
    assert "Traceback" not in run.stderr


def test_a_deeply_nested_settings_file_is_named_not_a_traceback(tmp_path):
    config = tmp_path / ".fixloop.toml"
    config.write_text("x = " + "[" * 3000 + "]" * 3000 + "\n")
    (tmp_path / "app.py").write_text(BROKEN)
    for command in ("check", "fix"):
        run = fixloop_cli(command, "app.py", cwd=tmp_path)
        assert run.returncode == 2, run.stderr
        assert f"{config}: not valid TOML for fixloop: nested too deeply" in run.stderr
        assert "Traceback" not in run.stderr
