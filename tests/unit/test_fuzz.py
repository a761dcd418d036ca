"""Bad input, fuzzed: edits, positions, replies and settings never crash or corrupt text."""

from __future__ import annotations

import math
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fixloop.config import ConfigError, build_settings, merge_layers, validate_layer
from fixloop.engine.replies import ReplyError, apply_reply, parse_reply
from fixloop.engine.window import Region, Window
from fixloop.lsp.convert import line_edit_to_text_edit
from fixloop.lsp.positions import from_client
from fixloop.text.edits import apply_line_edit, diff_line_edit
from fixloop.text.lines import split_lines

pytestmark = pytest.mark.badinput

ENCODINGS = ["utf-8", "utf-16", "utf-32"]
# Lines with what breaks naive code: non-ASCII (astral too), tabs, CR, empty lines.
LINE = st.text(alphabet=st.sampled_from(list("ab \t=:()é中😀") + ["\r"]), max_size=12)
TEXT = st.builds(
    lambda lines, ending, final: ending.join(lines) + (ending if final else ""),
    st.lists(LINE.map(lambda s: s.replace("\r", "")), max_size=8),
    st.sampled_from(["\n", "\r\n"]),
    st.booleans(),
)
FUZZ = settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def apply_text_edit_like_an_editor(text: str, edit, encoding: str) -> str:
    lines = split_lines(text)

    def offset(position) -> int:
        if position.line >= len(lines):
            return len(text)
        line = lines[position.line]
        column = from_client(line.rstrip("\r\n"), position.character, encoding)
        return sum(len(line) for line in lines[: position.line]) + column

    return text[: offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end) :]


@FUZZ
@given(TEXT, TEXT)
def test_the_smallest_edit_rebuilds_the_new_text(old, new):
    edit = diff_line_edit(old, new)
    if edit is None:
        assert old == new
    else:
        assert apply_line_edit(old, edit) == new


@FUZZ
@given(TEXT, TEXT, st.sampled_from(ENCODINGS))
def test_an_editor_applying_the_lsp_edit_gets_the_same_text(old, new, encoding):
    edit = diff_line_edit(old, new)
    if edit is None:
        return
    text_edit = line_edit_to_text_edit(split_lines(old), edit, encoding)
    assert apply_text_edit_like_an_editor(old, text_edit, encoding) == new


@FUZZ
@given(st.text(max_size=400))
def test_reply_parsing_fails_only_with_a_reason(reply):
    try:
        parse_reply(reply)
    except ReplyError as exc:
        assert str(exc)


ADVERSARIAL = st.lists(
    st.sampled_from(["<<<<<<< SEARCH", "=======", ">>>>>>> REPLACE", "```", "```python", "x = 1",
                     "", "    pass", "def f():", "~~~", "<<<<<<<SEARCH", ">>>>>>>REPLACE"]),
    max_size=12,
).map("\n".join)


@FUZZ
@given(ADVERSARIAL, TEXT)
def test_adversarial_replies_apply_inside_the_window_or_fail_with_a_reason(reply, text):
    lines = split_lines(text)
    window = Window((Region(0, len(lines)),), 0) if lines else Window((Region(0, 0),), 0)
    try:
        regions = apply_reply(text, window, parse_reply(reply))
    except ReplyError as exc:
        assert str(exc)
        return
    assert len(regions) == 1


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=10,
)
SECTIONS = st.dictionaries(
    st.sampled_from(["models", "budget", "verifiers", "gate", "files", "editor", "bogus"]),
    st.dictionaries(
        st.sampled_from(["fast", "parallel", "attempts", "python", "tests", "exclude", "debounce",
                         "usd_per_day", "model", "base_url", "typo"]),
        JSONISH,
        max_size=3,
    ) | JSONISH,
    max_size=3,
)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SECTIONS)
def test_settings_are_valid_or_refused_with_the_key_and_the_file(raw):
    try:
        build_settings(merge_layers({}, validate_layer(raw, "/ws/.fixloop.toml")), "/ws/.fixloop.toml")
    except ConfigError as exc:
        assert "/ws/.fixloop.toml" in str(exc)
        assert "`" in str(exc) or "table" in str(exc)


