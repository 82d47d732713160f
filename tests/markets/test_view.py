"""`Markets`: the one chain interface (contract, consistency, no look-ahead, real chains)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from markets_fakes import make_data

from vixshield.data.market import MarketData
from vixshield.errors import UserError
from vixshield.markets.types import CHAIN_COLUMNS, MarketView
from vixshield.markets.view import Markets


def test_is_a_market_view(small_data: MarketData) -> None:
    m: MarketView = Markets(small_data)
    assert m.data is small_data


def test_chain_columns_and_order(small_data: MarketData) -> None:
    m = Markets(small_data)
    d = small_data.daily.index[20]
    for und in ("SPX", "VIX"):
        c = m.chain(d, und)  # type: ignore[arg-type]
        q = c.quotes
        assert tuple(q.columns) == CHAIN_COLUMNS
        assert c.origin == "modeled" and set(q["origin"]) == {"modeled"}
        keys = list(zip(q["expiry"], q["right"], q["strike"], strict=True))
        assert keys == sorted(keys)
        assert (q["bid"] <= q["mid"] + 1e-12).all() and (q["ask"] >= q["mid"] - 1e-12).all()
        assert {e.date for e in m.expiries(d, und)} == set(q["expiry"])  # type: ignore[arg-type]


def test_quote_matches_chain_rows(small_data: MarketData) -> None:
    m = Markets(small_data)
    d = small_data.daily.index[25]
    for und in ("SPX", "VIX"):
        q = m.chain(d, und).quotes.sample(40, random_state=1)  # type: ignore[arg-type]
        b = m.quote(d, und, list(q["expiry"]), q["strike"].to_numpy(), list(q["right"]))  # type: ignore[arg-type]
        for col in ("bid", "ask", "mid", "iv", "delta", "gamma", "vega", "theta", "t_years"):
            np.testing.assert_allclose(getattr(b, col), q[col].to_numpy(), rtol=1e-9, atol=1e-12)


def test_put_call_parity_in_modeled_spx_chain(small_data: MarketData) -> None:
    # C - P = e^{-rT} (F - K) for European options on the same forward (Hull, eq. 11.6 / 18.3).
    m = Markets(small_data)
    d = small_data.daily.index[10]
    q = m.chain(d, "SPX").quotes
    c = q[q["right"] == "C"].set_index(["expiry", "strike"])
    p = q[q["right"] == "P"].set_index(["expiry", "strike"])
    lhs = c["mid"] - p["mid"]
    rhs = np.exp(-0.01 * c["t_years"]) * (c["forward"] - c.index.get_level_values("strike"))
    np.testing.assert_allclose(lhs.to_numpy(), rhs.to_numpy(), atol=1e-7)


def test_no_look_ahead() -> None:
    base = make_data(periods=60)
    t = base.daily.index[30]
    changed = base.daily.copy()
    changed.loc[changed.index > t, ["spx_close", "vix", "vix9d", "vix3m", "skew", "rate"]] *= 1.7
    altered = replace(base, daily=changed)
    a, b = Markets(base), Markets(altered)
    qa, qb = a.chain(t, "SPX").quotes, b.chain(t, "SPX").quotes
    pd.testing.assert_frame_equal(qa, qb)
    pd.testing.assert_frame_equal(a.vx_curve(t), b.vx_curve(t))
    pd.testing.assert_frame_equal(a.chain(t, "VIX").quotes, b.chain(t, "VIX").quotes)


def test_date_outside_data_is_a_user_error(small_data: MarketData) -> None:
    m = Markets(small_data)
    with pytest.raises(UserError, match="not a trading day"):
        m.chain(pd.Timestamp("1980-01-02"), "SPX")
    with pytest.raises(UserError, match="not listed"):
        m.chain(small_data.daily.index[0], "SPX", expiry=pd.Timestamp("2031-01-01"))


def test_settlement_values(small_data: MarketData) -> None:
    m = Markets(small_data)
    daily = small_data.daily
    day = pd.Timestamp("2017-03-17")  # a monthly (AM) expiry
    # without a SET file the open stands in for the SOQ; without CFE finals, the VIX open
    assert m.settlement("SPX", day, "SPX") == (daily.loc[day, "spx_open"], "modeled")
    assert m.settlement("SPX", day, "SPXW") == (daily.loc[day, "spx_close"], "real")
    assert m.settlement("VIX", day, "VIX") == (daily.loc[day, "vix_open"], "modeled")
    assert np.isnan(m.settlement_value("SPX", pd.Timestamp("2040-01-20"), "SPX"))
    gap = daily.copy()
    gap.loc[day, "vix_open"] = np.nan
    m2 = Markets(replace(small_data, daily=gap))
    prev = daily.index[daily.index.get_loc(day) - 1]
    assert m2.settlement("VIX", day, "VIX") == (daily.loc[prev, "vix"], "modeled")


def test_expired_option_is_worth_intrinsic(small_data: MarketData) -> None:
    m = Markets(small_data)
    day = pd.Timestamp("2017-03-17")  # monthly (AM) expiry: settled at the open that day
    spx_open = small_data.daily.loc[day, "spx_open"]
    am = m.quote(day, "SPX", [day], [spx_open - 50.0], ["C"])
    assert am.mid[0] == pytest.approx(50.0) and am.t_years[0] == 0.0
    wk = pd.Timestamp("2017-03-10")  # Friday weekly (PM): settles at that close
    close = small_data.daily.loc[wk, "spx_close"]
    pm = m.quote(wk, "SPX", [wk], [close + 20.0], ["P"])
    assert pm.mid[0] == pytest.approx(20.0) and pm.delta[0] == 0.0


def test_vx_curve_real_where_present_modeled_elsewhere() -> None:
    base = make_data(periods=30)
    d = base.daily.index[5]
    from vixshield.markets.listing import listed_expiries

    first = listed_expiries(d, "VIX")[0].date
    vx = pd.DataFrame({"date": [d], "expiry": [first], "settle": [19.95]})
    m = Markets(replace(base, vx=vx))
    curve = m.vx_curve(d)
    assert list(curve.columns) == ["expiry", "value", "dte", "origin"]
    assert curve.loc[0, "value"] == 19.95 and curve.loc[0, "origin"] == "real"
    assert set(curve["origin"].iloc[1:]) == {"modeled"}
    assert curve.loc[0, "dte"] == (first - d).days
    # VIX options on that expiry are priced off the real future
    assert m.chain(d, "VIX", first).quotes["forward"].iloc[0] == 19.95


def test_vix_options_call_skew_and_parity(small_data: MarketData) -> None:
    m = Markets(small_data)
    d = small_data.daily.index[15]
    q = m.chain(d, "VIX").quotes
    first = q[q["expiry"] == q["expiry"].min()]
    calls = first[first["right"] == "C"]
    f = calls["forward"].iloc[0]
    otm = calls[calls["strike"] > f]
    assert np.all(np.diff(otm["iv"].to_numpy()) > 0)  # vol rising with strike
    puts = first[first["right"] == "P"].set_index("strike")
    c = calls.set_index("strike")
    t = c["t_years"].iloc[0]
    np.testing.assert_allclose(
        (c["mid"] - puts["mid"]).to_numpy(),
        np.exp(-0.01 * t) * (f - c.index.to_numpy()),
        atol=1e-9,
    )
    # the nearer expiry carries the higher vol of vol (ATM)
    atm = q.assign(dist=(q["strike"] - q["forward"]).abs()).sort_values("dist")
    by_exp = atm.groupby("expiry")["iv"].first().to_numpy()
    assert by_exp[0] > by_exp[-1]


def _real_chain(d: pd.Timestamp) -> pd.DataFrame:
    exp = pd.Timestamp("2017-03-17")
    rows = []
    for k in (2300.0, 2350.0, 2400.0):
        for r in ("C", "P"):
            rows.append(
                {
                    "quote_date": d,
                    "underlying": "SPX",
                    "root": "SPX",
                    "expiry": exp,
                    "settlement": "AM",
                    "strike": k,
                    "right": r,
                    "bid": 10.0,
                    "ask": 11.0,
                    "iv": 0.12,
                }
            )
    return pd.DataFrame(rows)


def test_real_chain_is_used_with_origin_real(small_data: MarketData) -> None:
    d = small_data.daily.index[20]
    m = Markets(small_data, chains=_real_chain(d))
    c = m.chain(d, "SPX")
    assert c.origin == "real" and len(c.quotes) == 6 and set(c.quotes["origin"]) == {"real"}
    assert c.quotes["mid"].eq(10.5).all()
    b = m.quote(d, "SPX", [pd.Timestamp("2017-03-17")] * 2, [2350.0, 2400.0], ["P", "C"])
    assert b.origin == "real" and list(b.bid) == [10.0, 10.0]
    # other dates stay modeled
    assert m.chain(small_data.daily.index[21], "SPX").origin == "modeled"


def test_module_level_chain_on_embedded_data() -> None:
    from vixshield.markets import chain

    c = chain(pd.Timestamp("2016-03-01"), "SPX")
    assert c.origin == "modeled" and len(c.quotes) > 1000
    assert c.as_of == pd.Timestamp("2016-03-01")


def test_cached_answers_are_stable_and_not_shared(small_data: MarketData) -> None:
    m = Markets(small_data)
    d = small_data.daily.index[30]
    first = m.vx_curve(d)
    first.loc[0, "value"] = -1.0  # the caller's copy only
    again = m.vx_curve(d)
    pd.testing.assert_frame_equal(again, Markets(small_data).vx_curve(d))
    assert again.loc[0, "value"] > 0
    e = m.expiries(d, "VIX")[1].date
    forms = ([e], [str(e.date())], [e.to_pydatetime()], [pd.Timestamp(e).as_unit("s")])
    quotes = [m.quote(d, "VIX", f, [20.0], ["C"]) for f in forms]
    for q in quotes[1:]:
        assert q.mid[0] == quotes[0].mid[0] and q.forward[0] == quotes[0].forward[0]
    assert quotes[0].forward[0] == again.set_index("expiry").loc[e, "value"]


def test_rate_and_vix_gaps_use_earlier_rows_only() -> None:
    base = make_data(periods=40)
    daily = base.daily.copy()
    daily["rate"] = np.nan
    daily.iloc[5, daily.columns.get_loc("rate")] = 0.031
    daily.iloc[30, daily.columns.get_loc("vix")] = np.nan
    m = Markets(replace(base, daily=daily))
    idx = daily.index
    assert m.chain(idx[3], "SPX").rate == 0.02  # nothing known yet: DEFAULT_RATE
    assert m.chain(idx[20], "SPX").rate == 0.031  # last known value
    # VIX stand-in on row 30: clip(1.1 RV21 + 3, 9, 90) from the 22 closes up to it
    closes = daily["spx_close"].to_numpy()[9:31]
    rv = np.std(np.diff(np.log(closes)), ddof=1) * np.sqrt(252) * 100
    assert m.chain(idx[30], "VIX").spot == pytest.approx(np.clip(1.1 * rv + 3.0, 9.0, 90.0))


def test_settlement_from_the_real_record(small_data: MarketData) -> None:
    # SPX AM options settle at the SOQ (imported SET values); VIX options and VX futures at
    # the VX final settlement, which the CFE files give as the settle on the expiry day
    # (CFE_K08_VX.csv: 05/21/2008 Settle 17.16 while the VIX opened at 17.64).
    daily = small_data.daily.copy()
    day = pd.Timestamp("2017-03-17")  # a monthly (AM) expiry
    daily["spx_set"] = np.nan
    daily.loc[day, "spx_set"] = 2301.25
    vx = pd.DataFrame(
        {
            "date": [daily.index[daily.index.get_loc(day) - 1], day],
            "expiry": [day, day],
            "settle": [13.5, 17.16],
        }
    )
    m = Markets(replace(small_data, daily=daily, vx=vx))
    assert m.settlement("SPX", day, "SPX") == (2301.25, "real")
    assert m.settlement("VIX", day, "VIX") == (17.16, "real")
    # an expired VIX call settles against that value
    q = m.quote(day, "VIX", [day], [15.0], ["C"])
    assert q.mid[0] == pytest.approx(2.16)
