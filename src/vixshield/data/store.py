"""The local, versioned market-data store.

Layout under the data home (see `data_home`)::

    <home>/store/catalog.json                   # the catalogue: series -> versions
    <home>/store/series/<series>/v0001.parquet  # one Parquet file per (series, version)

A series is versioned by fetch time: a write whose result differs from the
latest version creates a new version and records how many values changed,
were added and were removed; an identical write creates nothing. Every version
carries its `~vixshield.data.market.Provenance`.

A series that a second provider also publishes (Yahoo's S&P 500 beside stooq's)
is stored apart under `provider_series` (``spx_close-yahoo``), so that importing
one never overwrites the other; `vixshield.data.loader.load_store` combines them.

Writes are atomic: all Parquet files of one `Store.write` call are written to
temporary files first, moved into place, and only then is the catalogue
replaced in one ``os.replace`` (the commit). Any failure before the commit
removes every file and folder the call created, so the store is left exactly
as it was.

Writes are serialised between processes by the store's lock
(`vixshield.data.lock.store_lock`, the file ``<home>/store/.lock`` while held): a
writer re-reads the catalogue inside the lock, so two writers of one series both
get their version and neither is lost; a writer that waits longer than the lock
timeout (``$VIXSHIELD_LOCK_TIMEOUT`` seconds, default 30) fails with
`vixshield.errors.StoreBusy`. Readers take no lock: they read one catalogue,
which only ever lists complete files.

A write killed before its commit (kill -9, power cut) leaves temporary files or
Parquet files the catalogue does not list. Every write first sweeps them away,
inside the lock, where no other write can be in progress (`Store.sweep`):
``.tmp-*`` files in the store folder and unlisted files under ``series/``. Other
folders (``quarantine/``, the chain dataset) are not the sweep's.
"""

from __future__ import annotations

import contextlib
import json
import os
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from vixshield.data.home import data_home
from vixshield.data.lock import lock_timeout, store_lock
from vixshield.data.market import Provenance
from vixshield.data.store_integrity import (
    SERIES_DIR,
    TMP_PREFIX,
    Damage,
    Repair,
    file_sha256,
    find_damage,
    find_unlisted,
    quarantine_files,
    remove_empty_series_dirs,
)
from vixshield.errors import DataError

__all__ = [
    "CATALOG_FORMAT",
    "SECONDARY_PROVIDERS",
    "SeriesStatus",
    "Store",
    "VersionInfo",
    "WriteResult",
    "data_home",
    "key_columns",
    "provider_series",
    "read_parquet",
    "value_columns",
]

CATALOG_FORMAT = 1
"""Version of the ``catalog.json`` layout."""

_FRAME_KEYS: dict[str, tuple[str, ...]] = {
    "vx": ("date", "expiry"),
    "events": ("date", "kind", "label"),
    "chain": ("quote_date", "underlying", "root", "expiry", "strike", "right"),
}
_FRAME_VALUES: dict[str, tuple[str, ...]] = {
    "vx": ("settle",),
    "events": ("value",),
    "chain": ("settlement", "bid", "ask", "iv"),
}
_DATE_COLUMNS = ("date", "expiry", "quote_date")

SECONDARY_PROVIDERS: tuple[str, ...] = ("yahoo",)
"""Providers whose series are stored under `provider_series` (apart from the
series key itself, which holds the primary provider's values: stooq's, Cboe's...)."""
_SAFE = set("abcdefghijklmnopqrstuvwxyz0123456789_-")


def provider_series(series: str, provider: str) -> str:
    """Store key of ``series`` as supplied by a secondary ``provider``.

    Parameters
    ----------
    series : str
        Series key (``"spx_close"``).
    provider : str
        One of `SECONDARY_PROVIDERS` (``"yahoo"``).

    Returns
    -------
    str
        ``"<series>-<provider>"``, e.g. ``"spx_close-yahoo"``.
    """
    return f"{series}-{provider}"


def key_columns(series: str) -> tuple[str, ...]:
    """Columns that identify one value of ``series`` (``("date",)`` for daily series)."""
    return _FRAME_KEYS.get(series, ("date",))


