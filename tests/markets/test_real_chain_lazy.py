"""Real chains read lazily from the store's dataset: per-row origins and a bounded day cache."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from vixshield.data.chains import ChainDataset
from vixshield.data.loader import load_store, load_store_chains
from vixshield.markets import Markets
from vixshield.markets.real_source import MonthRows, RealChains

DAY = pd.Timestamp("2022-01-14")
EXPIRY = pd.Timestamp("2022-02-18")


@pytest.fixture
def home(three_row_chain_home: Path) -> Path:
    """The data home of the shared three-row chain (tests/conftest.py)."""
    return three_row_chain_home


def test_store_chains_are_the_lazy_dataset(home: Path) -> None:
    chains = load_store_chains(home)
    assert isinstance(chains, ChainDataset) and len(chains) == 3
    assert list(chains.dates("SPX")) == [DAY] and list(chains.dates("VIX")) == []


def test_each_row_tagged_real_or_modeled(home: Path) -> None:
    market = Markets(load_store(home=home), chains=load_store_chains(home))
    # 4650 C and 4700 C are in the file; 4700 P and 4675 C are not
    q = market.quote(DAY, "SPX", [EXPIRY] * 4, [4650.0, 4700.0, 4700.0, 4675.0],
                     ["C", "C", "P", "C"])  # fmt: skip
    assert q.origins() == ("real", "real", "modeled", "modeled")
    assert list(q.bid[:2]) == [112.1, 80.2] and list(q.ask[:2]) == [113.4, 81.5]
    assert np.isfinite(q.bid[2:]).all()  # the model answered the others
    ch = market.chain(DAY, "SPX")
    assert ch.origin == "real" and len(ch.quotes) == 3
    assert list(market.strikes(DAY, "SPX", EXPIRY)) == [4650.0, 4700.0]


class _Counting:
    """A chain source of one row per day, served a day at a time, that counts the reads."""

    def __init__(self, days: list[pd.Timestamp]) -> None:
        self.days, self.reads = set(days), 0

    def has(self, date: pd.Timestamp, underlying: str) -> bool:
        return date in self.days and underlying == "SPX"

    def month(self, date: pd.Timestamp, underlying: str) -> MonthRows | None:
        self.reads += 1
        e = (date + pd.Timedelta(days=30)).date()
        table = pa.table({"root": ["SPXW"], "expiry": pa.array([e], pa.date32()),
                          "settlement": ["PM"], "strike": [4000.0], "right": ["C"],
                          "bid": [1.0], "ask": [1.5], "iv": [0.2]})  # fmt: skip
        return table, (date,), (1,)

    def next_month(self, date: pd.Timestamp, underlying: str) -> pd.Timestamp | None:
        return None  # read on request only: the counts below are the requests'


def _no_futures(day: object, ed: np.ndarray) -> np.ndarray:
    raise AssertionError("SPX needs no VX future")


def test_days_are_read_once_and_the_cache_is_bounded() -> None:
    days = list(pd.bdate_range("2024-01-02", periods=5))
    src = _Counting(days)
    real = RealChains(src, _no_futures, cache_days=2, cache_months=2)
    for _ in range(3):
        assert real.block(days[0], "SPX") is not None
    assert src.reads == 1  # read once, then served from the cache
    assert real.block(pd.Timestamp("2024-01-01"), "SPX") is None and src.reads == 1
    for d in days:
        real.block(d, "SPX")
    assert src.reads == 5  # days 1..4 read; day 0 was still cached
    real.block(days[0], "SPX")
    assert src.reads == 6  # evicted by then: only 2 days are kept
