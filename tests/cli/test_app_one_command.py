"""The command line builds only the command it runs, with the help and errors of the whole app."""

from __future__ import annotations

import contextlib

import pytest
import typer

from vixshield.cli import app as cli

Capture = pytest.CaptureFixture[str]
NAMES = [c.name for c in cli.app.registered_commands] + [g.name for g in cli.app.registered_groups]


def _run(command: typer.core.TyperGroup, args: list[str], capsys: Capture) -> str:
    with contextlib.suppress(SystemExit):
        command.main(args=args, prog_name="vixshield", standalone_mode=False)
    captured = capsys.readouterr()
    return captured.out + captured.err


@pytest.mark.parametrize("name", NAMES)
def test_each_command_alone_has_the_whole_apps_help(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    alone = cli._command(name)
    assert list(alone.commands) == [name]
    assert _run(alone, [name, "--help"], capsys) == _run(
        cli._command(None), [name, "--help"], capsys
    )


def test_an_unknown_or_missing_name_builds_the_whole_app() -> None:
    full = set(NAMES)
    assert set(cli._command("no-such-command").commands) == full
    assert set(cli._command(None).commands) == full


def test_main_reports_an_unknown_command_on_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(["no-such-command"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "no-such-command" in err
