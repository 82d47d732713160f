"""One SPX expiry's puts and calls as aligned arrays, and the vol that sets its scale.

`SideQuotes` holds an expiry's quotes on a common strike grid (index points per unit,
time ACT/365, theta per calendar day, vega per vol point), built from a chain frame or
from a market's vectorised quotes; `sd_vol` is one standard deviation of the expiry's
move from its Cboe variance. The small chain-frame helpers (`float_col`, `nan_median`,
`chain_mask`, and `day_number` from `vixshield._daynumber`) are shared with the hedge
choice.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from vixshield._daynumber import NS_PER_DAY, day_number
from vixshield._typing import BoolArray, FloatArray
from vixshield.markets.types import Expiry, MarketView, OptionChain
from vixshield.markets.vix_formula import expiry_moments

__all__ = [
    "NS_PER_DAY",
    "SdVol",
    "SideQuotes",
    "chain_mask",
    "day_number",
    "float_col",
    "nan_median",
    "sd_vol",
]


def float_col(frame: pd.DataFrame, name: str) -> FloatArray:
    """A column as float64 numpy (no copy when it already is)."""
    return np.asarray(frame[name].to_numpy(), dtype=np.float64)


def nan_median(x: FloatArray) -> float:
    """``np.nanmedian(x)``, without sorting when ``x`` is one finite value repeated.

    The forwards and times of one expiry are one value repeated; the median of a
    constant array is that value exactly (the mean of two equal middles is exact).
    """
    if x.size and np.isfinite(x[0]) and bool((x == x[0]).all()):
        return float(x[0])
    return float(np.nanmedian(x))


def chain_mask(frame: pd.DataFrame, expiry: pd.Timestamp, root: str) -> BoolArray:
    """Rows of a chain frame with this expiry date and root."""
    col = frame["expiry"].to_numpy()
    if col.dtype.kind == "M":
        day = np.datetime64(pd.Timestamp(expiry).normalize().to_datetime64()).astype(col.dtype)
        same = col == day
    else:
        same = np.asarray(pd.to_datetime(col) == pd.Timestamp(expiry).normalize(), dtype=bool)
    return np.asarray(same & (frame["root"].to_numpy() == root), dtype=bool)


@dataclass(frozen=True)
class SideQuotes:
    """One expiry's puts and calls on a common strike grid (ascending)."""

    strikes: FloatArray
    put_mid: FloatArray
    call_mid: FloatArray
    put_bid: FloatArray
    put_ask: FloatArray
    call_bid: FloatArray
    call_ask: FloatArray
    put_iv: FloatArray
    call_iv: FloatArray
    put_greeks: dict[str, FloatArray]
    call_greeks: dict[str, FloatArray]
    forward: float
    t_years: float
    rate: float

    @classmethod
    def from_chain(cls, chain: OptionChain, expiry: Expiry) -> SideQuotes:
        """Split one expiry (and root) of a chain into aligned put/call arrays.

        Strikes quoted on one side only are dropped.
        """
        q = chain.quotes
        sel = chain_mask(q, expiry.date, expiry.root)
        is_put = q["right"].to_numpy() == "P"
        k_all = float_col(q, "strike")
        pi = np.flatnonzero(sel & is_put)
        ci = np.flatnonzero(sel & ~is_put)
        pi = pi[np.argsort(k_all[pi], kind="stable")]
        ci = ci[np.argsort(k_all[ci], kind="stable")]
        k, pj, cj = np.intersect1d(k_all[pi], k_all[ci], return_indices=True)
        pi, ci = pi[pj], ci[cj]
        num = {
            c: q[c].to_numpy(dtype=np.float64)
            for c in (
                "bid",
                "ask",
                "mid",
                "iv",
                "delta",
                "gamma",
                "vega",
                "theta",
                "forward",
                "t_years",
            )
        }
        greeks = ("delta", "gamma", "vega", "theta")
        fwd = nan_median(num["forward"][ci]) if len(k) else math.nan
        t = nan_median(num["t_years"][ci]) if len(k) else expiry.t_years
        return cls(
            strikes=np.asarray(k, dtype=np.float64),
            put_mid=num["mid"][pi],
            call_mid=num["mid"][ci],
            put_bid=num["bid"][pi],
            put_ask=num["ask"][pi],
            call_bid=num["bid"][ci],
            call_ask=num["ask"][ci],
            put_iv=num["iv"][pi],
            call_iv=num["iv"][ci],
            put_greeks={g: num[g][pi] for g in greeks},
            call_greeks={g: num[g][ci] for g in greeks},
            forward=fwd,
            t_years=t,
            rate=float(chain.rate),
        )

    @classmethod
    def from_market(cls, market: MarketView, date: pd.Timestamp, expiry: Expiry) -> SideQuotes:
        """The same arrays from ``market.strikes`` plus one vectorised ``market.quote``
        of every listed put and call (no chain frame is built).

        The rate is not in a `QuoteBlock`; it is implied from put-call parity,
        ``C - P = D (F - K)``, by least squares over the strikes:
        ``D = sum((C - P)(F - K)) / sum((F - K)^2)``, ``rate = -ln(D) / T``
        (continuous, per year). Exact for a model's mids; averages out quote noise.
        """
        k = np.sort(np.asarray(market.strikes(date, "SPX", expiry.date), dtype=np.float64))
        n = len(k)
        qb = market.quote(
            date, "SPX", [expiry.date] * (2 * n), np.concatenate((k, k)), ["P"] * n + ["C"] * n
        )
        pi, ci = slice(0, n), slice(n, 2 * n)
        fwd = nan_median(qb.forward[ci]) if n else math.nan
        t = nan_median(qb.t_years[ci]) if n else expiry.t_years
        gap = fwd - k
        diff = qb.mid[ci] - qb.mid[pi]
        ok = np.isfinite(diff) & np.isfinite(gap)
        den = float(np.sum(gap[ok] ** 2))
        disc = float(np.sum(diff[ok] * gap[ok])) / den if den > 0 else math.nan
        rate = -math.log(disc) / t if disc > 0 and t > 0 else 0.0
        greeks = {"delta": qb.delta, "gamma": qb.gamma, "vega": qb.vega, "theta": qb.theta}
        return cls(
            strikes=k,
            put_mid=qb.mid[pi],
            call_mid=qb.mid[ci],
            put_bid=qb.bid[pi],
            put_ask=qb.ask[pi],
            call_bid=qb.bid[ci],
            call_ask=qb.ask[ci],
            put_iv=qb.iv[pi],
            call_iv=qb.iv[ci],
            put_greeks={g: v[pi] for g, v in greeks.items()},
            call_greeks={g: v[ci] for g, v in greeks.items()},
            forward=fwd,
            t_years=t,
            rate=rate,
        )

    def atm_iv(self) -> float:
        """Mean of put and call implied vol at the strike nearest the forward.

        ``np.nanmean`` of the two, term for term: its sum ``p + (0 + c)`` (a NaN
        counting 0) over the count of numbers; NumPy itself where both are NaN.
        """
        i = int(np.argmin(np.abs(self.strikes - self.forward)))
        p, c = float(self.put_iv[i]), float(self.call_iv[i])
        if p == p and c == c:
            return (p + (0.0 + c)) / 2.0
        if p == p:
            return p + (0.0 + 0.0)
        if c == c:
            return 0.0 + (0.0 + c)
        return float(np.nanmean([p, c]))  # NumPy's NaN, and its warning


