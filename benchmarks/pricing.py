"""Throughput of the compiled pricing kernels against the plain-numpy reference.

Run: ``python benchmarks/pricing.py [n]`` (default 1,000,000 random options).
Every figure is measured in the same run as its baseline (the numpy reference
in :mod:`vixshield.pricing.reference`) and printed with the ratio. Targets on a
2-core machine: >= 15 million BSM prices/s, >= 2 million implied vols/s.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from vixshield.pricing import bsm_greeks, bsm_price, implied_vol_status
from vixshield.pricing.reference import bsm_greeks_ref, bsm_price_ref, implied_vol_ref

TARGETS = {"BSM prices": 15e6, "implied vols": 2e6}  # per second, from the brief


def _options(n: int, seed: int = 0) -> tuple[np.ndarray, ...]:
    """SPX-like options: T from 1 day to 2 years, strikes within +-4 sd, vol 8%-150%."""
    rng = np.random.default_rng(seed)
    S = rng.uniform(3000.0, 6000.0, n)
    T = np.exp(rng.uniform(np.log(1 / 365), np.log(2.0), n))
    sig = np.exp(rng.uniform(np.log(0.08), np.log(1.5), n))
    K = S * np.exp(rng.uniform(-4.0, 4.0, n) * sig * np.sqrt(T))
    r = rng.uniform(0.0, 0.06, n)
    q = rng.uniform(0.0, 0.02, n)
    call = rng.random(n) < 0.5
    return S, K, T, r, q, sig, call


def _rate(fn: Callable[[], Any], n: int, repeat: int) -> float:
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return n / best


def main(n: int = 1_000_000) -> None:
    S, K, T, r, q, sig, call = _options(n)
    price = bsm_price(S, K, T, r, q, sig, call)
    # warm up: load (or compile once) every kernel, serial and parallel
    bsm_greeks(S[:10], K[:10], T[:10], r[:10], q[:10], sig[:10], call[:10])
    bsm_greeks(S, K, T, r, q, sig, call)
    implied_vol_status(price[:10], S[:10], K[:10], T[:10], r[:10], q[:10], call[:10])
    implied_vol_status(price, S, K, T, r, q, call)
    m = min(n, 100_000)  # the reference solver is slow: measured on a subsample

    rows = [
        (
            "BSM prices",
            _rate(lambda: bsm_price(S, K, T, r, q, sig, call), n, 5),
            _rate(lambda: bsm_price_ref(S, K, T, r, q, sig, call), n, 2),
        ),
        (
            "BSM greeks (8 each)",
            _rate(lambda: bsm_greeks(S, K, T, r, q, sig, call), n, 3),
            _rate(lambda: bsm_greeks_ref(S, K, T, r, q, sig, call), n, 1),
        ),
        (
            "implied vols",
            _rate(lambda: implied_vol_status(price, S, K, T, r, q, call), n, 3),
            _rate(
                lambda: implied_vol_ref(price[:m], S[:m], K[:m], T[:m], r[:m], q[:m], call[:m]),
                m,
                1,
            ),
        ),
    ]
    # Small inputs: a 4-leg condor repriced thousands of times (calls per second).
    legs = [a[:4].copy() for a in (S, K, T, r, q, sig, call)]
    calls = 20_000
    small_new = _rate(lambda: [bsm_price(*legs) for _ in range(calls)], calls, 3)
    small_ref = _rate(lambda: [bsm_price_ref(*legs) for _ in range(calls)], calls, 1)
    small_iv = _rate(
        lambda: [implied_vol_status(price[:4], *legs[:5], legs[6]) for _ in range(calls)], calls, 3
    )
    small_iv_ref = _rate(
        lambda: [implied_vol_ref(price[:4], *legs[:5], legs[6]) for _ in range(calls // 10)],
        calls // 10,
        1,
    )

    load = os.getloadavg()[0]
    print(f"pricing benchmark: {n:,} random options (small calls: 4 options per call)")
    print(f"cpus: {os.cpu_count()}, 1-min load average: {load:.1f} (rates fall above the cpus)")
    print(f"{'operation':<24}{'numba /s':>14}{'numpy ref /s':>14}{'ratio':>8}{'target /s':>12}")
    rows += [
        ("4-option price calls", small_new, small_ref),
        ("4-option iv calls", small_iv, small_iv_ref),
    ]
    for name, new, ref in rows:
        target = TARGETS.get(name)
        tgt = f"{target:,.0f}" if target else "-"
        print(f"{name:<24}{new:>14,.0f}{ref:>14,.0f}{new / ref:>8.1f}{tgt:>12}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
