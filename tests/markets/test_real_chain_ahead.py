"""Real chains read months ahead: the same rows, each month read once, errors in place.

`RealChains` indexes the two months after the one it read on a worker thread
(`ChainSource.next_month`). The reference is the hand-made table (`_table`: each
option's bid tells its day, expiry, strike and right apart) and the reads the source
counts: a backtest walking forward must see exactly the table's quotes, read every
month once, and meet a month's read error when it asks for that month, as it did
without the thread.
"""

from __future__ import annotations

import pickle
import threading

import numpy as np
import pandas as pd
import pytest

from vixshield.errors import DataError
from vixshield.markets.inputs import DayInputs
from vixshield.markets.real_source import FrameChains, MonthRows, RealChains

DAYS = tuple(pd.Timestamp(d) for d in ("2024-01-02", "2024-01-31", "2024-02-01", "2024-03-04"))
EXPIRY = pd.Timestamp("2024-06-21")
STRIKES = (4700.0, 4725.0)


def _no_futures(day: object, ed: np.ndarray) -> np.ndarray:
    raise AssertionError("SPX needs no VX future")


def _bid(n: int, k: float, right: str) -> float:
    return 100.0 * n + k / 100 + (0.5 if right == "P" else 0.0)


def _table() -> pd.DataFrame:
    rows = [
        (d, "SPX", "SPX", EXPIRY, "AM", k, r, _bid(n, k, r), _bid(n, k, r) + 1.0, 0.2)
        for n, d in enumerate(DAYS)
        for k in STRIKES
        for r in ("C", "P")
    ]
    cols = ["quote_date", "underlying", "root", "expiry", "settlement", "strike", "right",
            "bid", "ask", "iv"]  # fmt: skip
    return pd.DataFrame(rows, columns=cols)


class _Logged(FrameChains):
    """`FrameChains` that logs every month read (and the thread it ran on); ``broken``
    months raise as an unreadable file does."""

    def __init__(self, broken: tuple[int, ...] = ()) -> None:
        super().__init__(_table())
        self.reads: list[tuple[int, str]] = []
        self.broken = broken

    def month(self, date: pd.Timestamp, underlying: str) -> MonthRows | None:
        self.reads.append((date.month, threading.current_thread().name))
        if date.month in self.broken:
            raise DataError(f"chain partition {underlying}/2024-{date.month:02d} is unreadable")
        return super().month(date, underlying)


def _bids(real: RealChains, date: pd.Timestamp) -> list[float]:
    day = DayInputs(date, 0, 4720.0, 0.05, 0.015, 13.0, 15.0, (), {})
    block = real.block(date, "SPX")
    assert block is not None
    n = len(STRIKES) * 2
    ed = np.full(n, (EXPIRY - pd.Timestamp("1970-01-01")).days, dtype=np.int64)
    k = np.repeat(np.array(STRIKES), 2)
    call = np.tile([True, False], len(STRIKES))
    q, mask = real.quote(day, "SPX", block, ed, k, call)
    assert mask.all()
    return q.bid.tolist()


def _want(n: int) -> list[float]:
    return [_bid(n, k, r) for k in STRIKES for r in ("C", "P")]


def test_next_month_is_the_first_date_after_the_month() -> None:
    src = FrameChains(_table())
    assert src.next_month(DAYS[0], "SPX") == DAYS[2]  # 2024-01-31 is still January
    assert src.next_month(DAYS[1], "SPX") == DAYS[2]
    assert src.next_month(DAYS[2], "SPX") == DAYS[3]
    assert src.next_month(DAYS[3], "SPX") is None
    assert src.next_month(DAYS[0], "VIX") is None


def test_walking_forward_reads_each_month_once_ahead() -> None:
    src = _Logged()
    real = RealChains(src, _no_futures)
    for n, d in enumerate(DAYS):
        assert _bids(real, d) == _want(n)
    assert [m for m, _ in src.reads] == [1, 2, 3]  # each month once, none after March
    on_worker = [m for m, thread in src.reads if thread != threading.current_thread().name]
    assert on_worker == [2, 3]  # February and March were read ahead


def test_a_jump_back_is_read_on_request() -> None:
    src = _Logged()
    real = RealChains(src, _no_futures, cache_days=1, cache_months=1)
    assert _bids(real, DAYS[2]) == _want(2)
    assert _bids(real, DAYS[0]) == _want(0)  # March (ahead) is not January's
    assert _bids(real, DAYS[3]) == _want(3)
    assert _bids(real, DAYS[1]) == _want(1)


def test_a_month_whose_read_ahead_failed_raises_when_asked_for() -> None:
    src = _Logged(broken=(2,))
    real = RealChains(src, _no_futures)
    assert _bids(real, DAYS[0]) == _want(0)
    assert _bids(real, DAYS[1]) == _want(1)  # January is served; February's failure waits
    with pytest.raises(DataError, match="2024-02 is unreadable"):
        real.block(DAYS[2], "SPX")
    assert [m for m, _ in src.reads] == [1, 2, 2]  # read ahead, then again on request


def test_pickled_without_the_worker() -> None:
    real = RealChains(_Logged(), _no_futures)
    assert _bids(real, DAYS[0]) == _want(0)  # February pending on the worker
    copy = pickle.loads(pickle.dumps(real))
    for n, d in enumerate(DAYS):
        assert _bids(copy, d) == _want(n)
