"""`vixshield validate` with CliRunner, the market replaced through the command's seams."""

from __future__ import annotations

import itertools
import json
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner
from validation_fakes import PricedMarket, make_data

from vixshield.cli import validate_cmd
from vixshield.cli.app import app
from vixshield.data.market import MarketData, empty_benchmarks
from vixshield.markets.types import MarketView

runner = CliRunner()
ROLLS = pd.DatetimeIndex(["2021-01-15", "2021-02-19", "2021-03-19", "2021-04-16", "2021-05-21"])


def _data(with_indices: bool = True) -> MarketData:
    days = {"2021-01-14": (100.0, 100.0)}
    days.update({str(d.date()): (100.0 + i, 101.0 + i) for i, d in enumerate(ROLLS)})
    data = make_data(days)
    if not with_indices:
        return replace(data, benchmarks=empty_benchmarks())
    bench = empty_benchmarks().reindex(pd.DatetimeIndex(ROLLS, name="date"))
    bench["put"] = [100.0, 101.0, 100.5, 102.0, 103.0]
    bench["bxm"] = [200.0, 201.0, 203.0, 202.0, 204.0]
    return replace(data, benchmarks=bench)


def _market(data: MarketData) -> MarketView:
    prices = {
        (str(a.date()), str(b.date()), k, r): 1.5
        for a, b in itertools.pairwise(ROLLS)
        for k in np.arange(95.0, 115.0, 5.0)
        for r in "PC"
    }
    return PricedMarket(data, [str(d.date()) for d in ROLLS], prices)


@pytest.fixture()
def seams(monkeypatch: pytest.MonkeyPatch) -> dict[str, MarketData]:
    box = {"data": _data()}
    monkeypatch.setattr(validate_cmd, "_load_data", lambda source: box["data"])
    monkeypatch.setattr(validate_cmd, "_open_market", _market)
    return box


def test_json_is_valid_with_the_fields(seams: dict[str, MarketData]) -> None:
    res = runner.invoke(app, ["validate", "--json", "--start", "2021-01-01"])
    assert res.exit_code == 0, res.stderr
    doc = json.loads(res.stdout)
    assert {"indices", "dividends", "quotes", "settlement", "approximations", "calibration"} <= set(
        doc
    )
    assert [i["index"] for i in doc["indices"]] == ["PUT", "BXM"]
    put = doc["indices"][0]
    keys = {"months", "correlation", "mean_gap_pct_per_year", "tracking_error_pct_per_year",
            "worst_month_gap_pct", "worst_month", "target", "meets_target", "monthly"}  # fmt: skip
    assert keys <= set(put)
    assert put["months"] == 4 and put["first"] == "2021-01-15" and put["last"] == "2021-05-21"
    assert put["target"] == {"min_correlation": 0.97, "max_abs_gap_pct_per_year": 0.5}


def test_table_and_one_index(seams: dict[str, MarketData]) -> None:
    res = runner.invoke(app, ["validate", "--index", "bxm", "--start", "2021-01-01"])
    assert res.exit_code == 0, res.stderr
    assert "BXM" in res.stdout and "PUT " not in res.stdout
    assert "approximation: new options are struck" in res.stdout


def test_no_indices_in_the_store_exits_2_with_one_line(seams: dict[str, MarketData]) -> None:
    seams["data"] = _data(with_indices=False)
    res = runner.invoke(app, ["validate", "--json"])
    assert res.exit_code == 2
    lines = res.stderr.strip().splitlines()
    assert lines == [f"error: {validate_cmd.NO_INDICES}"]
    assert "no Cboe strategy indices in the store" in lines[0] and res.stdout == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--index", "vix"], "--index: expected one of put, bxm, pput, cll"),
        (["--index", "cll"], "no CLL values in the store"),
        (["--start", "2021-13-01"], "--start"),
        (["--start", "2021-05-01", "--end", "2021-01-01"], "is after --end"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    seams: dict[str, MarketData], args: list[str], message: str
) -> None:
    res = runner.invoke(app, ["validate", *args])
    assert res.exit_code == 2, res.stdout
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0]
