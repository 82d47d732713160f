"""The credit-to-hedge cap on the real 2006-2025 history (skipped where ../shared/data is absent).

The shared files are imported into a temporary data home through the project's own
importer and loaded with `load_store` (as in ``tests/backtest/test_real_data.py``);
option quotes come from the markets layer. Published fact used: Cboe listed VIX
options on 2006-02-24 (Cboe press release, 2006), so no VIX order may come earlier.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from vixshield.backtest import Backtest
from vixshield.backtest.credit_windows import credit_and_premium, window_ratios
from vixshield.data.loader import load_store
from vixshield.data.market import MarketData
from vixshield.data.store import Store
from vixshield.data.store_import import import_path
from vixshield.markets.view import Markets
from vixshield.strategy import load_policy

pytestmark = pytest.mark.shared_data

FILES = (
    "spx/spx_stooq_daily.csv",
    "cboe_indices",
    "rates/tbill13week_2005_2014.csv",
    "cfe_vx",
    "events",
)
VIX_OPTIONS_LISTED = pd.Timestamp("2006-02-24")


@pytest.fixture(scope="module")
def history(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> MarketData:
    home = tmp_path_factory.mktemp("vixshield_home_c2h")
    store = Store(home)
    for f in FILES:
        import_path(shared_data / f, store)
    return load_store("2004-01-01", "2025-12-31", home=home)


def test_alvh_442_keeps_credit_three_times_hedge_premium_2006_2025(history: MarketData) -> None:
    policy = load_policy("alvh-442")
    assert [x.weight for x in policy.hedge.layers] == [0.04, 0.04, 0.02]  # the 4/4/2 split
    assert policy.hedge.credit_to_hedge_min == 3.0 and policy.hedge.credit_to_hedge_window == 3
    res = Backtest(policy, Markets(history), start="2006-01-03", end="2025-12-31").run()
    credit, paid = credit_and_premium(res.trades)
    assert len(credit) >= 3 and paid.sum() > 0
    ratios = window_ratios(credit, paid, 3)
    assert (ratios >= 3.0 * (1 - 1e-9)).all(), f"worst window {ratios.min():.3f}"
    assert credit.sum() >= 3.0 * paid.sum()
    assert paid[paid.index < credit.index[0]].sum() == 0.0  # no cycle yet: no hedge
    vix = res.trades[res.trades["root"] == "VIX"]
    assert pd.Timestamp(vix["date"].min()) >= VIX_OPTIONS_LISTED
