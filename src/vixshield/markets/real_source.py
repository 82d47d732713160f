"""Real option chains (imported quotes): chains, quotes and strike lists of the dates they cover.

The chain frame is the data layer's long form (`data.market.CHAIN_FRAME_COLUMNS`).
Each (date, underlying) block is indexed once: ``(expiry day, strike, right)``
maps to its row, so a quote is a dictionary look-up per option. A request the
block covers only in part is answered row by row: `RealChains.quote` says
which rows it served, and `Markets` prices the rest from the model, with the
origin of every row in `QuoteBlock.row_origins` (never a silent switch of the
whole request). Greeks come from the quoted implied vol (BSM on the spot with
the day's rate and dividend yield; Black-76 on the VX future for VIX).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from vixshield._typing import FloatArray, Settlement, Underlying
from vixshield.data.market import CHAIN_FRAME_COLUMNS
from vixshield.errors import UserError
from vixshield.markets import listing
from vixshield.markets._days import expiry_day
from vixshield.markets.frames import expiry_columns, to_frame
from vixshield.markets.inputs import DayInputs
from vixshield.markets.types import Expiry, QuoteBlock
from vixshield.pricing import black76_greeks, bsm_greeks

__all__ = ["RealBlock", "RealChains"]

_GREEKS = ("delta", "gamma", "vega", "theta")
FuturesFn = Callable[[DayInputs, np.ndarray], FloatArray]
"""``(day, expiry day numbers) -> VX futures``: `vix_source.ModeledVix.futures`."""


@dataclass(frozen=True)
class RealBlock:
    """One (date, underlying) of the real chain, with its row index."""

    rows: pd.DataFrame
    key: dict[tuple[int, float, bool], int]
    """(expiry day number, strike, is call) -> row."""


def _greeks(g: Mapping[str, float | FloatArray]) -> dict[str, FloatArray]:
    """The four chain greeks as float arrays."""
    return {k: np.atleast_1d(np.asarray(g[k], dtype=np.float64)) for k in _GREEKS}


def _settlement(s: object) -> Settlement:
    return "AM" if str(s) == "AM" else "PM"


class RealChains:
    """Real chains in long form, answered per (date, underlying)."""

    def __init__(self, chains: pd.DataFrame, futures: FuturesFn) -> None:
        missing = [c for c in CHAIN_FRAME_COLUMNS if c not in chains.columns]
        if missing:
            raise UserError(f"real chain frame lacks columns: {', '.join(missing)}")
        c = chains.copy()
        c["quote_date"] = pd.to_datetime(c["quote_date"]).dt.normalize()
        c["expiry"] = pd.to_datetime(c["expiry"]).dt.normalize()
        c["right"] = c["right"].astype(str).str.upper().str[0]
        c = c.sort_values(["quote_date", "underlying", "expiry", "right", "strike"])
        self._groups = {
            (pd.Timestamp(str(d)), str(u)): g.reset_index(drop=True)
            for (d, u), g in c.groupby(["quote_date", "underlying"], sort=True)
        }
        self._blocks: dict[tuple[pd.Timestamp, str], RealBlock] = {}
        self._futures = futures

    def block(self, date: pd.Timestamp, underlying: Underlying) -> RealBlock | None:
        """The real rows of ``date`` and ``underlying``, None where the chain has none."""
        key = (date, underlying)
        b = self._blocks.get(key)
        if b is None:
            rows = self._groups.get(key)
            if rows is None or not len(rows):
                return None
            days = pd.DatetimeIndex(rows["expiry"]).as_unit("ns").asi8 // 86_400_000_000_000
            k = rows["strike"].to_numpy(dtype=np.float64)
            call = (rows["right"] == "C").to_numpy()
            index: dict[tuple[int, float, bool], int] = {}
            for i, t in enumerate(zip(days.tolist(), k.tolist(), call.tolist(), strict=True)):
                index.setdefault(t, i)  # a duplicated quote: the first row
            b = RealBlock(rows, index)
            self._blocks[key] = b
        return b

    def expiries(self, day: DayInputs, block: RealBlock) -> list[Expiry]:
        """The block's expirations with their times to settlement."""
        seen = block.rows.drop_duplicates("expiry")
        out = []
        for e, r, s in zip(seen["expiry"], seen["root"], seen["settlement"], strict=True):
            st = _settlement(s)
            e_ts = pd.Timestamp(e)
            out.append(Expiry(e_ts, str(r), st, listing.t_years_to_settlement(day.date, e_ts, st)))
        return out

    def strikes(self, block: RealBlock, expiry: pd.Timestamp, day: DayInputs) -> FloatArray:
        """Strikes of one expiry of the block; a `UserError` where it has none."""
        rows = block.rows[block.rows["expiry"] == expiry]
        if not len(rows):
            raise UserError(f"expiry {expiry.date()} is not in the real chain on {day.date.date()}")
        return np.unique(rows["strike"].to_numpy(dtype=np.float64))

    def chain(
        self, day: DayInputs, underlying: Underlying, block: RealBlock, expiry: pd.Timestamp | None
    ) -> pd.DataFrame:
        """The block as a chain table (all expiries, or only ``expiry``)."""
        r = block.rows if expiry is None else block.rows[block.rows["expiry"] == expiry]
        if not len(r):
            raise UserError(
                f"{underlying} expiry {expiry} is not in the real chain on {day.date.date()}"
            )
        frames = []
        for (e, root, st), g in r.groupby(["expiry", "root", "settlement"], sort=True):
            e_ts = pd.Timestamp(str(e))
            st_ = _settlement(st)
            ex = Expiry(e_ts, str(root), st_, listing.t_years_to_settlement(day.date, e_ts, st_))
            k = g["strike"].to_numpy(dtype=np.float64)
            is_call = (g["right"] == "C").to_numpy()
            iv = g["iv"].to_numpy(dtype=np.float64)
            t = max(ex.t_years, 1e-6)
            if underlying == "SPX":
                fwd = day.spot * float(np.exp((day.rate - day.q) * t))
                gr = _greeks(bsm_greeks(day.spot, k, t, day.rate, day.q, iv, is_call))
            else:
                fwd = float(self._futures(day, np.array([expiry_day(ex.date)]))[0])
                gr = _greeks(black76_greeks(fwd, k, t, day.rate, iv, is_call))
            bid = g["bid"].to_numpy(dtype=np.float64)
            ask = g["ask"].to_numpy(dtype=np.float64)
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
        pos = np.array(
            [
                block.key.get((int(d), float(s), bool(c)), -1)
                for d, s, c in zip(ed.tolist(), k.tolist(), call.tolist(), strict=True)
            ],
            dtype=np.int64,
        )
        mask = pos >= 0
        out = {f: np.full(n, np.nan) for f in ("bid", "ask", "iv", "t", "fwd", *_GREEKS)}
        if mask.any():
            sel = block.rows.iloc[pos[mask]]
            exp = pd.DatetimeIndex(sel["expiry"])
            t = np.array(
                [
                    listing.t_years_to_settlement(day.date, e, _settlement(s))
                    for e, s in zip(exp, sel["settlement"], strict=True)
                ]
            )
            tl = np.maximum(t, 1e-6)
            iv = sel["iv"].to_numpy(dtype=np.float64)
            kk, cc = k[mask], call[mask]
            if underlying == "SPX":
                fwd = day.spot * np.exp((day.rate - day.q) * tl)
                g = _greeks(bsm_greeks(day.spot, kk, tl, day.rate, day.q, iv, cc))
            else:
                fwd = self._futures(day, ed[mask])
                g = _greeks(black76_greeks(fwd, kk, tl, day.rate, iv, cc))
            out["bid"][mask] = sel["bid"].to_numpy(dtype=np.float64)
            out["ask"][mask] = sel["ask"].to_numpy(dtype=np.float64)
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
