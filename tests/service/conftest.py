"""Fixtures of the service tests: an isolated data home, config file and market cache.

The provider server of ``fixtures/service_provider_fixtures.py`` is importable: the
repository runs pytest with ``--import-mode=importlib``, which does not put test folders
on ``sys.path``; the module has a unique name so nothing else shadows it.
"""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

_FIXTURES = str(Path(__file__).resolve().parent / "fixtures")
if _FIXTURES not in sys.path:
    sys.path.insert(0, _FIXTURES)

from service_provider_fixtures import ProviderFiles, ProviderServer  # noqa: E402


@pytest.fixture
def service_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``$VIXSHIELD_HOME`` and ``$VIXSHIELD_CONFIG`` under ``tmp_path``; secrets unset."""
    monkeypatch.setenv("VIXSHIELD_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("VIXSHIELD_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("VIXSHIELD_MARKET_CACHE", str(tmp_path / "cache"))
    for name in (
        "STOOQ_API_KEY",
        "FRED_API_KEY",
        "VIXSHIELD_SMTP_PASSWORD",
        "VIXSHIELD_WEBHOOK_URL",
    ):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


class HookServer(HTTPServer):
    """A local webhook receiver: ``received`` holds (path, JSON body) per POST; the first
    ``fail_first`` POSTs are answered 503."""

    received: list[tuple[str, Any]]
    fail_first: int

    @property
    def bodies(self) -> list[Any]:
        return [body for _, body in self.received]


class _Hook(BaseHTTPRequestHandler):
    server: HookServer

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.append((self.path, json.loads(body)))
        fail = self.server.fail_first > 0
        self.server.fail_first -= 1
        self.send_response(503 if fail else 200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def hook_server() -> Iterator[HookServer]:
    """A `HookServer` on 127.0.0.1 (a free port), stopped after the test."""
    server = HookServer(("127.0.0.1", 0), _Hook)
    server.received = []
    server.fail_first = 0
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def provider_server(service_env: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ProviderServer]:
    """A `ProviderServer` on 127.0.0.1 publishing nothing after 2016-02-29 until told;
    ``$VIXSHIELD_PROVIDER_BASE_URL`` points every provider at it."""
    from vixshield.data.providers import BASE_URL_ENV

    server = ProviderServer(ProviderFiles(pd.Timestamp("2016-02-29"))).start()
    monkeypatch.setenv(BASE_URL_ENV, server.base)
    yield server
    server.stop()
