"""vixshield.report: what a run and a decision look like to the trader.

Terminal views (Rich), stable JSON, ``report.html`` / ``compare.html`` (Plotly,
self-contained) and the positions file read by ``vixshield signal``.

(The risk-graph function lives in `vixshield.report.risk_graph`, a module of
the same name.) Public names are imported lazily (on first attribute access) so that the CLI
can read a positions file without importing plotly.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from vixshield.report.bundle import (
        BACKTEST_FILES,
        COMPARE_FILES,
        write_backtest_files,
        write_compare_files,
    )
    from vixshield.report.html import render_compare_html, render_report_html
    from vixshield.report.json_out import dumps_stable, to_jsonable, write_files_atomic
    from vixshield.report.positions_file import load_positions
    from vixshield.report.risk_graph import RiskGraph
    from vixshield.report.signal_view import SIGNAL_SCHEMA, build_signal, print_signal
    from vixshield.report.summary import build_summary, validate_summary
    from vixshield.report.terminal import print_compare, print_summary

__all__ = [
    "BACKTEST_FILES",
    "COMPARE_FILES",
    "SIGNAL_SCHEMA",
    "RiskGraph",
    "build_signal",
    "build_summary",
    "dumps_stable",
    "load_positions",
    "print_compare",
    "print_signal",
    "print_summary",
    "render_compare_html",
    "render_report_html",
    "to_jsonable",
    "validate_summary",
    "write_backtest_files",
    "write_compare_files",
    "write_files_atomic",
]

_HOME = {
    "BACKTEST_FILES": "bundle",
    "COMPARE_FILES": "bundle",
    "write_backtest_files": "bundle",
    "write_compare_files": "bundle",
    "render_compare_html": "html",
    "render_report_html": "html",
    "dumps_stable": "json_out",
    "to_jsonable": "json_out",
    "write_files_atomic": "json_out",
    "load_positions": "positions_file",
    "RiskGraph": "risk_graph",
    "SIGNAL_SCHEMA": "signal_view",
    "build_signal": "signal_view",
    "print_signal": "signal_view",
    "build_summary": "summary",
    "validate_summary": "summary",
    "print_compare": "terminal",
    "print_summary": "terminal",
}


def __getattr__(name: str) -> object:
    if name in _HOME:
        return getattr(importlib.import_module(f"vixshield.report.{_HOME[name]}"), name)
    raise AttributeError(f"module 'vixshield.report' has no attribute {name!r}")
