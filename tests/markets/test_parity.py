"""Put-call parity scanner on generated chains (`vixshield.markets.parity`).

Reference values are the generator's inputs (forward, discount factor, rate) and
edges worked out here from the planted quotes and the cost constants, leg by leg:
a leg bought fills at ``mid + s (ask - bid)``, sold at ``mid - s (ask - bid)``
(the `CostModel` rule), each option contract pays commission + fees, and a contract
is 100 dollars per index point (Cboe SPX contract specs).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from test_parity_chains import Planted, make_chain

from vixshield.markets.costs import CostModel
from vixshield.markets.parity import implied_parity, scan_parity, scan_summary

AS_OF = pd.Timestamp("2024-06-03")
E1, E2 = "2024-07-03", "2024-08-02"
COMMISSION, FEES, SHARE = 0.65, 0.60, 0.25  # the policy defaults, dollars per contract
COSTS = CostModel(COMMISSION, FEES, SHARE)
PER_LEG = COMMISSION + FEES


def _quote(chain: pd.DataFrame, expiry: str, k: float, right: str) -> tuple[float, float]:
    row = chain[
        (chain["expiry"] == pd.Timestamp(expiry))
        & (chain["strike"] == k)
        & (chain["right"] == right)
    ]
    return float(row["bid"].iloc[0]), float(row["ask"].iloc[0])


def _buy(q: tuple[float, float]) -> float:
    bid, ask = q
    return 0.5 * (bid + ask) + SHARE * (ask - bid)


def _sell(q: tuple[float, float]) -> float:
    bid, ask = q
    return 0.5 * (bid + ask) - SHARE * (ask - bid)


def _df_fwd(expiry: str) -> tuple[float, float]:
    t = (pd.Timestamp(expiry) - AS_OF).days / 365.0
    return math.exp(-0.05 * t), 5000.0 * math.exp((0.05 - 0.015) * t)


def test_implied_forward_and_rate_are_the_generators() -> None:
    fitted, skipped = implied_parity(make_chain(), AS_OF, "SPX")
    assert skipped == []
    assert [p.expiry for p in fitted] == [pd.Timestamp(E1), pd.Timestamp(E2)]
    for p, e in zip(fitted, (E1, E2), strict=True):
        d, f = _df_fwd(e)
        assert p.forward == pytest.approx(f, abs=1e-8)
        assert p.discount == pytest.approx(d, abs=1e-12)
        assert p.rate == pytest.approx(0.05, abs=1e-9)
        assert p.strikes == 33
        assert p.max_deviation < 1e-9


def test_one_bad_quote_moves_neither_forward_nor_rate() -> None:
    chain = make_chain(planted=(Planted(E1, 5000.0, "C", 3.0),))
    p = implied_parity(chain, AS_OF, "SPX")[0][0]
    d, f = _df_fwd(E1)
    assert p.forward == pytest.approx(f, abs=1e-8)
    assert p.discount == pytest.approx(d, abs=1e-12)
    assert p.max_deviation == pytest.approx(3.0, abs=1e-9)


def test_clean_chain_has_no_findings() -> None:
    res = scan_parity(make_chain(), AS_OF, "SPX", COSTS)
    assert res.findings == ()
    assert scan_summary(res.findings).count == 0


def test_clean_chain_at_mid_without_costs_has_no_findings_beyond_a_cent() -> None:
    res = scan_parity(make_chain(), AS_OF, "SPX", CostModel(), min_edge=0.01)
    assert res.findings == ()


def test_rich_call_is_a_conversion_with_the_hand_edge() -> None:
    k = 5000.0
    chain = make_chain(planted=(Planted(E1, k, "C", 3.0),))
    res = scan_parity(chain, AS_OF, "SPX", COSTS)
    conv = [f for f in res.findings if f.kind == "conversion"]
    assert len(conv) == 1
    f = conv[0]
    d, fwd = _df_fwd(E1)
    c, p = _quote(chain, E1, k, "C"), _quote(chain, E1, k, "P")
    edge = 100.0 * (_sell(c) - _buy(p) + d * (k - fwd)) - 2 * PER_LEG
    assert f.edge == pytest.approx(edge, abs=1e-6)
    assert f.expiry == pd.Timestamp(E1)
    sides = [(leg.instrument, leg.strike, leg.right, leg.side) for leg in f.legs]
    assert sides == [
        ("option", k, "C", "sell"),
        ("option", k, "P", "buy"),
        ("forward", None, None, "buy"),
    ]
    assert f.size_limit is None and f.size_note == "size unknown"
    assert not [x for x in res.findings if x.kind == "reversal"]


def test_rich_put_is_a_reversal_with_the_hand_edge() -> None:
    k = 5100.0
    chain = make_chain(planted=(Planted(E2, k, "P", 2.5),))
    res = scan_parity(chain, AS_OF, "SPX", COSTS)
    rev = [f for f in res.findings if f.kind == "reversal"]
    assert [(f.expiry, f.legs[0].strike) for f in rev] == [(pd.Timestamp(E2), k)]
    d, fwd = _df_fwd(E2)
    c, p = _quote(chain, E2, k, "C"), _quote(chain, E2, k, "P")
    edge = 100.0 * (_sell(p) - _buy(c) + d * (fwd - k)) - 2 * PER_LEG
    assert rev[0].edge == pytest.approx(edge, abs=1e-6)
    assert not [f for f in res.findings if f.kind == "conversion"]


def test_boxes_around_a_rich_call_with_the_hand_edges() -> None:
    k = 5000.0
    chain = make_chain(planted=(Planted(E1, k, "C", 3.0),))
    res = scan_parity(chain, AS_OF, "SPX", COSTS)
    d, _ = _df_fwd(E1)
    boxes = {f.kind: f for f in res.findings if f.kind.startswith("box")}
    assert set(boxes) == {"box_long", "box_short"}
    long = boxes["box_long"]
    k1, k2 = long.legs[0].strike, long.legs[1].strike
    assert k2 == k  # the long box sells the rich call as its upper call
    assert k1 is not None and k1 < k2
    cost = (
        _buy(_quote(chain, E1, k1, "C")) - _sell(_quote(chain, E1, k2, "C"))
        + _buy(_quote(chain, E1, k2, "P")) - _sell(_quote(chain, E1, k1, "P"))
    )  # fmt: skip
    assert long.edge == pytest.approx(100.0 * (d * (k2 - k1) - cost) - 4 * PER_LEG, abs=1e-6)
    short = boxes["box_short"]
    s1, s2 = short.legs[0].strike, short.legs[1].strike
    assert s1 == k and s2 is not None and s2 > s1  # sells the rich call as its lower call
    proceeds = (
        _sell(_quote(chain, E1, s1, "C")) - _buy(_quote(chain, E1, s2, "C"))
        + _sell(_quote(chain, E1, s2, "P")) - _buy(_quote(chain, E1, s1, "P"))
    )  # fmt: skip
    assert short.edge == pytest.approx(100.0 * (proceeds - d * (s2 - s1)) - 4 * PER_LEG, abs=1e-6)
    assert all(f.expiry == pd.Timestamp(E1) for f in res.findings)


def test_box_at_a_zero_financing_rate_is_a_long_box_with_the_hand_edge() -> None:
    """Lending through a box at the chain's 5 % beats a 0 % financing rate by
    ``(1 - exp(-0.05 t)) (K2 - K1)`` before spreads: wide enough boxes pay."""
    res = scan_parity(make_chain(), AS_OF, "SPX", COSTS, financing_rate=0.0)
    assert not [f for f in res.findings if f.kind in ("box_short", "conversion", "reversal")]
    long = [f for f in res.findings if f.kind == "box_long"]
    assert [f.expiry for f in long] == [pd.Timestamp(E2)]  # 30 days: spreads eat the 0.4 %
    k1, k2 = long[0].legs[0].strike, long[0].legs[1].strike
    assert k1 is not None and k2 is not None
    chain = make_chain()
    cost = (
        _buy(_quote(chain, E2, k1, "C")) - _sell(_quote(chain, E2, k2, "C"))
        + _buy(_quote(chain, E2, k2, "P")) - _sell(_quote(chain, E2, k1, "P"))
    )  # fmt: skip
    assert long[0].edge == pytest.approx(100.0 * ((k2 - k1) - cost) - 4 * PER_LEG, abs=1e-6)
    assert long[0].edge > 0


def test_size_limit_is_the_smallest_quoted_size_on_the_traded_sides() -> None:
    k = 5000.0
    chain = make_chain(planted=(Planted(E1, k, "C", 3.0),), sizes=True)
    conv = [f for f in scan_parity(chain, AS_OF, "SPX", COSTS).findings if f.kind == "conversion"]
    # call sold at the bid: 10 + 5000 % 7 = 12; put bought at the ask: 20 + 5000 % 5 = 20
    assert conv[0].size_limit == 12
    assert "call bid" in conv[0].size_note


def test_summary_counts_and_max_edge() -> None:
    chain = make_chain(planted=(Planted(E1, 5000.0, "C", 3.0), Planted(E2, 5100.0, "P", 2.5)))
    res = scan_parity(chain, AS_OF, "SPX", COSTS)
    s = scan_summary(res.findings)
    assert s.count == len(res.findings) == s.parity_count
    assert s.max_edge == max(f.edge for f in res.findings)
    assert s.vix_forward_count == 0 and s.kink_count == 0


def test_one_sided_strikes_are_left_out_and_thin_expiries_skipped() -> None:
    chain = make_chain(expiries=(E1,), strikes=np.array([4900.0, 5000.0, 5100.0]))
    chain.loc[chain["strike"] == 5100.0, "bid"] = 0.0
    fitted, skipped = implied_parity(chain, AS_OF, "SPX")
    assert fitted == []
    assert skipped == ["SPX SPXW 2024-07-03: 2 strikes with two-sided calls and puts (need 3)"]
