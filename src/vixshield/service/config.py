"""The user's configuration file: defaults every command reads, and the secrets.

Where: ``$VIXSHIELD_CONFIG`` when set (a file path), else ``config.toml`` in the
platform's user config directory (`platformdirs.user_config_path("vixshield")`:
``~/.config/vixshield/config.toml`` on Linux). Written by ``vixshield init``, with
file mode 0600 (it may hold secrets), atomically (a temporary file renamed over it).

Format (TOML; every key optional)::

    data = "store"              # default --data: "embedded" or "store"
    policy = "alvh-442"         # preset name or policy TOML path
    capital = 1000000.0         # starting equity of the journal's account, dollars
    account = "main"            # the journal account the service uses

    [providers]
    stooq_api_key = "..."       # secret; or $STOOQ_API_KEY
    fred_api_key = "..."        # secret; or $FRED_API_KEY

    [notify]
    always = false              # true: notify after every run, not only when there is
                                # something to do (orders, a refusal, a margin warning)
    smtp_host = "smtp.example.com"
    smtp_port = 587
    smtp_user = "me@example.com"
    smtp_password = "..."       # secret; or $VIXSHIELD_SMTP_PASSWORD
    smtp_from = "me@example.com"
    smtp_to = ["me@example.com"]
    smtp_starttls = true
    smtp_cafile = "/path/ca.pem" # optional: trust this CA for STARTTLS (default: the system's)
    webhooks = [{url = "https://hooks.slack.com/...", format = "slack"}]
                                # secret URLs; format "json", "slack" or "discord";
                                # or $VIXSHIELD_WEBHOOK_URL (format json)

Secrets (the API keys, the SMTP password and the webhook URLs) live only in this file
or the environment: `Config.redacted` is what any command prints, and `repr` of a
`Config` masks them too. The environment wins over the file for each secret.
"""

from __future__ import annotations

import math
import os
import tempfile
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Literal

from vixshield.errors import DataError, UserError

__all__ = [
    "CONFIG_ENV",
    "SECRET_ENV",
    "WEBHOOK_FORMATS",
    "Config",
    "NotifyConfig",
    "Webhook",
    "config_path",
    "load_config",
    "resolve_data_source",
    "save_config",
]

CONFIG_ENV = "VIXSHIELD_CONFIG"
"""Environment variable naming the config file (wins over the platform directory)."""

SECRET_ENV: Mapping[str, str] = {
    "stooq_api_key": "STOOQ_API_KEY",
    "fred_api_key": "FRED_API_KEY",
    "smtp_password": "VIXSHIELD_SMTP_PASSWORD",
    "webhook_url": "VIXSHIELD_WEBHOOK_URL",
}
"""Secret -> the environment variable that supplies (and overrides) it."""

WebhookFormat = Literal["json", "slack", "discord"]
WEBHOOK_FORMATS: tuple[WebhookFormat, ...] = ("json", "slack", "discord")
_MASK = "***"


@dataclass(frozen=True)
class Webhook:
    """One webhook target: ``url`` (a secret) and the payload ``format``."""

    url: str = field(repr=False)
    format: WebhookFormat = "json"

    def __repr__(self) -> str:
        return f"Webhook(url={_MASK!r}, format={self.format!r})"


@dataclass(frozen=True)
class NotifyConfig:
    """Notification targets (see the module docstring); ``smtp_password`` is a secret."""

    always: bool = False
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_password: str | None = field(default=None, repr=False)
    smtp_from: str | None = None
    smtp_to: tuple[str, ...] = ()
    smtp_starttls: bool = True
    smtp_cafile: str | None = None
    webhooks: tuple[Webhook, ...] = ()

    @property
    def email(self) -> bool:
        """True where an SMTP server and at least one recipient are configured."""
        return bool(self.smtp_host and self.smtp_to)


