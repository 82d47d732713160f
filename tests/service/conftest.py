"""Fixtures of the service tests: an isolated data home, config file and market cache."""

from __future__ import annotations

from pathlib import Path

import pytest


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
