"""Reply parsing and application: tolerant in what it reads, strict in where it writes."""

import pytest

from fixloop.engine.replies import Replacement, ReplyError, apply_reply, parse_reply
from fixloop.engine.window import Region, Window

TEXT = "import os\n\n\ndef f(x):\n    y = x + 1\n    return pritn(y)\n\n\nz = 3\n"
WINDOW = Window((Region(3, 7),), 0)


def test_search_replace_with_prose_around():
    reply = parse_reply(
        "Sure! Here is the fix:\n<<<<<<< SEARCH\n    return pritn(y)\n=======\n"
        "    return print(y)\n>>>>>>> REPLACE\nThat should do it."
    )
    assert reply.replacements == (Replacement("    return pritn(y)", "    return print(y)"),)
    (region,) = apply_reply(TEXT, WINDOW, reply)
    assert region == "def f(x):\n    y = x + 1\n    return print(y)\n\n"


def test_search_replace_inside_a_fence_with_trailing_whitespace():
    reply = parse_reply(
        "```python\n<<<<<<< SEARCH   \n    return pritn(y)   \n=======  \n"
        "    return print(y)\n>>>>>>> REPLACE  \n```\n"
    )
    (region,) = apply_reply(TEXT, WINDOW, reply)
    assert "    return print(y)\n" in region


def test_several_blocks_apply_in_order():
    reply = parse_reply(
        "<<<<<<< SEARCH\n    y = x + 1\n=======\n    y = x + 2\n>>>>>>> REPLACE\n"
        "<<<<<<< SEARCH\n    return pritn(y)\n=======\n    return print(y)\n>>>>>>> REPLACE\n"
    )
    assert len(reply.replacements) == 2
    (region,) = apply_reply(TEXT, WINDOW, reply)
    assert region == "def f(x):\n    y = x + 2\n    return print(y)\n\n"


def test_fenced_block_without_language_tag_replaces_the_window():
    reply = parse_reply(
        "Rewritten:\n```\ndef f(x):\n    y = x + 1\n    return print(y)\n\n```\n"
    )
    assert reply.whole is not None
    (region,) = apply_reply(TEXT, WINDOW, reply)
    assert region == "def f(x):\n    y = x + 1\n    return print(y)\n"


def test_a_language_tag_on_the_line_after_the_fence_is_not_code():
    # What Qwen2.5-Coder-0.5B writes half the time: "```", then "python" on a line of its own.
    reply = parse_reply("```\npython\ndef f(x):\n    y = x + 1\n    return print(y)\n```")
    assert reply.whole == "def f(x):\n    y = x + 1\n    return print(y)"
    # With a tag on the fence, a line `python` would be code (a name): it stays.
    assert parse_reply("```python\npython\n```").whole == "python"


def test_fragment_of_one_line_is_replaced_when_unique():
    reply = parse_reply("<<<<<<< SEARCH\npritn\n=======\nprint\n>>>>>>> REPLACE")
    (region,) = apply_reply(TEXT, WINDOW, reply)
    assert "return print(y)" in region


def test_search_that_does_not_match_is_an_error():
    reply = parse_reply("<<<<<<< SEARCH\n    return nothing\n=======\n    pass\n>>>>>>> REPLACE")
    with pytest.raises(ReplyError, match="does not match the window"):
        apply_reply(TEXT, WINDOW, reply)


def test_search_outside_the_window_is_refused():
    reply = parse_reply("<<<<<<< SEARCH\nz = 3\n=======\nz = 4\n>>>>>>> REPLACE")
    with pytest.raises(ReplyError, match="outside the editable window"):
        apply_reply(TEXT, WINDOW, reply)


@pytest.mark.parametrize(
    "reply, message",
    [
        ("I cannot help with that.", "no code block"),
        ("```python\ndef f(x):\n    return 1\n", "not closed"),
        ("<<<<<<< SEARCH\nx\n>>>>>>> REPLACE", "no ======= divider"),
        ("<<<<<<< SEARCH\nx\n=======\ny\n", "ends inside"),
    ],
)
def test_unusable_replies_say_why(reply, message):
    with pytest.raises(ReplyError, match=message):
        parse_reply(reply)


def test_empty_search_is_an_error():
    reply = parse_reply("<<<<<<< SEARCH\n\n=======\nimport sys\n>>>>>>> REPLACE")
    with pytest.raises(ReplyError, match="empty SEARCH"):
        apply_reply(TEXT, WINDOW, reply)


def test_crlf_text_keeps_its_line_endings():
    text = TEXT.replace("\n", "\r\n")
    reply = parse_reply("<<<<<<< SEARCH\n    return pritn(y)\n=======\n    return print(y)\n>>>>>>> REPLACE")
    (region,) = apply_reply(text, WINDOW, reply)
    assert region == "def f(x):\r\n    y = x + 1\r\n    return print(y)\r\n\r\n"


def test_blank_lines_added_on_purpose_survive():
    text = "x = 1\ndef f():\n    pass\n"
    reply = parse_reply(
        "<<<<<<< SEARCH\nx = 1\ndef f():\n=======\nx = 1\n\n\ndef f():\n>>>>>>> REPLACE"
    )
    (region,) = apply_reply(text, Window((Region(0, 3),), 0), reply)
    assert region == "x = 1\n\n\ndef f():\n    pass\n"


def test_a_second_region_takes_the_import():
    text = "import os\n\nprint(os.sep)\n\n\n\n\n\nx = sys.argv\n"
    window = Window((Region(0, 1), Region(5, 9)), 1)
    reply = parse_reply("<<<<<<< SEARCH\nimport os\n=======\nimport os\nimport sys\n>>>>>>> REPLACE")
    header, main = apply_reply(text, window, reply)
    assert header == "import os\nimport sys\n"
    assert main == "\n\n\nx = sys.argv\n"
