"""Loops racing for the last of the day's budget, over real HTTP and one real ledger."""

from __future__ import annotations

import anyio
from fixloop.budget import BudgetExhausted, Ledger
from fixloop.config import ModelSettings
from fixloop.engine.loop import FixLoop, LoopLimits
from fixloop.engine.prompt import build_request
from fixloop.engine.results import LoopStatus
from fixloop.engine.spending import TierMeter, prices, prompt_tokens
from fixloop.engine.window import make_window
from fixloop.fakes import Text
from fixloop.providers import make_provider
from helpers import search_replace
from loops import checked

BROKEN = "import sys\n\n\ndef main():\n    print(sys.argv)\n    return pathlib.Path('.')\n"
FIX = search_replace("import sys", "import sys\nimport pathlib")
NO_CHANGE = search_replace("import sys", "import sys")


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


# -- the cap against servers that report the most they may, or more --------------------------
#
# Four `fixloop fix` processes on one workspace share the ledger (FIXLOOP_STATE_DIR is
# inherited), as four terminals or an editor and a terminal would.

import subprocess
import sys
import threading

import pytest
from conftest import write_config
from fixloop.budget import ledger_path

PROCESSES = 4
LIE = (3000, 3000)  # tokens in and out the lying server reports, whatever it was asked


def start_fixes(root, count: int) -> list[subprocess.Popen]:
    return [
        subprocess.Popen(
            [sys.executable, "-m", "fixloop", "fix", f"app{i}.py"],
            cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            stdin=subprocess.DEVNULL,
        )
        for i in range(count)
    ]


def finish(processes: list[subprocess.Popen]) -> list[tuple[int, str]]:
    """Each process's exit status and all it printed."""
    done = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        done.append((process.returncode, out + err))
    return done


def workspace(tmp_path, model_server, *, usd_in: float, usd_out: float, cap: float, extra=""):
    config = write_config(tmp_path, model_server.openai_base_url, attempts=8, parallel=2)
    text = config.read_text()
    text = text.replace("usd_per_mtok_in = 0.25", f"usd_per_mtok_in = {usd_in}")
    text = text.replace("usd_per_mtok_out = 0.75", f"usd_per_mtok_out = {usd_out}\n{extra}")
    config.write_text(text.replace("[budget]\n", f"[budget]\nusd_per_day = {cap}\n"))
    for i in range(PROCESSES):
        (tmp_path / f"app{i}.py").write_text(BROKEN.replace("sys.argv", f"sys.argv, {i}"))


def spent(root) -> float:
    ledger = Ledger(ledger_path())
    try:
        return ledger.spent_today(str(root))
    finally:
        ledger.close()


@pytest.mark.fault
def test_a_server_billing_the_most_it_may_never_takes_the_spend_past_the_cap(
    tmp_path, model_server
):
    """Every request reported at its true worst case (a token per prompt byte, all of
    max_tokens): concurrent processes, each refused or given a smaller max_tokens as the
    budget runs out, never pass the cap."""
    workspace(tmp_path, model_server, usd_in=100.0, usd_out=900.0, cap=2.0,
              extra="max_tokens = 300")

    def worst(request):  # a reply that verifies nothing (no change), billed at the most
        prompt = len(request.prompt_text.encode("utf-8"))
        return Text(NO_CHANGE, usage=(prompt, int(request.body["max_tokens"])))

    model_server.responder = worst
    results = finish(start_fixes(tmp_path, PROCESSES))
    assert all(code == 1 and "Traceback" not in err for code, err in results), results
    assert any("budget" in err for _, err in results)
    assert spent(tmp_path) <= 2.0 + 1e-9
    assert len(model_server.requests) >= PROCESSES  # they did run, and ran into the cap


@pytest.mark.fault
def test_a_lying_server_stops_every_loop_of_the_workspace_at_the_cap(tmp_path, model_server):
    """The issue's reproduction: 3,000 + 3,000 tokens reported against a reservation of a
    few hundred, four processes at once. The first lie blows the $1 cap; the requests in
    flight in the other processes are cut off (the ledger is looked at while they run), so
    only that one lie is counted: before, each process added its own $3."""
    workspace(tmp_path, model_server, usd_in=100.0, usd_out=900.0, cap=1.0,
              extra="max_tokens = 100")
    everyone_asked = threading.Event()
    lock = threading.Lock()
    first = []

    def lying(request):
        with lock:
            is_first = not first
            first.append(request)
        if is_first:  # answered once all four are in flight
            everyone_asked.wait(60)
            return Text(FIX, usage=LIE)
        if len(first) >= PROCESSES:
            everyone_asked.set()
        return Text(FIX, usage=LIE, delay=20)  # slow: cut off long before, if the cap holds

    model_server.responder = lying
    processes = start_fixes(tmp_path, PROCESSES)
    results = finish(processes)
    assert everyone_asked.is_set()
    assert all("Traceback" not in err for _, err in results), results
    assert sum("budget" in err for _, err in results) >= PROCESSES - 1
    assert model_server.disconnects >= PROCESSES - 1  # cut off, not answered
    one_lie = (LIE[0] * 100.0 + LIE[1] * 900.0) / 1e6  # $3.00
    # The bound: the cap, plus what the requests in flight were reported above their
    # reservations (here one lie), plus the cut-off requests' conservative settlements.
    assert one_lie < spent(tmp_path) <= 1.0 + one_lie
    # Nothing was sent once the cap was blown: at most what was in flight (parallel = 2 each).
    assert len(model_server.requests) <= 2 * PROCESSES


@pytest.mark.fault
def test_an_absurd_reported_usage_is_counted_not_a_traceback(tmp_path, model_server):
    """A server reporting 10**400 prompt tokens: before, OverflowError (a traceback, and the
    call never recorded); now it counts as 2**48 tokens, far past the cap, and the loop stops."""
    workspace(tmp_path, model_server, usd_in=1.0, usd_out=1.0, cap=5.0)
    model_server.default = Text(NO_CHANGE, usage=(10**400, 10**30))
    [(code, err)] = finish(start_fixes(tmp_path, 1))
    assert code == 1 and "Traceback" not in err, err
    assert "budget is spent" in err
    assert spent(tmp_path) > 5.0
    assert len(model_server.requests) <= 2  # what was in flight (parallel = 2)
