"""Parsers for the market-data file formats VixShield reads.

One module per provider format; each exposes ``KIND``, ``looks_like(lines)``
and ``parse(text, *, source, hints) -> Parsed``. This package recognises a
format (`detect_kind`) and dispatches (`parse_bytes`, `parse_file`).

Kinds and the frames they return (keyed by series name):

=================== =========================================================
``cboe_index``      ``vix`` (+ ``vix_open``), ``vix9d``, ``vix3m``, ``vix6m``,
                    ``vvix``, ``skew``: index ``date``, column ``value``
``cboe_strategy``   ``put``, ``bxm``, ``pput``, ``cll`` (Cboe strategy benchmark
                    indices, index points)
``cfe_vx``          ``vx``: columns ``date``, ``expiry``, ``settle`` (vol points)
``fred``            ``vix``, ``rate`` (decimal), ``spx_close``, ``cpi``, ``ppi``...
``stooq``           ``spx_open``, ``spx_high``, ``spx_low``, ``spx_close``
``yahoo``           ``spx_open``, ``spx_high``, ``spx_low``, ``spx_close``
``spx_set``         ``spx_set`` (S&P 500 special opening quotation, index points)
``tbill_decimal``   ``rate`` (decimal per year)
``events``          ``events``: columns ``date``, ``kind``, ``label``, ``value``
``optionsdx``,      ``chain``: long frame with `CHAIN_FRAME_COLUMNS`
``chain_csv``,
``cboe_quotes_json``
=================== =========================================================

Every value is validated on the way in (`vixshield.data.validate`); a bad file
raises `vixshield.errors.DataError` naming the file, the 1-based line and the
column; suspicious-but-kept values are listed in `Parsed.warnings`.

Limits (a file past one is refused, located, before anything is stored): UTF-8
text only, lines up to `MAX_LINE_CHARS` and fields up to `MAX_FIELD_CHARS`
characters, at least one data row (`vixshield.data.formats._table`); dates
1900-2100 and values inside each series' plausibility range
(`vixshield.data.validate.PLAUSIBLE`); non-chain files up to `MAX_TEXT_BYTES`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pandas as pd

from vixshield.data.formats import (
    cboe_index,
    cboe_quotes_json,
    cboe_strategy,
    cfe_vx,
    chain_csv,
    events_csv,
    fred,
    optionsdx,
    spx_set,
    stooq,
    tbill,
    yahoo,
)
from vixshield.data.formats._chain import CHAIN_FRAME_COLUMNS
from vixshield.data.formats._parsed import Hints, Parsed
from vixshield.data.formats._table import MAX_FIELD_CHARS, MAX_LINE_CHARS, decode, display_name
from vixshield.errors import DataError

__all__ = [
    "CHAIN_FRAME_COLUMNS",
    "KINDS",
    "MAX_FIELD_CHARS",
    "MAX_LINE_CHARS",
    "MAX_TEXT_BYTES",
    "Parsed",
    "detect_kind",
    "parse_bytes",
    "parse_file",
]

# Order matters for detection: the more specific headers first (yahoo's ``DATE,...``
# with ISO dates and spx_set's ``date,...`` before fred's; the strategy benchmarks'
# ``DATE,PUT`` before the generic ``DATE,<NAME>`` of cboe_index).
_MODULES: tuple[ModuleType, ...] = (
    cfe_vx,
    optionsdx,
    cboe_quotes_json,
    chain_csv,
    events_csv,
    spx_set,
    yahoo,
    stooq,
    tbill,
    cboe_strategy,
    cboe_index,
    fred,
)
_BY_KIND: dict[str, ModuleType] = {m.KIND: m for m in _MODULES}

KINDS: tuple[str, ...] = (
    "cboe_index",
    "cfe_vx",
    "fred",
    "stooq",
    "tbill_decimal",
    "events",
    "optionsdx",
    "chain_csv",
    "cboe_quotes_json",
    "cboe_strategy",
    "yahoo",
    "spx_set",
)
"""Every format kind `parse_bytes` understands."""

_PARQUET_MAGIC = b"PAR1"

MAX_TEXT_BYTES = 80 * 2**20
"""Largest file of a non-chain kind accepted (bytes, 80 MiB), refused before it is read.

