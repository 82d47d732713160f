"""Numba-compiled kernels of the markets layer: the daily SPX calibration (one expiry in
one pass), the full modeled chain (all expiries in one pass) and single-option quotes.

Private module: import it lazily (it pulls in numba). The plain-numpy reference
these kernels reproduce (to rounding, 1e-12) is `vixshield.markets.spx_model.expiry_quotes`
followed by `vixshield.markets.vix_formula.expiry_moments` (calibration), with
`vixshield.pricing.bsm_greeks` / `black76_*` and the spread models (chains, quotes);
``tests/markets/test_kernels.py`` checks the two against each other.

Units: strikes, spot and quotes in index points, ``t`` in years ACT/365, rates
and the dividend yield continuously compounded per year, VIX in vol points.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from vixshield.pricing._kernels import N_GREEKS, _greeks_one, _price_one

__all__ = [
    "CHAIN_ROWS",
    "QUOTE_ROWS",
    "cboe_moments",
    "model_expiry_moments",
    "model_expiry_quotes",
    "model_moments_many",
    "spx_chain",
    "spx_quotes",
    "vix_quotes",
    "vix_quotes_at",
]

QUOTE_ROWS = ("forward", "iv", "mid", "bid", "ask", "delta", "gamma", "vega", "theta")
"""Rows of the arrays `spx_quotes` and `vix_quotes` return."""

CHAIN_ROWS = (
    "strike", "bid", "ask", "mid", "iv", "delta", "gamma", "vega", "theta", "t_years", "forward",
)  # fmt: skip
"""Rows of the array `spx_chain` returns (the float columns of a chain, in chain order)."""

_MIN_OTM = 0.05  # index points: must equal spx_model._MIN_OTM (grid truncation)
_SHORT_T = 7.0 / 365.0  # years: spreads widen by 1.5 under 7 days (spx_model.spx_bid_ask)
_VOL_POINT = 100.0  # vega per 1 vol point (pricing.black scaling)
_DAYS_PER_YEAR = 365.0  # theta per calendar day (pricing.black scaling)
# VIX option model constants: must equal vix_model's (VVIX_ATM_RATIO, _SKEW_SLOPE, _TERM_POWER)
_VVIX_ATM_RATIO = 0.85
_VIX_SKEW_SLOPE = 0.45
_VIX_TERM_POWER = -0.25
_T30 = 30.0 / 365.0


@njit(cache=True, fastmath=False, error_model="numpy")
def _theta_at(t: float, node_t: np.ndarray, node_theta: np.ndarray) -> float:
    """ATM total variance at ``t`` (as `smile.atm_total_variance`, np.interp inside)."""
    n = node_t.shape[0]
    if t < node_t[0]:
        return float(node_theta[0] * t / node_t[0])
    if t > node_t[n - 1]:
        return float(node_theta[n - 1] * t / node_t[n - 1])
    return float(np.interp(np.array([t]), node_t, node_theta)[0])


@njit(cache=True, fastmath=False, error_model="numpy")
def _w_at(k: float, theta: float, shape: np.ndarray) -> float:
    """Total variance ``theta F(k / sqrt(theta))`` (as `smile.SmileParams.total_variance`).

    ``shape = [b, rho, m, s, lam, y0, dl]``: the raw SVI of the normalised smile ``F``
    plus its put-tail hinge (`smile.shape_value`).
    """
    b, rho, m, s = shape[0], shape[1], shape[2], shape[3]
    lam, y0, dl = shape[4], shape[5], shape[6]
    y = k / math.sqrt(theta)
    d = y - m
    e = y - y0
    f = 1.0 + b * (rho * d + math.sqrt(d * d + s * s) + rho * m - math.sqrt(m * m + s * s))
    f += lam * (math.sqrt(e * e + dl * dl) - e - math.sqrt(y0 * y0 + dl * dl) - y0)
    return float(theta * f)


@njit(cache=True, fastmath=False, error_model="numpy")
def _round2(x: float) -> float:
    """``np.round(x, 2)``: round half to even at the cent."""
    return float(np.rint(x * 100.0)) / 100.0


@njit(cache=True, fastmath=False, error_model="numpy")
def _bid_ask(mid: float, scale: float) -> tuple[float, float]:
    """One side of `spx_model.spx_bid_ask` (``scale`` = VIX and short-dated widening)."""
    tick = 0.05 if mid < 3.0 else 0.10
    half = max(tick, (0.05 + 0.008 * mid) * scale)
    bid = max(math.floor((mid - half) / tick + 1e-9) * tick, 0.0)
    ask = math.ceil((mid + half) / tick - 1e-9) * tick
    return _round2(bid), _round2(ask)


@njit(cache=True, fastmath=False, error_model="numpy")
def model_expiry_quotes(
    k: np.ndarray,
    spot: float,
    rate: float,
    q: float,
    t: float,
    vix: float,
    node_t: np.ndarray,
    node_theta: np.ndarray,
    shape: np.ndarray,
    listed_sd: float,
) -> tuple[int, int, float, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Modeled quotes of one expiry on the strike grid ``k``.

    ``shape`` is the smile's parameter array (`_w_at`); strikes within
    ``listed_sd`` ATM standard deviations of the forward are always listed.

    Returns
    -------
    lo, hi : int
        The truncated grid is ``k[lo:hi]`` (see `spx_model` module notes).
    forward : float
        ``S exp((r - q) t)``, index points.
    out : ndarray, shape (3, len(k))
        Rows iv (decimal), call mid, put mid on the whole grid.
    cb, ca, pb, pa : ndarray
        Call/put bid and ask on ``k[lo:hi]``, index points.
    """
    n = k.shape[0]
    fwd = spot * math.exp((rate - q) * t)
    disc = math.exp(-rate * t)
    theta = _theta_at(t, node_t, node_theta)
    out = np.empty((3, n))
    for i in range(n):
        out[0, i] = math.sqrt(_w_at(math.log(k[i] / fwd), theta, shape) / t)
    sd = listed_sd * math.sqrt(theta)
    lo, hi, cb, ca, pb, pa = _price_grid(k, spot, rate, q, t, vix, fwd, disc, out, sd)
    return lo, hi, fwd, out, cb, ca, pb, pa


