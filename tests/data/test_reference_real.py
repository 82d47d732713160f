"""The real files in ../shared/reference (Cboe strategy benchmarks, Yahoo ^GSPC), imported
beside ../shared/data and read back through load_store (skipped where absent)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from vixshield.data.dividends import annual_dividend_yield
from vixshield.data.formats import parse_file
from vixshield.data.loader import PROVIDER_AGREEMENT_TOL, load_store
from vixshield.data.market import BENCHMARK_COLUMNS, DAILY_COLUMNS, MarketData
from vixshield.data.store import Store
from vixshield.data.store_import import ImportResult, import_path

pytestmark = pytest.mark.shared_data


@pytest.fixture(scope="module")
def both_home(
    shared_data: Path, shared_reference: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, ImportResult]:
    home = tmp_path_factory.mktemp("both_home")
    import_path(shared_data, Store(home))
    return home, import_path(shared_reference, Store(home))


@pytest.fixture(scope="module")
def md(both_home: tuple[Path, ImportResult]) -> MarketData:
    return load_store(home=both_home[0])


# Rows, first and last dates as ../shared/reference/cboe_strategy/README.md lists them.
BENCHMARK_FILES = {
    "put": ("PUT", 4957, "1991-03-04", "2026-09-04"),
    "bxm": ("BXM", 6146, "2002-03-22", "2026-08-28"),
    "pput": ("PPUT", 10119, "1986-06-30", "2026-09-04"),
    "cll": ("CLL", 4489, "2008-08-26", "2026-08-28"),
}


def test_import_counts(both_home: tuple[Path, ImportResult]) -> None:
    _, res = both_home
    kinds = {Path(f).name: k for f, k in res.files}
    assert kinds == {
        "BXM_History.csv": "cboe_strategy",
        "CLL_History.csv": "cboe_strategy",
        "PPUT_History.csv": "cboe_strategy",
        "PUT_History.csv": "cboe_strategy",
        "GSPC_yahoo_1990_2026.csv": "yahoo",
    }
    rows = {w.series: w.rows for w in res.written}
    for key, (_, n, _, _) in BENCHMARK_FILES.items():
        assert rows[key] == n
    for col in ("spx_open", "spx_high", "spx_low", "spx_close"):
        assert rows[f"{col}-yahoo"] == 9251  # the file's 9,251 rows, no null rows


def test_benchmarks_match_the_files(md: MarketData, shared_reference: Path) -> None:
    b = md.benchmarks
    assert tuple(b.columns) == BENCHMARK_COLUMNS
    assert b.index.is_unique and b.index.is_monotonic_increasing and b.index.tz is None
    for key, (name, n, first, last) in BENCHMARK_FILES.items():
        s = b[key].dropna()
        assert len(s) == n
        assert (s.index[0], s.index[-1]) == (pd.Timestamp(first), pd.Timestamp(last))
        assert md.provenance[key].provider == "cboe" and md.provenance[key].origin == "real"
        assert md.provenance[key].source.endswith(f"{name}_History.csv")
    # values as written in the files (and Cboe's published rules: PPUT starts at 100 on 1986-06-30)
    assert b.loc["1986-06-30", "pput"] == 100.0
    assert b.loc["2007-01-03", "put"] == 923.60
    assert b.loc["2018-11-27", "put"] == 1857.3101
    assert b.loc["2009-10-16", "cll"] == 475.17
    assert b.loc["2026-09-04", "put"] == 3628.80


def test_strategy_quirks_are_warned(shared_reference: Path) -> None:
    d = shared_reference / "cboe_strategy"
    put = parse_file(d / "PUT_History.csv")
    assert sum("no value for" in w for w in put.warnings) == 7  # isolated values before 2007
    assert any("8 PUT value(s) with more than two significant decimals" in w for w in put.warnings)
    bxm = parse_file(d / "BXM_History.csv")
    assert any("12 BXM value(s) with more than two significant decimals" in w for w in bxm.warnings)
    cll = parse_file(d / "CLL_History.csv")
    holidays = [w for w in cll.warnings if "a day the NYSE was closed" in w]
    assert [w.split(" row on ")[1][:10] for w in holidays] == [
        "2018-11-22",
        "2018-12-25",
        "2019-12-25",
    ]
    assert all("repeats the previous row's value" in w for w in holidays)
    assert sum("in one day" in w for w in cll.warnings) == 1  # 2009-10-16
    assert sum("no value for 11 days" in w for w in cll.warnings) == 2
    assert parse_file(d / "PPUT_History.csv").warnings == ()  # clean


def test_yahoo_and_stooq_agree_on_every_common_day(
    shared_data: Path, shared_reference: Path
) -> None:
    yahoo = parse_file(shared_reference / "spx" / "GSPC_yahoo_1990_2026.csv").frames
    stooq = parse_file(shared_data / "spx" / "spx_stooq_daily.csv").frames
    for col in ("spx_open", "spx_high", "spx_low", "spx_close"):
        both = pd.concat(
            {"value_y": yahoo[col]["value"], "value_s": stooq[col]["value"]}, axis=1, join="inner"
        )
        assert len(both) == 9008  # 1990-01-02 .. 2025-10-07
        rel = (both["value_y"] / both["value_s"] - 1.0).abs()
        assert (rel <= PROVIDER_AGREEMENT_TOL).all(), col
        if col == "spx_close":
            assert rel.max() < 2e-4  # measured 0.0115 % (1999-11-30)


def test_spx_combined_to_the_latest_yahoo_day(md: MarketData) -> None:
    d = md.daily
    assert tuple(d.columns) == DAILY_COLUMNS
    assert d.index[0] == pd.Timestamp("1990-01-02") and d.index[-1] == pd.Timestamp("2026-09-25")
    assert d["spx_close"].notna().all() and len(d) == 9251
    assert d.loc["2018-02-05", "spx_close"] == 2648.94  # stooq's value where both have one
    assert d.loc["2026-09-25", "spx_close"] == pytest.approx(7743.410156)  # Yahoo's
    # VIX ends 2026-07-22 and stays NaN after it (never forward-filled)
    assert d.loc["2026-07-22", "vix"] == d["vix"].dropna().iloc[-1]
    assert d.loc["2026-07-23":, "vix"].isna().all()
    p = md.provenance["spx_close"]
    assert p.provider == "stooq+yahoo" and p.origin == "real"
    assert "stooq on 9008 day(s) 1990-01-02 .. 2025-10-07" in p.note
    assert "yahoo on 243 day(s) 2025-10-08 .. 2026-09-25" in p.note
    assert not any("differ by more than" in w for w in md.warnings)


def test_div_yield_every_day_and_stepped(md: MarketData) -> None:
    q = md.daily["div_yield"]
    assert q.notna().all() and q.between(0.01, 0.04).all()
    table = annual_dividend_yield()
    assert (q.loc["2009"] == table[2008]).all()  # 2009 uses the 2008 year-end value
    assert (q.loc["1990"] == table[1989]).all()
    assert md.origin("div_yield") == "modeled"
    assert md.provenance["div_yield"].provider == "vixshield"


def test_dividend_table_closes_are_the_real_year_end_closes(
    md: MarketData, shared_reference: Path
) -> None:
    """The ``close`` column of dividend_yield.csv against the imported SPX (stooq, then Yahoo)."""
    from importlib import resources

    text = resources.files("vixshield.data").joinpath("resources", "dividend_yield.csv")
    with resources.as_file(text) as path:
        table = pd.read_csv(path, comment="#")
    closes = md.daily["spx_close"].groupby(md.daily.index.year).last()
    done = table[table["year"].between(1990, 2025)]
    np.testing.assert_allclose(
        done["close"].to_numpy(), closes.loc[done["year"]].to_numpy(), atol=0.006
    )
    np.testing.assert_allclose(
        table["div_yield"], table["dividends"] / table["close"], atol=0.00005
    )
