"""`black76_price_flat`, the loop's lean Black-76 entry: the plain-numpy reference, and the
same bits as `black76_price` at ``r = 0`` (the shock repricing depends on it)."""

from __future__ import annotations

import numpy as np
import pytest

from vixshield.pricing._broadcast import PARALLEL_THRESHOLD
from vixshield.pricing.black import black76_price, black76_price_flat
from vixshield.pricing.reference import black76_price_ref


def _inputs(n: int, seed: int = 21) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    F = rng.uniform(5.0, 6000.0, n)
    K = F * np.exp(rng.uniform(-0.5, 0.5, n))
    T = np.exp(rng.uniform(np.log(1 / 525_600), np.log(2.0), n))
    sig = np.exp(rng.uniform(np.log(0.02), np.log(3.0), n))
    return F, K, T, sig, rng.random(n) < 0.5


@pytest.mark.parametrize("n", [1, 9, PARALLEL_THRESHOLD + 1])  # serial and threaded kernels
def test_flat_matches_the_reference_and_black76_price_bitwise(n: int) -> None:
    F, K, T, sig, call = _inputs(n)
    got = black76_price_flat(F, K, T, sig, call)
    ref = black76_price_ref(F, K, T, 0.0, sig, call)
    assert np.all(np.abs(got - ref) <= 1e-12 * np.maximum(F, K) + 1e-9 * np.abs(ref))
    assert got.tobytes() == np.asarray(black76_price(F, K, T, 0.0, sig, call)).tobytes()


def test_hull_style_value_at_zero_rate() -> None:
    # Black-76, F = K = 20, T = 0.25, sigma = 0.8, r = 0: V = F (2 N(sigma sqrt(T) / 2) - 1)
    # = 20 (2 N(0.2) - 1) = 20 x 0.1585194 = 3.170388 (N(0.2) = 0.5792597, normal table)
    got = black76_price_flat(
        np.array([20.0]), np.array([20.0]), np.array([0.25]), np.array([0.8]), np.array([True])
    )
    assert got[0] == pytest.approx(3.170388, abs=2e-6)


def test_lists_and_read_only_views_are_accepted_and_not_changed() -> None:
    F, K, T, sig, call = _inputs(6, seed=3)
    ro = K.copy()
    ro.setflags(write=False)
    strided = np.repeat(T, 2)[::2]  # not contiguous
    got = black76_price_flat(F, ro, strided, list(sig), list(call))
    ref = black76_price_ref(F, K, T, 0.0, sig, call)
    assert np.allclose(got, ref, rtol=1e-12, atol=1e-12)
    assert not ro.flags.writeable


def test_arrays_of_other_shapes_are_refused() -> None:
    F, K, T, sig, call = _inputs(4)
    with pytest.raises(ValueError, match=r"shape \(4,\)"):
        black76_price_flat(F, K[:3], T, sig, call)
    with pytest.raises(ValueError, match=r"shape \(4,\)"):
        black76_price_flat(F, K, T, 0.2, call)
