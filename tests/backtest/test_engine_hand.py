"""Hand-computed P&L on a hand-built market (every price below is set by hand)."""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from bt_fakes import (
    FakeMarket,
    Script,
    at,
    check_invariants,
    condor_legs,
    make_data,
    policy,
    ts,
)

from vixshield.backtest import Backtest
from vixshield.data.market import Provenance
from vixshield.errors import UserError
from vixshield.strategy.types import Leg, Order

# Jan 2016: Monday 4th .. Friday 15th (the third Friday: SPX monthly AM expiry)
DAYS = [f"2016-01-{d:02d}" for d in (4, 5, 6, 7, 8, 11, 12, 13, 14, 15)]
EXPIRY = "2016-01-15"
COST = 0.65 + 0.60  # dollars per contract per leg


def _condor_market(settle: float) -> FakeMarket:
    m = FakeMarket(make_data(DAYS))
    # opening quotes on Jan 4 (bid, ask), index points
    m.set("2016-01-04", "SPX", EXPIRY, 1850, "P", 5.0, 6.0)
    m.set("2016-01-04", "SPX", EXPIRY, 1900, "P", 10.0, 11.0)
    m.set("2016-01-04", "SPX", EXPIRY, 2100, "C", 8.0, 9.0)
    m.set("2016-01-04", "SPX", EXPIRY, 2150, "C", 3.0, 4.0)
    # later marks: a slow decay, all legs present until Jan 14
    for i, d in enumerate(DAYS[1:-1], start=1):
        f = 1.0 - i / 10
        for k, r, b in ((1850, "P", 5.0), (1900, "P", 10.0), (2100, "C", 8.0), (2150, "C", 3.0)):
            m.set(d, "SPX", EXPIRY, k, r, b * f, (b + 1) * f)
    m.settlements[("SPX", ts(EXPIRY), "SPX")] = settle
    return m


def _open_condor() -> Order:
    return Order("open", "condor", condor_legs(EXPIRY, 1850, 1900, 2100, 2150), 2, "entry")


def test_condor_expires_worthless_keeps_credit_minus_costs() -> None:
    # fills with spread_share 0.25: sell 1900P at 10.5-0.25=10.25, buy 1850P at 5.5+0.25=5.75,
    # sell 2100C at 8.25, buy 2150C at 3.75 -> credit 9.00 points x 100 x 2 = $1,800;
    # costs 4 legs x 2 contracts x $1.25 = $10. SOQ 2000: every leg expires worthless.
    m = _condor_market(settle=2000.0)
    res = Backtest(policy(), m, decide=Script(at({"2016-01-04": [_open_condor()]}))).run()
    assert res.daily["equity"].iloc[-1] == pytest.approx(100_000 + 1800 - 10, abs=1e-9)
    assert res.daily["pnl_condor"].sum() == pytest.approx(1800.0, abs=1e-9)
    assert res.daily["pnl_costs"].sum() == pytest.approx(-10.0, abs=1e-9)
    assert len(res.cycles) == 1
    cyc = res.cycles.iloc[0]
    assert cyc["credit"] == pytest.approx(1800.0)
    assert cyc["pnl"] == pytest.approx(1790.0)
    assert cyc["exit_reason"] == "expired"
    assert res.open_positions == ()
    # settled on the morning of the expiry: no position left at the close of Jan 15
    assert res.daily["n_positions"].iloc[-1] == 0
    # Reg-T margin of a condor = widest wing 50 x 100 x 2 contracts, while open
    assert res.daily["margin"].iloc[0] == pytest.approx(10_000.0)
    # a 10% SPX drop (2000 -> 1800, below both put strikes) with doubled vols puts the short
    # put spread deep in the money: a shock loss > 0, so the demand exceeds the Reg-T margin
    d0 = res.daily.iloc[0]
    assert d0["shock_demand"] > d0["margin"]
    assert res.metrics["min_quick_ratio"] <= d0["cash"] / d0["margin"]
    check_invariants(res.daily, 100_000)


