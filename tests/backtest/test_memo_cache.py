"""`keep_memos`: a process's memos kept on disk and read back by the next one.

References: a run on markets with no memo at all (``$VIXSHIELD_MARKET_CACHE=off`` in
effect: `Markets` without a cache), the quote calls such a run makes, and the files
written here. A "process" is a fresh `Markets` object over the same data and folder
(the memo tables are per object, so it starts with nothing in memory).
"""

from __future__ import annotations

import dataclasses
import os
import pickle
from pathlib import Path

import pandas as pd
import pytest
from bt_fakes import CountingMarkets

from vixshield.backtest import Backtest
from vixshield.backtest.memo_cache import (
    MEMO_FILES,
    MemoSaver,
    chains_identity,
    keep_memos,
    memo_path,
)
from vixshield.data.cache_files import CACHE_ENV
from vixshield.data.embedded import load_embedded
from vixshield.markets import Markets
from vixshield.markets.cache import MarketCache
from vixshield.strategy.policy import load_policy

_WINDOW = {"start": "2016-01-04", "end": "2016-04-29"}


def _process(folder: Path, chains_key: str = "") -> tuple[CountingMarkets, MemoSaver | None]:
    data = load_embedded()
    markets = CountingMarkets(data, cache=MarketCache.for_data(data, folder))
    return markets, keep_memos(markets, chains_key)


def _frames(result: object) -> tuple[str, str, str]:
    r = result
    return r.daily.to_csv(), r.trades.to_csv(), r.cycles.to_csv()  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def fresh() -> tuple[tuple[str, str, str], int]:
    """A run on markets with no cache and no memo: its frames and its quote calls."""
    markets = CountingMarkets(load_embedded())
    result = Backtest(load_policy("alvh-442"), markets, **_WINDOW).run()
    return _frames(result), markets.calls


def test_the_next_process_reads_the_memos_and_gives_the_fresh_result(
    tmp_path: Path, fresh: tuple[tuple[str, str, str], int]
) -> None:
    frames, fresh_calls = fresh
    first, save = _process(tmp_path)
    assert _frames(Backtest(load_policy("alvh-442"), first, **_WINDOW).run()) == frames
    assert first.calls == fresh_calls  # the first process quotes as without a memo
    assert save is not None
    written = save()
    assert written is not None and written.parent == tmp_path
    assert written.name.startswith(f"{MEMO_FILES}-")
    assert save() is None  # nothing new: not written again

    second, _ = _process(tmp_path)
    assert _frames(Backtest(load_policy("alvh-442"), second, **_WINDOW).run()) == frames
    assert second.calls < fresh_calls / 4  # the legs' quotes and hedge choices read back


def test_a_file_that_is_not_ours_is_ignored(
    tmp_path: Path, fresh: tuple[tuple[str, str, str], int]
) -> None:
    frames, fresh_calls = fresh
    markets, _ = _process(tmp_path)
    path = memo_path(markets)
    assert path is not None
    path.write_bytes(pickle.dumps(["not", "a", "memo"]))
    assert _frames(Backtest(load_policy("alvh-442"), markets, **_WINDOW).run()) == frames
    assert markets.calls == fresh_calls
    other, _ = _process(tmp_path)
    garbled = memo_path(other)
    assert garbled is not None
    garbled.write_bytes(b"\x80\x05garbage")
    assert _frames(Backtest(load_policy("alvh-442"), other, **_WINDOW).run()) == frames


def test_memos_of_other_chains_or_data_are_other_files(tmp_path: Path) -> None:
    a, save_a = _process(tmp_path)
    _, save_b = _process(tmp_path, chains_key="chains of an import")
    data = load_embedded()
    changed = data.daily.copy()
    changed.loc[changed.index[0], "spx_close"] += 1.0
    other = dataclasses.replace(data, daily=changed)
    c = Markets(other, cache=MarketCache.for_data(other, tmp_path))
    save_c = keep_memos(c)
    fewer_events = dataclasses.replace(data, events=data.events.iloc[1:])
    d = Markets(fewer_events, cache=MarketCache.for_data(fewer_events, tmp_path))
    save_d = keep_memos(d)  # the same market cache key: calibrations do not read events
    assert d.cache is not None and a.cache is not None and d.cache.key == a.cache.key
    savers = (save_a, save_b, save_c, save_d)
    assert all(s is not None for s in savers)
    assert len({s.path for s in savers if s is not None}) == 4
    assert save_a is not None and memo_path(a) == save_a.path
    assert memo_path(Markets(data)) is None  # no cache: nothing kept on disk


def test_chains_identity_follows_the_catalogue_and_the_frame() -> None:
    assert chains_identity(None) == ""
    frame = pd.DataFrame({"strike": [4000.0, 4050.0], "bid": [1.0, 2.0]})
    moved = frame.assign(bid=[1.0, 2.5])
    assert chains_identity(frame) == chains_identity(frame.copy())
    assert chains_identity(frame) != chains_identity(moved)


def test_markets_that_run_no_backtest_write_nothing(tmp_path: Path) -> None:
    markets, save = _process(tmp_path)
    markets.quote(pd.Timestamp("2016-01-04"), "SPX", [pd.Timestamp("2016-02-19")], [2000.0], ["P"])
    assert save is not None and save() is None
    assert not list(tmp_path.glob(f"{MEMO_FILES}-*.pkl"))


def test_markets_whose_memos_are_in_use_are_not_attached(tmp_path: Path) -> None:
    markets, _ = _process(tmp_path)
    assert keep_memos(markets) is None  # one book per markets object


def test_the_cli_keeps_memos_only_with_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from vixshield.cli._sources import open_markets

    monkeypatch.setenv(CACHE_ENV, "off")
    assert open_markets("embedded").cache is None
    monkeypatch.setenv(CACHE_ENV, os.fspath(tmp_path))
    markets = open_markets("embedded")
    assert keep_memos(markets) is None  # open_markets attached its own book already


def test_a_save_keeps_the_four_newest_memo_files(tmp_path: Path) -> None:
    for n in range(6):
        old = tmp_path / f"{MEMO_FILES}-old{n}.pkl"
        old.write_bytes(b"")
        os.utime(old, (1_000_000 + n, 1_000_000 + n))
    markets, save = _process(tmp_path)
    Backtest(load_policy("alvh-442"), markets, start="2016-01-04", end="2016-01-29").run()
    assert save is not None and save() is not None
    kept = sorted(p.name for p in tmp_path.glob(f"{MEMO_FILES}-*.pkl"))
    assert len(kept) == 4
    assert save.path.name in kept and f"{MEMO_FILES}-old5.pkl" in kept
    assert f"{MEMO_FILES}-old2.pkl" not in kept  # the oldest went
