"""Option pricing: Black-Scholes-Merton (SPX) and Black-76 (VIX options).

Pure maths, no I/O. Public functions broadcast numpy arrays.
"""

from __future__ import annotations

from vixshield.pricing.reference import (
    black76_greeks_ref as black76_greeks,
)
from vixshield.pricing.reference import (
    black76_price_ref as black76_price,
)
from vixshield.pricing.reference import (
    bsm_greeks_ref as bsm_greeks,
)
from vixshield.pricing.reference import (
    bsm_price_ref as bsm_price,
)

__all__ = ["black76_greeks", "black76_price", "bsm_greeks", "bsm_price"]
