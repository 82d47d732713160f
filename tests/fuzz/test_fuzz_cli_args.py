"""Fuzz the command-line values (capital, dates) through `vixshield.cli.app.main`.

A bad value is refused before any data is read or any engine runs: exit 2, one
``error:`` line naming the flag, no traceback. Huge numbers never reach the engine
(``--capital 1e300`` used to fail its P&L invariant with a traceback).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fuzz_cli import assert_user_error, run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vixshield.cli import run_cmd

BAD_CAPITAL = ["1e300", "inf", "-inf", "nan", "9" * 5000, "-5", "0", "999", "1e11", "1e400"]
BAD_DATES = ["2026-02-30", "2026-13-01", "0000-01-01", "9999-12-31", "1899-12-31", "garbage",
             "2018/01/02", "", " ", "2018-1-2", "x" * 10_000]  # fmt: skip
RUN_COMMANDS = [
    ["backtest", "--data", "embedded"],
    ["compare", "alvh-442", "no-hedge", "--data", "embedded"],
    ["signal", "--data", "embedded"],
]


@pytest.fixture(autouse=True)
def _engine_never_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every case here must be refused before a backtest or a replay starts."""

    def refuse(*args: object) -> None:
        raise AssertionError("a bad command-line value reached the engine")

    monkeypatch.setattr(run_cmd, "_run_backtest", refuse)
    monkeypatch.setattr(run_cmd, "_decide", refuse)


@pytest.mark.parametrize("command", RUN_COMMANDS, ids=lambda c: c[0])
@pytest.mark.parametrize("capital", BAD_CAPITAL, ids=lambda c: c[:8])
def test_bad_capital_is_refused(tmp_path: Path, command: list[str], capital: str) -> None:
    out = [] if command[0] == "signal" else ["--out", str(tmp_path)]
    assert_user_error(run_cli([*command, f"--capital={capital}", *out]), "--capital")


@pytest.mark.parametrize("date", BAD_DATES, ids=lambda d: d[:12] or "empty")
@pytest.mark.parametrize(
    ("command", "flag"),
    [(["backtest", "--data", "embedded"], "--start"), (["backtest", "--data", "embedded"], "--end"),
     (["signal", "--data", "embedded"], "--date"), (["signal", "--data", "embedded"], "--since")],
)  # fmt: skip
def test_bad_dates_are_refused(command: list[str], flag: str, date: str) -> None:
    assert_user_error(run_cli([*command, f"{flag}={date}"]), flag)


def test_start_after_end_is_refused_before_the_data_is_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_market(source: str) -> None:
        raise AssertionError("the market was opened")

    monkeypatch.setattr(run_cmd, "_load_market", no_market)
    outcome = run_cli(["backtest", "--start", "2018-01-02", "--end", "2017-01-02"])
    assert_user_error(outcome, "--start 2018-01-02 is after --end 2017-01-02")


def test_a_value_click_cannot_parse_is_one_error_line() -> None:
    assert_user_error(run_cli(["backtest", "--capital", "lots"]), "--capital")
    assert_user_error(run_cli(["backtest", "--no-such-flag"]), "--no-such-flag")


def test_as_of_must_be_a_real_day(shared_data: Path) -> None:
    vx = sorted((shared_data / "cfe_vx").glob("*.csv"))[0]
    assert_user_error(run_cli(["data", "import", str(vx), "--as-of", "2026-02-30"]), "--as-of")


_NOT_A_DATE = st.text(max_size=30).filter(lambda s: not _looks_valid(s))


def _looks_valid(text: str) -> bool:
    t = text.strip()
    return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", t)) and "1900-01-01" <= t <= "2100-12-31"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    capital=st.one_of(
        st.floats(min_value=1e10, exclude_min=True),
        st.floats(max_value=1e3, exclude_max=True),
        st.just(float("nan")),
    )
)
def test_any_capital_out_of_range_is_refused(capital: float) -> None:
    assert_user_error(
        run_cli(["backtest", "--data", "embedded", f"--capital={capital!r}"]), "--capital"
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(date=_NOT_A_DATE, flag=st.sampled_from(["--start", "--end"]))
def test_any_malformed_date_is_refused(date: str, flag: str) -> None:
    if date.startswith("-"):  # click would read it as another flag
        date = f"x{date}"
    assert_user_error(run_cli(["backtest", "--data", "embedded", f"{flag}={date}"]), flag)
