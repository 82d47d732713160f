"""Portfolio accounting: cash, open positions, marks, margin and P&L attribution.

The `Ledger` is the engine's private book-keeper. Every change of equity goes
through one of its methods and is attributed, as it happens, to exactly one
component (a position's ``kind``, ``interest`` or ``costs``), so the P&L
components add up to the change in equity by construction; the tests check it
independently from the equity path.

Conventions: option prices per unit in index points; values and cash in dollars
(x `CONTRACT_MULTIPLIER`); a position's marked value is signed (long > 0).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from itertools import islice

import numpy as np

from vixshield._daynumber import NS_PER_DAY
from vixshield._typing import FloatArray
from vixshield.markets.costs import CONTRACT_MULTIPLIER
from vixshield.strategy.types import Leg, Position

__all__ = [
    "NAKED_CALL_SHARE",
    "Ledger",
    "LegsMargin",
    "OpenPosition",
    "QuoteKey",
    "component_column",
    "leg_key",
    "payoff_at_expiry",
    "reg_t_margin",
]


NAKED_CALL_SHARE = 0.20
"""Reg-T uncovered broad-index option requirement, share of the underlying (Cboe Margin Manual)."""


QuoteKey = tuple[str, int, float, str]
"""A leg's quote identity: underlying, expiry (ns), strike, right."""


def leg_key(leg: Leg) -> QuoteKey:
    """Cache key of a leg's quote: underlying, expiry (ns), strike, right."""
    return (leg.underlying, leg.expiry.value, float(leg.strike), leg.right)


def component_column(position: Position) -> str:
    """Daily-frame P&L column of a position: ``pnl_condor`` or ``pnl_hedge:<layer>``."""
    return f"pnl_{position.label}"


def payoff_at_expiry(
    strike: FloatArray, is_call: np.ndarray, ratio: FloatArray, spot: FloatArray
) -> FloatArray:
    """Expiry payoff per unit of a set of legs, index points, at each ``spot``.

    Notes
    -----
    ``sum_i ratio_i * max(w_i (S - K_i), 0)`` with ``w = +1`` for calls, ``-1`` for puts.
    """
    s = np.asarray(spot, dtype=np.float64)[:, None]
    w = np.where(is_call, 1.0, -1.0)[None, :]
    intrinsic = np.maximum(w * (s - strike[None, :]), 0.0)
    return np.asarray(intrinsic @ ratio, dtype=np.float64)


def reg_t_margin(legs: Sequence[Leg], contracts: int, spot: float) -> float:
    """Reg-T margin requirement of a position, dollars.

    Parameters
    ----------
    legs : sequence of Leg
        Legs per unit (same underlying).
    contracts : int
    spot : float
        Underlying level, index points (used only for uncovered short calls).

    Returns
    -------
    float
        ``max loss at expiry x 100 x contracts`` for a defined-risk position (an iron
        condor: its widest wing; long options: 0, their premium is already paid). With
        uncovered short calls the loss is unbounded: the requirement is then the worst
        expiry loss over ``S`` in ``[0, max(strikes, spot)]`` plus ``20% x spot x 100``
        per uncovered call (the broad-index naked rule, without its out-of-the-money
        reduction: conservative).

    Notes
    -----
    The expiry payoff is piecewise linear with kinks at the strikes, so its minimum
    over ``S >= 0`` is at ``S = 0``, at a strike, or unbounded to the right when the
    net call ratio is negative. All legs are treated as expiring together (exact for
    condors and verticals, an approximation for calendars).

    References
    ----------
    Cboe, *Margin Manual* (2000), spreads and uncovered index options.
    """
    if not legs or contracts == 0:
        return 0.0
    return LegsMargin.of(legs).margin(contracts, spot)


