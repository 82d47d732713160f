"""SSVI implied-volatility surface for SPX: parameters and evaluation (pure maths).

Total implied variance ``w(k, T)`` at log-moneyness ``k = ln(K / F_T)`` is the
surface SVI of Gatheral and Jacquier (2014):

``w(k, theta) = theta / 2 * (1 + rho phi k + sqrt((phi k + rho)^2 + 1 - rho^2))``

with ``phi(theta) = eta / (theta^gamma (1 + theta)^(1 - gamma))``, ``gamma = 1/2``
and the at-the-money total variance ``theta(T)`` linear in ``T`` between
calibration nodes (flat volatility ``theta ~ T`` before the first and after
the last node). With ``theta`` non-decreasing in ``T`` the surface is free of
calendar arbitrage (Theorem 4.1: ``theta phi(theta)`` is non-decreasing and
``phi`` decreasing for this ``phi``). Butterfly arbitrage: we use
``eta <= 0.98 * 4 / (1 + |rho|)``, which keeps Lee's moment bound (the
necessary condition ``theta phi (1 + |rho|) < 4`` for all ``theta``); the
density condition of Durrleman, ``g(k) >= 0``, is not implied by it in general
(Gatheral-Jacquier's sufficient ``theta phi^2 (1 + |rho|) <= 4`` would cap the
30-day SKEW near 140) but holds for this family on ``|rho| <= 0.99``,
``theta`` in [1e-6, 4] and ``k`` in [-8, 4] with a margin (min g > 0.05, checked on
a grid; ``tests/markets/test_surface.py`` re-checks it by Hypothesis).

References
----------
Gatheral, J. and Jacquier, A. (2014). Arbitrage-free SVI volatility surfaces.
Quantitative Finance 14(1), 59-71.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vixshield._typing import ArrayLike, FloatArray

__all__ = ["SsviParams", "atm_total_variance", "eta_max", "ssvi_total_variance"]

GAMMA = 0.5  # power-law exponent of phi(theta) (Gatheral-Jacquier "Heston-like" choice)
_ETA_MARGIN = 0.98  # keep eta just inside Lee's wing bound eta (1 + |rho|) <= 4


def eta_max(rho: float) -> float:
    """Largest ``eta`` used for a given ``rho``: ``0.98 * 4 / (1 + |rho|)``."""
    return _ETA_MARGIN * 4.0 / (1.0 + abs(rho))


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


def ssvi_total_variance(k: ArrayLike, theta: ArrayLike, rho: float, eta: float) -> FloatArray:
    """SSVI total implied variance at log-moneyness ``k`` and ATM variance ``theta``."""
    k = np.asarray(k, dtype=np.float64)
    theta = np.asarray(theta, dtype=np.float64)
    phi = eta / (theta**GAMMA * (1.0 + theta) ** (1.0 - GAMMA))
    pk = phi * k
    return np.asarray(0.5 * theta * (1.0 + rho * pk + np.sqrt((pk + rho) ** 2 + 1.0 - rho * rho)))


@dataclass(frozen=True)
class SsviParams:
    """A calibrated SSVI surface of one date.

    Attributes
    ----------
    node_t : tuple of float
        Node times, years (ACT/365), increasing.
    node_theta : tuple of float
        ATM total variance at the nodes (decimal^2 x years), non-decreasing.
    rho : float
        Spot-vol correlation parameter, in (-1, 1).
    eta : float
        Curvature level, ``0 < eta <= eta_max(rho)``.
    """

    node_t: tuple[float, ...]
    node_theta: tuple[float, ...]
    rho: float
    eta: float

    def total_variance(self, k: ArrayLike, t: ArrayLike) -> FloatArray:
        """Total implied variance ``w(k, T)``."""
        theta = atm_total_variance(t, self.node_t, self.node_theta)
        return ssvi_total_variance(k, theta, self.rho, self.eta)

    def implied_vol(self, k: ArrayLike, t: ArrayLike) -> FloatArray:
        """Implied volatility ``sqrt(w(k, T) / T)``, decimal per sqrt(year)."""
        t = np.asarray(t, dtype=np.float64)
        return np.asarray(np.sqrt(self.total_variance(k, t) / t))
