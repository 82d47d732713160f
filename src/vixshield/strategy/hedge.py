"""The Adaptive Layered VIX Hedge (ALVH): budgets, targets, rolls, monetising.

Budget to holding
-----------------
Each layer has an *annual* premium budget ``B = weight x basis``:

- "equity": basis = account equity;
- "credit": basis = annualised credit of the open condors,
  ``sum(credit x 100 x contracts) x 365 / dte_target``;
- "max_loss": basis = the max loss of the open condors (USD).

A layer holding options of tenor ``D`` days (the middle of its DTE window) and
rolling them at the end spends its premium about ``365 / D`` times a year, so
the premium to *hold* is ``B x D / 365``; that keeps spend at the budget rate.
The target is scaled by the layer multiplier (regime engine, bounded) and the
event factor.

Credit cover (``hedge.budget_cover``, off by default): the annual budget becomes
``min(weight x basis, share x credit_rate / ratio)``, share = weight / sum of the
weights, ratio = ``hedge.credit_to_hedge_min`` and ``credit_rate`` the condor credit
of the credit-to-hedge window annualised (USD per year, point in time: only the
cycles entered up to the close; `HedgeContext.credit_rate`). ``credit_rate / ratio``
is the yearly hedge spend the cap lets the credit fund, so the target sits at that
cover level and the multiplier moves it: below 1 (calm) the layers hold and spend
less than the cap allows, above 1 (stress) they may use the slack up to the cap,
which still binds on every buy. The ``target_smoothing`` audit entry then carries
the basis budget, the cover budget, the credit rate and which of the two bound.

Credit-to-hedge budget cap (`vixshield.strategy.state`): what a layer may
*spend* on a day is ``min(its basis-driven buy, share x remaining cap)``, its
share the layer's weight over the sum of the weights (0.4 / 0.4 / 0.2 for
4/4/2) and the remaining cap the window's condor credit / ratio less the
hedge premium already paid in the window. A buy is sized in whole contracts at
``fill x 100 + legs x (commission + fees)`` USD each (fill = mid +
spread_share x width, `vixshield.markets.costs.CostModel`), so it never exceeds
the layer's share. A layer whose
share is 0 builds no chain. The cap limits buys only: it never forces a sale.

Target smoothing: the layer's own target ``B x D / 365 x multiplier`` is an
exponential average over closes with half-life ``hedge.target_halflife``
(``s = s_prev + a (x - s_prev)``, ``a = 1 - 2^(-1/halflife)``): a regime flip
moves the holdings over days, not in one trade. Event pre-positioning scales
the smoothed target at once (deliberate).

Rebalancing, like a desk's ladder: the layer *buys* when its holdings' basis
``sum(max(entry_price, mark) x 100 x contracts)`` is below (1 - buy_band) x
target, up to the target. Each tranche counts at the larger of what it cost and
what it is worth: decay is not topped up (a layer re-buys when a tranche rolls
or expires or the target rises, so the spend stays at about ``B`` a year), and
a tranche that has gained counts at its value, so selling it down to the target
does not trigger a buy back the next day. It
*sells down* when the marked value exceeds (1 + sell_band) x target (or to the
target right after an event pre-positioning ends), selling only positions held
at least ``hedge.min_hold_days`` calendar days (no buy-then-sell flips) whose bid
covers the round-trip cost. The credit-to-hedge cap limits buying only: it stops
new premium, it does not force sales.

Exits: at ``roll_dte`` the position is rolled (closed; the layer buys the
replacement) - unless its bid is below the round-trip cost
``2 x legs x (commission + fees) + 100 x quoted width`` per contract: then it is
held to expiry ("expire: bid below round-trip cost") and no longer counted.
The theta-share roll (theta per day > ``roll_theta_share`` of the value) fires
only on a position still worth rolling: held ``min_hold_days`` and bid proceeds
>= ``hedge.roll_min_multiple`` x the round-trip cost (theta / value explodes as
the value goes to zero, so without this the rule sells options worth cents).
Monetise ``monetise_share`` of a position once its value reaches
``monetise_multiple`` x its cost (once per position). No rule ever sells an
option whose bid is below its round-trip cost.

Temporal theta: for a layer flagged ``temporal_theta`` (the short layer) the
measure is its held options' decay per premium dollar scaled by their time to
expiry, ``R = (|theta| / V) x DTE``, against the same for the next (medium)
layer's holdings: ``richness = R_short / R_next``. For options of similar
moneyness under a flat vol term structure ``|theta| / V ~ 1 / (2 DTE)`` so the
richness is about 1; it rises when short-dated options decay faster than
their tenor explains (short-dated vol bid, or the options far OTM). Above
``temporal_theta_ratio`` the short layer is rolled into the medium bucket: its
holdings are closed and, for the layer's ``dte_min`` calendar days, its target
is added to the next layer's. Positions held fewer than ``min_hold_days`` or
whose bid is below the round-trip cost are kept. Marks only: no chain is built
for this rule.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from vixshield._typing import FloatArray, Outcome, Right, Underlying
from vixshield.errors import NotListed
from vixshield.markets.costs import CONTRACT_MULTIPLIER, CostModel
from vixshield.markets.types import Expiry, MarketView
from vixshield.strategy.condor import chain_mask, day_number, float_col, nan_median
from vixshield.strategy.marks import PositionMark, close_cash
from vixshield.strategy.memo import MarketMemo
from vixshield.strategy.policy import HedgeLayer, HedgePolicy
from vixshield.strategy.types import Leg, Order, Position, RuleFired

__all__ = [
    "ExpiryQuotes",
    "HedgeChoice",
    "HedgeContext",
    "HedgeMemory",
    "LayerPlan",
    "annual_budget",
    "buy_cost",
    "capped_contracts",
    "choose_hedge",
    "plan_hedges",
    "round_trip_cost",
    "sale_proceeds",
    "smooth",
    "target_premium",
]

_MULT = CONTRACT_MULTIPLIER  # VIX and SPX option multiplier, USD per point


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


@dataclass(frozen=True)
class LayerPlan:
    """One layer's target versus holdings, and its orders.

    ``premium_flow`` is the net premium at mid (USD, buys positive);
    ``premium_paid`` the buys at the modeled fill plus costs and ``proceeds``
    the sales at the modeled fill less costs (USD, both >= 0): `buy_cost`,
    `sale_proceeds`.
    """

    layer: str
    details: dict[str, float | int | str]
    orders: tuple[Order, ...]
    audit: tuple[RuleFired, ...]
    premium_flow: float = 0.0
    monetised: frozenset[str] = field(default_factory=frozenset)
    prepositioned: bool = False
    moved_until: str | None = None
    smoothed_target: float = math.nan
    premium_paid: float = 0.0
    proceeds: float = 0.0


def buy_cost(choice: HedgeChoice, costs: CostModel) -> float:
    """USD paid per contract bought: ``fill x 100 + commission and fees of its legs``.

    ``fill`` is the modeled fill of `choose_hedge` (`CostModel.fills`: mid + spread_share
    x width per leg bought, the floored sell fill per leg sold), the commission and fees
    `CostModel.charges`: the rule the execution layer books the buy at.
    """
    return choice.fill * _MULT + costs.per_contract * sum(abs(leg.ratio) for leg in choice.legs)


def capped_contracts(by_target: int, layer_cap: float, cost_each: float) -> int:
    """Contracts a layer buys: ``max(min(by_target, floor(layer_cap / cost_each)), 0)``.

    ``by_target`` contracts would bring the layer to its target; ``layer_cap``
    (USD, inf: none) is its share of the remaining credit-to-hedge budget and
    ``cost_each`` (USD, > 0) what one contract costs with costs (`buy_cost`), so
    the premium paid ``n x cost_each`` never exceeds ``layer_cap``.
    """
    if not math.isfinite(layer_cap):
        return max(by_target, 0)
    if not (cost_each > 0) or not (layer_cap > 0):
        return 0
    return max(min(by_target, math.floor(layer_cap / cost_each)), 0)


def sale_proceeds(
    position: Position, contracts: int, mark: PositionMark, costs: CostModel
) -> float:
    """Modeled USD proceeds of selling ``contracts`` of a hedge position.

    `vixshield.strategy.marks.close_cash`: every leg closed at its `CostModel` fill
    (sells floored at 0), less commission and fees per contract per leg.
    """
    return close_cash(position, mark, costs, contracts)


def annual_budget(
    layer: HedgeLayer,
    basis: str,
    equity: float,
    condors: Sequence[Position],
    dte_target: int,
) -> float:
    """Annual premium budget of ``layer`` on its basis, USD per year (module docstring).

    The ``hedge.budget_cover`` bound is applied on top of it by the layer's target
    (`HedgeContext.credit_rate`).
    """
    if basis == "equity":
        base = equity
    elif basis == "credit":
        credit = sum(-p.entry_price * _MULT * p.contracts for p in condors)
        base = credit * 365.0 / dte_target
    else:
        base = 0.0
        for p in condors:
            puts = sorted(leg.strike for leg in p.legs if leg.right == "P")
            calls = sorted(leg.strike for leg in p.legs if leg.right == "C")
            width = max(puts[-1] - puts[0] if puts else 0.0, calls[-1] - calls[0] if calls else 0.0)
            base += (width + p.entry_price) * _MULT * p.contracts
    return layer.weight * max(base, 0.0)


def target_premium(budget: float, layer: HedgeLayer, multiplier: float) -> float:
    """Premium to hold (USD): ``budget x D / 365 x multiplier``, D the mid-window tenor in days."""
    tenor = 0.5 * (layer.dte_min + layer.dte_max)
    return budget * tenor / 365.0 * multiplier


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


def _quote_strikes(
    date: pd.Timestamp,
    market: MarketView,
    und: Underlying,
    right: Right,
    grids: Sequence[tuple[Expiry, FloatArray]],
) -> list[dict[str, FloatArray]]:
    """Quotes of the ``right`` options at the (sorted) strikes of every expiry in ``grids``,
    in one vectorised ``market.quote`` call; one column dict per expiry."""
    n = [len(k) for _, k in grids]
    expiry = list(itertools.chain.from_iterable([e.date] * len(k) for e, k in grids))
    k_all = np.concatenate([k for _, k in grids]) if grids else np.empty(0)
    qb = market.quote(date, und, expiry, k_all, [right] * len(k_all))
    cols = {
        "strike": k_all,
        "mid": qb.mid,
        "bid": qb.bid,
        "ask": qb.ask,
        "delta": qb.delta,
        "vega": qb.vega,
        "theta": qb.theta,
        "forward": qb.forward,
    }
    full = {c: np.asarray(v, dtype=np.float64) for c, v in cols.items()}
    edges = np.cumsum([0, *n]).tolist()
    return [{c: v[a:b] for c, v in full.items()} for a, b in itertools.pairwise(edges)]


def _expiry_quotes(
    date: pd.Timestamp, market: MarketView, und: Underlying, exp: Expiry, right: Right
) -> dict[str, FloatArray]:
    """Quotes of one expiry's ``right`` options, by ascending strike.

    Uses ``market.strikes`` plus one vectorised ``market.quote`` (prices only
    the options of one right of one expiry); a market without ``strikes``
    (before the markets layer added it) is read through ``market.chain``.
    """
    strikes = getattr(market, "strikes", None)
    if strikes is not None:
        k = np.sort(np.asarray(strikes(date, und, exp.date), dtype=np.float64))
        return _quote_strikes(date, market, und, right, [(exp, k)])[0]
    qf = market.chain(date, und, exp.date).quotes
    sel = chain_mask(qf, exp.date, exp.root) & (qf["right"].to_numpy() == right)
    rows = np.flatnonzero(sel)
    out = {c: float_col(qf, c)[rows] for c in _QUOTE_COLS}
    order = np.argsort(out["strike"], kind="stable")
    return {c: v[order] for c, v in out.items()}


class ExpiryQuotes:
    """The day's quotes of every hedge layer's candidate expiry, fetched on first use.

    The first `get` (or `pick`, `choice`) lists each underlying's expiries once, quotes
    the expiry `choose_hedge` would pick for each of ``layers`` (`_pick_expiry`), all
    strikes, in one ``market.quote`` call per underlying and right; the quotes of a row
    do not depend on the rows quoted with it, so each layer sees exactly what
    `_expiry_quotes` would return for its expiry alone. Layers whose underlying is not
    listed, or with no expiry in their window, are left out (their `choose_hedge`
    reports why). A market without ``strikes`` is read per expiry. `choice` makes
    every layer's `choose_hedge` at once, per cost model (one `CostModel.fills` call).
    Everything is of the one date, market and layers given: the object lives a day.
    The choices made are also kept per market (`vixshield.strategy.memo`): a later
    `ExpiryQuotes` or `choose_hedge` of the same date, an equal layer and cost model
    (another policy variant of a sweep) reads them back without quoting.
    """

    def __init__(self, date: pd.Timestamp, market: MarketView, layers: Sequence[HedgeLayer]):
        self._date, self._market, self._layers = date, market, tuple(layers)
        self._quotes: dict[tuple[Underlying, int, str, Right], dict[str, FloatArray]] | None
        self._quotes = None
        self._picks: dict[str, Expiry | NotListed | None] = {}  # layer name -> its expiry
        self._choices: dict[CostModel, list[_Chosen]] = {}  # by cost model, one per layer
        self._index = {id(x): n for n, x in enumerate(self._layers)}  # held: ids stay unique

    def _fetch(self) -> dict[tuple[Underlying, int, str, Right], dict[str, FloatArray]]:
        date, market = self._date, self._market
        today = day_number(date)
        listed: dict[Underlying, tuple[list[Expiry], list[int]] | NotListed] = {}
        groups: dict[tuple[Underlying, Right], dict[tuple[int, str], Expiry]] = {}
        for layer in self._layers:
            und, right = _layer_option(layer)
            if und not in listed:  # one listing per underlying for all its layers
                try:
                    found = market.expiries(date, und)
                    listed[und] = (found, [day_number(e.date) - today for e in found])
                except NotListed as err:
                    listed[und] = err
            got = listed[und]
            if isinstance(got, NotListed):
                self._picks[layer.name] = got
                continue
            exp = self._picks[layer.name] = _pick_by_dte(got[1], got[0], layer)
            if exp is not None:
                groups.setdefault((und, right), {})[(exp.date.value, exp.root)] = exp
        out: dict[tuple[Underlying, int, str, Right], dict[str, FloatArray]] = {}
        strikes = getattr(market, "strikes", None)
        for (und, right), exps in groups.items():
            if strikes is None:
                for (d, root), e in exps.items():
                    out[(und, d, root, right)] = _expiry_quotes(date, market, und, e, right)
                continue
            grids = [
                (e, np.sort(np.asarray(strikes(date, und, e.date), dtype=np.float64)))
                for e in exps.values()
            ]
            blocks = _quote_strikes(date, market, und, right, grids)
            for (d, root), arr in zip(exps, blocks, strict=True):
                out[(und, d, root, right)] = arr
        return out

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
        hit = _CHOICES.get(self._market, _choice_key(self._date, layer, costs))
        if hit is not None:  # made on this market for an equal layer and cost model
            return hit
        made = self._choices.get(costs)
        if made is None:
            if self._quotes is None:
                self._quotes = self._fetch()
            candidates: list[_Candidate] = []
            for x in self._layers:
                und, right = _layer_option(x)
                exp = self._picks[x.name]
                arr = (
                    self._quotes[(und, exp.date.value, exp.root, right)]
                    if isinstance(exp, Expiry)
                    else None
                )
                candidates.append((x, exp, arr))
            made = self._choices[costs] = _choose_many(self._date, candidates, costs)
            for x, chosen in zip(self._layers, made, strict=True):
                if not isinstance(chosen, ValueError):
                    _CHOICES.put(self._market, _choice_key(self._date, x, costs), chosen)
        got = made[at]
        if isinstance(got, ValueError):
            raise got
        return got

    def get(self, und: Underlying, exp: Expiry, right: Right) -> dict[str, FloatArray]:
        """Quotes of ``exp``'s ``right`` options by ascending strike (as `_expiry_quotes`)."""
        if self._quotes is None:
            self._quotes = self._fetch()
        arr = self._quotes.get((und, exp.date.value, exp.root, right))
        if arr is None:  # not one of the layers' candidates
            arr = _expiry_quotes(self._date, self._market, und, exp, right)
        return arr


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
    arr = None
    if isinstance(exp, Expiry):
        arr = (
            quotes.get(und, exp, right)
            if quotes is not None
            else _expiry_quotes(date, market, und, exp, right)
        )
    got = _choose_many(date, [(layer, exp, arr)], costs)[0]
    if isinstance(got, ValueError):
        raise got
    _CHOICES.put(market, key, got)
    return got


