"""The GARCH forecast's on-disk cache: bit-identical reuse, never a stale or corrupt answer.

Reference: the uncached computation (`indicators._garch_forecast`, the arch fits) on the
same closes; a warm call must return its values to the bit without fitting again.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from strategy_fakes import synthetic_data

from vixshield.markets.cache import CACHE_ENV, load_array
from vixshield.strategy import compute_indicators, indicators, load_policy
from vixshield.strategy.indicators import garch_cache_key, garch_forecast

REPO_SRC = Path(__file__).resolve().parents[2] / "src"


@pytest.fixture(autouse=True)
def _fresh_memo(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts with an empty in-process memo (the disk is what is tested)."""
    monkeypatch.setattr(indicators, "_GARCH_MEMO", {})


@pytest.fixture(scope="module")
def close() -> pd.Series:
    return _close(330)


def _close(n: int, seed: int = 7) -> pd.Series:
    return synthetic_data(n, seed=seed).daily["spx_close"]


def _bits(s: pd.Series) -> np.ndarray:
    return s.to_numpy(dtype=np.float64).view(np.uint64)


def _files(folder: Path) -> list[Path]:
    return sorted(folder.glob("garch-*.npy"))


def _no_fit(*args: object, **kwargs: object) -> pd.Series:
    raise AssertionError("the forecast was refitted instead of read from the cache")


