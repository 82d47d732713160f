"""Hand-built test doubles: a tiny market whose every quote is set by hand, a scripted strategy."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from vixshield.data.market import DAILY_COLUMNS, MarketData
from vixshield.markets import Markets
from vixshield.markets.types import OptionChain, QuoteBlock
from vixshield.strategy.types import AccountState, Decision, Leg, Order, Position

QuoteKey = tuple[pd.Timestamp, str, pd.Timestamp, float, str]


class CountingMarkets(Markets):
    """A `Markets` that counts its quote calls (still a `Markets`: it has memos)."""

    calls = 0

    def quote(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.calls += 1
        return super().quote(*args, **kwargs)


def ts(s: str) -> pd.Timestamp:
    return pd.Timestamp(s)


def make_data(
    days: Sequence[str],
    spx: float | Sequence[float] = 2000.0,
    vix: float | Sequence[float] = 15.0,
    rate: float = 0.0,
    events: pd.DataFrame | None = None,
) -> MarketData:
    idx = pd.DatetimeIndex([ts(d) for d in days], name="date")
    daily = pd.DataFrame(np.nan, index=idx, columns=list(DAILY_COLUMNS), dtype="float64")
    daily["spx_close"] = np.broadcast_to(np.asarray(spx, dtype=float), len(idx))
    daily["spx_open"] = daily["spx_close"]
    daily["vix"] = np.broadcast_to(np.asarray(vix, dtype=float), len(idx))
    daily["rate"] = rate
    vx = pd.DataFrame({"date": pd.DatetimeIndex([]), "expiry": pd.DatetimeIndex([]), "settle": []})
    if events is None:
        events = pd.DataFrame({"date": pd.DatetimeIndex([]), "kind": [], "label": [], "value": []})
    return MarketData(daily=daily, vx=vx, events=events)


@dataclass
class FakeMarket:
    """A MarketView with hand-set quotes: (date, underlying, expiry, strike, right) -> bid, ask."""

    market_data: MarketData
    quotes: dict[QuoteKey, tuple[float, float]] = field(default_factory=dict)
    settlements: dict[tuple[str, pd.Timestamp, str], float] = field(default_factory=dict)
    settlement_origins: dict[tuple[str, pd.Timestamp, str], str] = field(default_factory=dict)
    origin: str = "modeled"

    @property
    def data(self) -> MarketData:
        return self.market_data

    def set(
        self,
        date: str,
        underlying: str,
        expiry: str,
        strike: float,
        right: str,
        bid: float,
        ask: float,
    ) -> None:
        self.quotes[(ts(date), underlying, ts(expiry), float(strike), right)] = (bid, ask)

    def expiries(self, date: pd.Timestamp, underlying: str) -> list[object]:
        raise NotImplementedError

    def chain(self, date: pd.Timestamp, underlying: str, expiry: object = None) -> OptionChain:
        raise NotImplementedError

    def strikes(self, date: pd.Timestamp, underlying: str, expiry: pd.Timestamp) -> np.ndarray:
        """Strikes quoted by hand for that date, underlying and expiry (sorted)."""
        ks = {
            k[3]
            for k in self.quotes
            if k[0] == pd.Timestamp(date) and k[1] == underlying and k[2] == pd.Timestamp(expiry)
        }
        return np.array(sorted(ks), dtype=np.float64)

    def vx_curve(self, date: pd.Timestamp) -> pd.DataFrame:
        raise NotImplementedError

    def quote(
        self,
        date: pd.Timestamp,
        underlying: str,
        expiry: Sequence[pd.Timestamp],
        strike: object,
        right: Sequence[str],
    ) -> QuoteBlock:
        k = np.asarray(strike, dtype=float)
        n = len(k)
        bid, ask = np.full(n, np.nan), np.full(n, np.nan)
        for i in range(n):
            q = self.quotes.get(
                (pd.Timestamp(date), underlying, pd.Timestamp(expiry[i]), float(k[i]), right[i])
            )
            if q is not None:
                bid[i], ask[i] = q
        mid = (bid + ask) / 2
        t = np.array([(pd.Timestamp(e) - pd.Timestamp(date)).days / 365.0 for e in expiry])
        spot = float(
            self.market_data.daily.loc[
                pd.Timestamp(date), "spx_close" if underlying == "SPX" else "vix"
            ]
        )
        return QuoteBlock(
            bid=bid,
            ask=ask,
            mid=mid,
            iv=np.full(n, 0.2),
            delta=np.zeros(n),
            gamma=np.zeros(n),
            vega=np.zeros(n),
            theta=np.zeros(n),
            forward=np.full(n, spot),
            t_years=t,
            origin=self.origin,  # type: ignore[arg-type]
        )

    def settlement_value(self, underlying: str, expiry: pd.Timestamp, root: str) -> float:
        return self.settlements.get((underlying, pd.Timestamp(expiry), root), float("nan"))

    def settlement(self, underlying: str, expiry: pd.Timestamp, root: str) -> tuple[float, str]:
        value = self.settlement_value(underlying, expiry, root)
        return value, self.settlement_origins.get((underlying, pd.Timestamp(expiry), root), "real")


class CountingMarket(FakeMarket):
    """`FakeMarket` that records each quote request (underlying, number of options)."""

    calls: list[tuple[str, int]]

    def quote(
        self,
        date: pd.Timestamp,
        underlying: str,
        expiry: Sequence[pd.Timestamp],
        strike: object,
        right: Sequence[str],
    ) -> QuoteBlock:
        self.calls.append((underlying, len(expiry)))
        return super().quote(date, underlying, expiry, strike, right)


@dataclass(frozen=True)
class _Account:
    capital: float = 100_000.0
    cash_yield: bool = False


@dataclass(frozen=True)
class _Costs:
    commission_per_contract: float = 0.65
    fees_per_contract: float = 0.60
    spread_share: float = 0.25


@dataclass(frozen=True)
class _Hedge:
    budget_basis: str = "equity"


@dataclass(frozen=True)
class FakePolicy:
    name: str = "test"
    account: _Account = field(default_factory=_Account)
    costs: _Costs = field(default_factory=_Costs)
    hedge: _Hedge = field(default_factory=_Hedge)


def policy(
    capital: float = 100_000.0,
    cash_yield: bool = False,
    commission: float = 0.65,
    fees: float = 0.60,
    spread_share: float = 0.25,
) -> FakePolicy:
    return FakePolicy(
        account=_Account(capital, cash_yield), costs=_Costs(commission, fees, spread_share)
    )


OrderFn = Callable[[pd.Timestamp, tuple[Position, ...], AccountState], Sequence[Order]]


@dataclass
class Script:
    """A scripted strategy: ``orders(date, positions, account)`` gives the day's orders.

    Records every call (date, positions, account) for inspection.
    """

    orders: OrderFn
    calls: list[tuple[pd.Timestamp, tuple[Position, ...], AccountState]] = field(
        default_factory=list
    )

    def __call__(
        self,
        date: pd.Timestamp,
        market: object,
        positions: tuple[Position, ...],
        account: AccountState,
        policy: object,
        state: object = None,
        indicators: object = None,
        marks: object = None,
    ) -> Decision:
        self.calls.append((date, positions, account))
        return Decision(
            date=date,
            regime="normal",
            regime_inputs={},
            orders=tuple(self.orders(date, positions, account)),
            audit=(),
            state=(state or 0) + 1 if isinstance(state, int) or state is None else state,
        )


def at(schedule: Mapping[str, Sequence[Order]]) -> OrderFn:
    """Orders on fixed dates."""
    by = {ts(k): list(v) for k, v in schedule.items()}
    return lambda d, p, a: by.get(pd.Timestamp(d), [])


def condor_legs(
    expiry: str,
    kp_long: float,
    kp_short: float,
    kc_short: float,
    kc_long: float,
    root: str = "SPX",
    settlement: str = "AM",
) -> tuple[Leg, ...]:
    e = ts(expiry)
    return (
        Leg("SPX", root, e, settlement, kp_long, "P", 1),  # type: ignore[arg-type]
        Leg("SPX", root, e, settlement, kp_short, "P", -1),  # type: ignore[arg-type]
        Leg("SPX", root, e, settlement, kc_short, "C", -1),  # type: ignore[arg-type]
        Leg("SPX", root, e, settlement, kc_long, "C", 1),  # type: ignore[arg-type]
    )


def check_invariants(daily: pd.DataFrame, capital: float) -> None:
    """Equity = cash + marked value; P&L components sum to the change in equity, every day."""
    eq = daily["equity"].to_numpy()
    np.testing.assert_allclose(eq, daily["cash"] + daily["positions_value"], rtol=0, atol=1e-6)
    prev = np.concatenate(([capital], eq[:-1]))
    np.testing.assert_allclose(daily["pnl"], eq - prev, rtol=0, atol=1e-6)
    comps = [c for c in daily.columns if c.startswith("pnl_")]
    assert "pnl_condor" in comps and "pnl_interest" in comps and "pnl_costs" in comps
    np.testing.assert_allclose(daily[comps].sum(axis=1), eq - prev, rtol=0, atol=1e-6)
    assert (daily["pnl_costs"] <= 1e-12).all()
