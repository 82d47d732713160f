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
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from vixshield.data.market import MarketData

__all__ = ["CACHE_ENV", "MODEL_MODULES", "CachedValues", "MarketCache", "data_key"]

CACHE_ENV = "VIXSHIELD_MARKET_CACHE"
"""Environment variable: a folder for the cache files, or ``off`` to disable the cache."""

MODEL_MODULES: tuple[str, ...] = (
    "markets/inputs.py",
    "markets/listing.py",
    "markets/spx_model.py",
    "markets/smile.py",
    "markets/vix_formula.py",
    "markets/vix_model.py",
    "markets/vix_source.py",
    "markets/_kernels.py",
    "markets/_days.py",
    "pricing/black.py",
    "pricing/_kernels.py",
    "data/calendars.py",
)
"""Sources (relative to the package) whose code the cached values depend on."""

_FORMAT = 1  # bump when the pickled layout changes


def _code_digest() -> str:
    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha256(f"format {_FORMAT}".encode())
    for rel in MODEL_MODULES:
        path = root / rel
        h.update(rel.encode())
        h.update(path.read_bytes() if path.is_file() else b"<missing>")
    return h.hexdigest()


def _frame_digest(h: Any, frame: pd.DataFrame) -> None:
    h.update(repr(list(frame.columns)).encode())
    h.update(repr([str(t) for t in frame.dtypes]).encode())
    if len(frame):
        values = pd.util.hash_pandas_object(frame, index=True).to_numpy()
        h.update(values.tobytes())


def data_key(data: MarketData) -> str:
    """SHA-256 (hex) of the data the markets read and of the model's code (module notes)."""
    h = hashlib.sha256(_code_digest().encode())
    _frame_digest(h, data.daily)
    _frame_digest(h, data.vx)
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
        self.folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".tmp-", suffix=".pkl")
        try:
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(merged, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return self.path
