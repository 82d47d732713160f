"""The SPX implied-volatility surface: a smile in standardised moneyness (pure maths).

Total implied variance ``w(k, T)`` at log-moneyness ``k = ln(K / F_T)`` is

``w(k, T) = theta(T) F(y)``, ``y = k / sqrt(theta(T))``

where ``theta(T)`` is the at-the-money total variance (linear in ``T`` between
calibration nodes, flat volatility before the first and after the last) and
``F`` is one raw SVI function of *standardised* moneyness ``y`` (how many
at-the-money standard deviations the strike lies from the forward), normalised
so that ``F(0) = 1``:

``F(y) = 1 + b (rho (y - m) + sqrt((y - m)^2 + s^2) + rho m - sqrt(m^2 + s^2))
+ lam (h(y) - h(0))``, ``h(y) = sqrt((y - y0)^2 + d^2) - (y - y0)``

Its put wing slope ``p = b (1 - rho)``, call wing slope ``c = b (1 + rho)``,
at-the-money slope ``F'(0) = 2 psi`` and minimum ``F_min`` move independently:
they are the SVI "jump-wings" parameters of Gatheral (2004) (there for ``w``
per year; here for ``F``), and `jump_wings_to_raw` is their conversion
(Gatheral and Jacquier 2014, Lemma 3.2). The tail term ``lam h`` (a smooth
hinge at ``y0`` standard deviations, convex, adding slope ``2 lam`` to the put
wing beyond it and almost nothing to the call side) fattens the far put tail
alone: it is how the smile reaches SKEW above about 157, where SVI's single
put wing runs into the butterfly bound near the money. So the call wing no longer follows
the put wing: the first release's SSVI tied both wings to one correlation
``rho``, and at the steep skews of 2014-2026 (``rho -> -0.95``) its minimum
variance ``theta (1 - rho^2)`` fell to a tenth of the at-the-money variance,
which priced 4 % out-of-the-money calls near zero.

Shape in ``y`` means the at-the-money skew of implied volatility scales as
``T^(-1/2)`` and the smile, measured in at-the-money standard deviations, is
the same at every expiry: the empirical regularity of SPX smiles (the ATM skew
decays roughly as ``T^-0.4`` to ``T^-0.5``: Gatheral, Jaisson and Rosenbaum
2018, Fig. 1.2; Bergomi 2016, ch. 8).

Static arbitrage
----------------
* Calendar: ``dw/dT = theta'(T) (F(y) - y F'(y) / 2)`` at fixed ``k``, so with
  ``theta`` non-decreasing the surface is free of calendar arbitrage exactly
  when ``F(y) - y F'(y) / 2 >= 0`` for all ``y`` (`calendar_margin`).
* Butterfly: Durrleman's ``g(k) >= 0`` (Gatheral-Jacquier 2014, Lemma 2.2),
  which in ``y`` reads ``(1 - y F'/(2F))^2 - F'^2/(4F) - theta F'^2/16 + F''/2``
  and falls with ``theta``; `butterfly_margin` evaluates it at the largest
  ``theta`` of a surface. The skew path of `vixshield.markets.spx_model` stays
  where both margins are positive on ``y`` in [-12, 12].

References
----------
Gatheral, J. (2004). A parsimonious arbitrage-free implied volatility
parameterization. Global Derivatives & Risk Management, Madrid.
Gatheral, J. and Jacquier, A. (2014). Arbitrage-free SVI volatility surfaces.
Quantitative Finance 14(1), 59-71.
Gatheral, J., Jaisson, T. and Rosenbaum, M. (2018). Volatility is rough.
Quantitative Finance 18(6), 933-949.
Bergomi, L. (2016). Stochastic Volatility Modeling. CRC Press.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from vixshield._typing import ArrayLike, FloatArray

__all__ = [
    "SmileParams",
    "SmileShape",
    "atm_total_variance",
    "butterfly_margin",
    "calendar_margin",
    "jump_wings_to_raw",
    "shape_value",
]


@dataclass(frozen=True)
class SmileShape:
    """Raw SVI parameters of the normalised smile ``F(y)`` (see the module notes).

    Attributes
    ----------
    b : float
        Wing level, ``b > 0`` (wing slopes are ``b (1 -+ rho)`` per standard deviation).
    rho : float
        Asymmetry, in (-1, 1).
    m : float
        Horizontal shift, standard deviations.
    s : float
        Smoothness at the minimum, standard deviations, ``s > 0``.
    lam : float
        Weight of the put-tail hinge, ``>= 0`` (0: plain SVI).
    y0 : float
        Where the hinge bends, standard deviations (negative: the put side).
    d : float
        Width of the bend, standard deviations, ``d > 0``.
    """

    b: float
    rho: float
    m: float
    s: float
    lam: float = 0.0
    y0: float = -3.0
    d: float = 1.5

    def as_array(self) -> FloatArray:
        """``[b, rho, m, s, lam, y0, d]`` as the compiled kernels take it."""
        return np.array(
            [self.b, self.rho, self.m, self.s, self.lam, self.y0, self.d], dtype=np.float64
        )


def shape_value(y: ArrayLike, shape: SmileShape, order: int = 0) -> FloatArray:
    """``F(y)`` (``order`` 0) or its first or second derivative in ``y`` (1, 2)."""
    y = np.asarray(y, dtype=np.float64)
    b, rho, m, s, lam = shape.b, shape.rho, shape.m, shape.s, shape.lam
    d = y - m
    root = np.sqrt(d * d + s * s)
    e = y - shape.y0
    hinge = np.sqrt(e * e + shape.d * shape.d)
    if order == 0:
        h0 = math.hypot(shape.y0, shape.d) + shape.y0
        svi = b * (rho * d + root + rho * m - math.hypot(m, s))
        return np.asarray(1.0 + svi + lam * (hinge - e - h0))
    if order == 1:
        return np.asarray(b * (rho + d / root) + lam * (e / hinge - 1.0))
    if order == 2:
        return np.asarray(b * s * s / root**3 + lam * shape.d * shape.d / hinge**3)
    raise ValueError(f"order must be 0, 1 or 2, got {order}")


def jump_wings_to_raw(psi: float, p: float, c: float, f_min: float) -> SmileShape:
    """Raw SVI of ``F`` from its jump-wings features.

    Parameters
    ----------
    psi : float
        Half the at-the-money slope, ``F'(0) / 2`` (negative for a put skew).
    p, c : float
        Put and call wing slopes of ``F`` per standard deviation, positive.
    f_min : float
        Minimum of ``F``, in (0, 1) (the lowest variance as a share of the ATM one).

    Returns
    -------
    SmileShape

    Notes
    -----
    Gatheral and Jacquier (2014), Lemma 3.2, with ``w_t = 1``: ``b = (p + c)/2``,
    ``rho = 1 - p / b``, ``beta = rho - 2 psi / b``, ``alpha = sign(beta)
    sqrt(1/beta^2 - 1)``, ``m = (1 - f_min) / (b (-rho + sign(alpha) sqrt(1 +
    alpha^2) - alpha sqrt(1 - rho^2)))``, ``s = alpha m``. It needs
    ``-p < 2 psi < c`` (``|beta| < 1``) and ``psi != 0``.
    """
    if not (p > 0 and c > 0 and 0 < f_min < 1 and -p < 2 * psi < c and psi != 0):
        raise ValueError(f"no SVI with psi={psi}, p={p}, c={c}, f_min={f_min}")
    b = 0.5 * (p + c)
    rho = 1.0 - p / b
    beta = rho - 2.0 * psi / b
    alpha = math.copysign(math.sqrt(1.0 / (beta * beta) - 1.0), beta)
    root = math.copysign(math.sqrt(1.0 + alpha * alpha), alpha)
    m = (1.0 - f_min) / (b * (-rho + root - alpha * math.sqrt(1.0 - rho * rho)))
    return SmileShape(b, rho, m, alpha * m)


def calendar_margin(shape: SmileShape, y: ArrayLike | None = None) -> float:
    """``min_y F(y) - y F'(y) / 2``: non-negative means no calendar arbitrage (module notes)."""
    yy = np.linspace(-12.0, 12.0, 1201) if y is None else np.asarray(y, dtype=np.float64)
    return float(np.min(shape_value(yy, shape) - 0.5 * yy * shape_value(yy, shape, 1)))


