"""Replicas of the Cboe S&P 500 strategy benchmark indices on a `MarketView`.

Each index's published rules (Cboe's methodology documents, summarised in
``../shared/reference/cboe_strategy/README.md``) are applied month by month to
the option quotes of a market along the real SPX path of its data. Only the
public `MarketView` interface is used: ``expiries``, ``strikes``, ``quote``,
``settlement`` and ``data`` (the SPX closes, the rate and the dividend yield).

Rules (one period runs from a monthly roll date to the next)
------------------------------------------------------------
Roll dates are the monthly SPX expirations (root ``SPX``, AM-settled, usually
the third Friday) as ``MarketView.expiries`` lists them. Expiring options
settle at ``MarketView.settlement`` of the expiry (the SOQ; on modeled data the
SPX open of that day stands in). New options use the expiry of the next
month's monthly (the CLL put: the next March-cycle monthly).

* ``put`` (PUT): short ``N`` one-month puts struck at the highest listed strike
  at or below the index, over T-bills worth ``N K`` (the maximum settlement
  loss; the premium is part of them). Per put, the period return is
  ``(K (1 + r d / 360) - max(K - SOQ, 0)) / (K - P) - 1``.
* ``bxm`` (BXM): long the S&P 500 with dividends, short one one-month call at
  the lowest listed strike at or above the index:
  ``(S1 + D - max(SOQ - K, 0)) / (S0 - C) - 1``.
* ``pput`` (PPUT): long the S&P 500 with dividends, long one one-month put at
  the highest listed strike at or below ``0.95 S``:
  ``(S1 + D + max(K - SOQ, 0)) / (S0 + P) - 1``.
* ``cll`` (CLL): long the S&P 500 with dividends, long one three-month put at
  the highest listed strike at or below ``0.95 S`` bought on the March-cycle
  roll dates (March, June, September, December) and expiring on the next one,
  short one one-month call at the lowest listed strike at or above ``1.10 S``
  each month. Cross-roll: where the new call's strike is below the standing
  put's, that put is sold and a new ``0.95 S`` put of the same expiry bought.
  ``(S1 + D + P1 - max(SOQ - Kc, 0)) / (S0 + P0 - C) - 1`` with ``P0``, ``P1``
  the put's value at the two roll dates (its mid, or its payoff at expiry).

Approximations (stated in every result)
---------------------------------------
* Cboe chooses strikes against the index just before 11:00 ET and trades the
  new options at their 11:30-12:00 ET volume-weighted average price; only
  end-of-day quotes exist here, so strikes are chosen against the roll day's
  close and options trade at the close mid. This is a known source of
  month-to-month noise (the index moves between noon and the close).
* Dividends accrue smoothly at the daily ``div_yield`` column (decimal per
  year) where the data has it, else at `DEFAULT_DIV_YIELD`; Cboe uses the
  S&P 500's actual ex-date dividends. Dividends within a month are not
  reinvested (a second-order effect).
* PUT's T-bills earn the roll day's ``rate`` (3-month T-bill, decimal per year)
  simply, ACT/360, over the month; Cboe uses one- and three-month bills.

References
----------
Cboe Global Indices. Cboe S&P 500 BuyWrite Index (BXM), PutWrite Index (PUT),
5% Put Protection Index (PPUT) and 95-110 Collar Index (CLL) methodologies.
Whaley, R. E. (2002). Return and risk of CBOE buy write monthly index.
Journal of Derivatives 10(2), 35-42.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from vixshield._typing import FloatArray, Origin, Right
from vixshield.errors import DataError
from vixshield.markets.types import Expiry, MarketView
from vixshield.validation.specs import (
    CLL_PUT_MONTHS,
    DEFAULT_DIV_YIELD,
    IndexName,
    Leg,
    Month,
    Period,
)

__all__ = [
    "dividend_source",
    "monthly_rolls",
    "periods",
    "replicate",
    "strike_at_or_above",
    "strike_at_or_below",
]

DAYS_PER_YEAR_MONEY = 360.0  # T-bill interest convention: ACT/360
DAYS_PER_YEAR_DIV = 365.0  # dividend accrual: calendar days / 365

PPUT_MONEYNESS = 0.95  # PPUT put strike: closest listed strike below 95 % of the index
CLL_PUT_MONEYNESS = 0.95  # CLL put: closest listed strike below 95 % of the index
CLL_CALL_MONEYNESS = 1.10  # CLL call: closest listed strike above 110 % of the index
OFF_GRID_STEP = 5.0  # index points: SPX strike spacing near the money (CLL call off the grid)


# ----------------------------------------------------------------------- strikes
_STRIKE_TOL = 1e-6  # index points: a level this close to a strike is on it (1.10 x 100 = 110)


def strike_at_or_below(strikes: FloatArray, level: float) -> float:
    """The highest listed strike at or below ``level`` (ValueError where there is none)."""
    k = np.asarray(strikes, dtype=np.float64)
    below = k[k <= level + _STRIKE_TOL]
    if not below.size:
        raise ValueError(f"no listed strike at or below {level:.2f} (lowest {k.min():.2f})")
    return float(below.max())


def strike_at_or_above(strikes: FloatArray, level: float) -> float:
    """The lowest listed strike at or above ``level`` (ValueError where there is none)."""
    k = np.asarray(strikes, dtype=np.float64)
    above = k[k >= level - _STRIKE_TOL]
    if not above.size:
        raise ValueError(f"no listed strike at or above {level:.2f} (highest {k.max():.2f})")
    return float(above.min())


# ------------------------------------------------------------------ roll dates
def _monthly_after(market: MarketView, date: pd.Timestamp, months: frozenset[int]) -> Expiry:
    """The first monthly SPX expiry (root SPX, AM) after ``date`` in one of ``months``."""
    for e in market.expiries(date, "SPX"):
        if e.root == "SPX" and e.settlement == "AM" and e.date.month in months:
            return e
    raise ValueError(f"no monthly SPX expiry listed on {date.date()}")


_ALL_MONTHS = frozenset(range(1, 13))


def _spx_days(market: MarketView) -> pd.DatetimeIndex:
    """Trading days of the data with an SPX close."""
    daily = market.data.daily
    return pd.DatetimeIndex(daily.index[daily["spx_close"].notna()])


def monthly_rolls(
    market: MarketView, start: pd.Timestamp, end: pd.Timestamp
) -> tuple[pd.Timestamp, ...]:
    """Monthly SPX expirations in ``[start, end]`` (the roll dates), from ``market.expiries``.

    Each is the first monthly (root SPX, AM) listed after the previous one;
    the first is the first one listed after the last SPX day before ``start``
    (after the data's first day where ``start`` is not later: a roll needs a
    day before it to be found). Rolls after the last SPX close of the data are
    not returned.

    Raises
    ------
    DataError
        Where an expiry inside the data has no SPX close (a gap in the data).
    """
    days = _spx_days(market)
    if not len(days):
        return ()
    start, end = pd.Timestamp(start).normalize(), min(pd.Timestamp(end).normalize(), days[-1])
    before = days[days < start]
    day = before[-1] if len(before) else days[0]
    out: list[pd.Timestamp] = []
    while day < end:
        e = _monthly_after(market, day, _ALL_MONTHS).date
        if e > end:
            break
        if e not in days:
            raise DataError(f"monthly SPX expiry {e.date()} has no SPX close in the data")
        if e >= start:
            out.append(e)
        day = e
    return tuple(out)


def dividend_source(market: MarketView) -> str:
    """How the replicas' S&P 500 dividends are taken (a line for the reports)."""
    if market.data.has("div_yield"):
        daily = market.data.daily
        origin = market.data.origin("div_yield") or "unknown origin"
        on_spx = daily.loc[daily["spx_close"].notna(), "div_yield"]
        missing = int(on_spx.isna().sum())
        line = f"daily div_yield column ({origin})"
        if missing:
            line += f"; {missing} SPX day(s) without it use {100 * DEFAULT_DIV_YIELD:.1f} %/yr"
        return line
    return f"constant {100 * DEFAULT_DIV_YIELD:.1f} %/yr (the data has no div_yield column)"


