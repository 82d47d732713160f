"""On-disk caches of the data layer: what is read back is what was built, never stale."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pandas as pd
import pytest

from vixshield.data import cache_files, embedded, events, loader
from vixshield.data.cache_files import CACHE_ENV, cached_pickle, source_digest
from vixshield.data.market import MarketData, Provenance
from vixshield.data.store import Store

PROV = Provenance("", "cboe", "VIX_History.csv", "2026-11-26T06:00:00Z", "real")


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(CACHE_ENV, str(folder))
    return folder


def _counted(value: object) -> tuple[list[int], object]:
    calls: list[int] = []

    def compute() -> object:
        calls.append(1)
        return value

    return calls, compute


def test_a_stored_value_is_read_back_without_computing(cache_dir: Path) -> None:
    calls, compute = _counted({"a": 1.5})
    assert cached_pickle("t", "k1", dict, compute) == {"a": 1.5}
    assert cached_pickle("t", "k1", dict, compute) == {"a": 1.5}
    assert len(calls) == 1
    assert (cache_dir / "t-k1.pkl").is_file()
    # another key is another value: computed again
    assert cached_pickle("t", "k2", dict, compute) == {"a": 1.5}
    assert len(calls) == 2


def test_older_files_of_a_name_are_pruned_beyond_the_newest(cache_dir: Path) -> None:
    keep = cache_files._KEEP_FILES
    for i in range(keep + 3):
        cached_pickle("daily", f"k{i:02d}", dict, lambda i=i: {"day": i})
        old = cache_dir / f"daily-k{i:02d}.pkl"
        stamp = 1_000_000 + i  # strictly increasing modification times
        os.utime(old, (stamp, stamp))
    cached_pickle("other", "x", dict, lambda: {"x": 1})  # another name is not touched
    names = sorted(p.name for p in cache_dir.glob("daily-*.pkl"))
    assert names == [f"daily-k{i:02d}.pkl" for i in range(3, keep + 3)]
    assert (cache_dir / "other-x.pkl").is_file()


@pytest.mark.parametrize("content", [b"not a pickle", pickle.dumps([1, 2, 3])])
def test_an_unusable_file_is_recomputed_and_replaced(cache_dir: Path, content: bytes) -> None:
    cache_dir.mkdir()
    (cache_dir / "t-k.pkl").write_bytes(content)  # garbage, or a list where a dict is due
    calls, compute = _counted({"b": 2})
    assert cached_pickle("t", "k", dict, compute) == {"b": 2}
    assert calls == [1]
    assert pickle.loads((cache_dir / "t-k.pkl").read_bytes()) == {"b": 2}


def test_cache_off_computes_every_time_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CACHE_ENV, "off")
    calls, compute = _counted({"c": 3})
    cached_pickle("t", "k", dict, compute)
    cached_pickle("t", "k", dict, compute)
    assert len(calls) == 2
    assert cache_files.cache_folder() is None


def test_an_unwritable_folder_only_loses_the_reuse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv(CACHE_ENV, str(blocker / "sub"))  # a folder under a file
    with pytest.warns(RuntimeWarning, match="cache not saved"):
        assert cached_pickle("t", "k", dict, lambda: {"d": 4}) == {"d": 4}


def test_the_key_changes_with_any_byte_of_its_files(tmp_path: Path) -> None:
    f = tmp_path / "a.csv"
    f.write_bytes(b"date,value\n2024-01-02,1.0\n")
    before = source_digest([f], "v1")
    assert source_digest([f], "v1") == before
    f.write_bytes(b"date,value\n2024-01-02,1.1\n")
    assert source_digest([f], "v1") != before
    assert source_digest([f], "v2") != source_digest([f], "v1")
    assert source_digest([tmp_path / "missing.csv"]) != source_digest([f])


def _same_data(a: MarketData, b: MarketData) -> None:
    for name in ("daily", "vx", "events", "benchmarks"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_exact=True)
    if a.rate_origins is None:
        assert b.rate_origins is None
    else:
        assert b.rate_origins is not None
        pd.testing.assert_series_equal(a.rate_origins, b.rate_origins, check_exact=True)
    assert a.provenance == b.provenance
    assert a.warnings == b.warnings


def test_the_cached_embedded_default_is_the_built_one(cache_dir: Path) -> None:
    built = embedded._compute()
    first = cached_pickle("embedded", embedded.embedded_cache_key(), MarketData, embedded._compute)
    assert (cache_dir / f"embedded-{embedded.embedded_cache_key()}.pkl").is_file()
    again = cached_pickle("embedded", embedded.embedded_cache_key(), MarketData, embedded._compute)
    _same_data(built, first)
    _same_data(built, again)


def test_the_cached_event_calendar_is_the_parsed_one(cache_dir: Path) -> None:
    parsed = events._parse_events()
    key = events.events_cache_key()
    first = cached_pickle("events", key, pd.DataFrame, events._parse_events)
    again = cached_pickle("events", key, pd.DataFrame, events._parse_events)
    assert (cache_dir / f"events-{key}.pkl").is_file()
    pd.testing.assert_frame_equal(parsed, first, check_exact=True)
    pd.testing.assert_frame_equal(parsed, again, check_exact=True)
    assert list(again.dtypes) == list(parsed.dtypes)


def _vix(values: dict[str, float]) -> pd.DataFrame:
    idx = pd.DatetimeIndex(pd.to_datetime(list(values)), name="date")
    return pd.DataFrame({"value": list(values.values())}, index=idx, dtype="float64")


def _read(home: Path) -> MarketData:
    """`load_store` read from the files, without the cache."""
    store = Store(home)
    latest = {st.series: st.latest for st in store.status()}
    return loader._read_store(store, latest, None, None, None)


def test_the_cached_store_is_the_read_one_and_follows_a_new_version(
    tmp_path: Path, cache_dir: Path
) -> None:
    home = tmp_path / "home"
    store = Store(home)
    store.write({"vix": _vix({"2024-07-01": 12.22, "2024-07-02": 12.03})}, PROV)
    first = loader.load_store(home=home)
    assert list(cache_dir.glob("store-*.pkl"))
    _same_data(_read(home), first)
    _same_data(first, loader.load_store(home=home))
    # a new version of the series: a new key, so the new values (never the stored ones)
    store.write({"vix": _vix({"2024-07-01": 12.22, "2024-07-02": 13.5})}, PROV)
    second = loader.load_store(home=home)
    assert second.daily.loc["2024-07-02", "vix"] == 13.5
    _same_data(_read(home), second)
    # other bounds: another key
    cut = loader.load_store("2024-07-02", "2024-07-02", home=home)
    assert list(cut.daily.index) == [pd.Timestamp("2024-07-02")]
