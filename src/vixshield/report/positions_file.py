"""Open positions from a file, for ``vixshield signal --positions FILE``.

Two formats, chosen by the file extension.

JSON (any extension but ``.csv``): an object with a ``positions`` array, or the
array itself. Each position::

    {
      "id": "IC-2018-02-16",          # unique, non-empty
      "kind": "condor",               # "condor" or "hedge:<layer name>" (or "hedge"
                                      # with "layer": "<layer name>", as a signal writes it)
      "contracts": 2,                 # integer > 0
      "opened": "2018-01-05",         # YYYY-MM-DD
      "entry_price": -4.35,           # net price per unit, index points; negative = credit
      "meta": {"note": "manual"},     # optional: string or number values
      "legs": [                       # at least one
        {"root": "SPX",               # "SPX" (AM monthly), "SPXW" (PM), "VIX" (AM)
         "expiry": "2018-02-16",      # YYYY-MM-DD, not before "opened"
         "strike": 2600,              # index points, > 0
         "right": "P",                # "C"/"P" (or "call"/"put")
         "ratio": -1,                 # signed non-zero integer per unit: -1 = short one
         "underlying": "SPX",         # optional, from root (VIX root -> "VIX")
         "settlement": "AM"}          # optional, from root (SPXW -> "PM", else "AM")
      ]
    }

CSV (``.csv``): one row per leg with the header
``id,kind,contracts,opened,entry_price,root,expiry,strike,right,ratio``
(optional ``underlying``, ``settlement``); rows sharing an ``id`` form one
position and must repeat the same position fields.

Every error is a `vixshield.errors.DataError` naming the file, the 1-based line
and the field (JSON: a path such as ``positions[1].legs[0].strike``).

Limits: a file of at most `MAX_FILE_BYTES`, UTF-8 text, JSON nested at most
`vixshield._limits.MAX_NESTING` levels, at most `MAX_POSITIONS` positions of at most
`MAX_LEGS` legs; ``contracts`` in 1..`MAX_CONTRACTS`, ``|ratio|`` at most `MAX_RATIO`,
strikes and ``|entry_price|`` at most `MAX_POINTS` index points, every number finite
(``NaN`` and ``Infinity`` are refused). JSON numbers must be JSON numbers (``"2"`` is
refused); CSV fields are text and are read as numbers. With a `PositionContext`
(``vixshield signal`` passes one) the positions are also checked against the signal
date, the policy's layers and the listed expiries and strikes
(`vixshield.report.positions_check`).
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from vixshield._limits import first_too_deep, short_repr, utf8_problem
from vixshield._typing import PositionKind, Right, Settlement, Underlying
from vixshield.errors import DataError
from vixshield.report.positions_check import PositionContext, check_position
from vixshield.strategy.types import Leg, Position, kind_label, parse_kind_label

__all__ = [
    "CSV_COLUMNS",
    "LEG_KEYS",
    "MAX_CONTRACTS",
    "MAX_FILE_BYTES",
    "MAX_LEGS",
    "MAX_POINTS",
    "MAX_POSITIONS",
    "MAX_RATIO",
    "POSITION_KEYS",
    "ROOTS",
    "PositionContext",
    "load_positions",
    "parse_positions_csv",
    "parse_positions_json",
]

MAX_FILE_BYTES = 16 << 20  # 16 MiB
MAX_POSITIONS = 10_000
MAX_LEGS = 16
MAX_CONTRACTS = 100_000  # per position: beyond the open interest of any SPX or VIX strike
MAX_RATIO = 100  # units of a leg per position unit
MAX_POINTS = 100_000.0  # index points: strikes and |entry price|
MAX_ID = 100  # characters of an id

ROOTS: Mapping[str, tuple[Underlying, Settlement]] = {
    "SPX": ("SPX", "AM"),
    "SPXW": ("SPX", "PM"),
    "VIX": ("VIX", "AM"),
}
"""Option roots accepted, with their underlying and default settlement."""

CSV_COLUMNS: tuple[str, ...] = (
    "id",
    "kind",
    "contracts",
    "opened",
    "entry_price",
    "root",
    "expiry",
    "strike",
    "right",
    "ratio",
)
"""Required columns of the CSV format."""

POSITION_KEYS = frozenset(
    {"id", "kind", "layer", "contracts", "opened", "entry_price", "meta", "legs"}
)
LEG_KEYS = frozenset({"root", "expiry", "strike", "right", "ratio", "underlying", "settlement"})
_CSV_OPTIONAL = ("underlying", "settlement", "layer")
_MAX_INT_DIGITS = 400  # longer JSON integers are read as +-inf and refused where used

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_INT_TEXT = re.compile(r"\s*[-+]?\d{1,18}\s*")  # an integer written as text (CSV)
_LAST_STEP = re.compile(r"(\.[^.\[]+|\[\d+\])$")  # the last ".key" or "[i]" of a value path


class _Where:
    """Builds located errors for one file; ``text_values``: numbers may come as text (CSV)."""

    def __init__(self, file: str, lines: Mapping[str, int], *, text_values: bool) -> None:
        self.file, self.lines, self.text_values = file, lines, text_values

    def error(self, path: str, message: str, row: int | None = None) -> DataError:
        """A DataError at ``path``; the line is the nearest located enclosing value's."""
        probe = path
        while row is None:
            row = self.lines.get(probe)
            parent = _LAST_STEP.sub("", probe)
            if parent == probe:
                break
            probe = parent
        return DataError(message, file=self.file, row=row, field=path or None)


