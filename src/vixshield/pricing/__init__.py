"""Option pricing: Black-Scholes-Merton (SPX) and Black-76 (VIX options).

Pure maths, no I/O. Public functions broadcast numpy arrays and run compiled
numba kernels (imported lazily on the first call, compiled once and cached on
disk). The plain-numpy reference lives in :mod:`vixshield.pricing.reference`.
"""

from __future__ import annotations

from vixshield.pricing.black import (
    GREEK_NAMES,
    Greeks,
    black76_greeks,
    black76_price,
    bsm_greeks,
    bsm_price,
)
from vixshield.pricing.implied import IVStatus, implied_vol, implied_vol_status
from vixshield.pricing.timeutil import (
    close_time,
    spx_am_settlement_time,
    spx_pm_settlement_time,
    t_years_to_settlement,
    vix_settlement_time,
    year_fraction,
)

__all__ = [
    "GREEK_NAMES",
    "Greeks",
    "IVStatus",
    "black76_greeks",
    "black76_price",
    "bsm_greeks",
    "bsm_price",
    "close_time",
    "implied_vol",
    "implied_vol_status",
    "spx_am_settlement_time",
    "spx_pm_settlement_time",
    "t_years_to_settlement",
    "vix_settlement_time",
    "year_fraction",
]
