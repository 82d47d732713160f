"""The report's figures as `plotly.graph_objects.Figure` (for the Python API and notebooks).

The report itself embeds the plain JSON dicts of `vixshield.report.figures` and
never imports plotly; this module wraps the same dicts as graph objects for
`vixshield.api` (``Run.plot``), so both show the same data and layout. Importing
it imports ``plotly.graph_objects``.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import plotly.graph_objects as go

from vixshield.report import figures
from vixshield.report.figures import (
    CREDIT_HEDGE_CLIP,
    REGIME_COLORS,
    buy_and_hold,
    credit_hedge_bounds,
    regime_spans,
)
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
    "vix_scenario_figure",
]


def _go(spec: figures.Figure) -> go.Figure:
    return go.Figure(spec)


def equity_figure(daily: pd.DataFrame, capital: float) -> go.Figure:
    """`vixshield.report.figures.equity_figure` as a graph object."""
    return _go(figures.equity_figure(daily, capital))


def vix_regime_figure(daily: pd.DataFrame) -> go.Figure:
    """`vixshield.report.figures.vix_regime_figure` as a graph object."""
    return _go(figures.vix_regime_figure(daily))


def pnl_components_figure(daily: pd.DataFrame) -> go.Figure:
    """`vixshield.report.figures.pnl_components_figure` as a graph object."""
    return _go(figures.pnl_components_figure(daily))


def credit_to_hedge_figure(daily: pd.DataFrame) -> go.Figure:
    """`vixshield.report.figures.credit_to_hedge_figure` as a graph object."""
    return _go(figures.credit_to_hedge_figure(daily))


def monthly_returns_figure(table: pd.DataFrame) -> go.Figure:
    """`vixshield.report.figures.monthly_returns_figure` as a graph object."""
    return _go(figures.monthly_returns_figure(table))


def risk_graph_figure(graph: RiskGraph) -> go.Figure:
    """`vixshield.report.figures.risk_graph_figure` as a graph object."""
    return _go(figures.risk_graph_figure(graph))


def vix_scenario_figure(graph: RiskGraph) -> go.Figure:
    """`vixshield.report.figures.vix_scenario_figure` as a graph object."""
    return _go(figures.vix_scenario_figure(graph))


def compare_figure(dailies: Mapping[str, pd.DataFrame]) -> go.Figure:
    """`vixshield.report.figures.compare_figure` as a graph object."""
    return _go(figures.compare_figure(dailies))