# -- locating JSON values: a tiny scanner recording the line of every value path --

_WS = re.compile(r"[ \t\n\r]*")
_TOKEN = re.compile(
    r'"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null|NaN|-?Infinity'
)


def _json_lines(text: str) -> dict[str, int]:
    """Map each value path (``a[0].b``) of valid JSON ``text`` to its 1-based line."""
    lines: dict[str, int] = {}

    def skip(pos: int) -> int:
        m = _WS.match(text, pos)
        return m.end() if m else pos

    def token(pos: int) -> tuple[str, int]:
        m = _TOKEN.match(text, pos)
        if m is None:  # unreachable for text json.loads accepted
            raise ValueError(f"unexpected JSON at offset {pos}")
        return m.group(), m.end()

    def value(pos: int, path: str) -> int:
        pos = skip(pos)
        lines[path] = text.count("\n", 0, pos) + 1
        if text[pos] in "{[":
            closing, i = ("}" if text[pos] == "{" else "]"), 0
            pos = skip(pos + 1)
            while text[pos] != closing:
                if closing == "}":
                    raw_key, pos = token(pos)
                    key = str(json.loads(raw_key))
                    pos = value(skip(pos) + 1, f"{path}.{key}" if path else key)
                else:
                    pos = value(pos, f"{path}[{i}]")
                    i += 1
                pos = skip(pos)
                if text[pos] == ",":
                    pos = skip(pos + 1)
            return pos + 1
        return token(pos)[1]

    value(0, "")
    return lines


# -- field checks ----------------------------------------------------------------


def _text(where: _Where, path: str, raw: Any, row: int | None, limit: int = MAX_ID) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise where.error(path, f"expected a non-empty string, got {short_repr(raw)}", row)
    if len(raw.strip()) > limit:
        raise where.error(path, f"expected at most {limit} characters, got {len(raw)}", row)
    return raw.strip()


def _is_int_text(where: _Where, raw: Any) -> bool:
    """An integer written as text, where the format's values are text (CSV)."""
    return where.text_values and isinstance(raw, str) and _INT_TEXT.fullmatch(raw) is not None


def _int(where: _Where, path: str, raw: Any, row: int | None, *, positive: bool) -> int:
    value: int | None = None
    if isinstance(raw, int) and not isinstance(raw, bool):
        value = raw
    elif (isinstance(raw, float) and raw.is_integer()) or _is_int_text(where, raw):
        value = int(raw)
    if value is None:
        raise where.error(path, f"expected an integer, got {short_repr(raw)}", row)
    if positive and not 0 < value <= MAX_CONTRACTS:
        bound = f"expected an integer > 0 and <= {MAX_CONTRACTS}"
        raise where.error(path, f"{bound}, got {short_repr(value)}", row)
    if not positive and (value == 0 or abs(value) > MAX_RATIO):
        raise where.error(
            path,
            f"expected a non-zero signed integer of at most {MAX_RATIO} (e.g. -1 short, "
            f"1 long), got {short_repr(value)}",
            row,
        )
    return value


