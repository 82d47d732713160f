"""Reading delimited text into string columns that remember their line numbers.

Limits every reader applies (a file past one is refused with its line named):

* text must be UTF-8 (a BOM is allowed); NUL bytes, other control characters
  and UTF-16 are refused as "not a text file";
* a line holds at most `MAX_LINE_CHARS` characters, a field `MAX_FIELD_CHARS`;
* the header must be followed by at least one data row.

Cells are kept as pyarrow string arrays (a few bytes per cell, not a Python
object each): a 2-million-row index file is read in a few hundred megabytes.
A regular file (one row per line, no blank lines, no quoted line breaks) is
split by pyarrow's CSV reader directly; anything else goes through the Python
``csv`` module first, line by line, which locates the offending line of a
malformed file and normalises the rest.
"""

from __future__ import annotations

import csv
import io
import re
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from vixshield._typing import IntArray
from vixshield.errors import DataError

__all__ = [
    "MAX_FIELD_CHARS",
    "MAX_LINE_CHARS",
    "Table",
    "decode",
    "display_name",
    "read_table",
    "table_from_frame",
]

ObjArray = npt.NDArray[np.object_]

MAX_FIELD_CHARS = 4096
"""Longest field accepted (characters): the longest real one is an event label of
a few dozen; a longer field is garbage or a file of another kind."""

MAX_LINE_CHARS = 65536
"""Longest line accepted (characters, 64 Ki)."""

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class _Utf8Stream(io.RawIOBase):
    """``text[start:]`` as a readable UTF-8 byte stream, encoded piece by piece (no copy)."""

    def __init__(self, text: str, start: int) -> None:
        super().__init__()
        self._text, self._pos, self._pending = text, start, b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        want = len(view)
        while len(self._pending) < want and self._pos < len(self._text):
            step = max(want, 1 << 16)
            self._pending += self._text[self._pos : self._pos + step].encode("utf-8")
            self._pos += step
        chunk, self._pending = self._pending[:want], self._pending[want:]
        view[: len(chunk)] = chunk
        return len(chunk)


@dataclass(frozen=True)
class Table:
    """Raw cells of a delimited file, one string column per header field.

    ``lines`` holds the 1-based file line number of each data row, so every
    error can point at the line the user sees in an editor. Cells are stored as
    pyarrow string arrays (`arrow`); `col` gives them as an object array of str.
    A `Table` may also be built from object arrays (they are converted).
    """

    file: str
    header: tuple[str, ...]
    header_line: int
    cells: dict[str, Any]
    lines: IntArray
    skipped: tuple[str, ...] = ()  # preamble lines (disclaimers) skipped before the header
    _objects: dict[str, ObjArray] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        converted = {k: _as_arrow(v) for k, v in self.cells.items()}
        object.__setattr__(self, "cells", converted)

    def arrow(self, name: str) -> Any:
        """Cells of column ``name`` as a pyarrow string array (trimmed); `DataError` if absent."""
        if name not in self.cells:
            raise DataError(
                f"expected a column {name!r} in the header {list(self.header)}",
                file=self.file,
                row=self.header_line,
            )
        return self.cells[name]

    def col(self, name: str) -> ObjArray:
        """Cells of column ``name`` as an object array of str; `DataError` on the header line
        if absent."""
        if name not in self._objects:
            values = self.arrow(name).to_numpy(zero_copy_only=False)
            self._objects[name] = np.asarray(values, dtype=object)
        return self._objects[name]

    def has(self, name: str) -> bool:
        return name in self.cells

    def __len__(self) -> int:
        return len(self.lines)

    def take(self, mask: npt.NDArray[np.bool_]) -> Table:
        """The rows where ``mask`` is true."""
        keep = pa.array(np.asarray(mask, dtype=bool), type=pa.bool_())
        return Table(
            self.file,
            self.header,
            self.header_line,
            {k: v.filter(keep) for k, v in self.cells.items()},
            self.lines[np.asarray(mask, dtype=bool)],
            self.skipped,
        )


def _as_arrow(values: Any) -> Any:
    """A column as a trimmed, null-free pyarrow string array (chunked or not)."""
    if not isinstance(values, (pa.Array, pa.ChunkedArray)):
        values = pa.array(np.asarray(values, dtype=object).astype(str), type=pa.string())
    if not pa.types.is_string(values.type):
        values = pc.cast(values, pa.string())
    if values.null_count:
        values = pc.fill_null(values, "")
    padded = [pc.any(f(values, ch)).as_py() for f in (pc.starts_with, pc.ends_with) for ch in " \t"]
    if any(padded):
        values = pc.utf8_trim_whitespace(values)
    return values


def display_name(source: str) -> str:
    """The file name shown in messages: the last path or URL component."""
    tail = source.rstrip("/").split("?")[0]
    return PurePath(tail).name or source


