"""The report's JSON figures (vixshield.report.figures) against plotly's own graph objects.

The reference is outside the code under test: the same figures built with
``plotly.graph_objects`` / ``make_subplots`` and serialized by plotly's
``Figure.to_json`` (tests/report/plotly_reference.py, the builder the report used
before), and plotly's own template, plotly.js and JSON writer.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import plotly_reference as ref
import pytest
from plotly.io.json import to_json_plotly
from plotly.offline import get_plotlyjs
from report_fakes import condor_legs, make_daily, make_result, on_trading_days, vix_call_leg

from vixshield.backtest import summary_dict
from vixshield.markets.view import Markets
from vixshield.report import figures
from vixshield.report.html import render_compare_html, render_report_html
from vixshield.report.periods import monthly_returns
from vixshield.report.plotly_json import figure_json, plotly_js, template
from vixshield.report.risk_graph import RiskGraph, risk_graph
from vixshield.report.summary import build_summary
from vixshield.strategy.types import Position

AS_OF = pd.Timestamp("2018-02-01")


def _same(ours: figures.Figure, theirs: object) -> None:
    """Byte-identical JSON (and so equal data and layout) to plotly's ``Figure.to_json``."""
    text = figure_json(ours)
    expected = theirs.to_json()  # type: ignore[attr-defined]
    assert json.loads(text) == json.loads(expected)
    assert text == expected


def _odd_daily() -> pd.DataFrame:
    """Gaps, infinities, an unknown regime and a component that is all NaN."""
    daily = make_daily(60)
    daily.loc[daily.index[3:6], "vix"] = np.nan
    daily.loc[daily.index[7], "equity"] = np.inf
    regime = daily["regime"].astype(object)
    regime.iloc[10:14] = "custom-x"
    regime.iloc[20] = None
    daily["regime"] = regime.astype("string")
    daily["pnl_hedge:empty"] = np.nan
    daily["credit_to_hedge"] = np.r_[[np.nan, 0.001, 950.0, -1.0], np.linspace(0.7, 1.6, 56)]
    return daily


DAILY_FIGURES: list[tuple[str, Callable[[pd.DataFrame], figures.Figure], Callable[..., object]]] = [
    ("equity", lambda d: figures.equity_figure(d, 100_000.0), lambda d: ref.equity_figure(d, 1e5)),
    ("vix_regime", figures.vix_regime_figure, ref.vix_regime_figure),
    ("vix_regime_per_span", figures.vix_regime_figure, ref.vix_regime_figure_per_span),
    ("pnl_components", figures.pnl_components_figure, ref.pnl_components_figure),
    ("credit_to_hedge", figures.credit_to_hedge_figure, ref.credit_to_hedge_figure),
    (
        "monthly_returns",
        lambda d: figures.monthly_returns_figure(monthly_returns(d["equity"], 100_000.0)),
        lambda d: ref.monthly_returns_figure(monthly_returns(d["equity"], 100_000.0)),
    ),
]


@pytest.mark.parametrize(
    ("name", "ours", "theirs"), DAILY_FIGURES, ids=[f[0] for f in DAILY_FIGURES]
)
@pytest.mark.parametrize("frame", ["plain", "odd", "one_day", "no_regime"])
def test_daily_figures_match_the_graph_objects(
    name: str,
    ours: Callable[[pd.DataFrame], figures.Figure],
    theirs: Callable[[pd.DataFrame], object],
    frame: str,
) -> None:
    daily = {
        "plain": lambda: make_daily(300),
        "odd": _odd_daily,
        "one_day": lambda: make_daily(1),
        "no_regime": lambda: make_daily(30).drop(columns="regime"),
    }[frame]()
    _same(ours(daily), theirs(daily))


def test_compare_figure_matches_the_graph_objects() -> None:
    dailies = {"alvh-442": make_daily(80), "condor-only": _odd_daily(), "third": make_daily(3)}
    _same(figures.compare_figure(dailies), ref.compare_figure(dailies))


def _graph(markets: Markets, with_hedge: bool = True) -> RiskGraph:
    book = [Position("IC", "condor", condor_legs(pd.Timestamp("2018-03-16")), 1, AS_OF, -4.0)]
    if with_hedge:
        book.append(Position("H", "hedge:core", (vix_call_leg(20.0),), 50, AS_OF, 1.2))
    return risk_graph(book, markets, AS_OF)


