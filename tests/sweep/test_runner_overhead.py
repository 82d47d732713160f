"""What a sweep costs besides its backtests: the local cluster's worker settings and the
pacing of the result table's rewrites."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dask
import distributed  # noqa: F401  (registers Dask's distributed.* settings)
import pandas as pd
import pytest

from vixshield.sweep import runner
from vixshield.sweep.runner import ResultTable


def test_local_cluster_workers_do_not_profile_and_tick_once_a_second() -> None:
    before = dask.config.get("distributed.worker.profile.enabled")
    with runner._client(1, None) as client:  # read in the worker process
        profiles = list(client.run(dask.config.get, "distributed.worker.profile.enabled").values())
        ticks = list(client.run(dask.config.get, "distributed.admin.tick.interval").values())
    assert profiles == [False] and ticks == ["1s"]  # Dask's defaults: True, "20ms"
    # the caller's own settings are back once the cluster is gone
    assert dask.config.get("distributed.worker.profile.enabled") == before


class _Clock:
    """`time.monotonic` for `runner`, moved by hand (and by each write)."""

    def __init__(self) -> None:
        self.now = 100.0

    def monotonic(self) -> float:
        return self.now


def _rows(path: Path) -> int:
    return len(pd.read_parquet(path)) if path.is_file() else 0


def test_a_slow_table_write_is_repeated_less_often(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = _Clock()
    monkeypatch.setattr(runner, "time", clock)
    write = pd.DataFrame.to_parquet

    def slow_write(frame: pd.DataFrame, *args: Any, **kwargs: Any) -> Any:
        clock.now += 0.1  # every write of the table takes 0.1 s
        return write(frame, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "to_parquet", slow_write)
    path = tmp_path / "sweep.parquet"
    table = ResultTable(path)
    table.add("a", {"x": 1.0})  # the first run is written at once
    assert _rows(path) == 1
    # that write took 0.1 s: the next one waits 50 x 0.1 = 5 s, not 1 s
    clock.now += 4.0
    table.add("b", {"x": 2.0})
    assert _rows(path) == 1
    clock.now += 1.0
    table.add("c", {"x": 3.0})
    assert _rows(path) == 3
    table.flush()  # on the way out: always written
    assert list(pd.read_parquet(path)["variant_key"]) == ["a", "b", "c"]
