"""The credit-to-hedge cap on the real 2006-2025 history (skipped where ../shared/data is absent).

The shared files are imported into a temporary data home through the project's own
importer and loaded with `load_store` (as in ``tests/backtest/test_real_data.py``);
option quotes come from the markets layer. Published fact used: Cboe listed VIX
options on 2006-02-24 (Cboe press release, 2006), so no VIX order may come earlier.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from vixshield.backtest import Backtest
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


def credit_and_premium(trades: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Net condor credit per entry day and hedge premium paid per day, USD, from the trades.

    Credit: the opening legs' cash flows less commission and fees; premium paid: minus
    the hedge opening legs' cash flows plus commission and fees.
    """
    op = trades[trades["action"] == "open"]
    net = op["cash_flow"] - op["commission"] - op["fees"]
    condor = op["kind"] == "condor"
    hedge = op["kind"].str.startswith("hedge")
    credit = net[condor].groupby(op.loc[condor, "date"]).sum()
    paid = (-net[hedge]).groupby(op.loc[hedge, "date"]).sum()
    return credit.sort_index(), paid.sort_index()


def window_ratios(credit: pd.Series, paid: pd.Series, n: int) -> np.ndarray:
    """Credit / premium over each window of ``n`` consecutive cycles, days
    ``[entry of the first, entry of the one after the last)`` (inf with nothing paid)."""
    days = list(credit.index)
    out = []
    for i in range(len(days) - n + 1):
        hi = days[i + n] if i + n < len(days) else pd.Timestamp.max
        p = float(paid[(paid.index >= days[i]) & (paid.index < hi)].sum())
        c = float(credit.iloc[i : i + n].sum())
        out.append(c / p if p > 0 else np.inf)
    return np.array(out)


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
