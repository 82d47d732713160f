"""Fixtures of the CLI tests: a default ``--data`` that does not depend on the machine.

A command's default ``--data`` reads the config file and the store at the data home
(`vixshield.cli._sources.choose_source`). Every test here runs with
``$VIXSHIELD_CONFIG`` naming a file that does not exist and ``$VIXSHIELD_HOME`` an empty
folder, so the default is ``embedded`` whatever the developer has configured or stored;
the market cache stays where it was (its location is only a speed matter).

The hand-made results of ``tests/report/report_fakes.py`` are importable here too
(``import report_fakes``): pytest's importlib mode puts no test folder on ``sys.path``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

_REPORT_TESTS = str(Path(__file__).resolve().parents[1] / "report")
if _REPORT_TESTS not in sys.path:
    sys.path.insert(0, _REPORT_TESTS)


@pytest.fixture(scope="session")
def _empty_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("empty_vixshield_home")


@pytest.fixture(autouse=True)
def _hermetic_defaults(monkeypatch: pytest.MonkeyPatch, _empty_home: Path) -> None:
    from vixshield.cli._sources import cache_folder
    from vixshield.markets.cache import CACHE_ENV

    cache = cache_folder()
    monkeypatch.setenv(CACHE_ENV, "off" if cache is None else str(cache))
    monkeypatch.setenv("VIXSHIELD_HOME", str(_empty_home))
    monkeypatch.setenv("VIXSHIELD_CONFIG", str(_empty_home / "no-config.toml"))
