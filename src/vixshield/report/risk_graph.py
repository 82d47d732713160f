"""Risk graph of the whole book on one date, priced on the engine's own surface.

Every open leg is quoted once through the run's markets (`Markets.quote`, the
call the backtest marks its book with), so the T+0 curve at today's SPX is the
marked value of the book that day. Scenarios move SPX (and with it VIX) and
the clock, and reprice each leg on the same surface.

Notes
-----
Scenario ``s`` (SPX level) at horizon ``h`` (a date at or after the as-of day):

* VIX in the scenario: ``VIX(s) = max(VIX_0 + beta * 100 * (s / S_0 - 1), VIX_FLOOR)``
  with ``beta = VIX_BETA_PTS_PER_PCT`` (vol points per +1 % SPX; negative).
* SPX legs: forward ``F' = s * exp((r - q) t')`` with ``t' = t - (h - as_of) / 365``
  (ACT/365 years to the leg's settlement, ``t`` from the quote); implied vol
  ``sigma' = sigma * w(ln(K / F'), t') / w(ln(K / F), t) * VIX(s) / VIX_0``, where
  ``sigma`` is the leg's own quoted vol and ``w`` the engine's calibrated smile of
  the as-of day (`Markets.calibration`): the smile moves with the forward and its
  level with the VIX. Black-76 with discount ``exp(-r t')``.
* VIX legs: forward ``F' = F * (1 + vx_beta * (VIX(s) / VIX_0 - 1))`` with the
  engine's shock rule (`vixshield.backtest.shock.Shock.vx_beta`: VX futures pass on
  half of a spot-VIX rise); quoted vol unchanged; Black-76.
* A leg whose settlement is at or before ``h`` is worth its intrinsic value
  against ``s`` (SPX) or ``VIX(s)`` (VIX options settle on spot VIX).
* ``residual = mark - model(S_0, as_of)`` (zero on modeled quotes, the real
  chain's deviation from the model on real ones) is added in proportion ``t' / t``
  so T+0 at ``S_0`` is the mark exactly and expiry values are pure intrinsic.

P&L is value minus cost basis (``entry_price x contracts x 100``), dollars.

References
----------
Whaley, R. E. (2009). Understanding the VIX. Journal of Portfolio Management
35(3), 98-105 (VIX moves several points against a 1 % SPX move, asymmetric).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from vixshield._typing import FloatArray
from vixshield.backtest.shock import Shock
from vixshield.backtest.state import stored_quotes
from vixshield.markets.view import Markets
from vixshield.pricing import black76_price
from vixshield.strategy.types import Leg, Position

__all__ = [
    "CONTRACT_MULTIPLIER",
    "T_PLUS_DAYS",
    "VIX_BETA_PTS_PER_PCT",
    "VIX_FLOOR",
    "VIX_LEVELS",
    "RiskGraph",
    "VixScenario",
    "break_evens",
    "condor_max_loss",
    "risk_graph",
    "vix_for_spx",
]

CONTRACT_MULTIPLIER = 100.0  # dollars per index point, SPX and VIX options (Cboe specs)
VIX_BETA_PTS_PER_PCT = -1.0  # VIX vol points per +1 % SPX move; rule of thumb (Whaley 2009)
VIX_FLOOR = 9.0  # vol points; VIX has never closed below 9 (low 9.14, Nov 2017)
VIX_LEVELS: tuple[float, ...] = (20.0, 30.0, 40.0, 60.0)  # vol points, the scenario view
T_PLUS_DAYS = 7  # calendar days of the intermediate curve (T+N)


@dataclass(frozen=True)
class VixScenario:
    """The hedges if VIX jumped to ``vix`` today (T+0), against the condors' max loss.

    Attributes
    ----------
    vix : float
        Spot VIX in the scenario, vol points.
    hedge_value : float
        Marked value of every hedge leg, dollars.
    hedge_pnl : float
        ``hedge_value`` minus the hedges' cost basis, dollars.
    hedge_gain : float
        ``hedge_value`` minus today's marked value of the hedges, dollars.
    condor_max_loss : float or None
        Sum of every open condor's worst P&L at its expiry, dollars (negative);
        None without a condor.
    """

    vix: float
    hedge_value: float
    hedge_pnl: float
    hedge_gain: float
    condor_max_loss: float | None


@dataclass(frozen=True)
class RiskGraph:
    """P&L of the book across SPX levels at several horizons (dollars, whole positions).

    Attributes
    ----------
    spx : FloatArray
        SPX scenario levels, index points (today's close and the condor strikes in
        range are grid points).
    vix : FloatArray
        VIX in each scenario, vol points (`vix_for_spx`).
    pnl : dict[str, dict[str, FloatArray]]
        Horizon label (``"T+0"``, ``"T+7"``, ``"expiry"``) -> group -> P&L.
        Groups: ``"condor"``, ``"hedges"``, each ``"hedge:<layer>"``, ``"total"``.
    horizons : dict[str, Timestamp]
        Horizon label -> the date it is priced at.
    as_of, expiry : Timestamp
        The run's last day; the earliest condor expiry (earliest leg expiry
        without a condor).
    spot, vix0 : float
        SPX and VIX closes of ``as_of``.
    marked_value : float
        Sum of the marks of every open leg x ratio x contracts x 100, dollars.
    cost_basis : float
        Sum of ``entry_price x contracts x 100``, dollars (negative: net credit).
    short_strikes, long_strikes : tuple of float
        Condor strikes sold and bought (SPX index points).
    break_evens : dict[str, tuple[float, ...]]
        ``"condor"`` and ``"total"`` -> SPX levels where the expiry P&L crosses 0.
    scenarios : tuple of VixScenario
        The VIX-scenario view at `VIX_LEVELS`.
    origins : dict[str, int]
        Quote origin (``"real"``, ``"modeled"``) -> number of legs.
    """

    spx: FloatArray
    vix: FloatArray
    pnl: dict[str, dict[str, FloatArray]]
    horizons: dict[str, pd.Timestamp]
    as_of: pd.Timestamp
    expiry: pd.Timestamp
    spot: float
    vix0: float
    marked_value: float
    cost_basis: float
    short_strikes: tuple[float, ...]
    long_strikes: tuple[float, ...]
    break_evens: dict[str, tuple[float, ...]]
    scenarios: tuple[VixScenario, ...]
    origins: dict[str, int]

    @property
    def has_condor(self) -> bool:
        """True where a condor is open on `as_of`."""
        return bool(self.short_strikes)


def vix_for_spx(
    spx: FloatArray, spot: float, vix0: float, beta: float = VIX_BETA_PTS_PER_PCT
) -> FloatArray:
    """VIX scenario for SPX levels: ``max(vix0 + beta * 100 * (spx/spot - 1), VIX_FLOOR)``."""
    moved = vix0 + beta * 100.0 * (np.asarray(spx, dtype=np.float64) / spot - 1.0)
    return np.asarray(np.maximum(moved, VIX_FLOOR), dtype=np.float64)


def break_evens(x: FloatArray, pnl: FloatArray) -> tuple[float, ...]:
    """Levels where ``pnl`` crosses zero, by linear interpolation between grid points."""
    xs, ys = np.asarray(x, dtype=np.float64), np.asarray(pnl, dtype=np.float64)
    out: list[float] = []
    for i in range(len(xs) - 1):
        a, b = ys[i], ys[i + 1]
        if a == 0.0 and (not out or out[-1] != xs[i]):
            out.append(float(xs[i]))
        elif a * b < 0.0:
            out.append(float(xs[i] - a * (xs[i + 1] - xs[i]) / (b - a)))
    return tuple(out)


def condor_max_loss(position: Position) -> float:
    """Worst P&L of one position at its legs' (common) expiry, dollars.

    The payoff is piecewise linear between strikes, so its minimum over SPX in
    ``[0, 2 max(K)]`` is at a strike or an end: ``min(payoff) x contracts x 100 - cost``.
    """
    strikes = np.array([leg.strike for leg in position.legs], dtype=np.float64)
    points = np.concatenate(([0.0], strikes, [2.0 * strikes.max()]))
    payoff = np.zeros_like(points)
    for leg in position.legs:
        intrinsic = points - leg.strike if leg.right == "C" else leg.strike - points
        payoff = payoff + leg.ratio * np.maximum(intrinsic, 0.0)
    cost = position.entry_price * position.contracts * CONTRACT_MULTIPLIER
    return float(payoff.min() * position.contracts * CONTRACT_MULTIPLIER - cost)


@dataclass(frozen=True)
class _Legs:
    """Every open leg, flattened, with its quote at the as-of close."""

    group: list[str]
    is_vix: np.ndarray
    is_call: np.ndarray
    strike: FloatArray
    qty: FloatArray  # ratio x contracts
    mid: FloatArray
    iv: FloatArray
    forward: FloatArray
    t: FloatArray
    origins: list[str]


def _quotes(
    markets: Markets, as_of: pd.Timestamp, legs: Sequence[Leg]
) -> tuple[dict[str, FloatArray], list[str]]:
    """Mid, iv, forward and time (years) of ``legs`` (one underlying) at ``as_of``, and
    each leg's origin: the quotes the run stored for them that day where it did (the
    same bytes, `vixshield.backtest.state.stored_quotes`), else quoted afresh."""
    stored = stored_quotes(markets, as_of, legs)
    if stored is not None:
        rows, origins = stored
        return {"mid": rows["mid"], "iv": rows["iv"], "forward": rows["forward"],
                "t": rows["t_years"]}, origins  # fmt: skip
    q = markets.quote(
        as_of,
        legs[0].underlying,
        [leg.expiry for leg in legs],
        np.array([leg.strike for leg in legs], dtype=np.float64),
        [leg.right for leg in legs],
    )
    arrays = {"mid": q.mid, "iv": q.iv, "forward": q.forward, "t": q.t_years}
    return {k: np.asarray(a, dtype=np.float64) for k, a in arrays.items()}, list(q.origins())


def _quote_legs(positions: Sequence[Position], markets: Markets, as_of: pd.Timestamp) -> _Legs:
    legs = [(p, leg) for p in positions for leg in p.legs]
    n = len(legs)
    fields = {k: np.full(n, np.nan) for k in ("mid", "iv", "forward", "t")}
    origins = [""] * n
    for und in ("SPX", "VIX"):
        rows = [i for i, (_, leg) in enumerate(legs) if leg.underlying == und]
        if not rows:
            continue
        got = _quotes(markets, as_of, [legs[i][1] for i in rows])
        for key, arr in got[0].items():
            fields[key][rows] = arr
        for i, origin in zip(rows, got[1], strict=True):
            origins[i] = origin
    if not np.isfinite(fields["mid"]).all():
        missing = [f"{leg.root} {leg.strike:g}{leg.right}" for (_, leg), m in
                   zip(legs, fields["mid"], strict=True) if not np.isfinite(m)]  # fmt: skip
        raise ValueError(f"risk graph: no quote on {as_of:%Y-%m-%d} for {', '.join(missing)}")
    return _Legs(
        group=[p.label for p, _ in legs],
        is_vix=np.array([leg.underlying == "VIX" for _, leg in legs], dtype=bool),
        is_call=np.array([leg.right == "C" for _, leg in legs], dtype=bool),
        strike=np.array([leg.strike for _, leg in legs], dtype=np.float64),
        qty=np.array([leg.ratio * p.contracts for p, leg in legs], dtype=np.float64),
        origins=origins,
        **fields,
    )


class _Pricer:
    """Leg values per unit on a grid of SPX scenarios at a horizon (module notes)."""

    def __init__(self, legs: _Legs, markets: Markets, as_of: pd.Timestamp, vx_beta: float) -> None:
        day = markets.inputs(as_of)
        self.legs, self.rate, self.q = legs, day.rate, day.q
        self.smile = markets.calibration(as_of).params
        self.spot, self.vix0, self.vx_beta = day.spot, day.vix, vx_beta
        self.residual = legs.mid - self._model(np.array([day.spot]), np.array([day.vix]), 0.0)[:, 0]

    def _model(self, spx: FloatArray, vix: FloatArray, dt: float) -> FloatArray:
        """Model value per unit, shape (legs, scenarios)."""
        lg = self.legs
        t = (lg.t - dt)[:, None]
        live = (t > 1e-9) & np.isfinite(lg.iv)[:, None]
        tl = np.where(live, t, 1.0)
        k = lg.strike[:, None]
        call = lg.is_call[:, None]
        vix_ratio = (vix / self.vix0)[None, :]
        f_spx = spx[None, :] * np.exp((self.rate - self.q) * tl)
        f_vix = lg.forward[:, None] * (1.0 + self.vx_beta * (vix_ratio - 1.0))
        base_k = np.log(k / np.where(lg.is_vix, 1.0, lg.forward)[:, None])
        t0 = np.where(np.isfinite(lg.t) & (lg.t > 1e-9), lg.t, 1.0)[:, None]
        w_now = self.smile.implied_vol(base_k, t0)
        w_then = self.smile.implied_vol(np.log(k / f_spx), tl)
        sig_spx = lg.iv[:, None] * w_then / w_now * vix_ratio
        sig = np.where(lg.is_vix[:, None], lg.iv[:, None], sig_spx)
        fwd = np.where(lg.is_vix[:, None], f_vix, f_spx)
        price = black76_price(fwd, k, tl, self.rate, np.where(live, sig, 0.2), call)
        under = np.where(lg.is_vix[:, None], vix[None, :], spx[None, :])
        intrinsic = np.maximum(np.where(call, under - k, k - under), 0.0)
        return np.asarray(np.where(live, price, intrinsic), dtype=np.float64)

    def value(self, spx: FloatArray, vix: FloatArray, dt: float) -> FloatArray:
        """Value per unit with the mark's residual (module notes), shape (legs, scenarios)."""
        lg = self.legs
        share = np.where(lg.t > 1e-9, np.clip((lg.t - dt) / np.where(lg.t > 0, lg.t, 1.0), 0, 1), 0)
        return self._model(spx, vix, dt) + (self.residual * share)[:, None]


