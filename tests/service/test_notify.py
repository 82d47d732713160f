"""Notifications against servers on 127.0.0.1 started by the tests."""

from __future__ import annotations

import base64
import shutil
import socketserver
import ssl
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from vixshield.service.config import NotifyConfig, Webhook
from vixshield.service.notify import Message, notify, should_notify, webhook_payload


class _SmtpSink(socketserver.StreamRequestHandler):
    """A minimal SMTP server (RFC 5321 subset: EHLO, MAIL, RCPT, DATA, QUIT), with
    STARTTLS (RFC 3207) and AUTH PLAIN (RFC 4616) where the server has a TLS context."""

    def _say(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())
        self.wfile.flush()

    def handle(self) -> None:
        server = self.server
        tls = getattr(server, "tls", None)
        secure = False
        self._say("220 sink ready")
        envelope: dict[str, object] = {"to": []}
        while True:
            raw = self.rfile.readline()
            if not raw:
                return
            cmd = raw.decode().strip()
            verb = cmd.split(" ")[0].upper()
            if verb in ("EHLO", "HELO"):
                self._say("250-sink")  # the greeting line; the extensions follow it
                if tls is not None and not secure:
                    self._say("250-STARTTLS")
                if secure:
                    self._say("250-AUTH PLAIN")
                self._say("250 8BITMIME")
            elif verb == "STARTTLS" and tls is not None:
                self._say("220 go ahead")
                self.connection = tls.wrap_socket(self.connection, server_side=True)
                self.rfile = self.connection.makefile("rb")
                self.wfile = self.connection.makefile("wb")
                secure = True
            elif verb == "AUTH" and secure:
                user_pass = base64.b64decode(cmd.split(" ")[2]).split(b"\0")
                server.logins.append((user_pass[1].decode(), user_pass[2].decode()))  # type: ignore[attr-defined]
                self._say("235 authenticated")
            elif verb == "MAIL":
                envelope["from"] = cmd
                envelope["secure"] = secure
                self._say("250 ok")
            elif verb == "RCPT":
                envelope["to"].append(cmd)  # type: ignore[union-attr]
                self._say("250 ok")
            elif verb == "DATA":
                self._say("354 go on")
                lines = []
                while (line := self.rfile.readline().decode()) not in (".\r\n", ""):
                    lines.append(line)
                envelope["data"] = "".join(lines)
                server.received.append(envelope)  # type: ignore[attr-defined]
                self._say("250 queued")
            elif verb == "QUIT":
                self._say("221 bye")
                return
            else:
                self._say("502 not implemented")


def _serve(tls: ssl.SSLContext | None) -> socketserver.ThreadingTCPServer:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SmtpSink)
    server.daemon_threads = True
    server.received = []  # type: ignore[attr-defined]
    server.logins = []  # type: ignore[attr-defined]
    server.tls = tls  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def smtp_sink() -> Iterator[socketserver.ThreadingTCPServer]:
    server = _serve(None)
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def tls_files(tmp_path: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (openssl), and its key."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl not found: cannot make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def test_email_over_starttls_with_login(tls_files: tuple[Path, Path]) -> None:
    cert, key = tls_files
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert, key)
    server = _serve(tls)
    try:
        port = server.server_address[1]
        cfg = NotifyConfig(
            smtp_host="127.0.0.1", smtp_port=port, smtp_to=("me@example.org",),
            smtp_user="me", smtp_password="pw-TLS", smtp_starttls=True, smtp_cafile=str(cert),
        )  # fmt: skip
        (d,) = notify(cfg, MESSAGE, retries=1, backoff=0)
        assert d.ok, d.error
        (mail,) = server.received  # type: ignore[attr-defined]
        assert mail["secure"] is True  # the message went over TLS
        assert server.logins == [("me", "pw-TLS")]  # type: ignore[attr-defined]
        # without the test CA the certificate is not trusted: reported, nothing sent
        untrusted = NotifyConfig(smtp_host="127.0.0.1", smtp_port=port, smtp_to=("a@b.org",))
        (bad,) = notify(untrusted, MESSAGE, retries=1, backoff=0)
        assert not bad.ok and "CERTIFICATE_VERIFY_FAILED" in bad.error
        assert len(server.received) == 1  # type: ignore[attr-defined]
    finally:
        server.shutdown()
        server.server_close()