_CHOICES_LIMIT = 50_000  # hedge choices kept per market: ~10 layer specs x 20 years of days
_CHOICES: MarketMemo[tuple[HedgeChoice | None, RuleFired]] = MarketMemo(_CHOICES_LIMIT)
"""`choose_hedge` per market, by `_choice_key` (what the choice reads besides the market)."""


def _choice_key(
    date: pd.Timestamp, layer: HedgeLayer, costs: CostModel
) -> tuple[int, HedgeLayer, CostModel]:
    """Everything `choose_hedge` reads besides the market: the date (ns; time of day
    kept), the layer's frozen spec (every field) and the cost model (the fills)."""
    return (pd.Timestamp(date).value, layer, costs)


_Candidate = tuple[HedgeLayer, Expiry | NotListed | None, dict[str, FloatArray] | None]
_Chosen = tuple[HedgeChoice | None, RuleFired] | ValueError


def _strike_rows(
    layer: HedgeLayer, arr: Mapping[str, FloatArray], ok: np.ndarray, fwd: float
) -> list[int]:
    """Rows of ``arr`` (one expiry by strike) bought (first) and sold (a spread's second).

    Raises
    ------
    ValueError
        Every quoted delta is NaN (`np.nanargmin` of an all-NaN slice).
    """
    k = arr["strike"]
    if layer.strike_rule == "delta":
        i = _nearest(np.where(ok, np.abs(np.abs(arr["delta"]) - layer.strike_value), np.inf))
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


