"""End-to-end on real index data from ../shared/data (skipped where absent).

The shared files are imported into a temporary data home through the project's own
importer and loaded with `load_store`; option quotes come from the markets layer
(modeled where no real chains exist).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from bt_fakes import check_invariants

from vixshield.backtest import Backtest, summary_dict
from vixshield.data.market import MarketData

pytestmark = pytest.mark.shared_data

FILES = ("spx/spx_stooq_daily.csv", "cboe_indices", "rates/tbill13week_2005_2014.csv")


@pytest.fixture(scope="session")
def real_data(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> MarketData:
    from vixshield.data.loader import load_store
    from vixshield.data.store import Store
    from vixshield.data.store_import import import_path

    home = tmp_path_factory.mktemp("vixshield_home")
    store = Store(home)
    for f in FILES:
        import_path(shared_data / f, store)
    data = load_store("2016-06-01", "2018-02-16", home=home)
    return data


def _run(data: MarketData, policy: str, start: str, end: str) -> object:
    from vixshield.markets.view import Markets
    from vixshield.strategy import load_policy

    return Backtest(load_policy(policy), Markets(data), start=start, end=end).run()


def test_february_2018_condors_lose_and_alvh_gains(real_data: MarketData) -> None:
    # Volmageddon (2018-01-26 .. 2018-02-16): VIX from 11 to 37 intraday-close, SPX -10%
    # peak to trough. Short-vol condors lose; the layered VIX calls pay.
    res = _run(real_data, "alvh-442", "2017-12-01", "2018-02-16")
    w = summary_dict(res)["stress_windows"]["February 2018"]  # type: ignore[index]
    assert w["pnl_condor"] < 0  # type: ignore[index]
    assert w["pnl_hedge"] > 0  # type: ignore[index]
    assert w["pnl"] > w["pnl_condor"]  # type: ignore[index]
    check_invariants(res.daily, res.capital)  # type: ignore[attr-defined]


def test_february_2018_unhedged_condors_lose(real_data: MarketData) -> None:
    res = _run(real_data, "no-hedge", "2017-12-01", "2018-02-16")
    w = summary_dict(res)["stress_windows"]["February 2018"]  # type: ignore[index]
    assert w["pnl_condor"] < 0 and w["pnl_hedge"] == 0  # type: ignore[index]
    assert w["pnl"] < 0  # type: ignore[index]
    check_invariants(res.daily, res.capital)  # type: ignore[attr-defined]


def test_no_look_ahead_on_real_data(real_data: MarketData) -> None:
    # the whole pipeline (indicators, decisions, fills, marks) run on data cut at the
    # close of 2018-02-02 gives the same daily frame up to that close as the full data
    cut = pd.Timestamp("2018-02-02")
    full = _run(real_data, "no-hedge", "2018-01-02", "2018-02-16")
    short = _run(real_data.until(cut), "no-hedge", "2018-01-02", "2018-02-16")
    pd.testing.assert_frame_equal(full.daily.loc[:cut], short.daily)  # type: ignore[attr-defined]
