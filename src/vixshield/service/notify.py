"""Notifications: e-mail over SMTP (STARTTLS) and webhooks (JSON, Slack, Discord).

`notify` sends one `Message` to every configured target, each on its own with
`RETRIES` attempts (waits of ``backoff x 2^k`` seconds between them), and returns one
`Delivery` per target: a failed target is reported, never raised, so the run that
notifies does not fail. Secrets never appear in a report: a webhook is named by its
host only, the SMTP server by host and port.

Payloads:

- generic JSON: ``{"subject": ..., "text": ..., "signal": {...}}`` (the signal
  document, see `vixshield.report.signal_view`);
- Slack incoming webhook: ``{"text": "*subject*\\n```text```"}``;
- Discord webhook: ``{"content": "**subject**\\n```text```"}`` (cut to Discord's 2000
  characters).
"""

from __future__ import annotations

import json
import smtplib
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage

from vixshield.service.config import NotifyConfig, Webhook

__all__ = [
    "RETRIES",
    "Delivery",
    "Message",
    "notify",
    "send_email",
    "send_webhook",
    "should_notify",
    "webhook_payload",
]

RETRIES = 3
"""Attempts per target."""
_DISCORD_LIMIT = 2000  # characters of a Discord message's content (Discord API docs)
_TIMEOUT = 20.0  # seconds per network attempt


@dataclass(frozen=True)
class Message:
    """What to send: a subject line, a plain-text body and the signal document."""

    subject: str
    text: str
    signal: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Delivery:
    """The outcome for one target: ``ok``, ``attempts`` made and the last ``error``."""

    target: str
    ok: bool
    attempts: int
    error: str = ""


def should_notify(config: NotifyConfig, *, orders: bool, refused: bool, warned: bool) -> bool:
    """Send only when there is something to do, unless ``config.always``."""
    return config.always or orders or refused or warned


def webhook_payload(hook: Webhook, message: Message) -> dict[str, object]:
    """The JSON body for ``hook``'s format (module docstring)."""
    if hook.format == "slack":
        return {"text": f"*{message.subject}*\n```{message.text}```"}
    if hook.format == "discord":
        head = f"**{message.subject}**\n```"
        room = _DISCORD_LIMIT - len(head) - 3
        body = message.text if len(message.text) <= room else message.text[: room - 1] + "…"
        return {"content": f"{head}{body}```"}
    return {"subject": message.subject, "text": message.text, "signal": dict(message.signal)}


def _host(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or '?'}" + (f":{parts.port}" if parts.port else "")


def send_webhook(hook: Webhook, message: Message) -> None:
    """POST the payload; raises `OSError` (HTTP errors included) on failure."""
    body = json.dumps(webhook_payload(hook, message)).encode("utf-8")
    request = urllib.request.Request(
        hook.url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "User-Agent": "vixshield"},
    )
    with urllib.request.urlopen(request, timeout=_TIMEOUT) as response:
        if not 200 <= response.status < 300:
            raise OSError(f"HTTP {response.status}")


def send_email(config: NotifyConfig, message: Message) -> None:
    """Send ``message`` by SMTP, STARTTLS first where ``config.smtp_starttls``.

    Raises `OSError` or `smtplib.SMTPException` on failure. STARTTLS verifies the
    server's certificate and host name against the system's trust store (or
    ``config.smtp_cafile``); the login is sent only after it.
    """
    if not config.email:
        raise ValueError("no SMTP host or recipients configured")
    msg = EmailMessage()
    msg["Subject"] = message.subject
    msg["From"] = config.smtp_from or config.smtp_user or "vixshield@localhost"
    msg["To"] = ", ".join(config.smtp_to)
    msg.set_content(message.text)
    with smtplib.SMTP(str(config.smtp_host), config.smtp_port, timeout=_TIMEOUT) as smtp:
        smtp.ehlo()
        if config.smtp_starttls:
            smtp.starttls(context=ssl.create_default_context(cafile=config.smtp_cafile))
            smtp.ehlo()
        if config.smtp_user and config.smtp_password:
            smtp.login(config.smtp_user, config.smtp_password)
        smtp.send_message(msg)


def _attempt(target: str, send: Callable[[], None], retries: int, backoff: float) -> Delivery:
    error = ""
    for k in range(retries):
        try:
            send()
            return Delivery(target, True, k + 1)
        except (OSError, smtplib.SMTPException, ValueError) as err:
            error = _describe(err)
            if k + 1 < retries:
                time.sleep(backoff * 2**k)
    return Delivery(target, False, retries, error)


def _describe(err: Exception) -> str:
    if isinstance(err, urllib.error.HTTPError):
        return f"HTTP {err.code} {err.reason}"
    if isinstance(err, urllib.error.URLError):
        return f"cannot connect: {err.reason}"
    if isinstance(err, smtplib.SMTPResponseException):
        return f"SMTP {err.smtp_code}"
    return f"{type(err).__name__}: {err}".split("\n")[0]


def notify(
    config: NotifyConfig, message: Message, *, retries: int = RETRIES, backoff: float = 1.0
) -> tuple[Delivery, ...]:
    """Send to every target (module docstring); one `Delivery` each, failures included."""
    out = []
    if config.email:
        target = f"email smtp://{config.smtp_host}:{config.smtp_port}"
        out.append(_attempt(target, lambda: send_email(config, message), retries, backoff))
    for hook in config.webhooks:
        target = f"webhook {hook.format} {_host(hook.url)}"
        out.append(
            _attempt(target, lambda h=hook: send_webhook(h, message), retries, backoff)  # type: ignore[misc]
        )
    return tuple(out)
