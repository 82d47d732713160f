"""Modeled SPX option quotes: strike grid, prices, spreads and the daily calibration.

Assumptions (documented defaults)
---------------------------------
* Dividend yield ``q = 1.8 %`` per year, constant (long-run S&P 500 average;
  ``DIVIDEND_YIELD``). Forward ``F = S exp((r - q) T)``.
* Strike grid: 5-point strikes within +-15 % of spot, 25-point within +-40 %,
  100-point beyond; on each side it stops two strikes after the first whose
  out-of-the-money value is below 0.05 (so the last two have zero bids, as in
  real chains).
* Spreads (index points): half-spread ``h = max(tick, (0.05 + 0.008 mid) m_vix m_T)``
  with ``tick = 0.05`` for mids under 3.00 and 0.10 above, ``m_vix =
  sqrt(clip(VIX / 20, 0.75, 3))`` and ``m_T = 1.5`` under 7 days to expiry;
  bid rounded down and ask up to the tick, bid floored at zero. Typical of
  SPX end-of-day quotes (Cboe; e.g. a 30-day ATM option at 60.00 quotes about
  0.9 wide at VIX 20; far OTM 0.05 bid / 0.15 ask).
* Skew: SKEW where known, else 125 (``DEFAULT_SKEW``, near the 1990-2026 median
  of the Cboe SKEW index).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal, TypeAlias

import numpy as np

from vixshield._typing import FloatArray
from vixshield.markets.smile import SsviParams, eta_max
from vixshield.markets.vix_formula import expiry_moments, interpolate_variance, select_terms
from vixshield.pricing import bsm_price

__all__ = [
    "DEFAULT_SKEW",
    "DIVIDEND_YIELD",
    "TENOR_DAYS",
    "Engine",
    "SpxCalibration",
    "calibrate_spx",
    "expiry_quotes",
    "skew_path",
    "spx_bid_ask",
    "spx_strikes",
    "strike_grid",
]

DIVIDEND_YIELD = 0.018  # decimal per year, continuous (assumption, see module notes)
DEFAULT_SKEW = 125.0  # index points, used where SKEW is unknown
TENOR_DAYS: tuple[int, ...] = (9, 30, 93, 182)  # VIX9D, VIX, VIX3M, VIX6M constant maturities
_TOL_INDEX = 0.1  # vol points: calibration stops when every index is this close
_TOL_SKEW = 1.0  # SKEW points
_MIN_OTM = 0.05  # index points: grid stops past the first OTM value below this
_RHO_HI, _RHO_LO = 0.2, -0.95  # SSVI correlation swept by the skew parameter u in [0, 1]
_ETA_BASE = 1.2  # SSVI curvature while u <= 1 (typical of SPX fits; ATM/VIX about 0.8)
_U_MAX = 2.0  # u in [1, 2] raises eta from _ETA_BASE to eta_max(_RHO_LO) at rho = _RHO_LO

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
    params: SsviParams, spot: float, rate: float, q: float, t_years: float, vix: float
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
    sl = slice(lo, hi)
    n = hi - lo
    bid, ask = spx_bid_ask(np.concatenate([call[sl], put[sl]]), np.asarray(t_years), vix)
    cb, ca, pb, pa = bid[:n], ask[:n], bid[n:], ask[n:]  # one call for both sides
    return ExpiryQuotes(k[sl], fwd, iv[sl], call[sl], put[sl], cb, ca, pb, pa)


def spx_strikes(
    params: SsviParams, spot: float, rate: float, q: float, t_years: float
) -> FloatArray:
    """The truncated strike grid of one expiry, as `expiry_quotes` gives it (index points).

    Computed by the compiled kernel (`vixshield.markets._kernels`): the grid is
    priced once to find where out-of-the-money values fall below 0.05, and no
    quotes are returned. Spreads do not affect the truncation.
    """
    from vixshield.markets._kernels import model_expiry_quotes

    node_t, node_theta = _node_arrays(params)
    k = strike_grid(spot)
    lo, hi, *_ = model_expiry_quotes(
        k, spot, rate, q, t_years, 20.0, node_t, node_theta, params.rho, params.eta
    )
    return np.asarray(k[int(lo) : int(hi)], dtype=np.float64)


def _node_arrays(params: SsviParams) -> tuple[FloatArray, FloatArray]:
    return (
        np.asarray(params.node_t, dtype=np.float64),
        np.asarray(params.node_theta, dtype=np.float64),
    )


@dataclass(frozen=True)
class SpxCalibration:
    """Result of one date's calibration.

    ``targets``/``fitted`` map tenor days to index levels (vol points);
    ``skew_target``/``skew_fitted`` are SKEW index points.
    """

    params: SsviParams
    targets: dict[int, float]
    fitted: dict[int, float]
    skew_target: float
    skew_fitted: float
    iterations: int


def _moments_numpy(
    params: SsviParams, spot: float, rate: float, q: float, vix: float, t: FloatArray
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
    params: SsviParams, spot: float, rate: float, q: float, vix: float, t: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """As `_moments_numpy`, in one compiled call (`vixshield.markets._kernels`)."""
    from vixshield.markets._kernels import model_moments_many

    node_t, node_theta = _node_arrays(params)
    var, skew = model_moments_many(
        strike_grid(spot), spot, rate, q, t, vix, node_t, node_theta, params.rho, params.eta
    )
    return var, skew


_MomentsFn: TypeAlias = Callable[
    [SsviParams, float, float, float, float, FloatArray], tuple[FloatArray, FloatArray]
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
    params: SsviParams,
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


def skew_path(u: float) -> tuple[float, float]:
    """``(rho, eta)`` along the one-parameter skew path, ``u`` in [0, 2].

    ``u`` in [0, 1]: ``eta = 1.2`` and ``rho`` from 0.2 down to -0.95; ``u`` in
    [1, 2]: ``rho = -0.95`` and ``eta`` up to ``eta_max(-0.95)``. SKEW of the
    modeled chain rises monotonically along the path (about 92 to 154).
    """
    u = min(max(u, 0.0), _U_MAX)
    if u <= 1.0:
        rho = _RHO_HI + (_RHO_LO - _RHO_HI) * u
        return rho, min(_ETA_BASE, eta_max(rho))
    return _RHO_LO, _ETA_BASE + (u - 1.0) * (eta_max(_RHO_LO) - _ETA_BASE)


def _params(node_t: list[float], theta: FloatArray, u: float) -> SsviParams:
    mono = np.maximum.accumulate(theta)
    rho, eta = skew_path(u)
    return SsviParams(tuple(node_t), tuple(float(x) for x in mono), rho, eta)


def _u_guess(skew: float) -> float:
    """Starting ``u`` from the SKEW target (rough inverse of the path at VIX 20)."""
    if skew <= 136.0:
        return float(np.clip((skew - 92.0) / 44.0, 0.0, 1.0))
    return float(min(1.0 + (skew - 136.0) / 18.0, _U_MAX))


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
    """Fit the SSVI surface so the Cboe formulas on the modeled chain match the indices.

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
    proportional to theta), and the skew parameter ``u`` of `skew_path` moves by a
    bracketed secant step on the SKEW error, until every index is within 0.1
    vol points and SKEW within 1 point, or ``max_iter``. SKEW beyond the
    path's reach (about 154) ends at the path's end.
    """
    tenors = sorted(t for t in targets if np.isfinite(targets[t]))
    node_t = [t / 365.0 for t in tenors]
    theta = np.array([(targets[t] / 100.0) ** 2 * t / 365.0 * 0.7 for t in tenors])
    vix = targets[30]
    br = _brackets(np.asarray(expiry_t, dtype=np.float64), tenors)
    u, u_prev, err_prev = _u_guess(skew), float("nan"), float("nan")
    lo, hi = 0.0, _U_MAX
    fitted: dict[int, float] = {}
    skew_fit = float("nan")
    it = 0
    for it in range(1, max_iter + 1):  # noqa: B007
        params = _params(node_t, theta, u)
        fitted, skew_fit = _model_indices(params, spot, rate, q, vix, br, tenors, engine)
        errs = [abs(fitted[t] - targets[t]) for t in tenors]
        err_s = skew_fit - skew
        if max(errs) < _TOL_INDEX and abs(err_s) < _TOL_SKEW:
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
    params = _params(node_t, theta, u)
    return SpxCalibration(params, dict(targets), fitted, skew, skew_fit, it)
