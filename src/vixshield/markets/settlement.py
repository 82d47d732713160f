"""Final settlement values of SPX and VIX options, from the real record where the data has it.

=========================  =======================================  ====================
contract                   real value (origin ``real``)             stand-in (``modeled``)
=========================  =======================================  ====================
SPX monthly (root SPX, AM) ``spx_set``: the special opening         the SPX open of the
                           quotation (SET) on the expiry day, from  expiry day
                           an imported SET file
SPXW (PM), and SPX         the SPX close of the expiry day          --
monthlies before 1992
VIX options, VX futures    the VX final settlement on the expiry    the VIX open of the
                           day (the CFE file's settle on its last   expiry day, else the
                           trading day, which is the SOQ of VIX)    previous VIX close
=========================  =======================================  ====================

The SOQ is computed by Cboe from opening trades of the SPX options, so it
differs from the index open (SPX: a few points; VIX: 0.38 points on average and
up to 1.6 in 2004-2010, measured on the CFE files); the open is therefore a
stand-in, tagged ``modeled``. NaN (origin ``modeled``) where the expiry is not
in the data yet.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from vixshield._typing import Origin, Underlying
from vixshield.markets import listing
from vixshield.markets._days import expiry_day
from vixshield.markets.inputs import MarketInputs

__all__ = ["Settlements"]


class Settlements:
    """Settlement values of one `MarketData` (see the module notes)."""

    def __init__(self, inputs: MarketInputs) -> None:
        self._inputs = inputs
        self._vx_final: dict[int, float] | None = None

    def _finals(self) -> dict[int, float]:
        """VX final settlements by expiry day number: the settle quoted on the expiry day."""
        if self._vx_final is None:
            vx = self._inputs.data.vx
            finals: dict[int, float] = {}
            if len(vx):
                on_expiry = vx[vx["date"] == vx["expiry"]]
                for e, v in zip(on_expiry["expiry"], on_expiry["settle"], strict=True):
                    if np.isfinite(v) and v > 0:
                        finals[expiry_day(pd.Timestamp(e))] = float(v)
            self._vx_final = finals
        return self._vx_final

    def value(
        self, underlying: Underlying, expiry: pd.Timestamp, root: str
    ) -> tuple[float, Origin]:
        """Settlement value (index points) and its origin."""
        arrays = self._inputs.arrays
        e = pd.Timestamp(expiry).normalize()
        i = arrays.row(e)
        if underlying == "VIX":
            final = self._finals().get(expiry_day(e))
            if final is not None:
                return final, "real"
        if i is None:
            return float("nan"), "modeled"
        if underlying == "SPX":
            if root != "SPX" or listing.spx_settlement(e) == "PM":  # SPXW; monthlies before 1992
                return arrays.col("spx_close", i), "real"
            soq = arrays.col("spx_set", i)
            if np.isfinite(soq):
                return soq, "real"
            return arrays.col("spx_open", i), "modeled"
        v = arrays.col("vix_open", i)
        if np.isfinite(v):
            return v, "modeled"
        prev = arrays.cols["vix"][:i]
        prev = prev[~np.isnan(prev)]
        return (float(prev[-1]) if prev.size else float("nan")), "modeled"
