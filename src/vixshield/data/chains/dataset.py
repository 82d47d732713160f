"""Reading the chain dataset: the catalogue for what is there, DuckDB for the rows.

`ChainDataset` lists dates and partitions from the catalogue alone (no data
file is opened), and reads rows through DuckDB over exactly the partition files
a request needs (projection and predicate pushdown: the catalogue picks the
files of the dates and underlying, DuckDB reads only the columns asked for and
skips row groups outside the expiries and strike range). Files of other months
are never opened, so a damaged file only affects requests for its own month
(and `ChainDataset.verify` finds it by its sha256). Backtests read whole months
instead (`ChainDataset.month`: one Arrow read of a file, checked against the
catalogue's dates).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
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

if TYPE_CHECKING:
    import duckdb

__all__ = ["ChainDataset", "ChainMonth", "ChainStatus", "chain_status"]

_OPEN_MONTHS = 2  # month tables kept by `ChainDataset.month` (a backtest walks forward)
_DAY_COLUMNS = ("root", "expiry", "settlement", "strike", "right", "bid", "ask", "iv")
_CODES = ["root", "settlement", "right"]  # a few distinct values a month: read as dictionaries


class ChainMonth(NamedTuple):
    """Whole quote dates of one underlying's chain, one after the other (a month file).

    A plain tuple ``(table, days, rows)`` to its readers (`markets.real_source.MonthRows`).

    Attributes
    ----------
    table : pyarrow.Table
        The rows: root, expiry, settlement, strike, right, bid, ask, iv (``root``,
        ``settlement`` and ``right`` as dictionary arrays where read from the dataset).
    days : tuple of Timestamp
        The quote dates (midnight), in the order of their rows in ``table``.
    rows : tuple of int
        Rows of each date: date ``i`` is rows ``sum(rows[:i])`` to ``sum(rows[:i + 1])``.
    """

    table: pa.Table
    days: tuple[pd.Timestamp, ...]
    rows: tuple[int, ...]

    def day(self, date: pd.Timestamp) -> pa.Table | None:
        """Rows of one of `days` (a zero-copy slice), None for another date."""
        if date not in self.days:
            return None
        i = self.days.index(date)
        return self.table.slice(sum(self.rows[:i]), self.rows[i])


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
        self._months: dict[Path, ChainMonth] = {}

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
    def _month(self, p: Partition) -> ChainMonth:
        """The month file of ``p`` read whole (`_read_month`; the last `_OPEN_MONTHS` kept).

        One read of a month costs less than a read per day (per-call
        setup, and the text columns come as dictionaries decoded once a month);
        the file name holds its import id, so a later import is a different key.
        Under the dataset's lock: a backtest reads the next month on a worker thread
        (`markets.real_source.RealChains`) while other callers may read too.
        """
        path = self.folder / p.file
        with self._lock:
            m = self._months.pop(path, None)
            if m is None:
                m = _read_month(self.folder, p)
            self._months[path] = m
            while len(self._months) > _OPEN_MONTHS:
                self._months.pop(next(iter(self._months)))
        return m

    def month(self, date: pd.Timestamp, underlying: str) -> ChainMonth | None:
        """Every quote date of ``date``'s calendar month (its partition), None without ``date``.

        The month file read whole (`_month`, no pandas): a backtest walking forward
        reads each month file once, and never through a DuckDB query, whose fixed
        cost dominates a one-day read.
        """
        iso = date.date().isoformat()
        p = self.catalogue.partitions.get(partition_key(underlying, iso[:7]))
        if p is None or iso not in p.days:
            return None
        return self._month(p)

    def next_month(self, date: pd.Timestamp, underlying: str) -> pd.Timestamp | None:
        """The first quote date of ``underlying`` after ``date``'s month (catalogue only),
        None after its last partition: the month a backtest reads next."""
        after = date.date().isoformat()[:7]
        later = [p for p in self.partitions(underlying) if p.month > after and p.days]
        return pd.Timestamp(min(later[0].days)) if later else None

    def _connection(self) -> duckdb.DuckDBPyConnection:
        import duckdb  # here: a backtest reading months never pays for it

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
        import duckdb

        with self._lock:
            try:
                return self._connection().sql(sql, params=named).to_arrow_table()
            except duckdb.Error as exc:
                raise DataError(
                    f"chain dataset could not be read ({exc})", file=str(self.folder)
                ) from exc

    def day_table(self, date: pd.Timestamp, underlying: str) -> pa.Table | None:
        """One (date, underlying)'s rows as Arrow (no pandas), None where there are none.

        The date's rows of its month's file (the catalogue knows which), sliced
        from the month read whole (`month`). ``root``, ``settlement`` and ``right``
        come as dictionary arrays.
        """
        m = self.month(date, underlying)
        return None if m is None else m.day(date.normalize())

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


def _read_month(folder: Path, p: Partition) -> ChainMonth:
    """The month file of ``p`` (under the ``chains`` ``folder``) read whole.

    The file must hold the catalogue's dates and their rows, in order
    (`_check_days`), else a `DataError`; so must a file Arrow cannot read.
    """
    path = folder / p.file
    try:
        with pq.ParquetFile(path, read_dictionary=_CODES) as f:
            by_day = _by_day(f.metadata, p)
            cols = list(_DAY_COLUMNS) if by_day else [*_DAY_COLUMNS, "quote_date"]
            table = f.read(columns=cols, use_threads=False)
            if by_day:
                days = _check_days(f, p, path)
            else:
                days = _check_rows(table.column("quote_date"), p, path)
                table = table.drop_columns(["quote_date"])
    except (OSError, pa.ArrowInvalid, KeyError) as exc:
        raise DataError(f"chain partition {p.key} is unreadable ({exc})", file=str(path)) from exc
    return ChainMonth(table, days, tuple(p.days.values()))


def _by_day(meta: pq.FileMetaData, p: Partition) -> bool:
    """Whether the file has a row group per catalogue date, of its row count (the layout
    of imports before one row group a month), for `_check_days` to check from the
    statistics; else `_check_rows` reads the ``quote_date`` column."""
    n = meta.num_row_groups
    if n < 2 or n != len(p.days):
        return False
    return all(meta.row_group(i).num_rows == r for i, r in enumerate(p.days.values()))


def _check_rows(column: pa.ChunkedArray, p: Partition, path: Path) -> tuple[pd.Timestamp, ...]:
    """The catalogue's quote dates of ``p``, checked against the file's ``quote_date`` column.

    The column must hold each date of the catalogue for its row count, in order
    (a file of one row group a month, or any layout); a `DataError` otherwise.
    """
    dates = np.array(list(p.days), dtype="datetime64[D]")
    counts = np.fromiter(p.days.values(), dtype=np.int64, count=len(p.days))
    got = pc.cast(column, pa.int32()).to_numpy()
    want = np.repeat(dates.astype(np.int64), counts)
    if (counts <= 0).any() or got.shape != want.shape or not np.array_equal(got, want):
        raise DataError(
            f"chain partition {p.key} does not match its catalogue entry", file=str(path)
        )
    return tuple(pd.Timestamp(d) for d in dates.tolist())


def _check_days(f: pq.ParquetFile, p: Partition, path: Path) -> tuple[pd.Timestamp, ...]:
    """The catalogue's quote dates of ``p``, checked against the file's row groups.

    Row group ``i`` must hold the ``i``-th date of the catalogue and its row count:
    read from the ``quote_date`` statistics the writer stores (no data page), or
    from the column itself where a row group has none. A `DataError` otherwise.
    """
    meta = f.metadata
    dates = [dt.date.fromisoformat(d) for d in p.days]
    if meta.num_row_groups != len(dates):
        raise DataError(
            f"chain partition {p.key} does not match its catalogue entry", file=str(path)
        )
    col = meta.schema.to_arrow_schema().get_field_index("quote_date")
    bad = col < 0
    for i, (want, rows) in enumerate(zip(dates, p.days.values(), strict=True)):
        if bad:
            break
        rg = meta.row_group(i)
        stats = rg.column(col).statistics
        if rg.num_rows != rows or not rows:
            bad = True
        elif stats is None or not stats.has_min_max:  # no statistics: the column says
            got = f.read_row_group(i, columns=["quote_date"], use_threads=False).column(0)
            bad = pc.min_max(got).as_py() != {"min": want, "max": want}
        else:
            bad = stats.min != want or stats.max != want
    if bad:
        raise DataError(
            f"chain partition {p.key} does not match its catalogue entry", file=str(path)
        )
    return tuple(pd.Timestamp(d) for d in dates)


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
