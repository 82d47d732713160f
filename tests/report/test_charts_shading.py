"""The VIX-and-regime figure: its shading is exactly what plotly's ``add_vrect`` draws.

The figure builds every span's shape in one list (``add_vrect`` re-validates every
existing shape on each call, so its cost grows with the square of the spans); the
reference is the same figure drawn span by span with plotly's own ``add_vrect``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from vixshield.report import charts


def _daily(n: int = 300, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    days = pd.bdate_range("2015-01-02", periods=n, name="date")
    names = np.array(["calm", "normal", "elevated", "stressed", "custom-x"])
    runs = np.repeat(rng.integers(0, len(names), n // 4 + 1), 4)[:n]
    return pd.DataFrame({"regime": names[runs], "vix": 15 + rng.normal(0, 2, n)}, index=days)


def _with_add_vrect(daily: pd.DataFrame) -> go.Figure:
    """The figure as built before: one ``add_vrect`` per span (plotly's reference)."""
    fig = go.Figure()
    spans = charts.regime_spans(daily["regime"])
    names = sorted({s[0] for s in spans})
    for name, x0, x1 in spans:
        fig.add_vrect(
            x0=x0, x1=x1, fillcolor=charts._regime_color(name, names), line_width=0, layer="below"
        )
    for name in names:
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                name=f"regime: {name}",
                marker={"size": 12, "symbol": "square", "color": charts._regime_color(name, names)},
            )
        )
    fig.add_trace(
        go.Scatter(
            x=charts._dates(daily.index),
            y=charts._values(daily["vix"]),
            name="VIX",
            line={"color": "#24292f"},
        )
    )
    fig.update_layout(title="VIX and regime", **charts._LAYOUT)
    fig.update_xaxes(type="date")
    fig.update_yaxes(title_text="Vol points")
    return fig


def test_shading_is_byte_identical_to_add_vrect() -> None:
    daily = _daily()
    assert len(charts.regime_spans(daily["regime"])) > 50
    assert charts.vix_regime_figure(daily).to_json() == _with_add_vrect(daily).to_json()


def test_one_span_and_no_regime() -> None:
    one = _daily(10).assign(regime="calm")
    assert charts.vix_regime_figure(one).to_json() == _with_add_vrect(one).to_json()
    bare = _daily(10).drop(columns="regime")
    assert "shapes" not in charts.vix_regime_figure(bare).to_plotly_json()["layout"]
