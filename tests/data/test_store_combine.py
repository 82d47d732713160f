"""load_store: two providers of one series, the benchmarks frame, SET and the dividend yield."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from vixshield.data.loader import load_store
from vixshield.data.market import BENCHMARK_COLUMNS, DAILY_COLUMNS, Provenance
from vixshield.data.store import Store
from vixshield.data.store_import import import_path

FIX = Path(__file__).resolve().parent / "fixtures"
PROV = Provenance("", "stooq", "spx.csv", "2026-11-26T06:00:00Z", "real")


def daily(values: dict[str, float]) -> pd.DataFrame:
    idx = pd.DatetimeIndex(pd.to_datetime(list(values)), name="date")
    return pd.DataFrame({"value": list(values.values())}, index=idx, dtype="float64")


def test_stooq_and_yahoo_are_stored_apart_and_combined(tmp_path: Path) -> None:
    store = Store(tmp_path)
    import_path(FIX / "stooq_spx.csv", store)
    import_path(FIX / "GSPC_yahoo.csv", store)
    assert {"spx_close", "spx_close-yahoo"} <= set(store.series())
    assert store.provenance("spx_close").provider == "stooq"
    assert store.provenance("spx_close-yahoo").provider == "yahoo"
    md = load_store("2018-01-31", "2018-02-06", home=tmp_path)
    close = md.daily["spx_close"]
    # stooq has 2018-02-05 only; Yahoo fills the other sessions (2018-02-03 was a Saturday)
    assert list(close.index.strftime("%Y-%m-%d")) == [
        "2018-01-31",
        "2018-02-01",
        "2018-02-02",
        "2018-02-05",
        "2018-02-06",
    ]
    assert close.loc["2018-02-05"] == 2648.94  # stooq's value where both have one
    assert close.loc["2018-02-06"] == pytest.approx(2695.139893)  # Yahoo's where stooq has none
    p = md.provenance["spx_close"]
    assert (p.series, p.provider, p.origin) == ("spx_close", "stooq+yahoo", "real")
    assert "stooq_spx.csv" in p.source and "GSPC_yahoo.csv" in p.source
    assert "stooq on 1 day(s) 2018-02-05 .. 2018-02-05 (preferred" in p.note
    assert "yahoo on 4 day(s) 2018-01-31 .. 2018-02-06 where the above have none" in p.note
    assert "0 beyond 0.5%" in p.note
    assert not any("differ by more than" in w for w in md.warnings)


def test_disagreeing_providers_are_counted_in_a_warning(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.write({"spx_close": daily({"2018-02-05": 2648.94, "2018-02-06": 2695.14})}, PROV)
    yahoo = Provenance("", "yahoo", "GSPC.csv", "2026-11-26T06:00:00Z", "real")
    store.write(
        {
            "spx_close-yahoo": daily(
                {"2018-02-05": 2700.0, "2018-02-06": 2695.14, "2018-02-07": 2681.66}
            )
        },
        yahoo,
    )
    md = load_store(home=tmp_path)
    assert md.daily["spx_close"].tolist() == [2648.94, 2695.14, 2681.66]
    assert any(
        w.startswith("spx_close: yahoo and stooq differ by more than 0.5% on 1 of 2 common day(s)")
        and "2018-02-05" in w
        for w in md.warnings
    )


def test_daily_index_runs_to_the_latest_provider_and_vix_stays_nan(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.write({"spx_close": daily({"2024-07-01": 5475.09})}, PROV)
    store.write(
        {"spx_close-yahoo": daily({"2024-07-01": 5475.09, "2024-07-05": 5567.19})},
        Provenance("", "yahoo", "GSPC.csv", "", "real"),
    )
    cboe = Provenance("", "cboe", "VIX_History.csv", "", "real")
    store.write({"vix": daily({"2024-07-01": 12.22, "2024-07-02": 12.03})}, cboe)
    md = load_store(home=tmp_path)
    assert md.daily.index[-1] == pd.Timestamp("2024-07-05")
    assert md.daily.loc["2024-07-05", "spx_close"] == 5567.19
    assert md.daily.loc["2024-07-03":, "vix"].isna().all()  # never forward-filled


def test_benchmarks_frame_and_until(tmp_path: Path) -> None:
    store = Store(tmp_path)
    import_path(FIX / "PUT_History.csv", store)
    import_path(FIX / "CLL_History.csv", store)
    md = load_store(home=tmp_path)
    b = md.benchmarks
    assert tuple(b.columns) == BENCHMARK_COLUMNS
    assert (b.dtypes == np.float64).all()
    assert b.index.name == "date" and b.index.is_unique and b.index.is_monotonic_increasing
    assert b.index.tz is None and b.index.dtype == "datetime64[ns]"
    assert len(b) == 10 + 12  # the two files share no date
    assert b.loc["2018-02-05", "put"] == 1772.02 and np.isnan(b.loc["2018-02-05", "cll"])
    assert b.loc["2018-11-22", "cll"] == 805.18  # the holiday row is kept as the file has it
    assert b["bxm"].isna().all() and b["pput"].isna().all()
    assert md.provenance["put"].provider == "cboe" and md.provenance["put"].origin == "real"
    assert any(w.startswith("benchmarks: bxm, pput not in the store") for w in md.warnings)
    # isolated 1991 PUT values are kept although the daily frame only starts with its series
    assert b.index[0] == pd.Timestamp("1991-03-04")
    cut = md.until(pd.Timestamp("2018-02-02"))
    assert cut.benchmarks.index[-1] == pd.Timestamp("2018-02-02")
    assert tuple(cut.benchmarks.columns) == BENCHMARK_COLUMNS
    # explicit bounds cut it too
    win = load_store("2018-01-01", "2018-12-31", home=tmp_path).benchmarks
    assert win.index[0] == pd.Timestamp("2018-01-02") and win.index[-1] == pd.Timestamp(
        "2018-11-28"
    )
    # benchmarks never extend the trading days of `daily`
    assert "put" not in DAILY_COLUMNS


def test_spx_set_is_a_daily_column_nan_off_expiries(tmp_path: Path) -> None:
    store = Store(tmp_path)
    import_path(FIX / "spx_set.csv", store)
    md = load_store("2018-01-02", "2018-03-29", home=tmp_path)
    s = md.daily["spx_set"]
    assert s.loc["2018-02-16"] == 2727.14
    assert s.notna().sum() == 4 and np.isnan(s.loc["2018-02-15"])
    assert md.provenance["spx_set"].origin == "real"


def test_div_yield_from_the_shipped_table_unless_stored(tmp_path: Path) -> None:
    md = load_store("2009-01-02", "2009-01-09", home=tmp_path)
    from vixshield.data.dividends import annual_dividend_yield

    assert (md.daily["div_yield"] == annual_dividend_yield()[2008]).all()
    p = md.provenance["div_yield"]
    assert (p.provider, p.origin) == ("vixshield", "modeled")
    Store(tmp_path).write({"div_yield": daily({"2009-01-05": 0.025})}, PROV)
    md2 = load_store("2009-01-02", "2009-01-09", home=tmp_path)
    assert md2.daily.loc["2009-01-05", "div_yield"] == 0.025
    assert np.isnan(md2.daily.loc["2009-01-06", "div_yield"])


def test_one_folder_with_stooq_and_yahoo_keeps_both(tmp_path: Path) -> None:
    folder = tmp_path / "files"
    folder.mkdir()
    for name in ("stooq_spx.csv", "GSPC_yahoo.csv"):
        shutil.copy(FIX / name, folder / name)
    res = import_path(folder, Store(tmp_path / "home"))
    assert not any("not used" in w for w in res.warnings)
    assert {w.series for w in res.written} >= {"spx_close", "spx_close-yahoo"}