@dataclass(frozen=True)
class SdVol:
    """The volatility that sets one standard deviation of an expiry's move.

    ``vol`` is annualised (decimal), ``sd`` the move in index points,
    ``F vol sqrt(T)``; ``source`` names where ``vol`` came from (for the audit).
    """

    vol: float
    sd: float
    source: str


def sd_vol(q: SideQuotes, expiry: str) -> SdVol:
    """One standard deviation of the expiry's move from its Cboe variance.

    Reads the expiry's strikes, bids and asks, time and rate; decides nothing.

    Notes
    -----
    ``vol = sqrt(sigma^2)`` with ``sigma^2`` the VIX formula's variance of this
    one expiry (`vixshield.markets.vix_formula.expiry_moments`: out-of-the-money
    mids, two-zero-bid cut-off), and ``sd = F vol sqrt(T)``. On a chain whose
    formula reproduces VIX this is the VIX-consistent vol at the expiry's own
    tenor; it includes the smile's wings, so it sits above the ATM implied vol.
    NaN (with the source saying so) where the formula finds no variance.

    References
    ----------
    Cboe (2019). The CBOE Volatility Index - VIX. White paper, step 1.
    """
    m = expiry_moments(q.strikes, q.call_bid, q.call_ask, q.put_bid, q.put_ask, q.t_years, q.rate)
    if not (math.isfinite(m.variance) and m.variance > 0.0):
        return SdVol(math.nan, math.nan, f"cboe variance of {expiry} not finite")
    vol = math.sqrt(m.variance)
    return SdVol(vol, q.forward * vol * math.sqrt(q.t_years), f"cboe variance of {expiry}")
