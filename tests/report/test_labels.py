"""Labels, units and display rounding (vixshield.report.labels), and the sign of CVaR.

Ticks: Cboe SPX contract specifications (0.05 below 3.00, 0.10 from 3.00) and the Cboe
notice of 29 Nov 2022 for VIX options (0.01 below 3.00, 0.05 from 3.00).
"""

from __future__ import annotations

import io
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from report_fakes import make_result
from rich.console import Console

from vixshield.backtest import summary_dict
from vixshield.backtest.metrics import STRESS_WINDOWS, cvar, daily_returns, worst_period
from vixshield.report import bundle
from vixshield.report.labels import (
    METRIC_LABELS,
    metric_label,
    money_cents,
    price_tick,
    round_money,
    round_price,
    tick_prices,
    tick_round_trades,
)
from vixshield.report.stress import default_stress_windows
from vixshield.report.summary import build_summary
from vixshield.report.terminal import print_summary, stress_view


@pytest.mark.parametrize(
    ("root", "price", "tick", "rounded"),
    [
        ("SPX", 0.5700369533, 0.05, 0.55),  # the unrounded fill of issue 13
        ("SPXW", 2.976, 0.05, 3.0),
        ("SPX", 3.04, 0.10, 3.0),
        ("SPX", 12.37, 0.10, 12.4),
        ("VIX", 0.5700369533, 0.01, 0.57),
        ("VIX", 3.47, 0.05, 3.45),
        ("VIX", -1.234, 0.01, -1.23),
    ],
)
def test_prices_round_to_the_exchange_tick(
    root: str, price: float, tick: float, rounded: float
) -> None:
    assert price_tick(root, price) == tick
    assert round_price(root, price) == rounded


def test_money_rounds_to_the_cent_half_away_from_zero() -> None:
    assert round_money(1006.6800001) == 1006.68
    assert round_money(-2.675) in (-2.68, -2.67)  # 2.675 is 2.67499999... in binary
    assert round_money(0.125) == 0.13 and round_money(-0.125) == -0.13
    assert round_money(-0.001) == 0.0 and np.isnan(round_money(float("nan")))


def _ticked(root: str, price: float) -> float:
    """The tick rule one price at a time with Python's own decimal ``round`` (the reference)."""
    if not math.isfinite(price):
        return price
    small = abs(price) < 3.0
    tick = (0.01 if small else 0.05) if root.upper() == "VIX" else (0.05 if small else 0.10)
    ticks = math.floor(abs(price) / tick + 1e-9 + 0.5)
    return math.copysign(round(ticks * tick, 2), price) if ticks else 0.0


def _cents(value: float) -> float:
    """Half-away-from-zero cents one value at a time (the reference)."""
    if not math.isfinite(value):
        return value
    cents = math.floor(abs(value) * 100.0 + 0.5)
    return math.copysign(cents / 100.0, value) if cents else 0.0


def test_whole_columns_round_as_each_value_does_alone() -> None:
    rng = np.random.default_rng(11)
    prices = np.concatenate(
        [
            rng.uniform(-20.0, 20.0, 4000),
            rng.uniform(0.0, 500.0, 4000).round(3),
            np.arange(0.0, 6.0, 0.005),  # every half tick and tick edge near 3.00
            [0.0, -0.0, 0.024, 0.025, 2.975, 2.999, 3.0, -3.0, np.nan, np.inf, -np.inf, 9999.95],
        ]
    )
    roots = rng.choice(np.array(["SPX", "SPXW", "VIX", "vix"]), prices.size)
    ticked = tick_prices(roots, prices)
    expected = [_ticked(str(r), float(p)) for r, p in zip(roots, prices, strict=True)]
    assert [repr(v) for v in ticked.tolist()] == [repr(v) for v in expected]
    money = np.concatenate([prices * 1000.0, rng.normal(0.0, 5e4, 4000)]).tolist()
    assert [repr(v) for v in money_cents(money).tolist()] == [repr(_cents(v)) for v in money]


def test_trades_csv_has_fills_on_the_tick_and_money_in_cents(tmp_path: Path) -> None:
    result = make_result()
    trades = result.trades.assign(
        fill=[3.0123, 5.5449, 4.0371, 1.5263], cash_flow=[-602.461, 1108.98, 807.42, -305.261]
    )
    shown = tick_round_trades(trades)
    assert shown["fill"].tolist() == [3.0, 5.5, 4.0, 1.55]  # 0.10 from 3.00, 0.05 below
    assert shown["fill_model"].tolist() == [3.0123, 5.5449, 4.0371, 1.5263]
    assert shown["cash_flow"].tolist() == [-602.46, 1108.98, 807.42, -305.26]
    assert trades["fill"].iloc[0] == 3.0123  # the input is not changed
    result = type(result)(**{**result.__dict__, "trades": trades})
    summary = build_summary(result, summary_dict(result))
    bundle.write_backtest_files(tmp_path, result, summary)
    text = (tmp_path / "trades.csv").read_text()
    assert ",1.55," in text and "1.5263" in text and "-305.26," in text


