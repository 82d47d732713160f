"""What a data set's markets compute whatever the policy, kept on disk between runs.

The daily SPX surface calibrations (`inputs.MarketInputs.calibration`) and VX curves
(`vix_source.ModeledVix.curve`) depend only on the market data and the model's code,
never on the policy. `MarketCache` keeps them in one file per (data, code) pair, so a
second run, another policy or another process over the same data reuses them instead
of fitting again.

Key: SHA-256 of the daily frame (index, columns, values) and of the VX settlements,
plus SHA-256 of the source of the modules the values come from (`MODEL_MODULES`): a
change to the data or to the model gives a new file, never a stale answer. Values are
pickled as computed, so a cached run is byte-identical to a cold one.

The file is written atomically (temporary file, then rename); an unreadable file (a
partial write by an older version, a different Python) is reported by
`MarketCache.load` as a note and replaced on the next save.

Other policy-independent series that are costly to compute (the GARCH forecast of
`vixshield.strategy.indicators.garch_forecast`) are kept next to these files as float
arrays (`load_array`, `save_array`: ``.npy`` files read without pickle, checked for
shape and dtype, written atomically); their keys are their owners' business. The
folder is `cache_folder` (``$VIXSHIELD_MARKET_CACHE``, ``off`` disables every cache);
these helpers live in `vixshield.data.cache_files` (re-exported here).
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from vixshield.data.cache_files import (
    CACHE_ENV,
    cache_folder,
    load_array,
    save_array,
    write_atomic,
)
from vixshield.data.market import MarketData

__all__ = [
    "CACHE_ENV",
    "MODEL_MODULES",
    "CachedValues",
    "MarketCache",
    "cache_folder",
    "data_key",
    "frame_digest",
    "load_array",
    "save_array",
]

_PACKAGE = Path(__file__).resolve().parents[1]
MODEL_MODULES: tuple[str, ...] = (
    *sorted(p.relative_to(_PACKAGE).as_posix() for p in (_PACKAGE / "markets").glob("*.py")),
    *sorted(p.relative_to(_PACKAGE).as_posix() for p in (_PACKAGE / "pricing").glob("*.py")),
    "data/calendars.py",
)
"""Sources (relative to the package) whose code the cached values may depend on: every
module of the markets and pricing layers (broader than needed, never stale: a module
split or added there is covered without a list to keep up) and the trading calendar."""

_FORMAT = 1  # bump when the pickled layout changes


def _code_digest() -> str:
    h = hashlib.sha256(f"format {_FORMAT}".encode())
    for rel in MODEL_MODULES:
        path = _PACKAGE / rel
        h.update(rel.encode())
        h.update(path.read_bytes() if path.is_file() else b"<missing>")
    return h.hexdigest()


def frame_digest(h: Any, frame: pd.DataFrame) -> None:
    """Feed ``frame`` to the hash ``h``: its columns, dtypes and every value with its index."""
    h.update(repr(list(frame.columns)).encode())
    h.update(repr([str(t) for t in frame.dtypes]).encode())
    if len(frame):
        values = pd.util.hash_pandas_object(frame, index=True).to_numpy()
        h.update(values.tobytes())


def data_key(data: MarketData) -> str:
    """SHA-256 (hex) of the data the markets read and of the model's code (module notes)."""
    h = hashlib.sha256(_code_digest().encode())
    frame_digest(h, data.daily)
    frame_digest(h, data.vx)
    return h.hexdigest()


@dataclass
class CachedValues:
    """Policy-independent values of one data set, by trading day (midnight Timestamps).

    ``calibrations`` holds `spx_model.SpxCalibration` objects and ``curves``
    `vix_source.VxCurve` objects, as the markets computed them.
    """

    calibrations: dict[pd.Timestamp, Any] = field(default_factory=dict)
    curves: dict[pd.Timestamp, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.calibrations) + len(self.curves)


class MarketCache:
    """One cache file for one data set under ``folder`` (``<key>.pkl``).

    Parameters
    ----------
    folder : path
        Where the cache files live (created on the first save).
    key : str
        `data_key` of the data set.
    """

    def __init__(self, folder: str | os.PathLike[str], key: str) -> None:
        self.folder = Path(folder)
        self.key = key
        self.note = ""
        """Why the last `load` found nothing usable ("" when it found the file or none)."""

    @classmethod
    def for_data(cls, data: MarketData, folder: str | os.PathLike[str]) -> MarketCache:
        """The cache of ``data`` under ``folder``."""
        return cls(folder, data_key(data))

    @property
    def path(self) -> Path:
        """The cache file."""
        return self.folder / f"{self.key}.pkl"

    def load(self) -> CachedValues:
        """The stored values (empty where there is no file or it cannot be read; see `note`)."""
        self.note = ""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return CachedValues()
        except OSError as err:
            self.note = f"market cache {self.path} unreadable ({err}); recomputing"
            return CachedValues()
        try:
            loaded = pickle.loads(raw)  # our own file, keyed by content
        except Exception as err:  # any unpickling failure: recompute
            self.note = f"market cache {self.path} unreadable ({type(err).__name__}); recomputing"
            return CachedValues()
        if not isinstance(loaded, CachedValues):
            self.note = f"market cache {self.path} holds no cached values; recomputing"
            return CachedValues()
        return loaded

    def save(
        self, calibrations: Mapping[pd.Timestamp, Any], curves: Mapping[pd.Timestamp, Any]
    ) -> Path:
        """Write ``calibrations`` and ``curves`` merged over what the file holds (atomic)."""
        old = self.load()
        merged = CachedValues({**old.calibrations, **calibrations}, {**old.curves, **curves})
        return write_atomic(
            self.path, lambda fh: pickle.dump(merged, fh, protocol=pickle.HIGHEST_PROTOCOL)
        )