def test_condor_loses_full_width() -> None:
    # settle 1800 < 1850: the put spread pays its width 50 -> P&L = -(50 - 9) x 100 x 2 - 10
    m = _condor_market(settle=1800.0)
    res = Backtest(policy(), m, decide=Script(at({"2016-01-04": [_open_condor()]}))).run()
    assert res.daily["equity"].iloc[-1] - 100_000 == pytest.approx(-(50 - 9) * 200 - 10, abs=1e-9)
    assert res.cycles.iloc[0]["pnl"] == pytest.approx(-8210.0)
    settle = res.trades[res.trades["action"] == "settle"]
    assert len(settle) == 4
    assert settle["commission"].sum() == 0.0  # no spread, no commission at settlement
    check_invariants(res.daily, 100_000)


def test_vix_call_settles_in_the_money() -> None:
    # buy 1 VIX Jan-20-2016 20 call at mid 2.0 + 0.25 x 0.2 = 2.05; SOQ 30:
    # P&L = (30 - 20 - 2.05) x 100 - 1.25 = 793.75
    days = [*DAYS, "2016-01-19", "2016-01-20", "2016-01-21"]
    m = FakeMarket(make_data(days))
    exp = "2016-01-20"
    m.set("2016-01-04", "VIX", exp, 20, "C", 1.9, 2.1)
    for d in days[1:-2]:
        m.set(d, "VIX", exp, 20, "C", 3.0, 3.2)
    m.settlements[("VIX", ts(exp), "VIX")] = 30.0
    leg = Leg("VIX", "VIX", ts(exp), "AM", 20.0, "C", 1)
    order = Order("open", "hedge", (leg,), 1, "hedge", layer="short")
    res = Backtest(policy(), m, decide=Script(at({"2016-01-04": [order]}))).run()
    assert res.daily["equity"].iloc[-1] - 100_000 == pytest.approx(793.75, abs=1e-9)
    assert res.daily["pnl_hedge:short"].sum() == pytest.approx(795.0, abs=1e-9)
    assert res.metrics["hedge_premium_paid"] == pytest.approx(205.0)
    assert res.metrics["hedge_cost"] == pytest.approx(-795.0)  # it gained: a negative cost
    # settled at the SOQ on the morning of Jan 20
    day = res.daily.loc[ts(exp)]
    assert day["n_positions"] == 0
    assert day["pnl_hedge:short"] == pytest.approx((30 - 20 - 3.1) * 100)
    settle = res.trades[res.trades["action"] == "settle"]
    assert settle["origin"].tolist() == ["real"]
    check_invariants(res.daily, 100_000)


def test_proxy_settlement_is_tagged_modeled() -> None:
    # the same VIX call, but the market only has a proxy for the SOQ (no open that day)
    days = [*DAYS, "2016-01-19", "2016-01-20", "2016-01-21"]
    m = FakeMarket(make_data(days))
    exp = "2016-01-20"
    m.set("2016-01-04", "VIX", exp, 20, "C", 1.9, 2.1)
    m.settlements[("VIX", ts(exp), "VIX")] = 30.0
    m.settlement_origins[("VIX", ts(exp), "VIX")] = "modeled"
    leg = Leg("VIX", "VIX", ts(exp), "AM", 20.0, "C", 1)
    order = Order("open", "hedge", (leg,), 1, "hedge", layer="short")
    res = Backtest(policy(), m, decide=Script(at({"2016-01-04": [order]}))).run()
    settle = res.trades[res.trades["action"] == "settle"]
    assert settle["origin"].tolist() == ["modeled"]
    assert settle["fill"].tolist() == pytest.approx([10.0])  # intrinsic at the proxy 30


def test_close_order_fills_against_the_spread() -> None:
    # open Jan 4 (credit 9.00), close Jan 6 where quotes are 0.8 x (b, b+1):
    # buy back 1900P at mid 8.4 + 0.2 = 8.6, sell 1850P at 4.4 - 0.2 = 4.2,
    # buy 2100C at 6.8 + 0.2 = 7.0, sell 2150C at 2.8 - 0.2 = 2.6 -> debit 8.8
    # P&L = (9.0 - 8.8) x 100 x 2 - 2 x 10 = 20
    m = _condor_market(settle=2000.0)

    def orders(d: pd.Timestamp, pos: tuple[object, ...], acct: object) -> list[Order]:
        if d == ts("2016-01-04"):
            return [_open_condor()]
        if d == ts("2016-01-06"):
            return [Order("close", "condor", (), 2, "take profit", position_id=pos[0].id)]  # type: ignore[attr-defined]
        return []

    res = Backtest(policy(), m, decide=Script(orders)).run()
    assert res.daily["equity"].iloc[-1] - 100_000 == pytest.approx(20.0, abs=1e-9)
    assert res.cycles.iloc[0]["exit_reason"] == "take profit"
    assert res.cycles.iloc[0]["pnl"] == pytest.approx(20.0)
    check_invariants(res.daily, 100_000)


