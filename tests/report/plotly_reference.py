"""The report figures built with plotly graph objects: the reference for `report.figures`.

This is the builder the report used before it wrote its figures as plain JSON
dicts (session 5): every figure through ``plotly.graph_objects`` and
``make_subplots``, validated property by property. tests/report/test_figures.py
checks that the dict builders give the same ``Figure.to_json()`` bytes, and
benchmarks/report.py times the report against this path. Not used by src/.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from vixshield.report.risk_graph import RiskGraph

__all__ = [
    "CREDIT_HEDGE_CLIP",
    "REGIME_COLORS",
    "buy_and_hold",
    "compare_figure",
    "credit_hedge_bounds",
    "credit_to_hedge_figure",
    "equity_figure",
    "monthly_returns_figure",
    "pnl_components_figure",
    "regime_spans",
    "risk_graph_figure",
    "vix_regime_figure",
    "vix_regime_figure_per_span",
    "vix_scenario_figure",
]

REGIME_COLORS: Mapping[str, str] = {
    "calm": "rgba(46, 160, 67, 0.15)",
    "normal": "rgba(88, 166, 255, 0.12)",
    "elevated": "rgba(210, 153, 34, 0.20)",
    "stressed": "rgba(218, 54, 51, 0.22)",
}
_EXTRA_COLORS = (
    "rgba(137, 87, 229, 0.18)",
    "rgba(110, 118, 129, 0.18)",
    "rgba(191, 57, 137, 0.18)",
)
_LINE_COLORS = ("#1f6feb", "#d29922", "#2ea043", "#da3633", "#8957e5", "#6e7681", "#bf3989")
_LAYOUT = {
    "template": "plotly_white",
    "height": 420,
    "margin": {"l": 60, "r": 20, "t": 50, "b": 40},
    "legend": {"orientation": "h", "y": -0.15},
    "hovermode": "x unified",
}


def _dates(index: pd.Index) -> list[str]:
    return [pd.Timestamp(d).strftime("%Y-%m-%d") for d in index]


def _values(series: pd.Series) -> list[float | None]:
    arr = pd.to_numeric(series, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    return [None if not np.isfinite(v) else float(v) for v in arr]


def buy_and_hold(spx: pd.Series, capital: float) -> pd.Series:
    """SPX buy-and-hold equity, ``capital`` dollars on the first day.

    Price only: the S&P 500 price index, dividends not reinvested (labelled so).
    """
    first = spx.dropna()
    if first.empty:
        return spx * np.nan
    return capital * spx / float(first.iloc[0])


def _drawdown(equity: pd.Series) -> pd.Series:
    return equity / equity.cummax() - 1.0


def equity_figure(daily: pd.DataFrame, capital: float) -> go.Figure:
    """Equity and drawdown of the strategy against SPX buy-and-hold (same capital)."""
    fig = make_subplots(
        rows=2, cols=1, shared_xaxes=True, row_heights=[0.65, 0.35], vertical_spacing=0.06
    )
    x = _dates(daily.index)
    bh = buy_and_hold(daily["spx"], capital)
    fig.add_trace(
        go.Scatter(
            x=x, y=_values(daily["equity"]), name="Strategy equity", line={"color": _LINE_COLORS[0]}
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Scatter(
            x=x, y=_values(bh), name="SPX buy & hold (price only)", line={"color": "#6e7681"}
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=_values(100.0 * daily["drawdown"]),
            name="Strategy drawdown",
            fill="tozeroy",
            line={"color": _LINE_COLORS[3]},
        ),
        row=2,
        col=1,
    )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=_values(100.0 * _drawdown(bh)),
            name="SPX drawdown",
            line={"color": "#6e7681", "dash": "dot"},
        ),
        row=2,
        col=1,
    )
    fig.update_layout(title="Equity and drawdown vs SPX", **{**_LAYOUT, "height": 560})
    fig.update_yaxes(title_text="Dollars", row=1, col=1)
    fig.update_yaxes(title_text="Drawdown %", row=2, col=1)
    return fig


def regime_spans(regime: pd.Series) -> list[tuple[str, str, str]]:
    """Contiguous runs of one regime as ``(regime, from, to)`` ISO dates.

    ``to`` is the first day of the next run (so shaded spans touch), or the last
    day for the final run.
    """
    spans: list[tuple[str, str, str]] = []
    values = regime.astype("string").fillna("unknown").tolist()
    dates = _dates(regime.index)
    start = 0
    for i in range(1, len(values) + 1):
        if i == len(values) or values[i] != values[start]:
            spans.append((str(values[start]), dates[start], dates[min(i, len(values) - 1)]))
            start = i
    return spans


def _regime_color(name: str, names: list[str]) -> str:
    if name in REGIME_COLORS:
        return REGIME_COLORS[name]
    extra = [n for n in names if n not in REGIME_COLORS]
    return _EXTRA_COLORS[extra.index(name) % len(_EXTRA_COLORS)]


def _span_shape(x0: str, x1: str, color: str) -> dict[str, object]:
    """The shape ``add_vrect(x0=x0, x1=x1, fillcolor=color, line_width=0, layer="below")`` adds.

    A full-height rectangle behind the traces: x in data units, y over the plot's domain.
    """
    return {
        "type": "rect",
        "xref": "x",
        "yref": "y domain",
        "x0": x0,
        "x1": x1,
        "y0": 0,
        "y1": 1,
        "fillcolor": color,
        "line": {"width": 0},
        "layer": "below",
    }


def _shade_in_one_list(fig: go.Figure, spans: list[tuple[str, str, str]], names: list[str]) -> None:
    if spans:  # one list: plotly re-validates every shape on each add_vrect (quadratic)
        fig.update_layout(
            shapes=[_span_shape(x0, x1, _regime_color(n, names)) for n, x0, x1 in spans]
        )


def _shade_per_span(fig: go.Figure, spans: list[tuple[str, str, str]], names: list[str]) -> None:
    for name, x0, x1 in spans:
        fig.add_vrect(
            x0=x0, x1=x1, fillcolor=_regime_color(name, names), line_width=0, layer="below"
        )


def _vix_regime(
    daily: pd.DataFrame,
    shade: Callable[[go.Figure, list[tuple[str, str, str]], list[str]], None],
) -> go.Figure:
    fig = go.Figure()
    spans = regime_spans(daily["regime"]) if "regime" in daily else []
    names = sorted({s[0] for s in spans})
    shade(fig, spans, names)
    for name in names:  # legend entries for the shading
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                name=f"regime: {name}",
                marker={"size": 12, "symbol": "square", "color": _regime_color(name, names)},
            )
        )
    fig.add_trace(
        go.Scatter(
            x=_dates(daily.index), y=_values(daily["vix"]), name="VIX", line={"color": "#24292f"}
        )
    )
    fig.update_layout(title="VIX and regime", **_LAYOUT)
    fig.update_xaxes(type="date")
    fig.update_yaxes(title_text="Vol points")
    return fig


def vix_regime_figure(daily: pd.DataFrame) -> go.Figure:
    """VIX close with the strategy's regime shaded behind it."""
    return _vix_regime(daily, _shade_in_one_list)


