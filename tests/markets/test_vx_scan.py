"""VX curve kinks and VIX-option forwards against VX futures (`vixshield.markets.vx_curve_scan`).

Edges are worked out here from the planted values and the cost constants: a VX future
is 1000 dollars per VIX point and ticks in 0.05 points (Cboe CFE VX contract
specifications); each VX fill pays the spread share of one tick plus commission and
fees; a VIX option is 100 dollars per point, so ten option pairs match one future.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from test_parity_chains import make_chain

from vixshield.markets.costs import CostModel
from vixshield.markets.parity import scan_summary
from vixshield.markets.vx_curve_scan import vix_forward_gaps, vx_kinks

AS_OF = pd.Timestamp("2024-06-03")
COMMISSION, FEES, SHARE = 0.65, 0.60, 0.25  # policy defaults, dollars per contract
COSTS = CostModel(COMMISSION, FEES, SHARE)
VX_COST = SHARE * 0.05 * 1000.0 + COMMISSION + FEES  # dollars per VX contract traded


def _curve(values: list[float], dte: list[int], origin: str = "real") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "expiry": [AS_OF + pd.Timedelta(days=d) for d in dte],
            "value": values,
            "dte": dte,
            "origin": origin,
        }
    )


DTE = [15, 50, 78, 106, 141, 169, 197]


def test_straight_and_gently_bent_curves_have_no_kinks() -> None:
    straight = [14.0 + 0.02 * d for d in DTE]
    assert vx_kinks(_curve(straight, DTE), COSTS) == []
    contango = [20.0 - 6.0 * math.exp(-d / 120.0) for d in DTE]  # curvature < 1 point
    assert vx_kinks(_curve(contango, DTE), COSTS) == []


def test_planted_kink_is_found_with_the_hand_weights_and_edge() -> None:
    values = [14.0 + 0.02 * d for d in DTE]
    values[3] += 2.0  # month 4 rich by 2 vol points
    kinks = vx_kinks(_curve(values, DTE), COSTS, threshold=1.5)
    assert len(kinks) == 1
    f = kinks[0]
    assert f.expiry == AS_OF + pd.Timedelta(days=106)
    w = (141 - 106) / (141 - 78)
    legs = [(leg.expiry, leg.side, leg.quantity) for leg in f.legs]
    assert legs[0] == (AS_OF + pd.Timedelta(days=106), "sell", 1.0)
    assert legs[1][:2] == (AS_OF + pd.Timedelta(days=78), "buy")
    assert legs[1][2] == pytest.approx(w)
    assert legs[2][:2] == (AS_OF + pd.Timedelta(days=141), "buy")
    assert legs[2][2] == pytest.approx(1.0 - w)
    assert f.edge == pytest.approx(1000.0 * 2.0 - 2.0 * VX_COST, abs=1e-6)
    assert f.size_note == "size unknown"
    assert scan_summary(kinks).kink_count == 1


def test_cheap_month_is_bought() -> None:
    values = [14.0 + 0.02 * d for d in DTE]
    values[2] -= 3.0
    kinks = vx_kinks(_curve(values, DTE), COSTS, threshold=2.0)
    assert [(f.expiry, f.legs[0].side) for f in kinks] == [(AS_OF + pd.Timedelta(days=78), "buy")]


def test_modeled_months_are_not_scanned() -> None:
    values = [14.0 + 0.02 * d for d in DTE]
    values[3] += 5.0
    assert vx_kinks(_curve(values, DTE, origin="modeled"), COSTS) == []


def test_threshold_must_be_positive() -> None:
    with pytest.raises(ValueError, match="threshold"):
        vx_kinks(_curve([15.0, 16.0, 17.0], [10, 40, 70]), COSTS, threshold=0.0)


# -- VIX options against the VX future of the same expiry ------------------------------

VIX_EXPIRY = "2024-07-17"
VIX_RATE, VIX_FWD = 0.05, 18.0


def _vix_chain() -> pd.DataFrame:
    """VIX options on a forward of 18 (a zero-yield 'spot' equal to the discounted forward)."""
    t = (pd.Timestamp(VIX_EXPIRY) - AS_OF).days / 365.0
    spot = VIX_FWD * math.exp(-VIX_RATE * t)
    return make_chain(
        spot=spot, rate=VIX_RATE, q=0.0, expiries=(VIX_EXPIRY,), vol=0.8,
        strikes=np.arange(12.0, 31.0, 1.0), underlying="VIX", root="VIX",
    )  # fmt: skip


def _vx(value: float) -> pd.DataFrame:
    return _curve([value], [(pd.Timestamp(VIX_EXPIRY) - AS_OF).days])


def test_vx_future_equal_to_the_options_forward_is_no_finding() -> None:
    gaps, found, notes = vix_forward_gaps(_vix_chain(), _vx(VIX_FWD), AS_OF, COSTS)
    assert found == [] and notes == []
    ((par, f_vx),) = gaps
    assert par.forward == pytest.approx(VIX_FWD, abs=1e-9)
    assert f_vx == VIX_FWD


def test_rich_vx_future_is_sold_against_ten_synthetics_with_the_hand_edge() -> None:
    chain = _vix_chain()
    f_vx = VIX_FWD + 0.6
    gaps, found, _ = vix_forward_gaps(chain, _vx(f_vx), AS_OF, COSTS)
    assert len(found) == 1
    f = found[0]
    assert f.kind == "vix_forward" and f.expiry == pd.Timestamp(VIX_EXPIRY)
    assert [(leg.instrument, leg.side, leg.quantity) for leg in f.legs] == [
        ("future", "sell", 1.0), ("option", "buy", 10.0), ("option", "sell", 10.0),
    ]  # fmt: skip
    t = (pd.Timestamp(VIX_EXPIRY) - AS_OF).days / 365.0
    d = math.exp(-VIX_RATE * t)
    best = -math.inf
    for k in np.arange(12.0, 31.0, 1.0):
        c = chain[(chain["strike"] == k) & (chain["right"] == "C")].iloc[0]
        p = chain[(chain["strike"] == k) & (chain["right"] == "P")].iloc[0]
        c_buy = 0.5 * (c.bid + c.ask) + SHARE * (c.ask - c.bid)
        p_sell = 0.5 * (p.bid + p.ask) - SHARE * (p.ask - p.bid)
        edge = 1000.0 * (d * (f_vx - k) - (c_buy - p_sell)) - 20 * (COMMISSION + FEES) - VX_COST
        best = max(best, edge)
    assert f.edge == pytest.approx(best, abs=1e-6)
    assert gaps[0][0].forward - gaps[0][1] == pytest.approx(-0.6, abs=1e-9)


def test_cheap_vx_future_is_bought() -> None:
    _, found, _ = vix_forward_gaps(_vix_chain(), _vx(VIX_FWD - 0.6), AS_OF, COSTS)
    assert [leg.side for leg in found[0].legs] == ["buy", "sell", "buy"]


def test_vix_expiry_without_a_real_future_is_said() -> None:
    curve = _curve([VIX_FWD], [30])  # another expiry
    gaps, found, notes = vix_forward_gaps(_vix_chain(), curve, AS_OF, COSTS)
    assert gaps == [] and found == []
    assert notes == ["VIX VIX 2024-07-17: no real VX future of that expiry"]
