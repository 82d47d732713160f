"""Which option a hedge layer buys on a date (`choose_hedge`, `ExpiryQuotes`).

The rule (`vixshield.strategy.policy.HedgeLayer`): the listed expiry of the layer's
DTE window nearest its middle (ties: the shorter, then the first listed), then the
strike by delta (the quoted option, mid > 0, whose |delta| is nearest
``strike_value``; NaN deltas skipped, ties: the first by strike) or by percent OTM of
the forward (VIX future / SPX forward); a ``vix_call_spread`` sells the call nearest
``spread_width`` points above. The choice's ``fill`` is the net `CostModel` fill per
unit (the long leg bought, a spread's short leg sold).

What it reads: the market at the date (its listing, strikes and quotes of that
close), the layer's frozen spec and the cost model; never the book, the account or
the strategy state. So it is made once per (market, date, layer spec, cost model):

- per day, for every layer of a book at once (`ExpiryQuotes`): one listing per
  underlying and, per underlying and right, the quotes of every strike of the
  candidate expiries at once (`_grid_rows`: `Markets.quote_grids` on the markets
  layer, else one strike list per expiry and one vectorised ``market.quote``); a
  row's quote does not depend on the rows quoted with it, so each layer sees what
  quoting its expiry alone gives;
- per market, across calls and policy variants (`_CHOICES`, a bounded
  `vixshield.strategy.memo.MarketMemo` keyed by the date, the layer spec and the cost
  model: a changed spec or cost model is a miss, never a stale hit).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from vixshield._typing import BoolArray, FloatArray, Right, Underlying
from vixshield.errors import NotListed
from vixshield.markets.costs import CostModel
from vixshield.markets.types import Expiry, MarketView, QuoteBlock
from vixshield.markets.view import Markets, grid_quotes
from vixshield.strategy.condor import chain_mask, day_number, float_col, nan_median
from vixshield.strategy.memo import MarketMemo, SpecKey, spec_key
from vixshield.strategy.policy import HedgeLayer
from vixshield.strategy.types import Leg, RuleFired

__all__ = ["ExpiryQuotes", "HedgeChoice", "choose_hedge"]


@dataclass(frozen=True)
class HedgeChoice:
    """The option (or spread) a layer would buy today, per unit (points)."""

    legs: tuple[Leg, ...]
    mid: float
    fill: float
    delta: float
    vega: float
    theta: float
    dte: int

    @property
    def decay_rate(self) -> float:
        """|theta per day| / mid: share of the premium lost per calendar day."""
        return abs(self.theta) / self.mid if self.mid > 0 else math.nan


def _pick_expiry(date: pd.Timestamp, expiries: list[Expiry], layer: HedgeLayer) -> Expiry | None:
    """The expiry of ``layer``'s window nearest its middle (ties: the shorter, then the first)."""
    today = day_number(date)
    return _pick_by_dte([day_number(e.date) - today for e in expiries], expiries, layer)


def _pick_by_dte(dtes: Sequence[int], expiries: list[Expiry], layer: HedgeLayer) -> Expiry | None:
    """`_pick_expiry` given the expiries' DTEs (calendar days), computed once for every layer."""
    lo, hi = layer.dte_min, layer.dte_max
    mid = 0.5 * (lo + hi)
    best: tuple[float, int] | None = None
    pick = None
    for dte, e in zip(dtes, expiries, strict=True):
        if lo <= dte <= hi and (best is None or (abs(dte - mid), dte) < best):
            best, pick = (abs(dte - mid), dte), e
    return pick


_QUOTE_COLS = ("strike", "mid", "bid", "ask", "delta", "vega", "theta", "forward")


def _layer_option(layer: HedgeLayer) -> tuple[Underlying, Right]:
    """The underlying and right of the options ``layer`` buys."""
    return ("SPX", "P") if layer.instrument == "spx_put" else ("VIX", "C")