def _number(where: _Where, path: str, raw: Any, row: int | None, *, positive: bool) -> float:
    value: float | None = None
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        value = float(raw) if not isinstance(raw, int) or raw.bit_length() < 1000 else math.inf
    elif where.text_values and isinstance(raw, str) and len(raw) < 100:
        try:
            value = float(raw)
        except ValueError:
            value = None
    if value is None or not math.isfinite(value):
        raise where.error(path, f"expected a finite number, got {short_repr(raw)}", row)
    if positive and value <= 0:
        raise where.error(path, f"expected a number > 0, got {value:g}", row)
    if abs(value) > MAX_POINTS:
        raise where.error(path, f"expected at most {MAX_POINTS:g} index points, got {value:g}", row)
    return value


def _date(where: _Where, path: str, raw: Any, row: int | None) -> pd.Timestamp:
    if isinstance(raw, str) and _DATE.match(raw.strip()) and "1900" <= raw.strip() <= "2100-12-31":
        try:
            return pd.Timestamp(raw.strip())
        except ValueError:
            pass
    raise where.error(path, f"expected a date YYYY-MM-DD, got {short_repr(raw)}", row)


def _kind(
    where: _Where, path: str, raw: Any, layer: Any, row: int | None
) -> tuple[PositionKind, str | None]:
    label = _text(where, path, raw, row)
    if label == "hedge" and layer is not None:
        layer_path = f"{path.removesuffix('kind')}layer"
        label = kind_label("hedge", _text(where, layer_path, layer, row, limit=40))
    try:
        return parse_kind_label(label)
    except ValueError:
        raise where.error(
            path, f"expected 'condor' or 'hedge:<layer>', got {short_repr(label)}", row
        ) from None


def _known_keys(where: _Where, path: str, raw: Mapping[str, Any], known: frozenset[str]) -> None:
    unknown = sorted(str(k) for k in raw if k not in known)
    if unknown:
        raise where.error(
            f"{path}.{unknown[0]}" if path else unknown[0],
            f"unknown key {short_repr(unknown[0], 40)}; known: {', '.join(sorted(known))}",
        )


def _parse_int(text: str) -> int | float:
    """A JSON integer; beyond `_MAX_INT_DIGITS` digits, +-inf (refused, located, where used)."""
    if len(text.lstrip("-")) > _MAX_INT_DIGITS:
        return -math.inf if text.startswith("-") else math.inf
    return int(text)


def _leg(where: _Where, path: str, raw: Any, row: int | None, opened: pd.Timestamp) -> Leg:
    if not isinstance(raw, Mapping):
        raise where.error(path, f"expected an object for a leg, got {short_repr(raw)}", row)
    if not where.text_values:
        _known_keys(where, path, raw, LEG_KEYS)
    for key in ("root", "expiry", "strike", "right", "ratio"):
        if raw.get(key) in (None, ""):
            raise where.error(f"{path}.{key}" if path else key, "missing", row)

    def sub(key: str) -> str:
        return f"{path}.{key}" if path else key

    root = _text(where, sub("root"), raw["root"], row).upper()
    if root not in ROOTS:
        raise where.error(sub("root"), f"expected one of {', '.join(ROOTS)}, got {root!r}", row)
    underlying, settlement = ROOTS[root]
    if raw.get("underlying") not in (None, ""):
        given = str(raw["underlying"])[:20].upper()
        if given != underlying:
            raise where.error(sub("underlying"), f"root {root} has underlying {underlying}", row)
    if raw.get("settlement") not in (None, ""):
        s = str(raw["settlement"])[:20].upper()
        if s not in ("AM", "PM"):
            raise where.error(sub("settlement"), f"expected AM or PM, got {s!r}", row)
        settlement = "AM" if s == "AM" else "PM"
    expiry = _date(where, sub("expiry"), raw["expiry"], row)
    if expiry < opened:
        raise where.error(sub("expiry"), f"expiry {expiry:%Y-%m-%d} is before opened", row)
    right_raw = _text(where, sub("right"), raw["right"], row).upper()
    rights: dict[str, Right] = {"C": "C", "CALL": "C", "P": "P", "PUT": "P"}
    if right_raw not in rights:
        raise where.error(sub("right"), f"expected C or P, got {short_repr(raw['right'])}", row)
    return Leg(
        underlying=underlying,
        root=root,
        expiry=expiry,
        settlement=settlement,
        strike=_number(where, sub("strike"), raw["strike"], row, positive=True),
        right=rights[right_raw],
        ratio=_int(where, sub("ratio"), raw["ratio"], row, positive=False),
    )