def butterfly_margin(shape: SmileShape, theta: float, y: ArrayLike | None = None) -> float:
    """``min_y`` of Durrleman's ``g`` at ATM total variance ``theta`` (module notes)."""
    yy = np.linspace(-12.0, 12.0, 1201) if y is None else np.asarray(y, dtype=np.float64)
    f = shape_value(yy, shape)
    f1 = shape_value(yy, shape, 1)
    f2 = shape_value(yy, shape, 2)
    g = (1.0 - yy * f1 / (2.0 * f)) ** 2 - f1 * f1 / (4.0 * f) - theta * f1 * f1 / 16.0 + f2 / 2.0
    return float(np.min(g))


def atm_total_variance(t: ArrayLike, node_t: ArrayLike, node_theta: ArrayLike) -> FloatArray:
    """At-the-money total variance ``theta(T)`` from the calibration nodes.

    Parameters
    ----------
    t : array_like
        Times to expiry, years.
    node_t, node_theta : array_like
        Increasing node times (years) and their ATM total variances
        (non-decreasing).

    Returns
    -------
    ndarray
        Linear interpolation of total variance in ``T``; ``theta_1 T / T_1``
        before the first node and ``theta_n T / T_n`` after the last (flat vol).
    """
    t = np.asarray(t, dtype=np.float64)
    nt = np.asarray(node_t, dtype=np.float64)
    nth = np.asarray(node_theta, dtype=np.float64)
    inner = np.interp(t, nt, nth)
    before = nth[0] * t / nt[0]
    after = nth[-1] * t / nt[-1]
    return np.asarray(np.where(t < nt[0], before, np.where(t > nt[-1], after, inner)))


@dataclass(frozen=True)
class SmileParams:
    """A calibrated SPX surface of one date.

    Attributes
    ----------
    node_t : tuple of float
        Node times, years (ACT/365), increasing.
    node_theta : tuple of float
        ATM total variance at the nodes (decimal^2 x years), non-decreasing.
    shape : SmileShape
        The normalised smile ``F(y)``, the same at every expiry.
    """

    node_t: tuple[float, ...]
    node_theta: tuple[float, ...]
    shape: SmileShape

    def total_variance(self, k: ArrayLike, t: ArrayLike) -> FloatArray:
        """Total implied variance ``w(k, T) = theta(T) F(k / sqrt(theta(T)))``."""
        theta = atm_total_variance(t, self.node_t, self.node_theta)
        y = np.asarray(k, dtype=np.float64) / np.sqrt(theta)
        return np.asarray(theta * shape_value(y, self.shape))

    def implied_vol(self, k: ArrayLike, t: ArrayLike) -> FloatArray:
        """Implied volatility ``sqrt(w(k, T) / T)``, decimal per sqrt(year)."""
        t = np.asarray(t, dtype=np.float64)
        return np.asarray(np.sqrt(self.total_variance(k, t) / t))
