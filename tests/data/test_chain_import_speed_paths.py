"""The fast paths of the chain import give what the plain rules give.

Session 6 (issue 14) sped up the import; these tests hold the faster code to
references written here from the rules themselves, not from the code:

* the packed sort keys (`importer._codes`: 3 arrays instead of 6) order rows as
  Python's tuple order of (underlying, quote date, expiry, strike, right, root);
* `CheckedStream`'s vectorised scan finds a forbidden byte or an overlong field at
  the line where the test put it, whatever the read sizes, and counts lines;
* `read_ahead` yields the items in order, raises an iterator's error after the items
  before it, and closes the iterator when the caller stops early;
* the generic reader's canonical-value shortcut maps what it skips exactly as
  `mapped` would (trimmed, upper-cased, ``call``/``put`` accepted).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vixshield.data.chains import import_chains, textcheck
from vixshield.data.chains.catalogue import read_catalogue
from vixshield.data.chains.importer import _codes
from vixshield.data.chains.readahead import read_ahead
from vixshield.data.chains.textcheck import CheckedStream
from vixshield.data.formats._table import MAX_FIELD_CHARS
from vixshield.data.store import Store
from vixshield.errors import DataError

ROOTS = {"SPX": ("SPX", "SPXW"), "VIX": ("VIX", "VIXW")}

row_strategy = st.tuples(
    st.sampled_from(["SPX", "VIX"]),
    st.integers(0, 3),  # root index within the underlying's roots
    st.dates(date(1900, 1, 1), date(2100, 12, 31)),
    st.integers(0, 400),  # expiry: days after the quote date
    st.sampled_from([0.5, 5.0, 100.0, 2415.0, 2415.5, 6000.0, 99999.0]),
    st.sampled_from(["C", "P"]),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(row_strategy, min_size=1, max_size=60))
def test_packed_keys_sort_as_the_six_fields(rows: list[tuple]) -> None:
    """Reference: ``sorted`` on (underlying, quote date, expiry, strike, right, root)."""
    table = pa.table(
        {
            "underlying": [u for u, *_ in rows],
            "root": [ROOTS[u][r % 2] for u, r, *_ in rows],
            "quote_date": pa.array([q for _, _, q, *_ in rows], pa.date32()),
            "expiry": pa.array([q + timedelta(days=e) for _, _, q, e, *_ in rows], pa.date32()),
            "strike": [k for *_, k, _ in rows],
            "right": [x for *_, x in rows],
        }
    )
    cols = {c: table.column(c).to_pylist() for c in table.column_names}
    ref = sorted(
        range(len(rows)),
        key=lambda i: (
            cols["underlying"][i],  # "SPX" < "VIX", as the underlying codes
            cols["quote_date"][i],
            cols["expiry"][i],
            cols["strike"][i],
            cols["right"][i],  # "C" < "P"
            ["SPX", "SPXW", "VIX", "VIXW"].index(cols["root"][i]),
        ),
    )
    assert np.lexsort(_codes(table)).tolist() == ref


def _text(lines: int, seed: int) -> list[bytes]:
    rng = np.random.default_rng(seed)
    width = rng.integers(5, 90, size=lines)
    return [b"x" * int(w) + b",1.5,\tC\r" for w in width]


def _read(data: bytes, block: int) -> int:
    stream = CheckedStream(io.BytesIO(data), file="f.csv", delimiter=",", header=["a", "b"])
    while stream.read(block):
        pass
    return stream._line


@settings(max_examples=40, deadline=None)
@given(
    st.integers(1, 400),
    st.integers(0, 10_000),
    st.sampled_from([7, 64, 1000, 4096, 70_000]),
    st.sampled_from([b"\x00", b"\x01", b"\x0b", b"\x1f", b"\x7f", None]),
)
def test_check_finds_the_planted_byte_at_its_line(
    lines: int, seed: int, block: int, byte: bytes | None
) -> None:
    """Lines of text with at most one forbidden byte planted in a line the test picks."""
    rows = _text(lines, seed)
    at = seed % lines
    if byte is not None:
        rows[at] = rows[at][:3] + byte + rows[at][3:]
    data = b"\n".join(rows) + b"\n"
    if byte is None:
        assert _read(data, block) == lines + 1  # the line after the last
        return
    with pytest.raises(DataError) as err:
        _read(data, block)
    assert err.value.row == at + 1
    assert ("a NUL byte" in str(err.value)) == (byte == b"\x00")


@settings(max_examples=30, deadline=None)
@given(
    st.integers(1, 50),
    st.integers(0, 10_000),
    st.sampled_from([100, 4096, 9000, 1 << 20]),
    st.integers(-2, 2),
)
def test_check_finds_a_long_field_at_its_line(
    lines: int, seed: int, block: int, extra: int
) -> None:
    """A field of ``MAX_FIELD_CHARS + extra`` characters: refused exactly when over."""
    rows = _text(lines, seed)
    at = seed % lines
    rows[at] = b"y" * (MAX_FIELD_CHARS + extra) + b",2"
    data = b"\n".join(rows) + b"\n"
    if extra <= 0:
        assert _read(data, block) == lines + 1
        return
    with pytest.raises(DataError) as err:
        _read(data, block)
    assert err.value.row == at + 1
    assert err.value.field == "a"


@pytest.mark.parametrize("scan", [1, 100, 4096, 1 << 20])
def test_the_scan_window_does_not_change_what_is_found(
    monkeypatch: pytest.MonkeyPatch, scan: int
) -> None:
    """Reads larger than the scan window (`textcheck._SCAN`) are scanned in windows."""
    monkeypatch.setattr(textcheck, "_SCAN", scan)
    rows = _text(300, 7)
    assert _read(b"\n".join(rows) + b"\n", 50_000) == 301
    rows[250] = rows[250][:2] + b"\x02" + rows[250][2:]
    with pytest.raises(DataError) as err:
        _read(b"\n".join(rows) + b"\n", 50_000)
    assert err.value.row == 251
    rows[250] = b"z" * (MAX_FIELD_CHARS + 1)
    with pytest.raises(DataError) as err:
        _read(b"\n".join(rows) + b"\n", 50_000)
    assert (err.value.row, err.value.field) == (251, "a")


def test_read_ahead_keeps_order_and_the_error_in_its_place() -> None:
    seen: list[int] = []

    def items() -> Iterator[int]:
        yield 1
        yield 2
        raise DataError("bad third chunk", file="f.csv", row=9)

    with pytest.raises(DataError, match="bad third chunk"):
        for x in read_ahead(items()):
            seen.append(x)
    assert seen == [1, 2]
    assert list(read_ahead(iter([]))) == []
    assert list(read_ahead(iter("abc"))) == ["a", "b", "c"]


def test_read_ahead_closes_the_iterator_when_the_caller_stops() -> None:
    closed: list[bool] = []

    def items() -> Iterator[int]:
        try:
            yield from range(100)
        finally:
            closed.append(True)

    for x in read_ahead(items()):
        if x == 3:
            break
    assert closed == [True]


def test_a_duplicate_in_one_chunk_is_raised_before_a_bad_value_in_the_next(
    tmp_path: Path,
) -> None:
    """The first chunk (4 KiB, the smallest) holds a duplicate (line 3), the second a bad
    strike (line 113, about 5.5 KiB in).

    The second chunk is read ahead while the first is sorted: its error must not win.
    """
    head = "quote_date,underlying,root,expiry,settlement,strike,right,bid,ask"
    rows = [f"2024-01-02,SPX,SPXW,2024-01-19,PM,{1000 + 5 * i},C,1.0,1.2" for i in range(300)]
    rows.insert(1, rows[0])
    rows.insert(111, "2024-01-02,SPX,SPXW,2024-01-19,PM,-5,C,1.0,1.2")
    path = tmp_path / "c.csv"
    path.write_text("\n".join([head, *rows]) + "\n")
    assert path.stat().st_size > 3 * 4096
    with pytest.raises(DataError) as err:
        import_chains([path], Store(tmp_path / "home"), chunk_bytes=4096)
    assert (err.value.row, err.value.field) == (3, "strike")
    assert "duplicate quote" in str(err.value)
    rows[1] = rows[1].replace(",1000,", ",999,")  # no duplicate: the bad strike is found
    path.write_text("\n".join([head, *rows]) + "\n")
    with pytest.raises(DataError) as err:
        import_chains([path], Store(tmp_path / "home"), chunk_bytes=4096)
    assert (err.value.row, err.value.field) == (113, "strike")


def test_canonical_and_spelled_out_values_import_the_same(tmp_path: Path) -> None:
    """``call``/``put``, lower case, padded and blank settlement read as the canonical file."""
    head = "quote_date,underlying,root,expiry,settlement,strike,right,bid,ask"
    canonical = [
        "2024-01-02,SPX,SPX,2024-01-19,AM,4700,C,1.0,1.2",
        "2024-01-02,SPX,SPXW,2024-01-19,PM,4700,P,2.0,2.2",
        "2024-01-02,VIX,VIX,2024-01-17,AM,15,C,1.0,1.1",
    ]
    spelled = [
        "2024-01-02, spx ,spx,2024-01-19,,4700,call,1.0,1.2",
        "2024-01-02,SPX, SPXW ,2024-01-19,pm,4700,Put,2.0,2.2",
        "2024-01-02,vix,VIX,2024-01-17, am ,15,C,1.0,1.1",
    ]
    out = {}
    for name, rows in (("canonical", canonical), ("spelled", spelled)):
        path = tmp_path / f"{name}.csv"
        path.write_text("\n".join([head, *rows]) + "\n")
        home = tmp_path / name
        import_chains([path], Store(home))
        chains = Store(home).root / "chains"
        cat = read_catalogue(chains)
        out[name] = {
            k: pq.read_table(chains / p.file).drop_columns(["line"]).to_pylist()
            for k, p in cat.partitions.items()
        }
    assert out["spelled"] == out["canonical"]
    spx = out["canonical"]["SPX/2024-01"]
    assert [(r["root"], r["settlement"], r["right"]) for r in spx] == [
        ("SPX", "AM", "C"),
        ("SPXW", "PM", "P"),
    ]
