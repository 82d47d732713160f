"""Output files of a run: CSV format and all-or-nothing writes (vixshield.report.bundle)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from report_fakes import make_result

from vixshield.backtest import summary_dict
from vixshield.report import bundle
from vixshield.report.summary import build_summary


def test_frame_csv_is_plain_and_dated() -> None:
    frame = pd.DataFrame(
        {
            "x": [1.0 / 3.0, float("nan")],
            "when": [pd.Timestamp("2018-03-16"), pd.Timestamp("2018-03-19")],
        },
        index=pd.DatetimeIndex(["2018-01-02", "2018-01-03"], name="date"),
    )
    frame["obj"] = pd.Series([pd.Timestamp("2018-04-18"), "x"], index=frame.index, dtype=object)
    assert bundle.frame_csv(frame) == (
        "date,x,when,obj\n2018-01-02,0.3333333333,2018-03-16,2018-04-18\n2018-01-03,,2018-03-19,x\n"
    )


def test_backtest_files_written_and_consistent(tmp_path: Path) -> None:
    result = make_result()
    summary = build_summary(result, summary_dict(result))
    written = bundle.write_backtest_files(tmp_path / "out", result, summary)
    assert sorted(p.name for p in written) == sorted(bundle.BACKTEST_FILES)
    assert json.loads((tmp_path / "out" / "summary.json").read_text()) == summary
    equity = pd.read_csv(tmp_path / "out" / "equity.csv", index_col="date")
    assert len(equity) == len(result.daily) and list(equity.columns) == list(result.daily.columns)
    trades = pd.read_csv(tmp_path / "out" / "trades.csv")
    assert trades["strike"].tolist() == [2550, 2600, 2700, 2750]


def test_nothing_is_written_when_rendering_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "summary.json").write_text("previous run\n")
    result = make_result()
    summary = build_summary(result, summary_dict(result))

    def broken(*_: object) -> str:
        raise RuntimeError("chart failed")

    monkeypatch.setattr(bundle, "render_report_html", broken)
    with pytest.raises(RuntimeError):
        bundle.write_backtest_files(out, result, summary)
    assert [p.name for p in out.iterdir()] == ["summary.json"]
    assert (out / "summary.json").read_text() == "previous run\n"


def test_compare_document_keeps_policy_order() -> None:
    doc = bundle.compare_document({"b": {"cagr": 0.1}, "a": {"cagr": 0.2}})
    assert doc == {
        "schema": bundle.COMPARE_SCHEMA,
        "policies": ["b", "a"],
        "summaries": {"b": {"cagr": 0.1}, "a": {"cagr": 0.2}},
    }
