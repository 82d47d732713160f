"""Chain text checked as it streams: UTF-8, no control bytes, bounded lines and fields.

The whole-file readers check a file's text before parsing it
(`vixshield.data.formats._table.decode`, ``MAX_FIELD_CHARS``, ``MAX_LINE_CHARS``);
a chain file is read in chunks by pyarrow, which never looks at the columns it
does not convert. `CheckedStream` wraps the byte stream pyarrow reads and applies
the same rules to every block it hands over, whatever the column:

* the bytes are UTF-8 (a UTF-8 BOM is allowed) with no NUL or control character
  other than tab, CR and LF;
* no line is longer than ``MAX_LINE_CHARS`` characters and no field longer than
  ``MAX_FIELD_CHARS``.

A failed check raises `vixshield.errors.DataError` naming the file and the line
(1-based, counted over the whole file) and, for a field, the header's column. The
check costs one pass over the bytes (``bytes.translate``) and one over the line
breaks; fields are only split on the rare lines longer than ``MAX_FIELD_CHARS``.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Sequence
from typing import IO

from vixshield.data.formats._table import MAX_FIELD_CHARS, MAX_LINE_CHARS
from vixshield.errors import DataError

__all__ = ["CheckedStream"]

_ALLOWED = bytes([9, 10, 13, *range(0x20, 0x7F), *range(0x80, 0x100)])
"""Bytes a text file may hold (tab, LF, CR, printable ASCII, UTF-8 lead and trail bytes)."""
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_WINDOW = MAX_FIELD_CHARS // 2
"""Bytes per window of the line-length scan (see `CheckedStream._lines`)."""
_MAX_LINE_BYTES = 4 * MAX_LINE_CHARS
"""An unfinished line longer than this (UTF-8: up to 4 bytes a character) is refused
before it ends; a shorter one is checked when its line break arrives."""


class CheckedStream:
    """A read-only byte stream that checks the text of every block it returns.

    Parameters
    ----------
    raw : binary file
        The stream to read (closed with this one).
    file : str
        Name for messages.
    delimiter : str
        Field separator of the file (for the column of a too-long field).
    header : sequence of str
        Column names, for messages.
    first_line : int
        1-based line number of the stream's first byte.
    """

    def __init__(
        self,
        raw: IO[bytes],
        *,
        file: str,
        delimiter: str,
        header: Sequence[str] = (),
        first_line: int = 1,
    ) -> None:
        self._raw = raw
        self._file = file
        self._delimiter = delimiter
        self._header = list(header)
        self._line = first_line  # line number of the first byte of ``_tail``
        self._tail = b""  # the current, unfinished line (at most _MAX_LINE_BYTES + a read)
        self._utf8 = codecs.getincrementaldecoder("utf-8")("strict")
        self.closed = False

    # --- the file protocol pyarrow uses
    def readable(self) -> bool:
        """Always true."""
        return True

    def seekable(self) -> bool:
        """Always false (a stream)."""
        return False

    def writable(self) -> bool:
        """Always false."""
        return False

    def close(self) -> None:
        """Close the underlying stream."""
        if not self.closed:
            self._raw.close()
            self.closed = True

    def read(self, size: int = -1) -> bytes:
        """Up to ``size`` bytes (all with -1), checked; at the end, the last line is checked."""
        data = self._raw.read(size)
        if data:
            self._check(data)
        else:
            self._finish()
        return data

    # --- checks
    def _check(self, data: bytes) -> None:
        if data.translate(None, _ALLOWED):
            hit = _CONTROL.search(data)
            assert hit is not None  # translate left a byte outside _ALLOWED
            where = self._line_at(data, hit.start())
            what = "a NUL byte" if data[hit.start()] == 0 else "control character"
            raise DataError(
                f"not a text file ({what} 0x{data[hit.start()]:02x})", file=self._file, row=where
            )
        if not data.isascii():
            try:
                self._utf8.decode(data)
            except UnicodeDecodeError as exc:
                raise DataError(
                    f"not UTF-8 text (byte 0x{data[exc.start]:02x}): save the file as UTF-8",
                    file=self._file,
                    row=self._line_at(data, exc.start),
                ) from None
        self._lines(data)

    def _line_at(self, data: bytes, index: int) -> int:
        return self._line + data.count(b"\n", 0, index)

    def _lines(self, data: bytes) -> None:
        """Check the lines ending in ``data`` and keep the unfinished one.

        A line of more than ``MAX_FIELD_CHARS`` bytes covers a whole aligned window
        of ``_WINDOW`` bytes holding no line break; only such lines are split and
        measured, so a normal block costs one ``find`` per window.
        """
        first = data.find(b"\n")
        if first < 0:
            self._tail += data
            if len(self._tail) > _MAX_LINE_BYTES:
                self._check_line(self._tail, self._line, final=False)
            return
        head = self._tail + data[:first]
        if len(head) > MAX_FIELD_CHARS:
            self._check_line(head, self._line, final=True)
        last = data.rfind(b"\n")
        at = first + 1
        while at + _WINDOW <= last:
            if data.find(b"\n", at, at + _WINDOW) >= 0:
                at += _WINDOW
                continue
            start = data.rfind(b"\n", 0, at) + 1
            end = data.find(b"\n", at)
            row = self._line + data.count(b"\n", 0, start)
            self._check_line(data[start:end], row, final=True)
            at = end + 1
        self._line += data.count(b"\n")
        self._tail = data[last + 1 :]
        if len(self._tail) > _MAX_LINE_BYTES:
            self._check_line(self._tail, self._line, final=False)

    def _finish(self) -> None:
        try:
            self._utf8.decode(b"", final=True)
        except UnicodeDecodeError:
            raise DataError(
                "not UTF-8 text (the file ends inside a character)",
                file=self._file,
                row=self._line,
            ) from None
        if self._tail:
            self._check_line(self._tail, self._line, final=True)
            self._tail = b""

    def _check_line(self, line: bytes, row: int, *, final: bool) -> None:
        """Refuse a line (or the start of one) of too many characters or with a long field."""
        text = line.decode("utf-8", errors="replace").rstrip("\r")
        if len(text) > MAX_LINE_CHARS:
            raise DataError(
                f"line of {len(text) if final else 'over ' + str(len(text))} characters, "
                f"longer than the {MAX_LINE_CHARS} accepted",
                file=self._file,
                row=row,
            )
        fields = _fields(text, self._delimiter)
        if not final:
            fields = fields[:-1]  # the last one may go on in the next block
        for k, f in enumerate(fields):
            size = len(f.strip()) if len(f) > MAX_FIELD_CHARS else 0  # OptionsDX pads with a space
            if size > MAX_FIELD_CHARS:
                name = self._header[k] if k < len(self._header) else None
                raise DataError(
                    f"field of {size} characters, longer than the {MAX_FIELD_CHARS} accepted",
                    file=self._file,
                    row=row,
                    field=name,
                )


def _fields(text: str, delimiter: str) -> list[str]:
    """Fields of a line of at most ``MAX_LINE_CHARS`` (below the csv module's field limit)."""
    if '"' not in text:
        return text.split(delimiter)
    try:
        return next(csv.reader([text], delimiter=delimiter[0]), [])
    except csv.Error:
        return text.split(delimiter)