class _Rows:
    """One expiry's quotes by ascending strike: rows ``a:b`` of the columns ``cols``
    (`_QUOTE_COLS`, the quote of one or several expiries), with ``ok`` (mid > 0) and
    ``abs_delta`` (|delta|) of the same rows computed once for all of them."""

    __slots__ = ("a", "abs_delta", "b", "cols", "ok")

    def __init__(
        self, cols: Mapping[str, FloatArray], a: int, b: int, ok: BoolArray, abs_delta: FloatArray
    ) -> None:
        self.cols, self.a, self.b, self.ok, self.abs_delta = cols, a, b, ok, abs_delta

    @classmethod
    def split(cls, cols: Mapping[str, FloatArray], edges: Sequence[int]) -> list[_Rows]:
        """One `_Rows` per expiry of ``cols``, its rows ``edges[n]:edges[n + 1]``."""
        ok, abs_delta = cols["mid"] > 0, np.abs(cols["delta"])
        return [cls(cols, a, b, ok, abs_delta) for a, b in itertools.pairwise(edges)]

    def col(self, name: str) -> FloatArray:
        """Column ``name`` of this expiry's rows (a view)."""
        return self.cols[name][self.a : self.b]

    def as_dict(self) -> dict[str, FloatArray]:
        """Every column of this expiry's rows (views)."""
        return {c: v[self.a : self.b] for c, v in self.cols.items()}


def _block_rows(strike: FloatArray, qb: QuoteBlock, edges: Sequence[int]) -> list[_Rows]:
    """One `_Rows` per expiry of the quotes ``qb`` of ``strike`` (expiry ``n``: rows
    ``edges[n]:edges[n + 1]``)."""
    cols = {
        "strike": strike,
        "mid": np.asarray(qb.mid, dtype=np.float64),
        "bid": np.asarray(qb.bid, dtype=np.float64),
        "ask": np.asarray(qb.ask, dtype=np.float64),
        "delta": np.asarray(qb.delta, dtype=np.float64),
        "vega": np.asarray(qb.vega, dtype=np.float64),
        "theta": np.asarray(qb.theta, dtype=np.float64),
        "forward": np.asarray(qb.forward, dtype=np.float64),
    }
    return _Rows.split(cols, edges)


def _expiry_rows(
    date: pd.Timestamp, market: MarketView, und: Underlying, exp: Expiry, right: Right
) -> _Rows:
    """Quotes of one expiry's ``right`` options, by ascending strike.

    Uses ``market.strikes`` plus one vectorised ``market.quote`` (prices only
    the options of one right of one expiry); a market without ``strikes``
    (before the markets layer added it) is read through ``market.chain``.
    """
    if hasattr(market, "strikes"):
        return _grid_rows(date, market, und, right, [exp])[0]
    qf = market.chain(date, und, exp.date).quotes
    sel = chain_mask(qf, exp.date, exp.root) & (qf["right"].to_numpy() == right)
    rows = np.flatnonzero(sel)
    out = {c: float_col(qf, c)[rows] for c in _QUOTE_COLS}
    order = np.argsort(out["strike"], kind="stable")
    return _Rows.split({c: v[order] for c, v in out.items()}, [0, len(order)])[0]


def _grid_rows(
    date: pd.Timestamp,
    market: MarketView,
    und: Underlying,
    right: Right,
    exps: Sequence[Expiry],
) -> list[_Rows]:
    """Quotes of every strike of each of ``exps`` (``right`` options), one `_Rows` each.

    `Markets.quote_grids` on the markets layer (modeled VIX options in one kernel call,
    the same floats as its ``strikes`` and ``quote``); on another `MarketView`, its
    ``strikes`` of each expiry and one ``quote`` of them all (`grid_quotes`).
    """
    dates = [e.date for e in exps]
    if isinstance(market, Markets):
        got = market.quote_grids(date, und, dates, right)
    else:
        got = grid_quotes(market, date, und, dates, right)
    return _block_rows(got.strike, got.quotes, got.edges)


def _expiry_quotes(
    date: pd.Timestamp, market: MarketView, und: Underlying, exp: Expiry, right: Right
) -> dict[str, FloatArray]:
    """Quotes of one expiry's ``right`` options by ascending strike, one array per column."""
    return _expiry_rows(date, market, und, exp, right).as_dict()


_QuoteKey = tuple[Underlying, int, str, Right]  # underlying, expiry (ns), root, right
_Pick = Expiry | NotListed | None  # a layer's expiry of a date, or why it has none


