"""Reading the chain dataset: the catalogue for what is there, DuckDB for the rows.

`ChainDataset` lists dates and partitions from the catalogue alone (no data
file is opened), and reads rows through DuckDB over exactly the partition files
a request needs (projection and predicate pushdown: the catalogue picks the
files of the dates and underlying, DuckDB reads only the columns asked for and
skips row groups outside the expiries and strike range). Files of other months
are never opened, so a damaged file only affects requests for its own month
(and `ChainDataset.verify` finds it by its sha256).
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from vixshield.data.chains.catalogue import (
    CATALOGUE,
    CHAINS_DIR,
    Catalogue,
    Partition,
    partition_key,
    read_catalogue,
    sha256_file,
)
from vixshield.data.market import CHAIN_FRAME_COLUMNS
from vixshield.data.store import Store
from vixshield.errors import DataError

__all__ = ["ChainDataset", "ChainStatus", "chain_status"]

_OPEN_MONTHS = 2  # month tables kept by `ChainDataset.day_table` (a backtest walks forward)
_DAY_COLUMNS = ("quote_date", "root", "expiry", "settlement", "strike", "right", "bid", "ask", "iv")
_CODES = ["root", "settlement", "right"]  # a few distinct values a month: read as dictionaries


@dataclass(frozen=True)
class _Month:
    """One month file read whole: its rows (`_DAY_COLUMNS`) and each row group's span."""

    table: pa.Table
    spans: tuple[tuple[int, int], ...]  # (first row, rows) of each row group


@dataclass(frozen=True)
class ChainStatus:
    """Summary of the chain dataset for ``data status``.

    Attributes
    ----------
    underlying : str
        ``"SPX"`` or ``"VIX"``.
    first, last : str
        ISO range of quote dates.
    days : int
        Quote dates.
    rows : int
        Option quotes.
    vendors : tuple of str
        Format kinds the partitions came from.
    imported_at : str
        Latest import time of these partitions (UTC, ISO).
    """

    underlying: str
    first: str
    last: str
    days: int
    rows: int
    vendors: tuple[str, ...]
    imported_at: str


