"""Put-call parity on a day's real chain: implied forwards and rates, conversions, reversals, boxes.

Pure: takes the day's chain in the data layer's long form
(`vixshield.data.market.CHAIN_FRAME_COLUMNS`, optional ``bid_size``/``ask_size``
columns in contracts) and a `CostModel`, and returns numbers; no I/O, no store.
Run it on real quotes only: modeled prices satisfy parity by construction, so a
scan of them finds nothing and proves nothing (the CLI refuses them).

Per expiry (one ``(expiry, root, settlement)`` group) the European parity
``C - P = D (F - K)`` gives the discount factor ``D`` and the forward ``F``; a
strike is used where both its call and put have a two-sided quote (``bid > 0``,
``ask >= bid``). Findings, each priced at the `CostModel`'s fills (mid plus or
minus its spread share of the spread) and its per-contract commission and fees:

* **conversion** at ``K``: sell the call, buy the put, long the forward at ``F``;
  worth ``fill(C) - fill(P) + D (K - F)`` points per unit;
* **reversal** at ``K``: buy the call, sell the put, short the forward;
  ``fill(P) - fill(C) + D (F - K)``;
* **box** ``K1 < K2``: long (buy ``C(K1)``, sell ``C(K2)``, buy ``P(K2)``, sell
  ``P(K1)``, pays ``K2 - K1`` at expiry) worth ``Db (K2 - K1) - cost``; short the
  opposite, worth ``proceeds - Db (K2 - K1)``. ``Db`` is the expiry's implied ``D``
  (a box then flags strikes off the chain's own parity line), or ``exp(-r t)`` for
  a financing rate ``r`` the caller gives. The best long and best short box per
  expiry are reported.

Edges are dollars per contract set (one contract per option leg), after costs:
``100 x points - (commission + fees) x option legs``. A conversion's or reversal's
forward leg is valued at the implied forward with no cost of its own (hedge it with
SPX futures or the at-the-money synthetic): its edge says the synthetic at ``K`` is
off the expiry's line, not that the whole trade is free of cost.

References
----------
Hull, J. C., *Options, Futures, and Other Derivatives*, 10th ed., section 11.4
(put-call parity) and chapter 12 (box spreads).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from vixshield._typing import FloatArray, Right, Settlement, Underlying
from vixshield.data.market import CHAIN_REQUIRED
from vixshield.errors import UserError
from vixshield.markets import listing
from vixshield.markets.costs import CONTRACT_MULTIPLIER, CostModel

__all__ = [
    "SIZE_UNKNOWN",
    "ExpiryPairs",
    "ExpiryParity",
    "Finding",
    "FindingKind",
    "Leg",
    "ParityScan",
    "ScanSummary",
    "expiry_pairs",
    "implied_parity",
    "pair_fills",
    "scan_parity",
    "scan_summary",
]

FindingKind = Literal["conversion", "reversal", "box_long", "box_short", "vix_forward", "vx_kink"]
Side = Literal["buy", "sell"]
Instrument = Literal["option", "future", "forward"]

SIZE_UNKNOWN = "size unknown"
"""The size note of a finding whose chain has no quoted sizes."""

_MIN_STRIKES = 3  # strikes with two-sided calls and puts needed to fit D and F


@dataclass(frozen=True)
class Leg:
    """One leg of a finding's trade.

    Attributes
    ----------
    instrument : {"option", "future", "forward"}
        An option of the chain, a VX future, or the expiry's forward (valued, not quoted).
    root : str
        Option root (``SPX``, ``SPXW``, ``VIX``), ``VX`` for a future.
    expiry : Timestamp
    strike : float or None
        Index points; None for futures and forwards.
    right : {"C", "P"} or None
    side : {"buy", "sell"}
    quantity : float
        Contracts per contract set (fractional for a VX kink's neighbours).
    price : float
        Fill (options: the `CostModel` fill) or value (futures, forwards), index points per unit.
    """

    instrument: Instrument
    root: str
    expiry: pd.Timestamp
    strike: float | None
    right: Right | None
    side: Side
    quantity: float
    price: float


@dataclass(frozen=True)
class Finding:
    """A trade the scanner found worth more than its costs.

    Attributes
    ----------
    kind : FindingKind
    underlying : {"SPX", "VIX"}
    expiry : Timestamp
    legs : tuple of Leg
    edge : float
        Dollars per contract set, after the `CostModel`'s spread share, commission and fees.
    size_limit : int or None
        Contract sets the quoted sizes allow (the smallest size on the side each
        option leg trades), None where the chain has no sizes.
    size_note : str
        ``"size unknown"``, or which leg's size binds.
    note : str
        How the edge was valued (and what it is not).
    """

    kind: FindingKind
    underlying: Underlying
    expiry: pd.Timestamp
    legs: tuple[Leg, ...]
    edge: float
    size_limit: int | None
    size_note: str
    note: str


@dataclass(frozen=True)
class ExpiryParity:
    """Forward and rate implied by put-call parity for one expiry.

    Attributes
    ----------
    underlying, expiry, root, settlement
    t_years : float
        ACT/365 years from the quote date's close to settlement.
    forward : float
        Implied forward ``F``, index points.
    discount : float
        Implied discount factor ``D`` to settlement.
    rate : float
        ``-ln(D) / t``, decimal per year (continuous); NaN where ``t`` is 0.
    strikes : int
        Strikes with two-sided calls and puts used.
    max_deviation : float
        Largest ``|C_mid - P_mid - D (F - K)|`` over those strikes, index points.
    """

    underlying: Underlying
    expiry: pd.Timestamp
    root: str
    settlement: Settlement
    t_years: float
    forward: float
    discount: float
    rate: float
    strikes: int
    max_deviation: float


@dataclass(frozen=True)
class ParityScan:
    """`scan_parity`'s answer: per-expiry parity, findings, and the expiries it could not fit."""

    parity: tuple[ExpiryParity, ...]
    findings: tuple[Finding, ...]
    skipped: tuple[str, ...]


@dataclass(frozen=True)
class ScanSummary:
    """A day's scan in numbers, for a regime rule to read (`scan_summary`).

    Attributes
    ----------
    count : int
        Findings of every kind.
    max_edge : float
        Largest edge, dollars per contract set (0 with no findings).
    total_edge : float
        Sum of the edges, dollars.
    parity_count, vix_forward_count, kink_count : int
        Conversions/reversals/boxes, VIX-forward gaps, VX curve kinks.
    """

    count: int
    max_edge: float
    total_edge: float
    parity_count: int
    vix_forward_count: int
    kink_count: int


def scan_summary(findings: tuple[Finding, ...] | list[Finding]) -> ScanSummary:
    """Count and size a day's findings (parity, VIX forward and VX curve alike)."""
    edges = [f.edge for f in findings]
    kinds = [f.kind for f in findings]
    return ScanSummary(
        count=len(findings),
        max_edge=max(edges) if edges else 0.0,
        total_edge=float(sum(edges)),
        parity_count=sum(k in ("conversion", "reversal", "box_long", "box_short") for k in kinds),
        vix_forward_count=kinds.count("vix_forward"),
        kink_count=kinds.count("vx_kink"),
    )


@dataclass(frozen=True)
class ExpiryPairs:
    """Calls and puts of one expiry side by side, by strike (two-sided quotes only).

    Prices in index points per unit, sizes in contracts (NaN where not quoted).
    """

    expiry: pd.Timestamp
    root: str
    settlement: Settlement
    strike: FloatArray
    call_bid: FloatArray
    call_ask: FloatArray
    put_bid: FloatArray
    put_ask: FloatArray
    call_bid_size: FloatArray
    call_ask_size: FloatArray
    put_bid_size: FloatArray
    put_ask_size: FloatArray


def _col(frame: pd.DataFrame, name: str) -> FloatArray:
    if name not in frame.columns:
        return np.full(len(frame), np.nan)
    return np.asarray(pd.to_numeric(frame[name], errors="coerce"), dtype=np.float64)


def _two_sided(bid: FloatArray, ask: FloatArray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return np.isfinite(bid) & np.isfinite(ask) & (bid > 0.0) & (ask >= bid)


def expiry_pairs(chain: pd.DataFrame) -> list[ExpiryPairs]:
    """The chain's expiries, each with its strikes quoted two-sided on both rights.

    Groups by ``(expiry, root, settlement)`` (SPX and SPXW share third Fridays but
    settle differently); a duplicated ``(strike, right)`` keeps its first row.
    """
    missing = [c for c in CHAIN_REQUIRED if c not in chain.columns]
    if missing:
        raise UserError(f"chain frame lacks columns: {', '.join(missing)}")
    c = chain.assign(
        expiry=pd.to_datetime(chain["expiry"]).dt.normalize(),
        right=chain["right"].astype(str).str.upper().str[0],
        strike=pd.to_numeric(chain["strike"], errors="coerce"),
    )
    out: list[ExpiryPairs] = []
    for (e, root, st), g in c.groupby(["expiry", "root", "settlement"], sort=True):
        g = g.drop_duplicates(["strike", "right"])
        calls = g[g["right"] == "C"].set_index("strike")
        puts = g[g["right"] == "P"].set_index("strike")
        k = np.intersect1d(calls.index.to_numpy(np.float64), puts.index.to_numpy(np.float64))
        k = k[np.isfinite(k)]
        cc, pp = calls.reindex(k), puts.reindex(k)
        cb, ca, pb, pa = _col(cc, "bid"), _col(cc, "ask"), _col(pp, "bid"), _col(pp, "ask")
        ok = _two_sided(cb, ca) & _two_sided(pb, pa)
        out.append(
            ExpiryPairs(
                pd.Timestamp(str(e)),
                str(root),
                "AM" if str(st) == "AM" else "PM",
                k[ok],
                cb[ok],
                ca[ok],
                pb[ok],
                pa[ok],
                _col(cc, "bid_size")[ok],
                _col(cc, "ask_size")[ok],
                _col(pp, "bid_size")[ok],
                _col(pp, "ask_size")[ok],
            )
        )
    return out


def _fit(p: ExpiryPairs) -> tuple[float, float] | str:
    """``(D, F)`` from the adjacent-strike slopes of ``C - P`` (medians: one bad quote
    moves neither), or the reason there is none."""
    if p.strike.size < _MIN_STRIKES:
        return f"{p.strike.size} strikes with two-sided calls and puts (need {_MIN_STRIKES})"
    y = 0.5 * (p.call_bid + p.call_ask) - 0.5 * (p.put_bid + p.put_ask)
    d = -float(np.median(np.diff(y) / np.diff(p.strike)))
    if not (math.isfinite(d) and d > 0.0):
        return f"parity slope gives a discount factor {d:.4g} (not positive)"
    return d, float(np.median(y / d + p.strike))


def implied_parity(
    chain: pd.DataFrame, as_of: pd.Timestamp, underlying: Underlying
) -> tuple[list[ExpiryParity], list[str]]:
    """Forward and rate per expiry from put-call parity, and the expiries it could not fit.

    Parameters
    ----------
    chain : DataFrame
        One day's real chain of one underlying (long form).
    as_of : Timestamp
        The quote date (times to settlement are from its 16:00 ET close).
    underlying : {"SPX", "VIX"}

    Returns
    -------
    list of ExpiryParity, list of str
        Fitted expiries; one line per expiry skipped, with the reason.

    Notes
    -----
    With ``y_K = C_mid(K) - P_mid(K) = D F - D K``: ``D = -median_j (dy / dK)`` over
    adjacent strikes, ``F = median_K (y_K / D + K)``, ``r = -ln(D) / t``.
    """
    fitted, skipped = [], []
    for p in expiry_pairs(chain):
        fit = _fit(p)
        if isinstance(fit, str):
            skipped.append(f"{underlying} {p.root} {p.expiry.date()}: {fit}")
        else:
            fitted.append(_parity(p, fit, as_of, underlying))
    return fitted, skipped


def _parity(
    p: ExpiryPairs, fit: tuple[float, float], as_of: pd.Timestamp, underlying: Underlying
) -> ExpiryParity:
    d, f = fit
    t = listing.t_years_to_settlement(as_of, p.expiry, p.settlement)
    y = 0.5 * (p.call_bid + p.call_ask) - 0.5 * (p.put_bid + p.put_ask)
    dev = float(np.max(np.abs(y - d * (f - p.strike))))
    rate = -math.log(d) / t if t > 0.0 else math.nan
    return ExpiryParity(
        underlying, p.expiry, p.root, p.settlement, t, f, d, rate, int(p.strike.size), dev
    )


def _fills(costs: CostModel, bid: FloatArray, ask: FloatArray, side: float) -> FloatArray:
    return costs.fills(0.5 * (bid + ask), bid, ask, np.full(bid.size, side))


def pair_fills(p: ExpiryPairs, costs: CostModel) -> tuple[FloatArray, ...]:
    """Fills per strike: call bought, call sold, put bought, put sold (points per unit)."""
    return (
        _fills(costs, p.call_bid, p.call_ask, 1.0),
        _fills(costs, p.call_bid, p.call_ask, -1.0),
        _fills(costs, p.put_bid, p.put_ask, 1.0),
        _fills(costs, p.put_bid, p.put_ask, -1.0),
    )


def _size(sizes: list[FloatArray], names: list[str], at: list[int]) -> tuple[int | None, str]:
    """Contract sets the quoted sizes allow: the smallest over the legs (None: unknown)."""
    vals = [float(s[i]) for s, i in zip(sizes, at, strict=True)]
    if not all(math.isfinite(v) for v in vals):
        return None, SIZE_UNKNOWN
    j = int(np.argmin(vals))
    return int(vals[j]), f"min quoted size {int(vals[j])} ({names[j]})"


def _opt(p: ExpiryPairs, k: float, right: Right, side: Side, price: float) -> Leg:
    return Leg("option", p.root, p.expiry, k, right, side, 1.0, price)


def _fwd(p: ExpiryPairs, side: Side, f: float) -> Leg:
    return Leg("forward", p.root, p.expiry, None, None, side, 1.0, f)


def _synthetics(
    p: ExpiryPairs, d: float, f: float, costs: CostModel, underlying: Underlying, min_edge: float
) -> list[Finding]:
    """Conversions and reversals at each strike worth more than ``min_edge`` dollars."""
    c_buy, c_sell, p_buy, p_sell = pair_fills(p, costs)
    leg_costs = 2.0 * costs.per_contract
    conv = CONTRACT_MULTIPLIER * (c_sell - p_buy + d * (p.strike - f)) - leg_costs
    rev = CONTRACT_MULTIPLIER * (p_sell - c_buy + d * (f - p.strike)) - leg_costs
    note = (
        f"forward leg at the implied forward {f:.4f} (D {d:.6f}), its own cost not included: "
        "the synthetic at this strike is off the expiry's parity line"
    )
    out: list[Finding] = []
    for i in np.flatnonzero(conv > min_edge).tolist():
        k = float(p.strike[i])
        legs = (_opt(p, k, "C", "sell", float(c_sell[i])), _opt(p, k, "P", "buy", float(p_buy[i])),
                _fwd(p, "buy", f))  # fmt: skip
        size = _size([p.call_bid_size, p.put_ask_size], ["call bid", "put ask"], [i, i])
        out.append(Finding("conversion", underlying, p.expiry, legs, float(conv[i]), *size, note))
    for i in np.flatnonzero(rev > min_edge).tolist():
        k = float(p.strike[i])
        legs = (_opt(p, k, "C", "buy", float(c_buy[i])), _opt(p, k, "P", "sell", float(p_sell[i])),
                _fwd(p, "sell", f))  # fmt: skip
        size = _size([p.call_ask_size, p.put_bid_size], ["call ask", "put bid"], [i, i])
        out.append(Finding("reversal", underlying, p.expiry, legs, float(rev[i]), *size, note))
    return out


def _box_sizes(p: ExpiryPairs, long: bool) -> tuple[list[FloatArray], list[str]]:
    """Quoted sizes on the side each leg of a box trades (K1 call, K2 call, K2 put, K1 put)."""
    if long:
        sizes = [p.call_ask_size, p.call_bid_size, p.put_ask_size, p.put_bid_size]
        return sizes, ["K1 call ask", "K2 call bid", "K2 put ask", "K1 put bid"]
    sizes = [p.call_bid_size, p.call_ask_size, p.put_bid_size, p.put_ask_size]
    return sizes, ["K1 call bid", "K2 call ask", "K2 put bid", "K1 put ask"]


def _boxes(
    p: ExpiryPairs, db: float, costs: CostModel, underlying: Underlying, min_edge: float, how: str
) -> list[Finding]:
    """The best long and the best short box of the expiry, where worth more than ``min_edge``."""
    cb, cs, pb, ps = pair_fills(p, costs)
    k = p.strike
    width = k[None, :] - k[:, None]  # [i, j]: K_j - K_i, boxes K1 = K_i < K2 = K_j
    upper = width > 0.0
    leg_costs = 4.0 * costs.per_contract
    cost_long = cb[:, None] - cs[None, :] + pb[None, :] - ps[:, None]
    proceeds_short = cs[:, None] - cb[None, :] + ps[None, :] - pb[:, None]
    long_edge = np.where(upper, CONTRACT_MULTIPLIER * (db * width - cost_long) - leg_costs, -np.inf)
    short_edge = np.where(
        upper, CONTRACT_MULTIPLIER * (proceeds_short - db * width) - leg_costs, -np.inf
    )
    out: list[Finding] = []
    sides: tuple[tuple[FindingKind, FloatArray], ...] = (
        ("box_long", long_edge),
        ("box_short", short_edge),
    )
    for kind, edge in sides:
        i, j = (int(x) for x in np.unravel_index(int(np.argmax(edge)), edge.shape))
        e = float(edge[i, j])
        if not e > min_edge:
            continue
        k1, k2 = float(k[i]), float(k[j])
        long = kind == "box_long"
        legs = (
            _opt(p, k1, "C", "buy" if long else "sell", float((cb if long else cs)[i])),
            _opt(p, k2, "C", "sell" if long else "buy", float((cs if long else cb)[j])),
            _opt(p, k2, "P", "buy" if long else "sell", float((pb if long else ps)[j])),
            _opt(p, k1, "P", "sell" if long else "buy", float((ps if long else pb)[i])),
        )
        size = _size(*_box_sizes(p, long), [i, j, j, i])
        note = f"pays {k2 - k1:g} points at expiry, valued at D {db:.6f} ({how})"
        out.append(Finding(kind, underlying, p.expiry, legs, e, *size, note))
    return out


def scan_parity(
    chain: pd.DataFrame,
    as_of: pd.Timestamp,
    underlying: Underlying,
    costs: CostModel,
    *,
    financing_rate: float | None = None,
    min_edge: float = 0.0,
) -> ParityScan:
    """Implied forwards and the conversions, reversals and boxes worth more than their costs.

    Parameters
    ----------
    chain : DataFrame
        One day's real chain of one underlying, long form (module notes); optional
        ``bid_size``/``ask_size`` in contracts give the findings' size limits.
    as_of : Timestamp
        Quote date.
    underlying : {"SPX", "VIX"}
    costs : CostModel
        Fills (spread share) and per-contract commission and fees.
    financing_rate : float, optional
        Continuous rate (decimal per year) to value boxes with; None: each expiry's
        implied discount factor.
    min_edge : float
        Dollars per contract set a finding must beat (default 0).

    Returns
    -------
    ParityScan
    """
    fitted: list[ExpiryParity] = []
    findings: list[Finding] = []
    skipped: list[str] = []
    for p in expiry_pairs(chain):
        fit = _fit(p)
        if isinstance(fit, str):
            skipped.append(f"{underlying} {p.root} {p.expiry.date()}: {fit}")
            continue
        par = _parity(p, fit, as_of, underlying)
        fitted.append(par)
        d, f = fit
        findings += _synthetics(p, d, f, costs, underlying, min_edge)
        if financing_rate is None:
            db, how = d, "the expiry's implied rate"
        else:
            db = math.exp(-financing_rate * par.t_years)
            how = f"financing rate {financing_rate:.4%}"
        findings += _boxes(p, db, costs, underlying, min_edge, how)
    return ParityScan(tuple(fitted), tuple(findings), tuple(skipped))