@pytest.mark.parametrize("with_hedge", [True, False])
def test_risk_graph_figures_match_the_graph_objects(
    embedded_markets: Markets, with_hedge: bool
) -> None:
    graph = _graph(embedded_markets, with_hedge)
    _same(figures.risk_graph_figure(graph), ref.risk_graph_figure(graph))
    _same(figures.vix_scenario_figure(graph), ref.vix_scenario_figure(graph))


def test_hedges_only_risk_graph_matches_the_graph_objects(embedded_markets: Markets) -> None:
    book = [Position("H", "hedge:core", (vix_call_leg(20.0),), 50, AS_OF, 1.2)]
    graph = risk_graph(book, embedded_markets, AS_OF)
    _same(figures.risk_graph_figure(graph), ref.risk_graph_figure(graph))
    _same(figures.vix_scenario_figure(graph), ref.vix_scenario_figure(graph))


def _embedded_specs(page: str) -> dict[str, str]:
    """div id -> the figure JSON a page embeds (as written in the page)."""
    found = re.findall(r'try \{ var s = (.*?);\n  Plotly\.newPlot\("([^"]+)"', page)
    return {div: spec for spec, div in found}


def test_report_embeds_the_graph_object_figures(embedded_markets: Markets) -> None:
    result = on_trading_days(make_result(), embedded_markets.data.daily.index)
    page = render_report_html(result, build_summary(result, summary_dict(result)), embedded_markets)
    specs = _embedded_specs(page)
    daily = result.daily
    graph = risk_graph(list(result.open_positions), embedded_markets, pd.Timestamp(result.end))
    expected = {
        "chart-equity": ref.equity_figure(daily, result.capital),
        "chart-vix-regime": ref.vix_regime_figure(daily),
        "chart-pnl-components": ref.pnl_components_figure(daily),
        "chart-credit-hedge": ref.credit_to_hedge_figure(daily),
        "chart-monthly-returns": ref.monthly_returns_figure(
            monthly_returns(daily["equity"], result.capital)
        ),
        "chart-risk-graph": ref.risk_graph_figure(graph),
        "chart-vix-scenarios": ref.vix_scenario_figure(graph),
    }
    assert set(specs) == set(expected)
    for div, fig in expected.items():
        assert specs[div] == str(fig.to_json()).replace("</", "<\\/"), div


def test_compare_page_embeds_the_graph_object_figures(embedded_markets: Markets) -> None:
    results = {
        n: on_trading_days(make_result(policy=n), embedded_markets.data.daily.index)
        for n in ("alvh-442", "condor-only")
    }
    summaries = {n: build_summary(r, summary_dict(r)) for n, r in results.items()}
    specs = _embedded_specs(render_compare_html(results, summaries, embedded_markets))
    dailies = {n: r.daily for n, r in results.items()}
    assert specs["chart-compare"] == ref.compare_figure(dailies).to_json()
    assert specs["chart-vix-regime-2"] == ref.vix_regime_figure(dailies["condor-only"]).to_json()


def test_template_is_plotlys_own() -> None:
    assert template("plotly_white") == pio.templates["plotly_white"].to_plotly_json()
    # and in the key order a figure holds it (what the page's bytes depend on)
    plain = go.Figure(layout={"template": "plotly_white"}).to_json()
    assert figure_json({"data": [], "layout": {"template": template("plotly_white")}}) == plain


def test_plotly_js_is_the_bundled_file() -> None:
    assert plotly_js() == get_plotlyjs()


@pytest.mark.parametrize(
    "fig",
    [
        {"data": [{"y": [1.5, float("nan"), float("inf"), None], "type": "scatter"}], "layout": {}},
        {"data": [], "layout": {"title": {"text": "a </script> & <b> – NaN"}}},
    ],
)
def test_json_is_written_as_plotly_writes_it(fig: figures.Figure) -> None:
    assert figure_json(fig) == to_json_plotly(fig, engine="json")


def test_report_modules_do_not_import_plotly() -> None:
    code = (
        "import sys, vixshield.report.bundle, vixshield.report.html; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'plotly'))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