@njit(cache=True, fastmath=False, error_model="numpy")
def _price_grid(
    k: np.ndarray,
    spot: float,
    rate: float,
    q: float,
    t: float,
    vix: float,
    fwd: float,
    disc: float,
    out: np.ndarray,
    listed: float,
) -> tuple[int, int, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Prices, truncation and spreads of one expiry given its vols (`model_expiry_quotes`).

    ``out`` has shape (3, len(k)) with row 0 the vols (decimal); rows 1-2 get the
    call and put (parity) mids. ``fwd = S e^{(r-q)t}``, ``disc = e^{-rt}``;
    strikes with ``|ln(K/F)| <= listed`` are kept whatever their value.
    Returns ``lo, hi`` (the grid kept is ``k[lo:hi]``) and call/put bid, ask there.
    """
    n = k.shape[0]
    lo = 0
    hi = n
    first_above = True
    for i in range(n):
        call = _price_one(spot, k[i], t, rate, q, out[0, i], 1.0)
        put = max(call - disc * (fwd - k[i]), 0.0)
        out[1, i] = call
        out[2, i] = put
        if k[i] < fwd:
            if put < _MIN_OTM:
                lo = max(i - 1, 0)
        elif call < _MIN_OTM and first_above:
            hi = min(i + 2, n)
            first_above = False
    k_lo = fwd * math.exp(-listed)
    k_hi = fwd * math.exp(listed)
    for i in range(n):
        if k[i] >= k_lo:
            lo = min(lo, i)
            break
    for i in range(n - 1, -1, -1):
        if k[i] <= k_hi:
            hi = max(hi, i + 1)
            break
    scale = math.sqrt(min(max(vix / 20.0, 0.75), 3.0)) * (1.5 if t < _SHORT_T else 1.0)
    m = hi - lo
    cb = np.empty(m)
    ca = np.empty(m)
    pb = np.empty(m)
    pa = np.empty(m)
    for j in range(m):
        cb[j], ca[j] = _bid_ask(out[1, lo + j], scale)
        pb[j], pa[j] = _bid_ask(out[2, lo + j], scale)
    return lo, hi, cb, ca, pb, pa


@njit(cache=True, fastmath=False, error_model="numpy")
def _keep_side(bids: np.ndarray, idx: np.ndarray, keep: np.ndarray) -> None:
    """Cboe cut-off walking ``idx`` away from K0: skip zero bids, stop after two in a row."""
    m = idx.shape[0]
    for p in range(m):
        zero = not (bids[idx[p]] > 0.0)  # NaN bids count as zero bids
        if zero:
            if p + 1 < m and not (bids[idx[p + 1]] > 0.0):
                return
            continue
        keep[idx[p]] = True


@njit(cache=True, fastmath=False, error_model="numpy")
def cboe_moments(
    k: np.ndarray,
    cb: np.ndarray,
    ca: np.ndarray,
    pb: np.ndarray,
    pa: np.ndarray,
    t: float,
    rate: float,
) -> tuple[float, float, float, float, int]:
    """Cboe variance and SKEW skewness of one expiry (as `vix_formula.expiry_moments`).

    Returns ``(variance, skewness, forward, k0, n_strikes)``; NaNs where the
    reference gives NaN.
    """
    n = k.shape[0]
    nan = math.nan
    growth = math.exp(rate * t)
    # forward from the strike with the smallest |call mid - put mid| (both bids > 0 first)
    j = -1
    best = math.inf
    for pass_ in range(2):
        for i in range(n):
            d = abs(0.5 * (cb[i] + ca[i]) - 0.5 * (pb[i] + pa[i]))
            if not math.isfinite(d):
                continue
            if pass_ == 0 and not (cb[i] > 0.0 and pb[i] > 0.0):
                continue
            if d < best or j < 0:
                best = d
                j = i
        if j >= 0:
            break
    if j < 0:
        return nan, nan, nan, nan, 0
    fwd = k[j] + growth * (0.5 * (cb[j] + ca[j]) - 0.5 * (pb[j] + pa[j]))
    i0 = 0
    for i in range(n):
        if k[i] <= fwd:
            i0 = i
    k0 = k[i0]
    keep = np.zeros(n, dtype=np.bool_)
    keep[i0] = True
    _keep_side(pb, np.arange(i0 - 1, -1, -1), keep)
    _keep_side(cb, np.arange(i0 + 1, n), keep)
    m = 0
    for i in range(n):
        if keep[i]:
            m += 1
    if m < 2:
        return nan, nan, fwd, k0, m
    ks = np.empty(m)
    qs = np.empty(m)
    c = 0
    for i in range(n):
        if keep[i]:
            ks[c] = k[i]
            if i < i0:
                qs[c] = 0.5 * (pb[i] + pa[i])
            elif i > i0:
                qs[c] = 0.5 * (cb[i] + ca[i])
            else:
                qs[c] = 0.5 * (0.5 * (pb[i] + pa[i]) + 0.5 * (cb[i] + ca[i]))
            c += 1
    base = np.empty(m)
    a1 = np.empty(m)
    a2 = np.empty(m)
    for i in range(m):
        if i == 0:
            dk = ks[1] - ks[0]
        elif i == m - 1:
            dk = ks[m - 1] - ks[m - 2]
        else:
            dk = 0.5 * (ks[i + 1] - ks[i - 1])
        b = dk / (ks[i] * ks[i]) * growth * qs[i]
        lk = math.log(ks[i] / fwd)
        base[i] = b
        a1[i] = 2.0 * (1.0 - lk) * b
        a2[i] = 3.0 * (2.0 * lk - lk * lk) * b
    s0 = base.sum()  # numpy's pairwise sum, as in the reference
    variance = 2.0 / t * s0 - (fwd / k0 - 1.0) ** 2 / t
    l0 = math.log(k0 / fwd)
    e1 = -(1.0 + math.log(fwd / k0) - fwd / k0)
    e2 = 2.0 * l0 * (fwd / k0 - 1.0) + 0.5 * l0 * l0
    e3 = 3.0 * l0 * l0 * (l0 / 3.0 - 1.0 + fwd / k0)
    p1 = -s0 + e1
    p2 = a1.sum() + e2
    p3 = a2.sum() + e3
    var_m = p2 - p1 * p1
    skew = (p3 - 3.0 * p1 * p2 + 2.0 * p1**3) / var_m**1.5 if var_m > 0.0 else nan
    return variance, skew, fwd, k0, m


@njit(cache=True, fastmath=False, error_model="numpy")
def model_expiry_moments(
    k: np.ndarray,
    spot: float,
    rate: float,
    q: float,
    t: float,
    vix: float,
    node_t: np.ndarray,
    node_theta: np.ndarray,
    shape: np.ndarray,
    listed_sd: float,
) -> tuple[float, float]:
    """Cboe ``(variance, skewness)`` of one modeled expiry: quotes and formula in one call."""
    lo, hi, _, _, cb, ca, pb, pa = model_expiry_quotes(
        k, spot, rate, q, t, vix, node_t, node_theta, shape, listed_sd
    )
    var, skew, _, _, _ = cboe_moments(k[lo:hi], cb, ca, pb, pa, t, rate)
    return var, skew


@njit(cache=True, fastmath=False, error_model="numpy")
def model_moments_many(
    k: np.ndarray,
    spot: float,
    rate: float,
    q: float,
    t: np.ndarray,
    vix: float,
    node_t: np.ndarray,
    node_theta: np.ndarray,
    shape: np.ndarray,
    listed_sd: float,
) -> tuple[np.ndarray, np.ndarray]:
    """`model_expiry_moments` of several expiries ``t`` (years): arrays of variance, skewness."""
    n = t.shape[0]
    var = np.empty(n)
    skew = np.empty(n)
    for i in range(n):
        var[i], skew[i] = model_expiry_moments(
            k, spot, rate, q, t[i], vix, node_t, node_theta, shape, listed_sd
        )
    return var, skew


@njit(cache=True, fastmath=False, error_model="numpy")
def _greeks_into(
    out: np.ndarray, raw: np.ndarray, i: int, s: float, k: float, t: float, r: float, q: float,
    iv: float, w: float, black76: bool,
) -> None:  # fmt: skip
    """Rows 5-8 of ``out`` (delta, gamma, vega per vol point, theta per day) at column ``i``."""
    _greeks_one(s, k, t, r, q, iv, w, black76, raw, 0)
    out[5, i] = raw[0, 0]
    out[6, i] = raw[1, 0]
    out[7, i] = raw[2, 0] / _VOL_POINT
    out[8, i] = raw[3, 0] / _DAYS_PER_YEAR


@njit(cache=True, fastmath=False, error_model="numpy")
def spx_quotes(
    spot: float,
    rate: float,
    q: float,
    vix: float,
    k: np.ndarray,
    t: np.ndarray,
    call: np.ndarray,
    node_t: np.ndarray,
    node_theta: np.ndarray,
    shape: np.ndarray,
) -> np.ndarray:
    """Modeled SPX quotes of single options (the `Markets.quote` path), rows `QUOTE_ROWS`.

    Reference (numpy): ``F = S e^{(r-q)T}``, ``iv = SmileParams.implied_vol(ln(K/F), T)``,
    ``mid = bsm_price``, greeks ``bsm_greeks``, ``bid, ask = spx_model.spx_bid_ask``.
    ``t`` must be positive (years); ``call`` boolean.
    """
    n = k.shape[0]
    out = np.empty((len(QUOTE_ROWS), n))
    raw = np.empty((N_GREEKS, 1))
    vix_scale = math.sqrt(min(max(vix / 20.0, 0.75), 3.0))
    for i in range(n):
        ti = t[i]
        fwd = spot * math.exp((rate - q) * ti)
        theta = _theta_at(ti, node_t, node_theta)
        iv = math.sqrt(_w_at(math.log(k[i] / fwd), theta, shape) / ti)
        w = 1.0 if call[i] else -1.0
        mid = _price_one(spot, k[i], ti, rate, q, iv, w)
        out[0, i] = fwd
        out[1, i] = iv
        out[2, i] = mid
        out[3, i], out[4, i] = _bid_ask(mid, vix_scale * (1.5 if ti < _SHORT_T else 1.0))
        _greeks_into(out, raw, i, spot, k[i], ti, rate, q, iv, w, False)
    return out


@njit(cache=True, fastmath=False, error_model="numpy")
def spx_chain(
    k: np.ndarray,
    spot: float,
    rate: float,
    q: float,
    vix: float,
    t: np.ndarray,
    fwd: np.ndarray,
    disc: np.ndarray,
    iv: np.ndarray,
    listed: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """The modeled SPX chain of several expiries in one pass, rows `CHAIN_ROWS`.

    Expiry ``e`` (``t[e]`` years, positive; forward ``fwd[e] = S e^{(r-q)t}``,
    discount ``disc[e] = e^{-rt}``; model vols ``iv[e]`` on the grid ``k``; strikes
    within log-moneyness ``listed[e]`` always kept) is
    priced, truncated and spread as in `model_expiry_quotes`, with BSM greeks
    (delta, gamma, vega per vol point, theta per calendar day) at the model vol.
    Its rows are the calls then the puts, each by increasing strike; the
    expiries follow the order of ``t``.

    Reference (numpy): per expiry ``spx_model.expiry_quotes`` and
    ``pricing.bsm_greeks`` on its strikes twice (calls, then puts).

    Returns
    -------
    n_strikes : ndarray of int64, shape (len(t),)
        Strikes kept per expiry (the expiry has ``2 n_strikes`` rows).
    out : ndarray, shape (len(CHAIN_ROWS), rows)
        The float columns of the chain, C-contiguous rows.
    """
    n_exp = t.shape[0]
    n = k.shape[0]
    n_strikes = np.empty(n_exp, dtype=np.int64)
    grids = np.empty((n_exp, 3, n))
    parts = []
    total = 0
    for e in range(n_exp):
        grids[e, 0, :] = iv[e]
        part = _price_grid(k, spot, rate, q, t[e], vix, fwd[e], disc[e], grids[e], listed[e])
        n_strikes[e] = part[1] - part[0]
        total += 2 * n_strikes[e]
        parts.append(part)
    out = np.empty((len(CHAIN_ROWS), total))
    raw = np.empty((N_GREEKS, 1))
    r = 0
    for e in range(n_exp):
        lo, hi, cb, ca, pb, pa = parts[e]
        te = t[e]
        for side in range(2):
            w = 1.0 if side == 0 else -1.0
            bids = cb if side == 0 else pb
            asks = ca if side == 0 else pa
            for j in range(hi - lo):
                i = lo + j
                vol = grids[e, 0, i]
                out[0, r] = k[i]
                out[1, r] = bids[j]
                out[2, r] = asks[j]
                out[3, r] = grids[e, 1 + side, i]
                out[4, r] = vol
                _greeks_one(spot, k[i], te, rate, q, vol, w, False, raw, 0)
                out[5, r] = raw[0, 0]
                out[6, r] = raw[1, 0]
                out[7, r] = raw[2, 0] / _VOL_POINT
                out[8, r] = raw[3, 0] / _DAYS_PER_YEAR
                out[9, r] = te
                out[10, r] = fwd[e]
                r += 1
    return n_strikes, out


@njit(cache=True, fastmath=False, error_model="numpy")
def _vix_bid_ask(mid: float, scale: float) -> tuple[float, float]:
    """One option of `vix_model.vix_option_bid_ask` (``scale = sqrt(clip(VVIX / 90))``)."""
    tick = 0.05
    half = max(tick, (0.03 + 0.03 * mid) * scale)
    bid = max(math.floor((mid - half) / tick + 1e-9) * tick, 0.0)
    ask = math.ceil((mid + half) / tick - 1e-9) * tick
    return _round2(bid), _round2(ask)


@njit(cache=True, fastmath=False, error_model="numpy")
def vix_quotes(
    rate: float, vvix: float, f: np.ndarray, k: np.ndarray, t: np.ndarray, call: np.ndarray
) -> np.ndarray:
    """Modeled VIX option quotes (Black-76 on the VX future ``f``), rows `QUOTE_ROWS`.

    Reference (numpy): ``iv = vix_model.vix_option_vol``, ``mid = black76_price``,
    greeks ``black76_greeks``, ``bid, ask = vix_model.vix_option_bid_ask``.
    """
    n = k.shape[0]
    iv = np.empty(n)
    base = _VVIX_ATM_RATIO * vvix / 100.0
    for i in range(n):
        term = min(max((max(t[i], 1e-6) / _T30) ** _VIX_TERM_POWER, 0.5), 2.0)
        atm = base * term
        iv[i] = max(atm * (1.0 + _VIX_SKEW_SLOPE * math.log(k[i] / f[i])), 0.6 * atm)
    return vix_quotes_at(rate, vvix, f, k, t, call, iv)


@njit(cache=True, fastmath=False, error_model="numpy")
def vix_quotes_at(
    rate: float,
    vvix: float,
    f: np.ndarray,
    k: np.ndarray,
    t: np.ndarray,
    call: np.ndarray,
    iv: np.ndarray,
) -> np.ndarray:
    """`vix_quotes` at given vols ``iv`` (decimal; the model's, `vix_model.vix_option_vol`)."""
    n = k.shape[0]
    out = np.empty((len(QUOTE_ROWS), n))
    raw = np.empty((N_GREEKS, 1))
    scale = math.sqrt(min(max(vvix / 90.0, 0.7), 2.5))
    for i in range(n):
        ti = t[i]
        w = 1.0 if call[i] else -1.0
        mid = _price_one(f[i], k[i], ti, rate, rate, iv[i], w)
        out[0, i] = f[i]
        out[1, i] = iv[i]
        out[2, i] = mid
        out[3, i], out[4, i] = _vix_bid_ask(mid, scale)
        _greeks_into(out, raw, i, f[i], k[i], ti, rate, rate, iv[i], w, True)
    return out
