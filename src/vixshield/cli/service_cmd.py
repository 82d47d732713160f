"""CLI: ``vixshield init``, ``vixshield journal ...`` and ``vixshield daily``.

The daily service (see `vixshield.service`): the configuration file, the journal of
positions and fills, one run after each close. Exit status: 0 done, 1 ``journal
reconcile`` found differences, 2 bad input (``error: ...``), 3 ``daily`` refused on
stale inputs (the reason on stderr).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from vixshield.cli._errors import check_capital, parse_date, user_errors
from vixshield.errors import UserError

if TYPE_CHECKING:
    import pandas as pd

    from vixshield.service.config import Config
    from vixshield.service.journal import Account, Journal

__all__ = ["DEFAULT_ACCOUNT", "STALE_EXIT", "journal_app", "register"]

DEFAULT_ACCOUNT = "main"
STALE_EXIT = 3

journal_app = typer.Typer(
    help="The journal: positions, fills, history; import and reconcile broker files.",
    no_args_is_help=True,
)

AccountOpt = Annotated[
    str | None,
    typer.Option("--account", help="Journal account (default: the config's, else 'main')."),
]
DataOpt = Annotated[
    str | None,
    typer.Option(
        "--data", help="'embedded' or 'store' (default: the config's, else store if it has data)."
    ),
]


def _config() -> Config:
    from vixshield.service.config import load_config

    return load_config()


def _journal() -> Journal:
    from vixshield.service.journal import Journal, journal_path

    return Journal(journal_path())


def _account(journal: Journal, config: Config, name: str | None) -> Account:
    return journal.account(name or config.account or DEFAULT_ACCOUNT)


def _note(text: str) -> None:
    sys.stderr.write(f"{text}\n")


def _policy(config: Config, account: Account | None = None) -> Any:
    from vixshield.strategy.policy import load_policy

    return load_policy(account.policy if account is not None else config.policy or "alvh-442")


def _today() -> pd.Timestamp:
    from vixshield.service.daily import decision_session

    return decision_session(None)


# -- init -------------------------------------------------------------------------------


def init(
    data: Annotated[str | None, typer.Option("--data", help="Default --data.")] = None,
    policy: Annotated[str | None, typer.Option("--policy", help="Policy preset or TOML.")] = None,
    capital: Annotated[float | None, typer.Option("--capital", help="Dollars.")] = None,
    account: Annotated[str | None, typer.Option("--account", help="Account name.")] = None,
    start: Annotated[
        str | None,
        typer.Option("--start", help="Account start, YYYY-MM-DD (default: the last session)."),
    ] = None,
    stooq_key: Annotated[str | None, typer.Option("--stooq-key", help="stooq API key.")] = None,
    fred_key: Annotated[str | None, typer.Option("--fred-key", help="FRED API key.")] = None,
    smtp_host: Annotated[str | None, typer.Option("--smtp-host")] = None,
    smtp_port: Annotated[int | None, typer.Option("--smtp-port")] = None,
    smtp_user: Annotated[str | None, typer.Option("--smtp-user")] = None,
    smtp_password: Annotated[
        str | None,
        typer.Option("--smtp-password", help="Better: $VIXSHIELD_SMTP_PASSWORD (not stored)."),
    ] = None,
    smtp_from: Annotated[str | None, typer.Option("--smtp-from")] = None,
    smtp_to: Annotated[list[str] | None, typer.Option("--smtp-to", help="Repeatable.")] = None,
    no_starttls: Annotated[bool, typer.Option("--no-starttls", help="Plain SMTP.")] = False,
    webhook: Annotated[list[str] | None, typer.Option("--webhook", help="URL; repeatable.")] = None,
    webhook_format: Annotated[
        str, typer.Option("--webhook-format", help="json, slack or discord (for --webhook).")
    ] = "json",
    notify_always: Annotated[
        bool, typer.Option("--notify-always", help="Notify after every run.")
    ] = False,
    ask: Annotated[
        bool, typer.Option("--ask/--no-ask", help="Prompt for the values not given.")
    ] = False,
) -> None:
    """Write the config file and create the journal account (secrets are never printed)."""
    with user_errors():
        from dataclasses import replace

        from vixshield._json import dumps_stable
        from vixshield.service.config import (
            WEBHOOK_FORMATS,
            Webhook,
            config_path,
            parse_config,
            save_config,
        )

        path = config_path()
        old = parse_config(path.read_text(encoding="utf-8"), str(path)) if path.exists() else None
        base = old or _config()
        if ask:
            data = data or typer.prompt(
                "Data source (embedded/store)", default=base.data or "store"
            )
            policy = policy or typer.prompt("Policy", default=base.policy or "alvh-442")
            capital = capital or typer.prompt("Capital (USD)", default=base.capital or 1e6)
            account = account or typer.prompt("Account", default=base.account or DEFAULT_ACCOUNT)
        check_capital(capital)
        if webhook_format not in WEBHOOK_FORMATS:
            raise UserError(f"--webhook-format: expected one of {', '.join(WEBHOOK_FORMATS)}")
        n = base.notify
        notify = replace(
            n,
            always=notify_always or n.always,
            smtp_host=smtp_host or n.smtp_host,
            smtp_port=smtp_port or n.smtp_port,
            smtp_user=smtp_user or n.smtp_user,
            smtp_password=smtp_password or n.smtp_password,
            smtp_from=smtp_from or n.smtp_from,
            smtp_to=tuple(smtp_to) if smtp_to else n.smtp_to,
            smtp_starttls=False if no_starttls else n.smtp_starttls,
            webhooks=n.webhooks + tuple(Webhook(u, webhook_format) for u in webhook or ()),
        )
        config = replace(
            base,
            data=data or base.data,
            policy=policy or base.policy,
            capital=capital or base.capital,
            account=account or base.account,
            stooq_api_key=stooq_key or base.stooq_api_key,
            fred_api_key=fred_key or base.fred_api_key,
            notify=notify,
        )
        parse_config(_toml(config), str(path))  # validate before touching anything
        spec = _policy(config)
        name = config.account or DEFAULT_ACCOUNT
        first = parse_date(start, "--start") or _today()
        saved = save_config(config, path)
        with _journal() as journal:
            try:
                acct = journal.account(name)
                _note(f"account {name!r} exists (start {acct.start:%Y-%m-%d}); kept")
            except UserError:
                cap = config.capital or float(spec.account.capital)
                acct = journal.create_account(name, config.policy or "alvh-442", cap, first)
                _note(f"created account {name!r}: {cap:,.0f} USD from {first:%Y-%m-%d}")
            _note(f"journal: {journal.path}")
        _note(f"config written: {saved}")
        sys.stdout.write(dumps_stable(replace(config, path=saved).redacted()))


def _toml(config: Config) -> str:
    from vixshield.service.config import config_toml

    return config_toml(config)


# -- journal ----------------------------------------------------------------------------


@journal_app.command("fill")
def fill(
    order_id: Annotated[str, typer.Argument(help="Order id as the daily run printed it.")],
    price: Annotated[float, typer.Option("--price", help="Net price per unit, >= 0.")],
    contracts: Annotated[int | None, typer.Option("--contracts", help="Default: all.")] = None,
    time: Annotated[str | None, typer.Option("--time", help="Execution time, ISO.")] = None,
    fees: Annotated[float | None, typer.Option("--fees", help="Dollars (default: policy).")] = None,
) -> None:
    """Report an execution: ORDER_ID filled at --price (the ticket's credit or debit)."""
    with user_errors():
        import datetime as dt

        if time is not None:
            try:
                dt.datetime.fromisoformat(time)
            except ValueError:
                raise UserError(f"--time: expected an ISO time, got {time!r}") from None
        with _journal() as journal:
            f = journal.fill(order_id, price, contracts, time, fees)
        sys.stdout.write(
            f"filled {f.contracts} of {f.order_id} at {f.price:.2f} (position {f.position_id}); "
            f"fees {f.fees:.2f}, cash {f.cash:+,.2f} USD\n"
        )


@journal_app.command("positions")
def positions(account: AccountOpt = None) -> None:
    """The open positions, one row per leg."""
    with user_errors():
        from vixshield.service.tickets import occ_symbol
        from vixshield.service.view import format_rows

        config = _config()
        with _journal() as journal:
            acct = _account(journal, config, account)
            held = journal.positions(acct)
            cash = journal.cash(acct)
        rows = [
            {
                "id": p.id,
                "kind": p.label,
                "contracts": p.contracts,
                "opened": f"{p.opened:%Y-%m-%d}",
                "entry": f"{p.entry_price:.2f}",
                "symbol": occ_symbol(lg.root, lg.expiry, lg.right, lg.strike),
                "ratio": lg.ratio,
            }
            for p in held
            for lg in p.legs
        ]
        cols = ("id", "kind", "contracts", "opened", "entry", "symbol", "ratio")
        sys.stdout.write(format_rows(rows, cols))
        sys.stdout.write(f"{len(held)} open position(s); cash {cash:,.2f} USD\n")


@journal_app.command("history")
def history(account: AccountOpt = None) -> None:
    """Signals, fills and settlements, by date."""
    with user_errors():
        from vixshield.service.view import format_rows

        config = _config()
        with _journal() as journal:
            rows = journal.history(_account(journal, config, account))
        shown = [
            {**r, "amount": None if r["amount"] is None else f"{r['amount']:+,.2f}"} for r in rows
        ]
        sys.stdout.write(format_rows(shown, ("date", "kind", "amount", "position_id", "note")))


def _windows(spec: Any) -> list[Any]:
    from vixshield.service.broker import LayerWindow

    return [LayerWindow(h.name, int(h.roll_dte), int(h.dte_max)) for h in spec.hedge.layers]


@journal_app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="Generic CSV or IB Flex Open Positions CSV.")],
    date: Annotated[str | None, typer.Option("--date", help="Held at (default: today).")] = None,
    account: AccountOpt = None,
) -> None:
    """Add positions held at a broker to the journal (all or nothing)."""
    with user_errors():
        from vixshield.service.broker import group_positions, read_broker_file
        from vixshield.service.checks import check_positions

        config = _config()
        day = parse_date(date, "--date") or _today()
        with _journal() as journal:
            acct = _account(journal, config, account)
            spec = _policy(config, acct)
            legs = read_broker_file(file, day)
            found = group_positions(legs, _windows(spec), day, str(file))
            check_positions(found, [h.name for h in spec.hedge.layers], day, str(file))
            n = journal.import_positions(acct, found, day)
        sys.stdout.write(f"imported {n} position(s) from {file}\n")