@dataclass(frozen=True, eq=False)
class LegsMargin:
    """`reg_t_margin` of one set of legs, with its spot-free part worked out once.

    Attributes
    ----------
    legs : tuple of Leg
        The legs (per unit), whose identity a holder checks before reusing this.
    strike, ratio : ndarray
        Per leg, index points and signed ratio (float64).
    is_call : ndarray
        Per leg (bool).
    fixed_worst : float
        The worst expiry payoff per unit over ``S`` in ``{0} U strikes``, index points.
    put_max, call_min : float
        The highest put strike (-inf without puts) and the lowest call strike (inf
        without calls): at a spot between them every leg is out of the money.
    net_calls : float
        The sum of the call legs' signed ratios.
    """

    legs: tuple[Leg, ...]
    strike: FloatArray
    ratio: FloatArray
    is_call: np.ndarray
    fixed_worst: float
    put_max: float
    call_min: float
    net_calls: float

    @classmethod
    def of(cls, legs: Sequence[Leg]) -> LegsMargin:
        """The margin of ``legs`` (at least one)."""
        return cls.from_arrays(
            tuple(legs),
            np.array([lg.strike for lg in legs], dtype=np.float64),
            np.array([lg.ratio for lg in legs], dtype=np.float64),
            np.array([lg.right == "C" for lg in legs], dtype=bool),
        )

    @classmethod
    def from_arrays(
        cls, legs: tuple[Leg, ...], strike: FloatArray, ratio: FloatArray, is_call: np.ndarray
    ) -> LegsMargin:
        """The margin of ``legs`` given their per-leg arrays (strikes, signed ratios, calls)."""
        fixed = np.concatenate(([0.0], strike))
        puts, calls = strike[~is_call], strike[is_call]
        return cls(
            legs,
            strike,
            ratio,
            is_call,
            float(payoff_at_expiry(strike, is_call, ratio, fixed).min()),
            float(puts.max()) if len(puts) else -np.inf,
            float(calls.min()) if len(calls) else np.inf,
            float(ratio[is_call].sum()),
        )

    @property
    def flat_range(self) -> tuple[float, float]:
        """The levels ``max(spot, 0)`` (index points, both ends in) over which `margin` is
        the same at every spot: every leg out of the money (the payoff at the spot is 0) and
        no uncovered call (no 20% of spot); an empty range (``lo > hi``) with uncovered calls.
        """
        if self.net_calls < 0:
            return (math.inf, -math.inf)
        return (self.put_max, self.call_min)

    def margin(self, contracts: int, spot: float) -> float:
        """`reg_t_margin` of ``contracts`` of the legs at ``spot`` (index points), dollars."""
        s = max(spot, 0.0)
        if self.put_max <= s <= self.call_min:  # every leg out of the money: payoff 0
            return _margin_from_worst(min(self.fixed_worst, 0.0), self.net_calls, contracts, spot)
        at_spot = float(payoff_at_expiry(self.strike, self.is_call, self.ratio, np.array([s]))[0])
        worst = min(self.fixed_worst, at_spot)
        return _margin_from_worst(worst, self.net_calls, contracts, spot)


def _margin_from_worst(worst: float, net_calls: float, contracts: int, spot: float) -> float:
    """`reg_t_margin` given the worst expiry payoff over ``[0, max(strikes, spot)]``.

    ``net_calls`` is the sum of the call legs' signed ratios.
    """
    naked = max(-net_calls, 0.0) * NAKED_CALL_SHARE * max(spot, 0.0) if net_calls < 0 else 0.0
    bounded = max(-worst, 0.0)
    return (bounded + naked) * CONTRACT_MULTIPLIER * abs(contracts)