def test_cold_and_warm_equal_the_uncached_forecast_to_the_bit(
    close: pd.Series, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reference = indicators._garch_forecast(close, 252, 21, 3, None)
    assert reference.notna().sum() > 50  # the fits ran: a forecast worth caching
    cold = garch_forecast(close, min_obs=252, cache_dir=tmp_path)
    (stored,) = _files(tmp_path)
    monkeypatch.setattr(indicators, "_GARCH_MEMO", {})
    monkeypatch.setattr(indicators, "_garch_forecast", _no_fit)
    warm = garch_forecast(close, min_obs=252, cache_dir=tmp_path)
    for got in (cold, warm):
        assert got.index.equals(close.index)
        assert got.dtype == np.float64
        np.testing.assert_array_equal(_bits(got), _bits(reference))  # NaNs included
    assert _files(tmp_path) == [stored]


@pytest.mark.parametrize(
    "content",
    [b"", b"not an npy file at all", b"\x93NUMPY\x01\x00garbage"],
    ids=["empty", "garbage", "truncated-header"],
)
def test_a_corrupt_file_is_recomputed_and_overwritten(
    close: pd.Series, tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / f"garch-{garch_cache_key(close, 252)}.npy"
    path.write_bytes(content)
    reference = indicators._garch_forecast(close, 252, 21, 3, None)
    got = garch_forecast(close, min_obs=252, cache_dir=tmp_path)
    np.testing.assert_array_equal(_bits(got), _bits(reference))
    fixed = load_array(path, len(close))
    assert fixed is not None
    np.testing.assert_array_equal(fixed.view(np.uint64), _bits(reference))


@pytest.mark.parametrize(
    "stored",
    [np.zeros(7), np.zeros(330, dtype=np.float32), np.zeros((330, 1)), np.array(["x"] * 330)],
    ids=["wrong-length", "float32", "2-d", "strings"],
)
def test_a_file_of_the_wrong_shape_or_type_is_never_trusted(
    close: pd.Series, tmp_path: Path, stored: np.ndarray
) -> None:
    path = tmp_path / f"garch-{garch_cache_key(close, 252)}.npy"
    np.save(path, stored)
    reference = indicators._garch_forecast(close, 252, 21, 3, None)
    got = garch_forecast(close, min_obs=252, cache_dir=tmp_path)
    np.testing.assert_array_equal(_bits(got), _bits(reference))


def test_a_pickled_file_is_not_unpickled(close: pd.Series, tmp_path: Path) -> None:
    path = tmp_path / f"garch-{garch_cache_key(close, 252)}.npy"
    np.save(path, np.array([object()] * len(close), dtype=object), allow_pickle=True)
    assert load_array(path, len(close)) is None


def test_the_key_follows_the_closes_and_the_arguments(close: pd.Series) -> None:
    base = garch_cache_key(close, 252)
    assert garch_cache_key(close.copy(), 252) == base  # content, not identity
    moved = close.copy()
    moved.iloc[-1] *= 1.0 + 1e-12  # one close, last digit
    shifted = close.copy()
    shifted.index = shifted.index + pd.Timedelta(days=1)  # same values, other dates
    others = {
        "one close": garch_cache_key(moved, 252),
        "dates": garch_cache_key(shifted, 252),
        "other series": garch_cache_key(_close(330, seed=8), 252),
        "shorter": garch_cache_key(close.iloc[:-1], 252),
        "min_obs": garch_cache_key(close, 200),
        "horizon": garch_cache_key(close, 252, horizon=10),
        "refit_months": garch_cache_key(close, 252, refit_months=1),
        "from_date": garch_cache_key(close, 252, from_date=close.index[280]),
    }
    assert len(set(others.values()) | {base}) == len(others) + 1


def test_the_key_follows_the_code_and_arch_version(
    close: pd.Series, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = garch_cache_key(close, 252)
    real_version = indicators.metadata.version
    indicators._garch_code_digest.cache_clear()
    monkeypatch.setattr(
        indicators.metadata,
        "version",
        lambda dist: "0.0-test" if dist == "arch" else real_version(dist),
    )
    try:
        assert garch_cache_key(close, 252) != base
    finally:
        indicators._garch_code_digest.cache_clear()


def test_an_unwritable_folder_warns_and_still_answers(close: pd.Series, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    reference = indicators._garch_forecast(close, 252, 21, 3, None)
    with pytest.warns(RuntimeWarning, match="GARCH cache not saved"):
        got = garch_forecast(close, min_obs=252, cache_dir=blocker / "cache")
    np.testing.assert_array_equal(_bits(got), _bits(reference))


def test_compute_indicators_respects_the_cache_switch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = synthetic_data(330)
    policy = load_policy("alvh-442")
    folder = tmp_path / "cache"
    monkeypatch.setenv(CACHE_ENV, "off")
    off = compute_indicators(data, policy)
    assert not folder.exists()
    monkeypatch.setenv(CACHE_ENV, str(folder))
    monkeypatch.setattr(indicators, "_GARCH_MEMO", {})
    on = compute_indicators(data, policy)
    assert len(_files(folder)) == 1
    monkeypatch.setattr(indicators, "_GARCH_MEMO", {})
    other = tmp_path / "explicit"
    compute_indicators(data, policy, cache=other)
    assert len(_files(other)) == 1
    monkeypatch.setattr(indicators, "_GARCH_MEMO", {})
    compute_indicators(data, policy, cache=False)
    assert len(_files(folder)) == 1 and len(_files(other)) == 1
    np.testing.assert_array_equal(_bits(on["garch_vol"]), _bits(off["garch_vol"]))


def test_a_warm_process_does_not_import_arch(close: pd.Series, tmp_path: Path) -> None:
    garch_forecast(close, min_obs=252, cache_dir=tmp_path)  # cold: fills the cache
    assert len(_files(tmp_path)) == 1
    script = (
        "import sys\n"
        "from strategy_fakes import synthetic_data\n"
        "from vixshield.strategy.indicators import garch_forecast\n"
        "close = synthetic_data(330).daily['spx_close']\n"
        f"out = garch_forecast(close, 252, cache_dir={str(tmp_path)!r})\n"
        "assert out.notna().any()\n"
        "print(sorted(m for m in sys.modules if m == 'arch' or m.startswith('arch.')))\n"
    )
    env = {**os.environ, CACHE_ENV: str(tmp_path)}
    path = [str(Path(__file__).parent), str(REPO_SRC), env.get("PYTHONPATH", "")]
    env["PYTHONPATH"] = os.pathsep.join(p for p in path if p)
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