@journal_app.command("reconcile")
def reconcile(
    file: Annotated[Path, typer.Argument(help="Broker statement: generic or IB Flex CSV.")],
    account: AccountOpt = None,
) -> None:
    """Compare the journal's open legs with a broker file; exit 1 where they differ."""
    with user_errors():
        from vixshield.service.broker import read_broker_file
        from vixshield.service.tickets import occ_symbol

        config = _config()
        with _journal() as journal:
            held = journal.positions(_account(journal, config, account))
        mine: dict[str, int] = {}
        for p in held:
            for lg in p.legs:
                key = occ_symbol(lg.root, lg.expiry, lg.right, lg.strike)
                mine[key] = mine.get(key, 0) + lg.ratio * p.contracts
        theirs: dict[str, int] = {}
        for leg in read_broker_file(file, _today()):
            key = occ_symbol(leg.root, leg.expiry, leg.right, leg.strike)
            theirs[key] = theirs.get(key, 0) + leg.quantity
        diffs = [
            (k, mine.get(k, 0), theirs.get(k, 0))
            for k in sorted(set(mine) | set(theirs))
            if mine.get(k, 0) != theirs.get(k, 0)
        ]
        for k, a, b in diffs:
            sys.stdout.write(f"{k}  journal {a:+d}  broker {b:+d}  difference {b - a:+d}\n")
        if diffs:
            sys.stdout.write(f"{len(diffs)} difference(s)\n")
            raise typer.Exit(1)
        sys.stdout.write(f"journal and {file} agree on {len(mine)} leg(s)\n")


