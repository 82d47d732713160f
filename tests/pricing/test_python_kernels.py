"""The plain-Python pricer of small calls against the compiled kernel, bit for bit.

References: the compiled ``price_serial`` (numba, the same `price_one` source compiled
without fast math) for every price, and Hull's Example 15.6 (S = 42, K = 40, r = 10%,
sigma = 20%, T = 0.5: call 4.76, put 0.81) for the formula itself.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vixshield.pricing import _kernels, _python


def _compiled(*cols: np.ndarray, n: int) -> np.ndarray:
    return _kernels.price_serial(*cols, n)  # type: ignore[no-any-return]


def test_hull_example_15_6() -> None:
    one = np.array
    args = (one([42.0]), one([40.0]), one([0.5]), one([0.1]), one([0.0]), one([0.2]))
    call = _python.price_small(*args, one([True]), 1)
    put = _python.price_small(*args, one([False]), 1)
    assert call is not None and put is not None
    assert call[0] == pytest.approx(4.76, abs=0.005)
    assert put[0] == pytest.approx(0.81, abs=0.005)


def test_random_options_are_the_compiled_prices_bit_for_bit() -> None:
    rng = np.random.default_rng(20261202)
    n = 100_000
    S = rng.lognormal(3.0, 1.5, n)
    K = S * rng.lognormal(0.0, 0.4, n)
    T = rng.uniform(0.0, 3.0, n)
    T[::37] = 0.0  # expiry: the payoff
    r = rng.uniform(-0.01, 0.08, n)
    q = rng.uniform(0.0, 0.05, n)
    sig = rng.uniform(0.005, 3.0, n)
    sig[::53] = 0.0
    sig[::101] = -0.1  # NaN in both
    sig[::211] = np.nan
    call = rng.random(n) < 0.5
    got = _python.price_small(S, K, T, r, q, sig, call, n)
    want = _compiled(S, K, T, r, q, sig, call, n=n)
    assert got is not None
    assert got.tobytes() == want.tobytes()
    assert np.isnan(got[(sig < 0) & (T > 0)]).all()  # a negative vol before expiry


_POS = st.floats(1e-3, 1e5, allow_nan=False, allow_infinity=False)


@settings(max_examples=200, deadline=None)
@given(
    S=_POS,
    K=_POS,
    T=st.floats(0.0, 10.0),
    r=st.floats(-0.05, 0.2),
    sig=st.floats(0.0, 5.0),
    call=st.booleans(),
    n=st.integers(1, 4),
)
def test_broadcast_scalars_match_the_kernel(
    S: float, K: float, T: float, r: float, sig: float, call: bool, n: int
) -> None:
    # length-1 arguments broadcast against length-n ones, as the wrappers pass them
    Ks = np.linspace(K, 2 * K, n)
    cols = (np.array([S]), Ks, np.array([T]), np.array([r]), np.array([r]), np.array([sig]))
    flags = np.array([call])
    got = _python.price_small(*cols, flags, n)
    assert got is not None
    assert got.tobytes() == _compiled(*cols, flags, n=n).tobytes()


def test_inputs_python_cannot_price_go_to_the_kernel() -> None:
    # a strike of 0: log(F/0) raises in Python's math, numba gives the IEEE limit
    cols = [np.array([100.0]), np.array([0.0]), np.array([1.0]), np.array([0.0])]
    cols += [np.array([0.0]), np.array([0.2])]
    assert _python.price_small(*cols, np.array([True]), 1) is None


def test_a_fresh_process_prices_small_calls_without_numba() -> None:
    code = (
        "import sys; import numpy as np\n"
        "from vixshield.pricing import black76_price\n"
        "p = black76_price(np.array([20.0, 22.0]), np.array([25.0, 30.0]), 0.1, 0.0,"
        " np.array([0.9, 1.1]), True)\n"
        "print(repr(p.tobytes()), 'numba' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out[-1] == "False"
    F, K = np.array([20.0, 22.0]), np.array([25.0, 30.0])
    want = _compiled(
        F,
        K,
        np.array([0.1]),
        np.array([0.0]),
        np.array([0.0]),
        np.array([0.9, 1.1]),
        np.array([True]),
        n=2,
    )
    assert out[0] == repr(want.tobytes())
