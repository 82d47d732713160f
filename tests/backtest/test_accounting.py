"""Accounting invariants on random hand-built markets, determinism and no look-ahead."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from bt_fakes import FakeMarket, Script, check_invariants, condor_legs, make_data, policy, ts
from hypothesis import given, settings
from hypothesis import strategies as st

from vixshield.backtest import Backtest, summary_json
from vixshield.strategy.types import Leg, Order, Position

DAYS = [d.strftime("%Y-%m-%d") for d in pd.bdate_range("2016-01-04", "2016-01-22")]
EXP = "2016-01-15"
STRIKES = ((1850.0, "P"), (1900.0, "P"), (2100.0, "C"), (2150.0, "C"))


def _market(seed: int, settle: float, rate: float = 0.02) -> FakeMarket:
    rng = np.random.default_rng(seed)
    m = FakeMarket(make_data(DAYS, spx=2000 + rng.normal(0, 20, len(DAYS)), rate=rate))
    for d in DAYS:
        if ts(d) >= ts(EXP):
            break
        for k, r in STRIKES:
            mid = float(rng.uniform(0.5, 60.0))
            half = float(rng.uniform(0.0, 1.5))
            m.set(d, "SPX", EXP, k, r, max(mid - half, 0.0), mid + half)
        vmid = float(rng.uniform(0.5, 5.0))
        m.set(d, "VIX", "2016-01-20", 20.0, "C", vmid - 0.05 * vmid, vmid + 0.05 * vmid)
    for d in DAYS:
        if ts(d) < ts("2016-01-20"):
            vmid = float(rng.uniform(0.5, 5.0))
            m.quotes.setdefault((ts(d), "VIX", ts("2016-01-20"), 20.0, "C"), (vmid, vmid + 0.1))
    m.settlements[("SPX", ts(EXP), "SPX")] = settle
    m.settlements[("VIX", ts("2016-01-20"), "VIX")] = float(rng.uniform(10, 40))
    return m


def _scripted(opens: list[int], closes: list[int]) -> Script:
    def orders(d: pd.Timestamp, pos: tuple[Position, ...], acct: object) -> list[Order]:
        i = DAYS.index(d.strftime("%Y-%m-%d"))
        out: list[Order] = []
        if i in closes and pos:
            p = pos[0]
            out.append(Order("close", p.kind, (), max(p.contracts // 2, 1), "rule", p.id, p.layer))
        if i in opens and d < ts(EXP):
            out.append(Order("open", "condor", condor_legs(EXP, 1850, 1900, 2100, 2150), 3, "e"))
            vix = Leg("VIX", "VIX", ts("2016-01-20"), "AM", 20.0, "C", 1)
            out.append(Order("open", "hedge", (vix,), 2, "h", layer="short"))
        return out

    return Script(orders)


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    settle=st.floats(1700, 2300),
    opens=st.lists(st.integers(0, 8), max_size=4),
    closes=st.lists(st.integers(0, 14), max_size=4),
    cash_yield=st.booleans(),
)
def test_invariants_every_day(
    seed: int, settle: float, opens: list[int], closes: list[int], cash_yield: bool
) -> None:
    m = _market(seed, settle)
    cap = 1_000_000.0
    res = Backtest(policy(cap, cash_yield), m, decide=_scripted(opens, closes)).run()
    d = res.daily
    check_invariants(d, cap)
    # the trade ledger, interest and the final marks rebuild the final equity independently
    t = res.trades
    rebuilt = (
        cap
        + t["cash_flow"].sum()
        - t["commission"].sum()
        - t["fees"].sum()
        + d["pnl_interest"].sum()
        + d["positions_value"].iloc[-1]
    )
    assert d["equity"].iloc[-1] == pytest.approx(rebuilt, abs=1e-6)
    assert (d["margin"] >= 0).all()
    assert (d["drawdown"] <= 0).all()
    if not cash_yield:
        assert (d["pnl_interest"] == 0).all()
    # every condor position still open at the end, and everything expiring, has settled
    assert all(lg.expiry > d.index[-1] for p in res.open_positions for lg in p.legs)


def _run(m: FakeMarket) -> str:
    res = Backtest(policy(1_000_000, True), m, decide=_scripted([0, 3], [5])).run()
    return summary_json(res)


def test_summary_is_byte_identical_across_runs() -> None:
    a, b = _run(_market(7, 1950.0)), _run(_market(7, 1950.0))
    assert a == b
    assert '"schema"' in a and "NaN" not in a


def test_no_look_ahead_in_the_daily_frame() -> None:
    cut = ts("2016-01-12")
    base = _market(11, 1950.0)
    res_a = Backtest(policy(1_000_000, True), base, decide=_scripted([0, 3], [5])).run()
    # alter everything after the cut: quotes, index levels, rates, the settlement value
    altered = _market(11, 1950.0)
    for key in list(altered.quotes):
        if key[0] > cut:
            b, a = altered.quotes[key]
            altered.quotes[key] = (b * 3 + 1, a * 3 + 2)
    daily = altered.market_data.daily.copy()
    daily.loc[daily.index > cut, ["spx_close", "vix", "rate"]] *= 1.7
    altered.market_data = replace(altered.market_data, daily=daily)
    altered.settlements[("SPX", ts(EXP), "SPX")] = 1500.0
    res_b = Backtest(policy(1_000_000, True), altered, decide=_scripted([0, 3], [5])).run()
    pd.testing.assert_frame_equal(res_a.daily.loc[:cut], res_b.daily.loc[:cut])
    assert not res_a.daily.loc[cut:].iloc[1:].equals(res_b.daily.loc[cut:].iloc[1:])


def test_spec_is_not_mutated_and_reruns_agree() -> None:
    m = _market(3, 2000.0)
    bt = Backtest(policy(), m, decide=_scripted([1], []))
    r1, r2 = bt.run(), bt.run()
    pd.testing.assert_frame_equal(r1.daily, r2.daily)
    pd.testing.assert_frame_equal(r1.trades, r2.trades)


def test_progress_callback_counts_days() -> None:
    seen: list[tuple[int, int]] = []
    Backtest(policy(), _market(1, 2000.0), decide=_scripted([], [])).run(
        progress=lambda i, n: seen.append((i, n))
    )
    assert seen[0] == (1, len(DAYS)) and seen[-1] == (len(DAYS), len(DAYS))
