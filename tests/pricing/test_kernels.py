"""Compiled kernels against the plain-numpy reference; API shapes and edge cases."""

from __future__ import annotations

import math

import numpy as np
import pytest

from vixshield.pricing import (
    GREEK_NAMES,
    Greeks,
    black76_greeks,
    black76_price,
    bsm_greeks,
    bsm_price,
)
from vixshield.pricing._broadcast import PARALLEL_THRESHOLD
from vixshield.pricing.reference import (
    black76_greeks_ref,
    black76_price_ref,
    bsm_greeks_ref,
    bsm_price_ref,
)


def _inputs(n: int, seed: int = 11) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    S = rng.uniform(5.0, 6000.0, n)
    K = S * np.exp(rng.uniform(-1.0, 1.0, n))
    T = np.exp(rng.uniform(np.log(1 / 525_600), np.log(5.0), n))
    r = rng.uniform(-0.01, 0.08, n)
    q = rng.uniform(0.0, 0.04, n)
    sig = np.exp(rng.uniform(np.log(0.01), np.log(5.0), n))
    call = rng.random(n) < 0.5
    return S, K, T, r, q, sig, call


def _close(a: np.ndarray, b: np.ndarray, scale: np.ndarray) -> None:
    # Two implementations of one formula differ only by rounding of the terms,
    # which are of the size of `scale` (e.g. the forward): compare on that scale.
    np.testing.assert_array_equal(np.isnan(a), np.isnan(b))
    ok = ~np.isnan(a)
    assert np.all(np.abs(a[ok] - b[ok]) <= 1e-12 * np.abs(scale[ok]) + 1e-9 * np.abs(b[ok]))


@pytest.mark.parametrize("n", [7, PARALLEL_THRESHOLD + 3])  # serial and multi-threaded kernels
def test_bsm_price_and_greeks_kernel_vs_reference(n: int) -> None:
    S, K, T, r, q, sig, call = _inputs(n)
    scale = np.maximum(S, K)
    _close(bsm_price(S, K, T, r, q, sig, call), bsm_price_ref(S, K, T, r, q, sig, call), scale)
    got, ref = bsm_greeks(S, K, T, r, q, sig, call), bsm_greeks_ref(S, K, T, r, q, sig, call)
    # per-greek natural scale: delta ~ 1, gamma ~ 1/(S sd), vega/theta/rho ~ S, ...
    for name in GREEK_NAMES:
        mag = np.maximum(np.abs(ref[name]), 1.0) * np.maximum(scale, 1.0 / np.maximum(S, 1e-300))
        _close(np.asarray(got[name]), ref[name], mag)


@pytest.mark.parametrize("n", [7, PARALLEL_THRESHOLD + 3])
def test_black76_price_and_greeks_kernel_vs_reference(n: int) -> None:
    F, K, T, r, _, sig, call = _inputs(n, seed=12)
    scale = np.maximum(F, K)
    _close(black76_price(F, K, T, r, sig, call), black76_price_ref(F, K, T, r, sig, call), scale)
    got, ref = black76_greeks(F, K, T, r, sig, call), black76_greeks_ref(F, K, T, r, sig, call)
    for name in GREEK_NAMES:
        mag = np.maximum(np.abs(ref[name]), 1.0) * np.maximum(scale, 1.0)
        _close(np.asarray(got[name]), ref[name], mag)


def test_serial_and_parallel_paths_agree_bitwise() -> None:
    S, K, T, r, q, sig, call = _inputs(PARALLEL_THRESHOLD + 10, seed=3)
    big = bsm_price(S, K, T, r, q, sig, call)
    small = np.concatenate(
        [
            bsm_price(
                S[i : i + 50],
                K[i : i + 50],
                T[i : i + 50],
                r[i : i + 50],
                q[i : i + 50],
                sig[i : i + 50],
                call[i : i + 50],
            )
            for i in range(0, len(S), 50)
        ]
    )
    np.testing.assert_array_equal(big, small)


