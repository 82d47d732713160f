"""Real option chains: imported into the store, loaded, and priced by the markets layer."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from vixshield.data.loader import load_store, load_store_chains
from vixshield.data.market import Provenance
from vixshield.data.store import Store
from vixshield.data.store_import import import_path
from vixshield.markets import Markets

FIXTURES = Path(__file__).parent / "fixtures"
PROV = Provenance("x", "file", "hand-made", "2026-01-01T00:00:00+00:00", "real")


def _daily(value: float) -> pd.DataFrame:
    return pd.DataFrame({"value": [value]}, index=pd.DatetimeIndex(["2022-01-14"], name="date"))


def test_no_chains_in_an_empty_store(tmp_path: Path) -> None:
    assert load_store_chains(tmp_path) is None


def test_imported_optionsdx_chain_prices_real(tmp_path: Path) -> None:
    store = Store(tmp_path)
    import_path(FIXTURES / "optionsdx_spx_eod_202201.txt", store)
    # the underlying's close that day (the file's UNDERLYING_LAST) and a VIX close
    store.write(
        {"spx_close": _daily(4662.85), "spx_open": _daily(4637.99), "vix": _daily(19.19)}, PROV
    )
    chains = load_store_chains(tmp_path)
    assert chains is not None and len(chains) == 4  # 2 rows x (call, put)
    market = Markets(load_store(home=tmp_path), chains=chains)
    day, expiry = pd.Timestamp("2022-01-14"), pd.Timestamp("2022-02-18")
    q = market.quote(day, "SPX", [expiry, expiry], [4665.0, 4665.0], ["C", "P"])
    assert q.origin == "real"
    # bid/ask as in the file: call 104.10/105.40, put 100.30/101.60
    assert list(q.bid) == pytest.approx([104.1, 100.3])
    assert list(q.ask) == pytest.approx([105.4, 101.6])
    assert list(q.mid) == pytest.approx([104.75, 100.95])
