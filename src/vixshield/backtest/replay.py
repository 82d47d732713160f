"""Replay: the strategy's state at a close, restored by running the backtest up to it.

`decide` is a function of the previous close's `StrategyState` (the credit-to-hedge
cycles, the smoothed hedge targets, the monetise, pre-positioning and skip flags). A
decision taken with no state forgets all of it, so a one-off signal would differ from
what the backtest does on the same close. `replay` restores that state the only way it
is defined: it runs `Backtest` (the same engine, the same daily loop) from ``since``
through ``date`` and records what the strategy was given and decided at ``date``.

Contract: ``replay(policy, market, date, since, capital).decision`` is the decision the
backtest ``Backtest(policy, market, start=since, end=date, capital=capital)`` takes at
``date`` (same orders: legs, contracts, side), because it *is* that backtest's decision.
The state, book and account depend on ``since`` (the book is sized on the replayed
equity), so a signal names the start it was replayed from.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from vixshield.backtest.engine import Backtest
from vixshield.backtest.loop import day_closes
from vixshield.errors import UserError
from vixshield.markets.types import MarketView
from vixshield.strategy import Policy, StrategyState, compute_indicators, decide
from vixshield.strategy.indicators import WARMUP_DAYS
from vixshield.strategy.types import AccountState, Decision, Position, PositionMark

__all__ = ["REPLAY_WARMUP_DAYS", "Replay", "decide_replayed", "replay", "replay_start"]

REPLAY_WARMUP_DAYS = WARMUP_DAYS
"""Default replay length before the decided close, calendar days (365: the indicators'
warm-up, `vixshield.strategy.indicators.WARMUP_DAYS`). A year holds many condor cycles
(the credit-to-hedge window is a few) and many target half-lives (10 closes by default),
so the order-dependent state has been rebuilt by the replay's own orders. The book and
equity are the replay's own too: they follow the path since the replay's start (sizing is a
share of equity), so they equal those of a backtest started then, not of one started
earlier."""


@dataclass(frozen=True)
class Replay:
    """The backtest's view of one close, recorded by `replay`.

    Attributes
    ----------
    since : Timestamp
        First day replayed (the backtest's start).
    date : Timestamp
        The close decided.
    state : StrategyState or None
        Strategy state of the close before ``date`` (the ``Decision.state`` the
        backtest passed to ``decide`` at ``date``; None on the replay's first day).
    positions : tuple of Position
        The replayed book at ``date`` (after settlement and marks, before its orders).
    account : AccountState
        The replayed account at ``date`` before its orders (dollars).
    decision : Decision
        The backtest's decision at ``date`` (on ``positions`` and ``account``).
    indicators : DataFrame
        The indicator frame the replay used (reuse it to decide again at ``date``).
    warnings : tuple of str
        The replayed backtest's warnings.
    """

    since: pd.Timestamp
    date: pd.Timestamp
    state: StrategyState | None
    positions: tuple[Position, ...]
    account: AccountState
    decision: Decision[StrategyState]
    indicators: pd.DataFrame
    warnings: tuple[str, ...] = ()


class _Recorder:
    """`vixshield.strategy.decide`, recording its inputs and output at one close."""

    def __init__(self, date: pd.Timestamp) -> None:
        self.date = date
        self.seen: (
            tuple[tuple[Position, ...], AccountState, StrategyState | None, Decision[StrategyState]]
            | None
        ) = None

    def __call__(
        self,
        date: pd.Timestamp,
        market: Any,
        positions: tuple[Position, ...],
        account: AccountState,
        policy: Any,
        state: StrategyState | None = None,
        indicators: pd.DataFrame | None = None,
        marks: Mapping[str, PositionMark] | None = None,
    ) -> Decision[StrategyState]:
        decision = decide(date, market, positions, account, policy, state, indicators, marks)
        if pd.Timestamp(date) == self.date:
            self.seen = (tuple(positions), account, state, decision)
        return decision


def _closes(market: MarketView, vix: bool) -> pd.DatetimeIndex:
    """The days the engine simulates (`vixshield.backtest.loop.day_closes`), or with
    ``vix`` the days with both an SPX and a VIX close."""
    daily = market.data.daily
    closes = day_closes(daily)
    ok = closes.spx & closes.vix if vix else closes.simulated
    return pd.DatetimeIndex(daily.index[ok])


def replay_start(
    market: MarketView, date: pd.Timestamp, warmup_days: int = REPLAY_WARMUP_DAYS
) -> pd.Timestamp:
    """The default first day of a replay to ``date``.

    The first day with SPX and VIX closes on or after ``date - warmup_days`` calendar
    days; the data's first such day when that is later. Raises `UserError` when there is
    no such day at or before ``date``.
    """
    days = _closes(market, vix=True)
    days = days[days <= pd.Timestamp(date)]
    if len(days) == 0:
        raise UserError(f"no day with SPX and VIX closes on or before {date:%Y-%m-%d}")
    lo = pd.Timestamp(date) - pd.Timedelta(days=warmup_days)
    return pd.Timestamp(days[days >= lo][0])


def replay(
    policy: Policy,
    market: MarketView,
    date: pd.Timestamp | str,
    since: pd.Timestamp | str | None = None,
    capital: float | None = None,
) -> Replay:
    """Run the backtest from ``since`` through ``date`` and record ``date``'s close.

    Parameters
    ----------
    policy : Policy
    market : MarketView
    date : date-like
        The close to decide; a day with SPX and VIX closes.
    since : date-like, optional
        First day replayed (default `replay_start`: one year before ``date``, or the
        data's first day when later); moved to the first day the engine simulates on or
        after it (`vixshield.backtest.loop.day_closes`), the backtest's first day for
        ``start=since``.
    capital : float, optional
        Starting equity of the replay in dollars (default ``policy.account.capital``).

    Returns
    -------
    Replay

    Notes
    -----
    The indicators are computed as the backtest computes them for a run starting at
    ``since`` (``compute_indicators(data, policy, start=first day)``) on the data up to
    ``date`` (they are causal, so those rows equal the full data's; the GARCH refits after
    ``date``, most of the cost on a long history, are not done). The day ``date`` is run
    in full by the engine; `decide` is only wrapped to record its call.
    """
    day = pd.Timestamp(date).normalize()
    days = _closes(market, vix=False)
    if day not in _closes(market, vix=True):
        raise UserError(f"{day:%Y-%m-%d} has no SPX and VIX closes in the data")
    if since is None:
        first = replay_start(market, day)
    else:  # the backtest's own first day for start=since: the first it simulates
        later = days[(days >= pd.Timestamp(since)) & (days <= day)]
        if len(later) == 0:
            raise UserError(f"replay start {pd.Timestamp(since):%Y-%m-%d} is after {day:%Y-%m-%d}")
        first = pd.Timestamp(later[0])
    # causal: rows up to ``day`` equal the full data's, without fitting GARCH past ``day``
    indicators = compute_indicators(market.data.until(day), policy, start=first)
    recorder = _Recorder(day)
    spec = Backtest(
        policy,
        market,
        start=first,
        end=day,
        capital=capital,
        decide=recorder,
        indicators=indicators,
    )
    result = spec.run()
    if recorder.seen is None:  # a bug: the engine simulates every day with both closes
        raise AssertionError(f"the backtest did not decide at {day.date()}")
    positions, account, state, decision = recorder.seen
    return Replay(
        since=first,
        date=day,
        state=state,
        positions=positions,
        account=account,
        decision=decision,
        indicators=indicators,
        warnings=result.warnings,
    )


def decide_replayed(
    rep: Replay,
    policy: Policy,
    market: MarketView,
    positions: tuple[Position, ...],
    account: AccountState,
) -> Decision[StrategyState]:
    """Decide ``rep.date`` on other ``positions`` and ``account`` with the replayed state.

    The cycles, smoothed targets and flags come from the replay; flags keyed by a
    position id (the monetised hedges) only apply to positions with the same id.
    """
    return decide(
        rep.date, market, positions, account, policy, state=rep.state, indicators=rep.indicators
    )
