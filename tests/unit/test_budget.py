"""The ledger and the cost estimates: pure figures and a real SQLite file."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from fixloop.budget import (
    BudgetExhausted,
    CallState,
    Ledger,
    Prices,
    estimate_tokens,
    ledger_path,
    round_up_cents,
    state_dir,
    worst_case,
)
from fixloop.config import ModelSettings, Settings
from fixloop.engine.escalation import offer
from fixloop.engine.prompt import build_request
from fixloop.engine.results import Attempt, Outcome, Snapshot
from fixloop.engine.spending import prompt_tokens
from fixloop.engine.window import make_window
from fixloop.verifiers.base import Finding, Span

PRICES = Prices(usd_per_mtok_in=3.0, usd_per_mtok_out=15.0)
WS = "/home/user/project"


class Clock:
    """A settable local clock."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def reserve(
    ledger: Ledger,
    *,
    cap: float = 1.0,
    prompt: int = 1000,
    out: int = 1000,
    tier="fast",
    workspace=WS,
):
    return ledger.reserve(
        workspace,
        tier=tier,
        model="m",
        prices=PRICES,
        prompt_tokens=prompt,
        max_tokens=out,
        cap=cap,
    )


# --- costs -------------------------------------------------------------------------------


def test_prices_and_the_worst_case():
    assert PRICES.cost(1_000_000, 0) == pytest.approx(3.0)
    assert PRICES.cost(1000, 1000) == pytest.approx(0.018)
    assert worst_case(PRICES, 2000, 1024) == pytest.approx((2000 * 3 + 1024 * 15) / 1e6)


def test_the_token_estimate_errs_high():
    code = "def main(argv):\n    return pathlib.Path(argv[0]).read_text()\n" * 20
    # A BPE tokenizer needs well under one token per 3 bytes of code like this.
    assert estimate_tokens(code) >= len(code) / 3.5
    assert estimate_tokens("é" * 30) >= 20  # counted in bytes, not characters
    assert estimate_tokens("a", "b") == 2 * estimate_tokens("a")


def test_estimates_round_up_to_the_cent():
    assert round_up_cents(0.0) == 0.0
    assert round_up_cents(0.0001) == 0.01
    assert round_up_cents(0.05) == 0.05
    assert round_up_cents(0.051) == 0.06


def test_the_escalation_offer_is_prompt_in_plus_max_tokens_out_per_attempt(tmp_path):
    text = "import sys\n\n\ndef main():\n    return pathlib.Path('.')\n"
    snapshot = Snapshot("file:///x/app.py", 1, text, Path("/x/app.py"), Path("/x"))
    finding = Finding("ruff", "F821", "Undefined name `pathlib`", Span(4, 11, 4, 18))
    window = make_window(text, finding)
    frontier = ModelSettings(
        protocol="anthropic",
        base_url="http://x",
        model="big",
        usd_per_mtok_in=3.0,
        usd_per_mtok_out=15.0,
        max_tokens=500,
    )
    settings = Settings(models={"frontier": frontier})
    failures = (Attempt(1, "fast", Outcome.FAILED, "Undefined name `Path`", 0.1),)
    got = offer(settings, snapshot, finding, window, failures)
    request = build_request(
        snapshot, finding, window, list(failures), max_tokens=500, temperature=0.2
    )
    each = (prompt_tokens(request) * 3.0 + 500 * 15.0) / 1e6
    assert got is not None and got.model == "big" and got.attempts == 2
    assert got.usd == pytest.approx(each * 2)
    assert "Undefined name `Path`" in request.messages[0].content  # the failures are its context
    assert got.title == f"escalate to big (≈ ${round_up_cents(each * 2):.2f})"
    assert offer(Settings(), snapshot, finding, window, failures) is None


# --- the ledger ----------------------------------------------------------------------------


def test_a_reservation_counts_at_its_worst_case_until_settled(tmp_path):
    ledger = Ledger(tmp_path / "l.sqlite3")
    r = reserve(ledger)
    assert r.usd == pytest.approx(0.018)
    assert ledger.spent_today(WS) == pytest.approx(0.018)
    assert r.settle(100, 10) == pytest.approx((100 * 3 + 10 * 15) / 1e6)
    assert ledger.spent_today(WS) == pytest.approx(0.00045)
    r.settle(1000, 1000)  # settling twice changes nothing
    assert ledger.spent_today(WS) == pytest.approx(0.00045)
    released = reserve(ledger)
    released.release()
    assert released.state is CallState.RELEASED
    assert ledger.spent_today(WS) == pytest.approx(0.00045)


