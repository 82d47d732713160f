"""Modeled SPX option quotes: strike grid, prices, spreads and the daily calibration.

Assumptions (documented defaults)
---------------------------------
* Dividend yield ``q = 1.8 %`` per year, constant (long-run S&P 500 average;
  ``DIVIDEND_YIELD``). Forward ``F = S exp((r - q) T)``.
* Strike grid: 5-point strikes within +-15 % of spot, 25-point within +-40 %,
  100-point beyond. Listed on each side out to the farther of (a) two strikes
  past the first whose out-of-the-money value is below 0.05 (so the last two
  have zero bids, as in real chains) and (b) ``LISTED_SD = 5`` at-the-money
  standard deviations ``sqrt(theta(T))`` from the forward (Cboe lists SPX
  strikes far beyond where options are worth a tick; such strikes quote a zero
  bid, as in real chains).
* Spreads (index points): half-spread ``h = max(tick, (0.05 + 0.008 mid) m_vix m_T)``
  with ``tick = 0.05`` for mids under 3.00 and 0.10 above, ``m_vix =
  sqrt(clip(VIX / 20, 0.75, 3))`` and ``m_T = 1.5`` under 7 days to expiry;
  bid rounded down and ask up to the tick, bid floored at zero. Typical of
  SPX end-of-day quotes (Cboe; e.g. a 30-day ATM option at 60.00 quotes about
  0.9 wide at VIX 20; far OTM 0.05 bid / 0.15 ask).
* Skew: SKEW where known, else 125 (``DEFAULT_SKEW``, near the 1990-2026 median
  of the Cboe SKEW index). One skew parameter ``u`` moves the put side of the
  smile (`skew_shape`): put wing slope ``p = c + 1.2 u``, at-the-money slope
  ``F'(0) = -0.55 u`` per standard deviation, while the call wing keeps its
  slope ``c = 0.30`` and the smile's minimum stays at ``1 - 0.4 min(u, 1)`` of the
  at-the-money variance (about 77 % of the ATM volatility from ``u = 1`` on).
  Reference shape (``u = 1``, a 30-day smile at VIX 15): the 5 % out-of-the-money
  put at 1.42x and the 10 % put at 1.9x the ATM vol, the +1 standard deviation
  call at 0.81x, flattening beyond (+2 to +3 SD at 0.78-0.80x), as SPX smiles
  look in Cboe end-of-day data (e.g. the 25-delta risk reversal of 6-8 vol
  points at one month; call wings flat to rising past +5 %: Gatheral 2006,
  "The Volatility Surface", figs. 3.2-3.4; Cboe's SKEW white paper, 2010).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Literal, TypeAlias

import numpy as np

from vixshield._typing import FloatArray
from vixshield.markets.smile import (
    SmileParams,
    SmileShape,
    atm_total_variance,
    butterfly_margin,
    calendar_margin,
    jump_wings_to_raw,
)
from vixshield.markets.vix_formula import expiry_moments, interpolate_variance, select_terms
from vixshield.pricing import bsm_price

__all__ = [
    "DEFAULT_SKEW",
    "DIVIDEND_YIELD",
    "LISTED_SD",
    "TENOR_DAYS",
    "Engine",
    "SpxCalibration",
    "calibrate_spx",
    "expiry_quotes",
    "skew_reach",
    "skew_shape",
    "spx_bid_ask",
    "spx_strikes",
    "strike_grid",
    "truncated_strikes",
]

DIVIDEND_YIELD = 0.018  # decimal per year, continuous (assumption, see module notes)
DEFAULT_SKEW = 125.0  # index points, used where SKEW is unknown
TENOR_DAYS: tuple[int, ...] = (9, 30, 93, 182)  # VIX9D, VIX, VIX3M, VIX6M constant maturities
_TOL_INDEX = 0.1  # vol points: calibration stops when every index is this close
_TOL_SKEW = 1.0  # SKEW points
_MIN_OTM = 0.05  # index points: grid stops past the first OTM value below this
LISTED_SD = 5.0  # ATM standard deviations of strikes listed on each side at least
_CALL_WING = 0.30  # call wing slope of F per standard deviation (module notes)
_PUT_WING_PER_U = 1.2  # put wing slope added per unit of u
_ATM_SLOPE_PER_U = -0.55  # F'(0) per unit of u
_MIN_DEPTH = 0.4  # 1 - F_min at u >= 1
_U_SVI = 1.5  # beyond this u only the put-tail hinge grows
_TAIL_PER_U = 0.5  # hinge weight per unit of u past _U_SVI
_U_MIN, _U_MAX = 0.02, 8.0  # skew parameter range
_MIN_BUTTERFLY = 0.005  # least Durrleman margin a calibrated smile keeps

Engine: TypeAlias = Literal["numba", "numpy"]
"""How the calibration evaluates the Cboe formulas: compiled kernel or numpy reference."""


@lru_cache(maxsize=4096)
def strike_grid(spot: float) -> FloatArray:
    """Candidate strikes: 5 pt within +-15 % of spot, 25 pt within +-40 %, 100 pt to 0.05x..3x."""
    far = np.arange(100.0, 3.0 * spot + 100.0, 100.0)
    mid = np.arange(np.floor(0.6 * spot / 25) * 25, 1.4 * spot + 25.0, 25.0)
    near = np.arange(np.floor(0.85 * spot / 5) * 5, 1.15 * spot + 5.0, 5.0)
    grid = np.unique(np.concatenate([far[far >= 0.05 * spot], mid[mid > 0], near[near > 0]]))
    grid.setflags(write=False)  # cached: shared between calls
    return np.asarray(grid, dtype=np.float64)


def spx_bid_ask(mid: FloatArray, t_years: FloatArray, vix: float) -> tuple[FloatArray, FloatArray]:
    """Bid and ask around a model mid, index points (see module notes for the model)."""
    mid = np.asarray(mid, dtype=np.float64)
    t = np.asarray(t_years, dtype=np.float64)
    tick = np.where(mid < 3.0, 0.05, 0.10)
    scale = np.sqrt(np.clip(vix / 20.0, 0.75, 3.0)) * np.where(t < 7.0 / 365.0, 1.5, 1.0)
    half = np.maximum(tick, (0.05 + 0.008 * mid) * scale)
    bid = np.maximum(np.floor((mid - half) / tick + 1e-9) * tick, 0.0)
    ask = np.ceil((mid + half) / tick - 1e-9) * tick
    return np.round(bid, 2), np.round(ask, 2)


@dataclass(frozen=True)
class ExpiryQuotes:
    """Modeled quotes of one expiry on the strike grid (arrays by strike)."""

    strike: FloatArray
    forward: float
    iv: FloatArray
    call_mid: FloatArray
    put_mid: FloatArray
    call_bid: FloatArray
    call_ask: FloatArray
    put_bid: FloatArray
    put_ask: FloatArray


def expiry_quotes(
    params: SmileParams, spot: float, rate: float, q: float, t_years: float, vix: float
) -> ExpiryQuotes:
    """Price one expiry on the truncated strike grid (see module notes)."""
    fwd = spot * float(np.exp((rate - q) * t_years))
    k = strike_grid(spot)
    iv = params.implied_vol(np.log(k / fwd), t_years)
    call = bsm_price(spot, k, t_years, rate, q, iv, True)
    put = np.maximum(call - np.exp(-rate * t_years) * (fwd - k), 0.0)  # put-call parity
    otm = np.where(k < fwd, put, call)
    below = np.nonzero((otm < _MIN_OTM) & (k < fwd))[0]
    above = np.nonzero((otm < _MIN_OTM) & (k >= fwd))[0]
    lo = max(int(below[-1]) - 1, 0) if below.size else 0
    hi = min(int(above[0]) + 2, k.size) if above.size else k.size
    sd = float(np.sqrt(atm_total_variance(t_years, params.node_t, params.node_theta)))
    lo = min(lo, int(np.searchsorted(k, fwd * np.exp(-LISTED_SD * sd))))
    hi = max(hi, int(np.searchsorted(k, fwd * np.exp(LISTED_SD * sd), side="right")))
    sl = slice(lo, hi)
    n = hi - lo
    bid, ask = spx_bid_ask(np.concatenate([call[sl], put[sl]]), np.asarray(t_years), vix)
    cb, ca, pb, pa = bid[:n], ask[:n], bid[n:], ask[n:]  # one call for both sides
    return ExpiryQuotes(k[sl], fwd, iv[sl], call[sl], put[sl], cb, ca, pb, pa)


def spx_strikes(
    params: SmileParams, spot: float, rate: float, q: float, t_years: float
) -> FloatArray:
    """The truncated strike grid of one expiry, as `expiry_quotes` gives it (index points).

    Computed by the compiled kernel (`vixshield.markets._kernels`): the grid is
    priced once to find where out-of-the-money values fall below 0.05, and no
    quotes are returned. Spreads do not affect the truncation.
    """
    node_t, node_theta = _node_arrays(params)
    return truncated_strikes(spot, rate, q, t_years, node_t, node_theta, params.shape.as_array())


def truncated_strikes(
    spot: float,
    rate: float,
    q: float,
    t_years: float,
    node_t: FloatArray,
    node_theta: FloatArray,
    shape: FloatArray,
) -> FloatArray:
    """`spx_strikes` on the smile as the kernels take it (`SmileParams.node_t`,
    ``node_theta`` as float64 arrays and `SmileShape.as_array`), for a caller that
    holds them already (`spx_source.ModeledSpx`, once per calibration)."""
    from vixshield.markets._kernels import model_expiry_quotes

    k = strike_grid(spot)
    lo, hi, *_ = model_expiry_quotes(
        k, spot, rate, q, t_years, 20.0, node_t, node_theta, shape, LISTED_SD
    )
    return np.asarray(k[int(lo) : int(hi)], dtype=np.float64)


def _node_arrays(params: SmileParams) -> tuple[FloatArray, FloatArray]:
    return (
        np.asarray(params.node_t, dtype=np.float64),
        np.asarray(params.node_theta, dtype=np.float64),
    )


@dataclass(frozen=True)
class SpxCalibration:
    """Result of one date's calibration.

    ``targets``/``fitted`` map tenor days to index levels (vol points);
    ``skew_target``/``skew_fitted`` are SKEW index points. ``skew_reach`` is the
    largest skew parameter the date's longest expiry allows (`skew_reach`) and
    ``skew_capped`` says the SKEW target lay beyond it (the fit stops there,
    and `Markets` reports it). ``butterfly`` and ``calendar`` are the fitted
    smile's arbitrage margins (`smile.butterfly_margin` at the longest expiry's
    ATM variance, `smile.calendar_margin`); both are positive.
    """

    params: SmileParams
    targets: dict[int, float]
    fitted: dict[int, float]
    skew_target: float
    skew_fitted: float
    iterations: int
    skew_reach: float = _U_MAX
    skew_capped: bool = False
    butterfly: float = float("nan")
    calendar: float = float("nan")

    @property
    def skew_error(self) -> float:
        """Fitted minus target SKEW, index points."""
        return self.skew_fitted - self.skew_target


def _moments_numpy(
    params: SmileParams, spot: float, rate: float, q: float, vix: float, t: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Cboe variances and skewnesses of modeled expiries ``t``, plain numpy (the reference)."""
    var = np.empty(t.size)
    skew = np.empty(t.size)
    for n, ti in enumerate(t.tolist()):
        eq = expiry_quotes(params, spot, rate, q, ti, vix)
        m = expiry_moments(eq.strike, eq.call_bid, eq.call_ask, eq.put_bid, eq.put_ask, ti, rate)
        var[n], skew[n] = m.variance, m.skewness
    return var, skew


