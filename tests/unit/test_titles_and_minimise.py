"""Titles say what a fix does; candidates are reduced to the hunks the gate needs."""

import anyio
import pytest
from fixloop.engine.hunks import Hunk, apply, hunks
from fixloop.engine.judge import reassemble
from fixloop.engine.minimise import minimise
from fixloop.engine.titles import title
from fixloop.engine.window import Region, Window


@pytest.mark.parametrize(
    "before, after, expected",
    [
        ("import os\n\nx = pathlib.Path()\n", "import os\nimport pathlib\n\nx = pathlib.Path()\n",
         "fixloop: import pathlib"),
        ("x = Dict()\n", "from typing import Dict\nx = Dict()\n", "fixloop: import Dict from typing"),
        ("def f(x)\n    return x\n", "def f(x):\n    return x\n", "fixloop: add ':'"),
        ("def f(rows):\n    return total(rows)\n", "def f(rows):\n    return len(rows)\n",
         "fixloop: replace total with len"),
        ("def f():\n" + "".join(f"    for x in y:\n    a{n} = 1\n" for n in range(1))
         + "    b = 2\n    c = 3\n",
         "def f():\n    for x in y:\n        a0 = 1\n        b = 2\n        c = 3\n",
         "fixloop: re-indent lines 3\u20135"),
        ("def f():\n    return 'res\n", "def f():\n    return res\n", "fixloop: remove \"'\""),
        ("import os\nimport sys\nprint(sys)\n", "import sys\nprint(sys)\n", "fixloop: remove import os"),
        ("#include <stdio.h>\nint f();\n", "#include <stdio.h>\n#include <string.h>\nint f();\n",
         "fixloop: include <string.h>"),
        ("x = 1\ny = 2\nz = 3\n", "x = 1\ny = 5 + 1\nz = 4 * 2\n", "fixloop: edit lines 2\u20133"),
    ],
)
def test_titles_say_what_the_fix_does(before, after, expected):
    assert title(before, after) == expected


SIX = "".join(f"line{n} = {n}\n" for n in range(6))


def test_minimise_keeps_only_the_hunks_the_gate_needs():
    candidate = SIX.replace("line1 = 1", "line1 = 10").replace("line3 = 3", "line3 = 30").replace(
        "line5 = 5", "line5 = 50")
    parts = hunks(SIX, candidate)
    assert len(parts) == 3
    runs = []

    async def passes(subset: tuple[Hunk, ...]) -> bool:
        runs.append(subset)
        return "line3 = 30" in apply(SIX, subset)

    best = anyio.run(minimise, parts, passes)
    assert apply(SIX, best) == SIX.replace("line3 = 3", "line3 = 30")
    assert len(runs) <= 8


def test_minimise_stops_at_its_cap_with_a_passing_candidate():
    parts = tuple(Hunk(n, n + 1, n, (f"line{n} = 0\n",)) for n in range(6))

    async def passes(subset):
        return len(subset) == 6  # only everything passes

    assert anyio.run(minimise, parts, passes, 3) == parts


def test_a_subset_is_rebuilt_as_edits_of_the_loops_window():
    window = Window((Region(0, 1), Region(3, 6)), 1)
    candidate = SIX.replace("line0 = 0", "import x\nline0 = 0").replace("line4 = 4", "line4 = 44")
    parts = hunks(SIX, candidate)
    rebuilt = reassemble(SIX, window, (parts[1],))
    assert rebuilt is not None and rebuilt.text == SIX.replace("line4 = 4", "line4 = 44")
    assert rebuilt.region_edits[0] is None and rebuilt.region_edits[1] is not None
    outside = hunks(SIX, SIX.replace("line2 = 2", "line2 = 0"))
    assert reassemble(SIX, window, outside) is None