class ChainDataset:
    """The store's real option chains (``<store root>/chains``), read lazily.

    Parameters
    ----------
    home : path, optional
        Data home (`vixshield.data.store.data_home`); the dataset is under its store.
    """

    def __init__(self, home: str | os.PathLike[str] | None = None) -> None:
        self.folder = Store(home).root / CHAINS_DIR
        self._catalogue: Catalogue | None = None
        self._con: duckdb.DuckDBPyConnection | None = None
        self._lock = threading.Lock()
        self._months: dict[Path, _Month] = {}

    # ------------------------------------------------------------ catalogue
    @property
    def catalogue(self) -> Catalogue:
        """The catalogue as read at first use (a later import is seen by a new object)."""
        if self._catalogue is None:
            self._catalogue = read_catalogue(self.folder)
        return self._catalogue

    def __len__(self) -> int:
        """Option quotes in the dataset."""
        return self.catalogue.rows

    def partitions(self, underlying: str | None = None) -> list[Partition]:
        """Partitions (months) in (underlying, month) order, of one underlying or all."""
        parts = sorted(self.catalogue.partitions.values(), key=lambda p: (p.underlying, p.month))
        return [p for p in parts if underlying is None or p.underlying == underlying]

    def dates(self, underlying: str) -> pd.DatetimeIndex:
        """Quote dates with a chain for ``underlying`` (from the catalogue; no file is read)."""
        return pd.DatetimeIndex(
            sorted(d for p in self.partitions(underlying) for d in p.days), name="quote_date"
        )

    def has(self, date: pd.Timestamp, underlying: str) -> bool:
        """Whether ``date`` has a chain for ``underlying`` (catalogue only)."""
        iso = date.date().isoformat()
        p = self.catalogue.partitions.get(partition_key(underlying, iso[:7]))
        return p is not None and iso in p.days

    def digest(self) -> str | None:
        """sha256 of the catalogue file (changes with every import), None without one."""
        path = self.folder / CATALOGUE
        return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None

    def verify(self) -> tuple[str, ...]:
        """Problems found: partition files missing or not matching their sha256."""
        problems = []
        for p in self.partitions():
            path = self.folder / p.file
            if not path.exists():
                problems.append(f"chains {p.key}: file {p.file} is missing")
            elif sha256_file(path) != p.sha256:
                problems.append(f"chains {p.key}: file {p.file} does not match its sha256")
        return tuple(problems)

    # ------------------------------------------------------------ rows
    def _month(self, p: Partition) -> _Month:
        """The month file of ``p`` read whole (the last `_OPEN_MONTHS` kept).

        One read of a month's row groups costs less than a read per day (per-call
        setup, and the text columns come as dictionaries decoded once a month);
        the file name holds its import id, so a later import is a different key.
        """
        path = self.folder / p.file
        m = self._months.pop(path, None)
        if m is None:
            try:
                f = pq.ParquetFile(path, read_dictionary=_CODES)
                table = f.read(columns=list(_DAY_COLUMNS), use_threads=False)
                sizes = [f.metadata.row_group(i).num_rows for i in range(f.num_row_groups)]
                f.close()
            except (OSError, pa.ArrowInvalid) as exc:
                raise DataError(
                    f"chain partition {p.key} is unreadable ({exc})", file=str(path)
                ) from exc
            firsts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(int).tolist()
            m = _Month(table, tuple(zip(firsts, sizes, strict=True)))
        self._months[path] = m
        while len(self._months) > _OPEN_MONTHS:
            self._months.pop(next(iter(self._months)))
        return m

    def _connection(self) -> duckdb.DuckDBPyConnection:
        if self._con is None:
            self._con = duckdb.connect(config={"threads": 1})
        return self._con

    def query(
        self,
        underlying: str,
        start: pd.Timestamp | str | None = None,
        end: pd.Timestamp | str | None = None,
        *,
        expiries: Sequence[pd.Timestamp] | None = None,
        strikes: tuple[float, float] | None = None,
        columns: Sequence[str] = CHAIN_FRAME_COLUMNS,
    ) -> pd.DataFrame:
        """Rows of ``underlying`` quoted in [start, end], through DuckDB.

        Parameters
        ----------
        underlying : str
            ``"SPX"`` or ``"VIX"``.
        start, end : Timestamp or str, optional
            Inclusive range of quote dates (open-ended where None).
        expiries : sequence of Timestamp, optional
            Only these expiries.
        strikes : (float, float), optional
            Only strikes in this inclusive range (index points).
        columns : sequence of str
            Columns to return (of `CHAIN_FRAME_COLUMNS`).

        Returns
        -------
        DataFrame
            Sorted by (quote_date, expiry, strike, right); dates as datetime64[ns].
        """
        lo = pd.Timestamp(start).date().isoformat() if start is not None else "0000-00-00"
        hi = pd.Timestamp(end).date().isoformat() if end is not None else "9999-99-99"
        parts = [p for p in self.partitions(underlying) if any(lo <= d <= hi for d in p.days)]
        if expiries is not None:
            want = [pd.Timestamp(e).date().isoformat() for e in expiries]
            parts = [p for p in parts if any(p.expiry_min <= w <= p.expiry_max for w in want)]
        if strikes is not None:
            parts = [p for p in parts if p.strike_max >= strikes[0] and p.strike_min <= strikes[1]]
        bad = [c for c in columns if c not in CHAIN_FRAME_COLUMNS]
        if bad:
            raise ValueError(f"unknown chain columns: {bad}")
        if not parts:
            return _empty(columns)
        files = [str(self.folder / p.file) for p in parts]
        where: list[str] = ["quote_date BETWEEN ? AND ?"]
        params: list[object] = [
            lo if start is not None else "0001-01-01",
            hi if end is not None else "9999-12-31",
        ]
        if expiries is not None:
            where.append(f"expiry IN ({', '.join('?' for _ in expiries)})")
            params += [pd.Timestamp(e).date().isoformat() for e in expiries]
        if strikes is not None:
            where.append("strike BETWEEN ? AND ?")
            params += [float(strikes[0]), float(strikes[1])]
        return _typed(self._arrow(files, columns, where, params).to_pandas())

    def _arrow(
        self, files: list[str], columns: Sequence[str], where: list[str], params: list[object]
    ) -> pa.Table:
        sel = ", ".join(f'"{c}"' for c in columns)
        sql = (
            f"SELECT {sel} FROM read_parquet($files, hive_partitioning = true, "
            "hive_types = {'underlying': VARCHAR, 'month': VARCHAR}) "
            f'WHERE {" AND ".join(where)} ORDER BY quote_date, expiry, strike, "right"'
        )
        named = {"files": files, **{f"p{i}": v for i, v in enumerate(params)}}
        for i in range(len(params)):
            sql = sql.replace("?", f"$p{i}", 1)
        with self._lock:
            try:
                return self._connection().sql(sql, params=named).to_arrow_table()
            except duckdb.Error as exc:
                raise DataError(
                    f"chain dataset could not be read ({exc})", file=str(self.folder)
                ) from exc

    def day_table(self, date: pd.Timestamp, underlying: str) -> pa.Table | None:
        """One (date, underlying)'s rows as Arrow (no pandas), None where there are none.

        The date's row group of its month's file (the catalogue knows which), sliced
        from the month read whole (`_month`): a backtest walking forward reads each
        month file once, not the dataset, and never a DuckDB query, whose fixed cost
        dominates a one-day read. ``root``, ``settlement`` and ``right`` come as
        dictionary arrays.
        """
        iso = date.date().isoformat()
        p = self.catalogue.partitions.get(partition_key(underlying, iso[:7]))
        if p is None or iso not in p.days:
            return None
        group = list(p.days).index(iso)
        m = self._month(p)
        if group >= len(m.spans):
            raise DataError(
                f"chain partition {p.key} does not match its catalogue entry",
                file=str(self.folder / p.file),
            )
        first, rows = m.spans[group]
        table = m.table.slice(first, rows)
        if rows != p.days[iso] or not rows or table.column("quote_date")[0].as_py() != date.date():
            raise DataError(
                f"chain partition {p.key} does not match its catalogue entry",
                file=str(self.folder / p.file),
            )
        return table.drop_columns(["quote_date"])

    def day(self, date: pd.Timestamp, underlying: str) -> pd.DataFrame | None:
        """All rows of one (date, underlying) as a chain frame, None where there are none."""
        if not self.has(date, underlying):
            return None
        return self.query(underlying, date, date)

    def status(self) -> tuple[ChainStatus, ...]:
        """One summary per underlying (empty without chains)."""
        out = []
        for u in sorted({p.underlying for p in self.partitions()}):
            parts = self.partitions(u)
            days = sorted(d for p in parts for d in p.days)
            out.append(
                ChainStatus(
                    u,
                    days[0],
                    days[-1],
                    len(days),
                    sum(p.rows for p in parts),
                    tuple(sorted({v for p in parts for v in p.vendor})),
                    max(p.imported_at for p in parts),
                )
            )
        return tuple(out)


def chain_status(home: str | os.PathLike[str] | None = None) -> tuple[ChainStatus, ...]:
    """`ChainDataset.status` of the store at ``home`` (for ``vixshield data status``)."""
    return ChainDataset(home).status()


def _empty(columns: Sequence[str]) -> pd.DataFrame:
    dtypes = {
        "quote_date": "datetime64[ns]",
        "expiry": "datetime64[ns]",
        "strike": "float64",
        "bid": "float64",
        "ask": "float64",
        "iv": "float64",
    }
    return pd.DataFrame({c: pd.Series([], dtype=dtypes.get(c, "string")) for c in columns})


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    for c in ("quote_date", "expiry"):
        if c in frame.columns:
            frame[c] = pd.to_datetime(frame[c]).astype("datetime64[ns]")
    for c in ("underlying", "root", "settlement", "right"):
        if c in frame.columns:
            frame[c] = frame[c].astype("string")
    for c in ("strike", "bid", "ask", "iv"):
        if c in frame.columns:
            frame[c] = frame[c].astype(np.float64)
    return frame