def _head(where: _Where, path: str, raw: Mapping[str, Any], row: int | None) -> dict[str, Any]:
    def sub(key: str) -> str:
        return f"{path}.{key}" if path else key

    for key in ("id", "kind", "contracts", "opened", "entry_price"):
        if raw.get(key) in (None, ""):
            raise where.error(sub(key), "missing", row)
    kind, layer = _kind(where, sub("kind"), raw["kind"], raw.get("layer"), row)
    return {
        "id": _text(where, sub("id"), raw["id"], row),
        "kind": kind,
        "layer": layer,
        "contracts": _int(where, sub("contracts"), raw["contracts"], row, positive=True),
        "opened": _date(where, sub("opened"), raw["opened"], row),
        "entry_price": _number(where, sub("entry_price"), raw["entry_price"], row, positive=False),
    }


def _meta(where: _Where, path: str, raw: Any) -> dict[str, float | str]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise where.error(path, "expected an object of string or number values")
    out: dict[str, float | str] = {}
    for k, v in raw.items():
        if isinstance(v, bool) or not isinstance(v, int | float | str):
            raise where.error(f"{path}.{k}", f"expected a string or number, got {short_repr(v)}")
        if not isinstance(v, str) and not (abs(v) < 1e300 and math.isfinite(v)):
            raise where.error(f"{path}.{k}", f"expected a finite number, got {short_repr(v)}")
        out[str(k)] = v if isinstance(v, str) else float(v)
    return out


def parse_positions_json(
    text: str, file: str = "<positions>", context: PositionContext | None = None
) -> tuple[Position, ...]:
    """Parse the JSON format (see the module docstring) into positions.

    With ``context``, also check them against the signal date, the policy's layers and
    the listed market (`vixshield.report.positions_check`).
    """
    line = first_too_deep(text, "json")
    if line is not None:
        raise DataError("nested deeper than the positions format allows", file=file, row=line)
    try:
        doc = json.loads(text, parse_int=_parse_int)
    except json.JSONDecodeError as err:
        raise DataError(f"invalid JSON: {err.msg}", file=file, row=err.lineno) from None
    except (ValueError, RecursionError) as err:  # e.g. an integer of over 4300 digits
        raise DataError(f"invalid JSON: {short_repr(str(err), 120)}", file=file) from None
    where = _Where(file, _json_lines(text), text_values=False)
    prefix = "positions"
    if isinstance(doc, Mapping):
        if "positions" not in doc:
            raise where.error("", "expected an object with a 'positions' array (or an array)", 1)
        items = doc["positions"]
    else:
        items, prefix = doc, ""
    if not isinstance(items, list):
        raise where.error(prefix, "expected an array of positions")
    if len(items) > MAX_POSITIONS:
        raise where.error(prefix, f"expected at most {MAX_POSITIONS} positions, got {len(items)}")
    out: list[Position] = []
    seen: set[str] = set()
    for i, raw in enumerate(items):
        path = f"{prefix}[{i}]"
        if not isinstance(raw, Mapping):
            raise where.error(path, "expected an object for a position")
        _known_keys(where, path, raw, POSITION_KEYS)
        head = _head(where, path, raw, None)
        if head["id"] in seen:
            raise where.error(f"{path}.id", f"duplicate position id {head['id']!r}")
        seen.add(head["id"])
        legs_raw = raw.get("legs")
        if not isinstance(legs_raw, list) or not legs_raw:
            raise where.error(f"{path}.legs", "expected a non-empty array of legs")
        if len(legs_raw) > MAX_LEGS:
            raise where.error(f"{path}.legs", f"expected at most {MAX_LEGS} legs")
        legs = tuple(
            _leg(where, f"{path}.legs[{j}]", leg, None, head["opened"])
            for j, leg in enumerate(legs_raw)
        )
        pos = Position(legs=legs, meta=_meta(where, f"{path}.meta", raw.get("meta")), **head)
        if context is not None:
            leg_locs = [(f"{path}.legs[{j}]", None) for j in range(len(legs))]
            check_position(pos, context, where.error, (path, None), leg_locs)
        out.append(pos)
    return tuple(out)