def _line_of(data: bytes | str, index: int) -> int:
    newline = b"\n" if isinstance(data, bytes) else "\n"
    return data.count(newline, 0, index) + 1  # type: ignore[arg-type]


def decode(data: bytes, file: str) -> str:
    """Decode UTF-8 text (with or without BOM); refuse anything that is not text.

    Raises
    ------
    vixshield.errors.DataError
        UTF-16, a NUL byte, bytes that are not UTF-8, or a control character
        (other than tab, CR and LF); the message names the line.
    """
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise DataError("UTF-16 text: save the file as UTF-8", file=file, row=1)
    nul = data.find(b"\x00")
    if nul >= 0:
        raise DataError(
            f"not a text file (a NUL byte at offset {nul})", file=file, row=_line_of(data, nul)
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(
            f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}): "
            "save the file as UTF-8",
            file=file,
            row=_line_of(data, exc.start),
        ) from None
    bad = _CONTROL.search(text)
    if bad is not None:
        raise DataError(
            f"not a text file (control character U+{ord(bad.group()):04X})",
            file=file,
            row=_line_of(text, bad.start()),
        )
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def _too_long(line: str, *, file: str, row: int) -> None:
    if len(line) > MAX_LINE_CHARS:
        raise DataError(
            f"line of {len(line)} characters, longer than the {MAX_LINE_CHARS} accepted",
            file=file,
            row=row,
        )


def _split(line: str, delimiter: str, *, file: str, row: int) -> list[str]:
    """The fields of one line (the header or a preamble line)."""
    _too_long(line, file=file, row=row)
    try:
        return next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error as exc:
        raise DataError(f"malformed CSV line ({exc})", file=file, row=row) from None


def read_table(
    text: str,
    *,
    file: str,
    is_header: Callable[[list[str]], bool],
    delimiter: str = ",",
    max_preamble: int = 10,
    normalise: Callable[[str], str] = str.strip,
) -> Table:
    """Split ``text`` into a `Table`.

    Parameters
    ----------
    text : str
        Whole file content (as returned by `decode`).
    file : str
        Name used in error messages.
    is_header : callable
        Called with the normalised fields of each leading line; the first
        line it accepts is the header. Up to ``max_preamble`` non-matching
        lines (a disclaimer, ``#`` comments) may precede it.
    delimiter : str
        Field separator; surrounding spaces are stripped from every field.
    normalise : callable
        Applied to each header field (e.g. to strip ``[...]`` brackets).

    Raises
    ------
    vixshield.errors.DataError
        No header, a duplicate header name, a row with another number of
        fields than the header, a field or line over the limits, malformed
        quoting, or no data row (the message names the line).
    """
    pos, lineno, header_line = 0, 0, 0
    header: list[str] = []
    skipped: list[str] = []
    first = ""
    while pos < len(text) and len(skipped) <= max_preamble:
        end = text.find("\n", pos)
        end = len(text) if end < 0 else end
        line, pos, lineno = text[pos:end], end + 1, lineno + 1
        if not line.strip():
            continue
        first = first or line.strip()
        fields = [normalise(f) for f in _split(line, delimiter, file=file, row=lineno)]
        if is_header(fields):
            header, header_line = fields, lineno
            break
        skipped.append(line.strip())
    if not header_line:
        raise DataError(
            f"no recognisable header line (first line: {first[:80]!r})", file=file, row=1
        )
    while header and header[-1] == "":
        header.pop()
    named = [h for h in header if h]
    if len(set(named)) != len(named):
        twice = next(h for h in named if named.count(h) > 1)
        raise DataError(f"column {twice!r} appears twice in the header", file=file, row=header_line)
    columns, lines = _body(text, min(pos, len(text)), header, header_line, delimiter, file)
    if len(lines) == 0:
        raise DataError("no data rows after the header", file=file, row=header_line)
    return Table(
        file,
        tuple(header),
        header_line,
        dict(zip(header, columns, strict=True)),
        lines,
        tuple(f"{file}:{k + 1}: skipped preamble line {s[:60]!r}" for k, s in enumerate(skipped)),
    )


def _body(
    text: str, start: int, header: list[str], header_line: int, delimiter: str, file: str
) -> tuple[list[Any], IntArray]:
    """Columns (trimmed arrow strings) and 1-based line numbers of the data rows."""
    width = len(header)
    fast = _read_regular(text, start, width, delimiter)
    if fast is not None:
        columns = []
        while fast:  # convert one column at a time, releasing the raw one
            columns.append(_as_arrow(fast.pop(0)))
        lines = np.arange(header_line + 1, header_line + 1 + len(columns[0]), dtype=np.int64)
        blank = _all_blank(columns)
        if not blank.any():
            _check_field_sizes(columns, lines, header, file)
            return columns, lines
    clean, numbers = _normalise(text, start, header, header_line, delimiter, file)
    parsed = _read_regular(clean, 0, width, delimiter, normalised=True)
    if parsed is None:  # the normalised text is regular by construction
        raise DataError("could not split the file into columns", file=file, row=header_line)
    return [_as_arrow(c) for c in parsed], numbers


