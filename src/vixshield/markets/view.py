"""`Markets`: the one chain interface (`MarketView`) over real or modeled quotes.

A thin facade over the sources of the markets layer:

* `inputs.MarketInputs`: per-date inputs (spot, rate, dividend yield, VIX,
  VVIX, listings) and the SPX surface calibration;
* `spx_source.ModeledSpx` and `vix_source.ModeledVix`: modeled SPX options and
  the VX curve with modeled VIX options;
* `real_source.RealChains`: imported real chains;
* `settlement.Settlements`: final settlement values.

Where a real chain covers the date it answers chains, expiries and strikes;
quotes are answered option by option (real where the chain holds the option,
modeled otherwise, each row tagged). Every answer at a date uses that date's
data and earlier only; listings before an instrument existed are refused with
`listing.NotListed` where the listing rules say so.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from vixshield._daynumber import NS_PER_DAY
from vixshield._typing import ArrayLike, FloatArray, Origin, Underlying
from vixshield.data.market import MarketData
from vixshield.errors import UserError
from vixshield.markets import listing
from vixshield.markets._days import DayRuns, expiry_runs, is_call
from vixshield.markets.cache import MarketCache
from vixshield.markets.inputs import DEFAULT_RATE, DayInputs, MarketInputs
from vixshield.markets.real_source import ChainSource, RealBlock, RealChains
from vixshield.markets.settlement import Settlements
from vixshield.markets.spx_model import SpxCalibration
from vixshield.markets.spx_source import ModeledSpx
from vixshield.markets.types import Expiry, GridQuotes, MarketView, OptionChain, QuoteBlock
from vixshield.markets.vix_source import ModeledVix

__all__ = ["DEFAULT_RATE", "Markets", "chain", "grid_quotes"]

_CALLS = {"C": True, "P": False, "call": True, "put": False}
"""The usual spellings of `is_call`'s argument, looked up (others go through `is_call`)."""

_BLOCK_FIELDS = (
    "bid", "ask", "mid", "iv", "delta", "gamma", "vega", "theta", "forward", "t_years",
)  # fmt: skip


