"""CLI: ``vixshield backtest``, ``vixshield compare`` and ``vixshield signal``.

Heavy libraries (pandas, plotly, the engine) are imported inside the functions
so ``vixshield --help`` stays fast. Bad user input (unknown policy, bad date,
date outside the data, bad positions file, unwritable output folder) prints
``error: <message>`` on one line to stderr and exits with status 2.

The ``_load_*``, ``_run_backtest``, ``_summarize`` and ``_decide`` helpers are
the seams between the CLI and the layers below (tests replace them).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from vixshield.cli._errors import check_capital, parse_date, user_errors
from vixshield.cli._progress import progress_bar
from vixshield.cli._sources import DATA_HELP, choose_source, source_note
from vixshield.errors import UserError, env_error_from_os

if TYPE_CHECKING:
    import pandas as pd

    from vixshield.backtest.result import BacktestResult
    from vixshield.data.market import MarketData, Provenance
    from vixshield.markets.types import MarketView
    from vixshield.strategy.types import Decision, Position

__all__ = ["DEFAULT_OUT", "DEFAULT_POLICY", "register"]

DEFAULT_POLICY = "alvh-442"
DEFAULT_OUT = Path("vixshield-out")

PolicyOpt = Annotated[
    str, typer.Option("--policy", "-p", help="Preset name or path to a policy TOML file.")
]
StartOpt = Annotated[
    str | None,
    typer.Option(
        "--start", help="First day simulated, YYYY-MM-DD (default: the first day with a VIX close)."
    ),
]
EndOpt = Annotated[
    str | None, typer.Option("--end", help="Last day simulated, YYYY-MM-DD (default: data end).")
]
CapitalOpt = Annotated[
    float | None,
    typer.Option("--capital", help="Starting equity in dollars (default: the policy's capital)."),
]
DataOpt = Annotated[str | None, typer.Option("--data", help=DATA_HELP)]
OutOpt = Annotated[Path, typer.Option("--out", "-o", help="Output folder (created if needed).")]
JsonOpt = Annotated[
    bool, typer.Option("--json", help="Print only the JSON document on stdout (no progress).")
]


# -- seams to the layers below ------------------------------------------------------


def _load_market(source: str) -> MarketView:
    """The markets layer over ``--data`` (shared by every run command)."""
    from vixshield.cli._sources import open_markets

    return open_markets(source)


def _load_policy(name_or_path: str) -> Any:
    """The validated policy (raises `PolicyError`, a `UserError`, when unknown or invalid)."""
    from vixshield.strategy.policy import load_policy

    return load_policy(name_or_path)


def _run_backtest(
    policy: Any,
    market: MarketView,
    start: pd.Timestamp | None,
    end: pd.Timestamp | None,
    capital: float | None,
    progress: Callable[[int, int], None] | None,
) -> BacktestResult:
    from vixshield.backtest import Backtest

    spec = Backtest(policy, market, start=start, end=end, capital=capital)
    return spec.run(progress=progress)


def _summarize(result: BacktestResult, policy: Any) -> dict[str, object]:
    """``summary.json`` of ``result``, with the stress windows ``policy`` adds (if a Policy)."""
    from vixshield.backtest import summary_dict
    from vixshield.report.summary import build_summary
    from vixshield.strategy.policy import Policy

    spec = policy if isinstance(policy, Policy) else None
    return build_summary(result, summary_dict(result), policy=spec)


def _decide(
    date: pd.Timestamp,
    market: MarketView,
    positions: tuple[Position, ...] | None,
    policy: Any,
    capital: float | None,
    since: pd.Timestamp | None,
) -> tuple[Decision, tuple[Position, ...], pd.Timestamp, dict[str, Provenance]]:
    """The decision at ``date`` with the strategy state replayed by the backtest.

    Returns (decision, the positions it was given, the first day replayed, where the
    close's inputs came from: `vixshield.backtest.close_provenance`). With ``positions``
    None the decision is the replayed backtest's own at ``date`` (its book and account);
    else it is taken on ``positions`` and ``capital`` as all cash.
    """
    from vixshield.backtest.close_provenance import close_provenance, decision_options
    from vixshield.backtest.replay import decide_replayed, replay
    from vixshield.strategy.types import AccountState

    rep = replay(policy, market, date, since=since, capital=capital)
    if positions is None:
        decision, given = rep.decision, rep.positions
    else:
        equity = float(capital if capital is not None else policy.account.capital)
        account = AccountState(equity=equity, cash=equity, margin=0.0)
        decision = decide_replayed(rep, policy, market, positions, account)
        given = positions
    prov = close_provenance(market, rep.date, decision_options(decision, given))
    return decision, given, rep.since, prov


def _check_positions(
    file: Path, day: pd.Timestamp, policy: Any, market: MarketView
) -> tuple[Position, ...]:
    """The positions of ``file`` checked against the signal date ``day``, the policy's hedge
    layers and the market's listed expiries and strikes (a located `DataError` otherwise;
    `vixshield.report.positions_check`)."""
    from vixshield.report.positions_file import PositionContext, load_positions

    layers = tuple(layer.name for layer in policy.hedge.layers)
    return load_positions(file, PositionContext(day, layers=layers, market=market))


# -- argument checks ------------------------------------------------------------------


def _check_period(
    data: MarketData,
    start: pd.Timestamp | None,
    end: pd.Timestamp | None,
    start_flag: str = "--start",
) -> None:
    index = data.daily.index
    if len(index) == 0:
        raise UserError("the market data has no trading days")
    first, last = index[0], index[-1]
    span = f"the data covers {first:%Y-%m-%d} to {last:%Y-%m-%d}"
    for flag, day in ((start_flag, start), ("--end", end)):
        if day is not None and not first <= day <= last:
            raise UserError(f"{flag} {day:%Y-%m-%d} is outside the data: {span}")
    if start is not None and end is not None and start > end:
        raise UserError(f"--start {start:%Y-%m-%d} is after --end {end:%Y-%m-%d}")


def _open_period(
    start: str | None, end: str | None, capital: float | None, data: str | None
) -> tuple[MarketView, pd.Timestamp | None, pd.Timestamp | None, str | None]:
    """Check the run options and open the market: (market, first day, last day, note).

    ``data`` None is the default source (`choose_source`); the note naming it is printed
    by the command once every option is known to be good (an error stays one line).
    """
    first, last = parse_date(start, "--start"), parse_date(end, "--end")
    if first is not None and last is not None and first > last:
        raise UserError(f"--start {first:%Y-%m-%d} is after --end {last:%Y-%m-%d}")
    _check_capital(capital)
    source, note = choose_source(data)
    market = _load_market(source)
    _check_period(market.data, first, last)
    return market, first, last, note


def _check_capital(capital: float | None) -> None:
    check_capital(capital, "--capital")


def _write(write: Callable[[], list[Path]], out: Path) -> list[Path]:
    try:
        return write()
    except OSError as err:
        env = env_error_from_os(err, str(out))  # disk full (74), permission denied (77)
        if env is not None:
            raise env from None
        raise UserError(f"cannot write to {out}: {err.strerror or err}") from None


def _stdout_console() -> Any:
    from rich.console import Console

    return Console(file=sys.stdout)


# -- commands -------------------------------------------------------------------------------


def backtest(
    policy: PolicyOpt = DEFAULT_POLICY,
    start: StartOpt = None,
    end: EndOpt = None,
    capital: CapitalOpt = None,
    data: DataOpt = None,
    out: OutOpt = DEFAULT_OUT,
    json_output: JsonOpt = False,
) -> None:
    """Backtest a policy and write its summary, trades, equity and HTML report.

    Files in the output folder: summary.json, trades.csv, cycles.csv, equity.csv, report.html.
    """
    with user_errors(), source_note() as keep_note:
        from vixshield.report.bundle import write_backtest_files
        from vixshield.report.json_out import dumps_stable

        market, first, last, note = _open_period(start, end, capital, data)
        spec = _load_policy(policy)
        keep_note(note)
        with progress_bar(not json_output, f"backtest {policy}", unit="days") as update:
            result = _run_backtest(spec, market, first, last, capital, update)
        summary = _summarize(result, spec)
        _write(lambda: write_backtest_files(out, result, summary, market), out)
        if json_output:
            sys.stdout.write(dumps_stable(summary))
            return
        from vixshield.report.terminal import print_summary

        console = _stdout_console()
        print_summary(console, summary)
        console.print(
            f"Wrote summary.json, trades.csv, cycles.csv, equity.csv, report.html to {out}/"
        )


def compare(
    policies: Annotated[
        list[str], typer.Argument(help="Two or more preset names or policy TOML files.")
    ],
    start: StartOpt = None,
    end: EndOpt = None,
    capital: CapitalOpt = None,
    data: DataOpt = None,
    out: OutOpt = DEFAULT_OUT,
    json_output: JsonOpt = False,
) -> None:
    """Backtest several policies over the same period and compare them side by side.

    Files in the output folder: compare.json, compare.html (overlaid equity and drawdowns).
    """
    with user_errors(), source_note() as keep_note:
        from vixshield.report.bundle import compare_document, write_compare_files
        from vixshield.report.json_out import dumps_stable

        if len(policies) < 2:
            raise UserError("compare needs at least two policies")
        market, first, last, note = _open_period(start, end, capital, data)
        specs: dict[str, Any] = {}
        for arg in policies:
            spec = _load_policy(arg)
            name = str(getattr(spec, "name", arg))
            if name in specs:
                raise UserError(f"policy {name!r} is given twice")
            specs[name] = spec
        keep_note(note)
        results: dict[str, BacktestResult] = {}
        summaries: dict[str, dict[str, object]] = {}
        for name, spec in specs.items():
            with progress_bar(not json_output, f"backtest {name}", unit="days") as update:
                results[name] = _run_backtest(spec, market, first, last, capital, update)
            summaries[name] = _summarize(results[name], spec)
        _write(lambda: write_compare_files(out, results, summaries, market), out)
        if json_output:
            sys.stdout.write(dumps_stable(compare_document(summaries)))
            return
        from vixshield.report.terminal import print_compare

        console = _stdout_console()
        print_compare(console, summaries)
        console.print(f"Wrote compare.json, compare.html to {out}/")


def signal(
    date: Annotated[
        str | None,
        typer.Option(
            "--date",
            help="Close to decide at, YYYY-MM-DD (default: the latest with SPX and VIX closes).",
        ),
    ] = None,
    policy: PolicyOpt = DEFAULT_POLICY,
    positions: Annotated[
        Path | None,
        typer.Option(
            "--positions",
            help="Open positions, JSON or CSV (format: vixshield.report.positions_file).",
        ),
    ] = None,
    capital: Annotated[
        float | None,
        typer.Option(
            "--capital",
            help="Starting equity in dollars of the replayed backtest; with --positions also "
            "the account equity used for sizing, taken as all cash with no margin in use "
            "(default: the policy's capital).",
        ),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            help="First day of the backtest replayed to restore the strategy state, "
            "YYYY-MM-DD (default: one year before --date, or the data start if later).",
        ),
    ] = None,
    data: DataOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """The decision at a close: regime, condor, management, hedge layers, events, audit.

    The condor to open (or why none), actions on the open positions, each hedge layer's
    target versus holdings and the orders, upcoming events.

    The strategy state (credit-to-hedge cycles, smoothed hedge targets, monetise, event
    and skip flags) is restored by replaying the backtest from --since through --date,
    so the orders are those of `vixshield backtest --start SINCE --end DATE` on DATE
    (same --capital). Without --positions the positions and account are the replayed
    book's; with --positions the file's positions and --capital (all cash) replace them
    and only the state comes from the replay. The output names the replay start.
    """
    with user_errors(), source_note() as keep_note:
        from vixshield.report.json_out import dumps_stable
        from vixshield.report.positions_file import load_positions
        from vixshield.report.signal_view import build_signal

        day = parse_date(date, "--date")
        first = parse_date(since, "--since")
        _check_capital(capital)
        held = load_positions(positions) if positions is not None else None
        source, note = choose_source(data)
        market = _load_market(source)
        _check_period(market.data, day, None, start_flag="--date")
        _check_period(market.data, first, None, start_flag="--since")
        daily = market.data.daily
        index = daily.index
        if day is None:  # the latest close the strategy can decide at: SPX and VIX known
            known = index[(daily["spx_close"].notna() & daily["vix"].notna()).to_numpy()]
            if len(known) == 0:
                raise UserError("the market data has no day with both an SPX and a VIX close")
            day = known[-1]
        elif day not in index:
            before = index[index <= day]
            hint = f"; the previous trading day is {before[-1]:%Y-%m-%d}" if len(before) else ""
            raise UserError(f"--date {day:%Y-%m-%d} is not a trading day in the data{hint}")
        if first is not None and first > day:
            raise UserError(f"--since {first:%Y-%m-%d} is after --date {day:%Y-%m-%d}")
        spec = _load_policy(policy)
        if positions is not None:  # read above; now against the date, policy and market
            held = _check_positions(positions, day, spec, market)
        keep_note(note)
        decision, given, replayed_from, prov = _decide(day, market, held, spec, capital, first)
        origin = {"since": replayed_from, "positions": "replayed" if held is None else "file"}
        doc = build_signal(decision, given, str(getattr(spec, "name", policy)), origin, prov)
        if json_output:
            sys.stdout.write(dumps_stable(doc))
            return
        from vixshield.report.signal_view import print_signal

        print_signal(_stdout_console(), doc)


def register(app: typer.Typer) -> None:
    """Add ``backtest``, ``compare`` and ``signal`` to ``app``."""
    app.command("backtest")(backtest)
    app.command("compare")(compare)
    app.command("signal")(signal)
