"""`vixshield.markets.cache`: calibrations and VX curves kept per data set, on disk.

The reference is a cold `Markets` over the same data: a cached one must answer the
same quotes, calibrations and curves, bit for bit.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from vixshield.data.market import MarketData
from vixshield.markets import Markets
from vixshield.markets.cache import MarketCache, data_key


def _days(data: MarketData, n: int = 6) -> list[pd.Timestamp]:
    daily = data.daily
    ok = daily.index[(daily["spx_close"].notna() & daily["vix"].notna()).to_numpy()]
    return list(ok[-n:])


def _touch(m: Markets, days: list[pd.Timestamp]) -> None:
    for d in days:
        m.calibration(d)
        m.vx_curve(d)


def test_cached_markets_answer_like_cold_ones(small_data: MarketData, tmp_path: Path) -> None:
    days = _days(small_data)
    first = Markets(small_data, cache=MarketCache.for_data(small_data, tmp_path))
    _touch(first, days)
    path = first.save_cache()
    assert path is not None and path.is_file()
    assert first.save_cache() is None  # nothing new since

    cold = Markets(small_data)
    warm = Markets(small_data, cache=MarketCache.for_data(small_data, tmp_path))
    assert set(warm._inputs.calibrations()) == set(days)  # seeded, not recomputed
    for d in days:
        assert warm.calibration(d) == cold.calibration(d)
        pd.testing.assert_frame_equal(warm.vx_curve(d), cold.vx_curve(d))
        exp = warm.expiries(d, "SPX")[2].date
        k = np.array([0.9, 1.0, 1.05]) * warm.inputs(d).spot
        a = warm.quote(d, "SPX", [exp] * 3, np.round(k / 5) * 5, ["P", "C", "C"])
        b = cold.quote(d, "SPX", [exp] * 3, np.round(k / 5) * 5, ["P", "C", "C"])
        for f in ("bid", "ask", "mid", "iv", "delta"):
            np.testing.assert_array_equal(getattr(a, f), getattr(b, f))


def test_key_follows_the_data(small_data: MarketData) -> None:
    daily = small_data.daily.copy()
    daily.iloc[-1, daily.columns.get_loc("vix")] += 0.01
    changed = dataclasses.replace(small_data, daily=daily)
    assert data_key(small_data) == data_key(dataclasses.replace(small_data))
    assert data_key(changed) != data_key(small_data)


def test_unreadable_file_is_reported_and_replaced(small_data: MarketData, tmp_path: Path) -> None:
    cache = MarketCache.for_data(small_data, tmp_path)
    cache.path.parent.mkdir(parents=True, exist_ok=True)
    cache.path.write_bytes(b"not a pickle")
    m = Markets(small_data, cache=cache)
    assert "unreadable" in cache.note
    days = _days(small_data, 2)
    _touch(m, days)
    assert m.save_cache() == cache.path
    assert set(MarketCache.for_data(small_data, tmp_path).load().calibrations) == set(days)


def test_without_a_cache_nothing_is_written(small_data: MarketData) -> None:
    m = Markets(small_data)
    _touch(m, _days(small_data, 1))
    assert m.cache is None and m.save_cache() is None and m.cache_saver() is None


def test_cli_source_honours_the_environment(
    small_data: MarketData, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from vixshield.cli import _sources

    monkeypatch.setenv("VIXSHIELD_MARKET_CACHE", "off")
    assert _sources.cache_folder() is None and _sources.market_cache(small_data) is None
    monkeypatch.setenv("VIXSHIELD_MARKET_CACHE", str(tmp_path / "c"))
    cache = _sources.market_cache(small_data)
    assert cache is not None and cache.folder == tmp_path / "c"
    monkeypatch.delenv("VIXSHIELD_MARKET_CACHE")
    monkeypatch.setenv("VIXSHIELD_HOME", str(tmp_path / "home"))
    assert _sources.cache_folder() == tmp_path / "home" / "cache" / "markets"