def _choose_many(
    date: pd.Timestamp, candidates: Sequence[_Candidate], costs: CostModel
) -> list[_Chosen]:
    """`choose_hedge` of every (layer, its expiry or why none, the expiry's quotes by strike).

    The strikes are chosen layer by layer, then every chosen leg is filled in one
    `CostModel.fills` call (a leg's fill depends on its own quote only). A layer whose
    deltas are all NaN gets the ValueError `np.nanargmin` raises, for its caller to raise.
    """
    out: list[_Chosen | None] = []
    picked: list[tuple[int, HedgeLayer, Expiry, Mapping[str, FloatArray], list[int], float]] = []
    for layer, exp, arr in candidates:
        rule = f"hedge_select:{layer.name}"
        if isinstance(exp, NotListed):
            out.append((None, RuleFired(rule, {"instrument": layer.instrument}, "fail", str(exp))))
            continue
        if exp is None or arr is None:
            window = {"dte_min": layer.dte_min, "dte_max": layer.dte_max}
            out.append((None, RuleFired(rule, window, "fail", "no expiry in window")))
            continue
        ok = arr["mid"] > 0
        if not ok.any():
            where = {"expiry": str(exp.date.date())}
            out.append((None, RuleFired(rule, where, "fail", "no quotes")))
            continue
        fwd = nan_median(arr["forward"])
        try:
            rows = _strike_rows(layer, arr, ok, fwd)
        except ValueError as err:
            out.append(err)
            continue
        picked.append((len(out), layer, exp, arr, rows, fwd))
        out.append(None)
    legs_q = [(p[3], r, 1 if n == 0 else -1) for p in picked for n, r in enumerate(p[4])]
    mids = np.array([float(a["mid"][r]) for a, r, _ in legs_q], dtype=np.float64)
    bids = np.array([float(a["bid"][r]) for a, r, _ in legs_q], dtype=np.float64)
    asks = np.array([float(a["ask"][r]) for a, r, _ in legs_q], dtype=np.float64)
    sides = np.array([s for *_, s in legs_q], dtype=np.float64)
    fills = costs.fills(mids, bids, asks, sides) if legs_q else mids
    first = 0
    today = day_number(date)
    for at, layer, exp, q, rows, fwd in picked:
        und, right = _layer_option(layer)
        k, delta, vega, theta = q["strike"], q["delta"], q["vega"], q["theta"]
        i = rows[0]
        legs = [Leg(und, exp.root, exp.date, exp.settlement, float(k[i]), right, 1)]
        dl, vg, th = float(delta[i]), float(vega[i]), float(theta[i])
        if len(rows) > 1:
            j = rows[1]
            legs.append(Leg(und, exp.root, exp.date, exp.settlement, float(k[j]), right, -1))
            dl, vg, th = (dl - delta[j], vg - vega[j], th - theta[j])
        last = first + len(rows)
        m, f = float(mids[first]), float(fills[first])
        if len(rows) > 1 or not (m > 0 and f > 0):  # one leg: 1 x m + 0 is m exactly
            ratios = sides[first:last]
            m, f = float(np.dot(ratios, mids[first:last])), float(np.dot(ratios, fills[first:last]))
        first = last
        dte = day_number(exp.date) - today  # calendar days, time of day dropped
        choice = HedgeChoice(tuple(legs), m, f, float(dl), float(vg), float(th), dte)
        inputs: dict[str, float | str] = {
            "expiry": str(exp.date.date()),
            "strike": float(k[i]),
            "forward": fwd,
            "mid": m,
        }
        out[at] = (choice, RuleFired(f"hedge_select:{layer.name}", inputs, "info", "selected"))
    return [x for x in out if x is not None]


