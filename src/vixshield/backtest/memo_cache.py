"""The per-market memos of a `Markets` object, kept on disk between processes.

A run over a data set fills memos of what depends on the market alone (quotes of the
legs held, the hedge layers' chosen options, the condor builder's candidates, the
indicator frames: `vixshield.strategy.memo`, `vixshield.backtest.quote_memo`), so that
the runs after it over the same object read them back. `keep_memos` makes the next
*process* over the same data start from them too: its first backtest then costs what a
second one costs in one process.

Key: SHA-256 of the markets' `vixshield.markets.cache.MarketCache` key (the daily frame,
the VX settlements and the markets' code), of the rest of their data (the macro
calendar, the benchmarks, the rates' origins, the provenance), of the real chains'
identity (``chains_key``: the store's chain catalogue, whose file names hold each
import's id), of the source of
every module of the package (a memo's value may depend on any of the strategy's code)
and of the library versions. A change to any of them gives another file, never a
stale value; values are pickled as computed, so a run that reads them is byte-identical
to one that computes them. The file is read at the first use of a memo on the markets
(a command that runs no backtest never reads it), written atomically when the markets
are dropped or the process exits (only where a memo grew), and the files beyond the
four newest are removed, so keys that change with each day's data do not pile up.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Hashable
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from vixshield.data.cache_files import (
    library_versions,
    load_pickle,
    prune_files,
    save_pickle,
    source_digest,
)
from vixshield.markets.cache import frame_digest
from vixshield.markets.view import Markets
from vixshield.strategy.memo import MemoBook, MemoTables, attach_book

if TYPE_CHECKING:
    from vixshield.data.chains.dataset import ChainDataset
    from vixshield.data.market import MarketData

__all__ = ["MEMO_FILES", "MemoSaver", "chains_identity", "keep_memos", "memo_path"]

MEMO_FILES = "memos"
"""Name of the memo files in the cache folder (``memos-<key>.pkl``)."""

_FORMAT = "memo-cache 1"  # bump when the pickled layout changes
_KEEP_FILES = 4  # memo files kept (a few MB to tens of MB each)
_PACKAGE = Path(__file__).resolve().parents[1]
_SCALARS = (int, float, str, bytes, bool, type(None))


@functools.cache
def _code_digest() -> str:
    """SHA-256 of every module of the package and of the libraries' versions."""
    files = sorted(_PACKAGE.rglob("*.py"))
    numba = metadata.version("numba")  # the kernels' compiler (read without importing it)
    return source_digest(files, _FORMAT, *library_versions(), f"numba {numba}")


def memo_path(markets: Markets, chains_key: str = "") -> Path | None:
    """The memo file of ``markets`` (None where they have no on-disk cache)."""
    cache = markets.cache
    if cache is None:
        return None
    h = hashlib.sha256()
    for part in (cache.key, _rest_of_data(markets.data), chains_key, _code_digest()):
        h.update(part.encode())
        h.update(b"\0")
    return cache.folder / f"{MEMO_FILES}-{h.hexdigest()}.pkl"


def _rest_of_data(data: MarketData) -> str:
    """SHA-256 of what the market cache key leaves out: the macro calendar, the benchmark
    indices, the rates' origins and the series' provenance (a memo may read any of it)."""
    h = hashlib.sha256()
    frames = [data.events, data.benchmarks]
    if data.rate_origins is not None:
        frames.append(data.rate_origins.to_frame())
    for frame in frames:
        frame_digest(h, frame)
        h.update(b"\0")
    h.update(repr(sorted((k, repr(v)) for k, v in data.provenance.items())).encode())
    return h.hexdigest()


def _load(path: Path) -> MemoTables:
    """The tables stored at ``path``; empty where there is none or it is not ours."""
    stored = load_pickle(path, dict)
    if stored is None:
        return {}
    ok = all(isinstance(k, str) and isinstance(v, dict) for k, v in stored.items())
    return stored if ok else {}


def _entries(tables: MemoTables) -> int:
    return sum(len(t) for t in tables.values())


def _interned(tables: MemoTables) -> MemoTables:
    """``tables`` with equal key parts made one object (a policy section pickled once,
    not once per day); the keys are equal, so every lookup finds what it found."""
    seen: dict[Hashable, Hashable] = {}

    def part(x: Any) -> Any:
        if isinstance(x, _SCALARS):
            return x
        if type(x) is tuple:
            return tuple(part(y) for y in x)
        return seen.setdefault(x, x)

    return {name: {part(k): v for k, v in t.items()} for name, t in tables.items()}


class MemoSaver:
    """Writes the memos of one `Markets` object to its file where they grew.

    Holds the memo book, not the markets, so that it can run when they are dropped
    (``weakref.finalize(markets, saver)``).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.book: MemoBook | None = None
        self._stored = 0  # entries the file holds, as far as this process knows

    def load(self) -> MemoTables:
        """The stored tables (the `MemoBook`'s loader; counts what the file holds)."""
        tables = _load(self.path)
        self._stored = _entries(tables)
        return tables

    def __call__(self) -> Path | None:
        """Write the tables if a memo grew since they were read; the file, or None."""
        tables = self.book.used() if self.book is not None else None
        if tables is None:
            return None
        n = _entries(tables)
        if n == self._stored:
            return None
        save_pickle(self.path, _interned(tables))
        self._stored = n
        prune_files(self.path.parent, MEMO_FILES, keep=_KEEP_FILES)
        return self.path


def keep_memos(markets: Markets, chains_key: str = "") -> MemoSaver | None:
    """Start the memos of ``markets`` from their file, and return what writes them back.

    Parameters
    ----------
    markets : Markets
        Markets with an on-disk cache (`Markets.cache`); None is returned otherwise,
        and where a memo was used on them already (their memos then stay in process).
    chains_key : str
        Identity of the real chains ``markets`` answer from ("" where none): a string
        that changes whenever a quote of theirs may (`chains_identity`).

    Returns
    -------
    MemoSaver or None
        Call it (or pass it to ``weakref.finalize``) to store what the memos add.
    """
    path = memo_path(markets, chains_key)
    if path is None:
        return None
    saver = MemoSaver(path)
    book = MemoBook(saver.load, persistent=True)
    if not attach_book(markets, book):
        return None
    saver.book = book
    return saver


def chains_identity(chains: ChainDataset | pd.DataFrame | None) -> str:
    """`keep_memos`' ``chains_key`` of the chains a `Markets` object answers from.

    "" without chains; for the store's dataset, SHA-256 of its catalogue as the dataset
    read it (every partition's file, whose name holds its import's id, and its dates
    and row counts); for a frame, SHA-256 of its content.
    """
    h = hashlib.sha256()
    if chains is None:
        return ""
    if isinstance(chains, pd.DataFrame):
        frame_digest(h, chains)
        return h.hexdigest()
    parts = sorted(chains.catalogue.partitions.values(), key=lambda p: p.key)
    for p in parts:
        h.update(repr((p.key, p.file, sorted(p.days.items()))).encode())
    return h.hexdigest()
