"""Real option chains (imported quotes): chains, quotes and strike lists of the dates they cover.

The rows come from a `ChainSource`, read one (date, underlying) at a time when a
request needs them and kept in a small LRU (`RealChains.cache_days` days), so a
backtest over years of chains holds a few days, not the chain:

* `vixshield.data.chains.ChainDataset`, the store's Parquet dataset (the catalogue
  says which dates exist without reading a file; a day is one row group);
* `FrameChains`, a long frame in memory (`data.market.CHAIN_FRAME_COLUMNS`).

Each day's block is indexed once: ``(expiry day, strike, right)`` is packed in
one int64 key, sorted, and a quote is a vectorised ``searchsorted``. A request
the block covers only in part is answered row by row: `RealChains.quote` says
which rows it served, and `Markets` prices the rest from the model, with the
origin of every row in `QuoteBlock.row_origins` (never a silent switch of the
whole request). Greeks come from the quoted implied vol (BSM on the spot with
the day's rate and dividend yield; Black-76 on the VX future for VIX).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Protocol

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from vixshield._typing import FloatArray, Settlement, Underlying
from vixshield.data.market import CHAIN_FRAME_COLUMNS
from vixshield.errors import UserError
from vixshield.markets import listing
from vixshield.markets.frames import expiry_columns, to_frame
from vixshield.markets.inputs import DayInputs
from vixshield.markets.types import Expiry, QuoteBlock
from vixshield.pricing import black76_greeks, bsm_greeks

__all__ = ["DEFAULT_CACHE_DAYS", "ChainSource", "FrameChains", "RealBlock", "RealChains"]

_GREEKS = ("delta", "gamma", "vega", "theta")
FuturesFn = Callable[[DayInputs, np.ndarray], FloatArray]
"""``(day, expiry day numbers) -> VX futures``: `vix_source.ModeledVix.futures`."""

DEFAULT_CACHE_DAYS = 8
"""(date, underlying) blocks kept in memory (a condor's legs are quoted on a few dates)."""

_STRIKE_SCALE = 1000.0  # strikes are keyed in thousandths of an index point
_DAY_SHIFT = 40  # bits below the expiry day: 2 * strike * 1000 < 2**40 for strikes < 5e8


class ChainSource(Protocol):
    """Where real chains come from: one (date, underlying) at a time."""

    def has(self, date: pd.Timestamp, underlying: str) -> bool:
        """Whether the source holds rows of ``date`` and ``underlying`` (cheap)."""
        ...

    def day_table(self, date: pd.Timestamp, underlying: str) -> pa.Table | None:
        """Rows of one day: root, expiry, settlement, strike, right, bid, ask, iv."""
        ...


class FrameChains:
    """A `ChainSource` over a long chain frame in memory (`CHAIN_FRAME_COLUMNS`)."""

    def __init__(self, chains: pd.DataFrame) -> None:
        missing = [c for c in CHAIN_FRAME_COLUMNS if c not in chains.columns]
        if missing:
            raise UserError(f"real chain frame lacks columns: {', '.join(missing)}")
        c = chains.copy()
        c["quote_date"] = pd.to_datetime(c["quote_date"]).dt.normalize()
        c["expiry"] = pd.to_datetime(c["expiry"]).dt.normalize()
        c["right"] = c["right"].astype(str).str.upper().str[0]
        self._groups = {
            (pd.Timestamp(str(d)), str(u)): g
            for (d, u), g in c.groupby(["quote_date", "underlying"], sort=True)
        }

    def __len__(self) -> int:
        return sum(len(g) for g in self._groups.values())

    def has(self, date: pd.Timestamp, underlying: str) -> bool:
        return (date, underlying) in self._groups

    def day_table(self, date: pd.Timestamp, underlying: str) -> pa.Table | None:
        g = self._groups.get((date, underlying))
        if g is None:
            return None
        cols = ("root", "expiry", "settlement", "strike", "right", "bid", "ask", "iv")
        return pa.Table.from_pandas(g[list(cols)].astype({"root": str, "settlement": str,
                                                          "right": str}),
                                    preserve_index=False)  # fmt: skip


@dataclass(frozen=True)
class RealBlock:
    """One (date, underlying) of the real chain as arrays, sorted by (expiry, right, strike).

    ``keys`` are the sorted packed (expiry day, strike, right) keys and ``rows``
    the row of each (the first where a quote is duplicated). Root and settlement
    are kept as codes into their few distinct values (`root`, `settlement` give
    them per row).
    """

    expiry: np.ndarray  # datetime64[D]
    roots: np.ndarray  # object (str): distinct roots
    root_code: np.ndarray  # int64: row -> roots
    settlements: np.ndarray  # object (str): distinct settlement codes
    settlement_code: np.ndarray  # int64: row -> settlements
    strike: FloatArray
    call: np.ndarray  # bool
    bid: FloatArray
    ask: FloatArray
    iv: FloatArray
    keys: np.ndarray  # int64, sorted
    rows: np.ndarray  # int64
    pm: np.ndarray  # bool: settles PM (`_settlement`: anything but "AM"), else AM

    @cached_property
    def root(self) -> np.ndarray:
        """Root of each row (object array of str)."""
        out: np.ndarray = self.roots[self.root_code]
        return out

    @cached_property
    def settlement(self) -> np.ndarray:
        """Settlement code of each row (object array of str, ``"AM"``/``"PM"``)."""
        out: np.ndarray = self.settlements[self.settlement_code]
        return out

    def __len__(self) -> int:
        return int(self.strike.size)


def _pack(days: np.ndarray, strike: FloatArray, call: np.ndarray) -> np.ndarray:
    k = np.rint(np.asarray(strike, dtype=np.float64) * _STRIKE_SCALE).astype(np.int64)
    return (np.asarray(days, dtype=np.int64) << _DAY_SHIFT) | (k << 1) | np.asarray(call, np.int64)


def _codes(column: pa.ChunkedArray | pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """A text column as (distinct values, object array; code of each row, int64).

    Dictionary chunks (`ChainDataset.day_table` reads these columns so) are used
    as they are (a value may repeat in ``values``: each row's is still its own);
    plain text is dictionary-encoded first. A day holds a few distinct
    codes (SPX/SPXW, AM/PM, C/P), so each is decoded to Python once.
    """
    chunks = column.chunks if isinstance(column, pa.ChunkedArray) else [column]
    if len(chunks) == 1 and pa.types.is_dictionary(chunks[0].type):  # a day of the dataset
        values = np.asarray(chunks[0].dictionary.to_pylist(), dtype=object)
        return values, np.asarray(chunks[0].indices.to_numpy(zero_copy_only=False), np.int64)
    at: dict[str, int] = {}
    codes = []
    for chunk in chunks:
        enc = chunk if pa.types.is_dictionary(chunk.type) else pc.dictionary_encode(chunk)
        local = np.array([at.setdefault(v, len(at)) for v in enc.dictionary.to_pylist()], np.int64)
        codes.append(local[np.asarray(enc.indices.to_numpy(zero_copy_only=False), np.int64)])
    out = np.concatenate(codes) if codes else np.zeros(0, np.int64)
    return np.asarray(list(at), dtype=object), out


def _block(table: pa.Table) -> RealBlock:
    def f64(c: str) -> FloatArray:
        return np.asarray(table.column(c).to_numpy(), dtype=np.float64)

    expiry = np.asarray(table.column("expiry").to_numpy(), dtype="datetime64[D]")
    strike = f64("strike")
    rights, right = _codes(table.column("right"))
    call = (rights == "C")[right] if rights.size else np.zeros(0, dtype=bool)
    # expiry then puts after calls in one int key (same order as the three keys)
    order = np.lexsort((strike, expiry.astype(np.int64) * 2 + ~call))
    expiry, strike, call = expiry[order], strike[order], call[order]
    keys = _pack(expiry.astype(np.int64), strike, call)
    uniq, first = np.unique(keys, return_index=True)
    roots, root = _codes(table.column("root"))
    settlements, settlement = _codes(table.column("settlement"))
    settlement = settlement[order]
    pm = (settlements != "AM")[settlement] if settlements.size else np.zeros(0, dtype=bool)
    return RealBlock(expiry, roots, root[order], settlements, settlement, strike, call,
                     f64("bid")[order], f64("ask")[order], f64("iv")[order],
                     uniq, first.astype(np.int64), pm)  # fmt: skip


def _t_years(date: pd.Timestamp, expiry: np.ndarray, pm: np.ndarray) -> FloatArray:
    """`listing.t_years_to_settlement` of each row, computed once per distinct (expiry, AM/PM)."""
    uniq, inverse = np.unique(expiry.astype(np.int64) * 2 + pm, return_inverse=True)
    t = np.array(
        [
            listing.t_years_to_settlement(
                date, pd.Timestamp(np.datetime64(c >> 1, "D")), "PM" if c & 1 else "AM"
            )
            for c in uniq.tolist()
        ],
        dtype=np.float64,
    )
    return t[inverse.ravel()]


def _greeks(g: Mapping[str, float | FloatArray]) -> dict[str, FloatArray]:
    """The four chain greeks as float arrays."""
    return {k: np.atleast_1d(np.asarray(g[k], dtype=np.float64)) for k in _GREEKS}


def _settlement(s: object) -> Settlement:
    return "AM" if str(s) == "AM" else "PM"


class RealChains:
    """Real chains answered per (date, underlying), read lazily from a `ChainSource`.

    Parameters
    ----------
    source : ChainSource or DataFrame
        The chains (a frame is wrapped in `FrameChains`).
    futures : callable
        VX futures per (day, expiry day numbers), for VIX greeks.
    cache_days : int
        Blocks kept (least recently used dropped first).
    """

    def __init__(
        self,
        source: ChainSource | pd.DataFrame,
        futures: FuturesFn,
        cache_days: int = DEFAULT_CACHE_DAYS,
    ) -> None:
        self._source: ChainSource = (
            FrameChains(source) if isinstance(source, pd.DataFrame) else source
        )
        self._blocks: OrderedDict[tuple[pd.Timestamp, str], RealBlock] = OrderedDict()
        self._cache_days = max(1, cache_days)
        self._futures = futures

    def block(self, date: pd.Timestamp, underlying: Underlying) -> RealBlock | None:
        """The real rows of ``date`` and ``underlying``, None where the chain has none."""
        key = (date, underlying)
        b = self._blocks.get(key)
        if b is not None:
            self._blocks.move_to_end(key)
            return b
        if not self._source.has(date, underlying):
            return None
        table = self._source.day_table(date, underlying)
        if table is None or not table.num_rows:
            return None
        b = _block(table)
        self._blocks[key] = b
        if len(self._blocks) > self._cache_days:
            self._blocks.popitem(last=False)
        return b

    def _expiry(self, day: DayInputs, block: RealBlock, i: int) -> Expiry:
        e = pd.Timestamp(block.expiry[i])
        st = _settlement(block.settlements[block.settlement_code[i]])
        root = str(block.roots[block.root_code[i]])
        return Expiry(e, root, st, listing.t_years_to_settlement(day.date, e, st))

    def expiries(self, day: DayInputs, block: RealBlock) -> list[Expiry]:
        """The block's expirations with their times to settlement."""
        _, first = np.unique(block.expiry, return_index=True)
        return [self._expiry(day, block, int(i)) for i in first]

    def strikes(self, block: RealBlock, expiry: pd.Timestamp, day: DayInputs) -> FloatArray:
        """Strikes of one expiry of the block; a `UserError` where it has none."""
        sel = block.expiry == np.datetime64(expiry.date(), "D")
        if not sel.any():
            raise UserError(f"expiry {expiry.date()} is not in the real chain on {day.date.date()}")
        return np.unique(block.strike[sel])

    def chain(
        self, day: DayInputs, underlying: Underlying, block: RealBlock, expiry: pd.Timestamp | None
    ) -> pd.DataFrame:
        """The block as a chain table (all expiries, or only ``expiry``)."""
        want = np.ones(len(block), dtype=bool)
        if expiry is not None:
            want = block.expiry == np.datetime64(expiry.date(), "D")
        if not want.any():
            raise UserError(
                f"{underlying} expiry {expiry} is not in the real chain on {day.date.date()}"
            )
        groups = pd.DataFrame({"e": block.expiry, "r": block.root, "s": block.settlement})[want]
        frames = []
        for _, g in groups.groupby(["e", "r", "s"], sort=True):
            idx = g.index.to_numpy()
            ex = self._expiry(day, block, int(idx[0]))
            k, is_call, iv = block.strike[idx], block.call[idx], block.iv[idx]
            t = max(ex.t_years, 1e-6)
            if underlying == "SPX":
                fwd = day.spot * float(np.exp((day.rate - day.q) * t))
                gr = _greeks(bsm_greeks(day.spot, k, t, day.rate, day.q, iv, is_call))
            else:
                fwd = float(
                    self._futures(day, np.array([int(block.expiry[idx[0]].astype(np.int64))]))[0]
                )
                gr = _greeks(black76_greeks(fwd, k, t, day.rate, iv, is_call))
            bid, ask = block.bid[idx], block.ask[idx]
            frames.append(
                expiry_columns(ex, k, is_call, bid, ask, 0.5 * (bid + ask), iv, gr, fwd, "real")
            )
        return to_frame(frames)

    def quote(
        self,
        day: DayInputs,
        underlying: Underlying,
        block: RealBlock,
        ed: np.ndarray,
        k: FloatArray,
        call: np.ndarray,
    ) -> tuple[QuoteBlock, np.ndarray]:
        """Quotes of the requested options the block holds, and the mask of those rows.

        Rows the block does not hold are NaN in the returned block (``mask`` False).
        """
        n = k.size
        want = _pack(ed, k, call)
        at = np.minimum(np.searchsorted(block.keys, want), max(block.keys.size - 1, 0))
        mask = block.keys[at] == want if block.keys.size else np.zeros(n, dtype=bool)
        pos = block.rows[at[mask]]
        out = {f: np.full(n, np.nan) for f in ("bid", "ask", "iv", "t", "fwd", *_GREEKS)}
        if mask.any():
            t = _t_years(day.date, block.expiry[pos], block.pm[pos])
            tl = np.maximum(t, 1e-6)
            iv = block.iv[pos]
            kk, cc = k[mask], call[mask]
            if underlying == "SPX":
                fwd = day.spot * np.exp((day.rate - day.q) * tl)
                g = _greeks(bsm_greeks(day.spot, kk, tl, day.rate, day.q, iv, cc))
            else:
                fwd = self._futures(day, ed[mask])
                g = _greeks(black76_greeks(fwd, kk, tl, day.rate, iv, cc))
            out["bid"][mask] = block.bid[pos]
            out["ask"][mask] = block.ask[pos]
            out["iv"][mask] = iv
            out["t"][mask] = t
            out["fwd"][mask] = fwd
            for name in _GREEKS:
                out[name][mask] = g[name]
        qb = QuoteBlock(
            out["bid"], out["ask"], 0.5 * (out["bid"] + out["ask"]), out["iv"],
            out["delta"], out["gamma"], out["vega"], out["theta"], out["fwd"], out["t"], "real",
        )  # fmt: skip
        return qb, mask