def _nearest(distance: FloatArray) -> int:
    """``np.nanargmin(distance)`` (NaN skipped, ties: the first), without its copy when no
    distance is NaN: ``np.argmin`` returns the first NaN if there is one, else the answer."""
    i = int(np.argmin(distance))
    return int(np.nanargmin(distance)) if math.isnan(distance[i]) else i


def _richness(held: Sequence[tuple[Position, int, PositionMark]]) -> float:
    """Held options' ``sum(|theta| n) / sum(V n) x mean DTE`` (see module docstring)."""
    value = sum(m.value * n for _, n, m in held)
    theta = sum(abs(m.theta) * n for _, n, m in held)
    dte = sum(m.dte * m.value * n for _, n, m in held) / value if value > 0 else math.nan
    return theta / value * dte if value > 0 else math.nan


def round_trip_cost(position: Position, mark: PositionMark, costs: CostModel) -> float:
    """Round-trip cost of one contract of a hedge position, USD.

    ``2 x legs x (commission + fees) + 100 x spread``: commission and fees in
    and out on every leg, plus the whole quoted width (half paid on the way in,
    half on the way out, at a mid fill model). A position whose bid proceeds
    ``100 x bid_value`` are below this is never sold: it is held to expiry.
    """
    contracts = sum(abs(leg.ratio) for leg in position.legs)
    return 2.0 * costs.per_contract * contracts + _MULT * max(mark.spread, 0.0)


def _sellable(p: Position, m: PositionMark, costs: CostModel) -> tuple[bool, float, float]:
    """(bid proceeds >= round-trip cost, proceeds, round-trip cost), USD per contract."""
    rt = round_trip_cost(p, m, costs)
    proceeds = m.bid_value * _MULT if math.isfinite(m.bid_value) else m.value * _MULT
    return proceeds >= rt, proceeds, rt


def _held_days(p: Position, date: pd.Timestamp) -> int:
    return int((pd.Timestamp(date).normalize() - pd.Timestamp(p.opened).normalize()).days)


