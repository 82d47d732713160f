"""Running many backtests: in process, on a local Dask cluster or on an existing one.

What is shared (issue 11, item 3): the market (`vixshield.markets.Markets` over the
data, with its lazily filled per-date caches: calibrations, listed expiries, VX
curves) is built once per process and data set and reused by every variant that
process runs:

* in process (``workers=0``) the one market object serves every run;
* on Dask, a run named by its ``--data`` source is given ``(source, checksum)``; each
  worker process opens that source once, checks that its data has the client's
  checksum (a worker whose store differs fails with both checksums: results are
  never mixed across data sets) and keeps the market in a per-process cache
  (`_worker_market`) for every later task;
* a market object given by the caller (the Python API, tests) is scattered once to
  every worker (``broadcast=True``; a `Markets` pickles to about 1-2 MB) and each
  worker keeps the one copy for all its tasks.

Results are the flattened `vixshield.backtest.summary_dict` of each run; the sweep
table (`ResultTable`) is written atomically (temporary file + ``os.replace``) after
completed runs (at most once a second, less often for a table that takes long to
write, and always on the way out, interruptions included), so a rerun reuses every
finished run by its key (`keys.variant_key`).
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from vixshield.errors import UserError
from vixshield.sweep.keys import data_checksum

if TYPE_CHECKING:
    from distributed import Client

    from vixshield.markets.types import MarketView
    from vixshield.strategy.policy import Policy

__all__ = [
    "LOCAL_CLUSTER_CONFIG",
    "DataRef",
    "Job",
    "JobResult",
    "ResultTable",
    "data_ref",
    "execute",
    "flatten_summary",
    "open_data",
    "open_runner",
    "run_job",
]

_WRITE_EVERY = 1.0  # seconds between rewrites of the result table while runs complete
_WRITE_SHARE = 0.02  # most of the client's time the rewrites may take (a big table waits longer)
LOCAL_CLUSTER_CONFIG: dict[str, object] = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
}
"""Dask settings of the local clusters `open_runner` starts (their processes inherit them).

