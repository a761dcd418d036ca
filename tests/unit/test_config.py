"""Settings: defaults, precedence, and errors that name the key and the file."""

import pytest

from fixloop.config import (
    ConfigError,
    build_settings,
    load_workspace_layer,
    merge_layers,
    validate_layer,
)
from fixloop.lsp.settings import SettingsStore


def test_defaults_without_any_file(tmp_path):
    layer, path = load_workspace_layer(tmp_path)
    settings = build_settings(merge_layers({}, layer))
    assert path is None
    assert settings.models == {}
    assert settings.budget.attempts == 8 and settings.budget.parallel == 3
    assert settings.verifiers.python == ("python", "ruff")


def test_pyproject_tool_section_is_read(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n[tool.fixloop.budget]\nattempts = 5\n'
    )
    layer, path = load_workspace_layer(tmp_path)
    assert path == tmp_path / "pyproject.toml"
    assert build_settings(layer).budget.attempts == 5


def test_workspace_wins_but_the_smaller_cap_wins():
    editor = validate_layer({"budget": {"parallel": 2, "attempts": 20, "auto_escalate": True}}, "e")
    workspace = validate_layer({"budget": {"parallel": 5, "attempts": 4, "auto_escalate": False}}, "w")
    budget = build_settings(merge_layers(editor, workspace)).budget
    assert (budget.parallel, budget.attempts, budget.auto_escalate) == (2, 4, False)


@pytest.mark.parametrize(
    "toml, message",
    [
        ("[budget]\nparalel = 2\n", "unknown key `budget.paralel`"),
        ("[budget]\nparallel = 0\n", "`budget.parallel` must be at least 1"),
        ('[budget]\nseconds = "30"\n', "`budget.seconds` must be a number"),
        ("[verifiers]\npython = ['ruff', 'pylint']\n", "unknown verifier(s) pylint"),
        ("[models.slow]\nmodel = 'x'\n", "unknown model tier `models.slow`"),
        ("[models.fast]\nprotocol = 'grpc'\n", "`models.fast.protocol` must be one of"),
        ("[budgets]\n", "unknown section `budgets`"),
        ("[budget\n", "not valid TOML"),
    ],
)
def test_bad_files_name_the_key_and_the_file(tmp_path, toml, message):
    (tmp_path / ".fixloop.toml").write_text(toml)
    with pytest.raises(ConfigError) as caught:
        load_workspace_layer(tmp_path)
    assert message in str(caught.value)
    assert str(tmp_path / ".fixloop.toml") in str(caught.value)


def test_a_model_needs_its_address():
    with pytest.raises(ConfigError, match="`models.fast.base_url` is required"):
        build_settings(validate_layer({"models": {"fast": {"model": "m"}}}, "f"), "f")


def test_the_store_keeps_the_last_good_settings(tmp_path):
    reports = []
    store = SettingsStore(report=reports.append)
    config = tmp_path / ".fixloop.toml"
    config.write_text("[budget]\nattempts = 3\n")
    assert store.for_root(tmp_path).budget.attempts == 3
    config.write_text("[budget]\nattempts = 'many'\n")
    assert store.for_root(tmp_path).budget.attempts == 3
    assert len(reports) == 1 and "budget.attempts" in reports[0] and str(config) in reports[0]
    config.write_text("[budget]\nattempts = 4\n")
    assert store.for_root(tmp_path).budget.attempts == 4


def test_bad_editor_settings_are_reported_and_ignored(tmp_path):
    reports = []
    store = SettingsStore(report=reports.append)
    store.set_editor({"budget": {"parallel": 2}}, "initializationOptions")
    store.set_editor({"budget": {"parallel": "x"}}, "editor settings")
    assert store.for_root(tmp_path).budget.parallel == 2
    assert "editor settings" in reports[0] and "budget.parallel" in reports[0]


HUGE = 10**50


