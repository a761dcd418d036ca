"""Loops racing for the last of the day's budget, over real HTTP and one real ledger."""

from __future__ import annotations

import anyio
from fixloop.budget import BudgetExhausted, Ledger
from fixloop.config import ModelSettings
from fixloop.engine.loop import FixLoop, LoopLimits
from fixloop.engine.prompt import build_request
from fixloop.engine.spending import TierMeter, prices, prompt_tokens
from fixloop.engine.values import LoopStatus
from fixloop.engine.window import make_window
from fixloop.fakes import Text
from fixloop.providers import make_provider
from helpers import search_replace
from loops import checked

BROKEN = "import sys\n\n\ndef main():\n    print(sys.argv)\n    return pathlib.Path('.')\n"
FIX = search_replace("import sys", "import sys\nimport pathlib")


async def test_two_loops_racing_for_the_last_reservation(tmp_path, model_server):
    broken = await checked(tmp_path, BROKEN)
    snapshot, verifiers, limiter, check = (
        broken.snapshot, broken.verifiers, broken.limiter, broken.check
    )
    finding = broken.finding
    model = ModelSettings(
        base_url=model_server.openai_base_url,
        model="scripted",
        usd_per_mtok_in=50.0,
        usd_per_mtok_out=100.0,
        max_tokens=300,
    )
    window = make_window(BROKEN, finding)
    first_request = build_request(snapshot, finding, window, [], max_tokens=300, temperature=0.2)
    reservation = prices(model).cost(prompt_tokens(first_request), 300)
    cap = 1.5 * reservation  # room for one request in flight, not two
    ledger = Ledger(tmp_path / "ledger.sqlite3")
    refusals: list[BudgetExhausted] = []
    provider = make_provider(model, env={})
    # Slow replies: both loops reserve before either is settled.
    model_server.default = Text(FIX, delay=0.5, usage=(40, 10))

    def loop() -> FixLoop:
        return FixLoop(
            snapshot=snapshot,
            finding=finding,
            baseline=check.findings,
            verifiers=verifiers,
            provider=provider,
            model=model,
            tier="fast",
            limits=LoopLimits(3, 1, 20.0),
            verify_limiter=limiter,
            window=window,
            meter=TierMeter(
                ledger,
                workspace=tmp_path,
                tier="fast",
                model=model,
                cap=cap,
                on_refused=refusals.append,
            ),
        )

    results = []

    async def run(one: FixLoop) -> None:
        results.append(await one.run())

    with anyio.fail_after(20):
        async with anyio.create_task_group() as tg:
            tg.start_soon(run, loop())
            tg.start_soon(run, loop())

    statuses = sorted(r.status.value for r in results)
    assert statuses == [LoopStatus.FIXED.value, LoopStatus.OVER_BUDGET.value]
    assert len(model_server.requests) == 1  # the refused loop sent nothing
    assert len(refusals) == 1 and "budget" in str(refusals[0])
    over = next(r for r in results if r.status is LoopStatus.OVER_BUDGET)
    assert over.attempts == () and "usd_per_day" in over.reason
    assert ledger.spent_today(str(tmp_path)) <= cap + reservation
    await provider.aclose()