@dataclass
class OpenPosition:
    """One open position with its latest per-leg marks (engine-internal, mutable).

    Attributes
    ----------
    position : Position
        The position as the strategy sees it (legs shrink as legs settle).
    mid, iv, t_years, forward : ndarray
        Latest mark per leg: mid per unit (index points), implied vol (decimal),
        ACT/365 years to settlement, forward (index points).
    cash_flows : float
        Sum of trade and settlement cash flows, dollars (credit > 0).
    costs : float
        Commissions and fees paid, dollars (>= 0).
    credit : float
        Net premium received at opening, dollars (negative for a debit).
    hedge_cost : float
        Hedge cost (premium consumed) attributed to this condor's cycle, dollars.
    legs_margin : LegsMargin, optional
        The spot-free part of the margin of the current legs (made from the legs when
        missing or of other legs).
    """

    position: Position
    mid: FloatArray
    iv: FloatArray
    t_years: FloatArray
    forward: FloatArray
    cash_flows: float = 0.0
    costs: float = 0.0
    credit: float = 0.0
    hedge_cost: float = 0.0
    legs_margin: LegsMargin | None = field(default=None, repr=False)
    _margin_key: tuple[Position, float, float] | None = field(default=None, repr=False)
    _margin: float = field(default=0.0, repr=False)
    _legs_of: Position | None = field(default=None, repr=False)
    _leg_arrays: tuple[np.ndarray, ...] = field(default=(), repr=False)
    _value_key: tuple[Position, FloatArray] | None = field(default=None, repr=False)
    _value: float = field(default=0.0, repr=False)
    _first_expiry: int | None = field(default=None, repr=False)
    _keys: list[QuoteKey] = field(default_factory=list, repr=False)
    _component_of: Position | None = field(default=None, repr=False)
    _component: str = field(default="", repr=False)

    def _arrays(self) -> tuple[np.ndarray, ...]:
        """Per-leg arrays of the current legs (cached until ``position`` is replaced)."""
        pos = self.position
        if self._legs_of is not pos:
            legs = pos.legs
            self._leg_arrays = (
                np.array([lg.ratio for lg in legs], dtype=np.float64),
                np.array([lg.expiry.value // NS_PER_DAY for lg in legs], dtype=np.int64),
                np.array([lg.strike for lg in legs], dtype=np.float64),
                np.array([lg.right == "C" for lg in legs], dtype=bool),
                np.array([lg.settlement == "AM" for lg in legs], dtype=bool),
                np.array([lg.underlying == "VIX" for lg in legs], dtype=bool),
            )
            self._keys = [leg_key(lg) for lg in legs]
            days = self._leg_arrays[1]
            self._first_expiry = int(days.min()) if len(days) else None
            self._legs_of = pos
        return self._leg_arrays

    def margin(self, spot: float) -> float:
        """Reg-T requirement, dollars.

        Kept until the position changes or ``max(spot, 0)`` leaves `margin_range`.
        """
        key = self._margin_key
        pos = self.position
        if key is not None and key[0] is pos and key[1] <= max(spot, 0.0) <= key[2]:
            return self._margin
        s = max(spot, 0.0)
        lo = hi = s
        if pos.legs and pos.contracts != 0:
            lm = self.legs_margin
            if lm is None or lm.legs is not pos.legs:  # the spot-free part, once per leg set
                ratio, _, strike, is_call = self._arrays()[:4]
                lm = self.legs_margin = LegsMargin.from_arrays(pos.legs, strike, ratio, is_call)
            self._margin = lm.margin(pos.contracts, spot)
            flat_lo, flat_hi = lm.flat_range
            if flat_lo <= s <= flat_hi:
                lo, hi = flat_lo, flat_hi
        else:
            self._margin = 0.0
            lo, hi = -math.inf, math.inf
        self._margin_key = (pos, lo, hi)
        return self._margin

    @property
    def margin_range(self) -> tuple[float, float]:
        """The levels ``max(spot, 0)`` (index points) at which the last `margin` holds: the
        legs' `LegsMargin.flat_range` when it held the spot, else that one level."""
        key = self._margin_key
        if key is None or key[0] is not self.position:
            return (math.inf, -math.inf)  # none kept
        return (key[1], key[2])

    @property
    def leg_arrays(self) -> tuple[np.ndarray, ...]:
        """`ratios`, `expiry_days`, `strikes`, `is_call`, `am_settled`, `is_vix` (this order)."""
        return self._arrays()

    @property
    def expiry_days(self) -> np.ndarray:
        """Expiry date of each leg as whole days since 1970-01-01 (int64)."""
        return self._arrays()[1]

    @property
    def first_expiry_day(self) -> int | None:
        """The earliest `expiry_days` of the legs (None without legs)."""
        self._arrays()
        return self._first_expiry

    @property
    def strikes(self) -> FloatArray:
        """Strike of each leg, index points."""
        return self._arrays()[2]

    @property
    def is_call(self) -> np.ndarray:
        """True where a leg is a call (bool)."""
        return self._arrays()[3]

    @property
    def am_settled(self) -> np.ndarray:
        """True where a leg settles at the morning (AM) settlement (bool)."""
        return self._arrays()[4]

    @property
    def is_vix(self) -> np.ndarray:
        """True where a leg is a VIX option (bool)."""
        return self._arrays()[5]

    @property
    def quote_keys(self) -> list[QuoteKey]:
        """`leg_key` of each leg (do not modify)."""
        self._arrays()
        return self._keys

    @property
    def component(self) -> str:
        """Its P&L column name (cached until ``position`` is replaced)."""
        if self._component_of is not self.position:
            self._component = component_column(self.position)
            self._component_of = self.position
        return self._component

    @property
    def ratios(self) -> FloatArray:
        """Signed leg ratios as floats."""
        return self._arrays()[0]

    @property
    def value(self) -> float:
        """Marked value in dollars: ``sum(ratio x mid) x contracts x 100``.

        Cached until ``position`` or ``mid`` is replaced (they are never changed in place).
        """
        key = self._value_key
        if key is None or key[0] is not self.position or key[1] is not self.mid:
            return self._revalue()
        return self._value

    def remark(self, mid: FloatArray) -> float:
        """Mark the legs at ``mid`` (float64 per leg, index points); return the change of
        `value`, dollars."""
        before = self.value
        self.mid = mid
        return self._revalue() - before

    def _revalue(self) -> float:
        """`value` worked out from ``position`` and ``mid``, and kept with them as its key."""
        pos, mid = self.position, self.mid
        if not pos.legs:
            value = 0.0
        else:
            arrays = self._leg_arrays if self._legs_of is pos else self._arrays()
            per_unit = float(np.dot(arrays[0], mid))  # the ratios
            value = per_unit * pos.contracts * CONTRACT_MULTIPLIER
        self._value, self._value_key = value, (pos, mid)
        return value


@dataclass
class Ledger:
    """Cash, open positions and the day's P&L by component (engine-internal, mutable).

    Every method that moves money books it to one component of ``today``; a day's
    P&L components therefore sum to its change in equity. The positions and their
    marks change only through its methods, which keep the book's totals (value,
    margin) until the next change.
    """

    cash: float
    positions: dict[str, OpenPosition] = field(default_factory=dict)
    today: dict[str, float] = field(default_factory=dict)
    components: set[str] = field(default_factory=set)
    # bumped by every method that changes the positions (``changes``) or their marks
    # (``marks``): the totals below are kept until the next change
    _changes: int = field(default=0, repr=False)
    _marks: int = field(default=0, repr=False)
    _worth: tuple[int, int, float] = field(default=(-1, -1, 0.0), repr=False)
    _held: tuple[int, tuple[Position, ...]] = field(default=(-1, ()), repr=False)
    # the margin total: at `changes`, the levels by underlying where it holds, the total and
    # how many positions (the first, in opening order) it sums; ``_cut``: the `changes` of
    # the last change other than an opening added at the end (a close, a settlement)
    _margin: tuple[int, tuple[tuple[str, float, float], ...], float, int] = field(
        default=(-1, (), 0.0, 0), repr=False
    )
    _cut: int = field(default=0, repr=False)

    def _book(self, component: str, amount: float) -> None:
        self.components.add(component)
        self.today[component] = self.today.get(component, 0.0) + amount

    @property
    def changes(self) -> int:
        """How many times the open positions changed (opened, closed, settled), a counter."""
        return self._changes

    @property
    def version(self) -> tuple[int, int]:
        """`changes` and the number of re-markings: equal versions, equal positions and marks."""
        return (self._changes, self._marks)

    def start_day(self) -> None:
        """Reset the day's P&L components."""
        self.today = {}

    @property
    def positions_value(self) -> float:
        """Sum of marked values of open positions, dollars (kept until a change or a mark)."""
        changes, marks, worth = self._worth
        if changes != self._changes or marks != self._marks:
            worth = float(sum([p.value for p in self.positions.values()]))
            self._worth = (self._changes, self._marks, worth)
        return worth

    @property
    def equity(self) -> float:
        """Cash plus marked value of positions, dollars."""
        return self.cash + self.positions_value

    def margin(self, spot: dict[str, float]) -> float:
        """Reg-T requirement of all open positions, dollars (``spot`` by underlying).

        Kept while a spot stays at the levels where every position's margin holds
        (`OpenPosition.margin_range`, by underlying) and the positions do not change;
        positions opened since are added to the kept total, in opening order (the sum a
        fresh walk makes).
        """
        changes, ranges, total, counted = self._margin
        if not all(lo <= max(spot.get(und, 0.0), 0.0) <= hi for und, lo, hi in ranges):
            ranges, total, counted = (), 0.0, 0  # a spot moved a margin: all afresh
        elif changes == self._changes:
            return total
        elif changes < self._cut:  # a position closed or settled since: all afresh
            ranges, total, counted = (), 0.0, 0
        held = {und: (lo, hi) for und, lo, hi in ranges}  # underlying -> levels where all hold
        for p in islice(self.positions.values(), counted, None):
            legs = p.position.legs
            if legs:
                und = legs[0].underlying
                total += p.margin(spot.get(und, 0.0))
                lo, hi = p.margin_range
                if und in held:
                    lo, hi = max(lo, held[und][0]), min(hi, held[und][1])
                held[und] = (lo, hi)
        levels = tuple([(u, lo, hi) for u, (lo, hi) in held.items()])
        self._margin = (self._changes, levels, total, len(self.positions))
        return total

    def accrue(self, amount: float) -> None:
        """Interest earned on idle cash, dollars."""
        self.cash += amount
        self._book("pnl_interest", amount)

    def charge(self, amount: float, position_id: str | None = None) -> None:
        """Commissions and fees, dollars (>= 0), booked to ``pnl_costs``."""
        self.cash -= amount
        self._book("pnl_costs", -amount)
        if position_id is not None and position_id in self.positions:
            self.positions[position_id].costs += amount

    def open(self, op: OpenPosition, cash_flow: float) -> None:
        """Add a position traded for ``cash_flow`` dollars (credit > 0), marked at ``op.mid``."""
        replaced = op.position.id in self.positions
        self.positions[op.position.id] = op
        self._changes += 1
        if replaced:  # not added at the end: the kept margin total is void
            self._cut = self._changes
        op.cash_flows += cash_flow
        op.credit += cash_flow
        self.cash += cash_flow
        self._book(op.component, cash_flow + op.value)

    def mark(self, position_id: str, mid: FloatArray) -> None:
        """Re-mark a position at new per-leg mids (index points)."""
        self.mark_op(self.positions[position_id], mid)

    def mark_op(self, op: OpenPosition, mid: FloatArray) -> None:
        """`mark` of an open position of this ledger, given the record itself."""
        self.mark_ops((op,), (np.asarray(mid, dtype=np.float64),))

    def mark_ops(self, ops: Sequence[OpenPosition], mids: Sequence[FloatArray]) -> None:
        """`mark_op` of each of ``ops`` (open positions of this ledger) at its float64 ``mids``."""
        today, components = self.today, self.components
        for op, mid in zip(ops, mids, strict=True):
            change = op.remark(mid)
            component = op.component
            components.add(component)
            today[component] = today.get(component, 0.0) + change
        self._marks += 1

    def close(self, position_id: str, contracts: int, cash_flow: float) -> OpenPosition:
        """Close ``contracts`` of a position for ``cash_flow`` dollars; return the record.

        The closed share of its marked value leaves the book; the record stays open
        with the remaining contracts, or is removed when none remain.
        """
        op = self.positions[position_id]
        n = op.position.contracts
        k = min(contracts, n)
        removed = op.value * k / n
        self.cash += cash_flow
        op.cash_flows += cash_flow
        self._book(op.component, cash_flow - removed)
        op.position = replace(op.position, contracts=n - k)
        self._changes += 1
        self._cut = self._changes
        if op.position.contracts == 0:
            del self.positions[position_id]
        return op

    def settle_legs(self, position_id: str, keep: np.ndarray, cash_flow: float) -> OpenPosition:
        """Settle the legs where ``keep`` is False for ``cash_flow`` dollars; return the record.

        The position is removed when no leg remains.
        """
        op = self.positions[position_id]
        gone = ~keep
        per_unit = float(np.dot(op.ratios[gone], op.mid[gone]))
        removed = per_unit * op.position.contracts * CONTRACT_MULTIPLIER
        self.cash += cash_flow
        op.cash_flows += cash_flow
        self._book(op.component, cash_flow - removed)
        legs = tuple(lg for lg, k in zip(op.position.legs, keep, strict=True) if k)
        op.position = replace(op.position, legs=legs)
        self._changes += 1
        self._cut = self._changes
        op.mid, op.iv = op.mid[keep], op.iv[keep]
        op.t_years, op.forward = op.t_years[keep], op.forward[keep]
        if not legs:
            del self.positions[position_id]
        return op

    def open_positions(self) -> tuple[Position, ...]:
        """The open positions as the strategy sees them, in opening order (kept until a change)."""
        changes, held = self._held
        if changes != self._changes:
            held = tuple(p.position for p in self.positions.values())
            self._held = (self._changes, held)
        return held
