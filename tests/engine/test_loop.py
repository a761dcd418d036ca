"""The fix loop against the scripted model server over real HTTP, with real ruff."""

from __future__ import annotations

import anyio
from fixloop.fakes import Error, Hang, Raw, Text
from helpers import search_replace
from loops import make_loop

from fixloop.engine.results import LoopStatus, Outcome
from fixloop.text.edits import LineEdit, apply_line_edit

FIXED_LINE = "    return Path('.')"


REAL_FIX = search_replace("import sys", "import sys\nfrom pathlib import Path") + search_replace(
    "    return pathlib.Path('.')", FIXED_LINE
)


async def test_cheats_fail_and_their_reasons_feed_the_next_attempt(tmp_path, model_server):
    model_server.script(
        Text(search_replace("    return pathlib.Path('.')", "    return pathlib.Path('.')  # noqa")),
        Text(search_replace("    return pathlib.Path('.')", "    return pathlib.Path('.')")),
        Text(REAL_FIX),
    )
    loop = await make_loop(tmp_path, model_server)
    result = await loop.run()
    assert result.status is LoopStatus.FIXED
    assert [a.outcome for a in result.attempts] == [Outcome.REJECTED, Outcome.REJECTED, Outcome.VERIFIED]
    assert "suppression" in result.attempts[0].reason
    assert "changes nothing" in result.attempts[1].reason
    prompts = [r.prompt_text for r in model_server.requests]
    assert "suppression" in prompts[1] and "changes nothing" in prompts[2]
    edits = result.fix.edits()
    assert edits == (LineEdit(1, 1, "from pathlib import Path\n"), LineEdit(5, 6, FIXED_LINE + "\n"))
    assert result.usd > 0


async def test_verifier_failures_are_fed_back(tmp_path, model_server):
    model_server.script(
        Text(search_replace("import sys", "import sys\nimport pathlb")),  # a typo: still undefined
        Text(search_replace("    return pathlib.Path('.')", "    return pathlib.Path('.'")),  # syntax
        Text(REAL_FIX),
    )
    result = await (await make_loop(tmp_path, model_server)).run()
    assert result.status is LoopStatus.FIXED
    first, second, _ = result.attempts
    assert first.outcome is Outcome.FAILED and "still reported" in first.reason
    assert "Undefined name `pathlib`" in first.reason
    assert second.outcome is Outcome.FAILED and second.verifier == "python"


async def test_unusable_replies_and_http_errors_are_failed_attempts(tmp_path, model_server):
    model_server.script(
        Raw(200, b"{not json"),
        Error(400, message="upstream broke"),  # not retried: a 5xx would be (tests/engine/test_faults.py)
        Text("I think you should import pathlib."),
        Text(REAL_FIX),
    )
    result = await (await make_loop(tmp_path, model_server)).run()
    assert result.status is LoopStatus.FIXED
    outcomes = [a.outcome for a in result.attempts]
    assert outcomes == [Outcome.PROVIDER_ERROR, Outcome.PROVIDER_ERROR, Outcome.PARSE_ERROR, Outcome.VERIFIED]
    assert "upstream broke" in result.attempts[1].reason


async def test_the_loop_gives_up_after_its_attempts(tmp_path, model_server):
    model_server.default = Text("no idea")
    result = await (await make_loop(tmp_path, model_server, attempts=3, parallel=2)).run()
    assert result.status is LoopStatus.GAVE_UP
    assert len(result.attempts) == 3 and len(model_server.requests) == 3


async def test_a_refused_key_stops_the_loop(tmp_path, model_server):
    model_server.default = Error(401, message="bad key")
    result = await (await make_loop(tmp_path, model_server, attempts=5)).run()
    assert result.status is LoopStatus.STOPPED and "refused" in result.reason
    assert len(model_server.requests) == 1


async def test_first_verified_wins_and_the_others_are_cancelled(tmp_path, model_server):
    model_server.script(Hang(), Hang(), Text(REAL_FIX, delay=0.2))
    loop = await make_loop(tmp_path, model_server, attempts=3, parallel=3)
    with anyio.fail_after(15):
        result = await loop.run()
        assert result.status is LoopStatus.FIXED
        await model_server.await_disconnects(2)  # the hanging requests were abandoned


async def test_the_deadline_ends_the_loop(tmp_path, model_server):
    model_server.default = Hang()
    loop = await make_loop(tmp_path, model_server, seconds=0.5)
    with anyio.fail_after(10):
        result = await loop.run()
    assert result.status is LoopStatus.TIMED_OUT


async def test_the_prompt_carries_the_diagnostic_and_the_window(tmp_path, model_server):
    model_server.script(Text(REAL_FIX))
    await (await make_loop(tmp_path, model_server)).run()
    (request,) = model_server.requests
    assert "F821" in request.prompt_text and "Undefined name `pathlib`" in request.prompt_text
    assert "return pathlib.Path('.')" in request.prompt_text
    assert request.body["model"] == "scripted"