def value_columns(series: str) -> tuple[str, ...]:
    """Value columns of ``series`` (``("value",)`` for daily series)."""
    return _FRAME_VALUES.get(series, ("value",))


@dataclass(frozen=True)
class VersionInfo:
    """One stored version of a series.

    Attributes
    ----------
    series, version : str, int
        Series key and 1-based version number.
    file : str
        Parquet file, relative to the store root.
    rows : int
        Rows in this version.
    first, last : str or None
        First and last date (ISO) in this version.
    changed : int
        Values present in both this and the previous version that differ
        (NaN vs number counts as a change).
    added, removed : int
        Keys (dates, or date+expiry ...) new in / gone from this version.
    written_at : str
        ISO-8601 UTC time the version was committed.
    sha256 : str
        Digest of the Parquet file.
    provenance : Provenance
        Where this version's new values came from.
    """

    series: str
    version: int
    file: str
    rows: int
    first: str | None
    last: str | None
    changed: int
    added: int
    removed: int
    written_at: str
    sha256: str
    provenance: Provenance


@dataclass(frozen=True)
class SeriesStatus:
    """Summary of one stored series (its latest version)."""

    series: str
    rows: int
    first: str | None
    last: str | None
    versions: int
    latest: VersionInfo

    @property
    def provenance(self) -> Provenance:
        """Provenance of the latest version."""
        return self.latest.provenance


@dataclass(frozen=True)
class WriteResult:
    """Outcome of writing one series.

    ``version`` is None where the data equalled the latest version (nothing written).
    """

    series: str
    version: int | None
    rows: int
    changed: int
    added: int
    removed: int


def _now() -> str:
    return pd.Timestamp.now(tz="UTC").strftime("%Y-%m-%dT%H:%M:%SZ")


def _check_series_name(series: str) -> None:
    if not series or not set(series) <= _SAFE:
        raise DataError(f"invalid series key {series!r} (use lower-case letters, digits, _ and -)")