@dataclass(frozen=True)
class Config:
    """The configuration (module docstring); None where the file does not set a key."""

    data: str | None = None
    policy: str | None = None
    capital: float | None = None
    account: str | None = None
    stooq_api_key: str | None = field(default=None, repr=False)
    fred_api_key: str | None = field(default=None, repr=False)
    notify: NotifyConfig = field(default_factory=NotifyConfig)
    path: Path | None = None

    def with_env(self, env: Mapping[str, str] | None = None) -> Config:
        """This config with each secret taken from the environment where set there."""
        env = os.environ if env is None else env
        out = self
        for name in ("stooq_api_key", "fred_api_key"):
            value = env.get(SECRET_ENV[name])
            if value:
                out = replace(out, stooq_api_key=value) if name == "stooq_api_key" else out
                out = replace(out, fred_api_key=value) if name == "fred_api_key" else out
        notify = out.notify
        if env.get(SECRET_ENV["smtp_password"]):
            notify = replace(notify, smtp_password=env[SECRET_ENV["smtp_password"]])
        if env.get(SECRET_ENV["webhook_url"]):
            extra = Webhook(env[SECRET_ENV["webhook_url"]], "json")
            notify = replace(notify, webhooks=(*notify.webhooks, extra))
        return replace(out, notify=notify)

    def redacted(self) -> dict[str, object]:
        """The configuration as plain values with every secret replaced by ``***``."""
        n = self.notify
        return {
            "path": str(self.path) if self.path else None,
            "data": self.data,
            "policy": self.policy,
            "capital": self.capital,
            "account": self.account,
            "providers": {
                "stooq_api_key": _MASK if self.stooq_api_key else None,
                "fred_api_key": _MASK if self.fred_api_key else None,
            },
            "notify": {
                "always": n.always,
                "smtp_host": n.smtp_host,
                "smtp_port": n.smtp_port,
                "smtp_user": n.smtp_user,
                "smtp_password": _MASK if n.smtp_password else None,
                "smtp_from": n.smtp_from,
                "smtp_to": list(n.smtp_to),
                "smtp_starttls": n.smtp_starttls,
                "smtp_cafile": n.smtp_cafile,
                "webhooks": [{"url": _MASK, "format": w.format} for w in n.webhooks],
            },
        }

    def __repr__(self) -> str:
        return f"Config({self.redacted()!r})"


def config_path(env: Mapping[str, str] | None = None) -> Path:
    """The config file: ``$VIXSHIELD_CONFIG``, else ``<user config dir>/config.toml``."""
    env = os.environ if env is None else env
    given = env.get(CONFIG_ENV)
    if given:
        return Path(given).expanduser()
    from platformdirs import user_config_path

    return user_config_path("vixshield") / "config.toml"


# -- reading ----------------------------------------------------------------------------


def _str(raw: Mapping[str, Any], key: str, file: str, prefix: str = "") -> str | None:
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise DataError(
            f"expected a non-empty string, got {type(value).__name__}",
            file=file,
            field=f"{prefix}{key}",
        )
    return value.strip()


def _check_keys(raw: Mapping[str, Any], allowed: set[str], file: str, prefix: str) -> None:
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise DataError(
            f"unknown key(s) {', '.join(unknown)}; known: {', '.join(sorted(allowed))}",
            file=file,
            field=f"{prefix}{unknown[0]}",
        )


def _parse_notify(raw: Any, file: str) -> NotifyConfig:
    if raw is None:
        return NotifyConfig()
    if not isinstance(raw, Mapping):
        raise DataError("expected a table", file=file, field="notify")
    allowed = {f.name for f in fields(NotifyConfig)}
    _check_keys(raw, allowed, file, "notify.")
    port = raw.get("smtp_port", 587)
    if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
        raise DataError(
            f"expected a port 1..65535, got {port!r}", file=file, field="notify.smtp_port"
        )
    to = raw.get("smtp_to", ())
    if isinstance(to, str):
        to = (to,)
    if not isinstance(to, list | tuple) or not all(isinstance(a, str) and "@" in a for a in to):
        raise DataError("expected a list of e-mail addresses", file=file, field="notify.smtp_to")
    hooks: list[Webhook] = []
    for i, h in enumerate(raw.get("webhooks", ())):
        where = f"notify.webhooks[{i}]"
        if not isinstance(h, Mapping) or not isinstance(h.get("url"), str):
            raise DataError("expected {url = ..., format = ...}", file=file, field=where)
        fmt = h.get("format", "json")
        if fmt not in WEBHOOK_FORMATS:
            raise DataError(
                f"format: expected one of {', '.join(WEBHOOK_FORMATS)}, got {fmt!r}",
                file=file,
                field=where,
            )
        if not str(h["url"]).startswith(("http://", "https://")):
            raise DataError("url: expected an http:// or https:// URL", file=file, field=where)
        hooks.append(Webhook(str(h["url"]), fmt))
    for flag in ("always", "smtp_starttls"):
        if flag in raw and not isinstance(raw[flag], bool):
            raise DataError("expected true or false", file=file, field=f"notify.{flag}")
    return NotifyConfig(
        always=bool(raw.get("always", False)),
        smtp_host=_str(raw, "smtp_host", file, "notify."),
        smtp_port=port,
        smtp_user=_str(raw, "smtp_user", file, "notify."),
        smtp_password=_str(raw, "smtp_password", file, "notify."),
        smtp_from=_str(raw, "smtp_from", file, "notify."),
        smtp_to=tuple(to),
        smtp_starttls=bool(raw.get("smtp_starttls", True)),
        smtp_cafile=_str(raw, "smtp_cafile", file, "notify."),
        webhooks=tuple(hooks),
    )


