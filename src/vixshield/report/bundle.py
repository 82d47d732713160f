"""The files a run leaves in its output folder, rendered in memory then written atomically.

``vixshield backtest`` writes `BACKTEST_FILES`; ``vixshield compare`` writes
`COMPARE_FILES` (``cycles.csv`` is `vixshield.report.cycles.cycles_table`;
``trades.csv`` shows fills to the tick and money to the cent,
`vixshield.report.labels.tick_round_trades`). ``markets`` is the run's
markets, for the risk graph and the counted provenance of the HTML pages.
Every text is rendered before anything is written, and each file replaces its
target in one `os.replace`, so a failed run leaves the folder as it was (see
`vixshield.report.json_out.write_files_atomic`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from vixshield._typing import FloatArray
from vixshield.backtest.result import BacktestResult
from vixshield.markets.types import MarketView
from vixshield.report.cycles import cycles_table
from vixshield.report.html import render_compare_html, render_report_html
from vixshield.report.json_out import dumps_stable, write_files_atomic
from vixshield.report.labels import tick_round_trades

__all__ = [
    "BACKTEST_FILES",
    "COMPARE_FILES",
    "COMPARE_SCHEMA",
    "compare_document",
    "frame_csv",
    "render_backtest_files",
    "render_compare_files",
    "write_backtest_files",
    "write_compare_files",
]

BACKTEST_FILES: tuple[str, ...] = (
    "summary.json",
    "trades.csv",
    "cycles.csv",
    "equity.csv",
    "report.html",
)
COMPARE_FILES: tuple[str, ...] = ("compare.json", "compare.html")
COMPARE_SCHEMA = "vixshield.compare/1"


def _cell(value: object) -> object:
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d") if value == value.normalize() else value.isoformat()
    return value


_FLOAT_FORMAT = "%.10g"  # 10 significant digits: cents on a 100-million-dollar account


def _float_text(values: FloatArray) -> list[str]:
    """``values`` as ``to_csv(float_format=_FLOAT_FORMAT)`` writes them (NaN empty).

    The same ``%``-formatting in one list pass instead of pandas' per-value
    formatter: the same strings, so the same bytes.
    """
    return ["" if v != v else _FLOAT_FORMAT % v for v in values.tolist()]


def frame_csv(frame: pd.DataFrame) -> str:
    """A frame as deterministic CSV: ISO dates, floats to 10 significant digits, ``\\n`` lines.

    A named index (``date`` of the daily frame) is written as the first column.
    """
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = out[col].dt.strftime("%Y-%m-%d")
        elif out[col].dtype == object:
            out[col] = out[col].map(_cell)
        elif out[col].dtype == np.float64:
            text = _float_text(out[col].to_numpy())
            out[col] = pd.Series(text, index=out.index, dtype=object)
    index = out.index.name is not None
    if index and isinstance(out.index, pd.DatetimeIndex):
        out.index = out.index.strftime("%Y-%m-%d").rename(frame.index.name)
    return str(out.to_csv(index=index, lineterminator="\n", float_format=_FLOAT_FORMAT))


def render_backtest_files(
    result: BacktestResult, summary: Mapping[str, object], markets: MarketView | None = None
) -> dict[str, str]:
    """File name -> text for `BACKTEST_FILES`."""
    return {
        "summary.json": dumps_stable(summary),
        "trades.csv": frame_csv(tick_round_trades(result.trades)),
        "cycles.csv": frame_csv(cycles_table(result)),
        "equity.csv": frame_csv(result.daily),
        "report.html": render_report_html(result, summary, markets),
    }


def write_backtest_files(
    out_dir: str | Path,
    result: BacktestResult,
    summary: Mapping[str, object],
    markets: MarketView | None = None,
) -> list[Path]:
    """Render and atomically write the backtest files into ``out_dir`` (created if needed)."""
    texts = render_backtest_files(result, summary, markets)
    return write_files_atomic({Path(out_dir) / name: text for name, text in texts.items()})


def compare_document(summaries: Mapping[str, Mapping[str, object]]) -> dict[str, object]:
    """``compare.json``: the policies in the order given and each run's summary."""
    return {"schema": COMPARE_SCHEMA, "policies": list(summaries), "summaries": dict(summaries)}


def render_compare_files(
    results: Mapping[str, BacktestResult],
    summaries: Mapping[str, Mapping[str, object]],
    markets: MarketView | None = None,
) -> dict[str, str]:
    """File name -> text for `COMPARE_FILES`."""
    return {
        "compare.json": dumps_stable(compare_document(summaries)),
        "compare.html": render_compare_html(results, summaries, markets),
    }


def write_compare_files(
    out_dir: str | Path,
    results: Mapping[str, BacktestResult],
    summaries: Mapping[str, Mapping[str, object]],
    markets: MarketView | None = None,
) -> list[Path]:
    """Render and atomically write the comparison files into ``out_dir``."""
    texts = render_compare_files(results, summaries, markets)
    return write_files_atomic({Path(out_dir) / name: text for name, text in texts.items()})