def periods(market: MarketView, rolls: Sequence[pd.Timestamp]) -> tuple[Period, ...]:
    """The `Period` between each pair of consecutive roll dates.

    Raises
    ------
    DataError
        Where no rate is known at a roll date or a settlement is missing.
    """
    daily = market.data.daily
    close = daily["spx_close"].dropna()
    rate = daily["rate"].ffill() if "rate" in daily.columns else pd.Series(np.nan, daily.index)
    if "div_yield" in daily.columns:
        q = daily["div_yield"].reindex(close.index).fillna(DEFAULT_DIV_YIELD)
    else:
        q = pd.Series(DEFAULT_DIV_YIELD, index=close.index)
    dates = pd.DatetimeIndex(close.index)
    gap_days = np.diff(dates.values).astype("timedelta64[D]").astype(np.float64)
    # dividend on day i: close[i-1] q[i-1] (calendar days since day i-1) / 365
    div = np.concatenate(
        [[0.0], close.to_numpy()[:-1] * q.to_numpy()[:-1] * gap_days / DAYS_PER_YEAR_DIV]
    )
    cum = np.cumsum(div)
    pos = pd.Series(np.arange(len(dates)), index=dates)
    out = []
    for a, b in itertools.pairwise(rolls):
        r = float(rate.get(a, np.nan))
        if not np.isfinite(r):
            raise DataError(f"no short rate known at {a.date()} (column 'rate')")
        settle, _ = market.settlement("SPX", b, "SPX")
        if not np.isfinite(settle):
            raise DataError(f"no settlement of the {b.date()} SPX monthly in the data")
        ia, ib = int(pos[a]), int(pos[b])
        out.append(
            Period(
                a, b, float(close.iloc[ia]), float(close.iloc[ib]), float(settle), r,
                float(cum[ib] - cum[ia]), int((b - a).days),
            )
        )  # fmt: skip
    return tuple(out)