def vix_regime_figure_per_span(daily: pd.DataFrame) -> go.Figure:
    """`vix_regime_figure` shaded span by span with plotly's ``add_vrect``: the reference.

    Byte-identical output, but each ``add_vrect`` re-validates every shape already added,
    so the cost grows with the square of the spans; tests/report/test_charts_shading.py
    and benchmarks/backtest.py compare against it.
    """
    return _vix_regime(daily, _shade_per_span)


def pnl_components_figure(daily: pd.DataFrame) -> go.Figure:
    """Cumulative P&L by component: condor, each hedge layer, interest, costs (dollars)."""
    fig = go.Figure()
    x = _dates(daily.index)
    cols = [c for c in daily.columns if str(c).startswith("pnl_")]
    for i, col in enumerate(cols):
        name = str(col).removeprefix("pnl_").replace("hedge:", "hedge ")
        fig.add_trace(
            go.Scatter(
                x=x,
                y=_values(daily[col].fillna(0.0).cumsum()),
                name=name,
                line={"color": _LINE_COLORS[i % len(_LINE_COLORS)]},
            )
        )
    fig.update_layout(title="Cumulative P&L by component and hedge layer", **_LAYOUT)
    fig.update_yaxes(title_text="Dollars")
    return fig


CREDIT_HEDGE_CLIP = (2.0, 98.0)  # percentiles of the run's ratios that bound the log axis
_CREDIT_HEDGE_SPAN = (0.5, 2.0)  # the axis always shows at least this ratio range
_CREDIT_HEDGE_LIMITS = (1e-3, 1e4)  # and never more than this


