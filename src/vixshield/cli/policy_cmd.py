"""CLI: `vixshield policy` commands (owned by the strategy layer).

``list`` the presets, ``show NAME`` prints a preset's TOML, ``check FILE``
validates a policy file: each error on one line as
``FILE: [key.path] message (got value)``; user errors exit 2 (see `main`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

__all__ = ["app"]

app = typer.Typer(help="Policy presets and policy file validation.", no_args_is_help=True)


@app.command("list")
def list_cmd() -> None:
    """List the shipped presets with their descriptions."""
    from vixshield.strategy.policy import list_presets, load_policy

    for name in list_presets():
        typer.echo(f"{name:12s} {load_policy(name).description}")


@app.command("show")
def show_cmd(
    name: Annotated[str, typer.Argument(help="Preset name (see `vixshield policy list`).")],
) -> None:
    """Print a preset as TOML."""
    from vixshield.strategy.policy import preset_text

    typer.echo(preset_text(name), nl=False)


@app.command("check")
def check_cmd(
    file: Annotated[Path, typer.Argument(help="Policy TOML file to validate.")],
) -> None:
    """Validate a policy file; errors one per line, exit status 2."""
    from vixshield.strategy.policy import parse_policy, read_policy_text

    policy = parse_policy(read_policy_text(file), str(file))
    typer.echo(f"{file}: ok (policy '{policy.name}', {len(policy.hedge.layers)} hedge layers)")
