"""The condor builder's strike-list path gives the chain path's condor."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from strategy_fakes import FakeMarket, ListedMarket, synthetic_data

from vixshield.strategy import load_policy
from vixshield.strategy.condor import SideQuotes, build_condor, select_expiry

DATA = synthetic_data(120)
DAY = DATA.daily.index[100]
ALVH = load_policy("alvh-442")


def test_side_quotes_from_strikes_match_the_chain() -> None:
    listed, plain = ListedMarket(DATA), FakeMarket(DATA)
    exp = select_expiry(DAY, plain.expiries(DAY, "SPX"), ALVH.condor)
    assert exp is not None
    a = SideQuotes.from_market(listed, DAY, exp)
    b = SideQuotes.from_chain(plain.chain(DAY, "SPX", exp.date), exp)
    np.testing.assert_allclose(a.strikes, b.strikes)
    np.testing.assert_allclose(a.put_mid, b.put_mid, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(a.call_ask, b.call_ask, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(a.put_greeks["delta"], b.put_greeks["delta"], atol=1e-12)
    assert a.forward == pytest.approx(b.forward) and a.t_years == pytest.approx(b.t_years)
    # the rate implied by put-call parity is the chain's rate (model mids are exact)
    assert a.rate == pytest.approx(b.rate, abs=1e-6)


def test_build_condor_same_legs_and_size_either_way() -> None:
    a, _ = build_condor(DAY, ListedMarket(DATA), ALVH, 0.5, 1.0, 1_000_000.0)
    b, _ = build_condor(DAY, FakeMarket(DATA), ALVH, 0.5, 1.0, 1_000_000.0)
    assert a is not None and b is not None
    assert a.legs == b.legs
    assert a.analytics.contracts == b.analytics.contracts
    assert a.analytics.credit_fill == pytest.approx(b.analytics.credit_fill, rel=1e-9)
    assert a.analytics.pop == pytest.approx(b.analytics.pop, abs=1e-6)


def test_day_number_differences_are_calendar_days() -> None:
    from vixshield.strategy.condor import day_number

    a, b = pd.Timestamp("2024-03-10 16:00"), pd.Timestamp("2023-12-29")
    assert day_number(a) - day_number(b) == (a.normalize() - b.normalize()).days == 72
