"""The report's figures as plotly JSON dicts (no plotly import, no I/O).

Each builder returns ``{"data": [...], "layout": {...}}`` in plotly's JSON schema,
with the keys in the order ``plotly.graph_objects`` would hold them, so that
`vixshield.report.plotly_json.figure_json` writes the bytes ``Figure.to_json()``
wrote when the report built graph objects (tests/report/test_figures.py compares
the two). Traces list their properties sorted, ``type`` last (then the subplot
axes); shapes and annotations sorted; the layout in the order the figure was
updated. `vixshield.report.charts` wraps these as graph objects for the API.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from vixshield.report.plotly_json import template
from vixshield.report.risk_graph import RiskGraph

__all__ = [
    "CREDIT_HEDGE_CLIP",
    "REGIME_COLORS",
    "Figure",
    "buy_and_hold",
    "compare_figure",
    "credit_hedge_bounds",
    "credit_to_hedge_figure",
    "equity_figure",
    "monthly_returns_figure",
    "pnl_components_figure",
    "regime_color",
    "regime_spans",
    "risk_graph_figure",
    "vix_regime_figure",
    "vix_scenario_figure",
]

Figure = dict[str, object]
"""A plotly figure in its JSON schema: ``{"data": [trace, ...], "layout": {...}}``."""

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
_TEMPLATE = "plotly_white"
_HEIGHT = 420  # pixels, every figure but the two-panel ones
_TWO_PANEL_ROWS = (0.65, 0.35)  # equity over drawdown: relative row heights
_TWO_PANEL_GAP = 0.06  # fraction of the figure height between the two panels
_RISK_GAP = 0.1  # same, risk graph (rows of equal height)


def _layout_tail(title: str, height: int = _HEIGHT, hovermode: str = "x unified") -> Figure:
    """The layout every figure shares (margins in pixels), after its axes and shapes."""
    return {
        "margin": {"l": 60, "r": 20, "t": 50, "b": 40},
        "legend": {"orientation": "h", "y": -0.15},
        "title": {"text": title},
        "height": height,
        "hovermode": hovermode,
    }


def _dates(index: pd.Index) -> list[str]:
    if isinstance(index, pd.DatetimeIndex):
        return [str(d) for d in index.strftime("%Y-%m-%d").tolist()]
    return [pd.Timestamp(d).strftime("%Y-%m-%d") for d in index]


def _values(series: pd.Series) -> list[float | None]:
    arr = pd.to_numeric(series, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    out: list[float | None] = arr.tolist()
    if not np.isfinite(arr).all():
        finite = np.isfinite(arr).tolist()
        out = [v if ok else None for v, ok in zip(out, finite, strict=True)]
    return out


def _two_rows(row_heights: Sequence[float] | None, gap: float) -> tuple[list[float], list[float]]:
    """y domains (top panel, bottom panel) of a 2 x 1 ``make_subplots`` grid.

    The same float arithmetic as ``plotly.subplots.make_subplots`` (rows from the
    top, a domain edge within 0.01 above 1 clipped to 1), so the bytes match.
    """
    if row_heights is None:
        heights = [(1.0 - gap * (2 - 1)) / 2] * 2
    else:
        total = float(sum(row_heights))
        heights = list(reversed([(1.0 - gap * (2 - 1)) * (h / total) for h in row_heights]))
    top_start = heights[0] + 1 * gap
    top = [top_start + 0.0, top_start + heights[1] - 0.0]
    bottom = [0 + 0 * gap + 0.0, 0 + 0 * gap + heights[0] - 0.0]
    return [min(v, 1.0) if v < 1.01 else v for v in top], bottom


def _two_panel_axes(row_heights: Sequence[float] | None, gap: float) -> Figure:
    top, bottom = _two_rows(row_heights, gap)
    return {
        "xaxis": {"anchor": "y", "domain": [0.0, 1.0], "matches": "x2", "showticklabels": False},
        "yaxis": {"anchor": "x", "domain": top},
        "xaxis2": {"anchor": "y2", "domain": [0.0, 1.0]},
        "yaxis2": {"anchor": "x2", "domain": bottom},
    }


def _axis(layout: Figure, name: str, **props: object) -> None:
    axis = layout.setdefault(name, {})
    assert isinstance(axis, dict)
    axis.update(props)


def _figure(data: list[Figure], layout: Figure) -> Figure:
    return {"data": data, "layout": {"template": template(_TEMPLATE), **layout}}


def _on(trace: Figure, row: int) -> Figure:
    """``trace`` on panel ``row`` (1 top, 2 bottom) of a two-panel figure."""
    suffix = "" if row == 1 else str(row)
    return {**trace, "xaxis": f"x{suffix}", "yaxis": f"y{suffix}"}


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


def _line(x: list[str], y: list[float | None], name: str, color: str, **more: object) -> Figure:
    """A scatter trace with its properties in plotly's (sorted) order."""
    props: Figure = {"line": {"color": color}, "name": name, "x": x, "y": y, **more}
    return {**{k: props[k] for k in sorted(props)}, "type": "scatter"}