@dataclass(frozen=True)
class HedgeContext:
    """What every hedge layer reads at one close.

    Attributes
    ----------
    date : Timestamp
        The close.
    market : MarketView
        Chains and quotes (a chain is built only when a layer buys).
    positions : tuple of Position
        The open positions (condors and hedges of every layer).
    marks : Mapping
        Position id -> `PositionMark` at the close.
    equity : float
        Account equity, USD (the "equity" budget basis).
    multipliers : Mapping
        Layer name -> budget multiplier of the regime engine.
    days_to_events : Mapping
        Event kind -> trading days to its next known date (NaN: none known).
    costs : CostModel
        The fill and cost model.
    cap : float
        Remaining credit-to-hedge budget of the day, USD (inf: no cap;
        `vixshield.strategy.state.CreditBudget.remaining`).
    condor_dte_target : int
        The condors' target DTE, days (annualises the "credit" basis).
    expiry_quotes : ExpiryQuotes, optional
        The day's quotes of the layers' candidate expiries (`plan_hedges` sets it).
    cycles : tuple of (date, credit)
        The condor cycles of the credit-to-hedge window up to today (ISO entry
        date, net credit USD; `vixshield.strategy.state.StrategyState.cycles`),
        oldest first: the `credit_rate` of the ``hedge.budget_cover`` bound.
    """

    date: pd.Timestamp
    market: MarketView
    positions: tuple[Position, ...]
    marks: Mapping[str, PositionMark]
    equity: float
    multipliers: Mapping[str, float]
    days_to_events: Mapping[str, float]
    costs: CostModel
    cap: float = math.inf
    condor_dte_target: int = 52
    expiry_quotes: ExpiryQuotes | None = None
    cycles: tuple[tuple[str, float], ...] = ()

    @property
    def credit_rate(self) -> float:
        """The window's condor credit annualised, USD per year (0 with no cycle).

        Notes
        -----
        ``rate = max(C, 0) x 365 / days``, ``C`` the net credit of the window's
        cycles (entered at ``t_1 .. t_N``, calendar days), ``days = max(T - t_1,
        N / (N - 1) x (t_N - t_1))`` at the close ``T``: the span of the window,
        but at least ``N`` entry intervals at the window's own mean spacing, so
        the rate holds still between entries and on the day a cycle ages out, and
        decays as ``1 / (T - t_1)`` once entries stop. With one cycle (or all on
        one day) the spacing is unknown and the floor is ``condor_dte_target``
        days: the credit of one condor earned over its life.
        """
        if not self.cycles:
            return 0.0
        credit = sum(c for _, c in self.cycles)
        if not (math.isfinite(credit) and credit > 0):
            return 0.0
        t_1, t_n = (pd.Timestamp(self.cycles[i][0]) for i in (0, -1))
        n = len(self.cycles)
        spread = (t_n - t_1).days
        floor = n / (n - 1) * spread if n > 1 and spread > 0 else float(self.condor_dte_target)
        days = max((pd.Timestamp(self.date).normalize() - t_1).days, floor, 1.0)
        return credit * 365.0 / days

    def held(self, layer: str) -> list[Position]:
        """The open hedges of ``layer``."""
        return [p for p in self.positions if p.kind == "hedge" and p.layer == layer]

    @property
    def condors(self) -> list[Position]:
        """The open condors."""
        return [p for p in self.positions if p.kind == "condor"]


@dataclass(frozen=True)
class HedgeMemory:
    """The hedge layers' slice of the strategy state at the previous close.

    ``monetised``: hedge ids already partly sold by the monetise rule;
    ``prepositioned``: layers scaled up ahead of an event; ``moved``: layer -> ISO date
    until which its target goes to the next layer (temporal theta); ``smoothed``:
    layer -> its smoothed own target premium (USD).
    """

    monetised: frozenset[str] = frozenset()
    prepositioned: frozenset[str] = frozenset()
    moved: Mapping[str, str] = field(default_factory=dict)
    smoothed: Mapping[str, float] = field(default_factory=dict)


_Held = list[tuple[Position, int, PositionMark]]


@dataclass(frozen=True)
class _Step:
    """Orders, audit entries and the net premium at mid (USD, buys > 0) of one rule."""

    orders: tuple[Order, ...] = ()
    audit: tuple[RuleFired, ...] = ()
    flow: float = 0.0


def _fired(rule: str, inputs: Mapping[str, float | str], outcome: Outcome, note: str) -> RuleFired:
    return RuleFired(rule, dict(inputs), outcome, note)


