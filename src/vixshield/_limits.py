"""Limits every reader of user files applies before parsing: size, encoding, nesting.

The parsers of the standard library recurse once per nesting level (``tomllib``,
``json``), so a file nested a few hundred levels deep ends in a `RecursionError`;
these helpers find such a file first, with the line it goes too deep on, so that the
reader can refuse it with a located one-line error.

Nothing here raises: each helper returns what it found and the caller raises its own
located error (`vixshield.errors.PolicyError`, `vixshield.errors.DataError`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

__all__ = ["MAX_NESTING", "first_too_deep", "short_repr", "tree_too_deep", "utf8_problem"]

MAX_NESTING = 12
"""Deepest nesting of arrays and tables/objects accepted in a policy or positions file
(theirs is at most 5: ``regime.effects.calm.layer_multipliers``, ``positions[0].legs[0]``)."""

Syntax = Literal["toml", "json"]


def utf8_problem(data: bytes) -> str | None:
    """Why ``data`` is not UTF-8 text, naming the line and byte, or None when it is.

    Parameters
    ----------
    data : bytes
        The file's bytes.

    Returns
    -------
    str or None
        E.g. ``"not UTF-8 text: byte 0xff at line 3"``; a NUL byte counts as binary.
    """
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        return f"not UTF-8 text: byte 0x{data[err.start]:02x} at line {line}"
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        return f"not a text file: NUL byte at line {line}"
    return None


def first_too_deep(text: str, syntax: Syntax, limit: int = MAX_NESTING) -> int | None:
    """The 1-based line where brackets nest deeper than ``limit``, or None.

    Counts ``[`` and ``{`` outside strings and comments (TOML: basic, literal and
    multi-line strings, ``#`` comments; JSON: strings with escapes). It is a scan, not
    a parser: malformed text is left to the parser to report.

    Parameters
    ----------
    text : str
        The whole file.
    syntax : {"toml", "json"}
        Which quoting rules apply.
    limit : int
        Deepest nesting accepted.
    """
    depth, line, i, n = 0, 1, 0, len(text)
    toml = syntax == "toml"
    while i < n:
        c = text[i]
        if c == "\n":
            line += 1
        elif c in "[{":
            depth += 1
            if depth > limit:
                return line
        elif c in "]}":
            depth = max(depth - 1, 0)
        elif toml and c == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        elif c == '"' or (toml and c == "'"):
            end = _string_end(text, i, toml)
            line += text.count("\n", i, end)
            i = end
            continue
        i += 1
    return None


def _string_end(text: str, start: int, toml: bool) -> int:
    """Index just past the string that opens at ``start`` (or the end of the text)."""
    quote = text[start]
    if toml and text.startswith(quote * 3, start):
        end = text.find(quote * 3, start + 3)
        if end < 0:
            return len(text)
        end += 3
        while end < len(text) and text[end] == quote:  # up to two quotes may end the body
            end += 1
        return end
    i = start + 1
    while i < len(text):
        c = text[i]
        if c == "\\" and quote == '"':
            i += 2
            continue
        if c == quote or c == "\n":  # a newline ends a broken one-line string
            return i + 1
        i += 1
    return len(text)


def tree_too_deep(tree: object, limit: int = MAX_NESTING) -> bool:
    """Whether parsed data (dicts and lists) nests deeper than ``limit`` (no recursion).

    Catches what brackets do not show, such as TOML dotted keys ``a.b.c.d = 1``.
    """
    stack: list[tuple[object, int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, Mapping):
            children: list[object] = list(node.values())
        elif isinstance(node, list | tuple):
            children = list(node)
        else:
            continue
        if depth + 1 > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def short_repr(value: object, width: int = 80) -> str:
    """A short, always printable rendering of a refused value (for ``got ...``).

    ``repr`` of an integer of more than 4300 digits raises (CPython's limit on int to
    str conversion); such a value is described by its size instead.
    """
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 64:
        digits = int(value.bit_length() * 0.30103) + 1  # log10(2) digits per bit
        return f"an integer of about {digits} digits"
    text = repr(value)
    return text if len(text) <= width else f"{text[: width - 3]}..."