def test_idle_cash_earns_tbill_rate_act360() -> None:
    # 3.6% a year on $1,000,000 = $100 per calendar day (ACT/360), compounding daily;
    # Jan 8 (Fri) -> Jan 11 (Mon) is 3 days.
    m = FakeMarket(make_data(DAYS, rate=0.036))
    res = Backtest(policy(1_000_000, cash_yield=True), m, decide=Script(lambda d, p, a: [])).run()
    cash = 1_000_000.0
    for a, b in itertools.pairwise(DAYS):
        cash *= 1 + 0.036 * (ts(b) - ts(a)).days / 360
    assert res.daily["equity"].iloc[-1] == pytest.approx(cash, rel=1e-12)
    assert res.daily["pnl_interest"].iloc[1] == pytest.approx(100.0)
    assert res.daily["pnl_interest"].loc[ts("2016-01-11")] == pytest.approx(
        1_000_000 * (1 + 0.0001) ** 4 * 0.0003
    )
    check_invariants(res.daily, 1_000_000)


def test_margin_call_blocks_entries_and_reduces() -> None:
    # capital $12,000; condor margin $10,000. On Jan 5 the put spread is marked at 45 (bid 44.5,
    # ask 45.5 on the 1850P/1900P as 5/50): equity falls below margin -> a margin call closes it.
    m = _condor_market(settle=2000.0)
    for d in DAYS[1:-1]:
        m.set(d, "SPX", EXPIRY, 1850, "P", 5.0, 6.0)
        m.set(d, "SPX", EXPIRY, 1900, "P", 49.5, 50.5)
        m.set(d, "SPX", EXPIRY, 2100, "C", 0.0, 0.2)
        m.set(d, "SPX", EXPIRY, 2150, "C", 0.0, 0.2)
    script = Script(at({"2016-01-04": [_open_condor()], "2016-01-05": [_open_condor()]}))
    res = Backtest(policy(12_000), m, decide=script).run()
    assert bool(res.daily["margin_call"].loc[ts("2016-01-05")])
    assert res.cycles.iloc[0]["exit_reason"] == "margin call"
    assert (res.trades["action"] == "open").sum() == 4  # the Jan 5 entry was blocked
    assert res.daily["n_positions"].loc[ts("2016-01-05")] == 0
    assert any("margin call" in w for w in res.warnings)
    check_invariants(res.daily, 12_000)


def test_pm_settlement_at_the_close() -> None:
    # SPXW Jan 8 2016 PM put spread: buy 1950P (bid 9.5 ask 10.5) at 10 + 0.25 = 10.25,
    # sell 1900P (bid 3.5 ask 4.5) at 4 - 0.25 = 3.75 -> debit 6.50 points.
    # Settlement at the close of Jan 8 = 1930: the 1950P pays 20, the 1900P nothing.
    # P&L = (20 - 6.5) x 100 - 2 legs x $1.25 = 1347.5
    m = FakeMarket(make_data(DAYS))
    e = "2016-01-08"
    m.set("2016-01-04", "SPX", e, 1950, "P", 9.5, 10.5)
    m.set("2016-01-04", "SPX", e, 1900, "P", 3.5, 4.5)
    for d in DAYS[1:5]:
        m.set(d, "SPX", e, 1950, "P", 19.0, 21.0)
        m.set(d, "SPX", e, 1900, "P", 0.0, 0.5)
    m.settlements[("SPX", ts(e), "SPXW")] = 1930.0
    legs = (
        Leg("SPX", "SPXW", ts(e), "PM", 1950.0, "P", 1),
        Leg("SPX", "SPXW", ts(e), "PM", 1900.0, "P", -1),
    )
    res = Backtest(
        policy(),
        m,
        decide=Script(at({"2016-01-04": [Order("open", "hedge", legs, 1, "", layer="x")]})),
    ).run()
    assert res.daily["equity"].iloc[-1] - 100_000 == pytest.approx(1347.5, abs=1e-9)
    assert res.daily["n_positions"].loc[ts("2016-01-07")] == 1
    assert res.daily["n_positions"].loc[ts(e)] == 0
    check_invariants(res.daily, 100_000)


