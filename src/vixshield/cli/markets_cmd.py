"""CLI: ``vixshield chain``, ``vixshield futures`` and ``vixshield vix-index``.

Heavy libraries (pandas, numba, rich tables) are imported inside the commands so
``vixshield --help`` stays fast. Bad dates and dates outside the data raise
`UserError` (one line on stderr, exit status 2).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Annotated

import typer

from vixshield.cli._sources import DATA_HELP, choose_source, open_markets, source_note
from vixshield.errors import UserError

if TYPE_CHECKING:
    import pandas as pd

    from vixshield.markets import Markets
    from vixshield.markets.spx_model import SpxCalibration


__all__ = ["register"]

_NEAR_ROWS = 12  # strikes each side of the money shown per expiry and right in the table

DataOpt = Annotated[str | None, typer.Option("--data", help=DATA_HELP)]
CsvOpt = Annotated[bool, typer.Option("--csv", help="Write CSV to stdout instead of a table.")]


def _date(text: str, flag: str) -> pd.Timestamp:
    import pandas as pd

    try:
        return pd.Timestamp(text).normalize()
    except (ValueError, TypeError):
        raise UserError(f"{flag}: not a date (expected YYYY-MM-DD): {text!r}") from None


def _open(data: str | None, keep_note: Callable[[str | None], None]) -> Markets:
    """The markets over ``--data`` (None: the default source, its note kept)."""
    source, note = choose_source(data)
    markets = open_markets(source)
    keep_note(note)
    return markets


def _print_table(df: pd.DataFrame, title: str, note: str = "") -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title)
    for col in df.columns:
        table.add_column(str(col), justify="left" if df[col].dtype == object else "right")
    for row in df.itertuples(index=False):
        table.add_row(*[_fmt(v, c) for v, c in zip(row, df.columns, strict=True)])
    console = Console()
    console.width = max(console.width, 120)
    console.print(table)
    if note:
        console.print(note)


def _fmt(v: object, column: str) -> str:
    import pandas as pd

    if isinstance(v, pd.Timestamp):
        return str(v.date())
    if isinstance(v, float):
        if column == "strike":
            return f"{v:g}"
        return f"{v:.4f}" if abs(v) < 1 else f"{v:.2f}"
    return str(v)


def chain_cmd(
    underlying: Annotated[str, typer.Argument(help="SPX or VIX.")],
    date: Annotated[str, typer.Option("--date", help="Quote date, YYYY-MM-DD.")],
    expiry: Annotated[
        str | None, typer.Option("--expiry", help="Only this expiry, YYYY-MM-DD.")
    ] = None,
    csv: CsvOpt = False,
    data: DataOpt = None,
) -> None:
    """Option chain at a date's close (real where loaded, else modeled)."""
    with source_note() as keep_note:
        import sys

        und = underlying.upper()
        if und not in ("SPX", "VIX"):
            raise UserError(f"underlying must be SPX or VIX, got {underlying!r}")
        day = _date(date, "--date")
        exp = _date(expiry, "--expiry") if expiry else None
        m = _open(data, keep_note)
        ch = m.chain(day, und, exp)  # type: ignore[arg-type]
        cols = ["expiry", "strike", "right", "bid", "ask", "mid", "iv", "delta", "origin"]
        q = ch.quotes[cols]
        if csv:
            out = q.assign(expiry=q["expiry"].dt.strftime("%Y-%m-%d"))
            out.to_csv(sys.stdout, index=False, float_format="%.6g")
            return
        if exp is None:
            first = q["expiry"].min()
            q = q[q["expiry"] == first]
        fwd = float(ch.quotes.loc[ch.quotes["expiry"] == q["expiry"].iloc[0], "forward"].iloc[0])
        parts = []
        for _, g in q.groupby("right", sort=True):
            g = g.assign(dist=(g["strike"] - fwd).abs()).nsmallest(2 * _NEAR_ROWS, "dist")
            parts.append(g.drop(columns="dist").sort_values("strike"))
        import pandas as pd

        shown = pd.concat(parts)
        note = (
            f"showing {len(shown)} of {len(ch.quotes)} rows near the money (forward {fwd:.2f})"
            + ("" if exp is not None else f", first expiry only of {ch.quotes['expiry'].nunique()}")
            + "; use --csv for all rows"
        )
        if und == "SPX" and ch.origin == "modeled":
            note += "\n" + _surface_note(m.calibration(day), m.inputs(day).origins)
        _print_table(shown, f"{und} chain {day.date()} ({ch.origin})", note)


