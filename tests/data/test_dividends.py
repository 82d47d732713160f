"""The shipped S&P 500 dividend yield table and its no-look-ahead daily step."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from vixshield.data.dividends import annual_dividend_yield, dividend_yield
from vixshield.data.embedded import load_embedded


def test_table_covers_1989_to_2026_with_plausible_values() -> None:
    table = annual_dividend_yield()
    assert table.index[0] == 1989 and table.index[-1] == 2026
    assert list(table.index) == list(range(1989, 2027))
    assert table.between(0.01, 0.04).all()
    # public record: the 2008 crash doubled the yield (about 3.1 % at the end of 2008),
    # and the 1999-2000 bubble pushed it to its low (about 1.1-1.2 %)
    assert table[2008] == pytest.approx(0.031, abs=0.001)
    assert table[1999] == pytest.approx(0.0115, abs=0.001)


def test_step_uses_the_previous_year_only() -> None:
    table = annual_dividend_yield()
    days = pd.DatetimeIndex(["2008-12-31", "2009-01-02", "2009-06-30", "2009-12-31", "2010-01-04"])
    q = dividend_yield(days)
    # 2009 uses the 2008 year-end value (known on 2008-12-31's close), never 2009's own
    assert q.loc["2009-01-02"] == q.loc["2009-12-31"] == table[2008]
    assert q.loc["2008-12-31"] == table[2007]
    assert q.loc["2010-01-04"] == table[2009]
    # a year whose previous year is not in the table is NaN, not a carried value
    far = dividend_yield(pd.DatetimeIndex(["1989-06-30", "2028-01-03"]))
    assert np.isnan(far).all()


def test_embedded_default_carries_the_modeled_column() -> None:
    md = load_embedded()
    q = md.daily["div_yield"]
    assert q.notna().all() and q.between(0.01, 0.04).all()
    assert q.loc["2009-03-09"] == annual_dividend_yield()[2008]
    p = md.provenance["div_yield"]
    assert (p.provider, p.origin) == ("vixshield", "modeled")
    assert "no look-ahead" in p.note
    assert md.daily["spx_set"].isna().all()
    assert md.benchmarks.empty
