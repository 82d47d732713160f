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

import csv
import io
from collections.abc import Mapping
from pathlib import Path
from typing import Any

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


def _column_text(column: pd.Series) -> list[Any] | None:
    """The cells of ``column`` as pandas' ``to_csv`` hands them to the csv writer.

    Dates as ISO text, floats by `_float_text`, missing values (NaN, NaT, None, NA)
    as empty text, integers and booleans as Python scalars (the writer calls
    ``str``); None for a dtype this fast path does not cover.
    """
    dtype = column.dtype
    if pd.api.types.is_datetime64_any_dtype(dtype):
        column = column.dt.strftime("%Y-%m-%d")
    elif dtype == np.dtype("O"):
        column = column.map(_cell)
        if column.dtype != np.dtype("O"):  # map infers: all-float cells become a float column
            return _column_text(column)
    elif dtype == np.float64:
        return _float_text(column.to_numpy())
    elif dtype.kind in "iub" and isinstance(dtype, np.dtype):
        return list(column.to_numpy().tolist())
    elif not isinstance(dtype, pd.StringDtype):
        return None
    values = np.array(column.to_numpy(dtype=object), dtype=object)
    values[column.isna().to_numpy()] = ""
    return list(values.tolist())


def _pandas_csv(frame: pd.DataFrame) -> str:
    """`frame_csv` through pandas' own writer (dtypes `_column_text` does not cover)."""
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


def frame_csv(frame: pd.DataFrame) -> str:
    """A frame as deterministic CSV: ISO dates, floats to 10 significant digits, ``\\n`` lines.

    A named index (``date`` of the daily frame) is written as the first column.

    Notes
    -----
    The bytes are those of ``to_csv(float_format=_FLOAT_FORMAT, lineterminator="\\n")``
    on the frame with its dates as ISO text: the cells are formatted column by column
    (`_column_text`) and written by the same `csv` writer pandas uses (minimal
    quoting, doubled quotes), without pandas' per-block conversions. Frames with a
    named non-date index, a column index of several levels or a dtype outside
    dates, floats, integers, booleans, strings and objects go through pandas itself.
    """
    index = frame.index.name is not None
    simple = isinstance(frame.columns, pd.Index) and not isinstance(frame.columns, pd.MultiIndex)
    plain = simple and frame.shape[1] > 0
    days = frame.index if isinstance(frame.index, pd.DatetimeIndex) else None
    if not plain or (index and days is None):
        return _pandas_csv(frame)
    columns: list[list[Any]] = []
    if index and days is not None:
        dates = days.strftime("%Y-%m-%d").tolist()
        columns.append(["" if d is None or d != d else d for d in dates])
    for i in range(frame.shape[1]):
        text = _column_text(frame.iloc[:, i])
        if text is None:
            return _pandas_csv(frame)
        columns.append(text)
    header: list[object] = [frame.index.name] if index else []
    header.extend(frame.columns.tolist())
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(zip(*columns, strict=True))
    return buffer.getvalue()


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
