"""The ``vixshield`` command line.

Sub-commands live in small modules that import heavy libraries lazily inside
their functions, so ``vixshield --help`` and ``--version`` start fast.
"""

from __future__ import annotations

import sys

import typer

from vixshield import __version__
from vixshield.cli import (
    data_cmd,
    markets_cmd,
    policy_cmd,
    run_cmd,
    service_cmd,
    sweep_cmd,
    validate_cmd,
)
from vixshield.errors import UserError

__all__ = ["app", "main"]

app = typer.Typer(
    name="vixshield",
    help="SPX iron condors with an Adaptive Layered VIX Hedge: signal, backtest, reports.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"vixshield {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    """VixShield command line."""


app.add_typer(data_cmd.app, name="data")
app.add_typer(policy_cmd.app, name="policy")
markets_cmd.register(app)
run_cmd.register(app)
service_cmd.register(app)
sweep_cmd.register(app)
validate_cmd.register(app)


def main() -> None:
    """Entry point: run the app, turning `UserError` into one line and exit 2."""
    try:
        app()
    except UserError as err:
        sys.stderr.write(f"error: {err}\n")
        raise SystemExit(2) from None
