"""The folder of on-disk caches and the atomic file helpers every cache uses.

Values that depend only on data and code (the markets' calibrations and VX curves,
`vixshield.markets.cache`; the GARCH forecast of `vixshield.strategy.indicators`; the
parsed shipped event calendars, `vixshield.data.events`) are kept between processes
in `cache_folder`: ``$VIXSHIELD_MARKET_CACHE``, else ``<data home>/cache/markets``;
``off`` disables every cache. Each owner keys its files by everything the value
depends on; these helpers only write a file atomically (temporary file, then rename)
and read it back without trusting it (`load_array` checks shape and dtype,
`load_pickle` the type).
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
import warnings
from collections.abc import Callable, Iterable
from importlib import resources
from pathlib import Path
from typing import IO, TypeVar

import numpy as np
import pandas as pd
import pyarrow as pa

from vixshield._typing import FloatArray
from vixshield.data.home import data_home

__all__ = [
    "CACHE_ENV",
    "cache_folder",
    "cached_pickle",
    "data_code_files",
    "library_versions",
    "load_array",
    "load_pickle",
    "prune_files",
    "save_array",
    "save_pickle",
    "shipped_resources",
    "source_digest",
    "write_atomic",
]

CACHE_ENV = "VIXSHIELD_MARKET_CACHE"
"""Environment variable: a folder for the cache files, or ``off`` to disable the cache."""

T = TypeVar("T")


def cache_folder() -> Path | None:
    """Where the caches live; None where ``$VIXSHIELD_MARKET_CACHE=off``.

    The folder in ``$VIXSHIELD_MARKET_CACHE``, else ``<data home>/cache/markets``
    (`vixshield.data.home.data_home`).
    """
    env = os.environ.get(CACHE_ENV, "")
    if env.strip().lower() == "off":
        return None
    return Path(env).expanduser() if env else data_home() / "cache" / "markets"


def write_atomic(path: Path, write: Callable[[IO[bytes]], object]) -> Path:
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
    return write_atomic(Path(path), lambda fh: np.save(fh, arr, allow_pickle=False))


_KEEP_FILES = 8  # cached_pickle files kept per name


def load_pickle(path: str | os.PathLike[str], kind: type[T]) -> T | None:
    """The ``kind`` object pickled at ``path`` by `save_pickle`, or None.

    None where the file is missing, unreadable or holds anything but a ``kind``: the
    caller recomputes and overwrites it. Only for our own files, named by a key of
    their content (a pickle runs code when loaded).
    """
    try:
        raw = Path(path).read_bytes()
        loaded = pickle.loads(raw)  # our own file, keyed by content
    except Exception:  # missing, unreadable, or written by another version: recompute
        return None
    return loaded if isinstance(loaded, kind) else None


def save_pickle(path: str | os.PathLike[str], value: object) -> Path:
    """Pickle ``value`` to ``path`` atomically (tmp file + rename)."""
    return write_atomic(
        Path(path), lambda fh: pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
    )


def source_digest(files: Iterable[Path], *extra: str) -> str:
    """SHA-256 (hex) of the names and bytes of ``files`` and of the ``extra`` strings.

    A missing file hashes as ``<missing>``. The key of a cached value: pass every file
    it is computed from (code and data) and the versions of the libraries it depends on.
    """
    h = hashlib.sha256()
    for path in files:
        h.update(str(path).encode())
        h.update(path.read_bytes() if path.is_file() else b"<missing>")
    for text in extra:
        h.update(text.encode())
    return h.hexdigest()


def cached_pickle(name: str, key: str, kind: type[T], compute: Callable[[], T]) -> T:
    """``compute()``, or its value stored by an earlier process under (``name``, ``key``).

    The file is ``<cache_folder>/<name>-<key>.pkl``; ``key`` must cover everything the
    value depends on (`source_digest`). Where the cache is off (`cache_folder` None)
    the value is computed; where the file is missing or unusable (`load_pickle`) it is
    computed and stored, and a store that fails only loses the reuse (a
    `RuntimeWarning`). Storing a value removes the older files of ``name`` beyond the
    `_KEEP_FILES` newest (keys that change daily, or per store, must not pile up).
    """
    folder = cache_folder()
    if folder is None:
        return compute()
    path = folder / f"{name}-{key}.pkl"
    stored = load_pickle(path, kind)
    if stored is not None:
        return stored
    value = compute()
    try:
        save_pickle(path, value)
    except OSError as err:
        warnings.warn(f"{name} cache not saved to {path}: {err}", RuntimeWarning, stacklevel=2)
        return value
    prune_files(folder, name)
    return value


def prune_files(folder: Path, name: str, keep: int = _KEEP_FILES) -> None:
    """Remove the files ``<name>-*.pkl`` beyond the ``keep`` newest (by modification time)."""

    def mtime(p: Path) -> float:
        try:
            return p.stat().st_mtime
        except OSError:  # removed meanwhile by another process
            return 0.0

    files = sorted(folder.glob(f"{name}-*.pkl"), key=mtime, reverse=True)
    for old in files[keep:]:
        old.unlink(missing_ok=True)


def data_code_files() -> list[Path]:
    """The sources a value computed by the data layer may depend on (for `source_digest`).

    Every module of ``vixshield/data`` and ``vixshield/data/formats`` (the parsers, the
    validation, the calendars), ``errors.py`` and ``_typing.py``, sorted: a change to any
    of them gives new keys (broader than needed, never stale).
    """
    root = Path(__file__).resolve().parents[1]
    files = [*(root / "data").glob("*.py"), *(root / "data" / "formats").glob("*.py")]
    return [*sorted(files), root / "errors.py", root / "_typing.py"]


def library_versions() -> tuple[str, ...]:
    """Python's, numpy's, pandas' and pyarrow's versions (parsing and pickles depend on them)."""
    return (sys.version, np.__version__, pd.__version__, pa.__version__)


def shipped_resources() -> tuple[str, ...]:
    """``name:sha256`` of every shipped data file (``vixshield/data/resources``), sorted.

    The calendars, the Fed funds table and the dividend yields: part of the key of a
    value built from them (`source_digest`'s ``extra``).
    """
    folder = resources.files("vixshield.data").joinpath("resources")
    return tuple(
        sorted(
            f"{item.name}:{hashlib.sha256(item.read_bytes()).hexdigest()}"
            for item in folder.iterdir()
            if item.is_file()
        )
    )
