"""Days a run priced off a modeled VX curve are declared (``vx:modeled_fill``).

The shared CFE files hold VX settlements for contracts expiring 2004 .. 2010; after the
last one every VX future, and so every VIX option and hedge target, is modeled. The
expected days are read from the raw CSV files (their ``Trade Date`` rows with a positive
settlement), not from the importer.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from vixshield.backtest import Backtest
from vixshield.data.loader import load_store
from vixshield.data.market import MarketData
from vixshield.data.store import Store
from vixshield.data.store_import import import_path
from vixshield.markets import Markets
from vixshield.markets.inputs import vx_stand_in_days
from vixshield.strategy.policy import load_policy


@pytest.fixture(scope="module")
def history(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> MarketData:
    home = tmp_path_factory.mktemp("vx_stand_in_home")
    store = Store(home)
    for f in ("spx/spx_stooq_daily.csv", "cboe_indices", "cfe_vx", "rates"):
        import_path(shared_data / f, store)
    return load_store("2007-01-02", "2011-06-30", home=home)


_CFE_FIELDS = ["Trade Date", "Futures", "Open", "High", "Low", "Close", "Settle", "Change",
               "Total Volume", "EFP", "Open Interest"]  # fmt: skip


def _raw_trade_dates(shared: Path) -> pd.DatetimeIndex:
    dates: list[pd.Timestamp] = []
    for f in sorted((shared / "cfe_vx").glob("CFE_*_VX.csv")):
        # some rows end with a stray comma: read the 11 named fields only
        raw = pd.read_csv(f, usecols=range(11), header=0, names=_CFE_FIELDS)
        live = raw[raw["Settle"] > 0]
        dates += list(pd.to_datetime(live["Trade Date"], format="mixed"))
    return pd.DatetimeIndex(dates).normalize().unique().sort_values()


def _simulated(history: MarketData, lo: str, hi: str) -> pd.DatetimeIndex:
    d = history.daily.loc[lo:hi]
    return pd.DatetimeIndex(d.index[(d["spx_close"].notna() & d["vix"].notna()).to_numpy()])


def test_modeled_exactly_where_the_cfe_files_have_no_settlement(
    history: MarketData, shared_data: Path
) -> None:
    raw = _raw_trade_dates(shared_data)
    days = _simulated(history, "2007-01-02", "2010-11-30")  # contracts still to expire
    want = days[~days.isin(raw)]
    got = vx_stand_in_days(history.vx, days)
    assert list(got) == list(want)
    after = _simulated(history, "2011-01-03", "2011-06-30")  # past the last contract
    assert raw.max() < after[0]
    assert list(vx_stand_in_days(history.vx, after)) == list(after)


def test_a_run_past_the_cfe_files_declares_the_modeled_curve(history: MarketData) -> None:
    res = Backtest(load_policy("alvh-442"), Markets(history), "2010-10-01", "2011-03-31").run()
    days = pd.DatetimeIndex(res.daily.index)
    after = days[days > pd.Timestamp("2010-12-22")]  # Z10's final settlement day
    entry = res.provenance["vx:modeled_fill"]
    assert entry.origin == "modeled" and res.provenance["vx"].origin == "real"
    n = int(entry.note.split(" ")[0])
    assert len(after) <= n <= len(after) + 1  # + the expiry day itself: nothing left to trade
    assert f".. {days[-1]:%Y-%m-%d}): VIX options and the hedge layers" in entry.note
    assert any(w.startswith(f"vx: {n} simulated day(s) without a real VX") for w in res.warnings)


def test_before_vx_futures_nothing_is_counted() -> None:
    days = pd.bdate_range("2004-03-22", "2004-03-31")
    got = vx_stand_in_days(pd.DataFrame(columns=["date", "expiry", "settle"]), days)
    assert got[0] == pd.Timestamp("2004-03-26") and len(got) == 4
