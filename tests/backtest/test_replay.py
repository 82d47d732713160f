"""`vixshield.backtest.replay`: the signal's state restored by replaying the backtest.

The proof asked by the issue: the orders decided from a replay equal the backtest's
orders on the same close (same action, kind, legs, contracts and position), on the
embedded sample, on 20 closes of the real 2015-2019 history against one backtest run,
and on 20 closes spread over 2006-2025 against backtests from the signal's default
start; and that the state matters (``state=None``, the old signal, decides otherwise).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from vixshield.backtest import Backtest
from vixshield.backtest.replay import REPLAY_WARMUP_DAYS, decide_replayed, replay, replay_start
from vixshield.data.market import MarketData
from vixshield.errors import UserError
from vixshield.markets.view import Markets
from vixshield.strategy import Policy, compute_indicators, decide, load_policy
from vixshield.strategy.types import AccountState, Decision, Order, Position

REAL_FILES = ("spx/spx_stooq_daily.csv", "cboe_indices", "rates/tbill13week_2005_2014.csv")


def order_key(order: Order) -> tuple[object, ...]:
    """What must match: side, kind, legs (strike, expiry, right, ratio), contracts, target."""
    return (order.action, order.kind, order.legs, order.contracts, order.position_id)


def keys(decision: Decision) -> list[tuple[object, ...]]:
    return [order_key(o) for o in decision.orders]


@dataclass
class Recorded:
    """Every close of one backtest: what `decide` was given and what it decided."""

    calls: dict[pd.Timestamp, tuple[tuple[Position, ...], AccountState, Decision]] = field(
        default_factory=dict
    )

    def __call__(
        self,
        date: pd.Timestamp,
        market: Any,
        positions: tuple[Position, ...],
        account: AccountState,
        policy: Any,
        state: object = None,
        indicators: pd.DataFrame | None = None,
        marks: Any = None,
    ) -> Decision:
        out = decide(date, market, positions, account, policy, state, indicators, marks)
        self.calls[pd.Timestamp(date)] = (tuple(positions), account, out)
        return out


def reference(policy: Policy, market: Markets, start: str, end: str) -> Recorded:
    """One ordinary backtest run, its decisions recorded (the reference orders).

    Its indicators are those of the default strategy (start = the run's start) on the data
    up to ``end``: causal, so equal to the full data's there, and far cheaper to fit.
    """
    rec = Recorded()
    first = pd.Timestamp(start)
    ind = compute_indicators(market.data.until(pd.Timestamp(end)), policy, start=first)
    Backtest(policy, market, start=first, end=end, decide=rec, indicators=ind).run()
    return rec


def spread_dates(rec: Recorded, n: int) -> list[pd.Timestamp]:
    """``n`` closes spread evenly over the run, each the first with an order from its anchor."""
    days = sorted(rec.calls)
    out: list[pd.Timestamp] = []
    for pos in np.linspace(0, len(days) - 1, n + 2)[1:-1].astype(int):
        later = [d for d in days[pos:] if rec.calls[d][2].orders and d not in out]
        out.append(later[0] if later else days[pos])
    return out


# -- embedded sample (fast, no shared data) ------------------------------------------------


@pytest.fixture(scope="module")
def embedded() -> tuple[Policy, Markets]:
    from vixshield.data.embedded import load_embedded

    return load_policy("alvh-442"), Markets(load_embedded())


@pytest.fixture(scope="module")
def embedded_reference(embedded: tuple[Policy, Markets]) -> Recorded:
    policy, market = embedded
    return reference(policy, market, "2017-10-02", "2018-03-29")


def test_replay_orders_equal_the_backtest_on_the_embedded_sample(
    embedded: tuple[Policy, Markets], embedded_reference: Recorded
) -> None:
    policy, market = embedded
    dates = spread_dates(embedded_reference, 4)
    assert pd.Timestamp("2018-02-05") not in dates
    dates.append(pd.Timestamp("2018-02-05"))  # the date
    full = compute_indicators(market.data, policy, start=pd.Timestamp("2017-10-02"))
    for day in dates:
        rep = replay(policy, market, day, since="2017-10-02")
        book, account, ref = embedded_reference.calls[day]
        assert rep.since == pd.Timestamp("2017-10-02") and rep.date == day
        assert keys(rep.decision) == keys(ref), day
        assert rep.positions == book and rep.account == account
        pd.testing.assert_frame_equal(rep.indicators, full.loc[:day])  # causal, truncated
        again = decide_replayed(rep, policy, market, rep.positions, rep.account)
        assert keys(again) == keys(ref), day


def test_the_state_matters_the_old_signal_decides_otherwise(
    embedded: tuple[Policy, Markets], embedded_reference: Recorded
) -> None:
    # the bug: decide(..., state=None) on the backtest's own book and account, in the
    # February 2018 stress, differs from the backtest on some closes
    policy, market = embedded
    ind = compute_indicators(market.data, policy, start=pd.Timestamp("2017-10-02"))
    feb = [d for d in embedded_reference.calls if d.month == 2 and d.year == 2018]
    differ = []
    for day in feb:
        book, account, ref = embedded_reference.calls[day]
        stateless = decide(day, market, book, account, policy, None, ind)
        if keys(stateless) != keys(ref):
            differ.append(day)
    assert differ, "state=None decided like the backtest on every February 2018 close"


def test_user_positions_replace_the_book_but_keep_the_replayed_state(
    embedded: tuple[Policy, Markets],
) -> None:
    policy, market = embedded
    rep = replay(policy, market, "2018-02-06", since="2017-10-02")
    assert rep.positions  # the replayed book is not empty then
    empty = decide_replayed(rep, policy, market, (), rep.account)
    assert all(o.action == "open" for o in empty.orders)  # nothing held, nothing to close
    assert (
        empty.state != decide(rep.date, market, (), rep.account, policy, None, rep.indicators).state
    )


def test_default_start_is_one_year_before_or_the_data_start(
    embedded: tuple[Policy, Markets],
) -> None:
    _, market = embedded
    daily = market.data.daily
    first = daily.index[(daily["spx_close"].notna() & daily["vix"].notna()).to_numpy()][0]
    day = pd.Timestamp("2018-02-05")
    start = replay_start(market, day)
    assert day - pd.Timedelta(days=REPLAY_WARMUP_DAYS) <= start
    assert start - (day - pd.Timedelta(days=REPLAY_WARMUP_DAYS)) < pd.Timedelta(days=5)
    assert replay_start(market, first + pd.Timedelta(days=30)) == first


def test_replay_rejects_a_day_without_closes_and_a_start_after_it(
    embedded: tuple[Policy, Markets],
) -> None:
    policy, market = embedded
    with pytest.raises(UserError, match="no SPX and VIX closes"):
        replay(policy, market, "2018-02-03")  # a Saturday
    with pytest.raises(UserError, match="after"):
        replay(policy, market, "2018-02-05", since="2018-02-06")


# -- real history (../shared/data) --------------------------------------------------------


@pytest.fixture(scope="module")
def real_market(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Markets:
    from vixshield.data.loader import load_store
    from vixshield.data.store import Store
    from vixshield.data.store_import import import_path

    home = tmp_path_factory.mktemp("vixshield_home")
    store = Store(home)
    for f in REAL_FILES:
        import_path(shared_data / f, store)
    data: MarketData = load_store(home=home)
    return Markets(data)


@pytest.mark.shared_data
def test_replay_orders_equal_the_backtest_on_20_real_closes_2015_2019(
    real_market: Markets,
) -> None:
    # one backtest run 2015-2019 gives the reference; each close is replayed on its own
    # from the run's start (the replayed book and sizing follow the equity path since
    # the start, so the run's start is the replay's --since). 2015-2019 rather than
    # 2006-2025 to keep the 20 replays at about two minutes.
    policy = load_policy("alvh-442")
    start = "2015-01-02"
    rec = reference(policy, real_market, start, "2019-12-31")
    dates = spread_dates(rec, 20)
    assert len(set(dates)) == 20 and sum(bool(rec.calls[d][2].orders) for d in dates) >= 18
    for day in dates:
        rep = replay(policy, real_market, day, since=start)
        assert keys(rep.decision) == keys(rec.calls[day][2]), day


@pytest.mark.shared_data
def test_signal_replay_equals_the_backtest_on_20_closes_2006_2025(real_market: Markets) -> None:
    # the whole history: 20 anchors evenly spaced from 2006 to the latest close. For
    # each, an ordinary backtest from the signal's default start (a year before the
    # anchor) runs a month past it; on its first close with orders from the anchor on,
    # the replay from that start gives the same orders, and deciding again from the
    # replay's state, book and account gives them too.
    policy = load_policy("alvh-442")
    daily = real_market.data.daily
    days = daily.index[(daily["spx_close"].notna() & daily["vix"].notna()).to_numpy()]
    days = days[days >= pd.Timestamp("2006-01-03")]
    assert days[-1] >= pd.Timestamp("2025-01-02")  # the history reaches 2025
    anchors = [pd.Timestamp(days[i]) for i in np.linspace(0, len(days) - 1, 20).astype(int)]
    with_orders = 0
    for anchor in anchors:
        start = replay_start(real_market, anchor)
        end = min(anchor + pd.Timedelta(days=31), pd.Timestamp(days[-1]))
        rec = reference(policy, real_market, f"{start:%Y-%m-%d}", f"{end:%Y-%m-%d}")
        later = [d for d in sorted(rec.calls) if d >= anchor]
        day = next((d for d in later if rec.calls[d][2].orders), later[0])
        with_orders += bool(rec.calls[day][2].orders)
        rep = replay(policy, real_market, day, since=start)
        assert rep.since == start and keys(rep.decision) == keys(rec.calls[day][2]), day
        again = decide_replayed(rep, policy, real_market, rep.positions, rep.account)
        assert keys(again) == keys(rec.calls[day][2]), day
    assert with_orders >= 10
