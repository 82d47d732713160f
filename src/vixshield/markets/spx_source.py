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
    DayRuns,
    day_ts,
    expand_runs,
    kernel_args,
    live_block,
    quote_kernels,
    spx_settlement,
    t_years_days,
)
from vixshield.markets.frames import chain_frame, empty_chain
from vixshield.markets.inputs import DayInputs, MarketInputs
from vixshield.markets.listing import t_years_in_days
from vixshield.markets.smile import atm_total_variance
from vixshield.markets.spx_model import LISTED_SD, SpxCalibration, strike_grid, truncated_strikes
from vixshield.markets.types import Expiry, QuoteBlock

__all__ = ["ModeledSpx", "SettlementFn"]

SettlementFn = Callable[[Underlying, pd.Timestamp, str], tuple[float, Origin]]
"""``(underlying, expiry, root) -> (value, origin)``: `settlement.Settlements.value`."""


class ModeledSpx:
    """The modeled SPX market of one `MarketInputs`."""

    def __init__(self, inputs: MarketInputs, settle: SettlementFn) -> None:
        self._inputs = inputs
        self._settle = settle
        # the last calibration's kernel arrays (`_surface`)
        self._last: tuple[SpxCalibration, tuple[FloatArray, FloatArray, FloatArray]] | None = None

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

    def _surface(self, day: DayInputs) -> tuple[FloatArray, FloatArray, FloatArray]:
        """The date's smile as the kernels take it: node times, node variances, shape array.

        Built once per calibration (the last one asked for is held, so its identity
        is not reused); the kernels only read them.
        """
        cal = self._inputs.calibration(day.date)
        last = self._last
        if last is None or last[0] is not cal:
            p = cal.params
            arrays = (
                np.asarray(p.node_t, dtype=np.float64),
                np.asarray(p.node_theta, dtype=np.float64),
                p.shape.as_array(),
            )
            last = self._last = (cal, arrays)
        return last[1]

    def quote(self, day: DayInputs, runs: DayRuns, k: FloatArray, call: np.ndarray) -> QuoteBlock:
        """Quotes of options (expiry day numbers and their runs: `_days.expiry_runs`).

        Options at or past expiry are worth their intrinsic value against the
        settlement (AM: the SET or its stand-in; PM: the close), with zero greeks.
        Each run's settlement and time are found once.
        """
        node_t, node_theta, shape = self._surface(day)
        ed = runs.days
        n = ed.shape[0]
        dn = day.day_number
        times = [t_years_in_days(d - dn, spx_settlement(d)) for d in runs.run_days]
        if n and min(times) > 0.0 and k.shape == (n,) and call.shape == (n,):
            # every expiry live: every row priced, none at intrinsic value
            t = expand_runs(times, runs)
            kk, cc = np.array(k, dtype=np.float64), np.array(call, dtype=bool)
            o = quote_kernels().spx_quotes(
                day.spot, day.rate, day.q, day.vix, kk, t, cc, node_t, node_theta, shape
            )
            return live_block(o, t)
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
        kk, tt, cc = kernel_args(k, tl, call)
        o = quote_kernels().spx_quotes(
            day.spot, day.rate, day.q, day.vix, kk, tt, cc, node_t, node_theta, shape
        )
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
        """The listed strike grid of one expiry (`spx_model.spx_strikes`, on `_surface`)."""
        node_t, node_theta, shape = self._surface(day)  # held per calibration
        return truncated_strikes(
            day.spot, day.rate, day.q, expiry.t_years, node_t, node_theta, shape
        )
