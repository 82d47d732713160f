"""`metrics._brentq` (used by `xirr`) against its reference, ``scipy.optimize.brentq``.

The port exists so that a backtest does not import ``scipy.optimize`` (0.5 s per
process); the summary's IRR must stay byte-identical, so every root is compared with
scipy's to the bit.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import brentq

from vixshield.backtest.metrics import _brentq, xirr


def _npv(cf: np.ndarray, t: np.ndarray):  # type: ignore[no-untyped-def]
    def f(r: float) -> float:
        return float(np.sum(cf / (1.0 + r) ** t))

    return f


def _cases(n: int) -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(20261201)
    out = []
    while len(out) < n:
        m = int(rng.integers(2, 10))
        cf = rng.normal(0.0, 1.0, m) * 10 ** rng.uniform(0, 6)
        cf[0] = -abs(cf[0])
        t = np.sort(rng.uniform(0.0, 20.0, m))
        t[0] = 0.0
        f = _npv(cf, t)
        lo, hi = f(-0.9999), f(100.0)
        if np.isfinite(lo) and np.isfinite(hi) and lo * hi < 0:
            out.append((cf, t))
    return out


@pytest.mark.parametrize(("xtol", "maxiter"), [(1e-12, 500), (2e-12, 100), (1e-6, 100)])
def test_roots_equal_scipy_to_the_bit(xtol: float, maxiter: int) -> None:
    for cf, t in _cases(300):
        f = _npv(cf, t)
        expected = brentq(f, -0.9999, 100.0, xtol=xtol, maxiter=maxiter)
        got = _brentq(f, -0.9999, 100.0, xtol=xtol, maxiter=maxiter)
        assert got == expected and math.copysign(1, got) == math.copysign(1, expected)


def test_two_flow_irr_equals_scipy_and_the_closed_form() -> None:
    # the summary's IRR: -capital on the first day, +final equity on the last
    for capital, final, days in [(100_000.0, 123_456.78, 1826), (1e6, 7.5e5, 365), (1.0, 1.01, 30)]:
        d = [pd.Timestamp("2014-01-02"), pd.Timestamp("2014-01-02") + pd.Timedelta(days=days)]
        t = np.array([0.0, days / 365.0])
        f = _npv(np.array([-capital, final]), t)
        assert xirr([-capital, final], d) == brentq(f, -0.9999, 100.0, xtol=1e-12, maxiter=500)
        closed = (final / capital) ** (365.0 / days) - 1.0  # (1 + r)^T = final / capital
        assert xirr([-capital, final], d) == pytest.approx(closed, rel=1e-9)


def test_errors_as_scipy() -> None:
    with pytest.raises(ValueError):
        _brentq(lambda x: x * x + 1.0, -1.0, 1.0)
    with pytest.raises(ValueError):
        _brentq(lambda x: math.nan, -1.0, 1.0)
    with pytest.raises(RuntimeError):
        _brentq(lambda x: math.exp(x) - 1.5, 0.0, 1.0, xtol=1e-300, maxiter=2)
    assert _brentq(lambda x: x, 0.0, 1.0) == 0.0  # a root at an end is returned as is