# -------------------------------------------------------------------- pricing
def _mid(
    market: MarketView, date: pd.Timestamp, expiry: pd.Timestamp, strike: float, right: Right
) -> tuple[float, Origin]:
    """Close mid of one SPX option (index points) and its origin; ValueError where NaN."""
    q = market.quote(date, "SPX", [expiry], [strike], [right])
    mid = float(q.mid[0])
    if not np.isfinite(mid):
        raise ValueError(f"no mid for SPX {expiry.date()} {strike:g} {right} on {date.date()}")
    return mid, q.origin


def _payoff(right: Right, strike: float, settle: float) -> float:
    return max(settle - strike, 0.0) if right == "C" else max(strike - settle, 0.0)


def _leg(
    market: MarketView,
    p: Period,
    right: Right,
    strike: float,
    expiry: pd.Timestamp,
    quantity: float,
    entry: tuple[float, Origin] | None = None,
) -> Leg:
    """A leg held over ``p``: entered at ``entry`` (default: the start's close mid),
    exited at its payoff where it expires at ``p.end``, else at the end's close mid."""
    price, origin = entry if entry is not None else _mid(market, p.start, expiry, strike, right)
    if expiry == p.end:
        out = _payoff(right, strike, p.settle)
    elif expiry > p.end:
        out = _mid(market, p.end, expiry, strike, right)[0]
    else:
        raise ValueError(f"leg expiring {expiry.date()} held past it (period to {p.end.date()})")
    return Leg(right, strike, expiry, quantity, price, out, origin)


def _month(
    p: Period, base: tuple[float, float], legs: Sequence[Leg], notes: Sequence[str] = ()
) -> Month:
    """Return of ``base`` (value at start, at end) plus the legs, over ``p``."""
    v0 = base[0] + sum(leg.quantity * leg.entry for leg in legs)
    v1 = base[1] + sum(leg.quantity * leg.exit for leg in legs)
    if not v0 > 0.0:
        raise ValueError(f"replica worth {v0:.4f} at {p.start.date()} (not positive)")
    return Month(p.start, p.end, v1 / v0 - 1.0, tuple(legs), tuple(notes))


def _stock(p: Period) -> tuple[float, float]:
    """One S&P 500 unit with dividends: (value at start, value at end), index points."""
    return p.spot, p.close + p.dividends


# ---------------------------------------------------------------------- rules
def _put(market: MarketView, p: Period) -> Month:
    """PUT: short one ATM put over T-bills worth its strike (see module notes)."""
    k = strike_at_or_below(market.strikes(p.start, "SPX", p.end), p.spot)
    leg = _leg(market, p, "P", k, p.end, -1.0)
    tbills = (k, k * (1.0 + p.rate * p.days / DAYS_PER_YEAR_MONEY))
    return _month(p, tbills, [leg])


