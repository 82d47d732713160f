"""Auth as an attacker tries it: every route without a token, with a wrong, revoked or
malformed one (401), with the token (200); the login form's CSRF, the session cookie's
flags and signature, CSRF on cookie writes; the token never in a response or a log.

The route list is the app's own OpenAPI schema plus its pages, so a new route is in the
matrix without editing it; only its example parameters live here (``EXAMPLES``).
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from vixshield.web.auth import TokenStore
from vixshield.web.security import LOGIN_COOKIE, SESSION_COOKIE

from .conftest import Auth, Book

# a value for each path parameter; the pages outside the schema
EXAMPLES = {"{signal_id}": "1", "{run_id}": "bt-march"}
PAGES = [
    "/",
    "/runs",
    "/data",
    "/static/dashboard.js",
    "/static/common.js",
    "/vendor/plotly.min.js",
    "/runs/bt-march/report",
    "/sweeps/sw-k_low/report",
]
PUBLIC = {"/api/v1/health"}


def _routes(app: FastAPI) -> list[tuple[str, str]]:
    out = []
    for path, ops in app.openapi()["paths"].items():
        for name, value in EXAMPLES.items():
            path = path.replace(name, value)
        out += [(method.upper(), path) for method in ops]
    return out + [("GET", p) for p in PAGES]


def _call(c: TestClient, method: str, path: str, headers: dict[str, str]) -> object:
    if method == "POST":
        return c.post(path, json={"order_id": "2016-03-01#1", "price": 1.0}, headers=headers)
    return c.get(path, headers=headers)


def test_every_route_needs_a_valid_token(anon: TestClient, app: FastAPI, auth: Auth) -> None:
    routes = _routes(app)
    assert len(routes) >= 22  # 15 API operations + 8 pages; a stray empty list fails
    bad = {
        "none": {},
        "wrong": {"Authorization": "Bearer vst_" + "x" * 43},
        "revoked": {"Authorization": f"Bearer {auth.revoked}"},
        "scheme": {"Authorization": f"Basic {auth.token}"},
        "empty": {"Authorization": "Bearer "},
        "prefix": {"Authorization": f"Bearer {auth.token[:-1]}"},
    }
    good = {"Authorization": f"Bearer {auth.token}"}
    for method, path in routes:
        if path in PUBLIC:
            continue
        for why, headers in bad.items():
            res = _call(anon, method, path, headers)
            assert res.status_code == 401, (method, path, why, res.status_code)  # type: ignore[attr-defined]
        res = _call(anon, method, path, good)
        # POST /api/v1/fills answers 403 here (no --allow-fills; test_fills.py books one)
        want = 403 if method == "POST" else 200
        assert res.status_code == want, (method, path, res.text)  # type: ignore[attr-defined]


def test_a_wrong_token_is_refused_even_with_a_valid_session(anon: TestClient, auth: Auth) -> None:
    cookie = TokenStore(auth.home).issue_session("ci")
    with TestClient(anon.app) as c:
        _jar(c, **{SESSION_COOKIE: cookie})
        assert c.get("/api/v1/signals").status_code == 200
        assert c.get("/api/v1/signals", headers={"Authorization": "Bearer nope"}).status_code == 401


def test_unauthenticated_answers_say_how_to_authenticate(anon: TestClient) -> None:
    api = anon.get("/api/v1/signals")
    assert api.headers["www-authenticate"] == "Bearer"
    assert "vixshield token create" in api.json()["detail"]
    page = anon.get("/runs", headers={"Accept": "text/html"})
    assert page.status_code == 401
    assert 'id="login-form"' in page.text or "id='login-form'" in page.text
    assert "name='next' value='/runs'" in page.text


def test_health_answers_without_auth_and_names_nothing(anon: TestClient, book: Book) -> None:
    res = anon.get("/api/v1/health")
    assert res.status_code == 200
    assert set(res.json()) == {"status", "version"}
    assert str(book.path) not in res.text


def _login_form(c: TestClient, target: str = "/") -> tuple[str, str]:
    """The login page's CSRF field and its pre-session nonce cookie."""
    page = c.get("/login", params={"next": target})
    assert page.status_code == 200
    found = re.search(r"name='csrf' value='([0-9a-f]+)'", page.text)
    assert found, page.text
    return found.group(1), page.cookies[LOGIN_COOKIE]


def _jar(c: TestClient, **cookies: str) -> None:
    """Make ``cookies`` the client's only cookies."""
    c.cookies.clear()
    for name, value in cookies.items():
        c.cookies.set(name, value)


def _login(c: TestClient, token: str, csrf: str, nonce: str, target: str = "/") -> object:
    _jar(c, **{LOGIN_COOKIE: nonce})
    return c.post(
        "/login",
        content=f"token={token}&csrf={csrf}&next={target}",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        follow_redirects=False,
    )