def _moments_numba(
    params: SmileParams, spot: float, rate: float, q: float, vix: float, t: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """As `_moments_numpy`, in one compiled call (`vixshield.markets._kernels`)."""
    from vixshield.markets._kernels import model_moments_many

    node_t, node_theta = _node_arrays(params)
    var, skew = model_moments_many(
        strike_grid(spot),
        spot,
        rate,
        q,
        t,
        vix,
        node_t,
        node_theta,
        params.shape.as_array(),
        LISTED_SD,
    )
    return var, skew


_MomentsFn: TypeAlias = Callable[
    [SmileParams, float, float, float, float, FloatArray], tuple[FloatArray, FloatArray]
]
_ENGINES: dict[str, _MomentsFn] = {"numba": _moments_numba, "numpy": _moments_numpy}


@dataclass(frozen=True)
class _Brackets:
    """Which expiries the Cboe interpolation uses, fixed for a date (they do not move with
    the surface): ``pairs[n]`` are positions in ``t`` of tenor ``n``'s near/next terms,
    the last pair the 30-day SKEW's."""

    t: FloatArray
    pairs: tuple[tuple[int, int], ...]


def _brackets(expiry_t: FloatArray, tenors: list[int]) -> _Brackets:
    raw = [select_terms(expiry_t, tenor / 365.0) for tenor in [*tenors, 30]]
    used = sorted({i for pair in raw for i in pair})
    pos = {i: n for n, i in enumerate(used)}
    t = np.array([float(expiry_t[i]) for i in used], dtype=np.float64)
    return _Brackets(t, tuple((pos[i], pos[j]) for i, j in raw))


def _model_indices(
    params: SmileParams,
    spot: float,
    rate: float,
    q: float,
    vix: float,
    br: _Brackets,
    tenors: list[int],
    engine: Engine = "numba",
) -> tuple[dict[int, float], float]:
    var_a, skew_a = _ENGINES[engine](params, spot, rate, q, vix, br.t)
    t_l, var, skew = br.t.tolist(), var_a.tolist(), skew_a.tolist()
    out: dict[int, float] = {}
    for tenor, (i, j) in zip(tenors, br.pairs, strict=False):
        tau = tenor / 365.0
        v = interpolate_variance(t_l[i], var[i], t_l[j], var[j], tau)
        out[tenor] = 100.0 * float(np.sqrt(max(v, 0.0)))
    tau = 30 / 365.0
    i, j = br.pairs[-1]
    t1, t2 = t_l[i], t_l[j]
    w = 1.0 if t1 == t2 else (t2 - tau) / (t2 - t1)
    return out, 100.0 - 10.0 * (w * skew[i] + (1.0 - w) * skew[j])


def skew_shape(u: float) -> SmileShape:
    """The normalised smile ``F`` at skew parameter ``u`` (clipped to [0.02, 8]).

    Jump-wings features (`vixshield.markets.smile.jump_wings_to_raw`) at
    ``v = min(u, 1.5)``: ATM slope ``2 psi = -0.55 v``, put wing ``p = 0.30 +
    1.2 v``, call wing ``c = 0.30``, minimum ``F_min = 1 - 0.4 min(v, 1)``; past
    ``u = 1.5`` the put-tail hinge at -3 standard deviations grows, ``lam = 0.5
    (u - 1.5)``, and nothing else moves. SKEW of the modeled chain rises
    monotonically with ``u`` (about 100 to 180 at VIX 12-20); the calendar
    margin is positive over the whole range and the butterfly margin where
    `skew_reach` allows (``tests/markets/test_surface.py``).
    """
    u = min(max(u, _U_MIN), _U_MAX)
    v = min(u, _U_SVI)
    base = jump_wings_to_raw(
        0.5 * _ATM_SLOPE_PER_U * v,
        _CALL_WING + _PUT_WING_PER_U * v,
        _CALL_WING,
        1.0 - _MIN_DEPTH * min(v, 1.0),
    )
    return replace(base, lam=_TAIL_PER_U * max(u - _U_SVI, 0.0))


def skew_reach(theta_max: float) -> float:
    """Largest skew parameter ``u`` whose smile is butterfly-free up to ATM variance ``theta_max``.

    Durrleman's margin falls with ``theta`` (`vixshield.markets.smile.butterfly_margin`),
    so the longest listed expiry bounds the skew a date's surface may take.
    ``theta_max`` is rounded up to 0.01 (conservative) and the answer cached.
    """
    return _skew_reach(max(int(np.ceil(theta_max * 100.0)), 1))


@lru_cache(maxsize=256)
def _skew_reach(theta_cents: int) -> float:
    theta = theta_cents / 100.0
    lo, hi = _U_SVI, _U_MAX
    if butterfly_margin(skew_shape(lo), theta) < _MIN_BUTTERFLY:
        lo, hi = _U_MIN, _U_SVI
        if butterfly_margin(skew_shape(lo), theta) < _MIN_BUTTERFLY:
            return _U_MIN
    if butterfly_margin(skew_shape(hi), theta) >= _MIN_BUTTERFLY:
        return hi
    for _ in range(20):  # bisection to ~1e-5 in u: the margin falls with u on each piece
        mid = 0.5 * (lo + hi)
        if butterfly_margin(skew_shape(mid), theta) >= _MIN_BUTTERFLY:
            lo = mid
        else:
            hi = mid
    return lo


def _params(node_t: list[float], theta: FloatArray, u: float) -> SmileParams:
    mono = np.maximum.accumulate(theta)
    return SmileParams(tuple(node_t), tuple(float(x) for x in mono), skew_shape(u))


def _u_guess(skew: float) -> float:
    """Starting ``u`` from the SKEW target (rough inverse of the path at VIX 20)."""
    return float(np.clip((skew - 100.0) / 30.0, _U_MIN, _U_MAX))


def calibrate_spx(
    spot: float,
    rate: float,
    targets: dict[int, float],
    skew: float,
    expiry_t: FloatArray,
    q: float = DIVIDEND_YIELD,
    max_iter: int = 40,
    *,
    engine: Engine = "numba",
) -> SpxCalibration:
    """Fit the surface so the Cboe formulas on the modeled chain match the indices.

    Parameters
    ----------
    spot : float
        SPX close, index points.
    rate : float
        Risk-free rate, decimal per year.
    targets : dict
        Tenor in days (keys of `TENOR_DAYS`) -> index level (vol points); 30 required.
    skew : float
        SKEW index target (points).
    expiry_t : ndarray
        Times to the listed expiries, years (the expiries the Cboe formulas use).
    q : float
        Dividend yield, decimal per year.
    max_iter : int
        Most fixed-point iterations.
    engine : {"numba", "numpy"}
        ``"numba"`` (default) prices each expiry and applies the Cboe formulas in
        one compiled pass (`vixshield.markets._kernels`); ``"numpy"`` uses the
        plain reference `expiry_quotes` + `expiry_moments` (same results to
        rounding).

    Notes
    -----
    A fixed-point iteration on the discrete formulas themselves: each ATM node
    ``theta_i`` is scaled by ``(target_i / model_i)^2`` (model VIX^2 is close to
    proportional to theta), and the skew parameter ``u`` of `skew_shape` moves by a
    bracketed secant step on the SKEW error, until every index is within 0.1
    vol points and SKEW within 1 point, or ``max_iter``; the best surface evaluated
    (least error relative to those tolerances) is returned. ``u`` stays within
    `skew_reach` of the longest expiry's ATM variance (taken at the longest
    index's level, an upper bound: ATM variance lies below the index's), so the
    smile stays butterfly-free there; a SKEW beyond it ends at the reach with
    ``skew_capped`` set.
    """
    tenors = sorted(t for t in targets if np.isfinite(targets[t]))
    node_t = [t / 365.0 for t in tenors]
    theta = np.array([(targets[t] / 100.0) ** 2 * t / 365.0 * 0.7 for t in tenors])
    vix = targets[30]
    exp_t = np.asarray(expiry_t, dtype=np.float64)
    br = _brackets(exp_t, tenors)
    t_max = max(float(exp_t.max()) if exp_t.size else 0.0, node_t[-1])
    # ATM variance of the longest expiry, bounded above by the longest index's (flat past it)
    reach = skew_reach((targets[tenors[-1]] / 100.0) ** 2 * t_max)
    u, u_prev, err_prev = min(_u_guess(skew), reach), float("nan"), float("nan")
    lo, hi = _U_MIN, reach
    fitted: dict[int, float] = {}
    skew_fit = float("nan")
    it = 0
    best: tuple[float, SmileParams, dict[int, float], float, float] | None = None
    for it in range(1, max_iter + 1):  # noqa: B007
        params = _params(node_t, theta, u)
        fitted, skew_fit = _model_indices(params, spot, rate, q, vix, br, tenors, engine)
        errs = [abs(fitted[t] - targets[t]) for t in tenors]
        err_s = skew_fit - skew
        score = max(max(errs) / _TOL_INDEX, abs(err_s) / _TOL_SKEW)
        if best is None or score < best[0]:
            best = (score, params, fitted, skew_fit, u)
        if score < 1.0:
            break
        theta = theta * np.array([(targets[t] / fitted[t]) ** 2 for t in tenors])
        if abs(err_s) < _TOL_SKEW:
            continue
        # SKEW rises with u: keep a bracket, step by secant (bisect when it leaves it).
        if err_s > 0:
            hi = min(hi, u)
        else:
            lo = max(lo, u)
        if np.isfinite(err_prev) and err_s != err_prev:
            step = u - err_s * (u - u_prev) / (err_s - err_prev)
        else:
            step = u - err_s / 40.0  # about 40 SKEW points per unit of u
        u_prev, err_prev = u, err_s
        u = step if lo < step < hi else 0.5 * (lo + hi)
        if hi - lo < 1e-6:  # SKEW out of reach: stay at the end of the path
            u = lo if err_s < 0 else hi
    # the best surface evaluated: with ticks and a coarse strike grid (SPX near 300 in
    # 1990, 5-point strikes) the discrete formulas need not converge to the tolerance
    assert best is not None
    _, params, fitted, skew_fit, u = best
    theta_long = float(atm_total_variance(t_max, params.node_t, params.node_theta))
    return SpxCalibration(
        params,
        dict(targets),
        fitted,
        skew,
        skew_fit,
        it,
        skew_reach=reach,
        skew_capped=bool(u >= reach - 1e-6 and skew_fit < skew - _TOL_SKEW),
        butterfly=butterfly_margin(params.shape, theta_long),
        calendar=calendar_margin(params.shape),
    )
