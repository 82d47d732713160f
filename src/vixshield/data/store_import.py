"""Import data files (one file or a folder tree) into the store, all or nothing.

Formats are recognised by their header (`vixshield.data.formats.detect_kind`);
unknown files in a folder are skipped with a note. Series from a secondary
provider (`vixshield.data.store.SECONDARY_PROVIDERS`: Yahoo's S&P 500) are
stored apart, under `vixshield.data.store.provider_series` (``spx_close-yahoo``),
beside the primary provider's; `vixshield.data.loader.load_store` combines them.
Every file is parsed before anything is written, and all series are then written
in one atomic `Store.write`: a bad file leaves the store unchanged.

Option chains (OptionsDX plain/.zip/.7z, Cboe DataShop EOD summary, ORATS
strikes, the generic chain CSV/Parquet, Cboe delayed-quotes JSON) do not go to a
store series: they are streamed into the chain dataset
(`vixshield.data.chains.import_chains`, its own atomic commit, made after every
other file parsed and before the series are written).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from vixshield.data.chains import CHAIN_LAYOUTS, ChainImportResult, chain_kind, import_chains
from vixshield.data.chains.sources import ChainInput
from vixshield.data.market import Provenance
from vixshield.data.store import SECONDARY_PROVIDERS, Store, WriteResult, provider_series
from vixshield.errors import DataError, UserError

__all__ = ["KIND_PREFERENCE", "KIND_PROVIDER", "ImportResult", "import_path"]

KIND_PREFERENCE: tuple[str, ...] = (
    "cboe_index",
    "cboe_strategy",
    "cfe_vx",
    "stooq",
    "yahoo",
    "spx_set",
    "tbill_decimal",
    "fred",
    "events",
    "cboe_quotes_json",
    "optionsdx",
    "chain_csv",
)
"""When files of different kinds give the same series in one import, the
earlier kind wins (the exchange's own file over a re-publication)."""

KIND_PROVIDER: dict[str, str] = {
    "cboe_index": "cboe",
    "cboe_strategy": "cboe",
    "cfe_vx": "cfe",
    "fred": "fred",
    "stooq": "stooq",
    "yahoo": "yahoo",
    "cboe_quotes_json": "cboe",
}
"""Provider recorded in provenance for a file of each kind (others: ``"file"``)."""

_HEAD_BYTES = 8192
_SKIP_NAMES = frozenset({"README", "README.md", "README.txt", "LICENSE"})


@dataclass(frozen=True)
class ImportResult:
    """What an import read, skipped and wrote.

    Attributes
    ----------
    files : tuple of (str, str)
        (path, kind) of every file parsed.
    skipped : tuple of (str, str)
        (path, reason) of every file left out.
    written : tuple of WriteResult
        One per series written (version None where unchanged).
    warnings : tuple of str
        Parser warnings and series left out in favour of a preferred kind.
    chains : ChainImportResult or None
        What went into the chain dataset (None where no chain file was found).
    """

    files: tuple[tuple[str, str], ...]
    skipped: tuple[tuple[str, str], ...]
    written: tuple[WriteResult, ...]
    warnings: tuple[str, ...]
    chains: ChainImportResult | None = None


def _files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    if path.is_dir():
        return sorted(
            p
            for p in path.rglob("*")
            if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts)
        )
    raise UserError(f"{path}: no such file or folder")


_ARCHIVES = (".zip", ".7z")


def _chain_kind_of(path: Path) -> str | None:
    """The chain format of a file read by the streaming import, None for other files."""
    if path.name.lower().endswith(_ARCHIVES):
        return "archive"
    with path.open("rb") as fh:
        head = fh.read(4)
    if head == b"PAR1":
        return "chain_csv"
    return chain_kind(ChainInput(path.name, lambda: path.open("rb")))


def _kind_of(path: Path) -> str | None:
    from vixshield.data.formats import detect_kind

    with path.open("rb") as fh:
        head = fh.read(_HEAD_BYTES)
    if head[:4] == b"PAR1":
        return "chain_csv"
    return detect_kind(head.decode("utf-8", errors="replace"))


def _refuse_non_text(path: Path) -> None:
    """Raise the located `DataError` of `formats.decode` if ``path`` does not start as
    UTF-8 text (UTF-16, binary), so an unrecognised file says why."""
    from vixshield.data.formats._table import decode, display_name

    with path.open("rb") as fh:
        head = fh.read(_HEAD_BYTES)
    cut = head.rfind(b"\n") + 1 if len(head) == _HEAD_BYTES else len(head)
    decode(head[: cut or len(head)], display_name(str(path)))


def _now() -> str:
    return pd.Timestamp.now(tz="UTC").strftime("%Y-%m-%dT%H:%M:%SZ")


