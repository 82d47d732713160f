"""Cboe index histories, FRED, stooq and T-bill files: parsing, quirks, located errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from vixshield.data.formats import detect_kind, parse_bytes, parse_file
from vixshield.errors import DataError

FIX = Path(__file__).resolve().parent / "fixtures"


def _series_ok(frame: pd.DataFrame) -> None:
    assert list(frame.columns) == ["value"]
    assert frame.index.name == "date"
    assert frame.index.is_monotonic_increasing and frame.index.is_unique
    assert frame["value"].dtype == np.float64


def test_cboe_vix_history() -> None:
    p = parse_file(FIX / "VIX_History.csv")
    assert p.kind == "cboe_index"
    vix = p.frames["vix"]
    _series_ok(vix)
    # Published Cboe closes: 37.32 on 2018-02-05 (Volmageddon), 82.69 on 2020-03-16.
    assert vix.loc["2018-02-05", "value"] == 37.32
    assert vix.loc["2020-03-16", "value"] == 82.69
    # close-only rows (OPEN=HIGH=LOW=CLOSE) give no vix_open, with a warning
    vo = p.frames["vix_open"]
    _series_ok(vo)
    assert pd.Timestamp("2004-06-09") not in vo.index
    assert vo.loc["2018-02-05", "value"] == 18.44
    assert any("close-only" in w for w in p.warnings)


def test_vvix_early_prints_dropped_with_warning() -> None:
    p = parse_file(FIX / "VVIX_History.csv")
    vvix = p.frames["vvix"]
    assert list(vvix.index.strftime("%Y-%m-%d")) == ["2006-03-06", "2006-11-14", "2018-02-05"]
    dropped = [w for w in p.warnings if "dropped" in w]
    assert len(dropped) == 2 and "VVIX_History.csv:3" in dropped[0]


def test_series_from_hint_when_name_unknown() -> None:
    data = (FIX / "VIX_History.csv").read_bytes()
    with pytest.raises(DataError, match="series="):
        parse_bytes(data, source="https://example.test/download?id=1", kind="cboe_index")
    p = parse_bytes(data, source="https://example.test/download", kind="cboe_index", series="VIX3M")
    assert set(p.frames) == {"vix3m"}
    skew = parse_bytes((FIX / "SKEW_History.csv").read_bytes(), source="x.csv")
    assert set(skew.frames) == {"skew"}  # the header names it


def test_bad_close_is_located() -> None:
    text = (FIX / "VIX_History.csv").read_text().replace("17.310000\n", "abc\n")
    with pytest.raises(DataError) as err:
        parse_bytes(text.encode(), source="VIX_History.csv")
    e = err.value
    assert (e.file, e.row, e.field) == ("VIX_History.csv", 4, "CLOSE")
    assert str(e) == "VIX_History.csv:4: column 'CLOSE' expected a positive number, got 'abc'"


@pytest.mark.parametrize(
    ("old", "new", "row", "field"),
    [
        ("02/05/2018,18.44", "02/02/2018,18.44", 5, "DATE"),  # duplicate date
        ("02/05/2018,18.44", "01/05/2018,18.44", 5, "DATE"),  # goes backwards
        ("02/05/2018,18.44", "2018-13-45,18.44", 5, "DATE"),  # not a date
        ("82.690000", "-1.0", 6, "CLOSE"),  # not positive
    ],
)
def test_cboe_errors_name_line_and_column(old: str, new: str, row: int, field: str) -> None:
    text = (FIX / "VIX_History.csv").read_text().replace(old, new)
    with pytest.raises(DataError) as err:
        parse_bytes(text.encode(), source="VIX_History.csv")
    assert (err.value.row, err.value.field) == (row, field)
    assert str(err.value).startswith(f"VIX_History.csv:{row}: column '{field}'")


def test_fred_missing_values_dropped_and_percent_to_decimal() -> None:
    p = parse_file(FIX / "fredgraph_DTB3.csv")
    assert p.kind == "fred"
    rate = p.frames["rate"]
    _series_ok(rate)
    assert list(rate.index.strftime("%Y-%m-%d")) == ["2020-03-13", "2020-03-17", "2020-03-19"]
    np.testing.assert_allclose(rate["value"], [0.0028, 0.0024, 0.0002])
    assert any("2 missing" in w for w in p.warnings)


def test_fred_old_date_header_and_several_series() -> None:
    p = parse_file(FIX / "fredgraph_old.csv")
    assert set(p.frames) == {"vix", "spx_close"}
    assert p.frames["vix"].loc["2018-02-05", "value"] == 37.32
    assert len(p.frames["spx_close"]) == 2  # empty value dropped, not zero-filled


def test_fred_bad_value_located() -> None:
    text = "observation_date,VIXCLS\n2020-01-02,12.47\n2020-01-03,n/a?\n"
    with pytest.raises(DataError) as err:
        parse_bytes(text.encode(), source="VIXCLS.csv")
    assert (err.value.row, err.value.field) == (3, "VIXCLS")


def test_stooq_skips_early_history_with_warning() -> None:
    p = parse_file(FIX / "stooq_spx.csv")
    assert p.kind == "stooq"
    assert set(p.frames) == {"spx_open", "spx_high", "spx_low", "spx_close"}
    close = p.frames["spx_close"]
    assert close.index[0] == pd.Timestamp("1950-01-03")
    assert close.loc["2018-02-05", "value"] == 2648.94  # S&P 500 close, 2018-02-05
    assert any("3 rows before 1950-01-01 skipped" in w for w in p.warnings)


def test_stooq_high_below_low_is_an_error() -> None:
    text = (FIX / "stooq_spx.csv").read_text().replace("2763.39,2638.17", "2600.00,2638.17")
    with pytest.raises(DataError) as err:
        parse_bytes(text.encode(), source="spx.csv")
    assert (err.value.row, err.value.field) == (6, "High")


def test_tbill_newest_first_sorted_and_decimal() -> None:
    p = parse_file(FIX / "tbill13week.csv")
    assert p.kind == "tbill_decimal"
    rate = p.frames["rate"]
    _series_ok(rate)
    assert rate.index[0] == pd.Timestamp("2005-01-03")
    assert rate.loc["2007-02-27", "value"] == 0.0515


def test_tbill_percent_file_rejected() -> None:
    text = "Date,Value\n2007-02-28,5.15\n2007-02-27,5.14\n"
    with pytest.raises(DataError, match="decimal") as err:
        parse_bytes(text.encode(), source="tbill.csv")
    assert err.value.row == 3  # oldest first after reordering: line 3 holds 2007-02-27


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        ("DATE,OPEN,HIGH,LOW,CLOSE\n01/02/1990,17.24,17.24,17.24,17.24", "cboe_index"),
        ("DATE,VVIX\n03/06/2006,71.73", "cboe_index"),
        ("DATE,VIXCLS\n1990-01-02,17.24", "fred"),
        ("observation_date,DTB3\n", "fred"),
        ("Date,Open,High,Low,Close,Volume\n1789-05-01,0.51,0.51,0.51,0.51,0", "stooq"),
        ("Date,Value\n2014-08-15,0.0003", "tbill_decimal"),
        ("Disclaimer text\nTrade Date,Futures,Open,High,Low,Close,Settle", "cfe_vx"),
        ("expiration_date,symbol,settlement\n", "cfe_vx"),
        ("# comment\ndate,kind,label,value,note\n", "events"),
        ("reference_month,release_date\n2021-06,2021-07-13", "events"),
        ("[QUOTE_UNIXTIME], [QUOTE_READTIME], [QUOTE_DATE]", "optionsdx"),
        ("quote_date,underlying,root,expiry,settlement,strike,right,bid,ask", "chain_csv"),
        ('{"timestamp": "2026-07-22", "data": {"options": []}}', "cboe_quotes_json"),
        ("hello,world\n1,2", None),
    ],
)
def test_detect_kind(head: str, kind: str | None) -> None:
    assert detect_kind(head) == kind


def test_unknown_format_error() -> None:
    with pytest.raises(DataError, match="unrecognised file format"):
        parse_bytes(b"hello,world\n1,2\n", source="mystery.csv")
    with pytest.raises(DataError, match="unknown format kind"):
        parse_bytes(b"DATE,VVIX\n", source="VVIX_History.csv", kind="nope")


def test_parse_file_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="cannot read"):
        parse_file(tmp_path / "absent.csv")


@pytest.mark.shared_data
def test_real_cboe_histories(shared_data: Path) -> None:
    d = shared_data / "cboe_indices"
    vix = parse_file(d / "VIX_History.csv").frames["vix"]
    assert vix.loc["2018-02-05", "value"] == 37.32
    assert vix.loc["2020-03-16", "value"] == 82.69
    assert vix.index[0] == pd.Timestamp("1990-01-02")
    assert vix["value"].min() > 8.0 and vix["value"].max() < 90.0
    vvix = parse_file(d / "VVIX_History.csv")
    early = vvix.frames["vvix"].loc[:"2006-12-31", "value"]
    assert (early >= 40).all()
    assert (
        sum("dropped" in w for w in vvix.warnings) == 6
    )  # 15.71, 27.94, 28.60, 37.93, 37.35, 36.14
    six = parse_file(d / "VIX6M_History.csv")
    assert any("VIX6M_History.csv:2898" in w for w in six.warnings)  # 2019-07-05 HIGH < LOW
    for name, key in [("VIX9D", "vix9d"), ("VIX3M", "vix3m"), ("SKEW", "skew")]:
        frame = parse_file(d / f"{name}_History.csv").frames[key]
        assert frame.index.is_monotonic_increasing and (frame["value"] > 0).all()


@pytest.mark.shared_data
def test_real_fred_stooq_tbill(shared_data: Path) -> None:
    fred = parse_file(shared_data / "fred" / "VIXCLS.csv").frames["vix"]
    assert fred.loc["2020-03-16", "value"] == 82.69
    assert fred["value"].notna().all()
    spx = parse_file(shared_data / "spx" / "spx_stooq_daily.csv").frames["spx_close"]
    assert spx.loc["2018-02-05", "value"] == pytest.approx(2648.94, abs=0.01)
    assert spx.index[0] >= pd.Timestamp("1950-01-01")
    rate = parse_file(shared_data / "rates" / "tbill13week_2005_2014.csv").frames["rate"]
    assert rate.index[0] == pd.Timestamp("2005-01-03")
    assert rate.index[-1] == pd.Timestamp("2014-08-15")
    assert rate["value"].min() >= 0.0 and rate["value"].max() < 0.06