def test_scalars_in_give_floats_out_and_shapes_broadcast() -> None:
    p = bsm_price(100.0, 100.0, 1.0, 0.0, 0.0, 0.2, True)
    assert isinstance(p, float)
    g = bsm_greeks(100.0, 100.0, 1.0, 0.0, 0.0, 0.2, True)
    assert isinstance(g["delta"], float)
    K = np.linspace(80, 120, 5)
    assert bsm_price(100.0, K, 1.0, 0.0, 0.0, 0.2, True).shape == (5,)
    grid = black76_price(
        np.array([[18.0], [20.0]]), K[None, :] / 5, 0.1, 0.0, 0.9, K[None, :] > 100
    )
    assert grid.shape == (2, 5)
    # elementwise equal to scalar calls (broadcasting is only a convenience)
    assert grid[1, 3] == black76_price(20.0, float(K[3] / 5), 0.1, 0.0, 0.9, bool(K[3] > 100))
    assert bsm_price(100.0, np.empty(0), 1.0, 0.0, 0.0, 0.2, True).shape == (0,)


def test_inputs_are_not_mutated_and_non_contiguous_views_work() -> None:
    S, K, T, r, q, sig, call = _inputs(40)
    K_view = K[::2]
    before = K.copy()
    got = bsm_price(S[::2], K_view, T[::2], r[::2], q[::2], sig[::2], call[::2])
    np.testing.assert_array_equal(K, before)
    np.testing.assert_array_equal(
        got,
        bsm_price(
            S[::2].copy(),
            K_view.copy(),
            T[::2].copy(),
            r[::2].copy(),
            q[::2].copy(),
            sig[::2].copy(),
            call[::2].copy(),
        ),
    )


def test_greeks_is_a_frozen_mapping() -> None:
    g = black76_greeks(20.0, 22.0, 0.1, 0.03, 0.8, True)
    assert isinstance(g, Greeks)
    assert list(g) == list(GREEK_NAMES)
    assert dict(g)["vega"] == g.vega
    with pytest.raises(KeyError):
        g["omega"]
    with pytest.raises(AttributeError):
        g.delta = 1.0  # type: ignore[misc]


def test_expiry_and_zero_vol_limits() -> None:
    # T = 0: intrinsic value; sigma = 0: discounted intrinsic value of the forward.
    assert bsm_price(110.0, 100.0, 0.0, 0.05, 0.0, 0.2, True) == 10.0
    assert bsm_price(90.0, 100.0, 0.0, 0.05, 0.0, 0.2, True) == 0.0
    F = 100.0 * math.exp(0.04 * 0.5)
    assert bsm_price(100.0, 95.0, 0.5, 0.05, 0.01, 0.0, True) == pytest.approx(
        math.exp(-0.025) * (F - 95.0), rel=1e-15
    )
    for greeks in (bsm_greeks, bsm_greeks_ref):
        itm = greeks(110.0, 100.0, 0.0, 0.05, 0.0, 0.2, True)
        atm = greeks(100.0, 100.0, 0.0, 0.05, 0.0, 0.2, False)
        assert float(itm["delta"]) == 1.0
        assert float(itm["gamma"]) == 0.0 and float(itm["vega"]) == 0.0
        assert float(atm["delta"]) == -0.5


def test_invalid_inputs_give_nan_not_a_number() -> None:
    for price in (bsm_price, bsm_price_ref):
        assert math.isnan(float(price(100.0, 100.0, -0.1, 0.0, 0.0, 0.2, True)))
        assert math.isnan(float(price(100.0, 100.0, 0.5, 0.0, 0.0, -0.2, True)))
        assert math.isnan(float(price(100.0, 100.0, 0.5, 0.0, 0.0, math.nan, True)))
    for greeks in (bsm_greeks, bsm_greeks_ref):
        g = greeks(100.0, 100.0, 0.5, 0.0, 0.0, math.nan, True)
        assert all(math.isnan(float(g[k])) for k in GREEK_NAMES)


def test_read_only_inputs_are_accepted() -> None:
    # pandas copy-on-write hands out read-only arrays
    S, K, T, r, q, sig, call = _inputs(30)
    frozen = [a.copy() for a in (S, K, T, r, q, sig, call)]
    for a in frozen:
        a.flags.writeable = False
    np.testing.assert_array_equal(bsm_price(*frozen), bsm_price(S, K, T, r, q, sig, call))


def test_importing_the_package_does_not_import_numba() -> None:
    # numba is loaded lazily on the first pricing call, keeping `vixshield --help` fast.
    import subprocess
    import sys

    code = "import sys, vixshield.pricing; sys.exit(1 if 'numba' in sys.modules else 0)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
