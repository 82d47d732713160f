"""CLI: `vixshield data` commands (owned by the data layer).

``status`` lists the store, ``fetch`` downloads from the network providers,
``import`` reads local files and ``check`` verifies (``--repair``: quarantines)
the stored files. Heavy libraries are imported inside the commands so that
``vixshield --help`` stays fast. User errors print one line per problem
(``error: ...``) and exit with status 2; nothing is half-written. A store busy
with another writer for longer than the lock timeout exits 75 (see
`vixshield.errors`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer

from vixshield.cli._errors import parse_date, user_errors

if TYPE_CHECKING:
    from vixshield.data.store import Store, WriteResult
    from vixshield.data.store_integrity import Repair

__all__ = ["app"]

app = typer.Typer(
    help="Local market-data store: status, fetch from the network, import files.",
    no_args_is_help=True,
)

_Home = Annotated[
    Path | None,
    typer.Option(
        "--home", help="Data home (default: $VIXSHIELD_HOME, else ~/.local/share/vixshield)."
    ),
]


def _written_table(title: str, written: tuple[WriteResult, ...]) -> Any:
    from rich.table import Table

    table = Table(title=title)
    for col in ("series", "version", "rows", "changed", "added", "removed"):
        table.add_column(col, justify="left" if col == "series" else "right")
    for w in written:
        version = str(w.version) if w.version is not None else "unchanged"
        table.add_row(w.series, version, str(w.rows), str(w.changed), str(w.added), str(w.removed))
    return table


_MAX_WARNINGS = 25
"""Warnings listed after an import or fetch; the rest are counted."""


def _print_warnings(console: Any, warnings: tuple[str, ...]) -> None:
    if not warnings:
        return
    console.print(f"{len(warnings)} warning(s):")
    for w in warnings[:_MAX_WARNINGS]:
        console.print(f"  {w}", markup=False, soft_wrap=True)
    if len(warnings) > _MAX_WARNINGS:
        console.print(f"  ... and {len(warnings) - _MAX_WARNINGS} more")


def _gaps(store: Store, series: str) -> int | None:
    """Trading days between a series' first and last date that have no value."""
    from vixshield.data.calendars import CALENDAR_START, trading_days
    from vixshield.data.market import DAILY_COLUMNS

    info = store.latest(series)
    if info is None or info.first is None or info.last is None:
        return None
    if series not in (*DAILY_COLUMNS, "vx"):
        return None
    import pandas as pd

    first = max(pd.Timestamp(info.first), CALENDAR_START)
    days = trading_days(first, info.last)
    raw = store.read_raw(series)
    dates = pd.DatetimeIndex(raw["date"])
    if "value" in raw.columns:
        dates = dates[raw["value"].notna().to_numpy()]
    return int((~days.isin(dates)).sum())


def _fallbacks(stored: set[str]) -> list[dict[str, Any]]:
    """Series the loader needs that are not stored, and where they would come from.

    ``fallback`` is ``"embedded default"`` where `load_store(fallback=load_embedded())`
    would take the series from the embedded default, ``"shipped calendars"`` for
    events (always used when none are imported), else None (the column stays NaN).
    """
    from vixshield.data.embedded import load_embedded
    from vixshield.data.market import DAILY_COLUMNS

    wanted = [s for s in (*DAILY_COLUMNS, "vx", "events") if s not in stored]
    if not wanted:
        return []
    embedded = load_embedded()
    out: list[dict[str, Any]] = []
    for s in wanted:
        fallback: str | None
        if s == "events":
            has = len(embedded.events) > 0
            fallback = "shipped calendars"
        else:
            has = len(embedded.vx) > 0 if s == "vx" else embedded.has(s)
            fallback = "embedded default" if has else None
        origin = embedded.origin(s) if has and s != "events" else None
        out.append({"series": s, "embedded": has, "origin": origin, "fallback": fallback})
    return out