def test_strategy_sees_account_and_positions_at_each_close() -> None:
    m = _condor_market(settle=2000.0)
    script = Script(at({"2016-01-04": [_open_condor()]}))
    res = Backtest(policy(), m, decide=script).run()
    assert [c[0] for c in script.calls] == list(res.daily.index)
    date, positions, account = script.calls[1]
    assert len(positions) == 1 and positions[0].contracts == 2
    assert positions[0].entry_price == pytest.approx(-9.0)  # credit per unit, index points
    assert account.margin == pytest.approx(10_000.0)
    row = res.daily.loc[date]
    assert account.equity == pytest.approx(row["equity"])
    assert res.last_decision is not None and res.last_decision.state == len(DAYS)


def test_missing_quote_keeps_previous_mark_with_warning() -> None:
    m = _condor_market(settle=2000.0)
    for k, r in ((1850, "P"), (1900, "P"), (2100, "C"), (2150, "C")):
        del m.quotes[(ts("2016-01-07"), "SPX", ts(EXPIRY), float(k), r)]
    res = Backtest(policy(), m, decide=Script(at({"2016-01-04": [_open_condor()]}))).run()
    d = res.daily
    assert d.loc[ts("2016-01-07"), "positions_value"] == d.loc[ts("2016-01-06"), "positions_value"]
    assert any("previous mark" in w for w in res.warnings)
    check_invariants(d, 100_000)


def test_start_end_restrict_days_and_capital_override() -> None:
    m = _condor_market(settle=2000.0)
    res = Backtest(
        policy(),
        m,
        start="2016-01-05",
        end="2016-01-12",
        capital=50_000,
        decide=Script(lambda d, p, a: []),
    ).run()
    assert res.start == ts("2016-01-05") and res.end == ts("2016-01-12")
    assert len(res.daily) == 6 and res.capital == 50_000
    assert np.allclose(res.daily["equity"], 50_000)


def _vix_leg() -> Leg:
    return Leg("VIX", "VIX", ts("2016-01-20"), "AM", 20.0, "C", 1)


def test_hedge_cost_is_attributed_to_the_open_condor_cycle() -> None:
    # condor credit $1,800 (see above); on Jan 5 buy 3 VIX calls at 2.0 + 0.25 x 0.2 = 2.05,
    # marked at mid 2.0 every day after: the hedges consume 3 x 0.05 x 100 = $15 (the spread),
    # paid premium $615 gross. Credit-to-hedge = 1800 / 15 = 120 (the strategy's definition).
    m = _condor_market(settle=2000.0)
    for d in DAYS:
        m.set(d, "VIX", "2016-01-20", 20.0, "C", 1.9, 2.1)
    hedge = Order("open", "hedge", (_vix_leg(),), 3, "hedge", layer="short")
    script = Script(at({"2016-01-04": [_open_condor()], "2016-01-05": [hedge]}))
    res = Backtest(policy(), m, decide=script).run()
    cyc = res.cycles.iloc[0]
    assert cyc["hedge_cost"] == pytest.approx(15.0)
    assert cyc["credit_to_hedge"] == pytest.approx(120.0)
    assert res.metrics["hedge_cost"] == pytest.approx(15.0)
    assert res.metrics["hedge_premium_paid"] == pytest.approx(615.0)
    assert res.metrics["credit_to_hedge_ratio"] == pytest.approx(120.0)
    # on premium spent: 1800 / 615
    assert res.metrics["credit_to_hedge_premium_ratio"] == pytest.approx(1800.0 / 615.0)
    check_invariants(res.daily, 100_000)