def _read_regular(
    text: str, start: int, width: int, delimiter: str, *, normalised: bool = False
) -> list[Any] | None:
    """Columns of ``text[start:]`` if it is one well-formed row per line, else None.

    ``normalised`` text (written by `_normalise`) may hold quoted line breaks.
    """
    names = [f"c{k}" for k in range(width)]
    irregular: list[bool] = []

    def on_invalid(_row: Any) -> str:
        irregular.append(True)
        return "skip"

    try:
        table = pcsv.read_csv(
            _Utf8Stream(text, start),
            read_options=pcsv.ReadOptions(column_names=names),
            parse_options=pcsv.ParseOptions(
                delimiter=delimiter, invalid_row_handler=on_invalid, newlines_in_values=normalised
            ),
            convert_options=pcsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowException):
        return None
    if irregular or (not normalised and table.num_rows != _count_lines(text, start)):
        return None
    return [table.column(k) for k in range(width)]


def _count_lines(text: str, start: int) -> int:
    """Physical lines in ``text[start:]``, ignoring trailing blank lines."""
    end = len(text)
    while end > start and text[end - 1] in " \t\n":
        end -= 1
    return 0 if end <= start else text.count("\n", start, end) + 1


def _all_blank(columns: list[Any]) -> npt.NDArray[np.bool_]:
    blank = np.ones(len(columns[0]), dtype=bool)
    for c in columns:
        blank &= np.asarray(pc.equal(c, "").to_numpy(zero_copy_only=False), dtype=bool)
    return blank


def _check_field_sizes(columns: list[Any], lines: IntArray, header: list[str], file: str) -> None:
    total = np.zeros(len(lines), dtype=np.int64)
    for name, c in zip(header, columns, strict=True):
        size = np.asarray(pc.utf8_length(c).to_numpy(zero_copy_only=False), dtype=np.int64)
        total += size + 1
        if size.size and size.max() > MAX_FIELD_CHARS:
            i = int(np.argmax(size > MAX_FIELD_CHARS))
            raise DataError(
                f"field of {size[i]} characters, longer than the {MAX_FIELD_CHARS} accepted",
                file=file,
                row=int(lines[i]),
                field=name,
            )
    if total.size and total.max() > MAX_LINE_CHARS:
        i = int(np.argmax(total > MAX_LINE_CHARS))
        _too_long("x" * int(total[i]), file=file, row=int(lines[i]))


def _normalise(
    text: str, start: int, header: list[str], header_line: int, delimiter: str, file: str
) -> tuple[str, IntArray]:
    """Check every row with the ``csv`` module; return the kept rows as regular CSV text
    and their line numbers. Blank rows are dropped; trailing empty fields beyond the
    header's width are dropped."""
    width = len(header)
    counted = [header_line]

    def physical_lines() -> Iterator[str]:
        pos = start
        while pos < len(text):
            end = text.find("\n", pos)
            end = len(text) if end < 0 else end + 1
            line = text[pos:end]
            counted[0] += 1
            _too_long(line.rstrip("\n"), file=file, row=counted[0])
            yield line
            pos = end

    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    numbers = array("q")
    reader = csv.reader(physical_lines(), delimiter=delimiter)
    row_start = header_line + 1
    try:
        for fields in reader:
            this, row_start = row_start, counted[0] + 1
            if not fields or all(not f.strip() for f in fields):
                continue
            fields = [f.strip() for f in fields]
            while len(fields) > width and fields[-1] == "":
                fields.pop()
            if len(fields) != width:
                raise DataError(
                    f"expected {width} fields like the header, got {len(fields)}",
                    file=file,
                    row=this,
                )
            for name, f in zip(header, fields, strict=True):
                if len(f) > MAX_FIELD_CHARS:
                    raise DataError(
                        f"field of {len(f)} characters, longer than the {MAX_FIELD_CHARS} accepted",
                        file=file,
                        row=this,
                        field=name,
                    )
            writer.writerow(fields)
            numbers.append(this)
    except csv.Error as exc:
        raise DataError(f"malformed CSV ({exc})", file=file, row=counted[0]) from None
    return out.getvalue(), np.frombuffer(numbers, dtype=np.int64).copy()


def table_from_frame(frame: pd.DataFrame, *, file: str) -> Table:
    """A `Table` from a frame (e.g. read from Parquet): row ``k`` is "line" ``k + 2``."""
    cells = {
        str(c): frame[c].astype(str).where(frame[c].notna(), "").to_numpy(dtype=object)
        for c in frame.columns
    }
    return Table(
        file,
        tuple(str(c) for c in frame.columns),
        1,
        cells,
        np.arange(2, len(frame) + 2, dtype=np.int64),
    )