def _exits(
    ctx: HedgeContext, hp: HedgePolicy, layer: HedgeLayer, monetised: frozenset[str]
) -> tuple[_Step, set[str], _Held]:
    """Rolls (DTE floor, theta share) and monetising; returns the remaining holdings.

    DTE floor: at ``dte <= roll_dte`` the position is closed if its bid covers
    the round-trip cost, else held to expiry ("expire"); either way it stops
    counting towards the layer's holdings, so the layer buys its replacement.
    Theta share: ``|theta| > roll_theta_share x value`` closes the position only
    if it has been held ``min_hold_days`` and its bid proceeds are at least
    ``roll_min_multiple`` x the round-trip cost ("worth rolling"); otherwise it
    is kept (and counted) until the DTE floor.
    """
    date, costs, name = ctx.date, ctx.costs, layer.name
    orders: list[Order] = []
    audit: list[RuleFired] = []
    flow = 0.0
    new_monetised: set[str] = set()
    remaining: _Held = []

    def close(p: Position, n: int, why: str) -> None:
        orders.append(Order("close", "hedge", p.legs, n, why, p.id, layer=name))

    for p in ctx.held(name):
        m = ctx.marks.get(p.id)
        if m is None or math.isnan(m.value):
            audit.append(_fired(f"mark:{name}", {"id": p.id}, "warn", "no mark: held, not counted"))
            continue
        unit = m.value * _MULT  # USD per contract at mid
        ok, proceeds, rt = _sellable(p, m, costs)
        if m.dte <= layer.roll_dte:
            inputs: dict[str, float | str] = {
                "id": p.id,
                "dte": m.dte,
                "floor": layer.roll_dte,
                "bid_proceeds": proceeds,
                "round_trip_cost": rt,
            }
            if ok:
                close(p, p.contracts, "roll: dte floor")
                audit.append(_fired(f"roll:{name}", inputs, "info", "roll"))
                flow -= unit * p.contracts
            else:
                why = "expire: bid below round-trip cost"
                audit.append(_fired(f"roll:{name}", inputs, "warn", why))
            continue
        if m.value > 0 and abs(m.theta) > layer.roll_theta_share * m.value:
            days = _held_days(p, date)
            worth = proceeds >= hp.roll_min_multiple * rt
            inputs = {
                "id": p.id,
                "theta": m.theta,
                "value": m.value,
                "share": layer.roll_theta_share,
                "held_days": days,
                "min_hold_days": hp.min_hold_days,
                "bid_proceeds": proceeds,
                "round_trip_cost": rt,
                "min_multiple": hp.roll_min_multiple,
            }
            if days >= hp.min_hold_days and worth:
                close(p, p.contracts, "roll: theta")
                audit.append(_fired(f"roll_theta:{name}", inputs, "info", "roll"))
                flow -= unit * p.contracts
                continue
            why = "hold: minimum holding period" if worth else "hold: not worth rolling"
            audit.append(_fired(f"roll_theta:{name}", inputs, "info", why))
        n = p.contracts
        if (
            p.id not in monetised
            and p.entry_price > 0
            and m.value >= layer.monetise_multiple * p.entry_price
            and ok
        ):
            k = min(n, max(1, math.floor(layer.monetise_share * n)))
            close(p, k, f"monetise at {m.value / p.entry_price:.2f}x cost")
            inputs = {
                "id": p.id,
                "value": m.value,
                "cost": p.entry_price,
                "multiple": layer.monetise_multiple,
            }
            audit.append(_fired(f"monetise:{name}", inputs, "info", f"sell {k} of {n}"))
            new_monetised.add(p.id)
            flow -= unit * k
            n -= k
        if n > 0:
            remaining.append((p, n, m))
    return _Step(tuple(orders), tuple(audit), flow), new_monetised, remaining


def smooth(previous: float | None, value: float, halflife: float) -> float:
    """One step of an exponential average with ``halflife`` steps (0: no smoothing).

    ``s = s_prev + a (x - s_prev)`` with ``a = 1 - 2^(-1/halflife)``; the first
    value (``previous`` None or not finite) starts the average.
    """
    if previous is None or not math.isfinite(previous) or halflife <= 0:
        return value
    a = 1.0 - math.pow(2.0, -1.0 / halflife)
    return previous + a * (value - previous)


@dataclass(frozen=True)
class _Target:
    """A layer's own target of the day (USD) and what set it."""

    budget: float
    multiplier: float
    in_window: bool
    event_scale: float
    smoothed: float
    audit: tuple[RuleFired, ...]

    @property
    def own(self) -> float:
        """The smoothed target times the event factor."""
        return self.smoothed * self.event_scale


def _layer_target(
    ctx: HedgeContext, hp: HedgePolicy, layer: HedgeLayer, memory: HedgeMemory
) -> _Target:
    """Budget -> smoothed target -> event pre-positioning (see the module docstring).

    Reads the layer's budget basis, multiplier, the events' distances and the previous
    smoothed target; decides the layer's own target premium of the day.
    """
    name = layer.name
    budget = annual_budget(layer, hp.budget_basis, ctx.equity, ctx.condors, ctx.condor_dte_target)
    cover_inputs: dict[str, float | str] = {}
    if hp.budget_cover:  # bounded by the spend the condor credit funds (module docstring)
        weights = sum(x.weight for x in hp.layers)
        share = layer.weight / weights if weights > 0 else 0.0
        rate = ctx.credit_rate
        cover = share * rate / hp.credit_to_hedge_min
        cover_inputs = {
            "basis_budget": budget,
            "cover_budget": cover,
            "credit_rate": rate,
            "budget_bound": "cover" if cover < budget else "basis",
        }
        budget = min(budget, cover)
    mult = ctx.multipliers.get(name, 1.0)
    audit: list[RuleFired] = []
    near = [
        d
        for d in (ctx.days_to_events.get(k, math.nan) for k in layer.event_kinds)
        if not math.isnan(d)
    ]
    in_window = layer.event_scale != 1.0 and bool(near) and min(near) <= layer.event_days_before
    ev_scale = layer.event_scale if in_window else 1.0
    if layer.event_scale != 1.0:
        inputs: dict[str, float | str] = {
            "days_to_event": min(near) if near else "none",
            "before": layer.event_days_before,
        }
        note = f"scale x{ev_scale:g}" if in_window else "off"
        audit.append(_fired(f"event_preposition:{name}", inputs, "info", note))
    raw = target_premium(budget, layer, mult)
    own_s = smooth(memory.smoothed.get(name), raw, hp.target_halflife)
    inputs = {
        "raw": raw,
        "previous": memory.smoothed.get(name, "none"),
        "halflife": hp.target_halflife,
        **cover_inputs,
    }
    audit.append(_fired(f"target_smoothing:{name}", inputs, "info", f"target {own_s:.0f}"))
    return _Target(budget, mult, in_window, ev_scale, own_s, tuple(audit))


