"""`load_store` says, day by day, whether the rate is real, carried forward or modeled.

Issue 12 item 6 (4) and (5): on a FRED outage the rate is carried forward, then the
modeled Fed funds mid-point; the loaded data says so per day (`MarketData.rate_origin`,
`MarketData.rate_warning`), and every series' provenance names the store version read.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from vixshield.data.embedded import load_embedded
from vixshield.data.loader import RATE_FFILL_LIMIT, load_store
from vixshield.data.market import Provenance
from vixshield.data.store import Store

FRED = Provenance("", "fred", "https://fred.example/DTB3.csv", "2023-10-10T21:00:00Z", "real")
CBOE = Provenance("", "cboe", "https://cdn.example/VIX_History.csv", "2023-10-31T21:00:00Z", "real")

# Federal Reserve: target range 5.25-5.50 % from 2023-07-26 to 2024-09-18 (mid 5.375 %)
FED_MID_OCT_2023 = 0.05375


def _daily(values: dict[str, float]) -> pd.DataFrame:
    idx = pd.DatetimeIndex(pd.to_datetime(list(values)), name="date")
    return pd.DataFrame({"value": list(values.values())}, index=idx, dtype="float64")


@pytest.fixture()
def home(tmp_path: Path) -> Path:
    store = Store(tmp_path)
    # NYSE sessions 2023-10-02 .. 10-31; 10-09 (Columbus Day) the bond market is shut
    sessions = pd.bdate_range("2023-10-02", "2023-10-31")
    store.write({"vix": _daily({f"{d:%Y-%m-%d}": 17.0 for d in sessions})}, CBOE)
    store.write({"vix": _daily({"2023-10-31": 18.14})}, CBOE)  # a second version
    rate = {"2023-10-02": 0.0554, "2023-10-03": 0.0555, "2023-10-04": 0.0554,
            "2023-10-05": 0.0553, "2023-10-06": 0.0553, "2023-10-10": 0.0552}  # fmt: skip
    store.write({"rate": _daily(rate)}, FRED)  # FRED then down from 10-11 on
    return tmp_path


def test_each_day_says_where_its_rate_came_from(home: Path) -> None:
    md = load_store(home=home)
    assert md.rate_origins is not None
    assert md.rate_origin("2023-10-06") == "real" and md.rate_warning("2023-10-06") is None
    # the bond holiday: Friday's rate carried forward, and said
    assert md.rate_origin("2023-10-09") == "filled"
    assert md.daily.loc["2023-10-09", "rate"] == 0.0553
    assert md.rate_warning("2023-10-09") == (
        "rate: no 3-month T-bill rate stored for 2023-10-09; 2023-10-06's 5.530% carried "
        "forward (not published that day, or its fetch failed)"
    )
    # the outage: carried forward over RATE_FFILL_LIMIT sessions (10-11 .. 10-17) ...
    filled = md.rate_origins.loc["2023-10-11":"2023-10-17"]
    assert RATE_FFILL_LIMIT == 5 and list(filled) == ["filled"] * 5
    assert "2023-10-10's 5.520% carried forward" in str(md.rate_warning("2023-10-17"))
    # ... then the modeled Fed funds mid-point, named with the last stored day
    assert md.rate_origin("2023-10-18") == "modeled"
    assert md.daily.loc["2023-10-31", "rate"] == pytest.approx(FED_MID_OCT_2023, abs=1e-12)
    assert md.rate_warning("2023-10-31") == (
        "rate: no 3-month T-bill rate stored for 2023-10-31 (none since 2023-10-10): the "
        "modeled Fed funds target mid-point 5.375% is used"
    )
    counts = md.rate_origins.value_counts().to_dict()
    assert counts == {"real": 6, "filled": 6, "modeled": 10}  # 22 October sessions
    # not a session, or no row: missing (the freshness check reports it)
    assert md.rate_origin("2023-10-07") == "missing" and md.rate_warning("2023-10-07") is None


def test_until_keeps_the_origins_known_at_the_date(home: Path) -> None:
    md = load_store(home=home).until(pd.Timestamp("2023-10-12"))
    assert md.rate_origins is not None
    assert md.rate_origins.index[-1] == pd.Timestamp("2023-10-12")
    assert md.rate_origin("2023-10-12") == "filled" and md.rate_origin("2023-10-18") == "missing"


def test_provenance_names_the_store_version(home: Path) -> None:
    md = load_store(home=home)
    assert md.provenance["vix"].version == 2 and md.provenance["rate"].version == 1
    assert md.provenance["vix"].data_version == (
        "vix@v0002 (cboe, https://cdn.example/VIX_History.csv, fetched 2023-10-31T21:00:00Z)"
    )
    # the store's catalogue is unchanged: its versions carry their number apart
    assert Store(home).provenance("vix").version is None
    assert Store(home).latest("vix") is not None


def test_without_recorded_origins_the_provenance_answers() -> None:
    # the shipped sample: its rate is the modeled Fed funds mid-point throughout
    md = load_embedded()
    assert md.rate_origins is None
    day = md.daily.index[-1]
    assert md.rate_origin(day) == "modeled"
    warning = md.rate_warning(day)
    assert warning is not None and warning.startswith(f"rate: {day:%Y-%m-%d}'s ")
    assert "is modeled (model, " in warning
    assert md.provenance["rate"].data_version.startswith("rate (model, ")
