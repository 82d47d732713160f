"""The wrappers' lean argument path (flat float64 arrays of one length, as the daily loop's
shock repricing passes them): the plain-numpy reference, and the same bits as the general
broadcasting path."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from vixshield.pricing._broadcast import PARALLEL_THRESHOLD, _lean_args, flatten_args
from vixshield.pricing.black import black76_greeks, black76_price, bsm_price
from vixshield.pricing.implied import implied_vol
from vixshield.pricing.reference import black76_price_ref, bsm_price_ref


def _inputs(n: int, seed: int = 21) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    F = rng.uniform(5.0, 6000.0, n)
    K = F * np.exp(rng.uniform(-0.5, 0.5, n))
    T = np.exp(rng.uniform(np.log(1 / 525_600), np.log(2.0), n))
    sig = np.exp(rng.uniform(np.log(0.02), np.log(3.0), n))
    return F, K, T, sig, rng.random(n) < 0.5


@pytest.mark.parametrize("n", [1, 9, PARALLEL_THRESHOLD + 1])  # serial and threaded kernels
def test_lean_path_matches_the_reference_and_the_general_path_bitwise(n: int) -> None:
    F, K, T, sig, call = _inputs(n)
    assert _lean_args((F, K, T, 0.0, 0.0, sig), call) is not None  # the lean path is taken
    got = black76_price(F, K, T, 0.0, sig, call)
    ref = black76_price_ref(F, K, T, 0.0, sig, call)
    assert np.all(np.abs(got - ref) <= 1e-12 * np.maximum(F, K) + 1e-9 * np.abs(ref))
    # np.float64 and lists are not lean: the general conversion and broadcasting
    general = black76_price(list(F), K, T, np.float64(0.0), sig, list(call))
    assert got.tobytes() == np.asarray(general).tobytes()


def test_hull_style_value_at_zero_rate() -> None:
    # Black-76, F = K = 20, T = 0.25, sigma = 0.8, r = 0: V = F (2 N(sigma sqrt(T) / 2) - 1)
    # = 20 (2 N(0.2) - 1) = 20 x 0.1585194 = 3.170388 (N(0.2) = 0.5792597, normal table)
    got = black76_price(
        np.array([20.0]), np.array([20.0]), np.array([0.25]), 0.0, np.array([0.8]), True
    )
    assert got.shape == (1,)
    assert got[0] == pytest.approx(3.170388, abs=2e-6)


def test_lean_path_passes_the_callers_arrays_without_copies() -> None:
    F, K, T, sig, call = _inputs(5)
    arrays, flags, shape, n = flatten_args((F, K, T, 0.01, 0.0, sig), call)
    assert (shape, n) == ((5,), 5)
    assert arrays[0] is F and arrays[5] is sig and flags is call
    assert arrays[3].tolist() == [0.01] and arrays[4].tolist() == [0.0]


def test_bsm_greeks_and_implied_vol_take_the_same_bits_either_way() -> None:
    F, K, T, sig, call = _inputs(40, seed=5)
    lean = bsm_price(F, K, T, 0.03, 0.01, sig, call)
    general = bsm_price(F, K, T, np.float64(0.03), np.float64(0.01), sig, list(call))
    assert lean.tobytes() == np.asarray(general).tobytes()
    ref = bsm_price_ref(F, K, T, 0.03, 0.01, sig, call)
    assert np.allclose(lean, ref, rtol=1e-10, atol=1e-10)
    g_lean = black76_greeks(F, K, T, 0.02, sig, call)
    g_general = black76_greeks(F, K, T, np.float64(0.02), sig, list(call))
    for name in ("delta", "vega", "theta"):
        assert np.asarray(g_lean[name]).tobytes() == np.asarray(g_general[name]).tobytes()
    price = black76_price(F, K, T, 0.0, sig, call)
    iv_lean = implied_vol(price, F, K, T, 0.0, 0.0, call, model="black76")
    iv_general = implied_vol(list(price), F, K, T, 0.0, np.float64(0.0), call, model="black76")
    assert np.asarray(iv_lean).tobytes() == np.asarray(iv_general).tobytes()


def test_read_only_strided_and_mixed_shapes_take_the_general_path_unchanged() -> None:
    F, K, T, sig, call = _inputs(6, seed=3)
    ro = K.copy()
    ro.setflags(write=False)
    strided = np.repeat(T, 2)[::2]  # not contiguous
    assert _lean_args((F, ro, T, 0.0, 0.0, sig), call) is None
    assert _lean_args((F, K, strided, 0.0, 0.0, sig), call) is None
    assert _lean_args((F, K[:3], T, 0.0, 0.0, sig), call) is None
    got = black76_price(F, ro, strided, 0.0, sig, call)
    ref = black76_price_ref(F, K, T, 0.0, sig, call)
    assert np.allclose(got, ref, rtol=1e-12, atol=1e-12)
    assert not ro.flags.writeable
    grid = black76_price(F[:, None], K[None, :], 0.5, 0.0, 0.3, True)  # (6, 1) x (1, 6)
    assert grid.shape == (6, 6)
    assert grid[2, 4] == black76_price(F[2], K[4], 0.5, 0.0, 0.3, True)


def test_arrays_of_unequal_length_are_refused() -> None:
    F, K, T, sig, call = _inputs(4)
    with pytest.raises(ValueError, match="broadcast"):
        black76_price(F, K[:3], T, 0.0, sig, call)


def test_unpickled_arrays_take_the_lean_path() -> None:
    # an unpickled array may carry an equal dtype object, not numpy's float64 singleton
    F, K, T, sig, call = (pickle.loads(pickle.dumps(a)) for a in _inputs(7, seed=8))
    assert _lean_args((F, K, T, 0.0, 0.0, sig), call) is not None