def _temporal_theta(
    ctx: HedgeContext,
    hp: HedgePolicy,
    li: int,
    remaining: _Held,
    moved_until: str | None,
) -> tuple[_Step, _Held, str | None]:
    """The temporal theta roll of layer ``li`` into the next (see the module docstring).

    Reads the layer's remaining holdings and the next layer's marks; returns its
    closing orders, the holdings kept and the date until which its target is moved.
    """
    layer = hp.layers[li]
    if not (layer.temporal_theta and li + 1 < len(hp.layers)) or moved_until or not remaining:
        return _Step(), remaining, moved_until
    nxt = hp.layers[li + 1].name
    held_next = [(p, p.contracts, ctx.marks[p.id]) for p in ctx.held(nxt) if p.id in ctx.marks]
    rich = _richness(remaining) / _richness(held_next) if held_next else math.nan
    fire = rich > hp.temporal_theta_ratio
    inputs: dict[str, float | str] = {
        "richness": rich if not math.isnan(rich) else "missing",
        "limit": hp.temporal_theta_ratio,
    }
    rule = f"temporal_theta:{layer.name}"
    audit = [_fired(rule, inputs, "info", f"roll into {nxt}" if fire else "keep")]
    if not fire:
        return _Step((), tuple(audit)), remaining, moved_until
    orders: list[Order] = []
    flow = 0.0
    kept: _Held = []
    for p, n, m in remaining:
        young = _held_days(p, ctx.date) < hp.min_hold_days
        if young or not _sellable(p, m, ctx.costs)[0]:
            kept.append((p, n, m))  # too young to sell, or worth less than costs
            continue
        why = f"temporal theta: roll into {nxt}"
        orders.append(Order("close", "hedge", p.legs, n, why, p.id, layer=layer.name))
        flow -= m.value * _MULT * n
    until = str((pd.Timestamp(ctx.date) + pd.Timedelta(days=layer.dte_min)).date())
    return _Step(tuple(orders), tuple(audit), flow), kept, until


@dataclass(frozen=True)
class _Rebalance:
    """The rebalance rule's orders and the buy it chose (None: nothing bought)."""

    step: _Step
    paid: float = 0.0
    choice: HedgeChoice | None = None


def _sell_down(
    ctx: HedgeContext,
    hp: HedgePolicy,
    layer: HedgeLayer,
    target: float,
    remaining: _Held,
    held_premium: float,
    ended: bool,
) -> _Step:
    """Sell the nearest expiries down to ``target`` (those held long enough and sellable)."""
    excess = held_premium - target
    blocked = 0
    orders: list[Order] = []
    flow = 0.0
    for p, n, m in sorted(remaining, key=lambda x: x[2].dte):
        unit = m.value * _MULT
        if excess <= 0 or unit <= 0:
            break
        if _held_days(p, ctx.date) < hp.min_hold_days or not _sellable(p, m, ctx.costs)[0]:
            blocked += n
            continue
        k = min(n, math.floor(excess / unit))
        if k > 0:
            why = "event passed" if ended else "above target"
            orders.append(Order("close", "hedge", p.legs, k, why, p.id, layer=layer.name))
            excess -= k * unit
            flow -= k * unit
    inputs: dict[str, float | str] = {
        "held": held_premium,
        "target": target,
        "min_hold_days": hp.min_hold_days,
        "contracts_held_back": blocked,
    }
    audit = (_fired(f"rebalance:{layer.name}", inputs, "info", "sell down"),)
    return _Step(tuple(orders), audit, flow)


def _buy_up(
    ctx: HedgeContext,
    layer: HedgeLayer,
    target: float,
    held_basis: float,
    layer_cap: float,
    share: float,
    mult: float,
) -> _Rebalance:
    """Buy up to ``target`` within ``layer_cap`` (USD), the option of `choose_hedge`."""
    name = layer.name
    choice, rf = choose_hedge(ctx.date, ctx.market, layer, ctx.costs, ctx.expiry_quotes)
    audit = [rf]
    orders: list[Order] = []
    bought, paid, flow = 0, 0.0, 0.0
    if choice is not None and choice.decay_rate > layer.roll_theta_share:
        inputs: dict[str, float | str] = {
            "decay_rate": choice.decay_rate,
            "roll_theta_share": layer.roll_theta_share,
        }
        audit.append(
            _fired(f"hedge_decay:{name}", inputs, "fail", "would roll at once; not bought")
        )
        choice = None
    if choice is not None and choice.fill > 0:
        by_target = math.floor((target - held_basis) / (choice.fill * _MULT))
        each = buy_cost(choice, ctx.costs)
        bought = capped_contracts(by_target, layer_cap, each)
        by_cap: float | str = math.floor(layer_cap / each) if math.isfinite(layer_cap) else "inf"
        inputs = {
            "share": share,
            "cap": layer_cap if math.isfinite(layer_cap) else "inf",
            "cost_per_contract": each,
            "by_target": by_target,
            "by_cap": by_cap,
        }
        capped = bought < by_target
        audit.append(
            _fired(
                f"credit_budget:{name}",
                inputs,
                "warn" if capped else "pass",
                "capped" if capped else "within cap",
            )
        )
        if bought > 0:
            why = f"buy to target (x{mult:g} regime)"
            orders.append(Order("open", "hedge", choice.legs, bought, why, layer=name))
            flow = bought * choice.fill * _MULT
            paid = bought * each
    inputs = {"held_basis": held_basis, "target": target}
    audit.append(_fired(f"rebalance:{name}", inputs, "info", f"buy {bought}"))
    return _Rebalance(_Step(tuple(orders), tuple(audit), flow), paid, choice)


def _rebalance(
    ctx: HedgeContext,
    hp: HedgePolicy,
    layer: HedgeLayer,
    target: float,
    share: float,
    remaining: _Held,
    ended: bool,
    mult: float,
) -> _Rebalance:
    """Sell down above the band, buy up below it within the layer's share of the cap.

    Holdings count at ``held_premium`` (marked value) for selling and ``held_basis``
    (the larger of cost and value per tranche) for buying (module docstring).
    """
    layer_cap = share * ctx.cap if ctx.cap > 0 else 0.0
    held_premium = sum(m.value * _MULT * n for _, n, m in remaining)
    held_basis = sum(max(p.entry_price, m.value, 0.0) * _MULT * n for p, n, m in remaining)
    sell_to = target if ended else (1.0 + hp.sell_band) * target
    if held_premium > sell_to and remaining:
        return _Rebalance(_sell_down(ctx, hp, layer, target, remaining, held_premium, ended))
    if not (target > 0 and held_basis < (1.0 - hp.buy_band) * target):
        return _Rebalance(_Step())
    if layer_cap <= 0:
        inputs: dict[str, float | str] = {
            "held_basis": held_basis,
            "target": target,
            "share": share,
            "cap": 0.0,
        }
        why = "no credit-to-hedge budget; not bought"
        return _Rebalance(_Step((), (_fired(f"credit_budget:{layer.name}", inputs, "fail", why),)))
    return _buy_up(ctx, layer, target, held_basis, layer_cap, share, mult)


