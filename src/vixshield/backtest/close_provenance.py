"""Where the inputs of one close's decision came from (the signal's provenance).

A backtest declares its inputs over its whole window (`frame.options_provenance`); a
signal is one close, so it names, for that close only, every input the markets priced
and the strategy decided with:

* the daily series (SPX, VIX, VVIX, SKEW, VIX9D, VIX3M, VIX6M, rate, dividend yield,
  breadth): the data's own value, or the stand-in the markets use where the close has
  none (`vixshield.markets.inputs.STAND_INS`; a series the data lacks altogether is
  stood in for too and says so);
* ``vx``: the VX futures curve the VIX options and the hedge layers are priced off
  (real CFE settlements or the modeled term structure, per listed future);
* ``options:<underlying>``: the quotes behind the orders, the condor candidate and the
  held positions' marks (real chain rows or the modeled surface).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd

from vixshield._typing import Origin, Right, Underlying
from vixshield.data.market import Provenance
from vixshield.errors import UserError
from vixshield.markets.inputs import STAND_INS, stand_in_rows
from vixshield.markets.types import MarketView
from vixshield.strategy.types import Decision, Position

__all__ = ["CLOSE_SERIES", "QuotedOption", "close_provenance", "decision_options"]

CLOSE_SERIES = (
    "spx_close",
    "vix",
    "vvix",
    "skew",
    "vix9d",
    "vix3m",
    "vix6m",
    "rate",
    "div_yield",
    "advances",
    "declines",
)
"""The daily series a close's decision reads, in the order they are listed."""

_CANDIDATE_STRIKES: tuple[tuple[str, Right], ...] = (
    ("long_put", "P"),
    ("short_put", "P"),
    ("short_call", "C"),
    ("long_call", "C"),
)


class QuotedOption(NamedTuple):
    """One option a decision was priced with (what `MarketView.quote` takes)."""

    underlying: Underlying
    expiry: pd.Timestamp
    strike: float
    right: Right


def decision_options(decision: Decision, positions: Sequence[Position]) -> list[QuotedOption]:
    """The options a decision quoted: its orders' legs, its condor candidate's four
    (``details["condor"]``: expiry and strikes) and the held positions' legs."""
    legs = [leg for o in decision.orders for leg in o.legs]
    legs += [leg for p in positions for leg in p.legs]
    out = [QuotedOption(leg.underlying, leg.expiry, leg.strike, leg.right) for leg in legs]
    cand = decision.details.get("condor")
    if isinstance(cand, Mapping) and cand.get("expiry") is not None:
        expiry = pd.Timestamp(str(cand["expiry"]))
        for key, right in _CANDIDATE_STRIKES:
            strike = cand.get(key)
            if isinstance(strike, int | float) and math.isfinite(strike):
                out.append(QuotedOption("SPX", expiry, float(strike), right))
    return out


def _value(daily: pd.DataFrame, col: str, day: pd.Timestamp) -> float | None:
    if col not in daily:
        return None
    v = float(daily[col].loc[[day]].to_numpy(dtype=np.float64, na_value=np.nan)[0])
    return v if math.isfinite(v) else None


def _entry(series: str, origin: Origin, provider: str, source: str, note: str) -> Provenance:
    return Provenance(
        series=series, provider=provider, source=source, fetched_at="", origin=origin, note=note
    )


def _series_entries(market: MarketView, day: pd.Timestamp) -> dict[str, Provenance]:
    data = market.data
    daily = data.daily
    stood = stand_in_rows(daily.loc[[day]])
    out: dict[str, Provenance] = {}
    for col in CLOSE_SERIES:
        base = data.provenance.get(col)
        value = _value(daily, col, day)
        shown = "no value" if value is None else f"{value:g}"
        if base is None:
            if col in STAND_INS:
                note = f"the data has no {col} series: {STAND_INS[col]}"
                out[col] = _entry(col, "modeled", "model", "vixshield.markets.inputs", note)
            continue
        if col in stood:
            note = f"{col} at the close: {shown}; stood in: {STAND_INS[col]}"
            out[col] = _entry(col, "modeled", "model", "vixshield.markets.inputs", note)
            continue
        origin: Origin = base.origin
        note = f"{col} at the close: {shown}"
        rate_note = data.rate_warning(day) if col == "rate" else None
        if col == "rate" and value is None:  # the markets carry the last known rate
            origin = "modeled"
            note += "; the last rate known before the close is used (DailyArrays.rate_known)"
        elif rate_note is not None:  # carried forward ("filled") or the modeled Fed funds
            origin = "modeled" if data.rate_origin(day) == "modeled" else origin
            note += f"; {rate_note}"
        elif base.origin == "modeled":
            note += f"; {base.note}"
        if origin == base.origin:
            out[col] = _entry(col, origin, base.provider, base.source, note)
        else:  # the series is real, this close's value is not
            out[col] = _entry(col, origin, "model", "vixshield.data.market", note)
    return out


def _vx_entry(market: MarketView, day: pd.Timestamp) -> Provenance | None:
    try:
        curve = market.vx_curve(day)
    except UserError:  # before VX futures were listed: nothing priced off them
        return None
    if curve.empty:
        return None
    real = curve["origin"] == "real"
    front = curve.iloc[0]
    note = (
        f"{int(real.sum())} of {len(curve)} listed VX futures real (CFE settlement), "
        f"the rest the modeled term structure; front {front['expiry']:%Y-%m-%d} "
        f"{front['value']:.2f} ({front['origin']})"
    )
    origin: Origin = "real" if bool(real.all()) else "modeled"
    base = market.data.provenance.get("vx")
    provider = base.provider if base is not None and origin == "real" else "model"
    source = base.source if base is not None and origin == "real" else "vixshield.markets"
    return _entry("vx", origin, provider, source, note)


def _option_entries(
    market: MarketView, day: pd.Timestamp, legs: Sequence[QuotedOption]
) -> dict[str, Provenance]:
    out: dict[str, Provenance] = {}
    for und in sorted({leg.underlying for leg in legs}):
        mine = [leg for leg in legs if leg.underlying == und]
        block = market.quote(
            day,
            und,
            [leg.expiry for leg in mine],
            [leg.strike for leg in mine],
            [leg.right for leg in mine],
        )
        rows = block.origins()
        n_real = sum(o == "real" for o in rows)
        origin: Origin = "real" if n_real == len(rows) else "modeled"
        note = (
            f"{len(rows)} {und} option quote(s) behind the orders, the condor candidate and "
            f"the held positions: {n_real} from a real chain, {len(rows) - n_real} modeled"
        )
        out[f"options:{und}"] = _entry(
            f"options:{und}",
            origin,
            "market" if origin == "real" else "model",
            "vixshield.markets",
            note,
        )
    return out


def close_provenance(
    market: MarketView, day: pd.Timestamp, legs: Sequence[QuotedOption]
) -> dict[str, Provenance]:
    """Per input of the decision at ``day``'s close, where it came from (module docstring).

    ``legs`` are the options the decision quoted (`decision_options`). Keys: the
    `CLOSE_SERIES` the data has (or the markets stand in for), ``"vx"`` where VX futures
    are listed, and ``"options:<underlying>"`` per underlying of ``legs``.
    """
    out = _series_entries(market, day)
    vx = _vx_entry(market, day)
    if vx is not None:
        out["vx"] = vx
    out.update(_option_entries(market, day, legs))
    return out
