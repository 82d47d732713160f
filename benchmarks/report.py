"""Report speed: the files of one run, current path against the reference path (issue 11, item 4).

Usage::

    python benchmarks/report.py                 # the embedded default run (2014-2018)
    python benchmarks/report.py --store         # ... plus 2006-2025 on $VIXSHIELD_HOME's store
    python benchmarks/report.py --repeat 5      # medians of 5 (default 3)

One backtest per data set, then ``render_backtest_files`` (summary.json, trades.csv,
cycles.csv, equity.csv, report.html) timed in the same process on two paths:

* reference: the report as it was before session 5: every figure built with
  ``plotly.graph_objects`` / ``make_subplots`` and serialized by ``Figure.to_json``
  (tests/report/plotly_reference.py), plotly.js from ``plotly.offline.get_plotlyjs``,
  and ``cycles.csv`` filtering the trades once per cycle (`_cycles_reference` below);
* current: the figures as JSON dicts (`vixshield.report.figures`), plotly.js read from
  the package file, ``cycles.csv`` in one pass over the trades.

Both must give the same bytes (checked, and printed). Then, as whole processes
(medians), importing ``vixshield.report.bundle`` once the backtest's modules are loaded
(current: no plotly) against the same import plus ``plotly.graph_objects`` and
``plotly.subplots`` (what the reference imported). Times are CPU seconds of the process
(medians), steadier than wall time on a shared machine. Ratios are reference / current
(higher is faster). Targets (2-core machine): the report step under 0.3 s embedded and
under 1.0 s on the 2006-2025 store run.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd

from vixshield.backtest import Backtest, summary_dict
from vixshield.backtest.result import BacktestResult
from vixshield.cli._sources import open_markets
from vixshield.markets.view import Markets
from vixshield.report import bundle, cycles, html, sections
from vixshield.report.summary import build_summary
from vixshield.report.window import window_provenance
from vixshield.strategy import load_policy

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "report"))
import plotly_reference


def _opening_legs_reference(trades: pd.DataFrame, position_id: str) -> dict[str, object]:
    rows = trades[
        (trades["position_id"] == position_id)
        & (trades["kind"] == "condor")
        & (trades["action"] == "open")
    ]
    first = rows[rows["date"] == rows["date"].iloc[0]]
    out: dict[str, object] = {"expiry": pd.Timestamp(first["expiry"].iloc[0]).normalize()}
    for r in first.to_dict("records"):
        right = "C" if str(r["right"]).upper().startswith("C") else "P"
        out[cycles._STRIKES[(right, int(r["ratio"]) > 0)]] = float(r["strike"])
    ratio = first["ratio"].astype("float64").to_numpy()
    fill = first["fill"].astype("float64").to_numpy()
    out["entry_credit_pts"] = cycles.round_to_tick(float(-(ratio * fill).sum()))
    return out


def _cycles_reference(result: BacktestResult) -> pd.DataFrame:
    """``cycles.csv`` as before: one filter of the whole trades frame per cycle."""
    rows: list[dict[str, object]] = []
    for c in result.cycles.to_dict("records"):
        pid = str(c["position_id"])
        row: dict[str, object] = {
            "position_id": pid,
            "open_date": pd.Timestamp(c["opened"]).normalize(),
            "close_date": pd.Timestamp(c["closed"]).normalize(),
            "contracts": int(c["contracts"]),
        }
        row.update(_opening_legs_reference(result.trades, pid))
        for src, dst in (
            ("credit", "credit_usd"),
            ("costs", "costs_usd"),
            ("hedge_cost", "hedge_cost_usd"),
            ("pnl", "pnl_usd"),
        ):
            row[dst] = round(float(c[src]), 2) + 0.0
        row["gross_pnl_usd"] = round(float(c["pnl"]) + float(c["costs"]), 2) + 0.0
        row["exit_reason"] = str(c["exit_reason"])
        rows.append(row)
    frame = pd.DataFrame(rows, columns=list(cycles.CYCLE_CSV_COLUMNS))
    for col in ("long_put_strike", "short_put_strike", "short_call_strike", "long_call_strike"):
        frame[col] = frame[col].astype(np.float64)
    return frame


@contextmanager
def _reference_path() -> Iterator[None]:
    """The report modules pointed at the graph-objects figures and the old cycles table."""
    from plotly.offline import get_plotlyjs

    saved = (html.figures, sections.figures, sections.figure_json, html.plotly_js)
    saved_cycles = bundle.cycles_table
    html.figures = sections.figures = plotly_reference  # type: ignore[assignment]
    sections.figure_json = lambda fig: str(fig.to_json())  # type: ignore[assignment, attr-defined]
    html.plotly_js = get_plotlyjs
    bundle.cycles_table = _cycles_reference
    try:
        yield
    finally:
        html.figures, sections.figures, sections.figure_json, html.plotly_js = saved
        bundle.cycles_table = saved_cycles


def _median(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    """Median CPU seconds of ``fn`` (this process; steadier than wall time on a shared
    machine) over ``repeat`` calls, and its last result."""
    times, out = [], None
    for _ in range(repeat):
        t0 = time.process_time()
        out = fn()
        times.append(time.process_time() - t0)
    return statistics.median(times), out


def _line(label: str, seconds: float, reference: float) -> None:
    print(f"  {label:<52} {seconds:8.3f} s   {reference / seconds:7.2f}x")


def _bench_run(label: str, markets: Markets, start: str | None, end: str | None, n: int) -> None:
    result = Backtest(load_policy("alvh-442"), markets, start=start, end=end).run()
    summary = build_summary(result, summary_dict(result))

    def render() -> dict[str, str]:
        return bundle.render_backtest_files(result, summary, markets)

    render()  # first call outside the timings (lazy market caches of the risk graph)
    with _reference_path():
        ref_s, ref_files = _median(render, n)
        ref_cycles, _ = _median(lambda: _cycles_reference(result), n)
    cur_s, cur_files = _median(render, n)
    cur_cycles, _ = _median(lambda: cycles.cycles_table(result), n)
    window, _ = _median(lambda: window_provenance(result, markets), n)
    same = ref_files == cur_files
    print(f"{label}: {len(result.daily)} days, {len(result.cycles)} cycles; same bytes: {same}")
    _line("render_backtest_files, graph objects (reference)", ref_s, ref_s)
    _line("render_backtest_files, JSON dicts (current)", cur_s, ref_s)
    _line("cycles_table, a filter per cycle (reference)", ref_cycles, ref_cycles)
    _line("cycles_table, one pass (current)", cur_cycles, ref_cycles)
    print(f"  of which window_provenance (a Markets.vx_curve frame a week): {window:.3f} s")
    if not same:
        diff = [k for k in cur_files if cur_files[k] != ref_files.get(k)]
        raise SystemExit(f"the two paths differ in {diff}")


_IMPORT = (
    "import time, vixshield.backtest, vixshield.markets.view\n"
    "t0 = time.process_time()\n"
    "import {modules}\n"
    "print(time.process_time() - t0)"
)


def _bench_import(n: int) -> None:
    """CPU seconds of importing the report in a fresh process that has the backtest loaded."""

    def timed(modules: str) -> float:
        code = _IMPORT.format(modules=modules)
        runs = [
            float(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                                 text=True).stdout)
            for _ in range(n)
        ]  # fmt: skip
        return statistics.median(runs)

    base = timed("vixshield.report.bundle")
    ref = timed("vixshield.report.bundle, plotly.graph_objects, plotly.subplots, plotly.offline")
    print("import of the report, after the backtest's modules (fresh process)")
    _line("vixshield.report.bundle + plotly.graph_objects (reference)", ref, ref)
    _line("vixshield.report.bundle (current)", base, ref)


def main(argv: list[str]) -> int:
    n = int(argv[argv.index("--repeat") + 1]) if "--repeat" in argv else 3
    _bench_run("embedded default", open_markets("embedded", cache=False), None, None, n)
    if "--store" in argv:  # the store of $VIXSHIELD_HOME, as `vixshield backtest --data store`
        store = open_markets("store", cache=False)
        _bench_run("store 2006-2025", store, "2006-01-03", "2025-12-31", n)
    _bench_import(n)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
