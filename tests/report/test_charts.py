"""Figures of the report (vixshield.report.charts): what a trader must be able to read."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from report_fakes import condor_legs, make_daily, vix_call_leg

from vixshield.markets.view import Markets
from vixshield.report.charts import (
    credit_hedge_bounds,
    credit_to_hedge_figure,
    equity_figure,
    risk_graph_figure,
    vix_scenario_figure,
)
from vixshield.report.risk_graph import risk_graph
from vixshield.strategy.types import Position

AS_OF = pd.Timestamp("2018-02-01")


def test_credit_to_hedge_is_clipped_on_a_log_axis() -> None:
    daily = make_daily(10)
    ratios = [np.nan, 0.5, 1.2, 950.0, 0.01, 2.0, 3.0, 1.0, 0.8, 1.1]
    daily["credit_to_hedge"] = ratios
    # numpy's linear percentiles of the 9 finite values: 2nd = 0.01 + 0.16 x (0.5 - 0.01),
    # 98th = 3.0 + 0.84 x (950 - 3.0) (positions 0.02 x 8 and 0.98 x 8 in the sorted values)
    lo, hi = 0.01 + 0.16 * 0.49, 3.0 + 0.84 * 947.0
    assert credit_hedge_bounds(daily["credit_to_hedge"]) == pytest.approx((lo, hi))
    fig = credit_to_hedge_figure(daily)
    (trace,) = fig.data
    assert fig.layout.yaxis.type == "log"
    assert tuple(fig.layout.yaxis.range) == pytest.approx((np.log10(lo), np.log10(hi)))
    assert trace.y[3] == pytest.approx(hi) and trace.y[4] == pytest.approx(lo)
    assert list(trace.y[5:]) == [2.0, 3.0, 1.0, 0.8, 1.1] and trace.y[0] is None
    assert trace.customdata[3] == " (clipped, actual 950.00)" and trace.customdata[1] == ""


def test_credit_to_hedge_axis_always_spans_break_even() -> None:
    flat = pd.Series([1.0, 1.0, 1.0])
    assert credit_hedge_bounds(flat) == (0.5, 2.0)
    assert credit_hedge_bounds(pd.Series([np.nan, -1.0])) == (0.5, 2.0)


def test_buy_and_hold_says_price_only() -> None:
    names = [t.name for t in equity_figure(make_daily(10), 100_000.0).data]
    assert "SPX buy & hold (price only)" in names


def test_risk_graph_figure_keeps_the_condor_in_its_own_panel(embedded_markets: Markets) -> None:
    book = [
        Position("IC", "condor", condor_legs(pd.Timestamp("2018-03-16")), 1, AS_OF, -4.0),
        Position("H", "hedge:core", (vix_call_leg(20.0),), 50, AS_OF, 1.2),
    ]
    g = risk_graph(book, embedded_markets, AS_OF)
    fig = risk_graph_figure(g)
    condor = [t for t in fig.data if str(t.name).startswith("condor ")]
    others = [t for t in fig.data if str(t.name).startswith(("hedges ", "total "))]
    assert len(condor) == 3 and len(others) == 6  # T+0, T+7, expiry of each group
    assert {t.yaxis for t in condor} == {"y"} and {t.yaxis for t in others} == {"y2"}
    marks = {round(s.x0, 2) for s in fig.layout.shapes if s.type == "line" and s.x0 == s.x1}
    assert {2550.0, 2600.0, 2700.0, 2750.0, 2596.0, 2704.0} <= marks  # strikes, break-evens
    assert round(g.spot, 2) in marks
    bars = vix_scenario_figure(g)
    assert list(bars.data[0].x) == ["VIX 20", "VIX 30", "VIX 40", "VIX 60"]
    assert bars.data[1].y[0] == 4600.0  # (50 - 4) x 100: the condor's max loss, as a magnitude
