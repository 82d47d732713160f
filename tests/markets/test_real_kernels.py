"""The month-keys kernel against the NumPy expressions it replaces.

Reference: the keys as NumPy computes them (``rint(strike * 1000).astype(int64)``,
shifted and or-ed with the put flag and the expiry day), and the key order written
out row by row in plain Python: within a date, no key below the one before it nor,
where two neighbours' keys are 0 or 1 apart, the strike.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from vixshield.markets import _real_kernels as kernels

MAX_DAY = 2**22
MAX_STRIKE = 2.0**40 / 1000.0
SHIFT = 41


def _numpy_keys(ex: np.ndarray, strike: np.ndarray, put: np.ndarray) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # NaN cast: int64 min on x86
        k = np.rint(strike * 1000.0).astype(np.int64)
    return (ex << SHIFT) | (k << 1) | put.astype(np.int64)


def _python_keyed(keys: list[int], strike: list[float], start: list[int]) -> bool:
    if not all(0.0 <= s < MAX_STRIKE for s in strike):
        return False
    for d in range(len(start) - 1):
        for i in range(start[d] + 1, start[d + 1]):
            dk = keys[i] - keys[i - 1]
            if dk < 0 or (dk < 2 and strike[i] < strike[i - 1]):
                return False
    return True


def _run(ex: list[int], strike: list[float], put: list[bool], start: list[int]) -> tuple:
    return kernels.month_keys(
        np.array(ex, dtype=np.int64),
        np.array(strike, dtype=np.float64),
        np.array(put, dtype=np.bool_),
        np.array(start, dtype=np.int64),
        MAX_DAY,
        MAX_STRIKE,
        1000.0,
        SHIFT,
    )


CASES = {
    "in order, two dates": (
        [19800, 19800, 19800, 19801, 19700, 19700],
        [4000.0, 4000.0, 4005.5, 3990.0, 4000.0, 4100.0],
        [False, True, False, False, False, True],
        [0, 4, 6],
    ),
    "a strike below its neighbour within a key": (
        [19800, 19800],
        [4000.0004, 4000.0001],  # one key strike (thousandths), falling strikes
        [False, False],
        [0, 2],
    ),
    "keys falling within a date": ([19800, 19799], [4000.0, 4000.0], [False, False], [0, 2]),
    "keys falling across dates only": ([19800, 19799], [4000.0, 4000.0], [False, False], [0, 1, 2]),
    "a NaN strike": ([19800, 19800], [np.nan, 4000.0], [False, True], [0, 2]),
    "a negative strike": ([19800, 19800], [-5.0, 4000.0], [False, True], [0, 2]),
    "a strike beyond the keys": ([19800], [2.0e9], [False], [0, 1]),
    "an empty date": ([19800, 19800], [4000.0, 4001.0], [False, False], [0, 0, 2, 2]),
    "expiries before 1970": ([-3650, -3650], [100.0, 105.0], [True, True], [0, 2]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_keys_and_order_are_numpys(name: str) -> None:
    ex, strike, put, start = CASES[name]
    keys, outcome = _run(ex, strike, put, start)
    want = _numpy_keys(np.array(ex), np.array(strike), np.array(put))
    assert keys.tolist() == want.tolist()
    keyed = _python_keyed(want.tolist(), strike, start)
    assert outcome == (kernels.KEYED if keyed else kernels.UNKEYED)


@pytest.mark.parametrize("day", [MAX_DAY, -MAX_DAY, np.iinfo(np.int64).min])
def test_expiries_beyond_the_keys_are_refused(day: int) -> None:
    _, outcome = _run([19800, day], [4000.0, 4000.0], [False, False], [0, 2])
    assert outcome == kernels.BAD_DAYS


def test_random_months_match_numpy() -> None:
    rng = np.random.default_rng(7)
    outcomes = set()
    for _ in range(40):
        n = int(rng.integers(1, 400))
        ex = np.sort(rng.integers(19000, 19100, n))
        strike = np.round(rng.uniform(100.0, 6000.0, n) * 4) / 4
        put = rng.random(n) < 0.5
        if rng.random() < 0.5:  # half of them in key order
            o = np.lexsort((put, strike, ex))
            ex, strike, put = ex[o], strike[o], put[o]
        cuts = np.sort(rng.integers(0, n + 1, int(rng.integers(0, 4))))
        start = [0, *cuts.tolist(), n]
        keys, outcome = kernels.month_keys(
            ex, strike, put, np.array(start, dtype=np.int64), MAX_DAY, MAX_STRIKE, 1000.0, SHIFT
        )
        want = _numpy_keys(ex, strike, put)
        assert keys.tolist() == want.tolist()
        keyed = _python_keyed(want.tolist(), strike.tolist(), start)
        assert outcome == (kernels.KEYED if keyed else kernels.UNKEYED)
        outcomes.add(outcome)
    assert outcomes == {kernels.KEYED, kernels.UNKEYED}
