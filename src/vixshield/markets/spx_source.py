"""Modeled SPX options: chains, single quotes and strike lists off the day's calibrated surface.

A modeled chain is priced for all its expiries in one compiled call (one numpy
array per column); quotes of specific options go through one compiled call on
day numbers without building pandas objects. Reference (numpy, checked in
``tests/markets/test_kernels.py`` and ``test_chain_table.py``): per expiry
`spx_model.expiry_quotes` and `pricing.bsm_greeks` at the model vol.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from vixshield._typing import FloatArray, Origin, Underlying
from vixshield.markets._days import (
    day_ts,
    kernel_args,
    quote_kernels,
    spx_settlement,
    t_years_days,
)
from vixshield.markets.frames import chain_frame, empty_chain
from vixshield.markets.inputs import DayInputs, MarketInputs
from vixshield.markets.smile import atm_total_variance
from vixshield.markets.spx_model import LISTED_SD, spx_strikes, strike_grid
from vixshield.markets.types import Expiry, QuoteBlock

__all__ = ["ModeledSpx", "SettlementFn"]

SettlementFn = Callable[[Underlying, pd.Timestamp, str], tuple[float, Origin]]
"""``(underlying, expiry, root) -> (value, origin)``: `settlement.Settlements.value`."""


class ModeledSpx:
    """The modeled SPX market of one `MarketInputs`."""

    def __init__(self, inputs: MarketInputs, settle: SettlementFn) -> None:
        self._inputs = inputs
        self._settle = settle

    def chain(self, day: DayInputs, exps: Sequence[Expiry]) -> pd.DataFrame:
        """The chain of ``exps``: every column over all expiries in one kernel call."""
        if not exps:
            return empty_chain()
        p = self._inputs.calibration(day.date).params
        k = strike_grid(day.spot)
        t = np.array([e.t_years for e in exps], dtype=np.float64)
        # forwards, discounts, model vols and listed ranges in numpy, as `expiry_quotes` has them
        fwd = day.spot * np.exp((day.rate - day.q) * t)
        disc = np.exp(-day.rate * t)
        iv = p.implied_vol(np.log(k / fwd[:, None]), t[:, None])
        listed = LISTED_SD * np.sqrt(atm_total_variance(t, p.node_t, p.node_theta))
        n_strikes, out = quote_kernels().spx_chain(
            k, day.spot, day.rate, day.q, day.vix, t, fwd, disc, iv, listed
        )
        return chain_frame(exps, n_strikes, out, "modeled")

    def quote(self, day: DayInputs, ed: np.ndarray, k: FloatArray, call: np.ndarray) -> QuoteBlock:
        """Quotes of options (expiry day numbers ``ed``, strikes ``k``, call flags).

        Options at or past expiry are worth their intrinsic value against the
        settlement (AM: the SET or its stand-in; PM: the close), with zero greeks.
        """
        cal = self._inputs.calibration(day.date)
        days = ed.tolist()
        if days and days.count(days[0]) == len(days):  # one expiry (a condor's rows): one look-up
            first = spx_settlement(days[0])
            settle = [first] * len(days)
            t = t_years_days(day.day_number, ed, first == "AM")
        else:
            settle = [spx_settlement(d) for d in days]
            t = t_years_days(day.day_number, ed, np.array([s == "AM" for s in settle], dtype=bool))
        live = t > 0
        tl = np.where(live, t, 1.0)
        p = cal.params
        kk, tt, cc = kernel_args(k, tl, call)
        o = quote_kernels().spx_quotes(
            day.spot, day.rate, day.q, day.vix, kk, tt, cc,
            np.asarray(p.node_t, dtype=np.float64), np.asarray(p.node_theta, dtype=np.float64),
            p.shape.as_array(),
        )  # fmt: skip
        fwd, iv, mid, bid, ask = o[0], o[1], o[2], o[3], o[4]
        g = {"delta": o[5], "gamma": o[6], "vega": o[7], "theta": o[8]}
        if not live.all():
            ref = np.array(
                [
                    self._settle("SPX", day_ts(int(e)), "SPX" if s == "AM" else "SPXW")[0]
                    for e, s in zip(ed, settle, strict=True)
                ]
            )
            ref = np.where(np.isfinite(ref), ref, day.spot)
            intr = np.maximum(np.where(call, ref - k, k - ref), 0.0)
            mid, bid, ask = (np.where(live, a, intr) for a in (mid, bid, ask))
            for key in ("delta", "gamma", "vega", "theta"):
                g[key] = np.where(live, g[key], 0.0)
            iv = np.where(live, iv, np.nan)
        return QuoteBlock(
            bid, ask, mid, iv, g["delta"], g["gamma"], g["vega"], g["theta"],
            np.where(live, fwd, day.spot), np.where(live, t, 0.0), "modeled",
        )  # fmt: skip

    def strikes(self, day: DayInputs, expiry: Expiry) -> FloatArray:
        """The listed strike grid of one expiry (see `spx_model.spx_strikes`)."""
        cal = self._inputs.calibration(day.date)
        return spx_strikes(cal.params, day.spot, day.rate, day.q, expiry.t_years)
