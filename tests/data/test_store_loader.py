"""load_store: trading-day alignment, no silent fills, provenance and warnings."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from vixshield.data.loader import RATE_FFILL_LIMIT, load_store
from vixshield.data.market import BENCHMARK_COLUMNS, DAILY_COLUMNS, Provenance
from vixshield.data.store import Store

PROV = Provenance("", "cboe", "VIX_History.csv", "2026-11-26T06:00:00Z", "real")


def daily(values: dict[str, float]) -> pd.DataFrame:
    idx = pd.DatetimeIndex(pd.to_datetime(list(values)), name="date")
    return pd.DataFrame({"value": list(values.values())}, index=idx, dtype="float64")


def test_daily_on_nyse_trading_days_with_nan_gaps(tmp_path: Path) -> None:
    store = Store(tmp_path)
    # 2024-07-04 (Independence Day) is an NYSE holiday; 2024-07-06 is a Saturday.
    vix = {"2024-07-01": 12.22, "2024-07-02": 12.03, "2024-07-05": 12.48, "2024-07-06": 99.0}
    store.write({"vix": daily(vix)}, PROV)
    md = load_store(home=tmp_path)
    assert list(md.daily.columns) == list(DAILY_COLUMNS)
    assert md.daily.index.name == "date"
    # NYSE sessions 2024-07-01 .. 2024-07-05: Mon, Tue, Wed (07-03, half day), Fri.
    assert [d.strftime("%Y-%m-%d") for d in md.daily.index] == [
        "2024-07-01",
        "2024-07-02",
        "2024-07-03",
        "2024-07-05",
    ]
    # 07-03 has no stored value: NaN, not a forward fill and not zero.
    assert np.isnan(md.daily.loc["2024-07-03", "vix"])
    assert md.daily.loc["2024-07-05", "vix"] == 12.48
    assert any(
        "vix: 1 row(s) dated on days the NYSE was closed (first 2024-07-06) dropped" in w
        for w in md.warnings
    )
    assert any(w.startswith("vvix: not in the store") for w in md.warnings)
    assert md.daily["vvix"].isna().all()
    assert md.provenance["vix"].provider == "cboe"
    assert "vvix" not in md.provenance
    assert md.vx.empty and list(md.vx.columns) == ["date", "expiry", "settle"]


def test_rate_forward_fill_is_limited_and_stated(tmp_path: Path) -> None:
    store = Store(tmp_path)
    # Trading days of January 2024 (New Year's Day closed, MLK day 01-15 closed).
    days = pd.DatetimeIndex(
        [
            "2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05", "2024-01-08",
            "2024-01-09", "2024-01-10", "2024-01-11", "2024-01-12", "2024-01-16",
        ]
    )  # fmt: skip
    rate = {"2024-01-02": 0.0520, "2024-01-16": 0.0522}  # a gap of 8 trading days
    vix = {str(d.date()): 13.0 for d in days}
    store.write({"rate": daily(rate), "vix": daily(vix)}, PROV)
    md = load_store(home=tmp_path)
    r = md.daily["rate"]
    assert list(md.daily.index) == list(days)
    # 5 trading days after 01-02 carry 0.0520; the next 3 take the modeled policy rate:
    # the Fed funds target range was 5.25%-5.50% in January 2024 (FOMC, 2023-07-26), mid 5.375%.
    assert r.iloc[1 : 1 + RATE_FFILL_LIMIT].tolist() == [0.0520] * RATE_FFILL_LIMIT
    assert r.iloc[6:9].tolist() == pytest.approx([0.05375] * 3)
    assert r.iloc[9] == 0.0522
    assert "forward-filled over at most 5 trading days (5 value(s) filled)" in (
        md.provenance["rate"].note
    )
    filled = md.provenance["rate:modeled_fill"]
    assert filled.origin == "modeled" and filled.note.startswith("3 trading day(s)")
    # no other column is filled
    assert md.daily["vix"].notna().all() and md.daily["vvix"].isna().all()


def test_start_end_and_until_cut(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.write(
        {"vix": daily({"2018-02-02": 17.31, "2018-02-05": 37.32, "2018-02-06": 29.98})}, PROV
    )
    vx = pd.DataFrame(
        {
            "date": pd.to_datetime(["2018-02-02", "2018-02-05", "2018-02-06"]),
            "expiry": pd.to_datetime(["2018-02-14"] * 3),
            "settle": [17.925, 33.575, 27.125],
        }
    )
    store.write({"vx": vx}, PROV)
    md = load_store("2018-02-05", "2018-02-05", home=tmp_path)
    assert md.daily["vix"].tolist() == [37.32]
    assert md.vx["settle"].tolist() == [33.575]
    assert md.provenance["vx"].provider == "cboe"


def test_stored_events_win_over_shipped(tmp_path: Path) -> None:
    store = Store(tmp_path)
    events = pd.DataFrame(
        {
            "date": pd.to_datetime(["2018-03-21", "2018-01-31"]),
            "kind": ["FOMC", "FOMC"],
            "label": ["FOMC 2018-03", "FOMC 2018-01"],
            "value": [float("nan"), float("nan")],
        }
    )
    store.write({"events": events, "vix": daily({"2018-02-05": 37.32})}, PROV)
    md = load_store(home=tmp_path)
    fomc = md.events[md.events["kind"] == "FOMC"].set_index("date")
    # imported rows win on their dates; the shipped calendar fills the rest
    assert fomc.loc["2018-01-31", "label"] == "FOMC 2018-01"
    assert fomc.loc["2018-03-21", "label"] == "FOMC 2018-03"
    assert fomc.index.is_unique and pd.Timestamp("2018-05-02") in fomc.index
    assert md.provenance["events:FOMC"].provider == "cboe"
    # kinds the store does not have still come from the shipped calendars
    assert {"CPI", "PPI", "GDP"} <= set(md.events["kind"])
    assert md.provenance["events:GDP"].provider == "vixshield"


def test_empty_store_loads_with_warnings(tmp_path: Path) -> None:
    md = load_store("2024-01-02", "2024-01-05", home=tmp_path)
    # every stored series is NaN; only the shipped (modeled) dividend yield has values
    assert len(md.daily) == 4 and md.daily.drop(columns="div_yield").isna().all(axis=None)
    assert md.daily["div_yield"].notna().all() and md.origin("div_yield") == "modeled"
    assert len([w for w in md.warnings if "not in the store" in w]) >= len(DAILY_COLUMNS) - 1
    assert md.benchmarks.empty and tuple(md.benchmarks.columns) == BENCHMARK_COLUMNS


def test_loader_reads_what_was_written_for_every_daily_column(tmp_path: Path) -> None:
    store = Store(tmp_path)
    frames = {c: daily({"2020-03-16": float(i + 1)}) for i, c in enumerate(DAILY_COLUMNS)}
    store.write(frames, PROV)
    md = load_store(home=tmp_path)
    assert md.daily.loc["2020-03-16"].tolist() == [float(i + 1) for i in range(len(DAILY_COLUMNS))]
    assert set(md.provenance) >= set(DAILY_COLUMNS)


def test_fallback_fills_only_series_missing_from_the_store(tmp_path: Path) -> None:
    from vixshield.data.market import MarketData

    store = Store(tmp_path)
    store.write({"vix": daily({"2018-02-02": 17.31, "2018-02-05": 37.32})}, PROV)
    idx = pd.DatetimeIndex(["2018-02-02", "2018-02-05"], name="date")
    fb_daily = pd.DataFrame(float("nan"), index=idx, columns=list(DAILY_COLUMNS))
    fb_daily["vix"] = [1.0, 2.0]  # must NOT replace the stored VIX
    fb_daily["vvix"] = [125.51, 177.34]
    fb_prov = Provenance("vvix", "arch", "embedded", "", "real", note="embedded default")
    fb = MarketData(
        daily=fb_daily,
        vx=pd.DataFrame({"date": [], "expiry": [], "settle": []}),
        events=pd.DataFrame({"date": [], "kind": [], "label": [], "value": []}),
        provenance={"vvix": fb_prov},
    )
    md = load_store(home=tmp_path, fallback=fb)
    assert md.daily["vix"].tolist() == [17.31, 37.32]
    assert md.daily["vvix"].tolist() == [125.51, 177.34]
    assert md.provenance["vvix"] == fb_prov
    assert md.provenance["vix"].provider == "cboe"
    assert "vvix: not in the store; taken from the fallback data" in md.warnings
    assert md.daily["skew"].isna().all()
