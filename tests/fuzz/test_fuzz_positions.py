"""Fuzz every positions-file field through ``vixshield signal --positions`` (in-process).

A file that is bad on its own is refused before the market is opened: exit 2, one
``error:`` line naming the file and the field path, no traceback. What only the
signal date, the policy and the market can tell (a weekend expiry, a strike off the
grid, an unknown layer, opened after the signal date, an expired leg) is refused the
same way before any replay runs.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from fuzz_cli import assert_user_error, run_cli
from hypothesis import HealthCheck, given, settings
from strategies_positions import (
    BASE_DOC,
    SIGNAL_DATE,
    PositionsCase,
    context_cases,
    dumps_json,
    positions_case,
    positions_corpus,
)

from vixshield.errors import DataError
from vixshield.report.positions_file import (
    PositionContext,
    parse_positions_csv,
    parse_positions_json,
)

SIGNAL = ["signal", "--data", "embedded", "--date", SIGNAL_DATE, "--since", "2018-01-02"]


def _check(tmp: Path, case: PositionsCase, suffix: str = ".json") -> None:
    f = tmp / f"positions{suffix}"
    f.write_bytes(case.data)
    outcome = run_cli([*SIGNAL, "--positions", str(f), "--json"])
    try:
        assert_user_error(outcome, str(f), *case.must_name)
    except AssertionError as err:
        raise AssertionError(f"{case.describe()}\n{err}") from None


@pytest.fixture(scope="module")
def context() -> PositionContext:
    from vixshield.cli._sources import open_markets

    market = open_markets("embedded", cache=False)
    day = pd.Timestamp(SIGNAL_DATE)
    return PositionContext(day, layers=("short", "medium", "long"), market=market)


def test_the_base_book_is_valid_in_its_context(context: PositionContext) -> None:
    held = parse_positions_json(dumps_json(BASE_DOC), "p.json", context)
    assert [p.id for p in held] == ["IC-1", "H-1"]


# -- each failure class of the issue, reproduced first ------------------------------------


def test_nan_and_huge_contracts_are_located(tmp_path: Path) -> None:
    text = dumps_json(BASE_DOC)
    nan = text.replace('"strike": 2600', '"strike": NaN')
    _check(tmp_path, PositionsCase(nan.encode(), ("positions[0].legs[1].strike", "finite")))
    huge = text.replace('"contracts": 2,', '"contracts": 1000000000000,')
    _check(tmp_path, PositionsCase(huge.encode(), ("positions[0].contracts", "<= 100000")))


@pytest.mark.parametrize("case", list(context_cases()), ids=lambda c: c.kind)
def test_context_errors_through_the_cli(tmp_path: Path, case: PositionsCase) -> None:
    _check(tmp_path, case)


# -- the generated corpus and Hypothesis ---------------------------------------------------


def test_corpus_every_field_is_refused_and_located(tmp_path: Path) -> None:
    kinds: Counter[str] = Counter()
    for case in positions_corpus():
        _check(tmp_path, case)
        kinds[case.kind] += 1
    assert set(kinds) >= {"type/bound", "missing", "unknown key", "nesting", "encoding"}
    assert sum(kinds.values()) > 300


def test_csv_fields_are_refused_and_located(tmp_path: Path) -> None:
    header = "id,kind,contracts,opened,entry_price,root,expiry,strike,right,ratio"
    good = "IC-1,condor,2,2018-01-05,-4.35,SPX,2018-03-16,2600,P,-1"
    fields = header.split(",")
    bad = {
        "contracts": ["0", "1e12", "1000000000000", "nan", "x"],
        "opened": ["2018-02-30", "9999-01-01", "x"],
        "entry_price": ["nan", "inf", "1e308", "x"],
        "expiry": ["2018-13-01", "x"],
        "strike": ["nan", "-inf", "0", "1e400", "x"],
        "right": ["X"],
        "ratio": ["0", "1.5", "1000000", "nan"],
        "root": ["SPY"],
    }
    for name, values in bad.items():
        for value in values:
            row = good.split(",")
            row[fields.index(name)] = value
            text = f"{header}\n{','.join(row)}\n"
            _check(tmp_path, PositionsCase(text.encode(), ("positions.csv:2", name)), ".csv")
    big = f"{header}\n{good.replace('IC-1', 'x' * 200_000)}\n"
    _check(tmp_path, PositionsCase(big.encode(), ("positions.csv",)), ".csv")
    extra = f"{header},zz\n{good},1\n"
    _check(tmp_path, PositionsCase(extra.encode(), ("unknown column", "zz")), ".csv")


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=positions_case())
def test_any_bad_field_is_refused_and_located(
    tmp_path_factory: pytest.TempPathFactory, case: PositionsCase
) -> None:
    _check(tmp_path_factory.mktemp("p"), case)


def test_context_errors_are_located_in_csv(context: PositionContext) -> None:
    header = "id,kind,contracts,opened,entry_price,root,expiry,strike,right,ratio,layer"
    rows = [
        "IC-1,condor,2,2018-01-05,-4.35,SPX,2018-03-16,2600,P,-1,",
        "H-1,hedge,10,2018-01-08,0.5,VIX,2018-02-14,13,C,1,nope",
    ]
    with pytest.raises(DataError) as err:
        parse_positions_csv("\n".join([header, *rows]) + "\n", "p.csv", context)
    assert (err.value.row, err.value.field) == (3, "kind")
    assert "unknown hedge layer 'nope'" in str(err.value)