@app.command("status")
def status(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    home: _Home = None,
) -> None:
    """Every stored series: dates, rows, versions, gaps and provenance."""
    with user_errors():
        from dataclasses import asdict

        from vixshield.data.chains import chain_status
        from vixshield.data.store import Store

        store = Store(home)
        chains = chain_status(home)
        damage = store.damage()  # first: a damaged file is reported, never read
        damaged = {(d.series, d.version) for d in damage}
        rows: list[dict[str, Any]] = []
        for st in store.status():
            prov = st.provenance
            intact = (st.series, st.latest.version) not in damaged
            rows.append(
                {
                    "series": st.series,
                    "first": st.first,
                    "last": st.last,
                    "rows": st.rows,
                    "versions": st.versions,
                    "gaps": _gaps(store, st.series) if intact else None,
                    "provenance": asdict(prov),
                    "history": [
                        {k: v for k, v in asdict(h).items() if k not in ("series", "provenance")}
                        | {"fetched_at": h.provenance.fetched_at, "source": h.provenance.source}
                        for h in store.history(st.series)
                    ],
                }
            )
        missing = _fallbacks({r["series"] for r in rows})
        problems = tuple(str(d) for d in damage)
        leftovers = store.leftovers()
        if as_json:
            doc = {
                "store": str(store.root),
                "series": rows,
                "missing": missing,
                "problems": list(problems),
                "leftovers": list(leftovers),
                "chains": [asdict(c) for c in chains],
            }
            typer.echo(json.dumps(doc, indent=2))
            return

        from rich import box
        from rich.console import Console
        from rich.table import Table

        console = Console()
        if not rows and not chains:
            console.print(f"The store at {store.root} is empty.")
        elif rows:
            table = Table(title=f"Store {store.root}", box=box.SIMPLE_HEAD, pad_edge=False)
            widths = {"series": 9, "first": 10, "last": 10, "rows": 5, "gaps": 4, "ver": 3}
            for col, width in (*widths.items(), ("provider", 5), ("origin", 7)):
                right = col in ("rows", "gaps", "ver")
                justify: Literal["left", "right"] = "right" if right else "left"
                table.add_column(col, no_wrap=True, justify=justify, min_width=width)
            table.add_column("source (fetched)", no_wrap=True, overflow="ellipsis")
            for r in rows:
                gaps = "" if r["gaps"] is None else str(r["gaps"])
                p = r["provenance"]
                table.add_row(
                    r["series"],
                    r["first"] or "",
                    r["last"] or "",
                    str(r["rows"]),
                    gaps,
                    str(r["versions"]),
                    p["provider"],
                    p["origin"],
                    f"{Path(p['source']).name or p['source']} ({p['fetched_at'][:10]})",
                )
            console.print(table)
        for c in chains:
            console.print(
                f"chains {c.underlying}: {c.first} to {c.last}, {c.days} day(s), {c.rows:,} "
                f"quotes ({', '.join(c.vendors)}; imported {c.imported_at[:10]})",
                markup=False,
                soft_wrap=True,
            )
        for m in missing:
            if m["fallback"] is None:
                where = "nowhere (the column stays NaN)"
            else:
                where = m["fallback"] + (f" ({m['origin']})" if m["origin"] else "")
            console.print(f"{m['series']}: not in the store; would come from {where}")
        for line in problems:
            console.print(f"[red]integrity:[/red] {line}")
        if problems:
            console.print("run `vixshield data check --repair` to quarantine damaged files")
        if leftovers:
            console.print(
                f"{len(leftovers)} leftover file(s) of an interrupted write, not in the "
                "catalogue: the next write removes them (`vixshield data check` lists them)"
            )


def _repair_lines(repair: Repair) -> list[str]:
    """What `Store.repair` did, one line per action."""
    lines: list[str] = []
    for q in repair.quarantined:
        d = q.damage
        if q.moved_to is None:
            lines.append(
                f"dropped {d.series} v{d.version} from the catalogue (file {d.file} missing)"
            )
        else:
            lines.append(
                f"dropped {d.series} v{d.version} from the catalogue; moved its altered file "
                f"{d.file} to {q.moved_to}"
            )
    for series, latest in repair.latest.items():
        if latest is None:
            lines.append(f"{series}: no good version left; removed from the catalogue")
        else:
            lines.append(f"{series}: latest version is now v{latest}")
    lines.extend(f"removed leftover {f} (not in the catalogue)" for f in repair.swept)
    return lines