def equity_figure(daily: pd.DataFrame, capital: float) -> Figure:
    """Equity and drawdown (percent) of the strategy against SPX buy-and-hold (same capital)."""
    x = _dates(daily.index)
    bh = buy_and_hold(daily["spx"], capital)
    data = [
        _on(_line(x, _values(daily["equity"]), "Strategy equity", _LINE_COLORS[0]), 1),
        _on(_line(x, _values(bh), "SPX buy & hold (price only)", "#6e7681"), 1),
        _on(
            _line(
                x,
                _values(100.0 * daily["drawdown"]),
                "Strategy drawdown",
                _LINE_COLORS[3],
                fill="tozeroy",
            ),
            2,
        ),
        _on(_line(x, _values(100.0 * _drawdown(bh)), "SPX drawdown", "#6e7681"), 2),
    ]
    data[3]["line"] = {"color": "#6e7681", "dash": "dot"}
    layout = _two_panel_axes(_TWO_PANEL_ROWS, _TWO_PANEL_GAP)
    layout.update(_layout_tail("Equity and drawdown vs SPX", height=560))
    _axis(layout, "yaxis", title={"text": "Dollars"})
    _axis(layout, "yaxis2", title={"text": "Drawdown %"})
    return _figure(data, layout)


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


def regime_color(name: str, names: list[str]) -> str:
    """Shading colour of regime ``name`` among the run's regimes ``names`` (sorted)."""
    if name in REGIME_COLORS:
        return REGIME_COLORS[name]
    extra = [n for n in names if n not in REGIME_COLORS]
    return _EXTRA_COLORS[extra.index(name) % len(_EXTRA_COLORS)]


def _span_shape(x0: str, x1: str, color: str) -> Figure:
    """A full-height rectangle behind the traces (``add_vrect``): x in data units."""
    return {
        "fillcolor": color,
        "layer": "below",
        "line": {"width": 0},
        "type": "rect",
        "x0": x0,
        "x1": x1,
        "xref": "x",
        "y0": 0,
        "y1": 1,
        "yref": "y domain",
    }


def vix_regime_figure(daily: pd.DataFrame) -> Figure:
    """VIX close (vol points) with the strategy's regime shaded behind it."""
    spans = regime_spans(daily["regime"]) if "regime" in daily else []
    names = sorted({s[0] for s in spans})
    data: list[Figure] = [
        {
            "marker": {"color": regime_color(name, names), "size": 12, "symbol": "square"},
            "mode": "markers",
            "name": f"regime: {name}",
            "x": [None],
            "y": [None],
            "type": "scatter",
        }
        for name in names  # legend entries for the shading
    ]
    data.append(_line(_dates(daily.index), _values(daily["vix"]), "VIX", "#24292f"))
    layout: Figure = {}
    if spans:
        layout["shapes"] = [_span_shape(x0, x1, regime_color(n, names)) for n, x0, x1 in spans]
    layout.update(_layout_tail("VIX and regime"))
    layout["xaxis"] = {"type": "date"}
    layout["yaxis"] = {"title": {"text": "Vol points"}}
    return _figure(data, layout)


def pnl_components_figure(daily: pd.DataFrame) -> Figure:
    """Cumulative P&L by component: condor, each hedge layer, interest, costs (dollars)."""
    x = _dates(daily.index)
    cols = [c for c in daily.columns if str(c).startswith("pnl_")]
    data = [
        _line(
            x,
            _values(daily[col].fillna(0.0).cumsum()),
            str(col).removeprefix("pnl_").replace("hedge:", "hedge "),
            _LINE_COLORS[i % len(_LINE_COLORS)],
        )
        for i, col in enumerate(cols)
    ]
    layout = _layout_tail("Cumulative P&L by component and hedge layer")
    layout["yaxis"] = {"title": {"text": "Dollars"}}
    return _figure(data, layout)


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


