"""API tokens, signed session cookies and CSRF tokens of the web app.

Tokens live in ``<data home>/web_tokens.json`` (mode 0600; `TOKENS_FILE`), written by
``vixshield token create|revoke`` and read by the app on each request (so a revocation
takes effect at once). A token is shown once, when it is created; the file keeps only
``sha256(salt + token)`` with a random 16-byte salt per token, and checks compare every
active token's digest in constant time (`hmac.compare_digest`).

The same file holds a random 32-byte server secret that signs the session cookies
(HMAC-SHA256 over the token's name, its salt, the issue time and a nonce; a cookie dies
with its token) and derives the CSRF token of each session (`csrf_token`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from vixshield.data.store import data_home
from vixshield.errors import UserError

__all__ = [
    "SESSION_MAX_AGE",
    "TOKENS_FILE",
    "Session",
    "TokenInfo",
    "TokenStore",
    "csrf_token",
    "login_csrf",
]

TOKENS_FILE = "web_tokens.json"
SESSION_MAX_AGE = 12 * 3600  # seconds a session cookie is valid
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
_PREFIX = "vst_"


@dataclass(frozen=True)
class TokenInfo:
    """One token's record (never the token itself)."""

    name: str
    created: str
    revoked: str | None

    @property
    def active(self) -> bool:
        """True until the token is revoked."""
        return self.revoked is None


@dataclass(frozen=True)
class Session:
    """Who a request authenticated as: the token's name and the session's nonce
    (None for a bearer-token request, which needs no CSRF token)."""

    name: str
    nonce: str | None


def _digest(salt: str, token: str) -> str:
    return hashlib.sha256(bytes.fromhex(salt) + token.encode("utf-8")).hexdigest()


def _sign(secret: str, message: str) -> str:
    mac = hmac.new(bytes.fromhex(secret), message.encode("utf-8"), hashlib.sha256)
    return mac.hexdigest()


def csrf_token(secret: str, nonce: str) -> str:
    """The CSRF token of the session with ``nonce`` (hex HMAC-SHA256)."""
    return _sign(secret, f"csrf|{nonce}")


def login_csrf(secret: str, nonce: str) -> str:
    """The CSRF token of the login form whose pre-session cookie holds ``nonce``."""
    return _sign(secret, f"login|{nonce}")


class TokenStore:
    """The token file of a data home (module docstring).

    Parameters
    ----------
    home : path, optional
        The data home (default: `vixshield.data.store.data_home`).
    """

    def __init__(self, home: str | os.PathLike[str] | None = None) -> None:
        self.path = data_home(home) / TOKENS_FILE

    def _read(self) -> dict[str, Any]:
        if not self.path.is_file():
            return {"secret": None, "tokens": {}}
        try:
            doc = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            raise UserError(f"{self.path}: not a readable token file: {err}") from None
        if not isinstance(doc, dict) or not isinstance(doc.get("tokens"), dict):
            raise UserError(f"{self.path}: not a token file (no 'tokens' object)")
        return doc

    def _write(self, doc: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(doc, f, indent=1, sort_keys=True)
        os.replace(tmp, self.path)

    @property
    def secret(self) -> str | None:
        """The server secret (hex), None before the first token is created."""
        value = self._read().get("secret")
        return value if isinstance(value, str) else None

    def create(self, name: str) -> str:
        """Create the token ``name``; returns the token (shown once, stored hashed).

        Raises
        ------
        UserError
            Where ``name`` is not 1-64 letters, digits, ``_.-`` or is already active.
        """
        if not _NAME.fullmatch(name):
            raise UserError(f"token name: expected 1-64 letters, digits or _.- , got {name!r}")
        doc = self._read()
        old = doc["tokens"].get(name)
        if old is not None and old.get("revoked") is None:
            raise UserError(f"token {name!r} exists: revoke it first (`vixshield token revoke`)")
        token = _PREFIX + secrets.token_urlsafe(32)
        salt = secrets.token_hex(16)
        doc["secret"] = doc.get("secret") or secrets.token_hex(32)
        doc["tokens"][name] = {
            "salt": salt,
            "sha256": _digest(salt, token),
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "revoked": None,
        }
        self._write(doc)
        return token

    def revoke(self, name: str) -> None:
        """Revoke the token ``name`` (its sessions end too); `UserError` if unknown."""
        doc = self._read()
        record = doc["tokens"].get(name)
        if record is None:
            known = ", ".join(sorted(doc["tokens"])) or "none"
            raise UserError(f"no token {name!r} (tokens: {known})")
        if record.get("revoked") is None:
            record["revoked"] = datetime.now(UTC).isoformat(timespec="seconds")
            self._write(doc)

    def list(self) -> list[TokenInfo]:
        """Every token's record, by name."""
        return [
            TokenInfo(name, str(r.get("created")), r.get("revoked"))
            for name, r in sorted(self._read()["tokens"].items())
        ]

    def verify(self, token: str) -> str | None:
        """The name of the active token equal to ``token``, else None (every active
        token is compared, each in constant time)."""
        found: str | None = None
        for name, record in self._read()["tokens"].items():
            if record.get("revoked") is not None:
                continue
            digest = _digest(record["salt"], token).encode("ascii")
            if hmac.compare_digest(digest, str(record["sha256"]).encode("ascii")):
                found = name
        return found

    def issue_session(self, name: str) -> str:
        """A signed session cookie value for the active token ``name``."""
        doc = self._read()
        record = doc["tokens"][name]
        payload = json.dumps(
            {"n": name, "k": record["salt"], "t": int(time.time()), "s": secrets.token_hex(16)},
            separators=(",", ":"),
        )
        body = base64.urlsafe_b64encode(payload.encode("utf-8")).decode("ascii")
        return f"{body}.{_sign(doc['secret'], body)}"

    def session(self, cookie: str) -> Session | None:
        """The session a cookie value signs, None where it is forged, expired, or its
        token was revoked or re-created."""
        doc = self._read()
        secret = doc.get("secret")
        body, _, sig = cookie.partition(".")
        if not isinstance(secret, str) or not hmac.compare_digest(
            _sign(secret, body).encode("utf-8"), sig.encode("utf-8")
        ):
            return None
        try:
            data = json.loads(base64.urlsafe_b64decode(body.encode("ascii")))
            name, salt, issued, nonce = str(data["n"]), str(data["k"]), int(data["t"]), data["s"]
        except (ValueError, KeyError, TypeError):
            return None
        record = doc["tokens"].get(name)
        if record is None or record.get("revoked") is not None or record["salt"] != salt:
            return None
        if not 0 <= time.time() - issued <= SESSION_MAX_AGE:
            return None
        return Session(name, str(nonce))
