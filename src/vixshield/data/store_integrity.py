"""Integrity of the store's files: damage, leftovers and quarantine.

Pure file-system work on a store folder and its catalogue entries, used by
`vixshield.data.store.Store` (``damage``, ``leftovers``, ``sweep``, ``repair``) and
by ``vixshield data check``:

* **damage**: a catalogued file that is missing or whose SHA-256 differs from the
  catalogue's (`find_damage`);
* **leftovers**: files of the store's own areas that the catalogue does not list,
  what a killed write leaves behind (`find_unlisted`): ``.tmp-*`` files in the store
  folder and unlisted files under ``series/``;
* **quarantine**: damaged files are moved, never deleted, to
  ``<store>/quarantine/<series>/v0003-<UTC time>.parquet`` (`quarantine_files`).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

__all__ = [
    "QUARANTINE_DIR",
    "SERIES_DIR",
    "TMP_PREFIX",
    "CatalogEntry",
    "Damage",
    "Quarantined",
    "Repair",
    "file_sha256",
    "find_damage",
    "find_unlisted",
    "quarantine_files",
    "remove_empty_series_dirs",
]

TMP_PREFIX = ".tmp-"
"""Name prefix of a write's temporary files in the store folder."""

SERIES_DIR = "series"
"""Folder of the series' Parquet files, inside the store folder."""

QUARANTINE_DIR = "quarantine"
"""Folder that damaged files are moved to, inside the store folder."""

_CHUNK = 1 << 20  # bytes read at a time while hashing (1 MiB)


class CatalogEntry(Protocol):
    """What the checks read of a catalogued version (`vixshield.data.store.VersionInfo`)."""

    @property
    def series(self) -> str: ...
    @property
    def version(self) -> int: ...
    @property
    def file(self) -> str: ...
    @property
    def sha256(self) -> str: ...


@dataclass(frozen=True)
class Damage:
    """A catalogued file that is missing or no longer matches its SHA-256.

    Attributes
    ----------
    series, version : str, int
        The version whose file is damaged.
    file : str
        Its Parquet file, relative to the store folder.
    kind : {"missing", "altered"}
        ``"missing"``: no such file; ``"altered"``: its digest differs from the
        catalogue's.
    """

    series: str
    version: int
    file: str
    kind: Literal["missing", "altered"]

    def __str__(self) -> str:
        what = "is missing" if self.kind == "missing" else "was altered"
        return f"{self.series} v{self.version}: file {self.file} {what}"


@dataclass(frozen=True)
class Quarantined:
    """A damaged file moved out of the way (``moved_to`` None: it was missing)."""

    damage: Damage
    moved_to: str | None


@dataclass(frozen=True)
class Repair:
    """What `vixshield.data.store.Store.repair` did.

    Attributes
    ----------
    quarantined : tuple of Quarantined
        Every damaged version, its file moved to the quarantine folder (paths
        relative to the store folder); each version was dropped from the catalogue.
    latest : Mapping[str, int | None]
        For each series that lost a version: its latest version now (None: no
        good version was left and the series left the catalogue).
    swept : tuple of str
        Leftover files removed (relative to the store folder).
    """

    quarantined: tuple[Quarantined, ...]
    latest: Mapping[str, int | None]
    swept: tuple[str, ...]


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of the file at ``path``, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def find_damage(root: Path, catalog: Mapping[str, Sequence[CatalogEntry]]) -> tuple[Damage, ...]:
    """Every catalogued file under ``root`` that is missing or altered.

    Parameters
    ----------
    root : pathlib.Path
        The store folder.
    catalog : Mapping[str, Sequence[CatalogEntry]]
        Series -> versions, as the catalogue lists them.

    Returns
    -------
    tuple of Damage
        By series, then version; empty when every file matches its SHA-256.
    """
    found: list[Damage] = []
    for series, versions in sorted(catalog.items()):
        for v in versions:
            path = root / v.file
            if not path.is_file():
                found.append(Damage(series, v.version, v.file, "missing"))
            elif file_sha256(path) != v.sha256:
                found.append(Damage(series, v.version, v.file, "altered"))
    return tuple(found)


def find_unlisted(root: Path, catalog: Mapping[str, Sequence[CatalogEntry]]) -> list[Path]:
    """Files of the store's own areas that ``catalog`` does not list, sorted.

    Parameters
    ----------
    root : pathlib.Path
        The store folder.
    catalog : Mapping[str, Sequence[CatalogEntry]]
        Series -> versions.

    Returns
    -------
    list of pathlib.Path
        ``.tmp-*`` files directly in ``root`` and unlisted files under
        ``root/series/``. Other folders (the quarantine, the chain dataset) and
        the lock file are never listed.
    """
    if not root.is_dir():
        return []
    listed = {v.file for versions in catalog.values() for v in versions}
    out = [p for p in root.iterdir() if p.name.startswith(TMP_PREFIX) and p.is_file()]
    series_dir = root / SERIES_DIR
    if series_dir.is_dir():
        out.extend(
            p
            for p in series_dir.rglob("*")
            if p.is_file() and p.relative_to(root).as_posix() not in listed
        )
    return sorted(out)


def remove_empty_series_dirs(root: Path) -> None:
    """Remove the folders under ``root/series/`` that hold nothing."""
    series_dir = root / SERIES_DIR
    if not series_dir.is_dir():
        return
    for d in sorted(series_dir.iterdir(), reverse=True):
        if d.is_dir() and not any(d.iterdir()):
            try:
                d.rmdir()
            except OSError:
                continue


def quarantine_files(root: Path, damage: Iterable[Damage], stamp: str) -> tuple[Quarantined, ...]:
    """Move each damaged file that exists to ``root/quarantine/<series>/``.

    Parameters
    ----------
    root : pathlib.Path
        The store folder.
    damage : Iterable[Damage]
        As `find_damage` found it.
    stamp : str
        Time tag of the file names (e.g. ``"20261201T160500Z"``), so that a later
        repair never overwrites an earlier one's files.

    Returns
    -------
    tuple of Quarantined
        One per damage, in order; ``moved_to`` is None for a missing file.
    """
    out: list[Quarantined] = []
    for d in damage:
        src = root / d.file
        if d.kind == "missing" or not src.is_file():
            out.append(Quarantined(d, None))
            continue
        rel = Path(QUARANTINE_DIR) / d.series / f"{Path(d.file).stem}-{stamp}{Path(d.file).suffix}"
        dst = root / rel
        n = 1
        while dst.exists():
            n += 1
            dst = root / rel.with_name(f"{rel.stem}-{n}{rel.suffix}")
        dst.parent.mkdir(parents=True, exist_ok=True)
        os.replace(src, dst)
        out.append(Quarantined(d, dst.relative_to(root).as_posix()))
    return tuple(out)