@dataclass(frozen=True)
class _Day:
    """One date's picks (layer name -> its expiry, or why none) and candidates' quotes."""

    picks: dict[str, _Pick]
    quotes: dict[_QuoteKey, _Rows]


def _fetch_day(date: pd.Timestamp, market: MarketView, layers: Sequence[HedgeLayer]) -> _Day:
    """The picks of ``layers`` at ``date`` and the quotes of their expiries.

    Per underlying one listing (``market.expiries``) and its DTEs; per underlying and
    right the quotes of every strike of the candidate expiries at once (`_grid_rows`).
    A market without ``strikes`` is read per expiry (`_expiry_rows`).
    """
    today = day_number(date)
    listed: dict[Underlying, tuple[list[Expiry], list[int]] | NotListed] = {}
    picks: dict[str, _Pick] = {}
    wanted: dict[tuple[Underlying, Right], dict[tuple[int, str], Expiry]] = {}
    for layer in layers:
        und, right = _layer_option(layer)
        got = listed.get(und)
        if got is None:
            try:
                exps = market.expiries(date, und)
                got = listed[und] = (exps, [day_number(e.date) - today for e in exps])
            except NotListed as err:  # e.g. VIX options before 2006-02-24: the layers stay idle
                got = listed[und] = err
        if isinstance(got, NotListed):
            picks[layer.name] = got
            continue
        exp = picks[layer.name] = _pick_by_dte(got[1], got[0], layer)
        if exp is not None:
            wanted.setdefault((und, right), {})[(exp.date.value, exp.root)] = exp
    quotes: dict[_QuoteKey, _Rows] = {}
    has_strikes = hasattr(market, "strikes")
    for (und, right), by_key in wanted.items():
        asked = list(by_key.values())
        if has_strikes:
            rows = _grid_rows(date, market, und, right, asked)
        else:
            rows = [_expiry_rows(date, market, und, e, right) for e in asked]
        for (ns, root), got_rows in zip(by_key, rows, strict=True):
            quotes[(und, ns, root, right)] = got_rows
    return _Day(picks, quotes)


def _candidates(layers: Sequence[HedgeLayer], day: _Day) -> list[_Candidate]:
    """(layer, its expiry or why none, the expiry's quotes) of every layer on ``day``."""
    candidates: list[_Candidate] = []
    for x in layers:
        exp = day.picks[x.name]
        rows = None
        if isinstance(exp, Expiry):
            und, right = _layer_option(x)
            rows = day.quotes[(und, exp.date.value, exp.root, right)]
        candidates.append((x, exp, rows))
    return candidates


