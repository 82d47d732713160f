"""The ``vixshield`` command line.

Sub-commands live in small modules that import heavy libraries lazily inside
their functions, so ``vixshield --help`` and ``--version`` start fast.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import gc
import os
import sys
import tempfile
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

import typer

from vixshield import __version__
from vixshield.cli import (
    data_cmd,
    markets_cmd,
    policy_cmd,
    run_cmd,
    scan_cmd,
    serve_cmd,
    service_cmd,
    sweep_cmd,
    validate_cmd,
)
from vixshield.errors import (
    EXIT_NOINPUT,
    EXIT_SOFTWARE,
    EnvError,
    UserError,
    env_error_from_os,
)

__all__ = ["PROGRAM_GC_THRESHOLD", "app", "main"]

PROGRAM_GC_THRESHOLD = (10_000, 10, 10)
"""`gc.set_threshold` of the ``vixshield`` program: net allocations before a young
collection, then young collections per middle one and middle per old one (CPython's
defaults are 700, 10, 10). Memory held by unreachable cycles stays bounded by the
same rule, with fewer and larger collections."""

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
scan_cmd.register(app)
service_cmd.register(app)
sweep_cmd.register(app)
validate_cmd.register(app)
serve_cmd.register(app)


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: run the app and turn every failure into one line and an exit code.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments after the program name (default: ``sys.argv[1:]``).

    Notes
    -----
    Exit codes are those of `vixshield.errors`: 2 for a `UserError` or a bad flag or
    value (click's parsing, reported on one ``error:`` line), the error's own
    code for an `EnvError` (and for an `OSError` that stands for one: disk full 74,
    permission denied 77), 66 for a missing input file, and 70 for anything else
    (a bug), whose traceback goes to a log file named in the message.

    Called without ``argv`` (as the ``vixshield`` program) it tunes the garbage
    collector of its own process, which results never depend on: collections start
    after `PROGRAM_GC_THRESHOLD` allocations instead of CPython's 700 (a backtest
    allocates millions of short-lived objects; an embedded run collected about 570
    times, 0.3 s of CPU, and 70 times, 0.17 s, with this threshold), and the
    collector is frozen (`gc.freeze`) before the final `SystemExit`, so the exit does
    not walk the run's objects again looking for cycles (about 0.5 s of CPU after a
    backtest). Exit handlers, flushes, profilers and coverage run as at any exit.
    """
    if argv is None:
        gc.set_threshold(*PROGRAM_GC_THRESHOLD)
    try:
        _main(argv)
    except SystemExit:
        if argv is None:
            gc.freeze()  # the process is ending: nothing left worth a collection
        raise


def _main(argv: Sequence[str] | None) -> None:
    """`main` up to its `SystemExit`."""
    try:
        args = list(argv) if argv is not None else None
        given = args if args is not None else sys.argv[1:]
        first = given[0] if given and not given[0].startswith("-") else None
        status = _command(first).main(args=args, prog_name="vixshield", standalone_mode=False)
    except typer.TyperException as err:  # click's parsing: a bad flag or value
        _usage(err)
    except typer.Abort:
        sys.stderr.write("Aborted!\n")
        raise SystemExit(1) from None
    except (UserError, EnvError) as err:
        _fail(str(err) or type(err).__name__, err.exit_code)
    except BrokenPipeError:  # the reader went away (``| head``): nothing left to say
        raise SystemExit(1) from None
    except OSError as err:
        env = env_error_from_os(err)
        if env is not None:
            _fail(str(env), env.exit_code)
        if isinstance(err, FileNotFoundError):
            _fail(f"no such file or directory: {err.filename}", EXIT_NOINPUT)
        _crash(err, argv)
    except Exception as err:  # the last line of defence: a bug, logged
        _crash(err, argv)
    raise SystemExit(status if isinstance(status, int) else 0)


def _usage(err: typer.TyperException) -> NoReturn:
    """Report a command-line parsing error on one line (help text as it is); exit 2."""
    text = err.format_message()
    if text.lstrip().startswith("Usage:"):  # no arguments: the help, as click shows it
        sys.stderr.write(text.rstrip("\n") + "\n")
        raise SystemExit(err.exit_code)
    _fail(f"{' '.join(text.split())} (see 'vixshield --help')", err.exit_code)


@functools.cache
def _command(name: str | None = None) -> typer.core.TyperGroup:
    """The click command of `app`, built once per process (typer builds it per call).

    With ``name``, the first argument, naming one of `app`'s commands or groups, the
    group holds only that one (`_only`): the command line runs the same command with
    the same help and errors, without building the dozen others (typer evaluates
    every parameter's annotations when it builds a command: about 50 ms a process).
    """
    command = typer.main.get_command(_only(name))
    assert isinstance(command, typer.core.TyperGroup)
    return command


def _only(name: str | None) -> typer.Typer:
    """`app` restricted to its command or group ``name``; `app` itself where none is so named."""
    commands = [c for c in app.registered_commands if c.name == name]
    groups = [g for g in app.registered_groups if g.name == name]
    if name is None or not (commands or groups):
        return app
    part = copy.copy(app)
    part.registered_commands = commands
    part.registered_groups = groups
    return part


def _fail(message: str, code: int) -> NoReturn:
    """Write ``error: <line>`` on stderr for each line of ``message``; exit with ``code``.

    A message holds one line per problem (a policy with two bad fields has two).
    """
    for line in message.splitlines() or [message]:
        if line.strip():
            sys.stderr.write(f"error: {' '.join(line.split())}\n")
    raise SystemExit(code) from None


def _crash(err: BaseException, argv: Sequence[str] | None) -> NoReturn:
    """Log the traceback of a bug to a file and exit 70 with one line naming it."""
    trace = "".join(traceback.format_exception(type(err), err, err.__traceback__))
    log = _write_crash_log(trace, list(argv) if argv is not None else sys.argv[1:])
    where = f"the traceback is in {log}" if log else "no log file could be written"
    try:
        said = str(err)
    except Exception:  # a message that cannot even be rendered
        said = "(message not printable)"
    summary = " ".join(f"{type(err).__name__}: {said}".split())[:200]
    sys.stderr.write(f"error: internal error ({summary}); this is a bug, {where}\n")
    raise SystemExit(EXIT_SOFTWARE) from None


def _write_crash_log(trace: str, args: list[str]) -> Path | None:
    """Write ``trace`` under ``<data home>/logs/`` (else the temp folder); its path or None."""
    from vixshield.data.store import data_home  # only on a crash: keeps start-up fast

    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    name = f"crash-{stamp}-{os.getpid()}.log"
    text = f"vixshield {__version__}\nargs: {args!r}\n\n{trace}"
    for folder in (data_home() / "logs", Path(tempfile.gettempdir())):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / name).write_text(text, encoding="utf-8")
        except OSError:
            continue
        return folder / name
    return None


if __name__ == "__main__":
    main()
