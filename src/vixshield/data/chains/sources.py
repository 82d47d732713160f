"""Chain input files read in chunks: plain CSV/TXT, ``.zip`` and ``.7z`` archives, Parquet.

`chain_inputs` expands a path into the members to read (an archive's text files,
a ``.7z`` extracted to a scratch folder first: py7zr cannot stream a member),
`chain_kind` recognises a member's format from its first lines, and
`read_chunks` yields `LONG_SCHEMA` tables of at most about ``chunk_bytes`` of
input each, validated (`check_long`), so memory is bounded by the chunk and not
by the file. Line numbers count the file's lines (1-based, the header included)
as long as no blank line or quoted line break sits inside the data; pyarrow's
fast typed conversion is used, and where it fails the chunk is re-read cell by
cell to name the line and column of the first bad value. Every byte read passes
`textcheck.CheckedStream` (UTF-8, no control bytes, lines and fields bounded as in
the whole-file readers), dates are parsed strictly within 1900-01-01..2100-12-31,
and numbers must be finite and plausible (`check_long`); a file with a header and no
data rows is an error.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from vixshield._limits import short_repr
from vixshield.data.chains.textcheck import CheckedStream
from vixshield.data.formats import chain_csv, datashop, optionsdx, orats
from vixshield.data.formats._chain import DATE, ChainLayout, LongContext, check_long, first_true
from vixshield.data.validate import DATE_MAX, DATE_MIN
from vixshield.errors import DataError

__all__ = [
    "CHAIN_LAYOUTS",
    "DEFAULT_CHUNK_BYTES",
    "ChainInput",
    "chain_inputs",
    "chain_kind",
    "read_chunks",
]

CHAIN_LAYOUTS: dict[str, ChainLayout] = {
    lay.kind: lay for lay in (datashop.LAYOUT, orats.LAYOUT, optionsdx.LAYOUT, chain_csv.LAYOUT)
}
"""Streaming layouts by kind, in the order `chain_kind` tries them."""

DEFAULT_CHUNK_BYTES = 16 << 20
"""Bytes of input text per chunk (16 MiB: about 200k OptionsDX lines or 270k generic rows)."""

_HEAD_BYTES = 65536
_MAX_PREAMBLE = 20
_NULLS = ["", " ", "  ", "NA", "N/A", "NaN", "nan", "null", "NULL"]
_TEXT_SUFFIXES = (".csv", ".txt")
_DATE_TEXT = pa.dictionary(pa.int32(), pa.string())
"""Date columns come from the CSV parser dictionary-encoded (a chunk holds a few hundred
distinct dates in 200k+ rows): `_dates` parses each distinct text once."""
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
"""A number as every reader writes it (`vixshield.data.validate.parse_numbers`)."""

Opener = Callable[[], AbstractContextManager[IO[bytes]]]


@dataclass(frozen=True)
class ChainInput:
    """One file to read: its display name and how to open its bytes.

    Attributes
    ----------
    name : str
        Shown in messages: ``file.txt`` or ``archive.zip:member.txt``.
    open : callable
        Opens the bytes (a fresh stream on every call).
    parquet : pathlib.Path or None
        The file, where it is Parquet.
    """

    name: str
    open: Opener
    parquet: Path | None = None


def _file_opener(path: Path) -> Opener:
    return lambda: pa.OSFile(str(path), "rb")


def _zip_opener(path: Path, member: str) -> Opener:
    def opener() -> AbstractContextManager[IO[bytes]]:
        zf = zipfile.ZipFile(path)
        return _ClosingMember(zf, zf.open(member))

    return opener


class _ClosingMember(AbstractContextManager[IO[bytes]]):
    """A zip member stream that closes its archive with it."""

    def __init__(self, zf: zipfile.ZipFile, fh: IO[bytes]) -> None:
        self._zf, self._fh = zf, fh

    def __enter__(self) -> IO[bytes]:
        return self._fh

    def __exit__(self, *exc: object) -> None:
        self._fh.close()
        self._zf.close()


def chain_inputs(path: Path, scratch: Path) -> list[ChainInput]:
    """The readable members of ``path`` (itself, or an archive's ``.csv``/``.txt`` files).

    ``.7z`` archives are extracted under ``scratch`` (removed by the caller).
    """
    name = path.name
    low = name.lower()
    if low.endswith(".zip"):
        try:
            with zipfile.ZipFile(path) as zf:
                members = [m for m in zf.namelist() if m.lower().endswith(_TEXT_SUFFIXES)]
        except zipfile.BadZipFile as exc:
            raise DataError(f"not a readable zip archive ({exc})", file=name) from exc
        return [ChainInput(f"{name}:{m}", _zip_opener(path, m)) for m in sorted(members)]
    if low.endswith(".7z"):
        import py7zr  # an optional heavy import, only for .7z archives

        out = scratch / f"7z-{len(list(scratch.glob('7z-*')))}"
        try:
            with py7zr.SevenZipFile(path, "r") as z:
                z.extractall(out)
        except (py7zr.Bad7zFile, OSError) as exc:
            raise DataError(f"not a readable 7z archive ({exc})", file=name) from exc
        files = sorted(
            p for p in out.rglob("*") if p.is_file() and p.suffix.lower() in _TEXT_SUFFIXES
        )
        return [ChainInput(f"{name}:{p.relative_to(out)}", _file_opener(p)) for p in files]
    with path.open("rb") as fh:
        magic = fh.read(4)
    if magic == b"PAR1":
        return [ChainInput(name, _file_opener(path), parquet=path)]
    return [ChainInput(name, _file_opener(path))]


def _head_lines(inp: ChainInput) -> list[str]:
    with inp.open() as fh:
        head = fh.read(_HEAD_BYTES)
    text = head.decode("utf-8-sig", errors="replace")
    return text.splitlines()[:-1] if len(head) == _HEAD_BYTES else text.splitlines()


def _header(lines: list[str], layout: ChainLayout) -> tuple[int, list[str]] | None:
    """(0-based line index, normalised fields) of the header, None if absent."""
    seen = 0
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        try:
            cells = next(csv.reader([line], delimiter=layout.delimiter))
        except csv.Error:  # not a header of this layout
            return None
        fields = [layout.normalise(f) for f in cells]
        if layout.is_header(fields):
            while fields and fields[-1] == "":
                fields.pop()
            return i, fields
        seen += 1
        if seen > _MAX_PREAMBLE:
            return None
    return None


def chain_kind(inp: ChainInput) -> str | None:
    """The chain format of ``inp`` (a key of `CHAIN_LAYOUTS`), None if not a chain file."""
    if inp.parquet is not None:
        return chain_csv.KIND
    lines = _head_lines(inp)
    for kind, layout in CHAIN_LAYOUTS.items():
        if _header(lines, layout) is not None:
            return kind
    return None


def read_chunks(
    inp: ChainInput,
    kind: str,
    *,
    chunk_bytes: int = DEFAULT_CHUNK_BYTES,
    underlying: str | None = None,
    context: LongContext | None = None,
) -> Iterator[pa.Table]:
    """Validated `LONG_SCHEMA` tables of ``inp``, one per chunk of about ``chunk_bytes``.

    Raises
    ------
    vixshield.errors.DataError
        A missing column (at the header line) or a bad value (file, line, column).
    """
    layout = CHAIN_LAYOUTS[kind]
    ctx = context or LongContext(inp.name, underlying)
    batches = (
        _parquet_batches(inp, layout, chunk_bytes)
        if inp.parquet
        else _csv_batches(inp, layout, chunk_bytes)
    )
    rows = 0
    for batch in batches:
        rows += batch.num_rows
        long = layout.to_long(batch, ctx)
        check_long(long, file=inp.name, fields=layout.fields)
        yield long
    if not rows:
        raise DataError("no data rows after the header", file=inp.name)


def _present(layout: ChainLayout, header: list[str], file: str, header_line: int) -> list[str]:
    cols = [c for c in layout.types if c in header]
    missing = [c for c in layout.types if c not in header and c not in layout.optional]
    if missing:
        raise DataError(
            f"expected a column {missing[0]!r} in the header {header}", file=file, row=header_line
        )
    return cols


def _complete(table: pa.Table, layout: ChainLayout, first_line: int) -> pa.Table:
    """Add the all-null optional columns a file lacks and the ``line`` column."""
    for c, t in layout.types.items():
        if c not in table.column_names:
            table = table.append_column(c, pa.nulls(table.num_rows, t))
    lines = pa.array(np.arange(first_line, first_line + table.num_rows, dtype=np.int64))
    return table.append_column("line", lines)


def _dates(table: pa.Table, layout: ChainLayout, first_line: int, file: str) -> pa.Table:
    """Date columns read as text parsed: ``YYYY-MM-DD`` or ``MM/DD/YYYY`` (spaces trimmed).

    Each distinct text is parsed once, strictly (``2026-02-30`` and year 0 are not
    dates) and must fall in `DATE_MIN`..`DATE_MAX`; an empty cell is missing.
    """
    for c in layout.types:
        if layout.types[c] != DATE or c not in table.column_names:
            continue
        col = table.column(c)
        if pa.types.is_dictionary(col.type) and col.num_chunks == 1:
            encoded = col.chunk(0)
        elif pa.types.is_string(col.type) or pa.types.is_dictionary(col.type):
            encoded = pc.dictionary_encode(col.cast(pa.string()).combine_chunks())
        else:
            table = table.set_column(table.column_names.index(c), c, col.cast(DATE))
            continue
        # trimmed after encoding: the distinct texts, not every row (same first bad row:
        # codes are numbered in order of first appearance)
        uniques = pc.utf8_trim_whitespace(encoded.dictionary).to_pylist()
        days: list[datetime | None] = []
        for k, raw in enumerate(uniques):
            day = _strict_date(raw)
            if raw and (day is None or not DATE_MIN <= day <= DATE_MAX):
                i = first_true(pc.equal(encoded.indices, k))
                what = (
                    "a date (YYYY-MM-DD or MM/DD/YYYY)"
                    if day is None
                    else f"a date from {DATE_MIN.date()} to {DATE_MAX.date()}"
                )
                raise DataError(
                    f"expected {what}, got {short_repr(raw, 40)}",
                    file=file,
                    row=first_line + i,
                    field=c,
                )
            days.append(day)
        parsed = pc.take(pa.array(days, DATE), encoded.indices)
        table = table.set_column(table.column_names.index(c), c, parsed)
    return table


def _strict_date(raw: str) -> datetime | None:
    """``raw`` as a date (ISO or US form), None if it is neither (or empty)."""
    for fmt in ("%Y-%m-%d", "%m/%d/%Y"):
        try:
            return datetime.strptime(raw, fmt)
        except ValueError:
            continue
    return None


def _csv_batches(inp: ChainInput, layout: ChainLayout, chunk_bytes: int) -> Iterator[pa.Table]:
    found = _header(_head_lines(inp), layout)
    if found is None:
        raise DataError(f"no {layout.kind} header line in the first lines", file=inp.name, row=1)
    at, header = found
    cols = _present(layout, header, inp.name, at + 1)
    names = [h if h else f"_unnamed{i}" for i, h in enumerate(header)]
    read = pacsv.ReadOptions(
        skip_rows=at + 1, column_names=names, block_size=max(chunk_bytes, 1 << 12)
    )
    parse = pacsv.ParseOptions(delimiter=layout.delimiter)
    convert = pacsv.ConvertOptions(
        include_columns=cols,
        column_types={c: _DATE_TEXT if layout.types[c] == DATE else layout.types[c] for c in cols},
        null_values=_NULLS,
        strings_can_be_null=False,
    )
    line = at + 2
    with inp.open() as raw:
        fh = CheckedStream(raw, file=inp.name, delimiter=layout.delimiter, header=names)
        try:
            reader = pacsv.open_csv(
                fh, read_options=read, parse_options=parse, convert_options=convert
            )
            for batch in reader:
                table = _dates(pa.Table.from_batches([batch]), layout, line, inp.name)
                yield _complete(table, layout, line)
                line += batch.num_rows
        except pa.ArrowInvalid as exc:
            raise _locate(inp, layout, at, names, cols, exc) from exc


def _parquet_batches(inp: ChainInput, layout: ChainLayout, chunk_bytes: int) -> Iterator[pa.Table]:
    assert inp.parquet is not None
    try:
        pf = pq.ParquetFile(inp.parquet)
    except Exception as exc:  # pyarrow raises several types for a corrupt file
        raise DataError(f"not a readable Parquet file ({exc})", file=inp.name) from exc
    header = [layout.normalise(n) for n in pf.schema_arrow.names]
    cols = _present(layout, header, inp.name, 1)
    by_norm = dict(zip(header, pf.schema_arrow.names, strict=True))
    rows = max(1, chunk_bytes // 64)  # about 64 bytes a row in text
    line = 2
    for batch in pf.iter_batches(batch_size=rows, columns=[by_norm[c] for c in cols]):
        table = pa.Table.from_batches([batch]).rename_columns(cols)
        table = _dates(table, layout, line, inp.name)
        typed = []
        for c in cols:
            col = table.column(c)
            try:
                typed.append(col.cast(layout.types[c]))
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
                raise DataError(
                    f"values of type {col.type} cannot be read ({exc})",
                    file=inp.name,
                    row=line,
                    field=c,
                ) from exc
        yield _complete(pa.Table.from_arrays(typed, names=cols), layout, line)
        line += table.num_rows


def _locate(
    inp: ChainInput,
    layout: ChainLayout,
    at: int,
    names: list[str],
    cols: list[str],
    exc: Exception,
) -> DataError:
    """Re-read ``inp`` cell by cell and name the first line and column pyarrow could not read."""
    width = len(names)
    index = {n: i for i, n in enumerate(names)}
    with inp.open() as fh:
        text = io.TextIOWrapper(fh, encoding="utf-8-sig", errors="replace", newline="")
        for _ in range(at + 1):
            text.readline()
        reader = csv.reader(text, delimiter=layout.delimiter)
        for fields in _rows(reader, inp.name, at):
            lineno = at + 1 + reader.line_num
            if not fields:
                continue
            while len(fields) > width and fields[-1].strip() == "":
                fields.pop()
            if len(fields) != width:
                return DataError(
                    f"expected {width} fields like the header, got {len(fields)}",
                    file=inp.name,
                    row=lineno,
                )
            for c in cols:
                raw = fields[index[c]].strip()
                if raw in _NULLS or not _bad(raw, layout.types[c]):
                    continue
                what = (
                    "a date (YYYY-MM-DD or MM/DD/YYYY)" if layout.types[c] == DATE else "a number"
                )
                return DataError(
                    f"expected {what}, got {raw!r}", file=inp.name, row=lineno, field=c
                )
    return DataError(f"could not be read ({exc})", file=inp.name)


def _rows(reader: Iterator[list[str]], file: str, at: int) -> Iterator[list[str]]:
    """The rows of ``reader``; a line the csv module cannot split is a located `DataError`."""
    line = at + 1
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise DataError(f"malformed CSV line ({exc})", file=file, row=line + 1) from None
        line += 1
        yield fields


def _bad(raw: str, to: pa.DataType) -> bool:
    if to == DATE:
        for fmt in ("%Y-%m-%d", "%m/%d/%Y", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"):
            try:
                datetime.strptime(raw, fmt)
                return False
            except ValueError:
                continue
        return True
    if pa.types.is_floating(to):
        return _NUMBER.fullmatch(raw) is None
    return False