MESSAGE = Message(
    "VixShield 2016-03-02: 2 order(s)", "ORDER 2016-03-02#1 open condor x8", {"date": "2016-03-02"}
)


def test_email_reaches_the_local_server(smtp_sink) -> None:
    port = smtp_sink.server_address[1]
    cfg = NotifyConfig(
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_to=("me@example.org",),
        smtp_from="vs@example.org",
        smtp_starttls=False,
    )
    (d,) = notify(cfg, MESSAGE, backoff=0)
    assert d.ok and d.attempts == 1
    (mail,) = smtp_sink.received
    assert "me@example.org" in mail["to"][0]
    assert "Subject: VixShield 2016-03-02: 2 order(s)" in mail["data"]
    assert "ORDER 2016-03-02#1 open condor x8" in mail["data"]


def test_starttls_refused_by_the_server_is_reported_not_raised(smtp_sink) -> None:
    port = smtp_sink.server_address[1]
    cfg = NotifyConfig(
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_to=("me@example.org",),
        smtp_password="pw-SECRET",
        smtp_user="u",
        smtp_starttls=True,
    )
    (d,) = notify(cfg, MESSAGE, retries=2, backoff=0)
    assert not d.ok and d.attempts == 2
    assert "STARTTLS" in d.error or "SMTP" in d.error
    assert "pw-SECRET" not in d.error + d.target
    assert smtp_sink.received == []  # nothing sent in the clear


@pytest.mark.parametrize("fmt", ["json", "slack", "discord"])
def test_webhooks_post_their_format(hook_server, fmt) -> None:
    url = f"http://127.0.0.1:{hook_server.server_address[1]}/hooks/T0SECRET"
    (d,) = notify(NotifyConfig(webhooks=(Webhook(url, fmt),)), MESSAGE, backoff=0)
    assert d.ok
    assert "T0SECRET" not in d.target
    ((path, body),) = hook_server.received
    assert path == "/hooks/T0SECRET"
    if fmt == "json":
        assert body["subject"] == MESSAGE.subject and body["signal"] == {"date": "2016-03-02"}
    elif fmt == "slack":  # Slack incoming webhooks take {"text": ...}
        assert set(body) == {"text"} and MESSAGE.text in body["text"]
    else:  # Discord webhooks take {"content": ...} of at most 2000 characters
        assert set(body) == {"content"} and MESSAGE.text in body["content"]


def test_retries_then_success(hook_server) -> None:
    hook_server.fail_first = 2
    url = f"http://127.0.0.1:{hook_server.server_address[1]}/h"
    (d,) = notify(NotifyConfig(webhooks=(Webhook(url),)), MESSAGE, retries=3, backoff=0)
    assert d.ok and d.attempts == 3
    assert len(hook_server.received) == 3


def test_a_dead_target_fails_alone(hook_server) -> None:
    good = f"http://127.0.0.1:{hook_server.server_address[1]}/h"
    dead = "http://127.0.0.1:9/h"  # the discard port: nothing listens
    out = notify(NotifyConfig(webhooks=(Webhook(dead), Webhook(good))), MESSAGE, backoff=0)
    assert [d.ok for d in out] == [False, True]
    assert "cannot connect" in out[0].error


def test_discord_payload_is_cut_to_2000() -> None:
    long = Message("s", "x" * 5000)
    assert len(webhook_payload(Webhook("http://h", "discord"), long)["content"]) <= 2000


def test_only_when_there_is_something_to_do() -> None:
    quiet = NotifyConfig()
    assert not should_notify(quiet, orders=False, refused=False, warned=False)
    assert should_notify(quiet, orders=True, refused=False, warned=False)
    assert should_notify(quiet, orders=False, refused=True, warned=False)
    assert should_notify(NotifyConfig(always=True), orders=False, refused=False, warned=False)