def credit_to_hedge_figure(daily: pd.DataFrame) -> Figure:
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
    trace = _line(
        _dates(daily.index), _values(clipped), "Credit / hedge cost (252 days)", _LINE_COLORS[1],
        connectgaps=False, customdata=note,
        hovertemplate="%{x}: %{y:.2f}%{customdata}<extra></extra>",
    )  # fmt: skip
    hline = {
        "line": {"color": "#6e7681", "dash": "dot"}, "type": "line", "x0": 0, "x1": 1,
        "xref": "x domain", "y0": 1.0, "y1": 1.0, "yref": "y",
    }  # fmt: skip
    layout: Figure = {"shapes": [hline]}
    layout.update(_layout_tail("Credit-to-hedge ratio, trailing 252 trading days"))
    layout["yaxis"] = {
        "title": {"text": "Ratio (log scale)"},
        "type": "log",
        "range": [float(np.log10(lo)), float(np.log10(hi))],
    }
    return _figure([trace], layout)


def monthly_returns_figure(table: pd.DataFrame) -> Figure:
    """Heatmap of monthly returns, years by months (`vixshield.report.periods.monthly_returns`).

    Cells are percent, red below zero and green above on a scale symmetric about
    zero; months outside the run are blank.
    """
    pct = table.to_numpy(dtype=np.float64) * 100.0
    finite = pct[np.isfinite(pct)]
    bound = float(np.abs(finite).max()) if finite.size else 1.0
    z = [[None if not np.isfinite(v) else round(float(v), 2) for v in row] for row in pct]
    text = [["" if v is None else f"{v:.1f}%" for v in row] for row in z]
    heatmap: Figure = {
        "colorbar": {"title": {"text": "%"}},
        "colorscale": [[0.0, "#cf222e"], [0.5, "#f6f8fa"], [1.0, "#1a7f37"]],
        "hovertemplate": "%{y} %{x}: %{z:.2f}%<extra></extra>",
        "text": text,
        "texttemplate": "%{text}",
        "x": [str(c) for c in table.columns],
        "y": [str(y) for y in table.index],
        "z": z,
        "zmax": bound,
        "zmin": -bound,
        "type": "heatmap",
    }
    layout = _layout_tail("Monthly returns (percent of equity)")
    layout["yaxis"] = {"type": "category", "autorange": "reversed"}
    return _figure([heatmap], layout)


_HORIZON_DASH = {"T+0": "solid", "expiry": "dash"}


def _zero_line(x: list[float], row: int) -> Figure:
    trace: Figure = {
        "hoverinfo": "skip", "line": {"color": "#6e7681", "width": 1}, "name": "zero",
        "showlegend": False, "x": x, "y": [0.0] * len(x), "type": "scatter",
    }  # fmt: skip
    return _on(trace, row)


def _subplot_title(text: str, y: float) -> Figure:
    return {
        "font": {"size": 16}, "showarrow": False, "text": text, "x": 0.5, "xanchor": "center",
        "xref": "paper", "y": y, "yanchor": "bottom", "yref": "paper",
    }  # fmt: skip


