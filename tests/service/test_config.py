"""The configuration file: round trip, the environment, and secrets never shown."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from vixshield.cli.app import app
from vixshield.errors import DataError
from vixshield.service.config import (
    Config,
    NotifyConfig,
    Webhook,
    config_path,
    load_config,
    parse_config,
    resolve_data_source,
    save_config,
)

SECRETS = ("stooq-KEY-123", "fred-KEY-456", "smtp-PW-789", "https://hooks.example/T0/B1/XYZ")


def _full() -> Config:
    return Config(
        data="store",
        policy="steward",
        capital=250_000.0,
        account="ira",
        stooq_api_key=SECRETS[0],
        fred_api_key=SECRETS[1],
        notify=NotifyConfig(
            always=True,
            smtp_host="smtp.example.com",
            smtp_port=2525,
            smtp_user="me@x.org",
            smtp_password=SECRETS[2],
            smtp_from="me@x.org",
            smtp_to=("a@x.org", "b@x.org"),
            smtp_starttls=False,
            webhooks=(Webhook(SECRETS[3], "slack"),),
        ),
    )


def test_round_trip_and_mode(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "config.toml"
    save_config(_full(), path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    back = load_config(path, env={})
    assert back == Config(**{**_full().__dict__, "path": path})


def test_secrets_never_in_repr_or_redacted() -> None:
    cfg = _full()
    for text in (repr(cfg), str(cfg.redacted()), repr(cfg.notify), repr(cfg.notify.webhooks)):
        for secret in SECRETS:
            assert secret not in text


def test_environment_supplies_and_overrides_secrets(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    save_config(_full(), path)
    env = {
        "STOOQ_API_KEY": "from-env",
        "VIXSHIELD_SMTP_PASSWORD": "pw-env",
        "VIXSHIELD_WEBHOOK_URL": "http://127.0.0.1:1/h",
    }
    cfg = load_config(path, env=env)
    assert cfg.stooq_api_key == "from-env"
    assert cfg.fred_api_key == SECRETS[1]
    assert cfg.notify.smtp_password == "pw-env"
    assert [w.url for w in cfg.notify.webhooks] == [SECRETS[3], "http://127.0.0.1:1/h"]


def test_config_path_follows_the_environment(tmp_path: Path) -> None:
    assert config_path({"VIXSHIELD_CONFIG": str(tmp_path / "x.toml")}) == tmp_path / "x.toml"
    assert config_path({}).name == "config.toml"


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('data = "cloud"', "column 'data'"),
        ("capital = -5", "column 'capital'"),
        ("colour = 1", "column 'colour'"),
        ("[notify]\nsmtp_port = 99999", "column 'notify.smtp_port'"),
        ('[notify]\nwebhooks = [{url = "ftp://x", format = "json"}]', "notify.webhooks[0]"),
        ('[notify]\nwebhooks = [{url = "http://x", format = "teams"}]', "notify.webhooks[0]"),
    ],
)
def test_bad_config_is_located(text: str, where: str) -> None:
    with pytest.raises(DataError) as err:
        parse_config(text, "cfg.toml")
    assert str(err.value).startswith("cfg.toml")
    assert where in str(err.value)


def test_default_data_source(tmp_path: Path) -> None:
    empty = Config()
    assert resolve_data_source(None, empty, tmp_path)[0] == "embedded"
    assert resolve_data_source("store", empty, tmp_path)[0] == "store"
    assert resolve_data_source(None, Config(data="store", path=tmp_path), tmp_path)[0] == "store"


def test_init_never_prints_secrets(service_env: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(
        app,
        [
            "init",
            "--data",
            "embedded",
            "--stooq-key",
            SECRETS[0],
            "--fred-key",
            SECRETS[1],
            "--smtp-host",
            "127.0.0.1",
            "--smtp-to",
            "a@x.org",
            "--smtp-password",
            SECRETS[2],
            "--webhook",
            SECRETS[3],
            "--webhook-format",
            "discord",
            "--start",
            "2016-03-01",
        ],
    )
    assert res.exit_code == 0, res.output
    for secret in SECRETS:
        assert secret not in res.output
    stored = (service_env / "config.toml").read_text()
    assert all(secret in stored for secret in SECRETS)
    # a second init keeps the secrets and the account
    res = runner.invoke(app, ["init", "--policy", "steward"])
    assert res.exit_code == 0, res.output
    assert all(secret not in res.output for secret in SECRETS)
    cfg = load_config(service_env / "config.toml", env={})
    assert (cfg.policy, cfg.fred_api_key, cfg.notify.webhooks[0].format) == (
        "steward",
        SECRETS[1],
        "discord",
    )