@pytest.mark.parametrize("text", ["", "\n", "x", "x\r\n", "é😀\n中"])
def test_edge_texts_round_trip(text):
    for new in ["", "y\n", text + "z"]:
        edit = diff_line_edit(text, new)
        assert edit is None or apply_line_edit(text, edit) == new


# --- config files as they are on disk ----------------------------------------------------

VALUES = st.sampled_from(
    ['"openai"', '"x"', "1", "0", "-1", "2.5", "true", '["python", "ruff"]', '["nope"]', "[]",
     "[1, 2]", "{}", '{ a = 1 }', '"http://127.0.0.1:1/v1"', "nan", "1e400", '"\\u00e9"']
)
KEYS = st.sampled_from(
    ["protocol", "base_url", "model", "attempts", "parallel", "usd_per_day", "python", "tests",
     "exclude", "max_bytes", "debounce", "timeout", "typo", "fixloop", "tool"]
)
HEADERS = st.sampled_from(
    ["[models.fast]", "[models.frontier]", "[models.slow]", "[models]", "[budget]", "[verifiers]",
     "[gate]", "[files]", "[editor]", "[bogus]", "[tool.fixloop]", "[tool.fixloop.budget]",
     "[tool]", "[[budget]]", "[budget", "[tool.fixloop.models.fast]"]
)
LINES = st.one_of(
    HEADERS,
    st.builds(lambda k, v: f"{k} = {v}", KEYS, VALUES),
    st.sampled_from(["", "# comment", "x =", "= 1", "tool = 1", "fixloop = 3", "a.b = 1"]),
    st.text(max_size=12),
)
CONFIG_TEXT = st.lists(LINES, max_size=12).map("\n".join)
CONFIG_BYTES = st.one_of(
    CONFIG_TEXT.map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.binary(max_size=64),
    st.builds(lambda t, b: t.encode("utf-8", "surrogatepass") + b, CONFIG_TEXT, st.binary(max_size=8)),
)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(CONFIG_BYTES, st.sampled_from([".fixloop.toml", "pyproject.toml"]))
def test_config_files_load_or_are_refused_with_the_file(data, name):
    import tempfile
    from pathlib import Path

    from fixloop.config import load_workspace_layer
    from fixloop.lsp.settings import SettingsStore

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / name).write_bytes(data)
        try:
            layer, path = load_workspace_layer(root)
            built = build_settings(merge_layers({}, layer), str(path))
        except ConfigError as exc:
            assert str(root / name) in str(exc)
        else:  # what is accepted is usable: no nan or inf for a delay, a limit or a price
            for table in (built.budget, built.editor, built.gate, *built.models.values()):
                for value in vars(table).values() if hasattr(table, "__dict__") else ():
                    assert not isinstance(value, float) or math.isfinite(value)
        # The server's store never raises: it reports and keeps what it had.
        said: list[str] = []
        store = SettingsStore(report=said.append)
        store.for_root(root)
        assert all(str(root / name) in message for message in said)


# --- buffers that are not text ------------------------------------------------------------

# Any code point, surrogates included (an editor's undecodable bytes), NUL and its kin often.
ANY_CHARS = st.text(
    alphabet=st.one_of(
        st.characters(exclude_categories=()),
        st.sampled_from(["\x00", "\udce9", "\ud800", "\udfff", "é", "😀", "\n", "\r"]),
    ),
    max_size=60,
)


@FUZZ
@given(ANY_CHARS, st.integers(min_value=1, max_value=80))
def test_a_buffer_is_text_or_refused_before_any_tool_or_model_sees_it(text, max_bytes):
    from pathlib import Path

    import anyio

    from fixloop.config import FileSettings
    from fixloop.engine.privacy import not_text, refusal

    path = Path("/nowhere/app.py")
    reason = not_text(path, text)
    broken = "\x00" in text or any(0xD800 <= ord(c) <= 0xDFFF for c in text)
    assert (reason is not None) is broken
    if reason:
        assert "app.py" in reason and "model" in reason
    refused = anyio.run(refusal, path, Path("/nowhere"), text, FileSettings(max_bytes=max_bytes))
    too_big = not broken and len(text.encode()) > max_bytes
    assert (refused is not None) is (broken or too_big)
