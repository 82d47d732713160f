"""The VX futures curve against itself and against VIX options: kinks and forward gaps.

Pure, like `vixshield.markets.parity`: plain inputs (a VX curve frame with
``expiry``, ``value`` in vol points, ``dte`` in calendar days and ``origin``; a
day's VIX option chain in long form; a `CostModel`), findings out.

* **Kinks**: a month whose value is off the straight line (in days to expiry)
  through its two neighbours by more than a threshold. The trade sells the month
  and buys its neighbours in the line's weights where it is above the line (the
  opposite below). Relative value, not an arbitrage: a curve need not be straight;
  the edge is what the set makes if the month returns to its neighbours' line.
* **VIX forward gaps**: VIX options and the VX future of the same expiry settle
  on the same value (the VIX special opening quotation), so the forward implied
  by the options' put-call parity (`parity.implied_parity`) must match the future.
  Where it does not, ten synthetic futures (a call bought and a put sold per unit,
  or the reverse) against one VX future lock ``F_vx - K`` per unit at expiry; the
  best strike is reported.

Only curve points with origin ``"real"`` are scanned (a modeled curve is smooth by
construction). Futures have no quoted spread in the data: each VX fill pays the
`CostModel`'s spread share of one tick (`VX_TICK`), plus its per-contract
commission and fees.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from vixshield.markets.costs import CONTRACT_MULTIPLIER, CostModel
from vixshield.markets.parity import (
    SIZE_UNKNOWN,
    ExpiryPairs,
    ExpiryParity,
    Finding,
    Leg,
    expiry_pairs,
    implied_parity,
    pair_fills,
)

__all__ = [
    "DEFAULT_KINK_THRESHOLD",
    "VX_MULTIPLIER",
    "VX_TICK",
    "real_curve",
    "vix_forward_gaps",
    "vx_kinks",
]

VX_MULTIPLIER = 1000.0
"""Dollars per VIX point per VX future (Cboe CFE VX contract specifications)."""

VX_TICK = 0.05
"""Minimum price increment of VX futures, VIX points (CFE VX contract specifications)."""

DEFAULT_KINK_THRESHOLD = 1.0
"""Vol points a month must be off its neighbours' line to count as a kink (a choice:
about twice the usual bid-ask of a back-month VX future)."""

_SYNTHETICS_PER_FUTURE = VX_MULTIPLIER / CONTRACT_MULTIPLIER  # 10 option pairs per VX future


def real_curve(curve: pd.DataFrame) -> pd.DataFrame:
    """The curve's real points, by expiry (``origin == "real"`` where the column exists)."""
    c = curve if "origin" not in curve.columns else curve[curve["origin"] == "real"]
    c = c.assign(expiry=pd.to_datetime(c["expiry"]).dt.normalize())
    return c.sort_values("expiry").reset_index(drop=True)


def _vx_cost(costs: CostModel) -> float:
    """Dollars per VX contract traded: spread share of one tick plus commission and fees."""
    return costs.spread_share * VX_TICK * VX_MULTIPLIER + costs.per_contract


def _future(expiry: pd.Timestamp, side: str, qty: float, value: float) -> Leg:
    return Leg("future", "VX", expiry, None, None, "buy" if side == "buy" else "sell", qty, value)


def vx_kinks(
    curve: pd.DataFrame, costs: CostModel, threshold: float = DEFAULT_KINK_THRESHOLD
) -> list[Finding]:
    """Months of the real VX curve off their neighbours' line by more than ``threshold``.

    Parameters
    ----------
    curve : DataFrame
        ``expiry``, ``value`` (vol points), ``dte`` (calendar days), optional ``origin``.
    costs : CostModel
        Spread share and per-contract costs (see module notes for futures).
    threshold : float
        Vol points (> 0).

    Returns
    -------
    list of Finding
        Kind ``"vx_kink"``; edge in dollars per set (one of the month, ``w`` and
        ``1 - w`` of its neighbours).

    Notes
    -----
    With neighbours at ``d0 < d1 < d2`` days: ``w = (d2 - d1) / (d2 - d0)``,
    ``line = w v0 + (1 - w) v2``, ``dev = v1 - line``;
    ``edge = 1000 |dev| - 2 c`` with ``c`` the cost per VX contract
    (``1 + w + (1 - w) = 2`` contracts a set).
    """
    if not threshold > 0.0:
        raise ValueError(f"kink threshold must be > 0 vol points, got {threshold}")
    c = real_curve(curve)
    v = c["value"].to_numpy(dtype=np.float64)
    d = c["dte"].to_numpy(dtype=np.float64)
    out: list[Finding] = []
    for i in range(1, len(c) - 1):
        d0, d1, d2 = d[i - 1], d[i], d[i + 1]
        if not (d0 < d1 < d2) or not np.isfinite(v[i - 1 : i + 2]).all():
            continue
        w = (d2 - d1) / (d2 - d0)
        line = w * v[i - 1] + (1.0 - w) * v[i + 1]
        dev = float(v[i] - line)
        if abs(dev) <= threshold:
            continue
        rich = dev > 0.0
        e = [pd.Timestamp(x) for x in c["expiry"].iloc[i - 1 : i + 2]]
        legs = (
            _future(e[1], "sell" if rich else "buy", 1.0, float(v[i])),
            _future(e[0], "buy" if rich else "sell", float(w), float(v[i - 1])),
            _future(e[2], "buy" if rich else "sell", float(1.0 - w), float(v[i + 1])),
        )
        edge = VX_MULTIPLIER * abs(dev) - 2.0 * _vx_cost(costs)
        note = (
            f"{e[1].date()} at {v[i]:.2f} is {dev:+.2f} vol points off its neighbours' line "
            f"{line:.2f}: relative value if it returns to the line, not an arbitrage; "
            "VX fills at the spread share of one tick (no VX quotes)"
        )
        out.append(Finding("vx_kink", "VIX", e[1], legs, edge, None, SIZE_UNKNOWN, note))
    return out


