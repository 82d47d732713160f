"""A small fake MarketView and synthetic MarketData for strategy tests.

SPX options: BSM with q = 0 on the day's close, vol ``vol + skew * ln(K/F)``
(floored at 5%), monthly expiries on third Fridays (root SPX, AM) and optional
weekly Fridays (SPXW, PM), strikes every 5 points from 0.5F to 1.5F, a fixed
spread ``spread`` (points) around the model price. VIX options: Black-76 at
``vix_vol`` on a contango curve ``F(dte) = VIX + contango * sqrt(dte / 30)``,
monthly expiries 30 days before the next month's third Friday, strikes 1..100.
t_years = calendar days / 365 (settlement time ignored). Counts chain calls.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from vixshield.data.market import DAILY_COLUMNS, MarketData
from vixshield.markets.types import CHAIN_COLUMNS, Expiry, OptionChain, QuoteBlock
from vixshield.pricing import black76_greeks, black76_price, bsm_greeks, bsm_price
from vixshield.strategy.hedge import HedgeContext, HedgeMemory, LayerPlan, plan_hedges
from vixshield.strategy.marks import PositionMark
from vixshield.strategy.policy import Policy
from vixshield.strategy.types import Position


@functools.cache
def third_friday(year: int, month: int) -> pd.Timestamp:
    first = pd.Timestamp(year=year, month=month, day=1)
    return first + pd.Timedelta(days=(4 - first.weekday()) % 7 + 14)


def synthetic_data(
    n: int = 320,
    start: str = "2021-01-04",
    seed: int = 7,
    vix_level: float = 17.0,
    with_breadth: bool = True,
    with_vvix: bool = True,
) -> MarketData:
    """Business-day synthetic daily data with FOMC and CPI events."""
    rng = np.random.default_rng(seed)
    idx = pd.bdate_range(start, periods=n, name="date")
    ret = rng.normal(0.0003, 0.01, n)
    spx = 4000.0 * np.exp(np.cumsum(ret))
    vix = np.clip(vix_level + np.cumsum(rng.normal(0, 0.6, n)) * 0.3, 9.0, 80.0)
    df = pd.DataFrame(index=idx, columns=list(DAILY_COLUMNS), dtype=np.float64)
    df["spx_close"] = spx
    df["spx_open"] = spx * (1 - ret / 2)
    df["spx_high"] = spx * 1.005
    df["spx_low"] = spx * 0.995
    df["vix"] = vix
    df["vix_open"] = vix
    df["vix9d"] = vix * 0.95
    df["vix3m"] = vix * 1.08
    df["vix6m"] = vix * 1.12
    if with_vvix:
        df["vvix"] = 90.0 + rng.normal(0, 5, n)
    df["skew"] = 130.0 + rng.normal(0, 3, n)
    df["rate"] = 0.04
    if with_breadth:
        df["advances"] = rng.integers(1000, 2000, n).astype(np.float64)
        df["declines"] = rng.integers(1000, 2000, n).astype(np.float64)
    fomc = idx[30::30]
    cpi = idx[12::21]
    events = pd.DataFrame(
        {
            "date": list(fomc) + list(cpi),
            "kind": ["FOMC"] * len(fomc) + ["CPI"] * len(cpi),
            "label": [f"e{i}" for i in range(len(fomc) + len(cpi))],
            "value": np.nan,
        }
    ).sort_values("date", ignore_index=True)
    vx = pd.DataFrame({"date": pd.to_datetime([]), "expiry": pd.to_datetime([]), "settle": []})
    return MarketData(daily=df, vx=vx, events=events)


class FakeMarket:
    """Deterministic MarketView double (see module docstring)."""

    def __init__(
        self,
        data: MarketData,
        vol: float | None = None,
        skew: float = 0.0,
        spread: float = 0.10,
        weeklies: bool = False,
        vix_vol: float = 0.8,
        contango: float = 1.5,
    ) -> None:
        self._data = data
        self.vol = vol
        self.skew = skew
        self.spread = spread
        self.weeklies = weeklies
        self.vix_vol = vix_vol
        self.contango = contango
        self.chain_calls = 0
        self.quote_calls = 0

    @property
    def data(self) -> MarketData:
        return self._data

    def _spot(self, date: pd.Timestamp) -> tuple[float, float, float]:
        row = self._data.daily.loc[date]
        vol = self.vol if self.vol is not None else float(row["vix"]) / 100.0
        return float(row["spx_close"]), float(row["rate"]), vol

    def spx_vol(self, k: np.ndarray, f: np.ndarray | float, base: float) -> np.ndarray:
        return np.maximum(base + self.skew * np.log(np.asarray(k) / f), 0.05)

    def expiries(self, date: pd.Timestamp, underlying: str) -> list[Expiry]:
        date = pd.Timestamp(date)
        out: list[Expiry] = []
        for m in range(0, 13):
            y, mo = date.year + (date.month - 1 + m) // 12, (date.month - 1 + m) % 12 + 1
            tf = third_friday(y, mo)
            if underlying == "SPX":
                e = tf
                root, st = "SPX", "AM"
            else:
                y2, mo2 = y + mo // 12, mo % 12 + 1
                e = third_friday(y2, mo2) - pd.Timedelta(days=30)
                root, st = "VIX", "AM"
            if e > date:
                out.append(Expiry(e, root, st, (e - date).days / 365.0))  # type: ignore[arg-type]
        if underlying == "SPX" and self.weeklies:
            fri = date + pd.Timedelta(days=(4 - date.weekday()) % 7 or 7)
            while (fri - date).days <= 70:
                out.append(Expiry(fri, "SPXW", "PM", (fri - date).days / 365.0))
                fri += pd.Timedelta(days=7)
        return sorted(out, key=lambda e: (e.date, e.root))

    def vx_curve(self, date: pd.Timestamp) -> pd.DataFrame:
        vix = float(self._data.daily.loc[date, "vix"])
        exps = self.expiries(date, "VIX")
        dte = np.array([(e.date - date).days for e in exps], dtype=np.float64)
        return pd.DataFrame(
            {
                "expiry": [e.date for e in exps],
                "value": vix + self.contango * np.sqrt(dte / 30.0),
                "dte": dte,
                "origin": "modeled",
            }
        )

    def _price(
        self,
        date: pd.Timestamp,
        underlying: str,
        expiry: Sequence[pd.Timestamp],
        strike: np.ndarray,
        right: Sequence[str],
    ) -> dict[str, np.ndarray]:
        date = pd.Timestamp(date)
        k = np.asarray(strike, dtype=np.float64)
        t = np.array([(pd.Timestamp(e) - date).days / 365.0 for e in expiry])
        call = np.array([r == "C" for r in right])
        s, r, base = self._spot(date)
        if underlying == "SPX":
            f = s * np.exp(r * t)
            iv = self.spx_vol(k, f, base)
            mid = bsm_price(s, k, t, r, 0.0, iv, call)
            g = bsm_greeks(s, k, t, r, 0.0, iv, call)
        else:
            vix = float(self._data.daily.loc[date, "vix"])
            f = vix + self.contango * np.sqrt(t * 365.0 / 30.0)
            iv = np.full_like(k, self.vix_vol)
            mid = black76_price(f, k, t, r, iv, call)
            g = black76_greeks(f, k, t, r, iv, call)
        h = self.spread / 2.0
        return {
            "bid": np.maximum(mid - h, 0.0),
            "ask": mid + h,
            "mid": mid,
            "iv": iv,
            "delta": g["delta"],
            "gamma": g["gamma"],
            "vega": g["vega"],
            "theta": g["theta"],
            "forward": np.broadcast_to(f, k.shape).astype(np.float64),
            "t_years": t,
        }

    def chain(
        self, date: pd.Timestamp, underlying: str, expiry: pd.Timestamp | None = None
    ) -> OptionChain:
        self.chain_calls += 1
        date = pd.Timestamp(date)
        s, r, _ = self._spot(date)
        exps = [e for e in self.expiries(date, underlying) if expiry is None or e.date == expiry]
        frames = []
        for e in exps:
            if underlying == "SPX":
                f = s * np.exp(r * e.t_years)
                grid = np.arange(5.0 * np.floor(0.5 * f / 5), 1.5 * f, 5.0)
            else:
                grid = np.arange(1.0, 101.0, 1.0)
            n = len(grid)
            k = np.r_[grid, grid]
            right = ["C"] * n + ["P"] * n
            p = self._price(date, underlying, [e.date] * (2 * n), k, right)
            df = pd.DataFrame(
                {
                    "expiry": e.date,
                    "root": e.root,
                    "settlement": e.settlement,
                    "strike": k,
                    "right": right,
                    **p,
                    "origin": "modeled",
                }
            )
            frames.append(df[list(CHAIN_COLUMNS)])
        quotes = (
            pd.concat(frames, ignore_index=True)
            if frames
            else pd.DataFrame(columns=list(CHAIN_COLUMNS))
        )
        return OptionChain(underlying, date, s, r, quotes, "modeled")  # type: ignore[arg-type]

    def quote(
        self,
        date: pd.Timestamp,
        underlying: str,
        expiry: Sequence[pd.Timestamp],
        strike: np.ndarray,
        right: Sequence[str],
    ) -> QuoteBlock:
        self.quote_calls += 1
        p = self._price(date, underlying, expiry, np.asarray(strike), right)
        return QuoteBlock(**p, origin="modeled")

    def settlement_value(self, underlying: str, expiry: pd.Timestamp, root: str) -> float:
        return float("nan")


class ListedMarket(FakeMarket):
    """The fake market with ``strikes`` (the markets layer's strike list): the
    strategy then quotes listed strikes instead of building chains."""

    def strikes(self, date: pd.Timestamp, underlying: str, expiry: pd.Timestamp) -> np.ndarray:
        q = FakeMarket.chain(self, date, underlying, expiry).quotes
        k = np.unique(q["strike"].to_numpy(dtype=np.float64))
        k.setflags(write=False)  # as the MarketView contract requires
        return k


def hedge_mark(
    value: float,
    delta: float,
    vega: float,
    theta: float,
    dte: int,
    spread: float = 0.0,
    bid_value: float = float("nan"),
) -> PositionMark:
    """The mark of a one-leg long hedge: its leg quoted at mid ``value``, ``spread`` wide."""
    leg = ((value, value - spread / 2.0, value + spread / 2.0),)
    return PositionMark(value, delta, vega, theta, dte, spread, bid_value, leg)


def plan(
    market: object,
    policy: Policy,
    positions: Sequence[Position],
    marks: Mapping[str, PositionMark],
    equity: float = 1_000_000.0,
    multipliers: Mapping[str, float] | None = None,
    days_to_events: Mapping[str, float] | None = None,
    monetised: frozenset[str] = frozenset(),
    prepositioned: frozenset[str] = frozenset(),
    moved: Mapping[str, str] | None = None,
    smoothed: Mapping[str, float] | None = None,
    cap: float = float("inf"),
    date: pd.Timestamp | None = None,
) -> list[LayerPlan]:
    """`plan_hedges` from the loose arguments the hedge tests vary."""
    day = date if date is not None else pd.Timestamp(market.data.daily.index[100])  # type: ignore[attr-defined]
    ctx = HedgeContext(
        date=day,
        market=market,  # type: ignore[arg-type]
        positions=tuple(positions),
        marks=marks,
        equity=equity,
        multipliers=multipliers or {},
        days_to_events=days_to_events or {},
        costs=policy.costs.model(),
        cap=cap,
        condor_dte_target=policy.condor.dte_target,
    )
    memory = HedgeMemory(monetised, prepositioned, moved or {}, smoothed or {})
    return plan_hedges(ctx, policy.hedge, memory)