Dask's defaults wake each worker's event loop about 150 times a second besides its
heartbeats: a statistical profile of the running task every 10 ms (shown only on a
dashboard, which these clusters do not start) and a loop-health tick every 20 ms. Each
wake-up takes the GIL from the backtest thread and costs CPU on a machine whose cores
all run backtests; here a tick comes once a second and nothing is profiled. A cluster
given by ``--scheduler`` keeps its own settings.
"""
_MARKETS: dict[tuple[str, str], MarketView] = {}  # per-process market cache (workers)


@dataclass(frozen=True)
class DataRef:
    """The data every run of a sweep uses.

    Attributes
    ----------
    checksum : str
        `keys.data_checksum` of the data (part of every run's key).
    source : str or None
        The ``--data`` source (``"embedded"``, ``"store"``) workers open themselves;
        None for a market given in memory.
    market : MarketView or None
        The market in this process (None only on the far side of a worker).
    """

    checksum: str
    source: str | None
    market: MarketView | None = None


def _chains_digest(source: str) -> str | None:
    """What identifies the store's real chains: the chain dataset's catalogue digest
    (changes with every chain import), else the legacy ``chain`` series' sha256."""
    if source != "store":
        return None
    from vixshield.data.chains import ChainDataset
    from vixshield.data.store import Store

    digest = ChainDataset().digest()
    if digest is not None:
        return digest
    store = Store()
    latest = store.latest("chain") if "chain" in store else None
    return latest.sha256 if latest is not None else None


def open_data(source: str) -> DataRef:
    """Open ``--data SOURCE`` in this process (`UserError` for an unknown source)."""
    from vixshield.cli._sources import open_markets

    market = open_markets(source)
    return DataRef(data_checksum(market.data, _chains_digest(source)), source, market)


def data_ref(market: MarketView) -> DataRef:
    """A `DataRef` for a market object built by the caller (scattered to Dask workers)."""
    return DataRef(data_checksum(market.data), None, market)


def _worker_market(source: str, checksum: str) -> MarketView:
    """This process's market for ``source``, opened once and checked against ``checksum``."""
    cached = _MARKETS.get((source, checksum))
    if cached is not None:
        return cached
    opened = open_data(source)
    if opened.checksum != checksum:
        raise RuntimeError(
            f"--data {source} on worker pid {os.getpid()} has checksum {opened.checksum[:12]}, "
            f"the client's has {checksum[:12]}: the worker's data differs (same store and "
            "vixshield version needed on every worker)"
        )
    assert opened.market is not None
    _MARKETS.clear()  # one data set per worker at a time: markets are large
    _MARKETS[(source, checksum)] = opened.market
    return opened.market


@dataclass(frozen=True)
class Job:
    """One backtest to run: a policy over a window, named by its key.

    ``keep_daily`` asks for the run's daily ``equity`` and ``rate`` (walk-forward test
    windows stitch them).
    """

    key: str
    policy: Policy
    start: str | None
    end: str | None
    keep_daily: bool = False


@dataclass(frozen=True)
class JobResult:
    """What a run returns: its key, the flattened summary and, if asked, daily equity."""

    key: str
    summary: Mapping[str, object]
    daily: pd.DataFrame | None = None


def flatten_summary(summary: Mapping[str, object], prefix: str = "") -> dict[str, object]:
    """Nested dicts joined by ``.`` (``pnl_by_component.condor``); lists as JSON text."""
    out: dict[str, object] = {}
    for key, value in summary.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(flatten_summary(value, f"{name}."))
        elif isinstance(value, list | tuple):
            out[name] = json.dumps(list(value))
        else:
            out[name] = value
    return out


def run_job(job: Job, market: MarketView) -> JobResult:
    """Run one backtest of ``job`` on ``market`` (the market is only read)."""
    from vixshield.backtest import Backtest, summary_dict

    result = Backtest(job.policy, market, start=job.start, end=job.end).run()
    daily = result.daily[["equity", "rate"]].copy() if job.keep_daily else None
    return JobResult(job.key, flatten_summary(summary_dict(result)), daily)


def _task(job: Job, source: str | None, checksum: str, market: Any = None) -> JobResult:
    """A Dask task: the worker's market (scattered or opened once), then the run."""
    if market is None:
        if source is None:
            raise RuntimeError("a sweep task has neither a data source nor a market")
        market = _worker_market(source, checksum)
    return run_job(job, market)


@contextmanager
def _client(workers: int, scheduler: str | None) -> Iterator[Client]:
    import dask
    from distributed import Client, LocalCluster

    if scheduler is not None:
        try:
            client = Client(scheduler, timeout="10s")  # type: ignore[no-untyped-call]
        except (OSError, TimeoutError) as err:
            raise UserError(f"--scheduler {scheduler}: cannot connect ({err})") from None
        with client:
            if not client.scheduler_info().get("workers"):
                client.wait_for_workers(1, timeout=30)
            yield client
        return
    with (
        dask.config.set(LOCAL_CLUSTER_CONFIG),
        LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.CRITICAL,  # shutdown heartbeats log errors
        ) as cluster,
        Client(cluster) as client,  # type: ignore[no-untyped-call]
    ):
        yield client


RunFn = Callable[[Sequence[Job], Callable[[JobResult], None]], None]


@contextmanager
def open_runner(
    data: DataRef, workers: int | None = None, scheduler: str | None = None
) -> Iterator[RunFn]:
    """A function ``run(jobs, on_result)`` over one cluster (or this process) and one market.

    Parameters
    ----------
    data : DataRef
        The market (its source for workers to open, or the object to scatter once).
    workers : int, optional
        0 runs in this process, reusing ``data.market``; N >= 1 starts a
        `distributed.LocalCluster` of N worker processes with one thread each (default
        ``os.cpu_count()``). Ignored with ``scheduler``.
    scheduler : str, optional
        Address of a running Dask scheduler (``tcp://HOST:PORT``) to run on instead.

    Notes
    -----
    ``run`` calls ``on_result`` in this process with each `JobResult`, in completion
    order; an exception ``on_result`` raises stops the runs (those pending are
    cancelled). The cluster starts at the first ``run`` with jobs and stops on exit.
    """
    n = (os.cpu_count() or 1) if workers is None else workers
    if n < 0:
        raise UserError(f"--workers: expected 0 (in process) or more, got {n}")
    if scheduler is None and n == 0:
        market = data.market
        if market is None:
            raise RuntimeError("an in-process sweep needs the market object")

        def run_here(jobs: Sequence[Job], on_result: Callable[[JobResult], None]) -> None:
            for job in jobs:
                on_result(run_job(job, market))

        yield run_here
        return
    with ExitStack() as stack:
        state: dict[str, Any] = {}

        def run_dask(jobs: Sequence[Job], on_result: Callable[[JobResult], None]) -> None:
            from distributed import as_completed

            if not jobs:
                return
            if "client" not in state:
                state["client"] = stack.enter_context(_client(n, scheduler))
                state["market"] = None
                if data.source is None:
                    state["market"] = state["client"].scatter(
                        data.market, broadcast=True, hash=False
                    )
            client = state["client"]
            futures = [
                client.submit(_task, job, data.source, data.checksum, state["market"], pure=False)
                for job in jobs
            ]
            try:
                for future in as_completed(futures):  # type: ignore[no-untyped-call]
                    on_result(future.result())
            finally:
                client.cancel(futures)

        yield run_dask