# -- daily ------------------------------------------------------------------------------


def _fetch(config: Config, day: pd.Timestamp | None) -> list[str]:
    """Fetch what is new of the default series, provider by provider; failures as warnings.

    `vixshield.data.providers.fetch_each`: one provider's failure leaves the others' data
    written (FRED's SP500 stands in for a failed stooq SPX close); the freshness check then
    decides whether the run can go on. Never raises for a fetch failure. ``day``: the
    session decided (``--date``; None: today), around which VX contracts are asked for.
    """
    from vixshield.data.providers import HttpSession
    from vixshield.data.providers.each import fetch_each
    from vixshield.data.providers.registry import DEFAULT_SERIES, default_providers
    from vixshield.data.store import Store

    providers = default_providers(None, config.stooq_api_key, as_of=day)
    try:
        series = [*DEFAULT_SERIES, "chain"]  # the session's Cboe delayed quotes, kept per date
        report = fetch_each(series, Store(), providers=providers, session=HttpSession(timeout=30.0))
    except UserError as err:
        return [f"fetch failed: {str(err).splitlines()[0]}"]
    failed = [f"fetch {line}" for line in report.problems()]
    secrets = [k for k in (config.stooq_api_key, config.fred_api_key) if k]
    for secret in secrets:  # a key in a URL never reaches the terminal
        failed = [line.replace(secret, "***") for line in failed]
    return failed


