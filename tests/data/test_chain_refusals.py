"""Chain files that are not a chain: refused with one located error, the dataset unchanged.

The failure classes of issue 15 in the streaming chain readers (header-only files,
control characters and binary bytes anywhere in a line, extreme numbers, impossible
or out-of-range dates, fields and lines over the stated sizes), each reproduced on a
small generic or OptionsDX file written here; the line and column every error must
name are those of the text the test wrote. `CheckedStream` is also checked on its
own: a long line split over many small reads is still found, at the right line, and
a good file read in tiny blocks passes.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from vixshield.data.chains import import_chains
from vixshield.data.chains.textcheck import CheckedStream
from vixshield.data.formats import parse_bytes
from vixshield.data.formats._table import MAX_FIELD_CHARS, MAX_LINE_CHARS
from vixshield.data.store import Store
from vixshield.errors import DataError

HEADER = "quote_date,underlying,root,expiry,settlement,strike,right,bid,ask,iv,delta"
GOOD = (
    "2026-07-22,SPX,SPXW,2026-08-28,PM,6000,P,41.2,42.0,0.1812,-0.21",
    "2026-07-22,SPX,SPXW,2026-08-28,PM,6050,P,45.0,45.8,0.1790,-0.24",
)
"""A two-row generic chain (lines 2 and 3); ``delta`` is a column the reader skips."""


BASE = "2026-07-22,SPX,SPXW,2026-08-28,PM,6100,P,49.0,49.8,0.1770,-0.27"
"""A third good row (line 4), which each case breaks in one cell."""


def _row(**cells: str) -> str:
    names = HEADER.split(",")
    values = BASE.split(",")
    for k, v in cells.items():
        values[names.index(k)] = v
    return ",".join(values)


def _refused(tmp_path: Path, name: str, data: bytes) -> str:
    """Import ``data``; it must fail with a DataError, leaving the dataset absent."""
    path = tmp_path / name
    path.write_bytes(data)
    store = Store(tmp_path / "home")
    with pytest.raises(DataError) as err:
        import_chains([path], store)
    assert not (tmp_path / "home" / "chains" / "catalogue.json").exists()
    assert not list((tmp_path / "home" / "chains").glob("underlying=*"))
    return str(err.value)


def _generic(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode()


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (_row(delta="-0.2\x0b"), "chain.csv:4: not a text file (control character 0x0b)"),
        (_row(delta="\x7f"), "chain.csv:4: not a text file (control character 0x7f)"),
        (_row(strike="inf"), "chain.csv:4: column 'strike' expected a finite number"),
        (_row(bid="Infinity"), "chain.csv:4: column 'bid' expected a finite number"),
        (_row(strike="1e400"), "chain.csv:4: column 'strike' expected a finite number"),
        (_row(ask="1e308"), "column 'ask' expected a plausible option price in [0, 1e+06)"),
        (_row(strike="1e308"), "column 'strike' expected a plausible option strike in (0, 1e+06)"),
        (_row(iv="250"), "column 'iv' expected a plausible implied volatility in [0, 100]"),
        (_row(quote_date="2026-02-30"), "chain.csv:4: column 'quote_date' expected a date"),
        (_row(expiry="0000-01-01"), "chain.csv:4: column 'expiry' expected a date"),
        (_row(quote_date="2101-01-01"), "expected a date from 1900-01-01 to 2100-12-31"),
        (_row(quote_date="1899-12-29"), "expected a date from 1900-01-01 to 2100-12-31"),
        (_row(bid="1_000"), "chain.csv:4: column 'bid' expected a number, got '1_000'"),
        (_row(delta="9" * 5000), "chain.csv:4: column 'delta' field of 5000 characters"),
        (_row(delta="a" * 300_000), "chain.csv:4: line of 300"),
    ],
    ids=[
        "vt",
        "del",
        "inf",
        "Infinity",
        "1e400",
        "1e308-ask",
        "1e308-strike",
        "iv-250",
        "feb-30",
        "year-0",
        "after-2100",
        "before-1900",
        "underscore",
        "5k-unread",
        "300k",
    ],
)
def test_generic_chain_value_classes(tmp_path: Path, row: str, expected: str) -> None:
    message = _refused(tmp_path, "chain.csv", _generic(*GOOD, row))
    assert expected in message, message


def test_binary_bytes_in_a_column_no_reader_reads(tmp_path: Path) -> None:
    data = _generic(*GOOD) + _row(delta="x").encode().replace(b"x", b"\xff\xfe\x00\x89") + b"\n"
    assert "chain.csv:4: not a text file (a NUL byte 0x00)" in _refused(tmp_path, "chain.csv", data)


def test_latin1_text_is_refused_at_its_line(tmp_path: Path) -> None:
    data = _generic(*GOOD, _row(delta="café")).replace("é".encode(), "é".encode("latin-1"))
    assert "chain.csv:4: not UTF-8 text (byte 0xe9)" in _refused(tmp_path, "chain.csv", data)


def test_header_only_file_is_refused(tmp_path: Path) -> None:
    assert "chain.csv: no data rows after the header" in _refused(
        tmp_path, "chain.csv", (HEADER + "\n").encode()
    )


OPTIONSDX = (Path(__file__).parent / "fixtures" / "optionsdx_spx_eod_202201.txt").read_text()


def _optionsdx(column: str, value: str) -> bytes:
    header, first, *rest = OPTIONSDX.splitlines()
    names = [n.strip().strip("[]") for n in header.split(",")]
    cells = first.split(", ")
    cells[names.index(column)] = value
    return "\n".join([header, ", ".join(cells), *rest]).encode() + b"\n"


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        ("QUOTE_DATE", "0000-01-01", "spx_eod.txt:2: column 'QUOTE_DATE' expected a date"),
        ("EXPIRE_DATE", "2262-04-12", "column 'EXPIRE_DATE' expected a date from 1900-01-01"),
        ("C_BID", "inf", "spx_eod.txt:2: column 'C_BID' expected a finite number"),
        ("P_IV", "1e308", "spx_eod.txt:2: column 'P_IV' expected a plausible implied volatility"),
        ("C_SIZE", "10 x 10\x0c", "spx_eod.txt:2: not a text file (control character 0x0c)"),
        ("STRIKE", "9" * 5000, "spx_eod.txt:2: column 'STRIKE' field of 5000 characters"),
        ("QUOTE_READTIME", "z" * 200_000, "spx_eod.txt:2: line of 200"),
    ],
    ids=["year-0", "after-2262", "inf", "1e308-iv", "control", "5k", "200k"],
)
def test_optionsdx_value_classes(tmp_path: Path, column: str, value: str, expected: str) -> None:
    message = _refused(tmp_path, "spx_eod.txt", _optionsdx(column, value))
    assert expected in message, message


def test_optionsdx_header_only_is_refused(tmp_path: Path) -> None:
    header = OPTIONSDX.splitlines()[0]
    assert "spx_eod.txt: no data rows after the header" in _refused(
        tmp_path, "spx_eod.txt", (header + "\n").encode()
    )


# --- CheckedStream on its own -----------------------------------------------------------


def _read_all(data: bytes, block: int) -> None:
    stream = CheckedStream(io.BytesIO(data), file="f.csv", delimiter=",", header=["a", "b"])
    while stream.read(block):
        pass


@pytest.mark.parametrize("block", [7, 1000, 5000, 1 << 20])
def test_a_long_line_is_found_at_its_line_whatever_the_reads(block: int) -> None:
    data = b"a,b\n1,2\n3,4\n" + b"5," + b"6" * (MAX_LINE_CHARS + 1) + b"\n7,8\n"
    with pytest.raises(DataError, match=r"f\.csv:4: line of 65539 characters"):
        _read_all(data, block)


@pytest.mark.parametrize("block", [7, 1000, 5000, 1 << 20])
def test_a_long_field_is_named_whatever_the_reads(block: int) -> None:
    data = b"a,b\n1,2\n" + b"3," + b"4" * (MAX_FIELD_CHARS + 1) + b"\n"
    with pytest.raises(DataError, match=r"f\.csv:3: column 'b' field of 4097 characters"):
        _read_all(data, block)


def test_a_long_last_line_without_a_break_is_found() -> None:
    data = b"a,b\n1,2\n3," + b"4" * (MAX_FIELD_CHARS + 1)
    with pytest.raises(DataError, match=r"f\.csv:3: column 'b' field of 4097"):
        _read_all(data, 1 << 20)


@pytest.mark.parametrize("block", [1, 3, 4096, 1 << 20])
def test_good_text_passes_in_any_blocks(block: int) -> None:
    fields = ",".join(["é" * MAX_FIELD_CHARS, "x" * MAX_FIELD_CHARS])  # at the limits
    data = "\ufeffa,b\n".encode() + (fields + "\r\n").encode() * 3 + b"1,2"
    _read_all(data, block)


def test_a_utf8_character_split_between_reads_is_text() -> None:
    _read_all("a,b\n€,1\n".encode(), 5)  # the 3 bytes of € straddle the first read


# --- the whole-file parsers (`vixshield.data.formats.parse_bytes`) hold the same ranges ---


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("chain.csv", _generic(*GOOD, _row(strike="1e308")), "chain.csv:4: column 'strike'"),
        ("chain.csv", _generic(*GOOD, _row(iv="250")), "chain.csv:4: column 'iv'"),
        ("spx_eod.txt", _optionsdx("P_ASK", "2e6"), "spx_eod.txt:2: column 'P_ASK'"),
    ],
    ids=["strike", "iv", "optionsdx-ask"],
)
def test_whole_file_parsers_refuse_implausible_values(
    name: str, data: bytes, expected: str
) -> None:
    with pytest.raises(DataError, match="expected a plausible") as err:
        parse_bytes(data, source=name)
    assert expected in str(err.value)
