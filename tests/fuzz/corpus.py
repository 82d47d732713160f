"""A corpus generator of broken market-data files, one mutation class at a time.

Every case starts from a valid seed file of one supported format (the small
fixtures in ``tests/data/fixtures``) and breaks it in one way a real download,
an editor or a hostile user could: truncation, binary garbage, other encodings,
swapped and missing columns, extreme values, date edge cases, duplicate rows,
giant fields, a header with no rows. Each case states where the error must be
located (the file name, and the line when the mutation has one), so a test can
require exactly that error and nothing else.

Import as ``from corpus import format_corpus`` (``tests/fuzz/conftest.py`` puts this
folder on ``sys.path``; ``benchmarks/fuzz_long.py`` inserts it itself).

``format_corpus(rng, variants=1)`` yields `FormatCase` objects; with
``variants > 1`` the classes that pick at random (the extreme value, the bad date,
the garbage bytes and where they go, the giant field's size, the column removed)
are drawn that many times; duplicates are dropped. The mutated row is the last
one: earlier rows of some formats are legitimately not read (stooq before 1950,
Fed calendar rows without a meeting flag).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "BAD_DATES_ISO",
    "BAD_DATES_MDY",
    "BAD_NUMBERS",
    "CHAIN_SEEDS",
    "CLASSES",
    "SEEDS",
    "FormatCase",
    "Seed",
    "format_corpus",
]

FIXTURES = Path(__file__).resolve().parents[1] / "data" / "fixtures"

BAD_NUMBERS: tuple[str, ...] = (
    "1e308",
    "-1e308",
    "1e400",
    "inf",
    "-inf",
    "Infinity",
    "0x1A",
    "12abc",
    "1_000",
    '"1,234.5"',
    "1e999",
    "--5",
    "5-",
    "١٢٣",  # Arabic-Indic digits
)
"""Cell values no numeric column of any format may accept."""

BAD_DATES_ISO: tuple[str, ...] = (
    "2262-04-12",
    "9999-12-31",
    "2101-01-01",
    "2026-02-30",
    "2026-13-01",
    "2026-00-10",
    "0000-01-01",
    "20260101",
    "2026/01/01",
    "2026-01-01garbage",
    "-2026-01-01",
    "",
)
"""ISO-format dates that must be refused at the last row of a file (out of the window
1900-2100, impossible, or malformed)."""

BAD_DATES_MDY: tuple[str, ...] = (
    "04/12/2262",
    "12/31/9999",
    "01/01/2101",
    "02/30/2026",
    "13/01/2026",
    "00/10/2026",
    "1/1/0",
    "01-01-2026",
    "",
)
"""``MM/DD/YYYY`` dates that must be refused at the last row."""


@dataclass(frozen=True)
class Seed:
    """A valid file of one format and what its columns are.

    Attributes
    ----------
    fixture : str
        File name in ``tests/data/fixtures`` (also the name the case is written as:
        some formats read the series from it).
    date_col : int or None
        Index of a date column every row's date is read from.
    value_cols : tuple of int
        Numeric columns that are read for every row.
    required : tuple of int
        Columns whose removal must be an error.
    mdy : bool
        Dates written ``MM/DD/YYYY``.
    args : tuple of str
        Extra ``data import`` options the file needs.
    chain : bool
        A chain format (H1's readers: only "exit 2, file named, no traceback" is required).
    """

    fixture: str
    date_col: int | None
    value_cols: tuple[int, ...]
    required: tuple[int, ...]
    mdy: bool = False
    args: tuple[str, ...] = ()
    chain: bool = False

    @property
    def text(self) -> str:
        return (FIXTURES / self.fixture).read_text(encoding="utf-8")


SEEDS: tuple[Seed, ...] = (
    Seed("VIX_History.csv", 0, (1, 2, 3, 4), (0, 4), mdy=True),
    Seed("VVIX_History.csv", 0, (1,), (0, 1), mdy=True),
    Seed("SKEW_History.csv", 0, (1,), (0, 1), mdy=True),
    Seed("PUT_History.csv", 0, (1,), (0, 1), mdy=True),
    Seed("CLL_History.csv", 0, (1,), (0, 1), mdy=True),
    Seed("CFE_K18_VX.csv", 0, (2, 3, 4, 5, 6), (0, 6)),
    Seed("VIX_FUTURES_CURVE_snapshot.csv", 0, (2,), (0, 2), args=("--as-of", "2026-07-01")),
    Seed("fredgraph_DTB3.csv", 0, (1,), (0, 1)),
    Seed("fredgraph_old.csv", 0, (1,), (0,)),
    Seed("stooq_spx.csv", 0, (1, 2, 3, 4), (0, 1, 4)),
    Seed("GSPC_yahoo.csv", 0, (1, 2, 3, 4), (0, 1, 4)),
    Seed("spx_set.csv", 0, (1,), (0, 1)),
    Seed("tbill13week.csv", 0, (1,), (0, 1)),
    Seed("events_own.csv", 0, (3,), (0, 1, 2)),
    Seed("cpi_releases.csv", 1, (), (0, 1)),
    Seed("fomc_decisions.csv", 0, (), (0,)),
    Seed("fed_meetings.csv", 0, (), (0, 1)),
    Seed("fomc_decisions_2014.csv", 0, (), (0,)),
)
"""Non-chain seeds: every supported non-chain format and layout."""

CHAIN_SEEDS: tuple[Seed, ...] = (
    Seed("chain.csv", 0, (5, 7, 8), (0, 5), chain=True),
    Seed("optionsdx_spx_eod_202201.txt", 2, (19,), (2, 19), args=(), chain=True),
)
"""Chain seeds (OptionsDX, VixShield chain CSV), mutated the same way."""


@dataclass(frozen=True)
class FormatCase:
    """One broken file and the error it must produce.

    Attributes
    ----------
    name : str
        ``<fixture>:<class>[:<detail>]``, unique within a corpus.
    klass : str
        Mutation class (one of `CLASSES`).
    file_name : str
        Name to write the file under.
    data : bytes
        File content.
    args : tuple of str
        Extra ``data import`` options.
    must_name : tuple of str
        Strings the one error line must contain (the file name, ``file:line``).
    chain : bool
        Whether the seed is a chain format.
    """

    name: str
    klass: str
    file_name: str
    data: bytes
    args: tuple[str, ...]
    must_name: tuple[str, ...]
    chain: bool = False


@dataclass(frozen=True)
class _Split:
    preamble: list[str]  # lines before and including the header
    header: list[str]
    rows: list[list[str]]
    delimiter: str

    @property
    def header_line(self) -> int:
        return len(self.preamble)

    def last_line(self) -> int:
        return self.header_line + len(self.rows)

    def render(self, rows: list[list[str]] | None = None, header: list[str] | None = None) -> str:
        head = [*self.preamble[:-1], self.delimiter.join(header or self.header)]
        body = [self.delimiter.join(r) for r in (self.rows if rows is None else rows)]
        return "\n".join(head + body) + "\n"


def _split(seed: Seed) -> _Split:
    lines = [ln for ln in seed.text.splitlines()]
    delimiter = ", " if seed.fixture.endswith(".txt") else ","
    at = next(
        i
        for i, ln in enumerate(lines)
        if ln.strip() and not ln.startswith("#") and not ln.startswith("CFE data")
    )
    rows = [ln.split(delimiter) for ln in lines[at + 1 :] if ln.strip()]
    return _Split(lines[: at + 1], lines[at].split(delimiter), rows, delimiter)


def _copy(rows: list[list[str]]) -> list[list[str]]:
    return [list(r) for r in rows]


Mutation = Callable[[Seed, _Split, random.Random], Iterator[tuple[str, bytes, tuple[str, ...]]]]


def _encoded(text: str) -> bytes:
    return text.encode("utf-8")


def _truncated(seed: Seed, s: _Split, rng: random.Random) -> Iterator[tuple[str, bytes, tuple]]:
    text = s.render()
    last = text.rstrip("\n").rsplit("\n", 1)[1]
    start = len(text.rstrip("\n")) - len(last)
    first = last.find(s.delimiter)
    cut = max(1, (first if first >= 0 else len(last)) // 2)  # inside the first field
    yield "mid-row", _encoded(text[: start + cut]), (f":{s.last_line()}",)


def _garbage(seed: Seed, s: _Split, rng: random.Random) -> Iterator[tuple[str, bytes, tuple]]:
    text = s.render()
    body, last = text.rstrip("\n").rsplit("\n", 1)
    binary = bytes(rng.choice([b for b in range(256) if b not in (10, 13)]) for _ in range(8))
    noise = rng.choice([b"\x00", b"\xff\xfe\x00", b"\x89PNG\r\n\x1a\n", binary + b"\x00"])
    at = rng.randrange(len(last) + 1)
    data = (body + "\n").encode() + last[:at].encode() + noise + last[at:].encode() + b"\n"
    yield "bytes", data, (f":{s.last_line()}",)


def _latin1(seed: Seed, s: _Split, rng: random.Random) -> Iterator[tuple[str, bytes, tuple]]:
    rows = _copy(s.rows)
    col = (seed.value_cols or (seed.date_col or 0,))[0]
    rows[-1][col] = rows[-1][col] + "é"
    yield "latin-1", s.render(rows).encode("latin-1"), (f":{s.last_line()}",)


def _utf16(seed: Seed, s: _Split, rng: random.Random) -> Iterator[tuple[str, bytes, tuple]]:
    yield "utf-16", s.render().encode("utf-16"), (":1",)


def _control(seed: Seed, s: _Split, rng: random.Random) -> Iterator[tuple[str, bytes, tuple]]:
    rows = _copy(s.rows)
    rows[-1][0] = rows[-1][0] + rng.choice(["\x0b", "\x0c", "\x1b", "\x7f", "\x01"])
    yield "control", _encoded(s.render(rows)), (f":{s.last_line()}",)


def _swapped(seed: Seed, s: _Split, rng: random.Random) -> Iterator[tuple[str, bytes, tuple]]:
    if seed.date_col is None or not seed.value_cols:
        return
    rows = _copy(s.rows)
    v = rng.choice(seed.value_cols)
    d = seed.date_col
    rows[-1][d], rows[-1][v] = rows[-1][v], rows[-1][d]
    yield "cells", _encoded(s.render(rows)), (f":{s.last_line()}",)


def _missing(seed: Seed, s: _Split, rng: random.Random) -> Iterator[tuple[str, bytes, tuple]]:
    col = rng.choice(seed.required)
    header = [h for k, h in enumerate(s.header) if k != col]
    rows = [[c for k, c in enumerate(r) if k != col] for r in s.rows]
    yield f"column {col}", _encoded(s.render(rows, header)), ()


def _extra(seed: Seed, s: _Split, rng: random.Random) -> Iterator[tuple[str, bytes, tuple]]:
    rows = _copy(s.rows)
    rows[-1].insert(rng.randrange(len(rows[-1]) + 1), "x")
    if rows[-1][-1] == "":  # a trailing empty field is tolerated: make the extra one count
        rows[-1].append("x")
    yield "field", _encoded(s.render(rows)), (f":{s.last_line()}",)


def _extreme(seed: Seed, s: _Split, rng: random.Random) -> Iterator[tuple[str, bytes, tuple]]:
    if not seed.value_cols:
        return
    rows = _copy(s.rows)
    value = rng.choice(BAD_NUMBERS)
    rows[-1][rng.choice(seed.value_cols)] = value
    yield value, _encoded(s.render(rows)), (f":{s.last_line()}",)


def _bad_date(seed: Seed, s: _Split, rng: random.Random) -> Iterator[tuple[str, bytes, tuple]]:
    if seed.date_col is None:
        return
    rows = _copy(s.rows)
    value = rng.choice(BAD_DATES_MDY if seed.mdy else BAD_DATES_ISO)
    rows[-1][seed.date_col] = value
    yield value or "empty", _encoded(s.render(rows)), (f":{s.last_line()}",)


def _duplicate(seed: Seed, s: _Split, rng: random.Random) -> Iterator[tuple[str, bytes, tuple]]:
    if seed.date_col is None:
        return
    rows = [*_copy(s.rows), list(s.rows[-1])]
    yield "last row", _encoded(s.render(rows)), ()


def _giant(seed: Seed, s: _Split, rng: random.Random) -> Iterator[tuple[str, bytes, tuple]]:
    rows = _copy(s.rows)
    size, fill = rng.choice([(5_000, "9"), (200_000, "9"), (70_000, "x"), (300_000, "a")])
    col = rng.choice(seed.value_cols or (seed.date_col or 0,))
    rows[-1][col] = fill * size
    yield f"{size} chars", _encoded(s.render(rows)), (f":{s.last_line()}",)


def _header_only(seed: Seed, s: _Split, rng: random.Random) -> Iterator[tuple[str, bytes, tuple]]:
    yield "no rows", _encoded(s.render([])), ()


def _empty(seed: Seed, s: _Split, rng: random.Random) -> Iterator[tuple[str, bytes, tuple]]:
    yield rng.choice(["empty", "blank"]), rng.choice([b"", b"\n\n  \n"]), ()


def _blank_lines(seed: Seed, s: _Split, rng: random.Random) -> Iterator[tuple[str, bytes, tuple]]:
    """Blank lines (and CRLF) before a broken last row: the error must still name its line."""
    if not seed.value_cols:
        return
    rows = _copy(s.rows)
    rows[-1][seed.value_cols[0]] = "oops"
    text = s.render(rows)
    body, last = text.rstrip("\n").rsplit("\n", 1)
    blanks = rng.randrange(1, 4)
    newline = rng.choice(["\n", "\r\n"])
    joined = newline.join(body.split("\n")) + newline * (blanks + 1) + last + newline
    yield f"{blanks} blank", _encoded(joined), (f":{s.last_line() + blanks}",)


CLASSES: dict[str, Mutation] = {
    "truncation": _truncated,
    "garbage": _garbage,
    "encoding-latin1": _latin1,
    "encoding-utf16": _utf16,
    "control-char": _control,
    "swapped-cells": _swapped,
    "missing-column": _missing,
    "extra-field": _extra,
    "extreme-value": _extreme,
    "date-edge": _bad_date,
    "duplicate-row": _duplicate,
    "giant-field": _giant,
    "header-only": _header_only,
    "empty-file": _empty,
    "blank-lines": _blank_lines,
}
"""Mutation class -> generator of (detail, bytes, extra strings to name)."""


def format_corpus(
    rng: random.Random, *, variants: int = 1, chains: bool = False
) -> Iterator[FormatCase]:
    """Every mutation class applied to every seed (``variants`` draws each).

    Parameters
    ----------
    rng : random.Random
        Source of the random choices (seed it for a reproducible corpus).
    variants : int
        Draws per (seed, class); duplicate draws are yielded once.
    chains : bool
        Mutate the chain seeds (`CHAIN_SEEDS`) instead of the non-chain ones.
    """
    seen: set[str] = set()
    for seed in CHAIN_SEEDS if chains else SEEDS:
        split = _split(seed)
        for klass, mutate in CLASSES.items():
            for _ in range(variants):
                for detail, data, where in mutate(seed, split, rng):
                    name = f"{seed.fixture}:{klass}:{detail[:40]}"
                    if name in seen:
                        continue
                    seen.add(name)
                    must = (
                        (seed.fixture,)
                        if seed.chain
                        else tuple(seed.fixture + w for w in where) or (seed.fixture,)
                    )
                    yield FormatCase(
                        name, klass, seed.fixture, data, seed.args, must, chain=seed.chain
                    )