def test_hedge_cost_before_any_condor_goes_to_the_next_cycle() -> None:
    # 1 VIX call bought Jan 4 at 2.05 (mid 2.0), marked at 1.5 from Jan 5: it consumes
    # 5 + 50 = $55 before any condor. The condor opened Jan 6 (quotes 0.8 x (b, b+1)):
    # sell 1900P 8.4 - 0.2 = 8.2, buy 1850P 4.4 + 0.2 = 4.6, sell 2100C 6.6, buy 2150C 3.0
    # -> credit 7.2 x 100 x 2 = $1,440; its cycle carries the $55: ratio 1440 / 55.
    m = _condor_market(settle=2000.0)
    m.set("2016-01-04", "VIX", "2016-01-20", 20.0, "C", 1.9, 2.1)
    for d in DAYS[1:]:
        m.set(d, "VIX", "2016-01-20", 20.0, "C", 1.4, 1.6)
    hedge = Order("open", "hedge", (_vix_leg(),), 1, "hedge", layer="short")
    res = Backtest(
        policy(), m, decide=Script(at({"2016-01-04": [hedge], "2016-01-06": [_open_condor()]}))
    ).run()
    cyc = res.cycles.iloc[0]
    assert cyc["credit"] == pytest.approx(1440.0)
    assert cyc["hedge_cost"] == pytest.approx(55.0)
    assert cyc["credit_to_hedge"] == pytest.approx(1440.0 / 55.0)


def test_hedge_gain_gives_infinite_cycle_ratio() -> None:
    # the VIX call bought at 2.05 is marked at 3.0 the next day: the hedge gained
    m = _condor_market(settle=2000.0)
    m.set("2016-01-04", "VIX", "2016-01-20", 20.0, "C", 1.9, 2.1)
    for d in DAYS[1:]:
        m.set(d, "VIX", "2016-01-20", 20.0, "C", 2.9, 3.1)
    hedge = Order("open", "hedge", (_vix_leg(),), 1, "hedge", layer="short")
    res = Backtest(policy(), m, decide=Script(at({"2016-01-04": [_open_condor(), hedge]}))).run()
    assert res.cycles.iloc[0]["hedge_cost"] == pytest.approx(-95.0)
    assert res.cycles.iloc[0]["credit_to_hedge"] == np.inf
    assert np.isnan(res.metrics["credit_to_hedge_ratio"])  # type: ignore[arg-type]
    # still defined on premium spent: the condor's credit over the call's 2.05 x 100 = $205
    credit = res.cycles.iloc[0]["credit"]
    assert res.metrics["credit_to_hedge_premium_ratio"] == pytest.approx(credit / 205.0)


def test_debit_beyond_idle_cash_is_rejected() -> None:
    # capital $1,000: 10 VIX calls at 2.05 cost $2,050 + costs > idle cash -> rejected
    m = FakeMarket(make_data(DAYS))
    m.set("2016-01-04", "VIX", "2016-01-20", 20.0, "C", 1.9, 2.1)
    hedge = Order("open", "hedge", (_vix_leg(),), 10, "hedge", layer="short")
    res = Backtest(policy(1_000), m, decide=Script(at({"2016-01-04": [hedge]}))).run()
    assert len(res.trades) == 0
    assert any("idle cash" in w for w in res.warnings)
    assert res.daily["equity"].iloc[-1] == 1_000


def test_days_without_spx_close_are_skipped() -> None:
    data = make_data(DAYS)
    daily = data.daily.copy()
    daily.loc[ts("2016-01-14") :, "spx_close"] = np.nan
    m = FakeMarket(replace(data, daily=daily))
    # asked to run to the last data day: the days without an SPX close are skipped, with a word
    res = Backtest(policy(), m, end=DAYS[-1], decide=Script(lambda d, p, a: [])).run()
    assert res.end == ts("2016-01-13") and len(res.daily) == 8
    assert any("without an SPX close" in w for w in res.warnings)
    # by default the run ends at the last SPX close, so there is nothing to warn about
    res = Backtest(policy(), m, decide=Script(lambda d, p, a: [])).run()
    assert res.end == ts("2016-01-13") and len(res.daily) == 8
    assert not any("without an SPX close" in w for w in res.warnings)