def _plan_layer(
    ctx: HedgeContext, hp: HedgePolicy, li: int, memory: HedgeMemory, carry: float
) -> tuple[LayerPlan, float]:
    """One layer's plan and the target it carries to the next layer (USD).

    The rules in order: target (`_layer_target`), exits (`_exits`), temporal theta
    (`_temporal_theta`), rebalance (`_rebalance`).
    """
    layer = hp.layers[li]
    name = layer.name
    day = str(pd.Timestamp(ctx.date).date())
    tgt = _layer_target(ctx, hp, layer, memory)
    target = tgt.own + carry
    exits, new_mon, remaining = _exits(ctx, hp, layer, memory.monetised)
    moved_until = memory.moved.get(name)
    if moved_until is not None and moved_until < day:
        moved_until = None
    theta, remaining, moved_until = _temporal_theta(ctx, hp, li, remaining, moved_until)
    steps = [exits, theta]
    carry_out = 0.0
    if moved_until is not None and li + 1 < len(hp.layers):
        carry_out, target = target, 0.0
        moved = _fired(
            f"temporal_theta:{name}", {"until": moved_until}, "info", "target moved to next layer"
        )
        steps.append(_Step((), (moved,)))
    weights = sum(x.weight for x in hp.layers)
    share = layer.weight / weights if weights > 0 else 0.0
    ended = name in memory.prepositioned and not tgt.in_window
    reb = _rebalance(ctx, hp, layer, target, share, remaining, ended, tgt.multiplier)
    steps.append(reb.step)
    orders = tuple(o for st in steps for o in st.orders)
    audit = tgt.audit + tuple(r for st in steps for r in st.audit)
    layer_cap = share * ctx.cap if ctx.cap > 0 else 0.0
    details = _layer_details(
        layer, hp, tgt, target, share, layer_cap, reb, remaining, moved_until, len(orders)
    )
    closing = [o for o in orders if o.action == "close"]
    by_id = {p.id: p for p in ctx.positions} if closing else {}
    proceeds = sum(
        sale_proceeds(by_id[o.position_id], o.contracts, ctx.marks[o.position_id], ctx.costs)
        for o in closing
        if o.position_id in by_id and o.position_id in ctx.marks
    )
    plan = LayerPlan(
        name,
        details,
        orders,
        audit,
        sum(st.flow for st in steps),
        frozenset(memory.monetised | new_mon),
        tgt.in_window,
        moved_until,
        tgt.smoothed,
        reb.paid,
        proceeds,
    )
    return plan, carry_out


def _layer_details(
    layer: HedgeLayer,
    hp: HedgePolicy,
    tgt: _Target,
    target: float,
    share: float,
    layer_cap: float,
    reb: _Rebalance,
    remaining: _Held,
    moved_until: str | None,
    n_orders: int,
) -> dict[str, float | int | str]:
    """The layer's target versus holdings for reports (USD; deltas and vegas x100)."""
    if reb.choice is not None:
        c = reb.choice
        unit, unit_delta, unit_vega = c.fill * _MULT, c.delta * _MULT, c.vega * _MULT
    elif remaining:
        m0 = remaining[0][2]
        unit, unit_delta, unit_vega = m0.value * _MULT, m0.delta * _MULT, m0.vega * _MULT
    else:
        unit = unit_delta = unit_vega = math.nan
    n_target = math.floor(target / unit) if unit > 0 and math.isfinite(target) else 0
    return {
        "layer": layer.name,
        "instrument": layer.instrument,
        "budget_basis": hp.budget_basis,
        "annual_budget": tgt.budget,
        "multiplier": tgt.multiplier,
        "event_scale": tgt.event_scale,
        "budget_share": share,
        "budget_cap": layer_cap if math.isfinite(layer_cap) else "inf",
        "premium_paid": reb.paid,
        "target_premium": target,
        "target_contracts": n_target,
        "target_delta": n_target * unit_delta if n_target else 0.0,
        "target_vega": n_target * unit_vega if n_target else 0.0,
        "held_contracts": sum(n for _, n, _ in remaining),
        "held_premium": sum(m.value * _MULT * n for _, n, m in remaining),
        "held_basis": sum(max(p.entry_price, m.value, 0.0) * _MULT * n for p, n, m in remaining),
        "held_delta": sum(m.delta * _MULT * n for _, n, m in remaining),
        "held_vega": sum(m.vega * _MULT * n for _, n, m in remaining),
        "moved_until": moved_until or "",
        "orders": n_orders,
    }


def plan_hedges(ctx: HedgeContext, hp: HedgePolicy, memory: HedgeMemory) -> list[LayerPlan]:
    """Plan every layer for the day (see the module docstring for the rules).

    Parameters
    ----------
    ctx : HedgeContext
        The close: positions, marks, equity, multipliers, events, costs and the
        remaining credit-to-hedge cap (each layer may spend its weight's share of it).
    hp : HedgePolicy
        The hedge section of the policy.
    memory : HedgeMemory
        The hedge state of the previous close.

    Returns
    -------
    list of LayerPlan
        One per layer, in the policy's order; a layer rolled by temporal theta hands
        its target to the next one.
    """
    if ctx.expiry_quotes is None:  # one quote call for every layer's candidate expiry
        ctx = replace(ctx, expiry_quotes=ExpiryQuotes(ctx.date, ctx.market, hp.layers))
    plans: list[LayerPlan] = []
    carry = 0.0  # target premium moved in from the previous layer (temporal theta)
    for li in range(len(hp.layers)):
        plan, carry = _plan_layer(ctx, hp, li, memory, carry)
        plans.append(plan)
    return plans