def _send(config: Config, subject: str, text: str, doc: dict[str, Any]) -> None:
    from vixshield.service.notify import Message, notify

    for d in notify(config.notify, Message(subject, text, doc)):
        state = f"sent ({d.attempts} attempt(s))" if d.ok else f"FAILED: {d.error}"
        _note(f"notify {d.target}: {state}")


def daily(
    date: Annotated[
        str | None,
        typer.Option("--date", help="Decide the last session on or before D (default: today)."),
    ] = None,
    no_fetch: Annotated[bool, typer.Option("--no-fetch", help="Do not fetch data first.")] = False,
    notify_flag: Annotated[
        bool, typer.Option("--notify", help="Send the configured notifications.")
    ] = False,
    verbose: Annotated[bool, typer.Option("--verbose", help="Add the audit trail.")] = False,
    json_output: Annotated[bool, typer.Option("--json", help="Print the JSON only.")] = False,
    data: DataOpt = None,
    account: AccountOpt = None,
) -> None:
    """After the close: fetch, settle, decide on the journal's book, record, print, notify.

    The strategy state is replayed from the account's start date (the journal's own
    history). Stale SPX or VIX closes refuse the run (exit 3); a second run on the same
    session prints the recorded signal and records nothing.
    """
    with user_errors():
        from vixshield._json import dumps_stable
        from vixshield.cli._sources import open_markets
        from vixshield.service.config import resolve_data_source
        from vixshield.service.daily import StaleInputs, decision_session, run_daily
        from vixshield.service.notify import should_notify
        from vixshield.service.view import daily_subject, daily_text, stale_text

        config = _config()
        day = parse_date(date, "--date")
        source, why = resolve_data_source(data, config)
        _note(why)
        warnings = [] if no_fetch else _fetch(config, day)
        for w in warnings:
            _note(f"warning: {w}")
        with _journal() as journal:
            acct = _account(journal, config, account)
            spec = _policy(config, acct)
            market = open_markets(source)
            try:
                result = run_daily(journal, acct, spec, market, day)
            except StaleInputs as err:
                session = decision_session(day)
                sys.stderr.write(f"error: {err}\n")
                if notify_flag and should_notify(
                    config.notify, orders=False, refused=True, warned=True
                ):
                    subject = f"VixShield {session:%Y-%m-%d}: no signal (stale data)"
                    body = stale_text(str(err), f"{session:%Y-%m-%d}")
                    _send(config, subject, body, {"refused": str(err)})
                raise typer.Exit(STALE_EXIT) from None
        doc = dict(result.doc)
        if result.status == "repeat":
            _note(f"signal for {result.session:%Y-%m-%d} already recorded: shown, not recorded")
        if json_output:
            sys.stdout.write(dumps_stable(doc))
        else:
            sys.stdout.write(daily_text(doc))
            if verbose:
                from rich.console import Console

                from vixshield.report.signal_view import print_signal

                print_signal(Console(file=sys.stdout, width=80), doc)
        all_warnings = [*warnings, *result.warnings]
        if (
            notify_flag
            and result.status == "recorded"
            and should_notify(
                config.notify,
                orders=result.has_orders,
                refused=False,
                warned=any(w.startswith("margin") for w in all_warnings),
            )
        ):
            _send(config, daily_subject(doc), daily_text(doc), doc)


def register(app: typer.Typer) -> None:
    """Add ``init``, ``journal`` and ``daily`` to ``app``."""
    app.command("init")(init)
    app.add_typer(journal_app, name="journal")
    app.command("daily")(daily)