class Markets:
    """Real or modeled SPX/VIX option quotes and the VX curve (implements `MarketView`).

    Parameters
    ----------
    data : MarketData
        Daily series and VX settlements.
    chains : ChainSource or DataFrame, optional
        Real chains: a `real_source.ChainSource` read a day at a time (the store's
        `vixshield.data.chains.ChainDataset`), or a frame in long form
        (`data.market.CHAIN_FRAME_COLUMNS`). Dates and underlyings present there
        are answered from it (origin "real").
    cache : MarketCache, optional
        Calibrations and VX curves of the same data computed by earlier runs
        (`vixshield.markets.cache`), used as if computed here; `save_cache` stores
        what this object adds.

    Notes
    -----
    The stand-ins for missing inputs are listed in `vixshield.markets.inputs`;
    `DayInputs.origins` says which were used on a date.
    """

    def __init__(
        self,
        data: MarketData,
        chains: ChainSource | pd.DataFrame | None = None,
        cache: MarketCache | None = None,
    ) -> None:
        self._data = data
        self._inputs = MarketInputs(data)
        self._settlements = Settlements(self._inputs)
        self._spx = ModeledSpx(self._inputs, self._settlements.value)
        self._vix = ModeledVix(self._inputs, self._settlements.value)
        self._real = RealChains(chains, self._vix.futures) if chains is not None else None
        self._strikes: dict[tuple[pd.Timestamp, str, pd.Timestamp], FloatArray] = {}
        # listing rules only: (trading day, underlying) -> its listed option expiries
        self._listings: dict[tuple[pd.Timestamp, str], tuple[Expiry, ...]] = {}
        self._cache = cache
        self._saver: _CacheSaver | None = None
        if cache is not None:
            stored = cache.load()
            self._inputs.seed_calibrations(stored.calibrations)
            self._vix.seed_curves(stored.curves)
            self._saver = _CacheSaver(cache, self._inputs, self._vix, len(stored))

    @property
    def cache(self) -> MarketCache | None:
        """The on-disk cache of calibrations and VX curves (None: computed per object)."""
        return self._cache

    def save_cache(self) -> Path | None:
        """Store the calibrations and VX curves computed so far in `cache`.

        Returns the cache file, or None where there is no cache or nothing new to store.
        """
        return self._saver() if self._saver is not None else None

    def cache_saver(self) -> Callable[[], Path | None] | None:
        """`save_cache` as a callable that holds no reference to this object.

        For ``weakref.finalize(markets, markets.cache_saver())``: store what the
        markets computed when they are dropped (None where there is no cache).
        """
        return self._saver

    @property
    def data(self) -> MarketData:
        """The underlying market data (whole history)."""
        return self._data

    def inputs(self, date: pd.Timestamp) -> DayInputs:
        """The per-date inputs the sources price with (with their origins)."""
        return self._inputs.day(date)

    def calibration(self, date: pd.Timestamp) -> SpxCalibration:
        """The date's surface calibration (cached): targets, fitted index values, parameters."""
        return self._inputs.calibration(date)

    def _block(self, day: DayInputs, underlying: Underlying) -> RealBlock | None:
        return self._real.block(day.date, underlying) if self._real is not None else None

    def _listed(self, day: DayInputs, underlying: Underlying) -> list[Expiry]:
        """The listing rules' option expiries (memoised per day; `NotListed` before listing)."""
        return list(self._listing(day, underlying))

    def _listing(self, day: DayInputs, underlying: Underlying) -> tuple[Expiry, ...]:
        """`_listed` as the memoised tuple (not to be handed out: a caller may change a list)."""
        key = (day.date, underlying)
        listed = self._listings.get(key)
        if listed is None:
            listing.check_listed(day.date, underlying, "options")
            if underlying == "SPX":
                listed = day.expiries  # `MarketInputs.day` listed them already
            else:
                listed = tuple(listing.listed_expiries(day.date, underlying))
            self._listings[key] = listed
        return listed

    # ------------------------------------------------------------- interface
    def expiries(self, date: pd.Timestamp, underlying: Underlying) -> list[Expiry]:
        """Expirations listed at ``date`` (real chain's where given, else the listing rules)."""
        day = self._inputs.day(date)
        block = self._block(day, underlying)
        if block is not None and self._real is not None:
            return self._real.expiries(day, block)
        return self._listed(day, underlying)

    def chain(
        self, date: pd.Timestamp, underlying: Underlying, expiry: pd.Timestamp | None = None
    ) -> OptionChain:
        """The chain at ``date``'s close (all listed expiries, or only ``expiry``)."""
        day = self._inputs.day(date)
        spot = day.spot if underlying == "SPX" else day.vix
        want = pd.Timestamp(expiry).normalize() if expiry is not None else None
        block = self._block(day, underlying)
        if block is not None and self._real is not None:
            quotes = self._real.chain(day, underlying, block, want)
            return OptionChain(underlying, day.date, spot, day.rate, quotes, "real")
        exps = self._listed(day, underlying)
        if want is not None:
            exps = [e for e in exps if e.date == want]
            if not exps:
                raise UserError(
                    f"{underlying} expiry {want.date()} is not listed on {day.date.date()}"
                )
        source = self._spx if underlying == "SPX" else self._vix
        quotes = source.chain(day, exps)
        return OptionChain(underlying, day.date, spot, day.rate, quotes, "modeled")

    def quote(
        self,
        date: pd.Timestamp,
        underlying: Underlying,
        expiry: Sequence[pd.Timestamp],
        strike: ArrayLike,
        right: Sequence[str],
    ) -> QuoteBlock:
        """Vectorised quotes of specific options at ``date``'s close (no chain is built).

        Real where the imported chain holds the option, modeled otherwise; the
        origin of every row is in `QuoteBlock.origins`. Options at or past
        expiry are worth their intrinsic value against the settlement.
        """
        day = self._inputs.day(date)
        k = np.asarray(strike, dtype=np.float64)
        call = _call_flags(right)
        runs = expiry_runs(expiry)
        ed = runs.days
        if self._real is not None:
            block = self._block(day, underlying)
            if block is not None:
                real, mask = self._real.quote(day, underlying, block, ed, k, call)
                if mask.all():
                    return real
                if mask.any():
                    modeled = self._modeled_quote(day, underlying, k, call, runs)
                    return _merge(real, mask, modeled)
        return self._modeled_quote(day, underlying, k, call, runs)

    def _modeled_quote(
        self,
        day: DayInputs,
        underlying: Underlying,
        k: FloatArray,
        call: np.ndarray,
        runs: DayRuns,
    ) -> QuoteBlock:
        if underlying == "SPX":
            return self._spx.quote(day, runs, k, call)
        if (day.date, underlying) not in self._listings:  # a listing there passed the check
            listing.check_listed(day.date, underlying, "options")
        return self._vix.quote(day, runs, k, call)

    def strikes(
        self, date: pd.Timestamp, underlying: Underlying, expiry: pd.Timestamp
    ) -> FloatArray:
        """Listed strikes of one expiry at ``date`` (sorted, index points), without pricing them.

        The real chain's strikes where it covers the date, else the modeled
        grid (`spx_model.spx_strikes`; the VIX grid around the VX future).
        Cached per (date, underlying, expiry); the returned array is read-only.
        """
        cached = self._strikes.get((date, underlying, expiry))  # the usual call: a key seen
        if cached is not None:
            return cached
        day = self._inputs.day(date)
        naive = type(expiry) is pd.Timestamp and expiry.tzinfo is None
        if naive and expiry.value % NS_PER_DAY == 0:
            want = expiry  # a naive midnight (the usual request): normalised already
        else:
            want = pd.Timestamp(expiry).normalize()
        key = (day.date, underlying, want)
        cached = self._strikes.get(key)
        if cached is not None:
            return cached
        block = self._block(day, underlying)
        if block is not None and self._real is not None:
            k = self._real.strikes(block, want, day)
        else:
            exp = next((e for e in self._listing(day, underlying) if e.date == want), None)
            if exp is None:
                raise UserError(
                    f"{underlying} expiry {want.date()} is not listed on {day.date.date()}"
                )
            source = self._spx if underlying == "SPX" else self._vix
            k = source.strikes(day, exp)
        k = np.array(k, dtype=np.float64)
        k.setflags(write=False)
        self._strikes[key] = k
        return k

    def quote_grids(
        self,
        date: pd.Timestamp,
        underlying: Underlying,
        expiries: Sequence[pd.Timestamp],
        right: str,
    ) -> GridQuotes:
        """Quotes of every listed strike of each of ``expiries`` (one ``right``) at ``date``.

        The answer of `strikes` for each expiry (ascending) and of one `quote` of all
        those options, the expiries one after the other. Modeled VIX options (no real
        chain at the date, every expiry's future on the curve) are priced in one kernel
        call without building the request (`vix_source.ModeledVix.grid_quotes`: the same
        arrays, so the same floats); everything else goes through `strikes` and `quote`.

        Raises
        ------
        UserError
            An expiry is not listed at the date (as `strikes`).
        """
        day = self._inputs.day(date)
        if underlying == "VIX" and self._block(day, underlying) is None:
            got = self._vix_grids(day, expiries, right)
            if got is not None:
                return GridQuotes(got[0], got[1], got[2])
        return grid_quotes(self, date, underlying, expiries, right)

    def _vix_grids(
        self, day: DayInputs, expiries: Sequence[pd.Timestamp], right: str
    ) -> tuple[FloatArray, tuple[int, ...], QuoteBlock] | None:
        """`quote_grids` of modeled VIX options (None: not every expiry is on the fast path)."""
        call = _CALLS.get(right) if type(right) is str else None
        if call is None:
            return None
        listed = {e.date.value // NS_PER_DAY for e in self._listing(day, "VIX")}  # `NotListed`
        days: list[int] = []
        for e in expiries:
            if not (type(e) is pd.Timestamp and e.tzinfo is None and e.value % NS_PER_DAY == 0):
                return None  # (not a naive midnight: `strikes` normalises it)
            days.append(e.value // NS_PER_DAY)
        if not set(days) <= listed or len(set(days)) < len(days):
            return None  # an expiry not listed (`strikes` says so), or one asked twice
        return self._vix.grid_quotes(day, days, call)

    def vx_curve(self, date: pd.Timestamp) -> pd.DataFrame:
        """VX curve at ``date``: expiry, value (vol points), dte (calendar days), origin."""
        day = self._inputs.day(date)
        listing.check_listed(day.date, "VIX", "futures")
        c = self._vix.curve(day)
        out = pd.DataFrame(
            {
                "expiry": list(c.expiry),
                "value": c.value.tolist(),
                "dte": [(e - day.date).days for e in c.expiry],
                "origin": list(c.origin),
            }
        )
        return out.sort_values("expiry").reset_index(drop=True)

    def vx_front_origin(self, date: pd.Timestamp) -> str | None:
        """Origin of the front (earliest) VX future of ``date``'s curve, None with no future.

        The first row's origin of `vx_curve` without building its frame; `NotListed`
        (a `UserError`) before VX futures were listed.
        """
        day = self._inputs.day(date)
        listing.check_listed(day.date, "VIX", "futures")
        origins = self._vix.curve(day).origin  # a VxCurve is sorted by expiry
        return origins[0] if origins else None

    def settlement_value(self, underlying: Underlying, expiry: pd.Timestamp, root: str) -> float:
        """Final settlement value (see `settlement`)."""
        return self.settlement(underlying, expiry, root)[0]

    def settlement(
        self, underlying: Underlying, expiry: pd.Timestamp, root: str
    ) -> tuple[float, Origin]:
        """Settlement value and its origin (`vixshield.markets.settlement`); NaN where the
        expiry is not in the data."""
        return self._settlements.value(underlying, expiry, root)


class _CacheSaver:
    """Stores new calibrations and curves of one `Markets` in its cache (`Markets.save_cache`)."""

    def __init__(
        self, cache: MarketCache, inputs: MarketInputs, vix: ModeledVix, stored: int
    ) -> None:
        self._cache, self._inputs, self._vix, self._stored = cache, inputs, vix, stored

    def __call__(self) -> Path | None:
        calibrations, curves = self._inputs.calibrations(), self._vix.curves()
        if len(calibrations) + len(curves) <= self._stored:
            return None
        path = self._cache.save(calibrations, curves)
        self._stored = len(calibrations) + len(curves)
        return path


def _call_flags(right: Sequence[str]) -> np.ndarray:
    """`is_call` of every right, as a bool array (the usual spellings looked up in one pass)."""
    n = len(right)
    if n and isinstance(right, list | tuple):  # one right for every row (a grid's): one look-up
        first = right[0]
        flag = _CALLS.get(first) if type(first) is str else None
        if flag is not None and right.count(first) == n:
            return np.full(n, flag, dtype=bool)
    try:
        flags = list(map(_CALLS.__getitem__, right))
    except (KeyError, TypeError):  # another spelling ("CALL", "c", ...): one at a time
        flags = [is_call(r) for r in right]
    return np.array(flags, dtype=bool)


def _merge(real: QuoteBlock, mask: np.ndarray, modeled: QuoteBlock) -> QuoteBlock:
    """Row-wise: ``real`` where ``mask``, else ``modeled``; per-row origins."""
    cols = {f: np.where(mask, getattr(real, f), getattr(modeled, f)) for f in _BLOCK_FIELDS}
    origins: tuple[Origin, ...] = tuple("real" if m else "modeled" for m in mask.tolist())
    return QuoteBlock(**cols, origin="modeled", row_origins=origins)


@lru_cache(maxsize=1)
def _default_markets() -> Markets:
    from vixshield.data.embedded import load_embedded

    return Markets(load_embedded())


def chain(date: pd.Timestamp, underlying: Underlying) -> OptionChain:
    """Convenience: the chain at ``date`` on the embedded data (`load_embedded`)."""
    return _default_markets().chain(date, underlying)


def grid_quotes(
    market: MarketView,
    date: pd.Timestamp,
    underlying: Underlying,
    expiries: Sequence[pd.Timestamp],
    right: str,
) -> GridQuotes:
    """`Markets.quote_grids` on any view: ``market.strikes`` of each of ``expiries``
    (ascending, float64), then one ``market.quote`` of all those ``right`` options,
    the expiries one after the other."""
    grids = [
        np.sort(np.asarray(market.strikes(date, underlying, e), dtype=np.float64)) for e in expiries
    ]
    rows: list[pd.Timestamp] = []
    for e, k in zip(expiries, grids, strict=True):
        rows += [e] * len(k)
    k_all = np.concatenate(grids) if grids else np.empty(0)
    edges = (0, *itertools.accumulate(len(k) for k in grids))
    qb = market.quote(date, underlying, rows, k_all, [right] * len(k_all))
    return GridQuotes(k_all, edges, qb)