def import_path(
    path: str | os.PathLike[str],
    store: Store,
    *,
    kind: str | None = None,
    as_of: str | None = None,
) -> ImportResult:
    """Parse a file or every recognised file under a folder and write them to ``store``.

    Parameters
    ----------
    path : path
        A data file, or a folder searched recursively (hidden entries ignored).
    store : Store
        Destination.
    kind : str, optional
        Force this format kind for every file instead of detecting it.
    as_of : str, optional
        Trade date of VX curve snapshots (their rows carry none). Without it,
        a snapshot found in a folder is skipped with a note.

    Returns
    -------
    ImportResult

    Raises
    ------
    vixshield.errors.DataError
        A file failed to parse (the message names file, line and column); the
        store is unchanged.
    vixshield.errors.UserError
        The path does not exist, or a single file named on its own is not a
        recognised format.
    """
    from vixshield.data.formats import KINDS, parse_file

    root = Path(path)
    known = (*KINDS, *(k for k in CHAIN_LAYOUTS if k not in KINDS))
    if kind is not None and kind not in known:
        raise UserError(f"unknown kind {kind!r}; expected one of {', '.join(known)}")
    single = root.is_file()
    files: list[tuple[str, str]] = []
    skipped: list[tuple[str, str]] = []
    warnings: list[str] = []
    # series key -> kind -> list of (file, frame)
    found: dict[str, dict[str, list[tuple[str, pd.DataFrame]]]] = {}
    chain_files: list[Path] = []
    chain_frames: list[tuple[str, pd.DataFrame]] = []
    for f in _files(root):
        if not single and f.name in _SKIP_NAMES:
            skipped.append((str(f), "documentation"))
            continue
        if (kind in CHAIN_LAYOUTS) if kind is not None else _chain_kind_of(f) is not None:
            chain_files.append(f)
            continue
        k = kind or _kind_of(f)
        if k is None:
            if single:
                _refuse_non_text(f)
                raise DataError("unrecognised file format; pass --kind", file=str(f), row=1)
            skipped.append((str(f), "unrecognised format"))
            continue
        try:
            parsed = parse_file(f, kind=k, as_of=as_of)
        except DataError as err:
            if not single and as_of is None and "as_of" in err.detail:
                skipped.append((str(f), "VX curve snapshot without a trade date (use --as-of)"))
                continue
            raise
        files.append((str(f), k))
        warnings.extend(parsed.warnings)
        apart = KIND_PROVIDER.get(k, "file") in SECONDARY_PROVIDERS
        for key, frame in parsed.frames.items():
            if key == "chain":  # Cboe delayed quotes: into the chain dataset too
                chain_frames.append((str(f), frame))
                continue
            stored_as = provider_series(key, KIND_PROVIDER[k]) if apart else key
            found.setdefault(stored_as, {}).setdefault(k, []).append((str(f), frame))

    fetched_at = _now()
    frames: dict[str, pd.DataFrame] = {}
    provenance: dict[str, Provenance] = {}
    rank = {k: i for i, k in enumerate(KIND_PREFERENCE)}
    for key, by_kind in found.items():
        kinds = sorted(by_kind, key=lambda k: rank.get(k, len(rank)))
        best = kinds[0]
        for other in kinds[1:]:
            names = ", ".join(Path(p).name for p, _ in by_kind[other])
            warnings.append(f"{key}: taken from {best} files; {other} ({names}) not used")
        parts = by_kind[best]
        frames[key] = (
            parts[0][1]
            if len(parts) == 1
            else pd.concat([fr for _, fr in parts], ignore_index=not _indexed(parts))
        )
        source = parts[0][0] if len(parts) == 1 else f"{root} ({len(parts)} files)"
        provenance[key] = Provenance(
            series=key,
            provider=KIND_PROVIDER.get(best, "file"),
            source=source,
            fetched_at=fetched_at,
            origin="real",
            note=f"imported from {best} file(s)",
        )
    chains = None
    if chain_files or chain_frames:
        chain_kind_forced = kind if kind in CHAIN_LAYOUTS else None
        chains = import_chains(chain_files, store, kind=chain_kind_forced, frames=chain_frames)
        files.extend((_member_path(name, chain_files), k) for name, k in chains.files
                     if k != "cboe_quotes_json")  # fmt: skip
        warnings.extend(chains.notes)
    written = store.write(frames, provenance) if frames else ()
    return ImportResult(tuple(files), tuple(skipped), written, tuple(warnings), chains)


def _member_path(name: str, paths: Sequence[Path]) -> str:
    """The path of a chain file read (``archive.zip:member`` keeps its member part)."""
    head, sep, rest = name.partition(":")
    for p in paths:
        if p.name == head:
            return f"{p}{sep}{rest}"
    return name


def _indexed(parts: Sequence[tuple[str, pd.DataFrame]]) -> bool:
    """True for daily frames (DatetimeIndex), whose index must survive concatenation."""
    return isinstance(parts[0][1].index, pd.DatetimeIndex)
