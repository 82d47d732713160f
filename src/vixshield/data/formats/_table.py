"""Reading delimited text into string columns that remember their line numbers."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath

import numpy as np
import numpy.typing as npt
import pandas as pd

from vixshield._typing import IntArray
from vixshield.errors import DataError

__all__ = ["Table", "decode", "display_name", "read_table", "table_from_frame"]

ObjArray = npt.NDArray[np.object_]


@dataclass(frozen=True)
class Table:
    """Raw cells of a delimited file, one object array per column.

    ``lines`` holds the 1-based file line number of each data row, so every
    error can point at the line the user sees in an editor.
    """

    file: str
    header: tuple[str, ...]
    header_line: int
    cells: dict[str, ObjArray]
    lines: IntArray
    skipped: tuple[str, ...] = ()  # preamble lines (disclaimers) skipped before the header

    def col(self, name: str) -> ObjArray:
        """Cells of column ``name``; `DataError` on the header line if absent."""
        if name not in self.cells:
            raise DataError(
                f"expected a column {name!r} in the header {list(self.header)}",
                file=self.file,
                row=self.header_line,
            )
        return self.cells[name]

    def has(self, name: str) -> bool:
        return name in self.cells

    def __len__(self) -> int:
        return len(self.lines)

    def take(self, mask: npt.NDArray[np.bool_]) -> Table:
        """The rows where ``mask`` is true."""
        return Table(
            self.file,
            self.header,
            self.header_line,
            {k: v[mask] for k, v in self.cells.items()},
            self.lines[mask],
            self.skipped,
        )


def display_name(source: str) -> str:
    """The file name shown in messages: the last path or URL component."""
    tail = source.rstrip("/").split("?")[0]
    return PurePath(tail).name or source


def decode(data: bytes, file: str) -> str:
    """Decode UTF-8 (with or without BOM), falling back to Latin-1."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


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
        Whole file content.
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
    """
    raw_lines = text.splitlines()
    header_at = -1
    header: list[str] = []
    skipped: list[str] = []
    for i, line in enumerate(raw_lines):
        if not line.strip():
            continue
        fields = [normalise(f) for f in next(csv.reader([line], delimiter=delimiter))]
        if is_header(fields):
            header_at, header = i, fields
            break
        skipped.append(line.strip())
        if len(skipped) > max_preamble:
            break
    if header_at < 0:
        first = next((ln for ln in raw_lines if ln.strip()), "")
        raise DataError(
            f"no recognisable header line (first line: {first[:80]!r})", file=file, row=1
        )
    while header and header[-1] == "":
        header.pop()
    body = raw_lines[header_at + 1 :]
    linenos: list[int] = []
    rows: list[list[str]] = []
    reader = csv.reader(io.StringIO("\n".join(body)), delimiter=delimiter)
    width = len(header)
    for offset, fields in enumerate(reader):
        if not fields or all(not f.strip() for f in fields):
            continue
        lineno = header_at + 2 + offset
        fields = [f.strip() for f in fields]
        while len(fields) > width and fields[-1] == "":
            fields.pop()
        if len(fields) != width:
            raise DataError(
                f"expected {width} fields like the header, got {len(fields)}", file=file, row=lineno
            )
        rows.append(fields)
        linenos.append(lineno)
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in header]
    cells = {name: np.array(col, dtype=object) for name, col in zip(header, columns, strict=True)}
    return Table(
        file,
        tuple(header),
        header_at + 1,
        cells,
        np.array(linenos, dtype=np.int64),
        tuple(f"{file}:{k + 1}: skipped preamble line {s[:60]!r}" for k, s in enumerate(skipped)),
    )


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