def _surface_note(cal: SpxCalibration, origins: Mapping[str, str]) -> str:
    """One line on the modeled surface: fitted indices against their targets, inputs modeled."""
    names = {9: "VIX9D", 30: "VIX", 93: "VIX3M", 182: "VIX6M"}
    fits = ", ".join(
        f"{names[t]} {cal.fitted[t]:.2f}/{cal.targets[t]:.2f}" for t in sorted(cal.targets)
    )
    line = f"surface fitted/target: {fits}, SKEW {cal.skew_fitted:.1f}/{cal.skew_target:.1f}"
    if cal.skew_capped:
        line += " (SKEW beyond the butterfly-free reach of the smile: fitted at the reach)"
    modeled = sorted(k for k, v in origins.items() if v == "modeled")
    if modeled:
        line += f"; modeled inputs: {', '.join(modeled)}"
    return line


def futures_cmd(
    date: Annotated[str | None, typer.Option("--date", help="One date, YYYY-MM-DD.")] = None,
    start: Annotated[str | None, typer.Option("--start", help="First date of a range.")] = None,
    end: Annotated[str | None, typer.Option("--end", help="Last date of a range.")] = None,
    csv: CsvOpt = False,
    data: DataOpt = None,
) -> None:
    """VX futures curve by expiry (value in vol points, days to expiry, origin)."""
    with source_note() as keep_note:
        import sys

        import pandas as pd

        if (date is not None and (start or end)) or (date is None and not (start and end)):
            raise UserError("give either --date or both --start and --end")
        m = _open(data, keep_note)
        market = m.data
        if date is not None:
            days = [_date(date, "--date")]
        else:
            lo, hi = _date(str(start), "--start"), _date(str(end), "--end")
            idx = market.daily.index
            days = list(idx[(idx >= lo) & (idx <= hi)])
            if not days:
                raise UserError(f"no trading day in the data between {lo.date()} and {hi.date()}")
        frames = [m.vx_curve(d).assign(date=d) for d in days]
        out = pd.concat(frames, ignore_index=True)[["date", "expiry", "value", "dte", "origin"]]
        if csv:
            for c in ("date", "expiry"):
                out[c] = out[c].dt.strftime("%Y-%m-%d")
            out.to_csv(sys.stdout, index=False, float_format="%.4f")
            return
        _print_table(out, "VX futures curve")


def vix_index_cmd(
    date: Annotated[str, typer.Option("--date", help="Quote date, YYYY-MM-DD.")],
    tenor: Annotated[int, typer.Option("--tenor", help="Constant maturity in days.")] = 30,
    data: DataOpt = None,
) -> None:
    """The Cboe VIX formula applied to that date's SPX chain, with the actual index."""
    with source_note() as keep_note:
        import numpy as np

        from vixshield.markets import vix_index

        if tenor < 1:
            raise UserError(f"--tenor must be a positive number of days, got {tenor}")
        day = _date(date, "--date")
        m = _open(data, keep_note)
        market = m.data
        ch = m.chain(day, "SPX")
        value = vix_index(ch, tenor_days=tenor)
        col = {9: "vix9d", 30: "vix", 93: "vix3m", 182: "vix6m"}.get(tenor)
        actual = float(market.daily.loc[[day], col].iloc[0]) if col else float("nan")
        line = f"{day.date()} tenor {tenor} d: formula {value:.2f} on the {ch.origin} chain"
        if np.isfinite(actual):
            line += f"; actual {col.upper() if col else ''} {actual:.2f}"
        typer.echo(line)


def register(app: typer.Typer) -> None:
    """Add this module's commands to app."""
    app.command("chain")(chain_cmd)
    app.command("futures")(futures_cmd)
    app.command("vix-index")(vix_index_cmd)
