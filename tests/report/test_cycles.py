"""cycles.csv: one row per condor cycle (vixshield.report.cycles, vixshield.report.bundle).

Expected rows are written out by hand from the hand-made cycles and fills below.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pandas as pd
import pytest
from report_fakes import CYCLE_COLUMNS, condor_open_rows, make_result

import vixshield.api as vs
from vixshield.backtest import summary_dict
from vixshield.report import bundle
from vixshield.report.cycles import cycles_table, round_to_tick
from vixshield.report.summary import build_summary


def _result() -> object:
    # IC-1: net credit 5.00 (3.00 - 5.50 ... as 5.50 + 4.00 - 3.00 - 1.50).
    # IC-2: unrounded model fills, net 5.4791 + 4.1434 - 2.9870 - 1.6021 = 5.0334 -> 5.05.
    trades = pd.DataFrame(
        condor_open_rows("IC-1", "2018-01-03", {2550.0: 3.0, 2600.0: 5.5, 2700.0: 4.0, 2750.0: 1.5})
        + condor_open_rows(
            "IC-2", "2018-02-01", {2550.0: 2.9870, 2600.0: 5.4791, 2700.0: 4.1434, 2750.0: 1.6021}
        )
    )
    cycles = pd.DataFrame(
        [
            ["IC-1", pd.Timestamp("2018-01-03"), pd.Timestamp("2018-01-31"), 2, 1000.0,
             740.0, 8.0, 310.0, 1000.0 / 740.0, "take_profit"],
            ["IC-2", pd.Timestamp("2018-02-01"), pd.Timestamp("2018-02-23"), 2, 1006.6800001,
             312.3449, 5.2, -1234.5678, 1006.68 / 312.3449, "stop_loss"],
        ],
        columns=CYCLE_COLUMNS,
    )  # fmt: skip
    return dataclasses.replace(make_result(open_condor=False), trades=trades, cycles=cycles)


EXPECTED_CSV = (
    "position_id,open_date,close_date,expiry,long_put_strike,short_put_strike,"
    "short_call_strike,long_call_strike,contracts,entry_credit_pts,credit_usd,costs_usd,"
    "hedge_cost_usd,gross_pnl_usd,pnl_usd,exit_reason\n"
    "IC-1,2018-01-03,2018-01-31,2018-03-16,2550,2600,2700,2750,2,5,1000,8,740,318,310,take_profit\n"
    "IC-2,2018-02-01,2018-02-23,2018-03-16,2550,2600,2700,2750,2,5.05,1006.68,5.2,312.34,"
    "-1229.37,-1234.57,stop_loss\n"
)


def test_cycles_csv_rows_are_exact() -> None:
    assert bundle.frame_csv(cycles_table(_result())) == EXPECTED_CSV  # type: ignore[arg-type]


def test_cycles_csv_is_written_beside_trades(tmp_path: Path) -> None:
    result = _result()
    summary = build_summary(result, summary_dict(result))  # type: ignore[arg-type]
    bundle.write_backtest_files(tmp_path, result, summary)  # type: ignore[arg-type]
    assert (tmp_path / "cycles.csv").read_text(encoding="utf-8") == EXPECTED_CSV
    assert (tmp_path / "trades.csv").exists()


def test_a_run_with_no_closed_condor_has_a_header_only() -> None:
    text = bundle.frame_csv(cycles_table(make_result(open_condor=True)))
    assert text == EXPECTED_CSV.splitlines()[0] + "\n"


def test_a_cycle_without_its_opening_fills_is_an_error() -> None:
    result = _result()
    broken = dataclasses.replace(result, trades=result.trades.iloc[:4])  # type: ignore[attr-defined, type-var]
    with pytest.raises(ValueError, match="IC-2: no opening fills"):
        cycles_table(broken)


@pytest.mark.parametrize(
    ("points", "tick"), [(0.5700369533, 0.55), (0.576, 0.6), (3.0249, 3.0), (-1.26, -1.25)]
)
def test_quotes_round_to_the_spx_tick(points: float, tick: float) -> None:
    assert round_to_tick(points) == tick


def test_cycles_gross_pnl_sums_to_the_condor_component_on_a_real_run(tmp_path: Path) -> None:
    # Embedded real SPX/VIX 2015 (modeled chains); the run ends on 2015-09-04 with no condor
    # open, so every condor's P&L is in a closed cycle. Each row is rounded to cents.
    run = vs.backtest("alvh-442", "embedded", "2015-05-01", "2015-09-04")
    assert not [p for p in run.raw.open_positions if p.kind == "condor"]
    bundle.write_backtest_files(tmp_path, run.raw, run.document)
    cycles = pd.read_csv(tmp_path / "cycles.csv")
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert len(cycles) > 5
    condor = summary["pnl_by_component"]["condor"]
    assert abs(cycles["gross_pnl_usd"].sum() - condor) <= 0.005 * len(cycles)
    assert (cycles["gross_pnl_usd"] - cycles["costs_usd"] - cycles["pnl_usd"]).abs().max() < 0.011
    assert summary["stress_windows"]["August 2015"]["partial"] is False
    assert list(summary["stress_windows"]) == ["August 2015"]


def test_interleaved_fills_and_later_opens_do_not_change_the_rows() -> None:
    # The same two cycles, their opening fills interleaved row by row, a later "open" fill of
    # IC-1 (another date: not its opening) and a hedge fill in between: the rows are unchanged.
    result = _result()
    trades = result.trades  # type: ignore[attr-defined]
    ic1, ic2 = trades.iloc[:4], trades.iloc[4:]
    later = ic1.iloc[[0]].assign(date=pd.Timestamp("2018-01-10"), fill=99.0, strike=2500.0)
    hedge = ic2.iloc[[0]].assign(kind="hedge:core", fill=50.0, right="C")
    mixed = pd.concat(
        [ic2.iloc[[0]], ic1.iloc[[0]], hedge, ic2.iloc[[1]], ic1.iloc[1:], later, ic2.iloc[2:]]
    ).reset_index(drop=True)
    shuffled = dataclasses.replace(result, trades=mixed)  # type: ignore[type-var]
    assert bundle.frame_csv(cycles_table(shuffled)) == EXPECTED_CSV  # type: ignore[arg-type]