def _grid(spot: float, strikes: Sequence[float], width: float, points: int) -> FloatArray:
    lo, hi = spot * (1.0 - width), spot * (1.0 + width)
    inside = [k for k in strikes if lo <= k <= hi]
    return np.unique(np.concatenate((np.linspace(lo, hi, points), [spot], inside)))


def _groups(positions: Sequence[Position]) -> list[str]:
    layers = sorted({p.label for p in positions if p.kind != "condor"})
    head = ["condor"] if any(p.kind == "condor" for p in positions) else []
    return [*head, *(["hedges"] if layers else []), *layers, "total"]


def risk_graph(
    positions: Sequence[Position],
    markets: Markets,
    as_of: pd.Timestamp,
    *,
    days: int = T_PLUS_DAYS,
    width: float = 0.15,
    points: int = 121,
    shock: Shock | None = None,
) -> RiskGraph:
    """Risk graph of ``positions`` (the book open at ``as_of``'s close) on ``markets``.

    Parameters
    ----------
    positions : sequence of Position
        Every position open that day (``entry_price`` index points per unit,
        negative for a credit).
    markets : Markets
        The run's markets: quotes, inputs and surface calibration of ``as_of``.
    as_of : Timestamp
        The day the book is marked (the run's last day).
    days : int
        Calendar days of the intermediate horizon ``T+days`` (dropped when not
        before the condor expiry).
    width : float
        Half-width of the SPX grid as a fraction of the close.
    points : int
        Grid size before the close and the strikes are added.
    shock : Shock, optional
        Supplies ``vx_beta`` (default `Shock()`, the engine's).

    Returns
    -------
    RiskGraph

    Raises
    ------
    ValueError
        No positions, or a leg without a quote that day.
    """
    if not positions:
        raise ValueError("risk_graph needs at least one position")
    as_of = pd.Timestamp(as_of)
    legs = _quote_legs(positions, markets, as_of)
    pricer = _Pricer(legs, markets, as_of, (shock or Shock()).vx_beta)
    condors = [p for p in positions if p.kind == "condor"]
    shorts = sorted({lg.strike for p in condors for lg in p.legs if lg.ratio < 0})
    longs = sorted({lg.strike for p in condors for lg in p.legs if lg.ratio > 0})
    expiry = min(pd.Timestamp(lg.expiry) for p in (condors or positions) for lg in p.legs)
    spx = _grid(pricer.spot, [*shorts, *longs], width, points)
    vix = vix_for_spx(spx, pricer.spot, pricer.vix0)
    horizons = {"T+0": as_of}
    if as_of + pd.Timedelta(days=days) < expiry:
        horizons[f"T+{days}"] = as_of + pd.Timedelta(days=days)
    horizons["expiry"] = expiry
    cost = {p.label: 0.0 for p in positions}
    for p in positions:
        cost[p.label] += p.entry_price * p.contracts * CONTRACT_MULTIPLIER
    names = _groups(positions)
    pnl: dict[str, dict[str, FloatArray]] = {}
    for label, day in horizons.items():
        dt = max((day - as_of).days, 0) / 365.0
        dollars = pricer.value(spx, vix, dt) * (legs.qty * CONTRACT_MULTIPLIER)[:, None]
        pnl[label] = {name: _sum(dollars, legs.group, cost, name) for name in names}
    bes: dict[str, tuple[float, ...]] = {
        g: break_evens(spx, pnl["expiry"][g]) for g in ("condor", "total") if g in names
    }
    hedge_rows = ~np.array([g == "condor" for g in legs.group])
    return RiskGraph(
        spx=spx,
        vix=vix,
        pnl=pnl,
        horizons=horizons,
        as_of=as_of,
        expiry=expiry,
        spot=pricer.spot,
        vix0=pricer.vix0,
        marked_value=float(np.sum(legs.mid * legs.qty) * CONTRACT_MULTIPLIER),
        cost_basis=float(sum(cost.values())),
        short_strikes=tuple(shorts),
        long_strikes=tuple(longs),
        break_evens=bes,
        scenarios=_scenarios(pricer, legs, hedge_rows, cost, condors),
        origins={o: legs.origins.count(o) for o in sorted(set(legs.origins))},
    )


