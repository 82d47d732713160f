"""Monthly and yearly returns (vixshield.report.periods) and their report section.

Hand-made equity: capital 100,000; end of Jan 2018 102,000 (+2 %), end of Feb 2018
104,040 (+2 %), so 2018 is +4.04 %; 2 Jan 2019 93,636 (-10 % on 104,040).
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from vixshield.report.html import period_returns_section
from vixshield.report.periods import MONTH_LABELS, monthly_returns, yearly_returns

EQUITY = pd.Series(
    [101_000.0, 102_000.0, 100_980.0, 104_040.0, 93_636.0],
    index=pd.DatetimeIndex(
        ["2018-01-30", "2018-01-31", "2018-02-01", "2018-02-28", "2019-01-02"], name="date"
    ),
)


def test_monthly_returns_by_hand() -> None:
    table = monthly_returns(EQUITY, 100_000.0)
    assert list(table.index) == [2018, 2019] and list(table.columns) == list(MONTH_LABELS)
    assert table.loc[2018, "Jan"] == pytest.approx(0.02)
    assert table.loc[2018, "Feb"] == pytest.approx(0.02)
    assert table.loc[2019, "Jan"] == pytest.approx(-0.10)
    filled = {(y, m) for y in table.index for m in table.columns if not math.isnan(table.loc[y, m])}
    assert filled == {(2018, "Jan"), (2018, "Feb"), (2019, "Jan")}


def test_yearly_returns_by_hand() -> None:
    years = yearly_returns(EQUITY, 100_000.0)
    assert list(years.index) == [2018, 2019]
    assert years[2018] == pytest.approx(0.0404)
    assert years[2019] == pytest.approx(-0.10)


def test_report_section_shows_the_heatmap_and_table() -> None:
    html = period_returns_section(pd.DataFrame({"equity": EQUITY}), 100_000.0)
    assert '<div id="chart-monthly-returns"' in html
    assert "<td>2018</td>" in html and "<td>2019</td>" in html
    for cell in ("2.00%", "<b>4.04%</b>", "-10.00%", "<b>-10.00%</b>"):
        assert cell in html, cell


def test_bad_capital_is_refused() -> None:
    with pytest.raises(ValueError, match="capital must be positive"):
        monthly_returns(EQUITY, 0.0)