@app.command("check")
def check(
    repair: Annotated[
        bool,
        typer.Option(
            "--repair",
            help="Move damaged files to <store>/quarantine/, drop their versions (older good "
            "versions stay) and remove leftovers of interrupted writes.",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
    home: _Home = None,
) -> None:
    """Verify every stored file (series and chain partitions) against its SHA-256.

    Exit status: 0 when the store is intact (after ``--repair``: when the repair left
    it intact), 1 when damaged (missing or altered) files were found and not
    repaired, 2 on bad input, 75 when another process holds the store's lock.
    Leftovers of an interrupted write are listed but are not damage: the next write
    (or ``--repair``) removes them. ``--repair`` does not touch the chain dataset: a
    damaged chain partition is reported, and re-importing its month replaces it.
    """
    with user_errors():
        from vixshield.data.chains import ChainDataset
        from vixshield.data.store import Store

        store = Store(home)
        checked = sum(len(store.history(s)) for s in store.series())
        damage = store.damage()
        chain_set = ChainDataset(home)
        partitions = len(chain_set.partitions())
        chain_damage = chain_set.verify()
        leftovers = store.leftovers()
        done = store.repair() if repair else None
        after = [*(store.damage() if done is not None else damage), *chain_damage]
        if as_json:
            doc = {
                "store": str(store.root),
                "files": checked,
                "chain_partitions": partitions,
                "damaged": [
                    {"series": d.series, "version": d.version, "file": d.file, "kind": d.kind}
                    for d in damage
                ],
                "chains": list(chain_damage),
                "leftovers": list(leftovers),
                "repaired": _repair_lines(done) if done is not None else None,
                "intact": not after,
            }
            typer.echo(json.dumps(doc, indent=2))
        else:
            parts = f" and {partitions} chain partition(s)" if partitions else ""
            typer.echo(f"Checked {checked} file(s){parts} in {store.root}.")
            for d in damage:
                typer.echo(f"damaged: {d}")
            for line in chain_damage:
                typer.echo(f"damaged: {line} (re-import that month to replace it)")
            for f in leftovers:
                typer.echo(f"leftover: {f} (not in the catalogue)")
            if done is not None:
                for line in _repair_lines(done):
                    typer.echo(line)
            if len(after) > len(chain_damage):
                typer.echo(
                    f"{len(after) - len(chain_damage)} damaged file(s): `vixshield data check "
                    f"--repair` moves them to {store.root / 'quarantine'} and drops their versions."
                )
            if chain_damage:
                typer.echo(f"{len(chain_damage)} damaged chain partition(s).")
            if not after:
                repaired = bool(damage) or (done is not None and bool(done.swept))
                typer.echo("The store is intact now." if repaired else "The store is intact.")
        if after:
            raise typer.Exit(1)


@app.command("fetch")
def fetch(
    series: Annotated[
        list[str] | None,
        typer.Argument(help="Series keys (default: all daily series and vx)."),
    ] = None,
    provider: Annotated[
        str | None, typer.Option("--provider", help="Use only this provider (no fallback).")
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option("--base-url", help="Replace every provider's host (mirror or test server)."),
    ] = None,
    timeout: Annotated[float, typer.Option("--timeout", help="Seconds per download.")] = 30.0,
    full: Annotated[
        bool,
        typer.Option(
            "--full", help="Download whole histories (default: from the last stored date on)."
        ),
    ] = False,
    fallback: Annotated[
        bool,
        typer.Option(
            "--fallback/--no-fallback",
            help="Where stooq fails, take the S&P 500 close from FRED's SP500 (default on).",
        ),
    ] = True,
    home: _Home = None,
) -> None:
    """Download series from Cboe, CFE, FRED and stooq into the store, provider by provider.

    Each provider's series are written on their own (all or nothing per provider). A
    partial success exits 0 with a warning naming what failed; when every provider
    fails the reasons are printed and the exit status is 2. stooq needs an API key: the
    config's ``providers.stooq_api_key`` or ``$STOOQ_API_KEY`` (never printed).
    """
    with user_errors():
        import sys

        from rich.console import Console

        from vixshield.data.providers import (
            FetchError,
            HttpSession,
            default_providers,
            fetch_each,
        )
        from vixshield.data.store import Store
        from vixshield.service.config import load_config

        config = load_config()
        store = Store(home)
        report = fetch_each(
            series or None,
            store,
            providers=default_providers(base_url, config.stooq_api_key),
            provider=provider,
            session=HttpSession(timeout=timeout),
            incremental=not full,
            fallback=fallback,
        )
        secrets = [k for k in (config.stooq_api_key, config.fred_api_key) if k]

        def masked(text: str) -> str:  # a key never reaches the terminal
            for key in secrets:
                text = text.replace(key, "***")
            return text

        if report.total_failure:
            lines = []
            for o in report.outcomes:
                for line in (o.error or o.provider).splitlines():
                    if o.stands_in_for:  # "spx_close: fred in place of stooq: cannot reach ..."
                        key, _, why = line.partition(": ")
                        line = f"{key}: {o.provider} in place of {o.stands_in_for}: {why}"
                    lines.append(masked(line))
            raise FetchError("\n".join(lines))
        console = Console()
        console.print(_written_table(f"Fetched into {store.root}", report.written))
        for o in report.outcomes:
            if o.ok and o.start is not None:
                console.print(f"{o.provider}: asked for {o.start} onwards", markup=False)
        _print_warnings(console, tuple(masked(w) for o in report.outcomes for w in o.warnings))
        for line in report.problems():
            sys.stderr.write(f"warning: {masked(line)}\n")


@app.command("import")
def import_(
    path: Annotated[Path, typer.Argument(help="A data file or a folder (searched recursively).")],
    kind: Annotated[str | None, typer.Option("--kind", help="Force the file format kind.")] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Trade date of VX curve snapshots (YYYY-MM-DD).")
    ] = None,
    home: _Home = None,
) -> None:
    """Import data files; formats are recognised by their header (all or nothing)."""
    with user_errors():
        from rich.console import Console

        from vixshield.data.store import Store
        from vixshield.data.store_import import import_path

        parse_date(as_of, "--as-of")  # a real day in range, else one located error
        store = Store(home)
        result = import_path(path, store, kind=kind, as_of=as_of)
        console = Console()
        console.print(f"Read {len(result.files)} file(s).")
        for f, reason in result.skipped:
            console.print(f"skipped {f}: {reason}", markup=False)
        if result.written:
            console.print(_written_table(f"Imported into {store.root}", result.written))
        if result.chains is not None:
            console.print(result.chains.summary(), markup=False)
        if not result.written and result.chains is None:
            console.print("Nothing to import.")
        _print_warnings(console, result.warnings)
