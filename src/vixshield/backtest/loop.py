"""The daily loop of one backtest run (the order of events is in `vixshield.backtest.engine`).

`run_backtest(policy, market, ...)` (what `vixshield.backtest.Backtest.run` calls) owns a
`RunState`, walks the trading days, calls the settlement,
marking and order modules and the strategy's ``decide``, checks the P&L attribution
invariant every day, and builds the `BacktestResult` once at the end.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from vixshield._typing import BoolArray
from vixshield.backtest.frame import (
    DAILY_ROW_COLUMNS,
    TRADE_COLUMNS,
    cycles_frame,
    daily_frame,
    options_provenance,
)
from vixshield.backtest.marking import ShockDemands, mark_all
from vixshield.backtest.metrics import compute_metrics
from vixshield.backtest.orders import close_position, open_position, reduce_for_margin
from vixshield.backtest.portfolio import Ledger, OpenPosition
from vixshield.backtest.result import BacktestResult
from vixshield.backtest.settlement import settle
from vixshield.backtest.shock import Shock
from vixshield.backtest.spec import PolicyLike
from vixshield.backtest.state import RunState
from vixshield.errors import UserError
from vixshield.markets.cache import MarketCache
from vixshield.markets.costs import CostModel
from vixshield.markets.inputs import stand_in_rows, vx_stand_in_days
from vixshield.markets.types import MarketView
from vixshield.markets.view import Markets
from vixshield.strategy import Policy, compute_indicators, decide
from vixshield.strategy.indicators import indicator_policy_key
from vixshield.strategy.marks import marks_from_legs
from vixshield.strategy.memo import MarketMemo
from vixshield.strategy.types import AccountState, DecideFn, Decision, Position, PositionMark

__all__ = ["DayCloses", "day_closes", "run_backtest"]

_DAYS_PER_YEAR_MM = 360.0  # ACT/360 money-market day count for T-bill interest


_INDICATORS: MarketMemo[pd.DataFrame] = MarketMemo(4, "indicators")
"""The default indicator frames of the last runs per `Markets` object (a sweep's variants
mostly share one: it reads only the policy's `indicator_policy_key`)."""


def _default_strategy(
    policy: PolicyLike, market: MarketView, start: pd.Timestamp
) -> tuple[DecideFn[Any], pd.DataFrame]:
    """`vixshield.strategy.decide` and the run's precomputed indicators (warm-up before start).

    The GARCH fits are kept in the market's own cache folder (`MarketCache.folder`); a
    market without a cache (``load_data(cache=False)``, ``$VIXSHIELD_MARKET_CACHE=off``, a
    test's fake) fits them in process only. On a `Markets` object the frame is kept for
    the next runs (`_INDICATORS`), keyed by everything `compute_indicators` reads besides
    the market's data: the start, the cache folder and the policy's part of it
    (`indicator_policy_key`); each run gets its own copy.
    """
    if not isinstance(policy, Policy):
        raise UserError("the default strategy needs a vixshield.strategy.Policy (load_policy)")
    cache = getattr(market, "cache", None)
    folder: Path | bool = cache.folder if isinstance(cache, MarketCache) else False
    if not isinstance(market, Markets):
        return decide, compute_indicators(market.data, policy, start=start, cache=folder)
    key = (pd.Timestamp(start).value, str(folder), indicator_policy_key(policy))
    frame = _INDICATORS.get(market, key)
    if frame is None:
        frame = compute_indicators(market.data, policy, start=start, cache=folder)
        _INDICATORS.put(market, key, frame)
    return decide, frame.copy()


def _attribute_hedge_cost(run: RunState) -> None:
    """Split the day's hedge cost over the condor cycles live that day, by credit.

    The day's hedge cost is minus the hedge layers' P&L (premium consumed: spread
    and decay; negative when the hedges gained). It goes to the condors open at the
    close or closed that day, pro rata to their credit; with none, it is carried to
    the next condor opened.
    """
    cost = -sum(v for k, v in run.ledger.today.items() if k.startswith("pnl_hedge"))
    if cost == 0.0:
        return
    live: list[tuple[object, float]] = [
        (p, p.credit) for p in run.ledger.positions.values() if p.position.kind == "condor"
    ]
    live += [(row, credit) for row, credit in run.finished_today]
    if not live:
        run.pending_hedge_cost += cost
        return
    w = np.array([max(c, 0.0) for _, c in live])
    total = w.sum()
    shares: list[float] = (w / total).tolist() if total > 0 else [1.0 / len(live)] * len(live)
    for (target, _), share in zip(live, shares, strict=True):
        if isinstance(target, OpenPosition):
            target.hedge_cost += cost * share
        else:
            row = target  # a cycle closed today
            assert isinstance(row, dict)
            row["hedge_cost"] = float(row["hedge_cost"]) + cost * share


def _marks(run: RunState, t: pd.Timestamp, held: tuple[Position, ...]) -> dict[str, PositionMark]:
    """The held positions' marks from the quotes the book was marked with (cached today)."""
    if not held:
        return {}
    book = run.book()
    q = run.quote_book(t, book)
    return marks_from_legs(
        t,
        held,
        q.mid,
        q.delta,
        q.vega,
        q.theta,
        q.bid,
        q.ask,
        first_expiry_days=book.first_expiry_days,
        ratios=book.ratios,
    )


def _check_day(t: pd.Timestamp, now: float, before: float, today: dict[str, float]) -> None:
    """Invariant: the day's P&L components sum to its change in equity (else a bug)."""
    gap = sum(today.values()) - (now - before)
    if abs(gap) > 1e-6 * max(1.0, abs(now)):
        raise AssertionError(f"P&L attribution off by {gap:.6g} dollars on {t.date()}")


class DayCloses(NamedTuple):
    """Which rows of a daily frame the engine can simulate (`day_closes`)."""

    spx: BoolArray  # per row: an SPX close
    vix: BoolArray  # per row: a VIX close
    needs_vix: BoolArray  # per row: on or after the first VIX close
    first_vix: pd.Timestamp | None  # the first VIX close (None: the data has none)

    @property
    def simulated(self) -> BoolArray:
        """Rows with an SPX close and, from the first VIX close on, a VIX close."""
        ok: BoolArray = self.spx & (self.vix | ~self.needs_vix)
        return ok


def day_closes(daily: pd.DataFrame) -> DayCloses:
    """The SPX and VIX closes of ``daily`` as the engine reads them (`_days`)."""
    idx = daily.index
    spx_ok = daily["spx_close"].notna().to_numpy()
    vix_ok = daily["vix"].notna().to_numpy() if "vix" in daily else np.zeros(len(idx), bool)
    with_vix = idx[vix_ok]
    first_vix = pd.Timestamp(with_vix[0]) if len(with_vix) else None
    needs_vix = idx >= first_vix if first_vix is not None else np.zeros(len(idx), bool)
    return DayCloses(spx_ok, vix_ok, np.asarray(needs_vix, dtype=bool), first_vix)


def _days(
    daily: pd.DataFrame,
    start: pd.Timestamp | str | None,
    end: pd.Timestamp | str | None,
    run: RunState,
) -> tuple[pd.DatetimeIndex, np.ndarray]:
    """The simulated days (in the window, with an SPX close and, from the first VIX close
    on, a VIX close) and their selection mask.

    The default window runs from the first VIX close to the last day with both closes
    (the data's last day, `vixshield.api.Data.last_day`, where `signal` stops too).
    Before the first VIX close the markets stand in for it (`vixshield.markets.inputs`,
    tagged modeled); after it a day without its VIX close is not simulated, like a day
    without its SPX close, and the run's warnings say how many and from when: the run
    does not trade on a stand-in where the real index should be.
    """
    idx = daily.index
    closes = day_closes(daily)
    spx_ok, vix_ok, needs_vix, first_vix = closes
    both = closes.simulated
    default_lo = first_vix if first_vix is not None else idx[0]
    lo = pd.Timestamp(start) if start is not None else default_lo
    with_both = idx[both]
    default_hi = with_both[-1] if len(with_both) else idx[-1]
    hi = pd.Timestamp(end) if end is not None else default_hi
    window = (idx >= lo) & (idx <= hi)
    sel = window & both
    days = pd.DatetimeIndex(idx[sel])
    if len(days) == 0:
        vix = f" (and a VIX close, from {first_vix:%Y-%m-%d})" if first_vix is not None else ""
        raise UserError(
            f"no trading days with an SPX close{vix} in the data between {lo.date()} and "
            f"{hi.date()}"
        )
    no_spx = idx[window & ~spx_ok]
    if len(no_spx):
        run.warn(
            f"{len(no_spx)} trading day(s) without an SPX close not simulated",
            pd.Timestamp(no_spx[0]),
        )
    no_vix = idx[window & spx_ok & needs_vix & ~vix_ok]
    if len(no_vix):
        run.warn(
            f"{len(no_vix)} trading day(s) with an SPX close but no VIX close not simulated "
            f"(the VIX closes start {first_vix:%Y-%m-%d}; last {no_vix[-1]:%Y-%m-%d})",
            pd.Timestamp(no_vix[0]),
        )
    return days, np.asarray(sel, dtype=bool)


def run_backtest(
    policy: PolicyLike,
    market: MarketView,
    *,
    start: pd.Timestamp | str | None = None,
    end: pd.Timestamp | str | None = None,
    capital: float | None = None,
    decide: DecideFn[Any] | None = None,
    indicators: pd.DataFrame | None = None,
    shock: Shock | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> BacktestResult:
    """Simulate day by day and return the result (parameters as `Backtest`)."""
    shock = shock if shock is not None else Shock()
    costs = CostModel(
        float(policy.costs.commission_per_contract),
        float(policy.costs.fees_per_contract),
        float(policy.costs.spread_share),
    )
    cash_yield = bool(policy.account.cash_yield)
    capital = float(capital if capital is not None else policy.account.capital)
    if not np.isfinite(capital) or capital <= 0:
        raise UserError(f"capital must be a positive number of dollars, got {capital}")
    run = RunState(market=market, costs=costs, shock=shock, ledger=Ledger(cash=capital))
    data = market.data
    daily = data.daily
    days, sel = _days(daily, start, end, run)

    if decide is None:
        decide, default_indicators = _default_strategy(policy, market, days[0])
        indicators = indicators if indicators is not None else default_indicators
    spx = daily["spx_close"].to_numpy(dtype=np.float64)[sel]
    vix = daily["vix"].to_numpy(dtype=np.float64)[sel]
    rate_all = daily["rate"].ffill().to_numpy(dtype=np.float64)[sel]
    if cash_yield and not np.isfinite(rate_all).any():
        run.warn("no T-bill rate in the data: idle cash earned nothing", days[0])
    rate = np.nan_to_num(rate_all, nan=0.0)

    rows: dict[str, list[object]] = {k: [] for k in DAILY_ROW_COLUMNS}
    comps: list[dict[str, float]] = []
    shocks = ShockDemands(shock)  # each day's margin + shock loss of its closing book
    state: object = None
    decision: Decision[Any] | None = None
    prev_idle = 0.0
    prev_equity = capital
    led = run.ledger
    n = len(days)
    # plain Python values, read once: indexing a DatetimeIndex or an array builds an object
    day_list: list[pd.Timestamp] = list(days)
    spx_l, vix_l, rate_l = spx.tolist(), vix.tolist(), rate.tolist()
    # calendar days since the previous simulated day, 0 for the first: ``(t - previous).days``
    # of every day at once (a TimedeltaIndex's ``days``, in the index's own time unit)
    gaps: list[int] = [0, *(days[1:] - days[:-1]).days.tolist()]
    for i in range(n):
        t = day_list[i]
        s_spx = spx_l[i] if math.isfinite(spx_l[i]) else 0.0
        s_vix = vix_l[i] if math.isfinite(vix_l[i]) else 0.0
        run.start_day(s_spx, s_vix)
        if i > 0 and cash_yield and prev_idle > 0:
            led.accrue(prev_idle * rate_l[i - 1] * gaps[i] / _DAYS_PER_YEAR_MM)
        settle(run, t, "AM", run.spot)
        mark_all(run, t)
        settle(run, t, "PM", run.spot)

        margin = led.margin(run.spot)
        equity = led.equity
        margin_call = equity < margin
        account = AccountState(equity=equity, cash=led.cash, margin=margin)
        held = led.open_positions()
        decision = decide(t, market, held, account, policy, state, indicators, _marks(run, t, held))
        state = decision.state
        for order in decision.orders:
            if order.action == "close":
                close_position(run, t, order.position_id, order.contracts, order.reason)
        if margin_call:
            run.warn("margin call: openings blocked, condors reduced", t)
            reduce_for_margin(run, t)
        else:
            opening = [o for o in decision.orders if o.action == "open"]
            if opening:  # one quote call per underlying for all the day's openings
                run.quote(t, [lg for o in opening if o.contracts > 0 for lg in o.legs])
            for order in opening:
                open_position(run, t, order)

        _attribute_hedge_cost(run)
        margin = led.margin(run.spot)
        equity = led.equity
        rows["equity"].append(equity)
        rows["cash"].append(led.cash)
        rows["positions_value"].append(led.positions_value)
        rows["margin"].append(margin)
        rows["regime"].append(decision.regime)
        rows["margin_call"].append(bool(margin_call))
        shocks.add(run, margin)
        rows["credit"].append(run.today_credit)
        rows["hedge_premium"].append(run.today_hedge)
        rows["n_positions"].append(len(led.positions))
        comps.append(dict(led.today))
        _check_day(t, equity, prev_equity, comps[-1])
        prev_equity = equity
        prev_idle = max(led.cash - margin, 0.0)
        if progress is not None:
            progress(i + 1, n)

    rows["shock_demand"] = list(shocks.demands())
    stand_ins = stand_in_rows(daily.loc[days])
    if "vx" in data.provenance:  # a VX history the run's days partly lack (as the columns)
        vx_days = vx_stand_in_days(data.vx, days)
        if len(vx_days):
            stand_ins["vx"] = vx_days
    provenance = options_provenance(data.provenance, run.origins, stand_ins)
    for col, on in stand_ins.items():
        filled = provenance.get(f"{col}:modeled_fill")
        if filled is not None:  # a series the data has, with gaps in the window
            run.warn(f"{col}: {filled.note} (provenance {filled.series})", pd.Timestamp(on[0]))
    frame = daily_frame(days, rows, comps, led.components, capital, spx, vix, rate_all)
    cycles = cycles_frame(run.cycles)
    warnings = tuple(
        f"{msg} ({cnt}x, first {first.date()})" for msg, (cnt, first) in run.warnings.items()
    ) + tuple(data.warnings)
    sh = shock
    settings: dict[str, object] = {
        "capital": capital,
        "cash_yield": cash_yield,
        "interest_day_count": "ACT/360",
        "commission_per_contract": costs.commission_per_contract,
        "fees_per_contract": costs.fees_per_contract,
        "spread_share": costs.spread_share,
        "hedge_budget_basis": str(policy.hedge.budget_basis),
        "margin": "Reg-T (defined risk: max loss at expiry; uncovered calls: +20% of spot)",
        "shock": {"spx_move": sh.spx_move, "vix_factor": sh.vix_factor, "vx_beta": sh.vx_beta},
    }
    return BacktestResult(
        policy_name=str(policy.name),
        start=pd.Timestamp(days[0]),
        end=pd.Timestamp(days[-1]),
        capital=capital,
        daily=frame,
        trades=pd.DataFrame(run.trades, columns=TRADE_COLUMNS),
        cycles=cycles,
        metrics=compute_metrics(frame, cycles, data.events, capital),
        provenance=provenance,
        last_decision=decision,
        open_positions=led.open_positions(),
        warnings=warnings,
        settings=settings,
    )
