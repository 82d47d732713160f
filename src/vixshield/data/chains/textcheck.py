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
check costs one vectorised pass over the bytes (numpy: the positions of every byte
below 0x20, which gives both the control bytes and the line breaks) and a
``bytes.find`` for DEL; fields are only split on the rare lines longer than
``MAX_FIELD_CHARS`` bytes (a field of more characters cannot fit a shorter line).
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Sequence
from typing import IO

import numpy as np
import numpy.typing as npt

from vixshield.data.formats._table import MAX_FIELD_CHARS, MAX_LINE_CHARS
from vixshield.errors import DataError

__all__ = ["CheckedStream"]

_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
"""Bytes a text file may not hold: every control byte but tab, LF and CR, and DEL
(printable ASCII and UTF-8 lead and trail bytes are allowed)."""
_TAB, _LF, _CR, _DEL = 9, 10, 13, b"\x7f"
_SCAN = 16 << 20
"""Bytes scanned at a time (the scratch mask's size, whatever the size of a read)."""
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
        self._mask = np.empty(0, dtype=bool)  # scratch of `_low`, kept: fresh pages cost more
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
        octets = np.frombuffer(data, np.uint8)
        low = self._low(octets)  # tab, LF, CR and the forbidden control bytes
        kinds = octets[low]
        breaks = low[kinds == _LF]
        spaces = np.count_nonzero((kinds == _TAB) | (kinds == _CR))
        if breaks.size + spaces != low.size or data.find(_DEL) >= 0:
            hit = _CONTROL.search(data)
            assert hit is not None  # a byte below 0x20 other than tab/LF/CR, or DEL
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
        self._lines(data, breaks)

    def _low(self, octets: npt.NDArray[np.uint8]) -> npt.NDArray[np.intp]:
        """Positions of the bytes below 0x20, scanned `_SCAN` bytes at a time."""
        if self._mask.size < min(octets.size, _SCAN):
            self._mask = np.empty(min(octets.size, _SCAN), dtype=bool)
        parts = []
        for at in range(0, octets.size, _SCAN):
            window = octets[at : at + _SCAN]
            mask = np.less(window, 0x20, out=self._mask[: window.size])
            parts.append(np.flatnonzero(mask) + at)
        return parts[0] if len(parts) == 1 else np.concatenate(parts)

    def _line_at(self, data: bytes, index: int) -> int:
        return self._line + data.count(b"\n", 0, index)

    def _lines(self, data: bytes, breaks: npt.NDArray[np.intp]) -> None:
        """Check the lines ending in ``data`` and keep the unfinished one.

        ``breaks`` are the positions of the line breaks in ``data``. Only lines of more
        than ``MAX_FIELD_CHARS`` bytes can hold too long a field (or line), so only
        those are split and measured.
        """
        if not breaks.size:
            self._tail += data
            if len(self._tail) > _MAX_LINE_BYTES:
                self._check_line(self._tail, self._line, final=False)
            return
        first, last = int(breaks[0]), int(breaks[-1])
        head = self._tail + data[:first]
        if len(head) > MAX_FIELD_CHARS:
            self._check_line(head, self._line, final=True)
        for j in np.flatnonzero(np.diff(breaks) > MAX_FIELD_CHARS + 1).tolist():
            start, end = int(breaks[j]) + 1, int(breaks[j + 1])
            self._check_line(data[start:end], self._line + j + 1, final=True)
        self._line += breaks.size
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
