"""Generated one-day chains for the parity scanner tests (and a check of the generator).

Calls are Black-Scholes-Merton prices (Hull, 10th ed., eq. 15.20, written out here with
`math.erf`, not the package's pricer); puts come from put-call parity
``P = C - D (F - K)`` with ``D = exp(-r t)``, ``F = S exp((r - q) t)``; every quote is
``mid -/+ half spread`` with a half spread of 0.05 + 1 % of the mid (index points).
Quote dates and PM expiries are chosen with no daylight-saving change between them,
so ``t = calendar days / 365`` exactly (16:00 ET to 16:00 ET).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["Planted", "half_spread", "make_chain"]


def half_spread(mid: float) -> float:
    """Half the bid-ask spread of a generated quote, index points."""
    return 0.05 + 0.01 * mid


def _n(x: float) -> float:
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


def _bsm_call(s: float, k: float, t: float, r: float, q: float, vol: float) -> float:
    d1 = (math.log(s / k) + (r - q + 0.5 * vol * vol) * t) / (vol * math.sqrt(t))
    d2 = d1 - vol * math.sqrt(t)
    return s * math.exp(-q * t) * _n(d1) - k * math.exp(-r * t) * _n(d2)


@dataclass(frozen=True)
class Planted:
    """A quote moved off parity: ``right`` at ``strike`` of ``expiry``, bid and ask + ``shift``."""

    expiry: str
    strike: float
    right: str
    shift: float


def make_chain(
    as_of: str = "2024-06-03",
    spot: float = 5000.0,
    rate: float = 0.05,
    q: float = 0.015,
    expiries: tuple[str, ...] = ("2024-07-03", "2024-08-02"),
    strikes: np.ndarray | None = None,
    underlying: str = "SPX",
    root: str = "SPXW",
    vol: float = 0.2,
    planted: tuple[Planted, ...] = (),
    sizes: bool = False,
) -> pd.DataFrame:
    """One day's chain in long form (`CHAIN_FRAME_COLUMNS`, plus sizes when asked)."""
    k_all = np.arange(4600.0, 5401.0, 25.0) if strikes is None else strikes
    day = pd.Timestamp(as_of)
    rows = []
    for e in expiries:
        t = (pd.Timestamp(e) - day).days / 365.0
        d = math.exp(-rate * t)
        f = spot * math.exp((rate - q) * t)
        for k in k_all:
            c = _bsm_call(spot, float(k), t, rate, q, vol)
            p = c - d * (f - float(k))
            for right, mid in (("C", c), ("P", p)):
                hs = half_spread(mid)
                shift = sum(
                    x.shift for x in planted if (x.expiry, x.strike, x.right) == (e, k, right)
                )
                row = {
                    "quote_date": day, "underlying": underlying, "root": root,
                    "expiry": pd.Timestamp(e), "settlement": "PM", "strike": float(k),
                    "right": right, "bid": mid - hs + shift, "ask": mid + hs + shift, "iv": vol,
                }  # fmt: skip
                if sizes:
                    row["bid_size"] = 10.0 + k % 7
                    row["ask_size"] = 20.0 + k % 5
                rows.append(row)
    return pd.DataFrame(rows)


def test_generated_chain_satisfies_parity_at_every_strike() -> None:
    chain = make_chain()
    t = 30 / 365.0
    d, f = math.exp(-0.05 * t), 5000.0 * math.exp(0.035 * t)
    g = chain[chain["expiry"] == pd.Timestamp("2024-07-03")]
    mid = 0.5 * (g["bid"] + g["ask"])
    c = mid[g["right"] == "C"].to_numpy()
    p = mid[g["right"] == "P"].to_numpy()
    k = g.loc[g["right"] == "C", "strike"].to_numpy()
    np.testing.assert_allclose(c - p, d * (f - k), atol=1e-9)
    assert (g["bid"] > 0).all()
