"""The chain dataset's catalogue: one JSON file listing every partition file.

Layout under the store root (``Store(home).root``)::

    chains/
      catalogue.json
      underlying=SPX/month=2024-01/<import id>.parquet
      underlying=VIX/month=2024-01/<import id>.parquet
      .staging/<pid>-<import id>/...        (an import in progress)

Hive-style folders, so DuckDB reads ``underlying`` and ``month`` from the path.
A partition is one (underlying, calendar month of quote dates): one file, rows
sorted by (quote_date, expiry, strike, right), one row group (files of earlier
imports: one row group per quote date, also read). Its entry records the file,
rows per quote date, sha256, expiry and strike ranges and provenance (vendor
kinds, source files, import id and time). Only files the catalogue names are data: a file
left by an import that died before its commit is not read and is removed by the
next commit. The catalogue is replaced in one ``os.replace``, so a reader sees
the old or the new dataset, never a mix.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from vixshield.errors import DataError

__all__ = [
    "CATALOGUE",
    "CHAINS_DIR",
    "FORMAT_VERSION",
    "Catalogue",
    "Partition",
    "partition_key",
    "partition_rel",
    "read_catalogue",
    "sha256_file",
    "write_catalogue",
]

CHAINS_DIR = "chains"
"""Folder of the dataset inside the store root."""

CATALOGUE = "catalogue.json"
FORMAT_VERSION = 1


@dataclass(frozen=True)
class Partition:
    """One partition file of the dataset.

    Attributes
    ----------
    underlying : str
        ``"SPX"`` or ``"VIX"``.
    month : str
        ``YYYY-MM`` of the quote dates.
    file : str
        Path relative to the ``chains`` folder.
    rows : int
        Option quotes in the file.
    days : mapping of str to int
        Quote dates (ISO) in the file and the rows of each, in their order in the file.
    sha256 : str
        Digest of the file's bytes.
    expiry_min, expiry_max : str
        ISO range of the expiries.
    strike_min, strike_max : float
        Range of the strikes (index points).
    vendor : tuple of str
        Format kinds the rows came from (``optionsdx``, ``datashop``, ...).
    sources : tuple of str
        Source files (display names).
    import_id : str
        The import that wrote the file.
    imported_at : str
        UTC time of that import (ISO).
    """

    underlying: str
    month: str
    file: str
    rows: int
    days: Mapping[str, int]
    sha256: str
    expiry_min: str
    expiry_max: str
    strike_min: float
    strike_max: float
    vendor: tuple[str, ...]
    sources: tuple[str, ...]
    import_id: str
    imported_at: str

    @property
    def key(self) -> str:
        return partition_key(self.underlying, self.month)


@dataclass(frozen=True)
class Catalogue:
    """Every partition, by key ``"<underlying>/<quote date>"``, and the import log."""

    partitions: Mapping[str, Partition]
    imports: tuple[Mapping[str, Any], ...] = ()

    @property
    def rows(self) -> int:
        return sum(p.rows for p in self.partitions.values())


def partition_key(underlying: str, month: str) -> str:
    """``"SPX/2024-01"``."""
    return f"{underlying}/{month}"


def partition_rel(underlying: str, month: str, import_id: str) -> str:
    """File path of a partition relative to the ``chains`` folder."""
    return f"underlying={underlying}/month={month}/{import_id}.parquet"


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def read_catalogue(chains: Path) -> Catalogue:
    """The catalogue of the dataset folder ``chains`` (empty where there is none)."""
    path = chains / CATALOGUE
    try:
        raw = json.loads(path.read_text())
    except FileNotFoundError:
        return Catalogue({})
    except (OSError, json.JSONDecodeError) as exc:
        raise DataError(f"chain catalogue is unreadable ({exc})", file=str(path)) from exc
    if raw.get("format") != FORMAT_VERSION:
        raise DataError(
            f"chain catalogue format {raw.get('format')!r} is not {FORMAT_VERSION}", file=str(path)
        )
    parts = {}
    for d in raw["partitions"]:
        p = Partition(**{**d, "sources": tuple(d["sources"]), "vendor": tuple(d["vendor"])})
        parts[p.key] = p
    return Catalogue(parts, tuple(raw.get("imports", ())))


def write_catalogue(chains: Path, catalogue: Catalogue) -> None:
    """Replace the catalogue in one ``os.replace`` (written and fsynced beside it first)."""
    body = {
        "format": FORMAT_VERSION,
        "partitions": [
            {
                **asdict(p),
                "sources": list(p.sources),
                "vendor": list(p.vendor),
                "days": dict(p.days),
            }
            for _, p in sorted(catalogue.partitions.items())
        ],
        "imports": list(catalogue.imports),
    }
    tmp = chains / f".tmp-{uuid.uuid4().hex}.json"
    with tmp.open("w") as fh:
        json.dump(body, fh, separators=(",", ":"))
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, chains / CATALOGUE)
