"""Hypothesis strategies and a corpus of bad policy files (for the fuzz suite).

Every case is a whole policy file (bytes) that must be refused, with the key path its
one error line has to name. Built from the full tree of the ``alvh-442`` preset (every
field, defaults included) plus one custom indicator, so that every field of the schema
is mutated:

- each number: booleans, numbers as strings, arrays, tables, non-finite values,
  magnitudes of 1e12 and more (beyond every bound of the schema), integers of 5000
  digits, floats where integers are expected;
- each boolean and string: the other types;
- each table: an unknown key; each regime: an unknown layer name;
- rules between fields: layer weights summing over 1, unordered DTE windows;
- the file itself: nesting a few hundred levels deep, non-UTF-8 bytes.

Imported by ``tests/fuzz/test_fuzz_policy.py`` and ``benchmarks/fuzz_long.py``.
"""

from __future__ import annotations

import copy
import math
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

from vixshield.strategy.policy import load_policy

__all__ = [
    "BASE_TREE",
    "PolicyCase",
    "dumps_toml",
    "leaves",
    "policy_case",
    "policy_corpus",
    "tables",
]

CUSTOM = {
    "name": "skew_block",
    "series": "skew",
    "rule": "above",
    "threshold": 150.0,
    "window": 252,
    "effect": "block",
    "layer": "all",
    "add": 0.5,
}


def _base_tree() -> dict[str, Any]:
    tree: dict[str, Any] = load_policy("alvh-442").model_dump(mode="json")
    tree["custom"] = [dict(CUSTOM)]
    return tree


BASE_TREE: dict[str, Any] = _base_tree()
"""The full ``alvh-442`` tree with one custom indicator (a valid policy)."""

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class PolicyCase:
    """One bad policy file: its bytes, what the error line must name, and its class."""

    data: bytes = field(repr=False)
    must_name: tuple[str, ...] = ()
    kind: str = ""

    def describe(self) -> str:
        """Short text for failure messages."""
        return f"{self.kind}: {self.must_name} {self.data[:300]!r}"


# -- a TOML writer for our trees (inline tables: no third-party writer needed) ----------