Reading a file costs about four times its size on top of the interpreter's
~130 MB (`benchmarks/index_import.py`: a 2-million-row, 67 MiB index file peaks
at about 425 MB, a 79.7 MiB one at 472 MB), so a file at the limit still fits a
500 MB budget. A valid daily
series is far smaller: one row per day from 1900 to 2100 is 73,414 rows, a few
MiB. Chain files (read in chunks by their own readers) are not bounded here."""

_BOUNDED_KINDS: frozenset[str] = frozenset(
    m.KIND
    for m in (cboe_index, cboe_strategy, cfe_vx, events_csv, fred, spx_set, stooq, tbill, yahoo)
)


def detect_kind(header_text: str) -> str | None:
    """Recognise a format from the first lines of a file.

    Parameters
    ----------
    header_text : str
        The start of the file (a few lines are enough; a disclaimer line
        before the header is fine).

    Returns
    -------
    str or None
        One of `KINDS`, or None when no format matches.
    """
    text = header_text.lstrip("\ufeff")
    lines = [ln for ln in text.splitlines() if ln.strip()][:40]
    content = [ln for ln in lines if not ln.lstrip().startswith("#")]
    for module in _MODULES:
        probe = lines if module is events_csv else content
        looks: Callable[[list[str]], bool] = module.looks_like
        if looks(probe):
            return str(module.KIND)
    return None


def parse_bytes(
    data: bytes,
    *,
    source: str,
    kind: str | None = None,
    series: str | None = None,
    as_of: str | pd.Timestamp | None = None,
    underlying: str | None = None,
) -> Parsed:
    """Parse one file's bytes.

    Parameters
    ----------
    data : bytes
        File content (text formats in UTF-8; chain Parquet).
    source : str
        File path or URL, used in messages and to read the series name from
        Cboe file names (``VIX_History.csv``) and CFE contract codes.
    kind : str, optional
        One of `KINDS`; detected from the content when omitted.
    series : str, optional
        Cboe index name (``"VIX"``, ``"VVIX"``...) when ``source`` does not say.
    as_of : str or Timestamp, optional
        Trade date of a VX curve snapshot (the file carries none).
    underlying : str, optional
        ``"SPX"`` or ``"VIX"`` for OptionsDX files.

    Returns
    -------
    Parsed

    Raises
    ------
    vixshield.errors.DataError
        Unknown format, or a value that fails validation (message names the
        file, line and column).
    """
    file = display_name(source)
    hints = _hints(series, as_of, underlying)
    if data[:4] == _PARQUET_MAGIC:
        if kind not in (None, chain_csv.KIND):
            raise DataError(f"a Parquet file can only be kind 'chain_csv', not {kind!r}", file=file)
        return chain_csv.parse_parquet(data, source=source, hints=hints)
    if kind in _BOUNDED_KINDS:
        _check_size(len(data), kind, file)
    return _parse_text(decode(data, file), source=source, kind=kind, hints=hints)


def _hints(series: str | None, as_of: str | pd.Timestamp | None, underlying: str | None) -> Hints:
    return Hints(
        series=series,
        as_of=pd.Timestamp(as_of) if as_of is not None else None,
        underlying=underlying,
    )


def _check_size(size: int, kind: str, file: str) -> None:
    """Refuse a non-chain file over `MAX_TEXT_BYTES`."""
    if size > MAX_TEXT_BYTES:
        raise DataError(
            f"file of {size / 2**20:.0f} MiB is larger than the {MAX_TEXT_BYTES // 2**20} MiB "
            f"accepted for a {kind} file (a daily series 1900-2100 is a few MiB)",
            file=file,
        )


def _parse_text(text: str, *, source: str, kind: str | None, hints: Hints) -> Parsed:
    """Parse decoded text of a known or detected kind."""
    file = display_name(source)
    if kind is None:
        kind = detect_kind(text[:8192])
        if kind is None:
            first = next((ln for ln in text.splitlines() if ln.strip()), "")
            raise DataError(
                f"unrecognised file format (first line {first[:80]!r}); "
                f"expected one of {list(KINDS)}",
                file=file,
                row=1,
            )
        if kind in _BOUNDED_KINDS:
            _check_size(len(text), kind, file)
    if kind not in _BY_KIND:
        raise DataError(f"unknown format kind {kind!r}; expected one of {list(KINDS)}", file=file)
    parsed: Parsed = _BY_KIND[kind].parse(text, source=source, hints=hints)
    return parsed


def parse_file(
    path: str | Path,
    *,
    kind: str | None = None,
    series: str | None = None,
    as_of: str | pd.Timestamp | None = None,
    underlying: str | None = None,
) -> Parsed:
    """Parse a file from disk (``source`` = ``str(path)``); see `parse_bytes`."""
    p = Path(path)
    file = display_name(str(p))
    try:
        with p.open("rb") as fh:
            head = fh.read(8192)
            size = p.stat().st_size
    except OSError as exc:
        raise DataError(f"cannot read the file ({exc.strerror})", file=str(p)) from None
    if head[:4] == _PARQUET_MAGIC:
        return parse_bytes(
            p.read_bytes(),
            source=str(p),
            kind=kind,
            series=series,
            as_of=as_of,
            underlying=underlying,
        )
    found = kind or detect_kind(head.decode("utf-8", errors="replace"))
    if found in _BOUNDED_KINDS:
        _check_size(size, found, file)
    try:
        text = decode(p.read_bytes(), file)  # the bytes are released once decoded
    except OSError as exc:
        raise DataError(f"cannot read the file ({exc.strerror})", file=str(p)) from None
    return _parse_text(text, source=str(p), kind=kind, hints=_hints(series, as_of, underlying))
