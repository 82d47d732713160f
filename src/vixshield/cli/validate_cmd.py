"""CLI: ``vixshield validate``: the modeled SPX chains against the Cboe strategy indices.

Replicates PUT, BXM, PPUT and CLL by their published rules on the modeled
option chains along the real SPX path, month by month, and compares monthly
returns with the real indices of the store (`MarketData.benchmarks`); with
``--calibration`` also the Cboe VIX/SKEW formulas on the chains against the
real VIX-family closes. Heavy libraries are imported inside the functions so
``vixshield --help`` stays fast. Bad input prints ``error: <message>`` on one
line to stderr and exits with status 2.

The ``_load_data`` and ``_open_market`` helpers are the seams to the layers
below (tests replace them).
"""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, Annotated

import typer

from vixshield.cli._errors import parse_date, user_errors
from vixshield.cli._sources import DATA_HELP, choose_source, source_note
from vixshield.errors import UserError

if TYPE_CHECKING:
    import pandas as pd

    from vixshield.data.market import MarketData
    from vixshield.markets.types import MarketView
    from vixshield.validation import IndexName, ValidationResult

__all__ = ["NO_INDICES", "register"]

NO_INDICES = (
    "no Cboe strategy indices in the store: "
    "run `vixshield data import <folder with PUT_History.csv ...>`"
)


def _load_data(source: str) -> MarketData:
    """The market data bundle of ``--data`` (with `MarketData.benchmarks`)."""
    from vixshield.cli._sources import load_data

    return load_data(source)


def _open_market(data: MarketData) -> MarketView:
    """The *modeled* markets over ``data`` (real chains are not used: the model is validated)."""
    from vixshield.markets import Markets

    return Markets(data)


def _names(requested: list[str] | None, benchmarks: pd.DataFrame) -> list[IndexName]:
    """The indices to run: those asked for (checked), else every one the store has."""
    from vixshield.validation import INDEX_NAMES, SPECS

    present = [n for n in INDEX_NAMES if n in benchmarks.columns and benchmarks[n].notna().any()]
    if not present:
        raise UserError(NO_INDICES)
    if not requested:
        return present
    out: list[IndexName] = []
    for text in requested:
        key = text.strip().lower()
        name = next((n for n in INDEX_NAMES if n == key), None)
        if name is None:
            raise UserError(f"--index: expected one of {', '.join(INDEX_NAMES)}, got {text!r}")
        if name not in present:
            raise UserError(
                f"no {SPECS[name].ticker} values in the store: run `vixshield data import "
                f"<folder with {SPECS[name].ticker}_History.csv>`"
            )
        if name not in out:
            out.append(name)
    return out


def _print(result: ValidationResult, calibration: pd.DataFrame | None, seconds: float) -> None:
    from rich.console import Console
    from rich.table import Table

    from vixshield.validation.report import format_calibration, format_comparison

    console = Console()
    console.width = max(console.width or 0, 160)

    def table(df: pd.DataFrame, title: str) -> Table:
        t = Table(title=title)
        for col in df.columns:
            t.add_column(str(col), justify="left" if col in ("index", "meets") else "right")
        for row in df.itertuples(index=False):
            t.add_row(*[str(v) for v in row])
        return t

    console.print(
        table(
            format_comparison(result),
            "Cboe strategy indices: real minus replica on the modeled chains (monthly returns)",
        )
    )
    lines = [
        f"quotes: {result.quotes}",
        f"dividends: {result.dividends}",
        f"settlement: {result.settlement}",
        *[f"approximation: {a}" for a in result.approximations],
    ]
    for c in result.indices:
        lines.extend(f"{c.spec.ticker}: {n}" for n in c.notes)
    for line in lines:
        console.print(line, markup=False, soft_wrap=True)
    if calibration is not None:
        console.print(
            table(
                format_calibration(calibration),
                "VIX-family calibration on the roll dates: Cboe formula on the modeled chain "
                "minus the real close (index points)",
            )
        )
    months = sum(c.months for c in result.indices)
    console.print(f"{len(result.indices)} indices, {months} months in {seconds:.1f} s")


def validate_cmd(
    json_out: Annotated[
        bool, typer.Option("--json", help="Print only the JSON document on stdout.")
    ] = False,
    index: Annotated[
        list[str] | None,
        typer.Option("--index", help="put, bxm, pput or cll (repeat; default: all in the store)."),
    ] = None,
    start: Annotated[
        str | None,
        typer.Option("--start", help="First roll date, YYYY-MM-DD (default 2007-01-01)."),
    ] = None,
    end: Annotated[
        str | None, typer.Option("--end", help="Last roll date, YYYY-MM-DD (default: data end).")
    ] = None,
    calibration: Annotated[
        bool,
        typer.Option(
            "--calibration",
            help="Also the VIX/VIX9D/VIX3M/VIX6M/SKEW formulas on the roll dates' chains.",
        ),
    ] = False,
    data: Annotated[str | None, typer.Option("--data", help=DATA_HELP)] = None,
) -> None:
    """Replicate the Cboe PUT, BXM, PPUT and CLL indices on the modeled chains; compare."""
    with user_errors(), source_note() as keep_note:
        from vixshield._json import dumps_stable
        from vixshield.validation import DEFAULT_START, validate
        from vixshield.validation.calibration import calibration_errors, calibration_summary
        from vixshield.validation.report import validation_document

        first = parse_date(start, "--start") or DEFAULT_START
        last = parse_date(end, "--end")
        if last is not None and last < first:
            raise UserError(f"--start {first.date()} is after --end {last.date()}")
        source, note = choose_source(data)
        market_data = _load_data(source)
        names = _names(index, market_data.benchmarks)
        keep_note(note)
        market = _open_market(market_data)
        t0 = time.perf_counter()
        result = validate(market, market_data.benchmarks, names, first, last)
        summary = None
        if calibration:
            days = sorted({d for c in result.indices for d in c.monthly["start"]})
            summary = calibration_summary(calibration_errors(market, days))
        seconds = time.perf_counter() - t0
        if json_out:
            sys.stdout.write(dumps_stable(validation_document(result, summary)))
            return
        _print(result, summary, seconds)


def register(app: typer.Typer) -> None:
    """Add this module's command to app."""
    app.command("validate")(validate_cmd)
