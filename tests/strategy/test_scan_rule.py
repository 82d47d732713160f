"""The parity and VX curve scanner as a regime input (``[regime.scan]``, `scan_rule`).

The market is the strategy tests' fake (`strategy_fakes.FakeMarket`: BSM with q = 0,
a fixed 0.10-point spread), whose chain is served as "real" here. Its mids satisfy
put-call parity exactly (``C - P = e^{-rt} (F - K)``, ``F = S e^{rt}``), so the
clean chain has no finding; a planted quote moves one call's bid and ask up by
``SHIFT`` points. Reference edges are worked out here by hand from the `CostModel`
rule (a leg bought fills at ``mid + s (ask - bid)``, sold at ``mid - s (ask - bid)``;
each option contract pays commission + fees; 100 dollars per index point, Cboe SPX
contract specifications) and the policy's costs (0.65 + 0.60 USD, s = 0.25):

* conversion at the planted strike (sell the call, buy the put, long the forward):
  ``100 (SHIFT - 2 s 0.10) - 2 (0.65 + 0.60)``;
* VX kink (Cboe CFE VX: 1000 dollars per point, tick 0.05): ``1000 |dev| - 2 c``
  with ``c = s 0.05 1000 + 0.65 + 0.60`` per future and ``dev`` the month's distance
  from its neighbours' line in days to expiry.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from strategy_fakes import FakeMarket

from vixshield.data.embedded import load_embedded
from vixshield.data.market import MarketData
from vixshield.markets import Markets
from vixshield.markets.costs import CostModel
from vixshield.markets.types import OptionChain
from vixshield.strategy import AccountState, Decision, Policy, decide
from vixshield.strategy.engine import rules_of
from vixshield.strategy.policy import ScanPolicy, with_overrides
from vixshield.strategy.regime import NOT_SCANNED_MODELED, scan_entries
from vixshield.strategy.rules import scan_rule

ACCOUNT = AccountState(equity=1_000_000.0, cash=1_000_000.0, margin=0.0)
SHIFT = 8.0  # index points added to the planted call's bid and ask
SPREAD, SHARE, PER_LEG = 0.10, 0.25, 0.65 + 0.60
CONVERSION_EDGE = 100.0 * (SHIFT - 2.0 * SHARE * SPREAD) - 2.0 * PER_LEG  # 792.50 USD
COSTS = CostModel(0.65, 0.60, SHARE)  # the alvh-442 costs
VX_COST = SHARE * 0.05 * 1000.0 + PER_LEG  # USD per VX future traded


class RealMarket(FakeMarket):
    """The fake market with its chain (and optionally its VX curve) tagged real.

    ``plant``: (expiry index, strike) of the call moved up by `SHIFT`.
    ``kink``: vol points added to the second month of a real VX curve.
    """

    def __init__(
        self,
        data: MarketData,
        plant: tuple[int, float] | None = None,
        kink: float | None = None,
    ) -> None:
        super().__init__(data, spread=SPREAD, weeklies=True)
        self.plant = plant
        self.kink = kink

    def chain(
        self, date: pd.Timestamp, underlying: str, expiry: pd.Timestamp | None = None
    ) -> OptionChain:
        ch = super().chain(date, underlying, expiry)
        q = ch.quotes.assign(origin="real")
        if self.plant is not None and underlying == "SPX":
            e = self.expiries(date, "SPX")[self.plant[0]].date
            at = (q["expiry"] == e) & (q["strike"] == self.plant[1]) & (q["right"] == "C")
            q.loc[at, ["bid", "ask", "mid"]] += SHIFT
        return OptionChain(ch.underlying, ch.as_of, ch.spot, ch.rate, q, "real")

    def vx_curve(self, date: pd.Timestamp) -> pd.DataFrame:
        curve = super().vx_curve(date)
        if self.kink is None:
            return curve
        curve = curve.assign(origin="real")
        curve.loc[1, "value"] += self.kink
        return curve


def _policy(alvh: Policy, enabled: bool = True) -> Policy:
    return with_overrides(
        alvh,
        {"regime.scan.enabled": enabled, "regime.scan.max_parity_edge": 500.0},
        "test",
    )


def _entry_day(ind: pd.DataFrame) -> pd.Timestamp:
    """A day whose regime allows entries with a monthly expiry 45-55 days out."""
    for d in ind.index[150:]:
        tf = [
            pd.Timestamp(
                year=d.year + (d.month + m - 1) // 12, month=(d.month + m - 1) % 12 + 1, day=15
            )
            for m in (1, 2, 3)
        ]
        if ind.loc[d, "regime"] in ("calm", "normal") and any(45 <= (x - d).days <= 55 for x in tf):
            return d
    raise AssertionError("no suitable day")


def _atm(market: FakeMarket, day: pd.Timestamp) -> float:
    """A listed strike near the spot (the fake's strikes are every 5 points)."""
    spot = float(market.data.daily.loc[day, "spx_close"])
    return 5.0 * round(spot / 5.0)


def _scan(dec: Decision) -> list[tuple[str, str, dict[str, float | str]]]:
    return [(r.outcome, r.note, dict(r.inputs)) for r in dec.audit if r.rule == "scan"]


def _condor_opened(dec: Decision) -> bool:
    return any(o.kind == "condor" and o.action == "open" for o in dec.orders)


def test_planted_parity_violation_blocks_entries_and_is_audited(
    data: MarketData, alvh: Policy, indicators: pd.DataFrame
) -> None:
    day = _entry_day(indicators)
    market = RealMarket(data)
    k = _atm(market, day)
    market.plant = (0, k)
    dec = decide(day, market, [], ACCOUNT, _policy(alvh), None, indicators)
    [(outcome, note, inputs)] = _scan(dec)
    assert outcome == "fail"
    assert note.startswith(
        f"entries blocked: conversion SPX {market.expiries(day, 'SPX')[0].date.date()} K {k:g}"
    )
    assert inputs["largest_parity_edge"] == pytest.approx(CONVERSION_EDGE, abs=1e-6)
    assert inputs["spx_chain"] == "real"
    assert not _condor_opened(dec)
    entry = [r for r in dec.audit if r.rule == "condor_entry"]
    assert [(r.outcome, r.note) for r in entry] == [("fail", "blocked by scan")]


def test_edge_at_or_below_the_limit_does_not_block(
    data: MarketData, alvh: Policy, indicators: pd.DataFrame
) -> None:
    day = _entry_day(indicators)
    market = RealMarket(data)
    market.plant = (0, _atm(market, day))
    policy = with_overrides(
        _policy(alvh), {"regime.scan.max_parity_edge": CONVERSION_EDGE + 1.0}, "test"
    )
    dec = decide(day, market, [], ACCOUNT, policy, None, indicators)
    [(outcome, _, inputs)] = _scan(dec)
    assert outcome == "pass"
    assert inputs["largest_parity_edge"] == pytest.approx(CONVERSION_EDGE, abs=1e-6)
    assert _condor_opened(dec)


def test_clean_real_chain_is_scanned_and_does_not_block(
    data: MarketData, alvh: Policy, indicators: pd.DataFrame
) -> None:
    day = _entry_day(indicators)
    dec = decide(day, RealMarket(data), [], ACCOUNT, _policy(alvh), None, indicators)
    [(outcome, _, inputs)] = _scan(dec)
    assert outcome == "pass"
    assert inputs["parity_findings"] == 0 and inputs["largest_parity_edge"] == 0.0
    assert _condor_opened(dec)
    assert dec.details["scan"]["outcome"] == "pass"  # type: ignore[index]


def test_vx_kink_above_the_limit_blocks(
    data: MarketData, alvh: Policy, indicators: pd.DataFrame
) -> None:
    day = _entry_day(indicators)
    market = RealMarket(data, kink=3.0)
    curve = market.vx_curve(day).sort_values("expiry").reset_index(drop=True)
    v, d = curve["value"].to_numpy(), curve["dte"].to_numpy()
    w = (d[2] - d[1]) / (d[2] - d[0])
    dev = v[1] - (w * v[0] + (1.0 - w) * v[2])
    assert dev > 2.0  # the policy's max_vx_kink default
    dec = decide(day, market, [], ACCOUNT, _policy(alvh), None, indicators)
    [(outcome, note, inputs)] = _scan(dec)
    assert outcome == "fail"
    assert inputs["vx_kinks"] >= 1
    edge = 1000.0 * abs(dev) - 2.0 * VX_COST
    assert f"vx_kink VIX {curve['expiry'][1].date()}: edge ${edge:,.2f}" in note
    assert not _condor_opened(dec)


def test_modeled_chain_is_not_scanned_and_never_blocks(
    data: MarketData, alvh: Policy, indicators: pd.DataFrame
) -> None:
    day = _entry_day(indicators)
    market = FakeMarket(data, spread=SPREAD, weeklies=True)
    dec = decide(day, market, [], ACCOUNT, _policy(alvh), None, indicators)
    [(outcome, note, inputs)] = _scan(dec)
    assert (outcome, note) == ("info", NOT_SCANNED_MODELED)
    assert inputs["spx_chain"] == "modeled"
    assert _condor_opened(dec)


def test_disabled_scan_is_inert(data: MarketData, alvh: Policy, indicators: pd.DataFrame) -> None:
    day = _entry_day(indicators)
    market = RealMarket(data)
    market.plant = (0, _atm(market, day))
    assert alvh.regime.scan.enabled is False  # presets leave it off
    assert all(getattr(r, "func", r) is not scan_rule for r in rules_of(alvh))
    dec = decide(day, market, [], ACCOUNT, alvh, None, indicators)
    assert _scan(dec) == []
    assert "scan" not in dec.details
    assert _condor_opened(dec)
    off = decide(day, market, [], ACCOUNT, _policy(alvh, enabled=False), None, indicators)
    assert off.orders == dec.orders and off.audit == dec.audit


# ---------------------------------------------------------------- the real markets layer
# `vixshield.markets.Markets` over the embedded sample with a generated real SPX chain on
# one day. Calls are Black-Scholes-Merton prices (Hull, 10th ed., eq. 15.20, written out
# with `math.erf`), puts from parity ``P = C - D (F - K)``; quotes are mid -/+ a half
# spread of 0.05 + 1 % of the mid; the planted call's bid and ask move up by SHIFT.
REAL_DAY = pd.Timestamp("2016-06-01")
REAL_EXPIRIES = ("2016-07-01", "2016-07-29")  # PM Fridays
REAL_K = 2100.0


def _n(x: float) -> float:
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


def _bsm_call(s: float, k: float, t: float, r: float, q: float, vol: float) -> float:
    d1 = (math.log(s / k) + (r - q + 0.5 * vol * vol) * t) / (vol * math.sqrt(t))
    return s * math.exp(-q * t) * _n(d1) - k * math.exp(-r * t) * _n(d1 - vol * math.sqrt(t))


def _real_chain(plant: bool) -> tuple[pd.DataFrame, float]:
    """The chain and, with ``plant``, the planted conversion's edge worked out by hand."""
    s, r, q, vol = 2100.0, 0.01, 0.02, 0.2
    rows, edge = [], math.nan
    for e in REAL_EXPIRIES:
        t = (pd.Timestamp(e) - REAL_DAY).days / 365.0
        d, f = math.exp(-r * t), s * math.exp((r - q) * t)
        for k in np.arange(1900.0, 2301.0, 25.0):
            c = _bsm_call(s, float(k), t, r, q, vol)
            mids = {"C": c, "P": c - d * (f - float(k))}
            planted = plant and e == REAL_EXPIRIES[0] and k == REAL_K
            for right, mid in mids.items():
                hs = 0.05 + 0.01 * mid
                up = SHIFT if planted and right == "C" else 0.0
                rows.append(
                    {
                        "quote_date": REAL_DAY, "underlying": "SPX", "root": "SPXW",
                        "expiry": pd.Timestamp(e), "settlement": "PM", "strike": float(k),
                        "right": right, "bid": mid - hs + up, "ask": mid + hs + up, "iv": vol,
                    }
                )  # fmt: skip
            if planted:
                spreads = sum(2.0 * (0.05 + 0.01 * m) for m in mids.values())
                edge = 100.0 * (SHIFT - SHARE * spreads) - 2.0 * PER_LEG
    return pd.DataFrame(rows), edge


@pytest.fixture(scope="module")
def embedded() -> MarketData:
    return load_embedded()


def test_real_markets_chain_with_a_planted_conversion_blocks(embedded: MarketData) -> None:
    chain, edge = _real_chain(plant=True)
    markets = Markets(embedded, chains=chain)
    allowed, fired = scan_entries(REAL_DAY, markets, COSTS, ScanPolicy(enabled=True))
    assert not allowed and fired.outcome == "fail"
    assert fired.inputs["largest_parity_edge"] == pytest.approx(edge, abs=1e-6)
    assert f"conversion SPX {REAL_EXPIRIES[0]} K {REAL_K:g}: edge ${edge:,.2f}" in fired.note


def test_real_markets_clean_chain_passes_and_other_days_are_modeled(
    embedded: MarketData,
) -> None:
    chain, _ = _real_chain(plant=False)
    markets = Markets(embedded, chains=chain)
    allowed, fired = scan_entries(REAL_DAY, markets, COSTS, ScanPolicy(enabled=True))
    assert allowed and fired.outcome == "pass"
    assert fired.inputs["parity_findings"] == 0
    nxt = pd.Timestamp("2016-06-02")  # no real chain that day
    allowed, fired = scan_entries(nxt, markets, COSTS, ScanPolicy(enabled=True))
    assert allowed and (fired.outcome, fired.note) == ("info", NOT_SCANNED_MODELED)