def execute(
    jobs: Sequence[Job],
    data: DataRef,
    on_result: Callable[[JobResult], None],
    workers: int | None = None,
    scheduler: str | None = None,
) -> None:
    """Run ``jobs`` once (`open_runner` for the arguments), calling ``on_result`` per run."""
    if not jobs:
        return
    with open_runner(data, workers, scheduler) as run:
        run(jobs, on_result)


class ResultTable:
    """The rows of finished runs, kept in a Parquet file that is rewritten atomically.

    Parameters
    ----------
    path : Path or None
        The Parquet file (None keeps the rows in memory only). Rows already there are
        loaded: `has` tells which keys are done.
    keep : collection of str, optional
        The keys that belong to the current plan; rows of other keys found in the file
        (an earlier sweep of another grid, data or code version) are dropped from it.
    """

    def __init__(self, path: Path | None, keep: Sequence[str] | None = None) -> None:
        self.path = path
        self._rows: dict[str, dict[str, object]] = {}
        self.dropped = 0
        self._last_write = 0.0
        self._wait = _WRITE_EVERY
        self._dirty = False
        if path is not None and path.is_file():
            try:
                old = pd.read_parquet(path)
            except (OSError, ValueError) as err:
                raise UserError(f"{path}: cannot read the earlier results ({err})") from None
            if "variant_key" not in old.columns:
                raise UserError(f"{path}: not a sweep result table (no variant_key column)")
            wanted = set(keep) if keep is not None else None
            for row in old.to_dict("records"):
                key = str(row["variant_key"])
                if wanted is None or key in wanted:
                    self._rows[key] = {str(k): v for k, v in row.items()}
                else:
                    self.dropped += 1
            self._dirty = self.dropped > 0

    def has(self, key: str) -> bool:
        """True where the run of ``key`` is done."""
        return key in self._rows

    def row(self, key: str) -> Mapping[str, object]:
        """The row of ``key``."""
        return self._rows[key]

    def add(self, key: str, row: Mapping[str, object]) -> None:
        """Record a finished run; rewrite the file if it is time (`flush`)."""
        self._rows[key] = {"variant_key": key, **row}
        self._dirty = True
        if time.monotonic() - self._last_write >= self._wait:
            self.flush()

    def frame(self) -> pd.DataFrame:
        """All rows, in insertion order."""
        return pd.DataFrame(list(self._rows.values()))

    def flush(self) -> None:
        """Write the file now (temporary file in the same folder, then ``os.replace``).

        `add` calls it again after a second, or after 50 times what this write took
        if longer (a 1,000-row table takes about 0.07 s to write): rewriting the whole
        table stays under 2 % of the client's time however many rows it has.
        """
        began = time.monotonic()
        self._last_write = began
        if self.path is None or not self._dirty:
            return
        frame = self.frame()
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            frame.to_parquet(tmp, index=False)
            os.replace(tmp, self.path)
        except OSError as err:
            tmp.unlink(missing_ok=True)
            raise UserError(f"cannot write {self.path}: {err.strerror or err}") from None
        self._dirty = False
        self._last_write = time.monotonic()
        self._wait = max(_WRITE_EVERY, (self._last_write - began) / _WRITE_SHARE)
