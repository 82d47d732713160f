"""Chain tables: the one DataFrame layout (`CHAIN_COLUMNS`) every source returns.

A modeled chain becomes a table in one DataFrame construction (string columns
built in Arrow, no per-row Python work); a real chain is assembled per expiry.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import pandas as pd
from pandas.api.extensions import ExtensionArray, ExtensionDtype

from vixshield._typing import FloatArray, Origin
from vixshield.markets.types import CHAIN_COLUMNS, Expiry

__all__ = [
    "FLOAT_COLUMNS",
    "call_flags",
    "chain_frame",
    "empty_chain",
    "expiry_columns",
    "to_frame",
]

_LABEL_COLUMNS = ("expiry", "root", "settlement", "right", "origin")
FLOAT_COLUMNS = tuple(c for c in CHAIN_COLUMNS if c not in _LABEL_COLUMNS)
"""Float columns of a chain, in chain order (`_kernels.CHAIN_ROWS`)."""


def expiry_columns(
    e: Expiry,
    k: FloatArray,
    is_call: np.ndarray,
    bid: FloatArray,
    ask: FloatArray,
    mid: FloatArray,
    iv: FloatArray,
    g: dict[str, FloatArray],
    forward: float | FloatArray,
    origin: Origin = "modeled",
) -> dict[str, np.ndarray]:
    """Columns of one expiry, rows ordered by right ("C" first) then strike."""
    n = k.size
    order = np.lexsort((k, ~is_call))
    cols: dict[str, np.ndarray] = {
        "expiry": np.repeat(np.datetime64(e.date, "ns"), n),
        "root": np.full(n, e.root, dtype="U4"),
        "settlement": np.full(n, e.settlement, dtype="U2"),
        "strike": k[order],
        "right": np.where(is_call[order], "C", "P"),
        "bid": bid[order],
        "ask": ask[order],
        "mid": mid[order],
        "iv": iv[order],
        "delta": g["delta"][order],
        "gamma": g["gamma"][order],
        "vega": g["vega"][order],
        "theta": g["theta"][order],
        "t_years": np.full(n, e.t_years),
        "forward": np.broadcast_to(np.asarray(forward, dtype=np.float64), (n,))[order]
        if np.ndim(forward)
        else np.full(n, float(forward)),
        "origin": np.full(n, origin, dtype="U7"),
    }
    return cols


def call_flags(n_strikes: np.ndarray) -> np.ndarray:
    """Per expiry ``n`` True (calls) then ``n`` False (puts), for ``n`` in ``n_strikes``."""
    sides = np.tile(np.array([True, False]), n_strikes.size)
    return np.repeat(sides, np.repeat(n_strikes, 2))


@lru_cache(maxsize=1)
def _str_dtype() -> ExtensionDtype:
    """pandas' default string dtype (``"str"``; pyarrow-backed where pyarrow is installed)."""
    return pd.array(np.array([], dtype=object), dtype="str").dtype


def _str_column(labels: Sequence[str], codes: np.ndarray) -> ExtensionArray:
    """``labels[codes]`` as a column of the default string dtype, built in one vectorised step.

    With pyarrow storage the column is one Arrow ``take`` (no Python string per row).
    """
    dtype = _str_dtype()
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        import pyarrow as pa

        values = pa.array(list(labels), type=pa.large_string()).take(pa.array(codes))
        column: ExtensionArray = pd.array(values, dtype=dtype)
    else:
        column = pd.array(np.asarray(list(labels), dtype=object)[codes], dtype="str")
    return column


def _per_expiry(values: Sequence[str], rows: np.ndarray) -> ExtensionArray:
    """One label per expiry repeated over its ``rows``, as a string column."""
    labels = list(dict.fromkeys(values))
    codes = np.array([labels.index(v) for v in values], dtype=np.intp)
    return _str_column(labels, np.repeat(codes, rows))


def chain_frame(
    exps: Sequence[Expiry],
    n_strikes: np.ndarray,
    floats: Sequence[FloatArray] | FloatArray,
    origin: Origin,
) -> pd.DataFrame:
    """The chain table of ``exps`` from its float columns, in one DataFrame construction.

    Parameters
    ----------
    exps : sequence of Expiry
        The expiries, in row order.
    n_strikes : ndarray of int
        Strikes per expiry; expiry ``i`` has ``2 n_strikes[i]`` rows, the calls
        then the puts, each by strike.
    floats : sequence of ndarray, or 2-D ndarray
        The float columns `FLOAT_COLUMNS` (rows), each over all expiries.
    origin : {"real", "modeled"}
        Tag of every row.
    """
    rows = 2 * np.asarray(n_strikes, dtype=np.int64)
    n = int(rows.sum())
    expiry = np.array([np.datetime64(e.date, "ns") for e in exps], dtype="datetime64[ns]")
    data: dict[str, object] = {
        "expiry": np.repeat(expiry, rows),
        "root": _per_expiry([e.root for e in exps], rows),
        "settlement": _per_expiry([e.settlement for e in exps], rows),
        "right": _str_column(("C", "P"), (~call_flags(n_strikes)).view(np.int8)),
        "origin": _str_column((origin,), np.zeros(n, dtype=np.int8)),
    }
    for name, col in zip(FLOAT_COLUMNS, floats, strict=True):
        data[name] = col
    return pd.DataFrame(data, columns=list(CHAIN_COLUMNS), copy=False)


def to_frame(parts: list[dict[str, np.ndarray]]) -> pd.DataFrame:
    if not parts:
        return empty_chain()
    data: dict[str, object] = {}
    for c in CHAIN_COLUMNS:
        col = np.concatenate([p[c] for p in parts]) if len(parts) > 1 else parts[0][c]
        if col.dtype.kind == "U":  # straight to the default string dtype
            data[c] = pd.array(col.astype(object), dtype="str")
        else:
            data[c] = col
    # the column arrays are fresh (built per call), so the frame may own them without a copy
    return pd.DataFrame(data, columns=list(CHAIN_COLUMNS), copy=False)


def empty_chain() -> pd.DataFrame:
    return pd.DataFrame({c: [] for c in CHAIN_COLUMNS})