def test_an_unreported_count_settles_at_its_worst_case(tmp_path):
    ledger = Ledger(tmp_path / "l.sqlite3")
    r = reserve(ledger, prompt=1000, out=1000)
    assert r.settle(None, 200) == pytest.approx((1000 * 3 + 200 * 15) / 1e6)
    r2 = reserve(ledger, prompt=1000, out=1000)
    assert r2.settle(None, None) == pytest.approx(r2.usd)


def test_the_cap_refuses_what_does_not_fit(tmp_path):
    ledger = Ledger(tmp_path / "l.sqlite3")
    reserve(ledger, cap=0.036)
    reserve(ledger, cap=0.036)  # fits exactly
    with pytest.raises(BudgetExhausted) as refused:
        reserve(ledger, cap=0.036)
    assert "budget" in str(refused.value) and "usd_per_day" in str(refused.value)
    # What the smallest request worth sending would need (its max_tokens lowered to 64).
    assert refused.value.needed == pytest.approx((1000 * 3 + 64 * 15) / 1e6)
    reserve(ledger, cap=0.036, workspace="/elsewhere")  # another workspace has its own cap
    assert ledger.spent_today("/elsewhere") == pytest.approx(0.018)
    assert ledger.stats(WS).today["fast"].requests == 2  # a refused request was never sent


def test_free_models_are_never_refused(tmp_path):
    ledger = Ledger(tmp_path / "l.sqlite3")
    for _ in range(3):
        ledger.reserve(
            WS,
            tier="fast",
            model="local",
            prices=Prices(),
            prompt_tokens=10**6,
            max_tokens=10**6,
            cap=0.0,
        )


@pytest.mark.badinput
@pytest.mark.parametrize(
    ("cap", "price"), [(0.0, 1e-9), (1e-300, 1e-9), (0.0, 5e-324), (-0.0, 5e-324)]
)
def test_a_zero_cap_sends_nothing_paid_however_cheap(tmp_path, cap, price):
    # Worth about 1e-13 dollars: an absolute tolerance of 1e-12 let it through a zero cap;
    # at 5e-324 the cost rounds to $0.0 but the model is still a paid one.
    ledger = Ledger(tmp_path / "l.sqlite3")
    with pytest.raises(BudgetExhausted):
        ledger.reserve(
            WS,
            tier="fast",
            model="m",
            prices=Prices(usd_per_mtok_in=price, usd_per_mtok_out=price),
            prompt_tokens=100,
            max_tokens=64,
            cap=cap,
        )
    assert ledger.stats(WS).today == {} or ledger.stats(WS).today["fast"].requests == 0


def test_the_day_rolls_over_at_local_midnight(tmp_path):
    clock = Clock(datetime(2026, 3, 1, 23, 59, 30))
    ledger = Ledger(tmp_path / "l.sqlite3", clock=clock)
    late = reserve(ledger, cap=0.02)
    with pytest.raises(BudgetExhausted):
        reserve(ledger, cap=0.02)
    clock.now += timedelta(seconds=45)  # 00:00:15 the next day
    assert ledger.today() == "2026-03-02"
    assert ledger.spent_today(WS) == 0.0
    reserve(ledger, cap=0.02)
    late.settle(1000, 1000)  # settled after midnight: it stays on the day it was reserved
    stats = ledger.stats(WS)
    assert (
        stats.today["fast"].requests == 1 and stats.all_time["fast"].requests == 2
    )  # refused: none
    assert stats.usd_today == pytest.approx(0.018)


def test_a_new_ledger_on_the_same_file_keeps_the_days_spend(tmp_path):
    path = tmp_path / "state" / "ledger.sqlite3"
    first = Ledger(path)
    reserve(first).settle(1000, 1000)
    in_flight = reserve(first)  # a crash leaves this reserved: it keeps counting
    first.close()
    second = Ledger(path)
    assert second.spent_today(WS) == pytest.approx(0.036)
    assert in_flight.state is CallState.RESERVED


def test_concurrent_ledgers_never_pass_the_cap(tmp_path):
    """Threads with a connection each, like processes: the cap holds for their sum."""
    path = tmp_path / "l.sqlite3"
    Ledger(path).close()
    cap = 0.018 * 5.5
    granted: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        ledger = Ledger(path)
        while True:
            try:
                r = reserve(ledger, cap=cap)
            except BudgetExhausted:
                break
            with lock:
                granted.append(r.usd)
        ledger.close()

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    # Five whole requests, then one whose max_tokens was lowered to fill what was left.
    assert sorted(granted, reverse=True) == pytest.approx([0.018] * 5 + [0.009])
    assert Ledger(path).spent_today(WS) <= cap + 1e-12