def vix_forward_gaps(
    chain: pd.DataFrame,
    curve: pd.DataFrame,
    as_of: pd.Timestamp,
    costs: CostModel,
    *,
    min_edge: float = 0.0,
) -> tuple[list[tuple[ExpiryParity, float]], list[Finding], list[str]]:
    """VIX options' implied forward against the real VX future of the same expiry.

    Parameters
    ----------
    chain : DataFrame
        One day's real VIX option chain, long form.
    curve : DataFrame
        The day's VX curve (`real_curve` picks its real points).
    as_of : Timestamp
    costs : CostModel
    min_edge : float
        Dollars per set a finding must beat.

    Returns
    -------
    gaps : list of (ExpiryParity, float)
        Each fitted VIX expiry with a real future: its parity and the future's value.
    findings : list of Finding
        Kind ``"vix_forward"``, per expiry the best strike where worth > ``min_edge``.
    notes : list of str
        Expiries not compared, with the reason.

    Notes
    -----
    Per unit, with fills ``c``/``p`` and the implied discount ``D``: future rich
    (sell VX, buy call, sell put) ``D (F_vx - K) - (c_buy - p_sell)``; future cheap
    (buy VX, sell call, buy put) ``c_sell - p_buy - D (F_vx - K)``. A set is one VX
    future and ten of each option: ``edge = 1000 x points - 20 (commission + fees)
    - cost of one VX contract``.
    """
    fitted, notes = implied_parity(chain, as_of, "VIX")
    vx = real_curve(curve)
    futures = dict(zip(vx["expiry"], vx["value"].astype(float), strict=True))
    pairs = {(p.expiry, p.root): p for p in expiry_pairs(chain)}
    gaps: list[tuple[ExpiryParity, float]] = []
    findings: list[Finding] = []
    for par in fitted:
        f_vx = futures.get(par.expiry)
        if f_vx is None or not math.isfinite(f_vx):
            notes.append(f"VIX {par.root} {par.expiry.date()}: no real VX future of that expiry")
            continue
        gaps.append((par, f_vx))
        best = _best_synthetic(pairs[(par.expiry, par.root)], par, f_vx, costs)
        if best is not None and best.edge > min_edge:
            findings.append(best)
    return gaps, findings, notes


def _best_synthetic(
    p: ExpiryPairs, par: ExpiryParity, f_vx: float, costs: CostModel
) -> Finding | None:
    """The strike and direction worth most for one expiry (None where none is quoted)."""
    if not p.strike.size:
        return None
    c_buy, c_sell, p_buy, p_sell = pair_fills(p, costs)
    d, k = par.discount, p.strike
    n = _SYNTHETICS_PER_FUTURE
    fixed = 2.0 * n * costs.per_contract + _vx_cost(costs)
    rich = VX_MULTIPLIER * (d * (f_vx - k) - (c_buy - p_sell)) - fixed
    cheap = VX_MULTIPLIER * (c_sell - p_buy - d * (f_vx - k)) - fixed
    i_r, i_c = int(np.argmax(rich)), int(np.argmax(cheap))
    sell_future = rich[i_r] >= cheap[i_c]
    i = i_r if sell_future else i_c
    strike = float(k[i])
    if sell_future:
        legs = (
            _future(par.expiry, "sell", 1.0, f_vx),
            Leg("option", p.root, par.expiry, strike, "C", "buy", n, float(c_buy[i])),
            Leg("option", p.root, par.expiry, strike, "P", "sell", n, float(p_sell[i])),
        )
    else:
        legs = (
            _future(par.expiry, "buy", 1.0, f_vx),
            Leg("option", p.root, par.expiry, strike, "C", "sell", n, float(c_sell[i])),
            Leg("option", p.root, par.expiry, strike, "P", "buy", n, float(p_buy[i])),
        )
    edge = float(rich[i] if sell_future else cheap[i])
    sizes = (p.call_ask_size, p.put_bid_size) if sell_future else (p.call_bid_size, p.put_ask_size)
    quoted = min(float(sizes[0][i]), float(sizes[1][i]))
    limit = int(quoted // n) if math.isfinite(quoted) else None
    size_note = (
        f"min quoted option size {int(quoted)} / {n:g} a set" if limit is not None else SIZE_UNKNOWN
    )
    note = (
        f"options imply {par.forward:.3f} against the VX future {f_vx:.3f} "
        f"(gap {par.forward - f_vx:+.3f}); both settle on the VIX SOQ; "
        "VX fill at the spread share of one tick (no VX quotes)"
    )
    return Finding("vix_forward", "VIX", par.expiry, legs, edge, limit, size_note, note)
