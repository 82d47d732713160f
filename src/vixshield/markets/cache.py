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
folder is `cache_folder` (``$VIXSHIELD_MARKET_CACHE``, ``off`` disables every cache).
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

from vixshield._typing import FloatArray
from vixshield.data.market import MarketData
from vixshield.data.store import data_home

__all__ = [
    "CACHE_ENV",
    "MODEL_MODULES",
    "CachedValues",
    "MarketCache",
    "cache_folder",
    "data_key",
    "load_array",
    "save_array",
]

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


def cache_folder() -> Path | None:
    """Where the caches live; None where ``$VIXSHIELD_MARKET_CACHE=off``.

    The folder in ``$VIXSHIELD_MARKET_CACHE``, else ``<data home>/cache/markets``
    (`vixshield.data.store.data_home`).
    """
    env = os.environ.get(CACHE_ENV, "")
    if env.strip().lower() == "off":
        return None
    return Path(env).expanduser() if env else data_home() / "cache" / "markets"


def _write_atomic(path: Path, write: Callable[[IO[bytes]], object]) -> Path:
    """Call ``write(file)`` on a temporary file next to ``path``, then rename it to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def load_array(path: str | os.PathLike[str], length: int) -> FloatArray | None:
    """The float64 array of ``length`` values stored at ``path``, or None.

    None where the file is missing, unreadable, not an ``.npy`` array (read without
    pickle) or not a 1-d float64 array of ``length`` values: the caller recomputes and
    `save_array` overwrites it. A file is never trusted beyond these checks; its name
    (the caller's key) says what it holds.
    """
    try:
        with open(path, "rb") as fh:
            arr = np.load(fh, allow_pickle=False)
    except FileNotFoundError:
        return None
    except Exception:  # any unreadable or foreign content: recompute
        return None
    if not isinstance(arr, np.ndarray) or arr.dtype != np.float64 or arr.shape != (length,):
        return None
    return arr


def save_array(path: str | os.PathLike[str], values: FloatArray) -> Path:
    """Write ``values`` (float64) to ``path`` as ``.npy``, atomically (tmp file + rename)."""
    arr = np.ascontiguousarray(values, dtype=np.float64)
    return _write_atomic(Path(path), lambda fh: np.save(fh, arr, allow_pickle=False))


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
        return _write_atomic(
            self.path, lambda fh: pickle.dump(merged, fh, protocol=pickle.HIGHEST_PROTOCOL)
        )
