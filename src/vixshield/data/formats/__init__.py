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
from vixshield.data.formats._table import decode, display_name
from vixshield.errors import DataError

__all__ = [
    "CHAIN_FRAME_COLUMNS",
    "KINDS",
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
        File content (text formats in UTF-8 or Latin-1; chain Parquet).
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
    hints = Hints(
        series=series,
        as_of=pd.Timestamp(as_of) if as_of is not None else None,
        underlying=underlying,
    )
    if data[:4] == _PARQUET_MAGIC:
        if kind not in (None, chain_csv.KIND):
            raise DataError(f"a Parquet file can only be kind 'chain_csv', not {kind!r}", file=file)
        return chain_csv.parse_parquet(data, source=source, hints=hints)
    text = decode(data, file)
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
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise DataError(f"cannot read the file ({exc.strerror})", file=str(p)) from None
    return parse_bytes(
        data, source=str(p), kind=kind, series=series, as_of=as_of, underlying=underlying
    )
