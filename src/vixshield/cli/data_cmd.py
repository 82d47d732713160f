"""CLI: `vixshield data` commands (owned by the data layer)."""

from __future__ import annotations

import typer

__all__ = ["app"]

app = typer.Typer(help="data commands.", no_args_is_help=True)