def risk_graph_figure(graph: RiskGraph) -> Figure:
    """The book's P&L (dollars) against SPX: condor alone (top), hedges alone and total (bottom).

    One line per horizon (T+0 solid, T+N dotted, at the condor expiry dashed);
    condor strikes (short red, long green) and break-evens at expiry (grey) are
    vertical marks on both panels, today's SPX a black dashed one. Separate
    panels keep each y-range readable.
    """
    x = graph.spx.tolist()
    colors = {"condor": _LINE_COLORS[0], "hedges": _LINE_COLORS[1], "total": "#24292f"}
    data: list[Figure] = []
    for horizon, curves in graph.pnl.items():
        tag = f"{horizon} ({graph.horizons[horizon]:%Y-%m-%d})"
        dash = _HORIZON_DASH.get(horizon, "dot")
        for group, row in (("condor", 1), ("hedges", 2), ("total", 2)):
            if group not in curves:
                continue
            trace: Figure = {
                "hovertemplate": "SPX %{x:.2f}: %{y:$,.2f}<extra>" + f"{group} {horizon}</extra>",
                "legendgroup": group, "line": {"color": colors[group], "dash": dash, "width": 2},
                "name": f"{group} {tag}", "x": x, "y": np.round(curves[group], 2).tolist(),
                "type": "scatter",
            }  # fmt: skip
            data.append(_on(trace, row))
    marks = [(graph.spot, "#24292f", "dash")]
    marks += [(k, "#cf222e", "dot") for k in graph.short_strikes]
    marks += [(k, "#1a7f37", "dot") for k in graph.long_strikes]
    marks += [(b, "#8c959f", "dashdot") for b in graph.break_evens.get("condor", ())]
    shapes: list[Figure] = []
    for row, axis in ((1, ""), (2, "2")):
        data.append(_zero_line([x[0], x[-1]], row))
        shapes += [
            {
                "line": {"color": color, "dash": dash, "width": 1}, "type": "line",
                "x0": level, "x1": level, "xref": f"x{axis}", "y0": 0, "y1": 1,
                "yref": f"y{axis} domain",
            }
            for level, color, dash in marks
        ]  # fmt: skip
    layout = _two_panel_axes(None, _RISK_GAP)
    top, bottom = _two_rows(None, _RISK_GAP)
    layout["annotations"] = [
        _subplot_title("Condors alone", top[1]),
        _subplot_title("Hedges alone and whole book", bottom[1]),
    ]
    layout["shapes"] = shapes
    title = f"Book open on {graph.as_of:%Y-%m-%d}, SPX {graph.spot:,.2f}"
    layout.update(_layout_tail(title, height=640, hovermode="x"))
    _axis(layout, "xaxis2", title={"text": "SPX (index points)"})
    for name in ("yaxis", "yaxis2"):
        _axis(layout, name, title={"text": "P&L, dollars"}, tickformat="$,.0f")
    return _figure(data, layout)


def vix_scenario_figure(graph: RiskGraph) -> Figure:
    """Hedge P&L (dollars) if VIX jumped to 20/30/40/60 today, against the condors' max loss."""
    levels = [f"VIX {s.vix:g}" for s in graph.scenarios]
    data: list[Figure] = [
        {
            "hovertemplate": "%{x}: %{y:$,.2f}<extra>hedge P&L</extra>",
            "marker": {"color": _LINE_COLORS[1]}, "name": "Hedge P&L (vs cost)",
            "x": levels, "y": [round(s.hedge_pnl, 2) for s in graph.scenarios], "type": "bar",
        }
    ]  # fmt: skip
    loss = graph.scenarios[0].condor_max_loss if graph.scenarios else None
    if loss is not None:
        data.append(
            {
                "line": {"color": "#cf222e", "dash": "dash"}, "mode": "lines",
                "name": "Condor max loss (magnitude)", "x": levels,
                "y": [round(-loss, 2)] * len(levels), "type": "scatter",
            }
        )  # fmt: skip
    layout = _layout_tail("Hedges vs a VIX jump (T+0)")
    layout["yaxis"] = {"title": {"text": "Dollars"}, "tickformat": "$,.0f"}
    return _figure(data, layout)


def compare_figure(dailies: Mapping[str, pd.DataFrame]) -> Figure:
    """Overlaid equity (top, dollars) and drawdown (bottom, percent) curves of several runs."""
    data: list[Figure] = []
    for i, (name, daily) in enumerate(dailies.items()):
        color = _LINE_COLORS[i % len(_LINE_COLORS)]
        x = _dates(daily.index)
        data.append(_on(_line(x, _values(daily["equity"]), name, color, legendgroup=name), 1))
        drawdown = _values(100.0 * daily["drawdown"])
        data.append(
            _on(
                _line(x, drawdown, f"{name} drawdown", color, legendgroup=name, showlegend=False),
                2,
            )
        )
    layout = _two_panel_axes(_TWO_PANEL_ROWS, _TWO_PANEL_GAP)
    layout.update(_layout_tail("Equity and drawdown by policy", height=560))
    _axis(layout, "yaxis", title={"text": "Dollars"})
    _axis(layout, "yaxis2", title={"text": "Drawdown %"})
    return _figure(data, layout)
