"""Cboe strategy benchmarks, Yahoo daily CSV and the SPX SET file: parsing, quirks, errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from vixshield.data.formats import KINDS, detect_kind, parse_bytes, parse_file
from vixshield.errors import DataError

FIX = Path(__file__).resolve().parent / "fixtures"


def _series_ok(frame: pd.DataFrame) -> None:
    assert list(frame.columns) == ["value"]
    assert frame.index.name == "date"
    assert frame.index.is_monotonic_increasing and frame.index.is_unique
    assert frame["value"].dtype == np.float64


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        ("DATE,PUT\n03/04/1991,153.500000", "cboe_strategy"),
        ("DATE,BXM\n03/22/2002,584.300000", "cboe_strategy"),
        ("DATE,PPUT\n06/30/1986,100.000000", "cboe_strategy"),
        ("DATE,CLL\n08/26/2008,597.670000", "cboe_strategy"),
        # the VIX family keeps its kind
        ("DATE,OPEN,HIGH,LOW,CLOSE\n01/02/1990,17.24,17.24,17.24,17.24", "cboe_index"),
        ("DATE,VVIX\n03/06/2006,71.73", "cboe_index"),
        ("DATE,SKEW\n01/02/1990,126.09", "cboe_index"),
        ("DATE,VIXCLS\n1990-01-02,17.24", "fred"),
        # Yahoo: both header spellings; stooq's header (no Adj Close) stays stooq
        ("Date,Open,High,Low,Close,Adj Close,Volume\n2018-02-05,1,1,1,1,1,0", "yahoo"),
        ("DATE,Open,High,Low,Close,Adj Close,Volume\n1990-01-02,353.4,1,1,1,1,0", "yahoo"),
        ("Date,Open,High,Low,Close,Volume\n2018-02-05,1,1,1,1,0", "stooq"),
        ("date,spx_set\n2018-02-16,2727.14", "spx_set"),
        ("# SET values\ndate,spx_set\n", "spx_set"),
    ],
)
def test_detect_kind(head: str, kind: str) -> None:
    assert detect_kind(head) == kind
    assert kind in KINDS


def test_put_history_values_and_kept_quirks() -> None:
    p = parse_file(FIX / "PUT_History.csv")
    assert p.kind == "cboe_strategy" and set(p.frames) == {"put"}
    put = p.frames["put"]
    _series_ok(put)
    assert len(put) == 10  # every row kept, the isolated early values too
    # values as Cboe's PUT_History.csv publishes them (../shared/reference/cboe_strategy)
    assert put.loc["1991-03-04", "value"] == 153.50
    assert put.loc["2018-02-05", "value"] == 1772.02
    assert put.loc["2018-11-27", "value"] == 1857.3101  # odd precision kept as written
    gaps = [w for w in p.warnings if "no value for" in w]
    assert gaps[0].startswith("PUT_History.csv:3: PUT has no value for 156 days")
    odd = [w for w in p.warnings if "significant decimals" in w]
    assert len(odd) == 1 and odd[0].startswith("PUT_History.csv:10: 1 PUT value(s)")


def test_cll_holiday_row_stale_run_and_jump_are_warned_and_kept() -> None:
    p = parse_file(FIX / "CLL_History.csv")
    cll = p.frames["cll"]
    _series_ok(cll)
    assert len(cll) == 12
    # 2018-11-22 (Thanksgiving, NYSE closed) repeats the previous value: kept, warned
    assert cll.loc["2018-11-22", "value"] == cll.loc["2018-11-21", "value"] == 805.18
    assert any(
        w.startswith("CLL_History.csv:6: CLL row on 2018-11-22, a day the NYSE was closed")
        and "repeats the previous row's value" in w
        for w in p.warnings
    )
    assert any("unchanged at 801.64 on 4 consecutive rows" in w for w in p.warnings)
    # the 2009-10-16 level discontinuity (592.60 -> 475.17, -19.8 %)
    jump = [w for w in p.warnings if "in one day" in w]
    assert len(jump) == 1 and "-19.8%" in jump[0] and jump[0].startswith("CLL_History.csv:4:")
    assert cll.loc["2009-10-16", "value"] == 475.17


def test_strategy_name_from_header_not_file_name() -> None:
    data = (FIX / "PUT_History.csv").read_bytes()
    p = parse_bytes(data, source="https://example.test/download?id=7")
    assert set(p.frames) == {"put"}


@pytest.mark.parametrize(
    ("old", "new", "row", "field"),
    [
        ("02/05/2018,1772.020000", "02/05/2018,17x2.02", 8, "PUT"),  # not a number
        ("02/05/2018,1772.020000", "02/05/2018,-1772.02", 8, "PUT"),  # not positive
        ("02/05/2018,1772.020000", "2018-02-31,1772.02", 8, "DATE"),  # not a date
        ("02/05/2018,1772.020000", "02/02/2018,1772.02", 8, "DATE"),  # duplicate date
    ],
)
def test_strategy_errors_name_file_line_and_column(
    old: str, new: str, row: int, field: str
) -> None:
    text = (FIX / "PUT_History.csv").read_text().replace(old, new)
    with pytest.raises(DataError) as err:
        parse_bytes(text.encode(), source="PUT_History.csv")
    assert (err.value.file, err.value.row, err.value.field) == ("PUT_History.csv", row, field)
    assert str(err.value).startswith(f"PUT_History.csv:{row}: column '{field}'")


def test_yahoo_null_row_skipped_with_warning() -> None:
    p = parse_file(FIX / "GSPC_yahoo.csv")
    assert p.kind == "yahoo"
    assert set(p.frames) == {"spx_open", "spx_high", "spx_low", "spx_close"}
    close = p.frames["spx_close"]
    _series_ok(close)
    assert pd.Timestamp("2018-02-03") not in close.index and len(close) == 5
    # S&P 500 close 2018-02-05: 2648.94 (Yahoo writes it as 2648.939941)
    assert close.loc["2018-02-05", "value"] == pytest.approx(2648.94, abs=0.005)
    assert p.frames["spx_open"].loc["2018-02-05", "value"] == pytest.approx(2741.06, abs=0.005)
    assert p.warnings == ("GSPC_yahoo.csv:5: 1 row(s) of 'null' fields (no prices that day; "
                          "first 2018-02-03) skipped",)  # fmt: skip


@pytest.mark.parametrize(
    ("old", "new", "row", "field"),
    [
        # a lone null (not a whole null row) is a malformed value
        ("2018-02-06,2614.780029", "2018-02-06,null", 7, "Open"),
        ("2018-02-06,2614.780029", "2018-02-06,abc", 7, "Open"),
        ("2018-02-06,2614.780029", "2018-02-30,2614.78", 7, "Date"),
        ("2701.040039,2593.070068", "2501.040039,2593.070068", 7, "High"),  # HIGH < LOW
    ],
)
def test_yahoo_errors_name_file_line_and_column(old: str, new: str, row: int, field: str) -> None:
    text = (FIX / "GSPC_yahoo.csv").read_text().replace(old, new)
    with pytest.raises(DataError) as err:
        parse_bytes(text.encode(), source="GSPC.csv")
    assert (err.value.file, err.value.row, err.value.field) == ("GSPC.csv", row, field)


def test_spx_set_file() -> None:
    p = parse_file(FIX / "spx_set.csv")
    assert p.kind == "spx_set" and set(p.frames) == {"spx_set"}
    s = p.frames["spx_set"]
    _series_ok(s)
    assert list(s.index.strftime("%Y-%m-%d")) == [
        "2018-01-19",
        "2018-02-16",
        "2018-03-16",
        "2018-03-21",
    ]
    assert s.loc["2018-02-16", "value"] == 2727.14
    # 2018-03-21 (a VIX expiration Wednesday) is not a standard SPX expiration: kept, warned
    assert p.warnings == (
        "spx_set.csv:7: 2018-03-21 is not the standard SPX expiration of its month "
        "(2018-03-16); kept",
    )


@pytest.mark.parametrize(
    ("old", "new", "row", "field"),
    [
        ("2018-02-16,2727.14", "2018-02-16,n/a", 5, "spx_set"),
        ("2018-02-16,2727.14", "2018-02-16,0", 5, "spx_set"),
        ("2018-02-16,2727.14", "02/16/2018,2727.14", 5, "date"),  # ISO dates only
        ("2018-02-16,2727.14", "2018-01-19,2727.14", 5, "date"),  # duplicate
    ],
)
def test_spx_set_errors_name_file_line_and_column(old: str, new: str, row: int, field: str) -> None:
    text = (FIX / "spx_set.csv").read_text().replace(old, new)
    with pytest.raises(DataError) as err:
        parse_bytes(text.encode(), source="spx_set.csv")
    assert (err.value.file, err.value.row, err.value.field) == ("spx_set.csv", row, field)