def test_days_without_vix_close_are_skipped_after_the_vix_history_starts() -> None:
    # the SPX runs on past the last VIX close (as a store with a newer SPX file), and one
    # VIX close is missing in the middle: neither is decided on a VIX stand-in
    data = make_data(DAYS)
    daily = data.daily.copy()
    daily.loc[ts("2016-01-08"), "vix"] = np.nan
    daily.loc[ts("2016-01-14") :, "vix"] = np.nan
    m = FakeMarket(replace(data, daily=daily))
    seen: list[pd.Timestamp] = []

    def record(d: pd.Timestamp, p: object, a: object) -> list[Order]:
        seen.append(d)
        return []

    res = Backtest(policy(), m, decide=Script(record)).run()
    # by default: to the last day with both closes, the middle gap skipped with a word
    assert res.end == ts("2016-01-13") and ts("2016-01-08") not in res.daily.index
    assert len(res.daily) == 7 and ts("2016-01-08") not in seen
    (warned,) = [w for w in res.warnings if "no VIX close not simulated" in w]
    assert warned.startswith("1 trading day(s) with an SPX close but no VIX close")
    assert "first 2016-01-08" in warned
    # asked to run to the last SPX close: the days past the VIX are skipped, with a word
    res = Backtest(policy(), m, end=DAYS[-1], decide=Script(lambda d, p, a: [])).run()
    assert res.end == ts("2016-01-13") and len(res.daily) == 7
    (warned,) = [w for w in res.warnings if "no VIX close not simulated" in w]
    assert warned.startswith(f"{1 + len(DAYS) - 8} trading day(s)")
    assert f"last {DAYS[-1]}" in warned and "first 2016-01-08" in warned


def test_days_before_the_vix_history_are_simulated_on_a_tagged_stand_in() -> None:
    data = make_data(DAYS)
    daily = data.daily.copy()
    daily.loc[: ts("2016-01-05"), "vix"] = np.nan  # the VIX history starts 2016-01-06
    daily["skew"] = 130.0
    daily.loc[ts("2016-01-12"), "skew"] = np.nan  # one SKEW close missing
    real = {c: Provenance(c, "cboe", "file", "", "real", "") for c in ("vix", "skew")}
    m = FakeMarket(replace(data, daily=daily, provenance=real))
    # by default the run starts at the first VIX close: no VIX stand-in, nothing to say
    res = Backtest(policy(), m, decide=Script(lambda d, p, a: [])).run()
    assert res.start == ts("2016-01-06") and "vix:modeled_fill" not in res.provenance
    assert not any(w.startswith("vix: ") for w in res.warnings)
    # the SKEW gap is a modeled input of the run, said so (VVIX: not in the data, no entry)
    skew = res.provenance["skew:modeled_fill"]
    assert skew.origin == "modeled" and skew.note.startswith("1 simulated day(s) without")
    assert "(2016-01-12 .. 2016-01-12)" in skew.note and "vvix:modeled_fill" not in res.provenance
    # asked to start before it: those days run on the stand-in, tagged modeled and counted
    res = Backtest(policy(), m, start=DAYS[0], decide=Script(lambda d, p, a: [])).run()
    assert res.start == ts(DAYS[0]) and len(res.daily) == len(DAYS)
    assert res.provenance["vix:modeled_fill"].origin == "modeled"
    (warned,) = [w for w in res.warnings if w.startswith("vix: ")]
    assert warned.startswith(
        "vix: 2 simulated day(s) without a vix close (2016-01-04 .. 2016-01-05)"
    )


def test_a_window_with_no_vix_close_is_refused_with_the_reason() -> None:
    data = make_data(DAYS)
    daily = data.daily.copy()
    daily.loc[ts("2016-01-11") :, "vix"] = np.nan  # VIX history 2016-01-04 .. 2016-01-08
    m = FakeMarket(replace(data, daily=daily))
    bt = Backtest(
        policy(), m, start="2016-01-11", end="2016-01-15", decide=Script(lambda d, p, a: [])
    )
    with pytest.raises(UserError, match=r"and a VIX close, from 2016-01-04\) in the data between "
                       r"2016-01-11 and 2016-01-15"):  # fmt: skip
        bt.run()