def _toml_string(text: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped."""
    out = []
    for c in text:
        if c in '"\\':
            out.append("\\" + c)
        elif ord(c) < 0x20 or ord(c) == 0x7F:
            out.append(f"\\u{ord(c):04x}")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def _toml_value(value: Any) -> str:
    if isinstance(value, Digits):
        return value.literal()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return (
            "{" + ", ".join(f"{_toml_string(k)} = {_toml_value(v)}" for k, v in value.items()) + "}"
        )
    raise TypeError(f"no TOML for {type(value).__name__}")


def dumps_toml(tree: dict[str, Any]) -> str:
    """``tree`` as TOML: one ``key = value`` line per top-level key (inline tables)."""
    return "".join(f"{_toml_string(k)} = {_toml_value(v)}\n" for k, v in tree.items())


# -- walking the tree --------------------------------------------------------------------


def leaves(tree: Any = None, path: Path = ()) -> Iterator[tuple[Path, Any]]:
    """Every scalar of the tree with its path (list items by index)."""
    node = BASE_TREE if tree is None else tree
    if isinstance(node, dict):
        for k, v in node.items():
            yield from leaves(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from leaves(v, (*path, i))
    else:
        yield path, node


def tables(tree: Any = None, path: Path = ()) -> Iterator[Path]:
    """Every table of the tree that has fixed keys (the schema's models)."""
    node = BASE_TREE if tree is None else tree
    if isinstance(node, dict):
        if not (len(path) >= 1 and path[-1] in ("effects", "layer_multipliers")):
            yield path
        for k, v in node.items():
            yield from tables(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from tables(v, (*path, i))


def _set(tree: dict[str, Any], path: Path, value: Any) -> dict[str, Any]:
    out: dict[str, Any] = copy.deepcopy(tree)
    node: Any = out
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    return out


def _get(path: Path) -> Any:
    node: Any = BASE_TREE
    for step in path:
        node = node[step]
    return node


def dotted(path: Path) -> str:
    """The key path as the error names it: ``hedge.layers.0.weight``."""
    return ".".join(str(p) for p in path)


# -- bad values per type -------------------------------------------------------------------


@dataclass(frozen=True)
class Digits:
    """An integer literal of ``count`` digits (written without converting an int to text:
    CPython refuses ``str`` of integers over 4300 digits)."""

    count: int
    negative: bool = False

    def literal(self) -> str:
        """The digits, ``-`` first where negative."""
        return ("-" if self.negative else "") + "9" * self.count


HUGE, NEG_HUGE = Digits(5000), Digits(5000, negative=True)


def _bad_numbers(value: int | float) -> list[Any]:
    out: list[Any] = [True, False, "45", str(value), [value], {"v": value}]
    out += [math.nan, math.inf, -math.inf, 1e308, -1e308, 1e12, -1e12, HUGE, NEG_HUGE]
    if isinstance(value, int):
        out += [float(value) + 0.5, 2**63]
    return out


def bad_values(value: Any) -> list[Any]:
    """Values of the wrong type or beyond every bound, for a leaf holding ``value``."""
    if isinstance(value, bool):
        return [1, 0, "true", "yes", [True], 1.0]
    if isinstance(value, int | float):
        return _bad_numbers(value)
    if isinstance(value, str):
        return [5, 1.5, True, [value], {"v": value}]
    raise TypeError(type(value).__name__)


def _text_only_leaves() -> set[Path]:
    """Free-text leaves, where another string is valid (not mutated to strings)."""
    return {("name",), ("description",), ("custom", 0, "series")}


# -- the corpus ------------------------------------------------------------------------------


def policy_corpus(per_leaf: int | None = None) -> Iterator[PolicyCase]:
    """The deterministic bad cases: each leaf x its bad values, each table, each rule.

    ``per_leaf`` None: every bad value at every leaf (``benchmarks/fuzz_long.py``);
    else that many per leaf, rotating through the list so that every bad value is
    still used at some leaf (the CI run).
    """
    for n, (path, value) in enumerate(leaves()):
        values = bad_values(value)
        if per_leaf is not None:
            values = [values[(n + k) % len(values)] for k in range(min(per_leaf, len(values)))]
        for bad in values:
            tree = _set(BASE_TREE, path, bad)
            # a literal of 5000 digits stops the TOML reader itself: the line is named
            must = ("line",) if isinstance(bad, Digits) else (dotted(path),)
            yield PolicyCase(dumps_toml(tree).encode(), must, "type/bound")
        if isinstance(value, str) and path not in _text_only_leaves():
            tree = _set(BASE_TREE, path, "zz-not-a-choice!")
            yield PolicyCase(dumps_toml(tree).encode(), (dotted(path),), "choice")
    for path in tables():
        node = dict(_get(path)) if path else dict(BASE_TREE)
        node["zz_unknown"] = 1
        tree = _set(BASE_TREE, path, node) if path else node
        yield PolicyCase(dumps_toml(tree).encode(), (dotted((*path, "zz_unknown")),), "unknown key")
    for regime in BASE_TREE["regime"]["effects"]:
        path = ("regime", "effects", regime, "layer_multipliers")
        tree = _set(BASE_TREE, path, {**_get(path), "shrot": 1.0})
        yield PolicyCase(dumps_toml(tree).encode(), ("shrot", dotted(path)), "unknown layer")
    yield from _rule_cases()
    yield from _file_cases()


def _rule_cases() -> Iterator[PolicyCase]:
    tree = copy.deepcopy(BASE_TREE)
    for layer, w in zip(tree["hedge"]["layers"], (0.6, 0.6, 0.6), strict=True):
        layer["weight"] = w  # 180 % of equity a year
    yield PolicyCase(dumps_toml(tree).encode(), ("hedge", "sum to 1.8"), "weight sum")
    tree = _set(BASE_TREE, ("condor", "dte_min"), 70)  # above dte_max 60
    yield PolicyCase(dumps_toml(tree).encode(), ("condor", "dte_min"), "dte order")
    tree = _set(BASE_TREE, ("hedge", "layers", 1, "dte_max"), 59)  # below dte_min 60
    yield PolicyCase(
        dumps_toml(tree).encode(), ("hedge.layers.1", "dte_min <= dte_max"), "dte order"
    )
    tree = _set(BASE_TREE, ("regime", "vix_thresholds"), [30.0, 20.0, 15.0])
    yield PolicyCase(dumps_toml(tree).encode(), ("regime", "increasing"), "order")


def _file_cases() -> Iterator[PolicyCase]:
    text = dumps_toml(BASE_TREE)
    for depth in (20, 300, 3000):
        deep = "[" * depth + "1" + "]" * depth
        yield PolicyCase(f"{text}deep = {deep}\n".encode(), ("nested",), "nesting")
        table = "{a = " * depth + "1" + "}" * depth
        yield PolicyCase(f"{text}deep = {table}\n".encode(), ("nested",), "nesting")
    dotted_key = ".".join(["a"] * 300)
    yield PolicyCase(f"{text}{dotted_key} = 1\n".encode(), ("nested",), "nesting")
    raw = text.encode()
    for cut, junk in ((10, b"\xff"), (len(raw) // 2, b"\xc3\x28"), (len(raw) - 2, b"\xe2\x82")):
        yield PolicyCase(raw[:cut] + junk + raw[cut:], ("not UTF-8",), "encoding")
    yield PolicyCase(text.encode("utf-16"), ("not UTF-8",), "encoding")


# -- Hypothesis strategies --------------------------------------------------------------------

_LEAVES = list(leaves())
_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)  # TOML: no surrogates


@st.composite
def policy_case(draw: st.DrawFn) -> PolicyCase:
    """A random leaf set to a random bad value (types, non-finite, beyond any bound)."""
    path, value = draw(st.sampled_from(_LEAVES))
    if isinstance(value, bool):
        bad: Any = draw(st.one_of(st.integers(), st.floats(), _TEXT))
    elif isinstance(value, int | float):
        bad = draw(
            st.one_of(
                st.booleans(),
                _TEXT,
                st.floats(min_value=1e12, allow_infinity=True),
                st.floats(max_value=-1e12, allow_infinity=True),
                st.just(math.nan),
                st.integers(min_value=10**12),
                st.integers(max_value=-(10**12)),
                st.lists(st.floats(allow_nan=False), min_size=0, max_size=3),
            )
        )
    else:
        bad = draw(st.one_of(st.integers(), st.floats(allow_nan=False), st.booleans()))
    tree = _set(BASE_TREE, path, bad)
    return PolicyCase(dumps_toml(tree).encode(), (dotted(path),), "hypothesis")


def corpus_size(per_leaf: int | None = None) -> int:
    """How many deterministic cases `policy_corpus` yields."""
    return sum(1 for _ in policy_corpus(per_leaf))


if __name__ == "__main__":  # pragma: no cover - a quick look at the corpus
    print(corpus_size(), "cases")
    print(tomllib.loads(dumps_toml(BASE_TREE))["name"])