def credit_hedge_bounds(ratio: pd.Series) -> tuple[float, float]:
    """Bounds of the credit-to-hedge axis: the `CREDIT_HEDGE_CLIP` percentiles of the
    positive finite ratios, widened to `_CREDIT_HEDGE_SPAN` (around 1, break-even) and
    kept inside `_CREDIT_HEDGE_LIMITS`."""
    v = pd.to_numeric(ratio, errors="coerce").to_numpy(dtype=np.float64)
    v = v[np.isfinite(v) & (v > 0)]
    lo, hi = _CREDIT_HEDGE_SPAN
    if v.size:
        p_lo, p_hi = np.percentile(v, CREDIT_HEDGE_CLIP)
        lo, hi = min(lo, float(p_lo)), max(hi, float(p_hi))
    return max(lo, _CREDIT_HEDGE_LIMITS[0]), min(hi, _CREDIT_HEDGE_LIMITS[1])


def credit_to_hedge_figure(daily: pd.DataFrame) -> go.Figure:
    """The trailing-252-day credit-to-hedge-cost ratio on a log axis.

    Values outside `credit_hedge_bounds` are drawn on the bound and marked in
    the hover text, so a few days with a near-zero hedge cost do not squash the
    rest; gaps where the ratio is undefined.
    """
    raw = pd.to_numeric(daily["credit_to_hedge"], errors="coerce")
    lo, hi = credit_hedge_bounds(raw)
    clipped = raw.clip(lower=lo, upper=hi)
    note = ["" if not np.isfinite(v) or lo <= v <= hi else f" (clipped, actual {v:,.2f})"
            for v in raw.to_numpy(dtype=np.float64)]  # fmt: skip
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=_dates(daily.index), y=_values(clipped), name="Credit / hedge cost (252 days)",
            line={"color": _LINE_COLORS[1]}, connectgaps=False, customdata=note,
            hovertemplate="%{x}: %{y:.2f}%{customdata}<extra></extra>",
        )
    )  # fmt: skip
    fig.add_hline(y=1.0, line_dash="dot", line_color="#6e7681")
    fig.update_layout(title="Credit-to-hedge ratio, trailing 252 trading days", **_LAYOUT)
    fig.update_yaxes(title_text="Ratio (log scale)", type="log", range=[np.log10(lo), np.log10(hi)])
    return fig


def monthly_returns_figure(table: pd.DataFrame) -> go.Figure:
    """Heatmap of monthly returns, years by months (`vixshield.report.periods.monthly_returns`).

    Cells are percent, red below zero and green above on a scale symmetric about
    zero; months outside the run are blank.
    """
    pct = table.to_numpy(dtype=np.float64) * 100.0
    finite = pct[np.isfinite(pct)]
    bound = float(np.abs(finite).max()) if finite.size else 1.0
    z = [[None if not np.isfinite(v) else round(float(v), 2) for v in row] for row in pct]
    text = [["" if v is None else f"{v:.1f}%" for v in row] for row in z]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=[str(c) for c in table.columns],
            y=[str(y) for y in table.index],
            text=text,
            texttemplate="%{text}",
            colorscale=[[0.0, "#cf222e"], [0.5, "#f6f8fa"], [1.0, "#1a7f37"]],
            zmin=-bound,
            zmax=bound,
            colorbar={"title": {"text": "%"}},
            hovertemplate="%{y} %{x}: %{z:.2f}%<extra></extra>",
        )
    )
    fig.update_layout(title="Monthly returns (percent of equity)", **_LAYOUT)
    fig.update_yaxes(type="category", autorange="reversed")
    return fig


def _hline_trace(x: list[float], name: str) -> go.Scatter:
    return go.Scatter(
        x=x, y=[0.0] * len(x), name=name, showlegend=False, hoverinfo="skip",
        line={"color": "#6e7681", "width": 1},
    )  # fmt: skip


_HORIZON_DASH = {"T+0": "solid", "expiry": "dash"}


