"""Simulated model profiles: the built-in ones, profile files, command-line overrides, errors."""

from __future__ import annotations

import json

import pytest

from fixloop.benchmark.profiles import BUILTIN, ProfileError, load_profile_file, resolve_profile


def test_builtin_profiles_have_their_stated_pace_odds_and_prices():
    mercury, frontier = BUILTIN["mercury-class"], BUILTIN["frontier-class"]
    assert (mercury.ttft, mercury.tokens_per_second) == (0.3, 1000.0)
    assert (frontier.ttft, frontier.tokens_per_second) == (2.0, 60.0)
    assert (mercury.usd_per_mtok_in, mercury.usd_per_mtok_out) == (0.25, 0.75)
    assert (frontier.usd_per_mtok_in, frontier.usd_per_mtok_out) == (3.0, 15.0)
    assert mercury.p_for("misspell") == 0.35 and mercury.p_for("arg-type") == 0.25
    assert frontier.p_for("misspell") == 0.8 and frontier.p_for("return-value") == 0.7
    assert mercury.protocol == "openai" and frontier.protocol == "anthropic"
    assert "Inception" in mercury.source and "Artificial Analysis" in frontier.source


def test_a_toml_profile_file_may_start_from_a_builtin_one(tmp_path):
    path = tmp_path / "local.toml"
    path.write_text(
        'name = "local-7b"\nbase = "mercury-class"\ntokens_per_second = 80\nttft = 0.1\n'
        "usd_per_mtok_in = 0\nusd_per_mtok_out = 0\n[p_right_by_kind]\nmisspell = 0.5\n"
    )
    profile = resolve_profile(str(path))
    assert profile.name == "local-7b" and profile.model_name == "local-7b"
    assert profile.tokens_per_second == 80.0 and profile.ttft == 0.1
    assert profile.p_for("misspell") == 0.5
    assert profile.p_for("drop-import") == BUILTIN["mercury-class"].p_right  # from the base
    assert profile.usd_per_mtok_out == 0.0


def test_a_json_profile_file_stands_alone(tmp_path):
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"name": "mine", "protocol": "anthropic", "p_right": 0.6}))
    profile = load_profile_file(path)
    assert (profile.name, profile.protocol, profile.p_right) == ("mine", "anthropic", 0.6)


def test_command_line_overrides_make_another_profile():
    profile = resolve_profile("mercury-class:ttft=0.5,tps=400,p=0.5,p.arg-type=0.1,out=1")
    assert profile.name == "mercury-class+"
    assert (profile.ttft, profile.tokens_per_second, profile.p_right) == (0.5, 400.0, 0.5)
    assert profile.p_for("arg-type") == 0.1 and profile.usd_per_mtok_out == 1.0
    assert resolve_profile("frontier-class:name=slow,tps=20").name == "slow"


@pytest.mark.parametrize(
    "spec, words",
    [
        ("gpt-9000", "unknown profile 'gpt-9000'"),
        ("mercury-class:speed=3", "unknown key"),
        ("mercury-class:tps=fast", "must be a number"),
        ("mercury-class:p=1.5", "between 0 and 1"),
        ("mercury-class:tps=0", "greater than 0"),
        ("mercury-class:protocol=grpc", "`protocol` must be one of"),
    ],
)
def test_bad_profiles_are_refused_with_the_reason(spec, words):
    with pytest.raises(ProfileError, match=words):
        resolve_profile(spec)


@pytest.mark.parametrize(
    "text, words",
    [
        ("tokens_per_second = 3\n", "`name` is required"),
        ('name = "x"\nspeed = 3\n', "unknown key"),
        ('name = "x"\nbase = "gpt"\n', "`base` must name a built-in profile"),
        ('name = "x"\nttft = "fast"\n', "`ttft` must be a number"),
        ('name = "x"\n[wrong]\nlucky = 1\n', "unknown kind"),
        ("name = ", "not valid TOML"),
    ],
)
def test_bad_profile_files_name_the_file_and_the_key(tmp_path, text, words):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ProfileError, match=words) as caught:
        load_profile_file(path)
    assert "bad.toml" in str(caught.value) or "profile" in str(caught.value)