class ExpiryQuotes:
    """The day's quotes of every hedge layer's candidate expiry, fetched on first use.

    The first `get` (or `pick`, `choice`) lists each underlying's expiries once, quotes
    the expiry `choose_hedge` would pick for each of ``layers`` (`_pick_expiry`), all
    strikes, at once per underlying and right (`_grid_rows`); the quotes of a row
    do not depend on the rows quoted with it, so each layer sees exactly what
    `_expiry_quotes` would return for its expiry alone. Layers whose underlying is not
    listed, or with no expiry in their window, are left out (their `choose_hedge`
    reports why). A market without ``strikes`` is read per expiry. `choice` makes
    every layer's `choose_hedge` at once, per cost model (one pass over the layers).
    Everything is of the one date, market and layers given: the object lives a day.
    The choices made are also kept per market (`_CHOICES`): a later `ExpiryQuotes` or
    `choose_hedge` of the same date, an equal layer and cost model (another policy
    variant of a sweep) reads them back without quoting.
    """

    def __init__(self, date: pd.Timestamp, market: MarketView, layers: Sequence[HedgeLayer]):
        self._date, self._market, self._layers = date, market, tuple(layers)
        self._quotes: dict[_QuoteKey, _Rows] | None = None
        self._picks: dict[str, Expiry | NotListed | None] = {}  # layer name -> its expiry
        self._choices: dict[CostModel, list[_Chosen]] = {}  # by cost model, one per layer
        self._index = {id(x): n for n, x in enumerate(self._layers)}  # held: ids stay unique

    def _fetch(self) -> dict[_QuoteKey, _Rows]:
        day = _fetch_day(self._date, self._market, self._layers)
        self._picks = day.picks
        return day.quotes

    def pick(self, layer: HedgeLayer) -> Expiry | None:
        """``layer``'s expiry (`_pick_expiry` of the listed ones; None: none in its window).

        Raises
        ------
        NotListed
            The layer's options are not listed at the date.
        """
        if self._quotes is None:
            self._quotes = self._fetch()
        if layer.name not in self._picks:  # not one of the layers given
            und, _ = _layer_option(layer)
            return _pick_expiry(self._date, self._market.expiries(self._date, und), layer)
        exp = self._picks[layer.name]
        if isinstance(exp, NotListed):
            raise exp
        return exp

    def covers(self, layer: HedgeLayer) -> bool:
        """Whether ``layer`` is one of the layers given (the very object)."""
        return self._at(layer) is not None

    def _at(self, layer: HedgeLayer) -> int | None:
        at = self._index.get(id(layer))
        return at if at is not None and self._layers[at] is layer else None

    def choice(self, layer: HedgeLayer, costs: CostModel) -> tuple[HedgeChoice | None, RuleFired]:
        """`choose_hedge` of one of the layers given, made for all of them at the first call
        (per cost model: the fills depend on it).

        Raises
        ------
        ValueError
            ``layer`` is not one of the layers given, or its quoted deltas are all NaN.
        """
        at = self._at(layer)
        if at is None:
            raise ValueError(f"layer {layer.name} is not one of this book's layers")
        made = self._choices.get(costs)
        if made is None:
            made = self._choices[costs] = self._recall(costs) or self._choose_all(costs)
        got = made[at]
        if isinstance(got, ValueError):
            raise got
        return got

    def _recall(self, costs: CostModel) -> list[_Chosen] | None:
        """Every layer's choice as stored on this market (`_CHOICES`: made for an equal
        layer and cost model on this date), None unless all of them are stored."""
        ns = pd.Timestamp(self._date).value  # the keys of `_choice_key`
        cost_key = spec_key(costs)
        keys = [(ns, spec_key(x), cost_key) for x in self._layers]
        first = _CHOICES.get(self._market, keys[0]) if keys else None
        if first is None:  # e.g. every day of a single run: one key looked up, not all
            return None
        rest = _CHOICES.get_many(self._market, keys[1:])
        if any(hit is None for hit in rest):
            return None
        return [first, *(hit for hit in rest if hit is not None)]

    def _choose_all(self, costs: CostModel) -> list[_Chosen]:
        """Every layer's choice (memoised per market for the later days' variants)."""
        if self._quotes is None:
            self._quotes = self._fetch()
        day = _Day(self._picks, self._quotes)
        made = _choose_many(self._date, _candidates(self._layers, day), costs)
        ns = pd.Timestamp(self._date).value  # the keys of `_choice_key`
        cost_key = spec_key(costs)
        keep = [
            ((ns, spec_key(x), cost_key), chosen)
            for x, chosen in zip(self._layers, made, strict=True)
            if not isinstance(chosen, ValueError)
        ]
        _CHOICES.put_many(self._market, keep)
        return made

    def get(self, und: Underlying, exp: Expiry, right: Right) -> dict[str, FloatArray]:
        """Quotes of ``exp``'s ``right`` options by ascending strike (as `_expiry_quotes`)."""
        return self._rows(und, exp, right).as_dict()

    def _rows(self, und: Underlying, exp: Expiry, right: Right) -> _Rows:
        if self._quotes is None:
            self._quotes = self._fetch()
        rows = self._quotes.get((und, exp.date.value, exp.root, right))
        if rows is None:  # not one of the layers' candidates
            rows = _expiry_rows(self._date, self._market, und, exp, right)
        return rows


