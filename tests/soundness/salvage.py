"""How much of a real fix the product offers when the judge refuses the whole ground truth.

    python tests/soundness/salvage.py tests/soundness/real/debugbench-python.jsonl

For each case: accepted whole (`direct`); else the largest subset of its hunks the policy
accepts and the gate verifies (`salvaged`, what a loop offers from such a candidate); else
`refused` (or `toomany`: more than 10 hunks). Prints the counts, one-bug vs multi-bug.
"""
import collections
import itertools
import json
import sys
import tempfile
from pathlib import Path
import anyio
sys.path.insert(0, str(Path(__file__).parent))
from measure import finding_of, GATES
from fixloop.engine import anticheat
from fixloop.engine.hunks import hunks, apply
from fixloop.engine.window import make_window
from fixloop.engine.gate import verify
from fixloop.verifiers.registry import make_verifiers

cases = [json.loads(l) for l in open(sys.argv[1])]
out = {}
async def one(case, root, limiter):
    finding, baseline, snap = await finding_of(case, root, limiter)
    window = make_window(case["before"], finding)
    r = anticheat.review(case["before"], case["after"], finding, window, snap.language, root=root)
    if r is None:
        out[case["id"]] = ("direct", None); return
    parts = hunks(case["before"], case["after"])
    if len(parts) > 10:
        out[case["id"]] = ("toomany", r); return
    for size in range(len(parts) - 1, 0, -1):
        for sub in itertools.combinations(parts, size):
            text = apply(case["before"], sub)
            if anticheat.review(case["before"], text, finding, window, snap.language, root=root) is None:
                v = await verify(text, snap, baseline, finding, make_verifiers(GATES.get(snap.language, ("python","ruff"))), limiter)
                if v.passed:
                    out[case["id"]] = ("salvaged", r); return
    out[case["id"]] = ("refused", r)
async def main():
    limiter = anyio.CapacityLimiter(2)
    with tempfile.TemporaryDirectory() as tmp:
        async with anyio.create_task_group() as tg:
            for c in cases:
                root = Path(tmp) / c["id"]; root.mkdir()
                tg.start_soon(one, c, root, limiter)
anyio.run(main)
fam = {c["id"]: c["family"] for c in cases}
print(collections.Counter(v[0] for v in out.values()))
print(collections.Counter((fam[k] in ("double","triple","quadruple"), v[0]) for k, v in out.items()))
print(collections.Counter(v[1].split(":")[0] for v in out.values() if v[0] in ("refused","toomany")).most_common())