def risk_graph_figure(graph: RiskGraph) -> go.Figure:
    """The book's P&L against SPX: condor alone (top), hedges alone and total (bottom).

    One line per horizon (T+0 solid, T+N dotted, at the condor expiry dashed);
    condor strikes (short red, long green) and break-evens at expiry (grey) are
    vertical marks on both panels, today's SPX a black dashed one. Separate
    panels keep each y-range readable.
    """
    fig = make_subplots(
        rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.1,
        subplot_titles=("Condors alone", "Hedges alone and whole book"),
    )  # fmt: skip
    x = graph.spx.tolist()
    colors = {"condor": _LINE_COLORS[0], "hedges": _LINE_COLORS[1], "total": "#24292f"}
    for horizon, curves in graph.pnl.items():
        when = graph.horizons[horizon]
        tag = f"{horizon} ({when:%Y-%m-%d})"
        dash = _HORIZON_DASH.get(horizon, "dot")
        for group, row in (("condor", 1), ("hedges", 2), ("total", 2)):
            if group not in curves:
                continue
            fig.add_trace(
                go.Scatter(
                    x=x, y=np.round(curves[group], 2).tolist(), name=f"{group} {tag}",
                    legendgroup=group, line={"color": colors[group], "dash": dash, "width": 2},
                    hovertemplate="SPX %{x:.2f}: %{y:$,.2f}<extra>" + f"{group} {horizon}</extra>",
                ),
                row=row, col=1,
            )  # fmt: skip
    marks = [(graph.spot, "#24292f", "dash")]
    marks += [(k, "#cf222e", "dot") for k in graph.short_strikes]
    marks += [(k, "#1a7f37", "dot") for k in graph.long_strikes]
    marks += [(b, "#8c959f", "dashdot") for b in graph.break_evens.get("condor", ())]
    shapes = []
    for row, axis in ((1, ""), (2, "2")):
        fig.add_trace(_hline_trace([x[0], x[-1]], "zero"), row=row, col=1)
        shapes += [
            {
                "type": "line", "xref": f"x{axis}", "yref": f"y{axis} domain",
                "x0": level, "x1": level, "y0": 0, "y1": 1,
                "line": {"color": color, "dash": dash, "width": 1},
            }
            for level, color, dash in marks
        ]  # fmt: skip
    fig.update_layout(shapes=shapes)  # one list: add_vline re-validates every shape (quadratic)
    title = f"Book open on {graph.as_of:%Y-%m-%d}, SPX {graph.spot:,.2f}"
    fig.update_layout(title=title, **{**_LAYOUT, "height": 640, "hovermode": "x"})
    fig.update_xaxes(title_text="SPX (index points)", row=2, col=1)
    fig.update_yaxes(title_text="P&L, dollars", tickformat="$,.0f")
    return fig


def vix_scenario_figure(graph: RiskGraph) -> go.Figure:
    """Hedge P&L if VIX jumped to 20/30/40/60 today, against the condors' max loss."""
    levels = [f"VIX {s.vix:g}" for s in graph.scenarios]
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            x=levels, y=[round(s.hedge_pnl, 2) for s in graph.scenarios],
            name="Hedge P&L (vs cost)", marker_color=_LINE_COLORS[1],
            hovertemplate="%{x}: %{y:$,.2f}<extra>hedge P&L</extra>",
        )
    )  # fmt: skip
    loss = graph.scenarios[0].condor_max_loss if graph.scenarios else None
    if loss is not None:
        fig.add_trace(
            go.Scatter(
                x=levels, y=[round(-loss, 2)] * len(levels), mode="lines",
                name="Condor max loss (magnitude)", line={"color": "#cf222e", "dash": "dash"},
            )
        )  # fmt: skip
    fig.update_layout(title="Hedges vs a VIX jump (T+0)", **_LAYOUT)
    fig.update_yaxes(title_text="Dollars", tickformat="$,.0f")
    return fig


def compare_figure(dailies: Mapping[str, pd.DataFrame]) -> go.Figure:
    """Overlaid equity (top) and drawdown (bottom) curves of several runs."""
    fig = make_subplots(
        rows=2, cols=1, shared_xaxes=True, row_heights=[0.65, 0.35], vertical_spacing=0.06
    )
    for i, (name, daily) in enumerate(dailies.items()):
        color = _LINE_COLORS[i % len(_LINE_COLORS)]
        x = _dates(daily.index)
        fig.add_trace(
            go.Scatter(
                x=x, y=_values(daily["equity"]), name=name, legendgroup=name, line={"color": color}
            ),
            row=1,
            col=1,
        )
        fig.add_trace(
            go.Scatter(
                x=x,
                y=_values(100.0 * daily["drawdown"]),
                name=f"{name} drawdown",
                legendgroup=name,
                showlegend=False,
                line={"color": color},
            ),
            row=2,
            col=1,
        )
    fig.update_layout(title="Equity and drawdown by policy", **{**_LAYOUT, "height": 560})
    fig.update_yaxes(title_text="Dollars", row=1, col=1)
    fig.update_yaxes(title_text="Drawdown %", row=2, col=1)
    return fig
