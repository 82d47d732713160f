"""Real chains indexed a month at a time: answers independent of the rows' order.

The reference is the hand-made table itself (each option's own row) and the chain
order `OptionChain` promises (expiry, calls before puts, strike). A month comes
either in the dataset's order (expiry, strike, right: keyed in place) or in any
other (keyed through a sort): both must give the same quotes, chains and expiries.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vixshield.markets import listing
from vixshield.markets.inputs import DayInputs
from vixshield.markets.real_source import FrameChains, RealChains, _rows_where

DAYS = (pd.Timestamp("2024-01-02"), pd.Timestamp("2024-01-03"))
EXPIRIES = (pd.Timestamp("2024-01-19"), pd.Timestamp("2024-02-16"))
STRIKES = (4700.0, 4725.0, 4750.0)


def _no_futures(day: object, ed: np.ndarray) -> np.ndarray:
    raise AssertionError("SPX needs no VX future")


def _day(date: pd.Timestamp) -> DayInputs:
    return DayInputs(date, 0, 4720.0, 0.05, 0.015, 13.0, 15.0, (), {})


def _table() -> pd.DataFrame:
    """Every (day, expiry, strike, right) once, in the dataset's order; bids tell them apart."""
    rows = []
    for n, d in enumerate(DAYS):
        for j, e in enumerate(EXPIRIES):
            for k in STRIKES:
                for r in ("C", "P"):
                    bid = 100 * n + 10 * j + k / 100 + (0.5 if r == "P" else 0.0)
                    rows.append((d, "SPX", "SPX", e, "AM", k, r, bid, bid + 1.0, 0.2))
    cols = ["quote_date", "underlying", "root", "expiry", "settlement", "strike", "right",
            "bid", "ask", "iv"]  # fmt: skip
    return pd.DataFrame(rows, columns=cols)


def _days(e: pd.Series) -> np.ndarray:
    return ((e - pd.Timestamp("1970-01-01")).dt.days).to_numpy(np.int64)


def _quote_all(real: RealChains, t: pd.DataFrame, date: pd.Timestamp) -> np.ndarray:
    block = real.block(date, "SPX")
    assert block is not None
    want = t[t["quote_date"] == date]
    q, mask = real.quote(_day(date), "SPX", block, _days(want["expiry"]),
                         want["strike"].to_numpy(), (want["right"] == "C").to_numpy())  # fmt: skip
    assert mask.all()
    return q.bid


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**31 - 1))
def test_each_option_gets_its_own_row_in_any_row_order(seed: int) -> None:
    t = _table()
    shuffled = t.sample(frac=1.0, random_state=seed)  # rows of a date stay whole in a month
    real = RealChains(FrameChains(shuffled), _no_futures)
    for d in DAYS:
        np.testing.assert_array_equal(_quote_all(real, t, d), t[t["quote_date"] == d]["bid"])


@pytest.mark.parametrize("shuffle", [False, True])
def test_chain_comes_by_expiry_calls_first_then_strike(shuffle: bool) -> None:
    t = _table()
    src = t.sample(frac=1.0, random_state=7) if shuffle else t
    real = RealChains(FrameChains(src), _no_futures)
    block = real.block(DAYS[1], "SPX")
    assert block is not None
    got = real.chain(_day(DAYS[1]), "SPX", block, None)
    want = t[t["quote_date"] == DAYS[1]].copy()
    want["put"] = want["right"] == "P"
    want = want.sort_values(["expiry", "put", "strike"])
    assert list(got["right"]) == list(want["right"])
    assert list(got["strike"]) == list(want["strike"])
    np.testing.assert_array_equal(got["bid"], want["bid"])


@pytest.mark.parametrize("reverse", [False, True])
def test_a_duplicated_option_is_served_by_its_first_row_in_chain_order(reverse: bool) -> None:
    # strikes a ten-thousandth apart share a key (thousandths of a point): the lower
    # strike comes first in chain order, whatever the order of the source's rows
    base = _table()
    base = base[base["quote_date"] == DAYS[0]]
    extra = base[(base["strike"] == 4700.0) & (base["expiry"] == EXPIRIES[0])].copy()
    lo, hi = extra.copy(), extra.copy()
    lo["strike"], lo["bid"] = 4700.0001, 1.0
    hi["strike"], hi["bid"] = 4700.0004, 2.0
    rows = (
        [base[base["strike"] != 4700.0], hi, lo]
        if reverse
        else [lo, hi, base[base["strike"] != 4700.0]]
    )
    real = RealChains(FrameChains(pd.concat(rows)), _no_futures)
    block = real.block(DAYS[0], "SPX")
    assert block is not None
    ed = _days(pd.Series([EXPIRIES[0]] * 2))
    q, mask = real.quote(_day(DAYS[0]), "SPX", block, ed, np.array([4700.0, 4700.0]),
                         np.array([True, False]))  # fmt: skip
    assert mask.all() and list(q.bid) == [1.0, 1.0]


