"""Whole-region replies: held to one fenced block and sized to the region they rewrite."""

from __future__ import annotations

import pytest
from fixloop.engine.prompt import ReplyFormat, build_request, whole_reply_tokens
from fixloop.engine.results import Snapshot
from fixloop.engine.window import make_window
from fixloop.providers import ChatRequest, Fence, Message
from fixloop.providers.local import _ThreadedDialect
from fixloop.providers.local.grammar import fenced_block
from fixloop.verifiers.base import Finding, Span

TEXT = "import os\n\n\ndef f(x)\n    return x + 1\n\n\nprint(f(2))\n"
FINDING = Finding("python", "SyntaxError", "expected ':'", Span(3, 8, 3, 9))


def _request(tmp_path, reply_format: ReplyFormat, max_tokens: int = 1024) -> ChatRequest:
    snapshot = Snapshot("file:///a.py", 1, TEXT, tmp_path / "a.py", tmp_path)
    window = make_window(TEXT, FINDING)
    return build_request(
        snapshot, FINDING, window, [], max_tokens=max_tokens, temperature=0.7,
        reply_format=reply_format,
    )  # fmt: skip


def test_a_whole_region_request_names_its_fence_and_a_limit_sized_to_the_region(tmp_path):
    whole = _request(tmp_path, ReplyFormat.WHOLE)
    region = make_window(TEXT, FINDING).main_region
    assert whole.fence == Fence("python", 2 * (region.end - region.start) + 8)
    # The region is a few short lines: far below the tier's 1,024, above what it takes to copy.
    assert 48 < whole.max_tokens < 200
    # The tier's own limit still caps it.
    assert _request(tmp_path, ReplyFormat.WHOLE, max_tokens=20).max_tokens == 20
    # SEARCH/REPLACE replies keep the tier's limit and no shape.
    edits = _request(tmp_path, ReplyFormat.EDITS)
    assert edits.fence is None and edits.max_tokens == 1024


def test_the_sized_limit_grows_with_the_region():
    small, large = whole_reply_tokens("x = 1\n" * 5, 4096), whole_reply_tokens("x = 1\n" * 500, 4096)
    assert small < large <= 4096
    assert whole_reply_tokens("", 4096) >= 1


def test_only_the_local_dialect_sends_the_grammar():
    request = ChatRequest("s", (Message("user", "u"),), max_tokens=10, fence=Fence("cpp", 7))
    body = _ThreadedDialect().body("m", request, stream=False)
    assert body["grammar"] == fenced_block("cpp", 7)
    plain = _ThreadedDialect().body("m", ChatRequest("s", (Message("user", "u"),)), stream=False)
    assert "grammar" not in plain
    from fixloop.providers.openai import OpenAIDialect

    assert "grammar" not in OpenAIDialect().body("m", request, stream=False)


@pytest.mark.parametrize("tag", ["python", "cpp", "typescript", ""])
def test_the_grammar_is_one_block_opened_with_its_tag(tag):
    grammar = fenced_block(tag, 12)
    assert grammar.startswith(f'root ::= "```{tag}" "\\n" line{{0,12}} "```"')


def test_a_tag_that_could_break_the_grammar_or_no_room_is_refused():
    with pytest.raises(ValueError):
        fenced_block('py" | [^x]', 3)
    with pytest.raises(ValueError):
        fenced_block("python", 0)


def test_a_local_frontier_takes_over_by_itself_a_hosted_one_only_when_asked():
    from fixloop.config import BudgetSettings, ModelSettings, Settings
    from fixloop.engine.escalation import auto_escalates
    from fixloop.engine.results import LoopResult, LoopStatus

    gave_up = LoopResult(LoopStatus.GAVE_UP, None, (), 1.0)
    fixed = LoopResult(LoopStatus.FIXED, None, (), 1.0)
    small = ModelSettings(protocol="local", model="qwen2.5-coder-0.5b")
    large = ModelSettings(protocol="local", model="qwen2.5-coder-1.5b")
    hosted = ModelSettings(base_url="https://example.invalid/v1", model="big")
    ladder = Settings(models={"fast": small, "frontier": large})
    assert auto_escalates(ladder, "fast", gave_up)
    assert not auto_escalates(ladder, "fast", fixed)
    assert not auto_escalates(ladder, "frontier", gave_up)
    paid = Settings(models={"fast": small, "frontier": hosted})
    assert not auto_escalates(paid, "fast", gave_up)
    opted_in = Settings(models={"fast": small, "frontier": hosted},
                        budget=BudgetSettings(auto_escalate=True))  # fmt: skip
    assert auto_escalates(opted_in, "fast", gave_up)
    assert not auto_escalates(Settings(models={"fast": small}), "fast", gave_up)


def test_the_grammar_can_hold_the_first_line_to_the_region_s_start():
    line = fenced_block("python", 5, first='    print("a\\b")')
    assert 'head line{0,4} "```"' in line
    assert 'head ::= "    print(\\"a\\\\b\\")" [^\\n]* "\\n"' in line
    # Indentation alone: the line must go on with something else, not more indentation.
    indent = fenced_block("python", 5, first="\t  ")
    assert 'head ::= "\\t  " [^ \\t\\n] [^\\n]* "\\n"' in indent
    assert "head" not in fenced_block("python", 5)
    with pytest.raises(ValueError):
        fenced_block("python", 5, first="a\nb")


LOOP = (
    "import os\n\n\ndef g(xs):\n    total = 0\n    for x in xs:\n"
    + "".join(f"        total += {n}\n" for n in range(8))
    + "        print(total\n    return total\n"
)


@pytest.mark.parametrize(
    ("setting", "line", "first"),
    [
        ("", 9, ""),
        ("indent", 9, "    "),
        ("line", 9, "    for x in xs:"),
    ],
)
def test_the_request_says_how_the_reply_s_first_line_starts(tmp_path, monkeypatch, setting,
                                                          line, first):  # fmt: skip
    from fixloop.engine import prompt

    monkeypatch.setattr(prompt, "FIRST_LINE", setting)
    finding = Finding("python", "SyntaxError", "m", Span(line, 4, line, 5))
    snapshot = Snapshot("file:///a.py", 1, LOOP, tmp_path / "a.py", tmp_path)
    window = make_window(LOOP, finding)
    request = build_request(snapshot, finding, window, [], max_tokens=100, temperature=0.7,
                            reply_format=ReplyFormat.WHOLE)  # fmt: skip
    assert LOOP.splitlines()[window.main_region.start] == "    for x in xs:"
    assert request.fence.first == first
    body = _ThreadedDialect().body("m", request, stream=False)
    assert body["grammar"] == fenced_block("python", request.fence.max_lines, first)


def test_a_first_line_with_the_finding_on_it_is_held_only_to_its_indentation(monkeypatch):
    from fixloop.engine import prompt
    from fixloop.engine.window import Region

    monkeypatch.setattr(prompt, "FIRST_LINE", "line")
    lines = LOOP.splitlines(keepends=True)
    on_it = Finding("python", "SyntaxError", "m", Span(5, 4, 5, 5))
    # Holding the line as it is would forbid the fix.
    assert prompt._first(lines, Region(5, 16), on_it) == "    "
    below = Finding("python", "SyntaxError", "m", Span(7, 4, 7, 5))
    assert prompt._first(lines, Region(5, 16), below) == "    for x in xs:"
    assert prompt._first(lines, Region(1, 16), below) == ""  # a blank first line: nothing held