def test_every_summary_metric_has_a_label_with_its_unit() -> None:
    result = make_result()
    summary = build_summary(result, summary_dict(result))
    scalars = [k for k, v in summary.items() if isinstance(v, int | float) and k != "schema"]
    missing = [k for k in scalars if k not in METRIC_LABELS]
    assert missing == []
    assert metric_label("cagr") == ("CAGR %", "pct")
    assert metric_label("max_drawdown") == ("Max drawdown %", "pct")
    assert metric_label("some_new_key") == ("Some new key", "auto")


def test_cvar_has_the_sign_of_worst_day() -> None:
    # make_daily's equity has losing days: CVaR 95 averages the worst 5 %, so it is a
    # negative return no better than the mean day and no worse than the worst day.
    result = make_result(n=200)
    equity = result.daily["equity"]
    r = daily_returns(equity.to_numpy(), result.capital)
    tails = {"cvar_95": cvar(r, 0.95), "cvar_99": cvar(r, 0.99)}
    tails["worst_day"] = worst_period(equity, result.capital, "D")
    result = type(result)(**{**result.__dict__, "metrics": {**result.metrics, **tails}})
    raw = summary_dict(result)
    summary = build_summary(result, raw)
    assert isinstance(raw["cvar_95"], float)
    assert summary["cvar_95"] == pytest.approx(raw["cvar_95"])
    assert summary["worst_day"] <= summary["cvar_95"] < 0  # type: ignore[operator]
    assert summary["cvar_99"] <= summary["cvar_95"]  # type: ignore[operator]


def test_backtest_and_report_read_the_same_shipped_windows() -> None:
    shipped = {
        w.name: (f"{w.start:%Y-%m-%d}", f"{w.end:%Y-%m-%d}") for w in default_stress_windows()
    }
    assert dict(STRESS_WINDOWS) == shipped
    years = {int(start[:4]) for start, _ in STRESS_WINDOWS.values()}
    # the list issue 13 asks for: 1998, 2001, 2008, 2010, 2011, 2015, 2018, 2020, 2022, 2024, 2025
    assert {1998, 2001, 2008, 2010, 2011, 2015, 2018, 2020, 2022, 2024, 2025} <= years
    assert "August 2024" in STRESS_WINDOWS and "April 2025" in STRESS_WINDOWS


def test_stress_table_is_readable_at_80_columns() -> None:
    result = make_result()
    summary = build_summary(result, summary_dict(result))
    out = io.StringIO()
    console = Console(width=80, file=out, color_system=None)
    print_summary(console, summary)
    text = out.getvalue()
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "…" not in text
    rows = summary["stress_windows"]
    assert isinstance(rows, dict)
    pnl = rows["February 2018"]["pnl"]
    from vixshield.report.terminal import fmt_value

    assert fmt_value(pnl, "usd") in text  # the number whole, on one line
    for header in ("Window", "Days", "P&L", "Condor", "Hedges", "SPX", "VIX max"):
        assert header in text


def test_stress_view_wraps_long_names_not_numbers() -> None:
    row = {
        "window": "A very long window name that cannot fit (partial)",
        "from": "2018-01-26",
        "to": "2018-02-16",
        "days": 16,
        "pnl": -123456.78,
        "pnl_condor": -234567.89,
        "pnl_hedge": 111111.11,
        "spx_return": -0.0377,
        "vix_max": 37.32,
    }
    out = io.StringIO()
    Console(width=80, file=out, color_system=None).print(stress_view([row]))
    text = out.getvalue()
    assert max(len(line) for line in text.splitlines()) <= 80
    for number in ("-$123,456.78", "-$234,567.89", "$111,111.11", "-3.77%", "37.32"):
        assert number in text
    assert "2018-01-26.." in text  # the dates under the name (folded where narrow)


def test_frame_index_untouched() -> None:
    # tick_round_trades on an empty frame returns an empty copy
    empty = pd.DataFrame(columns=["root", "fill"])
    assert tick_round_trades(empty).empty