def _bxm(market: MarketView, p: Period) -> Month:
    """BXM: S&P 500 with dividends, short one ATM call (strike at or above the index)."""
    k = strike_at_or_above(market.strikes(p.start, "SPX", p.end), p.spot)
    return _month(p, _stock(p), [_leg(market, p, "C", k, p.end, -1.0)])


def _pput(market: MarketView, p: Period) -> Month:
    """PPUT: S&P 500 with dividends, long one put at or below 95 % of the index."""
    k = strike_at_or_below(market.strikes(p.start, "SPX", p.end), PPUT_MONEYNESS * p.spot)
    return _month(p, _stock(p), [_leg(market, p, "P", k, p.end, 1.0)])


@dataclass(frozen=True)
class _Put:
    """CLL's standing put: strike, expiry, and its value at the current roll's close."""

    strike: float
    expiry: pd.Timestamp
    value: float
    origin: Origin


def _new_cll_put(market: MarketView, date: pd.Timestamp, spot: float, expiry: pd.Timestamp) -> _Put:
    """A put at the highest listed strike at or below 95 % of ``spot``, bought at the close mid."""
    k = strike_at_or_below(market.strikes(date, "SPX", expiry), CLL_PUT_MONEYNESS * spot)
    mid, origin = _mid(market, date, expiry, k, "P")
    return _Put(k, expiry, mid, origin)


def _cll_call_strike(market: MarketView, p: Period) -> tuple[float, str]:
    """CLL's call strike: the lowest listed at or above 110 % of the index, and a note.

    Where the listed grid stops below that level (a modeled grid ends where
    out-of-the-money values fall under 0.05), the level rounded up to the
    `OFF_GRID_STEP` grid is quoted instead, with a note (Cboe lists strikes there).
    """
    level = CLL_CALL_MONEYNESS * p.spot
    strikes = np.asarray(market.strikes(p.start, "SPX", p.end), dtype=np.float64)
    if strikes.size and float(strikes.max()) >= level - _STRIKE_TOL:
        return strike_at_or_above(strikes, level), ""
    k = float(np.ceil(level / OFF_GRID_STEP - _STRIKE_TOL) * OFF_GRID_STEP)
    top = f"{strikes.max():g}" if strikes.size else "none"
    return k, f"call strike off the listed grid: {k:g} quoted (highest listed {top})"


def _cll(market: MarketView, ps: Sequence[Period]) -> list[Month]:
    """CLL over consecutive periods (the put is carried from one to the next)."""
    out: list[Month] = []
    put: _Put | None = None
    for p in ps:
        if put is None or put.expiry <= p.start:  # first period, or a March-cycle roll
            quarterly = _monthly_after(market, p.start, CLL_PUT_MONTHS).date
            put = _new_cll_put(market, p.start, p.spot, quarterly)
        kc, grid_note = _cll_call_strike(market, p)
        notes = [grid_note] if grid_note else []
        if kc < put.strike:  # cross-roll: sell the standing put, buy a new 95 % one
            old = put.strike
            put = _new_cll_put(market, p.start, p.spot, put.expiry)
            notes.append(f"cross-roll: call {kc:g} below the put {old:g}; new put {put.strike:g}")
        put_leg = _leg(market, p, "P", put.strike, put.expiry, 1.0, (put.value, put.origin))
        call_leg = _leg(market, p, "C", kc, p.end, -1.0)
        out.append(_month(p, _stock(p), [put_leg, call_leg], notes))
        put = _Put(put.strike, put.expiry, put_leg.exit, put.origin)
    return out


def replicate(
    market: MarketView, name: IndexName, rolls: Sequence[pd.Timestamp]
) -> tuple[Month, ...]:
    """The replica of index ``name`` between consecutive ``rolls`` (see module notes).

    Parameters
    ----------
    market : MarketView
        Quotes (modeled or real) and the data with the real SPX path.
    name : {"put", "bxm", "pput", "cll"}
    rolls : sequence of Timestamp
        Consecutive monthly roll dates (`monthly_rolls`).

    Returns
    -------
    tuple of Month
        One per pair of consecutive roll dates.
    """
    ps = periods(market, rolls)
    if name == "cll":
        return tuple(_cll(market, ps))
    rule = {"put": _put, "bxm": _bxm, "pput": _pput}[name]
    return tuple(rule(market, p) for p in ps)
