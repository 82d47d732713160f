"""vixshield.markets: modeled SPX surfaces, the VX curve, VIX options, the Cboe formulas.

Strategy and backtest see one interface, `Markets` (the `MarketView` protocol):
real chains where the user has them, calibrated models otherwise.
"""

from __future__ import annotations

from vixshield.markets.listing import listed_expiries
from vixshield.markets.smile import SmileParams
from vixshield.markets.spx_model import SpxCalibration, calibrate_spx
from vixshield.markets.types import (
    CHAIN_COLUMNS,
    Expiry,
    GridQuotes,
    MarketView,
    OptionChain,
    QuoteBlock,
)
from vixshield.markets.view import Markets, chain
from vixshield.markets.vix_formula import cboe_skew, expiry_moments, vix_index

__all__ = [
    "CHAIN_COLUMNS",
    "Expiry",
    "GridQuotes",
    "MarketView",
    "Markets",
    "OptionChain",
    "QuoteBlock",
    "SmileParams",
    "SpxCalibration",
    "calibrate_spx",
    "cboe_skew",
    "chain",
    "expiry_moments",
    "listed_expiries",
    "vix_index",
]