def parse_positions_csv(
    text: str, file: str = "<positions>", context: PositionContext | None = None
) -> tuple[Position, ...]:
    """Parse the CSV format (one row per leg, see the module docstring) into positions.

    With ``context``, also check them (see `parse_positions_json`).
    """
    reader = csv.DictReader(io.StringIO(text))
    where = _Where(file, {}, text_values=True)
    try:
        return _csv_positions(reader, where, context)
    except csv.Error as err:  # a field over the csv module's limit (128 KiB), a NUL byte
        raise DataError(f"unreadable CSV: {err}", file=file, row=reader.line_num) from None


def _csv_positions(
    reader: csv.DictReader[str], where: _Where, context: PositionContext | None
) -> tuple[Position, ...]:
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in CSV_COLUMNS if c not in header]
    if missing:
        raise where.error(missing[0], f"missing column(s) {', '.join(missing)}", 1)
    extra = [c for c in header if c not in CSV_COLUMNS and c not in _CSV_OPTIONAL]
    if extra:
        known = ", ".join((*CSV_COLUMNS, *_CSV_OPTIONAL))
        raise where.error(extra[0], f"unknown column(s) {', '.join(extra)}; known: {known}", 1)
    heads: dict[str, dict[str, Any]] = {}
    legs: dict[str, list[Leg]] = {}
    rows: dict[str, list[int]] = {}
    for raw in reader:
        row = reader.line_num
        if row > MAX_POSITIONS * MAX_LEGS + 1:
            raise where.error("", f"more than {MAX_POSITIONS * MAX_LEGS} rows", row)
        rec = {str(k).strip(): (v.strip() if isinstance(v, str) else v) for k, v in raw.items()}
        head = _head(where, "", rec, row)
        pid = head["id"]
        if pid in heads:
            for key, value in head.items():
                if heads[pid][key] != value:
                    raise where.error(key, f"differs from the first row of position {pid!r}", row)
        else:
            heads[pid], legs[pid], rows[pid] = head, [], []
        legs[pid].append(_leg(where, "", rec, row, head["opened"]))
        rows[pid].append(row)
        if len(legs[pid]) > MAX_LEGS:
            raise where.error("id", f"position {pid!r} has more than {MAX_LEGS} legs", row)
    out = tuple(Position(legs=tuple(legs[pid]), **heads[pid]) for pid in heads)
    if context is not None:
        for pos in out:
            first = rows[pos.id][0]
            check_position(pos, context, where.error, ("", first), [("", r) for r in rows[pos.id]])
    return out


def load_positions(
    path: str | Path, context: PositionContext | None = None
) -> tuple[Position, ...]:
    """Read open positions from ``path`` (``.csv``: CSV format, otherwise JSON).

    Parameters
    ----------
    path : path
        The file.
    context : PositionContext, optional
        Signal date, policy layers and market to check the positions against.

    Raises
    ------
    DataError
        Unreadable, oversized or non-UTF-8 file, or invalid content, with file, line
        and field.
    """
    p = Path(path)
    try:
        with p.open("rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)
    except OSError as err:
        raise DataError(
            f"cannot read positions file: {err.strerror or err.__class__.__name__}", file=str(p)
        ) from None
    if len(data) > MAX_FILE_BYTES:
        raise DataError(f"positions file larger than {MAX_FILE_BYTES >> 20} MiB", file=str(p))
    problem = utf8_problem(data)
    if problem is not None:
        raise DataError(problem, file=str(p))
    text = data.decode("utf-8")
    if p.suffix.lower() == ".csv":
        return parse_positions_csv(text, str(p), context)
    return parse_positions_json(text, str(p), context)