def choose_hedge(
    date: pd.Timestamp,
    market: MarketView,
    layer: HedgeLayer,
    costs: CostModel,
    quotes: ExpiryQuotes | None = None,
) -> tuple[HedgeChoice | None, RuleFired]:
    """The option a layer buys: expiry nearest the middle of its window, strike by
    delta (nearest |delta|) or percent OTM of the forward (VIX future / SPX forward).

    Its ``fill`` is the net `CostModel` fill per unit (the long leg bought, a spread's
    short leg sold). ``quotes``: the day's `ExpiryQuotes` shared by the layers (default:
    the expiry is quoted on its own); one of its layers gets the choice it made for all
    of them at once (`ExpiryQuotes.choice`). The choice reads only the market, the
    date, the layer's spec and the cost model, so it is memoised per market on those
    (`_choice_key`, `vixshield.strategy.memo.MarketMemo`)."""
    if quotes is not None and quotes.covers(layer):
        return quotes.choice(layer, costs)
    key = _choice_key(date, layer, costs)
    hit = _CHOICES.get(market, key)
    if hit is not None:  # made on this market for an equal layer and cost model
        return hit
    und, right = _layer_option(layer)
    exp: Expiry | NotListed | None
    try:
        if quotes is not None:
            exp = quotes.pick(layer)
        else:
            exp = _pick_expiry(date, market.expiries(date, und), layer)
    except NotListed as err:  # e.g. VIX options before 2006-02-24: the layer stays idle
        exp = err
    rows = None
    if isinstance(exp, Expiry):
        rows = (
            quotes._rows(und, exp, right)
            if quotes is not None
            else _expiry_rows(date, market, und, exp, right)
        )
    got = _choose_many(date, [(layer, exp, rows)], costs)[0]
    if isinstance(got, ValueError):
        raise got
    _CHOICES.put(market, key, got)
    return got


_CHOICES_LIMIT = 50_000  # hedge choices kept per market: ~10 layer specs x 20 years of days
_CHOICES: MarketMemo[tuple[HedgeChoice | None, RuleFired]]
_CHOICES = MarketMemo(_CHOICES_LIMIT, "hedge-choices")
"""`choose_hedge` per market, by `_choice_key` (what the choice reads besides the market)."""


def _choice_key(
    date: pd.Timestamp, layer: HedgeLayer, costs: CostModel
) -> tuple[int, SpecKey, SpecKey]:
    """Everything `choose_hedge` reads besides the market: the date (ns; time of day
    kept), the layer's frozen spec (every field) and the cost model (the fills), the
    two as `vixshield.strategy.memo.spec_key` (worked out once per object)."""
    return (pd.Timestamp(date).value, spec_key(layer), spec_key(costs))


_Candidate = tuple[HedgeLayer, Expiry | NotListed | None, _Rows | None]
_Chosen = tuple[HedgeChoice | None, RuleFired] | ValueError


def _strike_rows(layer: HedgeLayer, q: _Rows, ok: np.ndarray, fwd: float) -> list[int]:
    """Rows of ``q`` (one expiry by strike) bought (first) and sold (a spread's second).

    Raises
    ------
    ValueError
        Every quoted delta is NaN (`np.nanargmin` of an all-NaN slice).
    """
    k = q.col("strike")
    if layer.strike_rule == "delta":
        dist = np.abs(q.abs_delta[q.a : q.b] - layer.strike_value)
        i = _nearest(np.where(ok, dist, np.inf))
    else:
        sign = -1.0 if _layer_option(layer)[1] == "P" else 1.0
        target = fwd * (1.0 + sign * layer.strike_value / 100.0)
        i = int(np.argmin(np.where(ok, np.abs(k - target), np.inf)))
    rows = [i]
    if layer.instrument == "vix_call_spread":
        ki = float(k[i])
        j = int(np.argmin(np.where(ok & (k > ki), np.abs(k - (ki + layer.spread_width)), np.inf)))
        if j != i and k[j] > ki:
            rows.append(j)
    return rows


def _fill(q: _Rows, rows: list[int], costs: CostModel) -> tuple[float, float]:
    """(mid, fill) per unit of the legs at ``rows`` (the first bought, a second sold).

    One leg: its mid and `CostModel.fill_one` (bit for bit `CostModel.fills`); a spread,
    or a leg without a positive mid and fill, is summed as ``ratios . values`` (`np.dot`).
    """
    mid, bid, ask = q.cols["mid"], q.cols["bid"], q.cols["ask"]
    i = q.a + rows[0]
    if len(rows) == 1:
        m = float(mid[i])
        f = costs.fill_one(m, float(bid[i]), float(ask[i]), 1.0)
        if m > 0 and f > 0:  # one leg: 1 x m + 0 is m exactly
            return m, f
    at = [q.a + r for r in rows]
    sides = np.array([1.0, -1.0][: len(rows)], dtype=np.float64)
    mids = mid[at]
    fills = costs.fills(mids, bid[at], ask[at], sides)
    return float(np.dot(sides, mids)), float(np.dot(sides, fills))