def parse_config(text: str, file: str = "<config>") -> Config:
    """Parse config TOML ``text``; a `DataError` naming the file and key on bad content."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise DataError(f"TOML syntax error: {err}", file=file) from None
    _check_keys(raw, {"data", "policy", "capital", "account", "providers", "notify"}, file, "")
    data = _str(raw, "data", file)
    if data is not None and data not in ("embedded", "store"):
        raise DataError(f"expected 'embedded' or 'store', got {data!r}", file=file, field="data")
    capital = raw.get("capital")
    if capital is not None and (
        isinstance(capital, bool)
        or not isinstance(capital, int | float)
        or not (math.isfinite(capital) and capital > 0)
    ):
        raise DataError(
            f"expected a positive number of dollars, got {capital!r}", file=file, field="capital"
        )
    providers = raw.get("providers") or {}
    if not isinstance(providers, Mapping):
        raise DataError("expected a table", file=file, field="providers")
    _check_keys(providers, {"stooq_api_key", "fred_api_key"}, file, "providers.")
    return Config(
        data=data,
        policy=_str(raw, "policy", file),
        capital=None if capital is None else float(capital),
        account=_str(raw, "account", file),
        stooq_api_key=_str(providers, "stooq_api_key", file, "providers."),
        fred_api_key=_str(providers, "fred_api_key", file, "providers."),
        notify=_parse_notify(raw.get("notify"), file),
        path=Path(file) if file != "<config>" else None,
    )


def load_config(path: Path | None = None, env: Mapping[str, str] | None = None) -> Config:
    """The configuration at ``path`` (default `config_path`), secrets from ``env`` applied.

    A missing file is an empty configuration (every default applies); an unreadable or
    invalid one is a `DataError` naming the file and key.
    """
    p = config_path(env) if path is None else path
    if not p.exists():
        return replace(Config(), path=p).with_env(env)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise DataError(f"cannot read config: {err.__class__.__name__}", file=str(p)) from None
    return parse_config(text, str(p)).with_env(env)


# -- writing ----------------------------------------------------------------------------


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        if any(ord(c) < 32 for c in escaped):
            raise UserError(f"a config value holds a control character: {value!r}")
        return f'"{escaped}"'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def config_toml(config: Config) -> str:
    """The TOML text of ``config`` (secrets included: it is the file's content)."""
    lines = ["# VixShield configuration (written by `vixshield init`); holds secrets: mode 0600"]
    for key in ("data", "policy", "capital", "account"):
        value = getattr(config, key)
        if value is not None:
            lines.append(f"{key} = {_toml_value(value)}")
    lines.append("\n[providers]")
    for key in ("stooq_api_key", "fred_api_key"):
        value = getattr(config, key)
        if value is not None:
            lines.append(f"{key} = {_toml_value(value)}")
    n = config.notify
    lines.append("\n[notify]")
    lines.append(f"always = {_toml_value(n.always)}")
    for key in ("smtp_host", "smtp_port", "smtp_user", "smtp_password", "smtp_from"):
        value = getattr(n, key)
        if value is not None:
            lines.append(f"{key} = {_toml_value(value)}")
    lines.append(f"smtp_to = {_toml_value(list(n.smtp_to))}")
    lines.append(f"smtp_starttls = {_toml_value(n.smtp_starttls)}")
    if n.smtp_cafile is not None:
        lines.append(f"smtp_cafile = {_toml_value(n.smtp_cafile)}")
    hooks = [{"url": w.url, "format": w.format} for w in n.webhooks]
    lines.append(f"webhooks = {_toml_value(hooks)}")
    return "\n".join(lines) + "\n"


def save_config(config: Config, path: Path | None = None) -> Path:
    """Write ``config`` to ``path`` (default `config_path`) atomically, mode 0600."""
    p = config_path() if path is None else path
    text = config_toml(config)
    parse_config(text, str(p))  # never write a file we could not read back
    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".config-", suffix=".toml", dir=p.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, p)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return p


def resolve_data_source(
    given: str | None, config: Config, home: Path | None = None
) -> tuple[str, str]:
    """The ``--data`` source to use and a one-line note saying why.

    ``given`` (the flag) wins; else the config's ``data``; else ``store`` where the store
    (``home``, default the data home) holds SPX and VIX closes, and ``embedded`` otherwise.
    """
    if given is not None:
        return given, f"data: {given} (--data)"
    if config.data is not None:
        return config.data, f"data: {config.data} (config {config.path})"
    from vixshield.data.store import Store

    store = Store(home)
    held = set(store.series())
    has_spx = any(s.split("-")[0] == "spx_close" for s in held)
    has_vix = any(s.split("-")[0] == "vix" for s in held)
    if has_spx and has_vix:
        return "store", f"data: store (it holds SPX and VIX closes: {store.root})"
    return "embedded", "data: embedded (the store holds no SPX and VIX closes yet)"