async def test_credentials_in_the_window_never_reach_the_model(tmp_path, model_server):
    key = "sk-ant-api03-" + "Zx9" * 12
    text = f'import sys\n\nCLIENT_KEY = "{key}"\n\n\ndef main():\n    print(sys.argv)\n    return pathlib.Path(CLIENT_KEY)\n'
    # The model echoes the masked line back in its SEARCH block: the fix must still apply.
    model_server.responder = lambda request: Text(
        search_replace("import sys", "import sys\nimport pathlib")
        if "<fixloop-secret-1>" in request.prompt_text
        else "the key leaked"
    )
    loop = await make_loop(tmp_path, model_server, text=text)
    result = await loop.run()
    assert result.status is LoopStatus.FIXED
    assert all(key not in r.prompt_text for r in model_server.requests)


async def test_a_reply_that_quotes_the_masked_secret_gets_it_back(tmp_path, model_server):
    key = "ghp_" + "A1" * 18
    text = f'import sys\n\n\ndef main():\n    token = "{key}" + sys.argv[0]\n    return pathlib.Path(token)\n'
    model_server.script(Text(search_replace(
        '    token = "<fixloop-secret-1>" + sys.argv[0]\n    return pathlib.Path(token)',
        '    token = "<fixloop-secret-1>" + sys.argv[0]\n    import pathlib\n    return pathlib.Path(token)',
    )))
    result = await (await make_loop(tmp_path, model_server, text=text)).run()
    assert result.status is LoopStatus.FIXED, result.attempts
    (edit,) = result.fix.edits()
    fixed = apply_line_edit(text, edit)
    assert f'token = "{key}"' in fixed and "<fixloop-secret" not in fixed
    assert "    import pathlib\n" in fixed


async def test_a_candidate_differing_only_in_whitespace_is_judged_once(tmp_path, model_server):
    wrong = search_replace("import sys", "import sys\nimport pathlb")
    model_server.script(
        Text(wrong),
        Text(search_replace("import sys", "import  sys \nimport   pathlb")),  # the same, spaced
        Text(REAL_FIX),
    )
    result = await (await make_loop(tmp_path, model_server)).run()
    assert result.status is LoopStatus.FIXED
    first, second, third = result.attempts
    assert first.outcome is Outcome.FAILED and first.verify_seconds > 0
    assert second.outcome is Outcome.DUPLICATE and "attempt 1" in second.reason
    assert second.verify_seconds == 0  # no verifier ran for it
    assert third.outcome is Outcome.VERIFIED
    assert result.failures == {"ruff": 1, "duplicate": 1}


async def test_losers_still_streaming_are_cut_off_when_one_verifies(tmp_path, model_server):
    slow = Text(search_replace("import sys", "import sys\n" + "# thinking\n" * 200), tokens_per_second=20)
    model_server.script(slow, slow, Text(REAL_FIX, delay=0.3))
    loop = await make_loop(tmp_path, model_server, attempts=3, parallel=3)
    assert loop.model.stream
    with anyio.fail_after(15):
        result = await loop.run()
        assert result.status is LoopStatus.FIXED and len(result.attempts) == 1
        await model_server.await_disconnects(2)  # both streams were dropped mid-way


async def test_a_noisy_fix_is_offered_as_its_minimal_edit(tmp_path, model_server):
    # The model imports pathlib and also touches a line the diagnostic does not need.
    model_server.script(
        Text(
            search_replace("import sys", "import sys\nimport pathlib")
            + search_replace("    print(sys.argv)", "    print(sys.argv[0:])")
        )
    )
    result = await (await make_loop(tmp_path, model_server)).run()
    assert result.status is LoopStatus.FIXED
    assert result.fix.edits() == (LineEdit(1, 1, "import pathlib\n"),)
    assert result.fix.title == "fixloop: import pathlib"


async def test_an_undefined_name_replaced_by_the_builtin_meant_is_fixed(tmp_path, model_server):
    # Issue 14's held-out case: the old policy refused this honest fix six times over.
    text = "def count(rows):\n    return total(rows)\n"
    model_server.script(
        Text(search_replace("    return total(rows)", "    return rows")),  # drops the use
        Text(search_replace("    return total(rows)", "    return len(rows)")),
    )
    result = await (await make_loop(tmp_path, model_server, text=text)).run()
    assert result.status is LoopStatus.FIXED
    assert [a.outcome for a in result.attempts] == [Outcome.REJECTED, Outcome.VERIFIED]
    assert "removes the use of the undefined name `total`" in result.attempts[0].reason
    assert result.fix.title == "fixloop: replace total with len"


async def test_a_fix_with_a_refused_extra_is_offered_without_it(tmp_path, model_server):
    # The model imports pathlib (the fix) and also adds a noqa elsewhere (refused alone).
    model_server.script(
        Text(
            search_replace("import sys", "import sys\nimport pathlib")
            + search_replace("    print(sys.argv)", "    print(sys.argv)  # noqa")
        )
    )
    result = await (await make_loop(tmp_path, model_server)).run()
    assert result.status is LoopStatus.FIXED
    assert result.fix.edits() == (LineEdit(1, 1, "import pathlib\n"),)
