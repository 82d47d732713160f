"""Hypothesis strategies and a corpus of bad positions files (for the fuzz suite).

`BASE_DOC` is a valid book at `SIGNAL_DATE` on the embedded sample (an SPX condor
and a VIX call of the ``short`` layer, strikes on the listed grid). Every case
changes one field of it (or the file itself) so that it must be refused, naming the
file and the field path:

- each field: other JSON types, numbers as strings, ``NaN`` / ``Infinity``, 1e308,
  integers of 5000 digits, 10^12 contracts, impossible dates, dates outside
  1900-2100, an unknown key in a position and in a leg, a missing key;
- the file: nesting a few hundred levels deep, non-UTF-8 bytes;
- against the signal date, the policy and the market (`context_cases`): a weekend
  expiry, a day with no listed expiry, a strike off the grid, an unknown hedge layer,
  opened after the signal date, an expired leg.

Imported by ``tests/fuzz/test_fuzz_positions.py`` and ``benchmarks/fuzz_long.py``.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

__all__ = [
    "BASE_DOC",
    "SIGNAL_DATE",
    "PositionsCase",
    "context_cases",
    "dumps_json",
    "positions_case",
    "positions_corpus",
]

SIGNAL_DATE = "2018-02-06"

BASE_DOC: dict[str, Any] = {
    "positions": [
        {
            "id": "IC-1",
            "kind": "condor",
            "contracts": 2,
            "opened": "2018-01-05",
            "entry_price": -4.35,
            "meta": {"note": "manual"},
            "legs": [
                {"root": "SPX", "expiry": "2018-03-16", "strike": 2550, "right": "P", "ratio": 1},
                {"root": "SPX", "expiry": "2018-03-16", "strike": 2600, "right": "P", "ratio": -1},
                {"root": "SPX", "expiry": "2018-03-16", "strike": 2900, "right": "C", "ratio": -1},
                {"root": "SPX", "expiry": "2018-03-16", "strike": 2950, "right": "C", "ratio": 1},
            ],
        },
        {
            "id": "H-1",
            "kind": "hedge",
            "layer": "short",
            "contracts": 10,
            "opened": "2018-01-08",
            "entry_price": 0.5,
            "legs": [
                {
                    "root": "VIX",
                    "expiry": "2018-02-14",
                    "strike": 13,
                    "right": "C",
                    "ratio": 1,
                    "underlying": "VIX",
                    "settlement": "AM",
                }
            ],
        },
    ]
}
"""A valid book at `SIGNAL_DATE` (embedded sample, policy ``alvh-442``)."""

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class PositionsCase:
    """One bad positions file: its text, what the error line must name, and its class."""

    data: bytes = field(repr=False)
    must_name: tuple[str, ...] = ()
    kind: str = ""

    def describe(self) -> str:
        """Short text for failure messages."""
        return f"{self.kind}: {self.must_name} {self.data[:400]!r}"


@dataclass(frozen=True)
class Raw:
    """A JSON token written as it is (``NaN``, a 5000-digit integer)."""

    token: str


def _dumps(value: Any) -> str:
    if isinstance(value, Raw):
        return value.token
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)}: {_dumps(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_dumps(v) for v in value) + "]"
    return json.dumps(value)


def dumps_json(doc: Any) -> str:
    """``doc`` as JSON, `Raw` tokens as they are, one position per line."""
    if isinstance(doc, dict) and isinstance(doc.get("positions"), list):
        items = ",\n  ".join(_dumps(p) for p in doc["positions"])
        rest = {k: v for k, v in doc.items() if k != "positions"}
        extra = "".join(f",\n {json.dumps(k)}: {_dumps(v)}" for k, v in rest.items())
        return '{"positions": [\n  ' + items + "\n ]" + extra + "\n}\n"
    return _dumps(doc) + "\n"


def path_text(path: Path) -> str:
    """The field path as the error names it: ``positions[0].legs[1].strike``."""
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else step)
    return out


def leaves(node: Any = None, path: Path = ()) -> Iterator[tuple[Path, Any]]:
    """Every scalar of `BASE_DOC` with its path."""
    node = BASE_DOC if node is None else node
    if isinstance(node, dict):
        for k, v in node.items():
            yield from leaves(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from leaves(v, (*path, i))
    else:
        yield path, node


def _set(path: Path, value: Any, doc: Any = None) -> Any:
    out = copy.deepcopy(BASE_DOC if doc is None else doc)
    node = out
    for step in path[:-1]:
        node = node[step]
    if value is KeyError:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return out


NAN, INF, NEG_INF = Raw("NaN"), Raw("Infinity"), Raw("-Infinity")
HUGE = Raw("9" * 5000)

_NUMBERS = [True, None, [1], {"v": 1}, NAN, INF, NEG_INF, 1e308, -1e308, HUGE, "abc"]
BAD: dict[str, list[Any]] = {
    "id": [5, True, None, "", "   ", "x" * 200, ["IC"], {"v": 1}],
    "kind": [5, True, None, "", "hedge:", "banana", ["condor"]],
    "layer": [5, True, "", ["short"], "no_such_layer"],
    "contracts": [*_NUMBERS, "2", 0, -1, 10**12, 1.5],
    "opened": [5, True, None, "", "2018-02-30", "9999-01-01", "1899-12-31", "05/01/2018"],
    "entry_price": [*_NUMBERS, "-4.35"],
    "note": [True, None, [1], {"v": 1}, NAN, INF, HUGE],
    "root": [5, True, None, "", "SPY", ["SPX"]],
    "expiry": [5, True, None, "", "2018-02-30", "2018-13-01", "9999-01-01", "16/03/2018"],
    "strike": [*_NUMBERS, "2550", -5, 0, 1e6],
    "right": [5, True, None, "", "X", ["C"]],
    "ratio": [*_NUMBERS, "1", 0, 1.5, 10**6],
    "underlying": [5, "SPX", ["VIX"]],
    "settlement": [5, "XX", ["AM"]],
}
"""Bad values per field name (every one is refused wherever the field is)."""

REQUIRED = ("id", "kind", "contracts", "opened", "entry_price", "legs")
LEG_REQUIRED = ("root", "expiry", "strike", "right", "ratio")


def positions_corpus() -> Iterator[PositionsCase]:
    """Every deterministic bad case of the file alone (no market needed)."""
    for path, _ in leaves():
        name = str(path[-1])
        for bad in BAD[name]:
            if name == "layer" and bad == "no_such_layer":
                continue  # valid on its own: a `context_cases` case
            text = dumps_json(_set(path, bad))
            yield PositionsCase(text.encode(), (path_text(path),), "type/bound")
    for i, pos in enumerate(BASE_DOC["positions"]):
        for key in REQUIRED:
            yield PositionsCase(
                dumps_json(_set(("positions", i, key), KeyError)).encode(),
                (path_text(("positions", i, key)),),
                "missing",
            )
        yield PositionsCase(
            dumps_json(_set(("positions", i, "zz_unknown"), 1)).encode(),
            (path_text(("positions", i, "zz_unknown")),),
            "unknown key",
        )
        for j, _ in enumerate(pos["legs"]):
            base = ("positions", i, "legs", j)
            for key in LEG_REQUIRED:
                yield PositionsCase(
                    dumps_json(_set((*base, key), KeyError)).encode(),
                    (path_text((*base, key)),),
                    "missing",
                )
            yield PositionsCase(
                dumps_json(_set((*base, "zz_unknown"), 1)).encode(),
                (path_text((*base, "zz_unknown")),),
                "unknown key",
            )
    yield from _file_cases()


def _file_cases() -> Iterator[PositionsCase]:
    text = dumps_json(BASE_DOC)
    for depth in (20, 500, 5000):
        deep = text.replace('"note": "manual"', '"note": ' + "[" * depth + "]" * depth)
        yield PositionsCase(deep.encode(), ("nested",), "nesting")
    raw = text.encode()
    for cut in (5, len(raw) // 2, len(raw) - 3):
        yield PositionsCase(raw[:cut] + b"\xff\xfe" + raw[cut:], ("not UTF-8",), "encoding")
    yield PositionsCase(raw[: len(raw) // 2], ("invalid JSON",), "truncated")
    yield PositionsCase(b"", ("invalid JSON",), "empty")
    yield PositionsCase(b'{"positions": 5}', ("positions",), "shape")


def context_cases() -> Iterator[PositionsCase]:
    """Bad cases that only the signal date, the policy or the market can tell."""
    leg = ("positions", 0, "legs", 1)
    hedge_leg = ("positions", 1, "legs", 0)
    cases: list[tuple[Path, Any, str, str]] = [
        ((*leg, "expiry"), "2018-03-17", "weekend", "Saturday"),
        ((*hedge_leg, "expiry"), "2018-02-18", "weekend", "Sunday"),
        ((*leg, "expiry"), "2018-03-15", "not listed", "not a listed"),
        ((*hedge_leg, "expiry"), "2018-02-15", "not listed", "not a listed"),
        ((*leg, "strike"), 2601, "off grid", "not a listed strike"),
        ((*hedge_leg, "strike"), 13.3, "off grid", "not a listed strike"),
        (("positions", 1, "layer"), "no_such_layer", "unknown layer", "unknown hedge layer"),
        (("positions", 0, "opened"), "2018-02-07", "opened late", "after the signal date"),
        ((*hedge_leg, "expiry"), "2018-01-17", "expired", "before the signal date"),
    ]
    for path, value, kind, words in cases:
        doc = _set(path, value)
        if kind == "expired":  # opened before its expiry, so only the expiry is wrong
            doc = _set(("positions", 1, "opened"), "2018-01-02", doc)
        # a layer is named with the position's kind ("hedge" + layer, or "hedge:<layer>")
        where = path_text(path[:2]) + ".kind" if path[-1] == "layer" else path_text(path)
        yield PositionsCase(dumps_json(doc).encode(), (where, words), kind)


# -- Hypothesis ----------------------------------------------------------------------------

_LEAVES = list(leaves())


@st.composite
def positions_case(draw: st.DrawFn) -> PositionsCase:
    """A random field set to a random value of the wrong type or beyond its bounds."""
    path, value = draw(st.sampled_from(_LEAVES))
    name = str(path[-1])
    text = st.text(st.characters(exclude_categories=("Cs",)), max_size=10)
    if isinstance(value, int | float) and not isinstance(value, bool):
        bad: Any = draw(
            st.one_of(
                st.booleans(),
                st.none(),
                text.map(lambda s: f"n{s}"),  # never a number as text
                st.floats(min_value=1e6, allow_infinity=False),
                st.sampled_from([NAN, INF, NEG_INF, HUGE]),
                st.lists(st.integers(), max_size=2),
            )
        )
        if name == "entry_price" and isinstance(bad, float):
            bad = abs(bad) * 1e3  # beyond the 1e5-point bound
    elif name in ("opened", "expiry"):
        bad = draw(
            st.one_of(
                st.integers(),
                st.none(),
                st.dates().map(lambda d: d.strftime("%d/%m/%Y")),
                st.integers(2101, 9999).map(lambda y: f"{y}-01-02"),
                text.filter(lambda s: len(s) != 10),
            )
        )
    elif name == "note":  # meta values: any string or number is valid
        bad = draw(st.one_of(st.booleans(), st.none(), st.lists(text, max_size=2)))
    elif name in ("underlying", "settlement", "layer"):  # optional: null means absent
        bad = draw(st.one_of(st.integers(), st.booleans(), st.lists(text, max_size=2)))
    else:
        bad = draw(st.one_of(st.integers(), st.booleans(), st.none(), st.lists(text, max_size=2)))
    return PositionsCase(dumps_json(_set(path, bad)).encode(), (path_text(path),), "hypothesis")


def corpus_size() -> int:
    """How many deterministic cases `positions_corpus` yields."""
    return sum(1 for _ in positions_corpus())
