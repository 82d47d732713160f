"""The replicas' return arithmetic, computed by hand on `PricedMarket` (hand-set prices).

Expected values follow the rules as Cboe's methodologies state them (summarised in
../shared/reference/cboe_strategy/README.md): PUT's T-bills hold the maximum
settlement loss N x K with the premium in them (Cboe's PutWrite description: "an
investment of $K in Treasury bills and a short position in an at-the-money put"),
BXM and PPUT hold one S&P 500 unit with dividends per option, CLL a quarterly put
and a monthly call. Each expected value is written out as the arithmetic it is.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from validation_fakes import PricedMarket, make_data

from vixshield.errors import DataError
from vixshield.validation import DEFAULT_DIV_YIELD, monthly_rolls, periods, replicate
from vixshield.validation.indices import dividend_source, strike_at_or_above, strike_at_or_below

JAN, FEB, MAR, APR, MAY, JUN, JUL = (
    "2021-01-15", "2021-02-19", "2021-03-19", "2021-04-16", "2021-05-21", "2021-06-18",
    "2021-07-16",
)  # fmt: skip
SEP = "2021-09-17"
MONTHLIES = (JAN, FEB, MAR, APR, MAY, JUN, JUL, "2021-08-20", SEP)
TS = pd.Timestamp


def _one_month(
    spot: float, settle: float, close: float, prices: dict, rate: float = 0.036, q: float = 0.0
) -> tuple[PricedMarket, tuple[pd.Timestamp, pd.Timestamp]]:
    data = make_data({JAN: (spot - 1.0, spot), FEB: (settle, close)}, rate=rate, div_yield=q)
    return PricedMarket(data, MONTHLIES, prices), (TS(JAN), TS(FEB))


# ------------------------------------------------------------------- strikes
def test_strike_rules_take_the_listed_strike_on_the_right_side() -> None:
    k = np.array([90.0, 95.0, 100.0, 105.0])
    assert strike_at_or_below(k, 100.0) == 100.0 and strike_at_or_below(k, 99.9) == 95.0
    assert strike_at_or_above(k, 100.0) == 100.0 and strike_at_or_above(k, 100.1) == 105.0
    with pytest.raises(ValueError, match=r"at or below 80\.00"):
        strike_at_or_below(k, 80.0)
    with pytest.raises(ValueError, match=r"at or above 110\.00"):
        strike_at_or_above(k, 110.0)


# --------------------------------------------------------------- roll dates
def test_rolls_are_the_am_monthlies_only() -> None:
    days = ("2021-01-14", JAN, "2021-02-18", FEB, MAR, APR)
    data = make_data({d: (100.0, 100.0) for d in days})
    market = PricedMarket(data, MONTHLIES)  # SPXW weeklies one day before each monthly
    assert monthly_rolls(market, TS("2021-01-01"), TS("2021-12-31")) == tuple(
        TS(d) for d in (JAN, FEB, MAR, APR)
    )  # stops at the data's last day
    assert monthly_rolls(market, TS(FEB), TS(MAR)) == (TS(FEB), TS(MAR))  # start on a roll


def test_a_monthly_missing_from_the_data_is_a_data_error() -> None:
    data = make_data({d: (100.0, 100.0) for d in (JAN, MAR)})
    with pytest.raises(DataError, match=f"{FEB} has no SPX close"):
        monthly_rolls(PricedMarket(data, MONTHLIES), TS(JAN), TS(MAR))


def test_period_reads_the_real_path_and_accrues_dividends() -> None:
    # q = 2 %/yr on the previous close for the calendar days since it (ACT/365)
    data = make_data(
        {JAN: (99.0, 100.0), "2021-02-01": (101.0, 102.0), FEB: (103.0, 104.0)}, div_yield=0.02
    )
    (p,) = periods(PricedMarket(data, MONTHLIES), (TS(JAN), TS(FEB)))
    assert (p.spot, p.close, p.settle, p.days, p.rate) == (100.0, 104.0, 103.0, 35, 0.036)
    assert p.dividends == pytest.approx(100.0 * 0.02 * 17 / 365 + 102.0 * 0.02 * 18 / 365)


# ----------------------------------------------------------------------- PUT
def test_put_expiring_worthless_earns_premium_and_interest() -> None:
    # K = 100 (at or below spot 100), P = 2; T-bills worth K = 100 earn 3.6 % x 35/360
    market, rolls = _one_month(100.0, 104.0, 105.0, {(JAN, FEB, 100.0, "P"): 2.0})
    (m,) = replicate(market, "put", rolls)
    assert m.ret == pytest.approx((2.0 + 100.0 * 0.036 * 35 / 360) / (100.0 - 2.0))
    (leg,) = m.legs
    assert (leg.right, leg.strike, leg.quantity) == ("P", 100.0, -1.0)
    assert (leg.entry, leg.exit) == (2.0, 0.0)


def test_put_in_the_money_pays_the_settlement_loss() -> None:
    # spot 101.2 -> K = 100; the put settles at the SOQ stand-in 93: payoff 7
    market, rolls = _one_month(101.2, 93.0, 95.0, {(JAN, FEB, 100.0, "P"): 2.0})
    (m,) = replicate(market, "put", rolls)
    assert m.ret == pytest.approx((2.0 + 100.0 * 0.036 * 35 / 360 - 7.0) / (100.0 - 2.0))
    assert m.legs[0].exit == 7.0


# ----------------------------------------------------------------------- BXM
def test_bxm_called_away() -> None:
    # spot 101.2 -> K = 105 (at or above), C = 1.5; settles 110 (payoff 5), closes 111
    market, rolls = _one_month(101.2, 110.0, 111.0, {(JAN, FEB, 105.0, "C"): 1.5})
    (m,) = replicate(market, "bxm", rolls)
    assert m.ret == pytest.approx((111.0 - 5.0) / (101.2 - 1.5) - 1.0)


def test_bxm_expiring_worthless_keeps_premium_and_dividends() -> None:
    data = make_data(
        {JAN: (99.0, 100.0), "2021-02-01": (101.0, 102.0), FEB: (99.0, 98.0)}, div_yield=0.02
    )
    market = PricedMarket(data, MONTHLIES, {(JAN, FEB, 100.0, "C"): 2.5})
    (m,) = replicate(market, "bxm", (TS(JAN), TS(FEB)))
    div = 100.0 * 0.02 * 17 / 365 + 102.0 * 0.02 * 18 / 365
    assert m.ret == pytest.approx((98.0 + div) / (100.0 - 2.5) - 1.0)


def test_without_a_div_yield_column_the_default_yield_is_used_and_said() -> None:
    data = make_data({JAN: (99.0, 100.0), FEB: (99.0, 98.0)}, div_yield=None)
    market = PricedMarket(data, MONTHLIES, {(JAN, FEB, 100.0, "C"): 2.5})
    (m,) = replicate(market, "bxm", (TS(JAN), TS(FEB)))
    div = 100.0 * DEFAULT_DIV_YIELD * 35 / 365
    assert m.ret == pytest.approx((98.0 + div) / (100.0 - 2.5) - 1.0)
    assert dividend_source(market).startswith("constant 1.8 %/yr")


# ---------------------------------------------------------------------- PPUT
def test_pput_put_pays_below_its_strike() -> None:
    # spot 100 -> K = 95 (at or below 0.95 x 100), P = 0.8; settles 90 (payoff 5), closes 91
    market, rolls = _one_month(100.0, 90.0, 91.0, {(JAN, FEB, 95.0, "P"): 0.8})
    (m,) = replicate(market, "pput", rolls)
    assert m.ret == pytest.approx((91.0 + 5.0) / (100.0 + 0.8) - 1.0)


# ----------------------------------------------------------------------- CLL
def _cll_market() -> PricedMarket:
    days = {
        "2021-03-18": (99.0, 99.0),  # a day before the first roll (rolls are found after a day)
        MAR: (99.0, 100.0), APR: (79.0, 80.0), MAY: (89.0, 90.0), JUN: (104.0, 105.0),
        JUL: (100.0, 101.0),
    }  # fmt: skip
    prices = {
        (MAR, JUN, 95.0, "P"): 3.0,  # March-cycle put: K <= 0.95 x 100
        (MAR, APR, 110.0, "C"): 0.6,  # call: K >= 1.10 x 100
        (APR, JUN, 95.0, "P"): 15.0,  # the put marked at April's close (sold: cross-roll)
        (APR, JUN, 75.0, "P"): 2.0,  # cross-roll: K <= 0.95 x 80 = 76, same expiry
        (APR, MAY, 90.0, "C"): 1.0,  # K >= 88 -> 90, below the put's 95
        (MAY, JUN, 75.0, "P"): 0.5,  # put mark
        (MAY, JUN, 100.0, "C"): 0.9,  # K >= 99
        (JUN, SEP, 95.0, "P"): 2.2,  # June roll: K <= 99.75, next March-cycle expiry
        (JUN, JUL, 120.0, "C"): 0.3,  # K >= 115.5
        (JUL, SEP, 95.0, "P"): 1.7,  # put mark
    }
    return PricedMarket(make_data(days), MONTHLIES, prices)


def test_cll_carries_its_quarterly_put_and_cross_rolls() -> None:
    months = replicate(_cll_market(), "cll", tuple(TS(d) for d in (MAR, APR, MAY, JUN, JUL)))
    expected = [
        (80.0 + 15.0) / (100.0 + 3.0 - 0.6) - 1.0,  # call expires worthless, put marked
        (90.0 + 0.5) / (80.0 + 2.0 - 1.0) - 1.0,  # after the cross-roll into the 75 put
        (105.0 - 4.0 + 0.0) / (90.0 + 0.5 - 0.9) - 1.0,  # call pays 104 - 100; put expires
        (101.0 + 1.7) / (105.0 + 2.2 - 0.3) - 1.0,  # new September put
    ]
    assert [m.ret for m in months] == pytest.approx(expected)
    assert [m.legs[0].strike for m in months] == [95.0, 75.0, 75.0, 95.0]
    assert [m.legs[0].expiry for m in months] == [TS(JUN)] * 3 + [TS(SEP)]
    assert months[1].notes and months[1].notes[0].startswith("cross-roll:")
    assert not months[0].notes and not months[2].notes


def test_cll_call_above_the_listed_grid_is_quoted_on_the_5_point_grid_with_a_note() -> None:
    market = _cll_market()
    market.grids[(TS(MAR), TS(APR))] = np.arange(80.0, 106.0, 5.0)  # stops at 105 < 110
    (m,) = replicate(market, "cll", (TS(MAR), TS(APR)))
    assert m.legs[1].strike == 110.0
    assert m.notes == ("call strike off the listed grid: 110 quoted (highest listed 105)",)


def test_replica_asks_only_for_the_monthlies() -> None:
    market = _cll_market()
    replicate(market, "cll", tuple(TS(d) for d in (MAR, APR, MAY, JUN, JUL)))
    assert {e for _, e, _, _ in market.asked} <= {TS(d) for d in MONTHLIES}
