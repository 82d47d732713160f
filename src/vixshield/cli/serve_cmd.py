"""CLI: ``vixshield serve``, the web dashboard and JSON API (`vixshield.web`), and
``vixshield token create|list|revoke``, the API tokens it accepts.

Binds to 127.0.0.1 by default and warns when bound to any other address (anyone who can
reach the port may try tokens; serve over a trusted network or behind TLS). Every route
but ``/api/v1/health`` needs a token (``Authorization: Bearer``) or a login session.
"""

from __future__ import annotations

import ipaddress
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from vixshield.cli._errors import user_errors
from vixshield.errors import UserError

__all__ = ["is_loopback", "register", "serve", "token_app"]

token_app = typer.Typer(
    help="API tokens of the web dashboard (stored hashed in the data home).",
    no_args_is_help=True,
)

HomeOption = Annotated[
    Path | None,
    typer.Option("--home", help="Data home (default: $VIXSHIELD_HOME, else ~/.local/share)."),
]


def is_loopback(host: str) -> bool:
    """True where ``host`` is a loopback address or ``localhost``."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(
    host: Annotated[str, typer.Option("--host", help="Address to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port.")] = 8765,
    home: HomeOption = None,
    runs: Annotated[
        list[Path] | None,
        typer.Option("--runs", help="A folder of saved runs (or one run); repeatable."),
    ] = None,
    account: Annotated[
        str | None, typer.Option("--account", help="Journal account (default: the config's).")
    ] = None,
    data: Annotated[
        str | None,
        typer.Option("--data", help="'embedded' or 'store' for marks (default: as daily)."),
    ] = None,
    allow_fills: Annotated[
        bool,
        typer.Option("--allow-fills", help="Accept POST /api/v1/fills (journal fill)."),
    ] = False,
) -> None:
    """Serve the dashboard (/) and the JSON API (/api/v1/...) with uvicorn.

    Saved runs are the `backtest --out` and `sweep --out` folders in <data home>/runs/
    and in each --runs folder.
    """
    with user_errors():
        if not 0 < port < 65536:
            raise UserError(f"--port: expected 1..65535, got {port}")
        if data is not None and data not in ("embedded", "store"):
            raise UserError(f"--data: expected 'embedded' or 'store', got {data!r}")
        for folder in runs or []:
            if not folder.is_dir():
                raise UserError(f"--runs {folder}: not a folder")
        if home is not None:
            os.environ["VIXSHIELD_HOME"] = str(home)
        import uvicorn

        from vixshield.service.journal import journal_path
        from vixshield.web import WebSettings, create_app
        from vixshield.web.auth import TokenStore

        path = journal_path()
        if not path.is_file():
            sys.stderr.write(f"warning: no journal at {path} yet: run `vixshield init`\n")
        if not any(t.active for t in TokenStore().list()):
            sys.stderr.write(
                "warning: no active API token: every route but /api/v1/health answers 401; "
                "create one with `vixshield token create NAME`\n"
            )
        if not is_loopback(host):
            sys.stderr.write(
                f"warning: binding to {host}, not a loopback address: anyone who can reach "
                "this port can try tokens, and traffic is not encrypted (no TLS)\n"
            )
        settings = WebSettings(
            journal=path,
            account=account,
            data=data,
            allow_fills=allow_fills,
            runs=tuple(runs or ()),
        )
        app = create_app(settings)
        sys.stderr.write(f"serving {path} on http://{host}:{port}/ (Ctrl-C stops)\n")
        uvicorn.run(app, host=host, port=port, log_level="warning")


@token_app.command("create")
def token_create(
    name: Annotated[str, typer.Argument(help="A name for the token (letters, digits, _.-).")],
    home: HomeOption = None,
) -> None:
    """Create an API token and print it once (only its salted hash is kept)."""
    with user_errors():
        from vixshield.web.auth import TokenStore

        store = TokenStore(home)
        token = store.create(name)
        typer.echo(token)
        sys.stderr.write(
            f"created token {name!r} (stored hashed in {store.path}); it is not shown again: "
            "send it as 'Authorization: Bearer <token>' or paste it in the login form\n"
        )


@token_app.command("list")
def token_list(home: HomeOption = None) -> None:
    """List the tokens: name, created, revoked (never the tokens)."""
    with user_errors():
        from vixshield.web.auth import TokenStore

        tokens = TokenStore(home).list()
        if not tokens:
            typer.echo("no tokens: create one with `vixshield token create NAME`")
            return
        width = max(len(t.name) for t in tokens)
        for t in tokens:
            state = f"revoked {t.revoked}" if t.revoked else "active"
            typer.echo(f"{t.name:<{width}}  created {t.created}  {state}")


@token_app.command("revoke")
def token_revoke(
    name: Annotated[str, typer.Argument(help="The token's name.")],
    home: HomeOption = None,
) -> None:
    """Revoke a token: it and the sessions logged in with it stop working at once."""
    with user_errors():
        from vixshield.web.auth import TokenStore

        TokenStore(home).revoke(name)
        typer.echo(f"revoked token {name!r}")


def register(app: typer.Typer) -> None:
    """Add ``serve`` and the ``token`` group to ``app``."""
    app.command("serve")(serve)
    app.add_typer(token_app, name="token")