def test_expiries_take_root_and_settlement_from_the_first_row_in_chain_order() -> None:
    # one expiry date quoted under two roots: SPXW PM holds the lowest call
    cols = ["quote_date", "underlying", "root", "expiry", "settlement", "strike", "right",
            "bid", "ask", "iv"]  # fmt: skip
    rows = [
        (DAYS[0], "SPX", "SPX", EXPIRIES[0], "AM", 4700.0, "P", 5.0, 6.0, 0.2),
        (DAYS[0], "SPX", "SPX", EXPIRIES[0], "AM", 4725.0, "C", 7.0, 8.0, 0.2),
        (DAYS[0], "SPX", "SPXW", EXPIRIES[0], "PM", 4710.0, "C", 9.0, 10.0, 0.2),
    ]
    real = RealChains(FrameChains(pd.DataFrame(rows, columns=cols)), _no_futures)
    block = real.block(DAYS[0], "SPX")
    assert block is not None
    (e,) = real.expiries(_day(DAYS[0]), block)
    assert (e.date, e.root, e.settlement) == (EXPIRIES[0], "SPXW", "PM")
    # ACT/365 from 2024-01-02 16:00 to 2024-01-19 16:00: 17 days
    assert e.t_years == pytest.approx(17 / 365, abs=1e-15)
    assert list(real.strikes(block, EXPIRIES[0], _day(DAYS[0]))) == [4700.0, 4710.0, 4725.0]


@pytest.mark.parametrize("seed", [None, 3, 11])
def test_expiries_of_a_month_in_dataset_order_match_the_chain_order_rule(
    seed: int | None,
) -> None:
    # the dataset's order (expiry, strike, right): the first call of an expiry, by strike
    # and then row order, gives its root and settlement; an expiry of puts only, its first
    cols = ["quote_date", "underlying", "root", "expiry", "settlement", "strike", "right",
            "bid", "ask", "iv"]  # fmt: skip
    e0, e1 = EXPIRIES
    rows = [
        (DAYS[0], "SPX", "SPX", e0, "AM", 4700.0, "P", 5.0, 6.0, 0.2),
        (DAYS[0], "SPX", "SPXW", e0, "PM", 4710.0, "C", 9.0, 10.0, 0.2),
        (DAYS[0], "SPX", "SPX", e0, "AM", 4710.0, "C", 9.5, 10.5, 0.2),
        (DAYS[0], "SPX", "SPX", e0, "AM", 4725.0, "C", 7.0, 8.0, 0.2),
        (DAYS[0], "SPX", "SPX", e1, "AM", 4700.0, "P", 5.0, 6.0, 0.2),
        (DAYS[0], "SPX", "SPXW", e1, "PM", 4725.0, "P", 7.0, 8.0, 0.2),
    ]
    frame = pd.DataFrame(rows, columns=cols)
    if seed is not None:
        frame = frame.sample(frac=1.0, random_state=seed)
    real = RealChains(FrameChains(frame), _no_futures)
    block = real.block(DAYS[0], "SPX")
    assert block is not None
    assert block.keyed == (seed is None)  # the rows as given: keyed in place
    ref = frame.assign(put=frame["right"] == "P").sort_values(
        ["expiry", "put", "strike"], kind="stable"
    )
    want = ref.groupby("expiry", sort=True).head(1)
    got = real.expiries(_day(DAYS[0]), block)
    assert [(e.date, e.root, e.settlement) for e in got] == list(
        zip(want["expiry"], want["root"], want["settlement"], strict=True)
    )
    if seed is None:
        assert [(e.root, e.settlement) for e in got] == [("SPXW", "PM"), ("SPX", "AM")]


@pytest.mark.parametrize("legs", [4, 48])
def test_times_to_settlement_of_a_long_or_short_request_follow_the_listing_rule(
    legs: int,
) -> None:
    # a strike list (many rows, few expiries) and a position's legs: the same rule
    cols = ["quote_date", "underlying", "root", "expiry", "settlement", "strike", "right",
            "bid", "ask", "iv"]  # fmt: skip
    expiries = ((EXPIRIES[0], "SPX", "AM"), (EXPIRIES[1], "SPXW", "PM"))
    rows = [(DAYS[0], "SPX", root, e, st, 4600.0 + 25 * i, r, 5.0, 6.0, 0.2)
            for e, root, st in expiries for i in range(12) for r in ("C", "P")]  # fmt: skip
    frame = pd.DataFrame(rows, columns=cols)
    real = RealChains(FrameChains(frame), _no_futures)
    block = real.block(DAYS[0], "SPX")
    assert block is not None
    want = frame.iloc[np.linspace(0, len(frame) - 1, legs).astype(int)]
    q, mask = real.quote(_day(DAYS[0]), "SPX", block, _days(want["expiry"]),
                         want["strike"].to_numpy(), (want["right"] == "C").to_numpy())  # fmt: skip
    assert mask.all()
    ref = [listing.t_years_to_settlement(DAYS[0], e, s)
           for e, s in zip(want["expiry"], want["settlement"], strict=True)]  # fmt: skip
    np.testing.assert_array_equal(q.t_years, ref)
    assert set(q.t_years.tolist()) == {(17 * 1440 - 390) / 525600, 45 * 1440 / 525600}


@settings(max_examples=200, deadline=None)
@given(
    hit=st.lists(st.booleans(), max_size=6),
    picks=st.lists(st.integers(0, 5), max_size=40),
)
def test_rows_where_is_the_gather(hit: list[bool], picks: list[int]) -> None:
    # the reference: NumPy's own gather of a flag per distinct value by each row's code
    flags = np.array(hit, dtype=bool)
    code = np.array([p % len(hit) for p in picks] if hit else [], dtype=np.int32)
    want = flags[code]
    got = _rows_where(flags, code)
    assert got.dtype == np.bool_ and got.tolist() == want.tolist()