def _choose_many(
    date: pd.Timestamp, candidates: Sequence[_Candidate], costs: CostModel
) -> list[_Chosen]:
    """`choose_hedge` of every (layer, its expiry or why none, the expiry's quotes by strike).

    A leg's fill depends on its own quote only (`CostModel.fills` is elementwise). A
    layer whose deltas are all NaN gets the ValueError `np.nanargmin` raises, for its
    caller to raise.
    """
    out: list[_Chosen] = []
    today = day_number(date)
    for layer, exp, q in candidates:
        if isinstance(exp, NotListed) or exp is None or q is None:
            out.append((None, _unquoted(layer, exp, quoted=False)))
            continue
        ok = q.ok[q.a : q.b]
        if not ok.any():
            out.append((None, _unquoted(layer, exp, quoted=True)))
            continue
        fwd = nan_median(q.col("forward"))
        try:
            rows = _strike_rows(layer, q, ok, fwd)
        except ValueError as err:
            out.append(err)
            continue
        out.append(_chosen(layer, exp, q, rows, fwd, costs, today))
    return out


def _unquoted(layer: HedgeLayer, exp: Expiry | NotListed | None, *, quoted: bool) -> RuleFired:
    """Why ``layer`` has no option today: not listed, no expiry in its window (``exp``
    None, or no quotes fetched for it), or no quote with a mid (``quoted``)."""
    rule = f"hedge_select:{layer.name}"
    if isinstance(exp, NotListed):
        return RuleFired(rule, {"instrument": layer.instrument}, "fail", str(exp))
    if exp is None or not quoted:
        window = {"dte_min": layer.dte_min, "dte_max": layer.dte_max}
        return RuleFired(rule, window, "fail", "no expiry in window")
    return RuleFired(rule, {"expiry": str(exp.date.date())}, "fail", "no quotes")


def _chosen(
    layer: HedgeLayer,
    exp: Expiry,
    q: _Rows,
    rows: list[int],
    fwd: float,
    costs: CostModel,
    today: int,
) -> tuple[HedgeChoice, RuleFired]:
    """The choice of the legs at ``rows`` of ``q`` and its audit entry (day number ``today``)."""
    und, right = _layer_option(layer)
    cols, a = q.cols, q.a
    k, delta, vega, theta = cols["strike"], cols["delta"], cols["vega"], cols["theta"]
    i = a + rows[0]
    legs = [Leg(und, exp.root, exp.date, exp.settlement, float(k[i]), right, 1)]
    dl, vg, th = float(delta[i]), float(vega[i]), float(theta[i])
    if len(rows) > 1:
        j = a + rows[1]
        legs.append(Leg(und, exp.root, exp.date, exp.settlement, float(k[j]), right, -1))
        dl, vg, th = (dl - float(delta[j]), vg - float(vega[j]), th - float(theta[j]))
    m, f = _fill(q, rows, costs)
    dte = day_number(exp.date) - today  # calendar days, time of day dropped
    choice = HedgeChoice(tuple(legs), m, f, dl, vg, th, dte)
    inputs: dict[str, float | str] = {
        "expiry": _iso(exp.date),
        "strike": float(k[i]),
        "forward": fwd,
        "mid": m,
    }
    return choice, RuleFired(f"hedge_select:{layer.name}", inputs, "info", "selected")


def _nearest(distance: FloatArray) -> int:
    """``np.nanargmin(distance)`` (NaN skipped, ties: the first), without its copy when no
    distance is NaN: ``np.argmin`` returns the first NaN if there is one, else the answer."""
    i = int(distance.argmin())
    return int(np.nanargmin(distance)) if math.isnan(distance[i]) else i


@lru_cache(maxsize=4096)
def _iso(date: pd.Timestamp) -> str:
    """``str(date.date())``: an expiry's ISO date, memoised (the same expiries recur daily)."""
    return str(date.date())