def test_login_sets_a_strict_httponly_signed_session(app: FastAPI, auth: Auth) -> None:
    with TestClient(app) as c:
        csrf, nonce = _login_form(c)
        res = _login(c, auth.token, csrf, nonce, "/data")
        assert res.status_code == 303  # type: ignore[attr-defined]
        assert res.headers["location"] == "/data"  # type: ignore[attr-defined]
        cookie = next(
            h
            for h in res.headers.get_list("set-cookie")  # type: ignore[attr-defined]
            if h.startswith(SESSION_COOKIE + "=")
        )
        flags = {f.strip().lower() for f in cookie.split(";")[1:]}
        assert {"httponly", "samesite=strict", "path=/"} <= flags
        value = res.cookies[SESSION_COOKIE]  # type: ignore[attr-defined]
        assert auth.token not in value
        _jar(c, **{SESSION_COOKIE: value})
        page = c.get("/")
        assert page.status_code == 200
        meta = re.search(r'name="csrf-token" content="([0-9a-f]{64})"', page.text)
        assert meta, "the page carries its session's CSRF token"
        assert c.get("/api/v1/signals").status_code == 200
        # a write with the cookie needs the CSRF header
        fill = {"order_id": "2016-03-01#1", "price": 1.0}
        no_csrf = c.post("/api/v1/fills", json=fill)
        assert no_csrf.status_code == 403 and "CSRF" in no_csrf.json()["detail"]
        wrong = c.post("/api/v1/fills", json=fill, headers={"X-CSRF-Token": "0" * 64})
        assert wrong.status_code == 403 and "CSRF" in wrong.json()["detail"]
        right = c.post("/api/v1/fills", json=fill, headers={"X-CSRF-Token": meta.group(1)})
        assert right.status_code == 403 and "--allow-fills" in right.json()["detail"]
        # a forged cookie: the payload changed, the signature kept
        body, sig = value.split(".")
        forged = body[:-2] + ("AA" if body[-2:] != "AA" else "BB") + "." + sig
        for bad in (forged, "x.y", "", "!!.00"):
            _jar(c, **{SESSION_COOKIE: bad})
            assert c.get("/api/v1/signals").status_code == 401
        # logout: the form's csrf field is required
        _jar(c, **{SESSION_COOKIE: value})
        out = c.post("/logout", follow_redirects=False)
        assert out.status_code == 403
        out = c.post(
            "/logout",
            content=f"csrf={meta.group(1)}",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            follow_redirects=False,
        )
        assert out.status_code == 303 and out.headers["location"] == "/login"


def test_login_refuses_a_bad_form(app: FastAPI, auth: Auth) -> None:
    with TestClient(app) as c:
        csrf, nonce = _login_form(c)
        c.cookies.clear()
        no_nonce = c.post(
            "/login",
            content=f"token={auth.token}&csrf={csrf}",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            follow_redirects=False,
        )
        assert no_nonce.status_code == 403  # the CSRF token without its cookie
        assert _login(c, auth.token, "0" * 64, nonce).status_code == 403  # type: ignore[attr-defined]
        wrong = _login(c, "vst_wrong", csrf, nonce)
        assert wrong.status_code == 401  # type: ignore[attr-defined]
        assert "Invalid or revoked token" in wrong.text  # type: ignore[attr-defined]
        assert _login(c, auth.revoked, csrf, nonce).status_code == 401  # type: ignore[attr-defined]
        assert _login(c, "x" * 5000, csrf, nonce).status_code == 413  # type: ignore[attr-defined]
        away = _login(c, auth.token, csrf, nonce, "//evil.example/")
        assert away.headers["location"] == "/"  # type: ignore[attr-defined]


def test_revoking_a_token_ends_its_sessions(app: FastAPI, auth: Auth) -> None:
    store = TokenStore(auth.home)
    token = store.create("to-revoke")
    with TestClient(app) as c:
        csrf, nonce = _login_form(c)
        value = _login(c, token, csrf, nonce).cookies[SESSION_COOKIE]  # type: ignore[attr-defined]
        _jar(c, **{SESSION_COOKIE: value})
        bearer = {"Authorization": f"Bearer {token}"}
        assert c.get("/api/v1/equity").status_code == 200
        assert c.get("/api/v1/equity", headers=bearer).status_code == 200
        store.revoke("to-revoke")
        assert c.get("/api/v1/equity").status_code == 401
        assert c.get("/api/v1/equity", headers=bearer).status_code == 401
        # a new token of the same name does not revive the old sessions
        store.create("to-revoke")
        assert c.get("/api/v1/equity").status_code == 401


def test_tokens_are_stored_hashed_and_private(auth: Auth) -> None:
    path = TokenStore(auth.home).path
    text = path.read_text()
    assert auth.token not in text and auth.revoked not in text
    assert path.stat().st_mode & 0o077 == 0
    assert auth.token.startswith("vst_") and len(auth.token) >= 40


def test_the_token_is_never_in_a_response_or_a_log(
    app: FastAPI, auth: Auth, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    caplog.set_level(logging.DEBUG)
    seen: list[str] = []
    with TestClient(app) as c:
        good = {"Authorization": f"Bearer {auth.token}"}
        for method, path in _routes(app):
            for headers in ({}, good, {"Authorization": f"Bearer {auth.revoked}"}):
                res = _call(c, method, path, headers)
                seen += [res.text, str(res.headers)]  # type: ignore[attr-defined]
        csrf, nonce = _login_form(c)
        for token in (auth.token, auth.revoked):
            res = _login(c, token, csrf, nonce)
            seen += [res.text, str(res.headers)]  # type: ignore[attr-defined]
    seen.append(caplog.text)
    for secret in (auth.token, auth.revoked, auth.token[4:]):
        assert not any(secret in s for s in seen)