def _sum(dollars: FloatArray, group: list[str], cost: dict[str, float], name: str) -> FloatArray:
    if name == "total":
        pick = [True] * len(group)
    elif name == "hedges":
        pick = [g != "condor" for g in group]
    else:
        pick = [g == name for g in group]
    basis = sum(c for g, c in cost.items() if name == "total" or g == name
                or (name == "hedges" and g != "condor"))  # fmt: skip
    return np.asarray(dollars[np.array(pick)].sum(axis=0) - basis, dtype=np.float64)


def _scenarios(
    pricer: _Pricer,
    legs: _Legs,
    hedge_rows: np.ndarray,
    cost: dict[str, float],
    condors: Sequence[Position],
) -> tuple[VixScenario, ...]:
    levels = np.array(VIX_LEVELS, dtype=np.float64)
    spx = np.full(levels.shape, pricer.spot)
    dollars = pricer.value(spx, levels, 0.0) * (legs.qty * CONTRACT_MULTIPLIER)[:, None]
    today = float(np.sum((legs.mid * legs.qty)[hedge_rows]) * CONTRACT_MULTIPLIER)
    basis = sum(c for g, c in cost.items() if g != "condor")
    max_loss = sum(condor_max_loss(p) for p in condors) if condors else None
    out = []
    for j, level in enumerate(VIX_LEVELS):
        value = float(dollars[hedge_rows, j].sum())
        out.append(VixScenario(level, value, value - basis, value - today, max_loss))
    return tuple(out)