def test_stats_per_tier(tmp_path):
    ledger = Ledger(tmp_path / "l.sqlite3")
    reserve(ledger, tier="fast").settle(100, 20)
    reserve(ledger, tier="fast").release()
    reserve(ledger, tier="frontier").settle(300, 40)
    ledger.record_loop(
        WS, tier="fast", model="m", status="gave up", fixed=False, attempts=2, seconds=1.0
    )
    ledger.record_loop(
        WS, tier="frontier", model="big", status="fixed", fixed=True, attempts=1, seconds=2.0
    )
    stats = ledger.stats(WS)
    fast, frontier = stats.today["fast"], stats.today["frontier"]
    assert (fast.requests, fast.input_tokens, fast.output_tokens, fast.loops, fast.fixes) == (
        2,
        100,
        20,
        1,
        0,
    )
    assert (frontier.requests, frontier.loops, frontier.fixes) == (1, 1, 1)
    assert frontier.usd == pytest.approx(PRICES.cost(300, 40))
    assert stats.all_time == stats.today
    assert ledger.stats("/other").today == {}


def test_the_state_dir_can_be_moved(tmp_path):
    assert state_dir({"FIXLOOP_STATE_DIR": str(tmp_path)}) == tmp_path
    assert ledger_path({"FIXLOOP_STATE_DIR": str(tmp_path)}) == tmp_path / "ledger.sqlite3"
    assert "fixloop" in str(state_dir({}))


@pytest.mark.fault
def test_max_tokens_is_lowered_to_what_is_left_and_a_minimal_request_is_the_floor(tmp_path):
    """The worst case of every request fits what is left of the cap: max_tokens shrinks to it."""
    ledger = Ledger(tmp_path / "l.sqlite3")
    prices = Prices(usd_per_mtok_in=3.0, usd_per_mtok_out=15.0)

    def ask(max_tokens: int, cap: float):
        return ledger.reserve(
            WS, tier="fast", model="m", prices=prices, prompt_tokens=1000, max_tokens=max_tokens,
            cap=cap,
        )

    whole = ask(1000, cap=1.0)
    assert whole.max_tokens == 1000
    whole.settle(1000, 1000)  # 0.018
    left = 0.03 - 0.018
    lowered = ask(1000, cap=0.03)
    assert lowered.max_tokens == int((left - 1000 * 3 / 1e6) * 1e6 / 15)  # 600
    assert lowered.usd <= left + 1e-12
    lowered.release()
    with pytest.raises(BudgetExhausted):  # not even 64 output tokens fit
        ask(1000, cap=0.018 + 1000 * 3 / 1e6 + 63 * 15 / 1e6)
    assert ask(10, cap=0.018 + 1000 * 3 / 1e6 + 10 * 15 / 1e6).max_tokens == 10


@pytest.mark.fault
def test_reported_usage_above_the_reservation_is_recorded_and_blows_the_cap(tmp_path):
    ledger = Ledger(tmp_path / "l.sqlite3")
    r = reserve(ledger, cap=0.05, prompt=100, out=50)  # reserves 0.00105
    assert ledger.over_cap(WS, 0.05) is None
    assert r.settle(3000, 3000) == pytest.approx((3000 * 3 + 3000 * 15) / 1e6)  # 0.054: a lie
    assert ledger.spent_today(WS) == pytest.approx(0.054)
    assert ledger.over_cap(WS, 0.05) == pytest.approx(0.054)
    with pytest.raises(BudgetExhausted):
        reserve(ledger, cap=0.05, prompt=1, out=1)


@pytest.mark.badinput
@pytest.mark.parametrize("prices", [Prices(1.0, 5e-324), Prices(5e-324, 5e-324), Prices(0.0, 1e-320)])
def test_a_subnormal_price_is_no_overflow(tmp_path, prices):
    # left * 1e6 / 5e-324 is inf: math.floor raised OverflowError on every request.
    ledger = Ledger(tmp_path / "l.sqlite3")
    reservation = ledger.reserve(
        WS, tier="fast", model="m", prices=prices, prompt_tokens=100, max_tokens=1000, cap=0.5
    )
    assert reservation.max_tokens == 1000