@pytest.mark.badinput
@pytest.mark.parametrize(
    "toml, message",
    [
        (f"[models.fast]\nmax_tokens = {HUGE}\n", "`models.fast.max_tokens` must be at most 1,000,000"),
        (f"[models.fast]\nusd_per_mtok_in = {HUGE}\n", "`models.fast.usd_per_mtok_in` must be at most"),
        ("[models.fast]\nusd_per_mtok_out = 1e300\n", "`models.fast.usd_per_mtok_out` must be at most"),
        (f"[models.frontier]\ntimeout = {HUGE}\n", "`models.frontier.timeout` must be at most 86,400"),
        ("[models.fast]\ntemperature = 9.5\n", "`models.fast.temperature` must be at most 2"),
        (f"[budget]\nusd_per_day = {HUGE}\n", "`budget.usd_per_day` must be at most"),
        (f"[budget]\nattempts = {HUGE}\n", "`budget.attempts` must be at most 1,000"),
        (f"[budget]\nfrontier_attempts = {HUGE}\n", "`budget.frontier_attempts` must be at most"),
        ("[budget]\nladder_attempts = 0\n", "`budget.ladder_attempts` must be at least 1"),
        ("[budget]\nladder_attempts = \"two\"\n", "`budget.ladder_attempts` must be an integer"),
        ("[budget]\nparallel = 100000\n", "`budget.parallel` must be at most 64"),
        ("[budget]\nloops = 100000\n", "`budget.loops` must be at most 64"),
        ("[budget]\nseconds = 1e100\n", "`budget.seconds` must be at most 86,400"),
        ("[budget]\nseconds = 0\n", "`budget.seconds` must be greater than 0"),
        ("[budget]\nusd_per_day = -1\n", "`budget.usd_per_day` must not be negative"),
        (f"[verifiers]\ntimeout = {HUGE}\n", "`verifiers.timeout` must be at most 86,400"),
        (f"[gate]\ntimeout = {HUGE}\n", "`gate.timeout` must be at most 86,400"),
        (f"[files]\nmax_bytes = {HUGE}\n", "`files.max_bytes` must be at most"),
        (f"[editor]\ndebounce = {HUGE}\n", "`editor.debounce` must be at most 60"),
        (
            f"[verifiers.command.lint]\nargv = ['lint']\nfiles = ['*.py']\npattern = '(?P<line>\\\\d+) (?P<message>.*)'\ntimeout = {HUGE}\n",
            "`verifiers.command.lint.timeout` must be at most 86,400",
        ),
    ],
)
def test_every_number_is_bounded_at_load(tmp_path, toml, message):
    (tmp_path / ".fixloop.toml").write_text(toml)
    with pytest.raises(ConfigError) as caught:
        load_workspace_layer(tmp_path)
    assert message in str(caught.value)
    assert str(tmp_path / ".fixloop.toml") in str(caught.value)


@pytest.mark.badinput
def test_a_settings_file_that_is_a_folder_is_said(tmp_path):
    from fixloop.config import find_root

    (tmp_path / ".fixloop.toml").mkdir()
    (tmp_path / "sub").mkdir()
    assert find_root(tmp_path / "sub" / "a.py") == tmp_path
    with pytest.raises(ConfigError) as caught:
        load_workspace_layer(tmp_path)
    assert str(tmp_path / ".fixloop.toml") in str(caught.value)
    assert "is a folder" in str(caught.value)


DEEP = "x = " + "[" * 3000 + "]" * 3000 + "\n"
SERVER = "[models.fast]\nprotocol = 'openai'\nmodel = 'm'\n"


@pytest.mark.badinput
@pytest.mark.parametrize(
    "name, toml, message",
    [
        (".fixloop.toml", DEEP, "not valid TOML for fixloop: nested too deeply"),
        ("pyproject.toml", "[tool.fixloop]\n" + DEEP, "not valid TOML for fixloop: nested too deeply"),
        (".fixloop.toml", "[models]\n", "`models` names no model"),
        (".fixloop.toml", SERVER + "base_url = 'ftp//nope'\n", "`models.fast.base_url` must be an http"),
        (".fixloop.toml", SERVER + "base_url = 'ftp://h/v1'\n", "`models.fast.base_url` must be an http"),
        (".fixloop.toml", SERVER + "base_url = 'http:///v1'\n", "`models.fast.base_url` must be an http"),
        (".fixloop.toml", SERVER + "base_url = 'http://h:port/v1'\n", "`models.fast.base_url` must be an http"),
        (
            ".fixloop.toml",
            "[models.fast]\nprotocol = 'local'\nmodel = 'qwen2.5-coder-0.5b'\nbase_url = 'http://127.0.0.1:9'\n",
            "`models.fast.base_url` is not used with protocol = \"local\"",
        ),
        (".fixloop.toml", SERVER + "base_url = 'http://h/v1'\napi_key_env = ''\n", "`models.fast.api_key_env` must be the name"),
        (".fixloop.toml", SERVER + "base_url = 'http://h/v1'\napi_key_env = 'MY KEY'\n", "`models.fast.api_key_env` must be the name"),
    ],
)
def test_bad_structure_and_addresses_name_the_key_and_the_file(tmp_path, name, toml, message):
    (tmp_path / name).write_text(toml)
    with pytest.raises(ConfigError) as caught:
        load_workspace_layer(tmp_path)
    assert message in str(caught.value)
    assert str(tmp_path / name) in str(caught.value)


@pytest.mark.badinput
def test_a_long_bad_value_is_shown_short(tmp_path):
    (tmp_path / ".fixloop.toml").write_text(SERVER + f"base_url = 'ftp://{'x' * 100_000}'\n")
    with pytest.raises(ConfigError) as caught:
        load_workspace_layer(tmp_path)
    assert "`models.fast.base_url`" in str(caught.value) and len(str(caught.value)) < 500


def test_good_addresses_and_key_names_are_accepted():
    for url in ("http://127.0.0.1:11434/v1", "https://api.example.com/v1", "HTTPS://[::1]:8080"):
        layer = validate_layer(
            {"models": {"fast": {"base_url": url, "model": "m", "api_key_env": "MY_KEY_2"}}}, "f"
        )
        assert build_settings(layer, "f").models["fast"].base_url == url
    local = validate_layer({"models": {"fast": {"protocol": "local", "model": "qwen2.5-coder-0.5b"}}}, "f")
    assert build_settings(local, "f").models["fast"].protocol == "local"