def _normalize(series: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Bring a parsed frame to the stored long form: key columns, value columns, sorted, unique."""
    keys, values = key_columns(series), value_columns(series)
    df = frame
    if keys == ("date",) and "date" not in df.columns:
        if not isinstance(df.index, pd.DatetimeIndex):
            raise DataError(f"{series}: expected a DatetimeIndex 'date' or a 'date' column")
        df = df.rename_axis("date").reset_index()
    missing = [c for c in (*keys, *values) if c not in df.columns]
    if missing:
        raise DataError(f"{series}: missing column(s) {', '.join(missing)}", field=missing[0])
    out = df.loc[:, [*keys, *values]].copy()
    for col in (*keys, *values):
        if col in _DATE_COLUMNS:
            out[col] = pd.to_datetime(out[col]).dt.tz_localize(None).astype("datetime64[ns]")
        elif col in ("kind", "label", "underlying", "root", "right", "settlement"):
            out[col] = out[col].astype("string")
        else:
            out[col] = pd.to_numeric(out[col], errors="raise").astype("float64")
    if out[list(keys)].isna().any(axis=None):
        raise DataError(f"{series}: empty key value in column(s) {', '.join(keys)}")
    out = out.drop_duplicates(subset=list(keys), keep="last")
    return out.sort_values(list(keys), kind="stable").reset_index(drop=True)


def _diff(series: str, old: pd.DataFrame | None, new: pd.DataFrame) -> tuple[int, int, int]:
    """Return (changed, added, removed) between two normalized frames.

    Aligned on the key columns (unique in a normalized frame) with one hash lookup
    per old row, not a merge of the two histories: a new day costs a pass over the
    values, not a join.
    """
    if old is None:
        return 0, len(new), 0
    keys, values = list(key_columns(series)), list(value_columns(series))
    if len(keys) == 1:
        old_keys: pd.Index = pd.Index(old[keys[0]])
        new_keys: pd.Index = pd.Index(new[keys[0]])
    else:
        old_keys = pd.MultiIndex.from_frame(old[keys])
        new_keys = pd.MultiIndex.from_frame(new[keys])
    pos = new_keys.get_indexer(old_keys)  # each old key's row in new, -1 where gone
    hit = pos >= 0
    common = int(hit.sum())
    removed, added = len(old) - common, len(new) - common
    changed = pd.Series(False, index=pd.RangeIndex(common)).to_numpy(copy=True)
    for v in values:
        if old[v].dtype == "float64" and new[v].dtype == "float64":  # plain arrays
            x, y = old[v].to_numpy()[hit], new[v].to_numpy()[pos[hit]]
            changed |= ~((x == y) | (pd.isna(x) & pd.isna(y)))
            continue
        a = old[v].iloc[hit].reset_index(drop=True)  # strings: pandas' NA rules
        b = new[v].iloc[pos[hit]].reset_index(drop=True)
        same = (a == b) | (a.isna() & b.isna())
        changed |= ~same.fillna(False).astype(bool).to_numpy()
    return int(changed.sum()), added, removed


def _merge(series: str, old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """Union of ``old`` and ``new`` keys; ``new`` wins where both have a key."""
    keys = list(key_columns(series))
    both = pd.concat([old, new], ignore_index=True)
    both = both.drop_duplicates(subset=keys, keep="last")
    return both.sort_values(keys, kind="stable").reset_index(drop=True)


def _write_parquet(frame: pd.DataFrame, path: Path) -> None:
    """Write one normalized frame to ``path`` (a module function so tests can make it fail)."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    pq.write_table(table, path, compression="zstd")


def read_parquet(path: Path) -> pd.DataFrame:
    """Read one stored Parquet file as a pandas frame."""
    frame: pd.DataFrame = pq.read_table(path).to_pandas()
    return frame


def _iso_day(ts: Any) -> str | None:
    if ts is None or pd.isna(ts):
        return None
    return pd.Timestamp(ts).strftime("%Y-%m-%d")


def _version_from_json(series: str, d: Mapping[str, Any]) -> VersionInfo:
    prov = Provenance(**d["provenance"])
    fields = {
        k: d[k] for k in VersionInfo.__dataclass_fields__ if k not in ("series", "provenance")
    }
    return VersionInfo(series=series, provenance=prov, **fields)


def _version_to_json(v: VersionInfo) -> dict[str, Any]:
    d = asdict(v)
    d.pop("series")
    return d


class Store:
    """A versioned store of market series in Parquet files with a JSON catalogue.

    Parameters
    ----------
    home : path, optional
        Data home (see `data_home`); the store lives in ``<home>/store``.

    Examples
    --------
    >>> store = Store("/tmp/vs-home")  # doctest: +SKIP
    >>> store.write({"vix": frame}, provenance)  # doctest: +SKIP
    >>> store.read("vix")  # doctest: +SKIP
    """

    def __init__(self, home: str | os.PathLike[str] | None = None) -> None:
        self.home = data_home(home)
        self.root = self.home / "store"
        self.catalog_path = self.root / "catalog.json"
        for folder, what in ((self.home, "data home"), (self.root, "store folder")):
            if folder.exists() and not folder.is_dir():
                raise DataError(f"{what} {folder} is a file, not a folder")

    # ------------------------------------------------------------------ catalogue
    def _catalog(self) -> dict[str, list[VersionInfo]]:
        if not self.catalog_path.is_file():
            return {}
        try:
            raw = json.loads(self.catalog_path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
            raise DataError(
                f"store catalogue unreadable ({err}); restore it or move the store away",
                file=str(self.catalog_path),
            ) from None
        if not isinstance(raw, dict) or raw.get("format") != CATALOG_FORMAT:
            raise DataError(
                f"unsupported store catalogue format "
                f"{raw.get('format') if isinstance(raw, dict) else raw!r}",
                file=str(self.catalog_path),
            )
        return {
            s: [_version_from_json(s, v) for v in entry["versions"]]
            for s, entry in raw["series"].items()
        }

    @staticmethod
    def _catalog_json(catalog: Mapping[str, list[VersionInfo]]) -> str:
        doc = {
            "format": CATALOG_FORMAT,
            "series": {
                s: {"versions": [_version_to_json(v) for v in versions]}
                for s, versions in sorted(catalog.items())
            },
        }
        return json.dumps(doc, indent=1, sort_keys=False) + "\n"

    # ------------------------------------------------------------------ queries
    def series(self) -> tuple[str, ...]:
        """Keys of all stored series, sorted."""
        return tuple(sorted(self._catalog()))

    def __contains__(self, series: object) -> bool:
        return isinstance(series, str) and series in self._catalog()

    def history(self, series: str) -> tuple[VersionInfo, ...]:
        """All versions of ``series``, oldest first (empty where not stored)."""
        return tuple(self._catalog().get(series, ()))

    def latest(self, series: str) -> VersionInfo | None:
        """The latest version of ``series``, None where not stored."""
        versions = self._catalog().get(series)
        return versions[-1] if versions else None

    def provenance(self, series: str) -> Provenance:
        """Provenance of the latest version of ``series``."""
        return self._require(series).provenance

    def status(self) -> tuple[SeriesStatus, ...]:
        """One `SeriesStatus` per stored series, sorted by key."""
        return tuple(
            SeriesStatus(
                series=s,
                rows=vs[-1].rows,
                first=vs[-1].first,
                last=vs[-1].last,
                versions=len(vs),
                latest=vs[-1],
            )
            for s, vs in sorted(self._catalog().items())
            if vs
        )

    def verify(self) -> tuple[str, ...]:
        """Check every stored version's file against its recorded SHA-256.

        Returns
        -------
        tuple of str
            One line per missing or altered file (`damage`); empty when the store
            is intact.
        """
        return tuple(str(d) for d in self.damage())

    def damage(self) -> tuple[Damage, ...]:
        """Every catalogued file that is missing or altered, by series then version.

        Returns
        -------
        tuple of Damage
            Empty when every file the catalogue lists exists with its SHA-256.
        """
        return find_damage(self.root, self._catalog())

    def leftovers(self) -> tuple[str, ...]:
        """Files the catalogue does not list that the next write will sweep (see `sweep`).

        Returns
        -------
        tuple of str
            Paths relative to the store root, sorted.
        """
        return tuple(
            p.relative_to(self.root).as_posix() for p in find_unlisted(self.root, self._catalog())
        )

    def sweep(self) -> tuple[str, ...]:
        """Remove the leftovers of killed writes, under the store's lock.

        Returns
        -------
        tuple of str
            The removed files, relative to the store root.

        Raises
        ------
        vixshield.errors.StoreBusy
            When another process holds the lock past the timeout.
        """
        if not self.root.is_dir():
            return ()
        with store_lock(self.root, timeout_s=lock_timeout()):
            return self._sweep_locked(self._catalog())

    def _sweep_locked(self, catalog: Mapping[str, list[VersionInfo]]) -> tuple[str, ...]:
        removed = find_unlisted(self.root, catalog)
        for p in removed:
            p.unlink(missing_ok=True)
        remove_empty_series_dirs(self.root)
        return tuple(p.relative_to(self.root).as_posix() for p in removed)

    def repair(self) -> Repair:
        """Quarantine damaged files, drop their versions and sweep leftovers, under the lock.

        Every version whose file is missing or altered (`damage`) leaves the
        catalogue; older good versions of the series stay, and a series with no
        good version left leaves the catalogue. Damaged files that exist are moved
        to ``<store>/quarantine/<series>/`` (never deleted). Then leftovers are
        swept (`sweep`).

        Returns
        -------
        Repair
            Exactly what was moved, dropped and removed.

        Raises
        ------
        vixshield.errors.StoreBusy
            When another process holds the lock past the timeout.
        """
        if not self.root.is_dir():
            return Repair((), {}, ())
        with store_lock(self.root, timeout_s=lock_timeout()):
            catalog = self._catalog()
            damage = find_damage(self.root, catalog)
            stamp = pd.Timestamp.now(tz="UTC").strftime("%Y%m%dT%H%M%SZ")
            quarantined = quarantine_files(self.root, damage, stamp)
            bad = {(d.series, d.version) for d in damage}
            kept = {s: [v for v in vs if (s, v.version) not in bad] for s, vs in catalog.items()}
            latest: dict[str, int | None] = {}
            for series in sorted({d.series for d in damage}):
                latest[series] = kept[series][-1].version if kept[series] else None
            new_catalog = {s: vs for s, vs in kept.items() if vs}
            if damage:
                self._commit_catalog(new_catalog)
            swept = self._sweep_locked(new_catalog)
        return Repair(quarantined, latest, swept)

    def _require(self, series: str, version: int | None = None) -> VersionInfo:
        versions = self._catalog().get(series)
        if not versions:
            raise DataError(f"series {series!r} is not in the store at {self.root}")
        if version is None:
            return versions[-1]
        for v in versions:
            if v.version == version:
                return v
        raise DataError(f"series {series!r} has no version {version} (has 1..{len(versions)})")

    def read_raw(self, series: str, version: int | None = None) -> pd.DataFrame:
        """Stored long form of ``series``: key columns then value columns."""
        info = self._require(series, version)
        path = self.root / info.file
        if not path.is_file():
            raise DataError(
                f"{series} v{info.version}: file {info.file} is missing from the store at "
                f"{self.root}; run `vixshield data check --repair`",
                file=str(path),
            )
        try:
            return read_parquet(path)
        except (OSError, pa.ArrowException) as err:
            raise DataError(
                f"{series} v{info.version}: file {info.file} is unreadable ({err}); "
                "run `vixshield data check --repair`",
                file=str(path),
            ) from None

    def read(self, series: str, version: int | None = None) -> pd.DataFrame:
        """Read ``series`` (latest version unless ``version`` is given).

        Returns
        -------
        pandas.DataFrame
            Daily series: a ``DatetimeIndex`` named ``date`` and one float
            column ``value``. ``vx``, ``events`` and ``chain``: their columns
            as written, sorted by their key columns.
        """
        df = self.read_raw(series, version)
        if key_columns(series) == ("date",):
            return df.set_index("date")
        return df

    # ------------------------------------------------------------------ writes
    def write(
        self,
        frames: Mapping[str, pd.DataFrame],
        provenance: Provenance | Mapping[str, Provenance],
        *,
        mode: Literal["merge", "replace"] = "merge",
    ) -> tuple[WriteResult, ...]:
        """Write several series in one atomic step.

        Parameters
        ----------
        frames : Mapping[str, pandas.DataFrame]
            Series key -> frame in the parser's shape (daily: DatetimeIndex
            ``date`` + ``value``; ``vx``: date, expiry, settle; ...).
        provenance : Provenance or Mapping[str, Provenance]
            One provenance for all (its ``series`` field is set per key) or
            one per key.
        mode : {"merge", "replace"}
            ``"merge"`` (default): the new version is the latest version with
            the new values added or overwriting it on equal keys (a re-fetch
            that revises history shows as changed values). ``"replace"``: the
            new version holds exactly ``frames[series]``.

        Returns
        -------
        tuple of WriteResult
            One per series, in the order of ``frames``.

        Raises
        ------
        vixshield.errors.StoreBusy
            When another process holds the store's lock longer than the lock
            timeout (`vixshield.data.lock.lock_timeout`).

        Notes
        -----
        All or nothing: if anything fails before the catalogue is replaced,
        every file and folder this call created is removed and the exception
        propagates; the store is byte-identical to before (less any leftovers of
        earlier killed writes, which every write sweeps first). The whole
        read-modify-write runs under the store's lock, re-reading the catalogue
        inside it, so concurrent writers serialise and none loses a version.
        """
        if mode not in ("merge", "replace"):
            raise ValueError(f"mode must be 'merge' or 'replace', not {mode!r}")
        created_root = [] if self.root.exists() else _make_dirs(self.root)
        committed = False
        try:
            with store_lock(self.root, timeout_s=lock_timeout()):
                results, committed = self._write_locked(frames, provenance, mode)
        finally:
            if not committed:  # the lock file is gone: remove the folders made for it
                _cleanup((), (), created_root)
        return results

    def _write_locked(
        self,
        frames: Mapping[str, pd.DataFrame],
        provenance: Provenance | Mapping[str, Provenance],
        mode: Literal["merge", "replace"],
    ) -> tuple[tuple[WriteResult, ...], bool]:
        """`write` inside the lock: (results, whether a new catalogue was committed)."""
        catalog = self._catalog()  # re-read inside the lock: no other writer's version is lost
        self._sweep_locked(catalog)
        new_catalog = {s: list(vs) for s, vs in catalog.items()}
        created_dirs: list[Path] = []
        temps: list[Path] = []
        moves: list[tuple[Path, Path]] = []
        moved: list[Path] = []
        results: list[WriteResult] = []
        committed = False
        try:
            for series, frame in frames.items():
                _check_series_name(series)
                prov = _provenance_for(series, provenance)
                new = _normalize(series, frame)
                versions = new_catalog.get(series, [])
                old = self.read_raw(series) if versions else None
                combined = (
                    _merge(series, old, new) if (mode == "merge" and old is not None) else new
                )
                changed, added, removed = _diff(series, old, combined)
                if old is not None and changed == added == removed == 0:
                    results.append(WriteResult(series, None, len(combined), 0, 0, 0))
                    continue
                number = versions[-1].version + 1 if versions else 1
                rel = f"{SERIES_DIR}/{series}/v{number:04d}.parquet"
                final = self.root / rel
                tmp = self.root / f"{TMP_PREFIX}{uuid.uuid4().hex}.parquet"
                temps.append(tmp)
                _write_parquet(combined, tmp)
                moves.append((tmp, final))
                dates = combined[key_columns(series)[0]]
                info = VersionInfo(
                    series=series,
                    version=number,
                    file=rel,
                    rows=len(combined),
                    first=_iso_day(dates.min()) if len(dates) else None,
                    last=_iso_day(dates.max()) if len(dates) else None,
                    changed=changed,
                    added=added,
                    removed=removed,
                    written_at=_now(),
                    sha256=file_sha256(tmp),
                    provenance=prov,
                )
                new_catalog[series] = [*versions, info]
                results.append(WriteResult(series, number, len(combined), changed, added, removed))
            if not moves:
                return tuple(results), False
            for tmp, final in moves:
                if not final.parent.exists():
                    created_dirs.extend(_make_dirs(final.parent))
                os.replace(tmp, final)
                moved.append(final)
            self._commit_catalog(new_catalog, temps)
            committed = True
        finally:
            if not committed:
                _cleanup(temps, moved, created_dirs)
        return tuple(results), True

    def _commit_catalog(
        self, catalog: Mapping[str, list[VersionInfo]], temps: list[Path] | None = None
    ) -> None:
        """Replace the catalogue in one ``os.replace`` (the commit); call inside the lock."""
        cat_tmp = self.root / f"{TMP_PREFIX}{uuid.uuid4().hex}.json"
        if temps is not None:
            temps.append(cat_tmp)
        try:
            cat_tmp.write_text(self._catalog_json(catalog), encoding="utf-8")
            os.replace(cat_tmp, self.catalog_path)
        except BaseException:
            cat_tmp.unlink(missing_ok=True)
            raise


def _provenance_for(series: str, provenance: Provenance | Mapping[str, Provenance]) -> Provenance:
    if isinstance(provenance, Provenance):
        return replace(provenance, series=series)
    try:
        return replace(provenance[series], series=series)
    except KeyError:
        raise DataError(f"{series}: no provenance given") from None


def _make_dirs(path: Path) -> list[Path]:
    """Create ``path`` and missing parents; return the created ones, deepest first."""
    created: list[Path] = []
    p = path
    while not p.exists():
        created.append(p)
        p = p.parent
    path.mkdir(parents=True, exist_ok=True)
    return created


def _cleanup(temps: Iterable[Path], moved: Iterable[Path], created_dirs: list[Path]) -> None:
    for p in [*temps, *moved]:
        p.unlink(missing_ok=True)
    # deepest first: created_dirs lists each chain deepest first; sort by depth to be safe
    for d in sorted(set(created_dirs), key=lambda q: len(q.parts), reverse=True):
        with contextlib.suppress(OSError):
            d.rmdir()
