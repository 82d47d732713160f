"""The VIX-and-regime figure: its shading is exactly what plotly's ``add_vrect`` draws.

The figure builds every span's shape in one list (``add_vrect`` re-validates every
existing shape on each call, so its cost grows with the square of the spans); the
reference is the same figure drawn span by span with plotly's own ``add_vrect``
(tests/report/plotly_reference.py).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import plotly_reference as ref

from vixshield.report import charts, figures
from vixshield.report.plotly_json import figure_json


def _daily(n: int = 300, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    days = pd.bdate_range("2015-01-02", periods=n, name="date")
    names = np.array(["calm", "normal", "elevated", "stressed", "custom-x"])
    runs = np.repeat(rng.integers(0, len(names), n // 4 + 1), 4)[:n]
    return pd.DataFrame({"regime": names[runs], "vix": 15 + rng.normal(0, 2, n)}, index=days)


def test_shading_is_byte_identical_to_add_vrect() -> None:
    daily = _daily()
    assert len(figures.regime_spans(daily["regime"])) > 50
    assert (
        figure_json(figures.vix_regime_figure(daily))
        == ref.vix_regime_figure_per_span(daily).to_json()
    )


def test_one_span_and_no_regime() -> None:
    one = _daily(10).assign(regime="calm")
    assert (
        figure_json(figures.vix_regime_figure(one)) == ref.vix_regime_figure_per_span(one).to_json()
    )
    bare = _daily(10).drop(columns="regime")
    assert "shapes" not in figures.vix_regime_figure(bare)["layout"]  # type: ignore[operator]


def test_the_api_figures_draw_the_same_shapes() -> None:
    daily = _daily(120)
    expected = json.loads(ref.vix_regime_figure_per_span(daily).to_json())["layout"]["shapes"]
    fig = charts.vix_regime_figure(daily)  # the graph object the Python API returns
    assert json.loads(fig.to_json())["layout"]["shapes"] == expected
