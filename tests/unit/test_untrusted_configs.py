"""What an untrusted workspace's tool configuration may carry over (pure, no tool runs)."""

from __future__ import annotations

import pytest

from fixloop.verifiers.mypy_config import PluginsNamed, untrusted_config

pytestmark = pytest.mark.trust


def test_only_options_that_change_what_mypy_reports_are_carried_over(tmp_path):
    (tmp_path / "mypy.ini").write_text(
        "[mypy]\nSTRICT = True\nwarn_unreachable: true\npython_executable = /tmp/evil\n"
        "mypy_path = /tmp/stubs\ncustom_typeshed_dir = /tmp/ts\njunit_xml = /tmp/out.xml\n"
        "\n[mypy-vendored.*]\nignore_errors = True\n"
    )
    config = untrusted_config(tmp_path)
    assert config.text == (
        "[mypy]\nstrict = True\nwarn_unreachable = true\n\n"
        "[mypy-vendored.*]\nignore_errors = True\n"
    )
    assert set(config.dropped) == {
        "mypy.python_executable", "mypy.mypy_path", "mypy.custom_typeshed_dir", "mypy.junit_xml"
    }
    assert config.source == tmp_path / "mypy.ini"


def test_pyproject_overrides_become_module_sections(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.mypy]\ndisallow_untyped_defs = true\nenable_error_code = ["ignore-without-code"]\n'
        '[[tool.mypy.overrides]]\nmodule = ["a.*", "b"]\nignore_missing_imports = true\n'
    )
    text = untrusted_config(tmp_path).text
    assert "[mypy]\ndisallow_untyped_defs = True\nenable_error_code = ignore-without-code\n" in text
    assert "[mypy-a.*]\nignore_missing_imports = True\n" in text
    assert "[mypy-b]\nignore_missing_imports = True\n" in text


@pytest.mark.parametrize(
    "name, text",
    [
        ("mypy.ini", "[mypy]\nPLUGINS = evil.py\n"),
        (".mypy.ini", "[mypy]\nplugins: evil.py\n"),
        ("setup.cfg", "[mypy]\n  plugins =\n    evil.py\n"),
        ("pyproject.toml", '[tool.mypy]\nplugins = ["evil"]\n'),
        ("pyproject.toml", '[tool.mypy]\nPlugins = ["evil"]\n'),
    ],
)
def test_plugins_in_any_form_are_refused(tmp_path, name, text):
    (tmp_path / name).write_text(text)
    with pytest.raises(PluginsNamed) as caught:
        untrusted_config(tmp_path)
    assert caught.value.path == tmp_path / name


def test_a_value_cannot_start_a_section_of_its_own(tmp_path):
    (tmp_path / "mypy.ini").write_text("[mypy]\nstrict =\n  True\n  [mypy-x]\n")
    text = untrusted_config(tmp_path).text
    assert [line for line in text.splitlines() if line.startswith("[")] == ["[mypy]"]
    assert "strict = True [mypy-x]" in text


def test_setup_cfg_without_a_mypy_section_is_not_mypys(tmp_path):
    (tmp_path / "setup.cfg").write_text("[metadata]\nname = x\n")
    config = untrusted_config(tmp_path)
    assert config.source is None and config.text.startswith("[mypy]")


def test_vscode_restricts_every_routing_setting_in_untrusted_workspaces():
    # A workspace's .vscode/settings.json is the workspace's word, like its .fixloop.toml:
    # VS Code ignores it for these keys until the folder is trusted.
    import json
    from pathlib import Path

    from fixloop.config import ROUTING, TIERS

    package = Path(__file__).resolve().parents[2] / "editors" / "vscode" / "package.json"
    restricted = set(
        json.loads(package.read_text())["capabilities"]["untrustedWorkspaces"][
            "restrictedConfigurations"
        ]
    )
    assert {f"fixloop.models.{t}.{k}" for t in TIERS for k in ROUTING} <= restricted
