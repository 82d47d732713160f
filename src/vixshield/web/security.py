"""Authentication of every request, the login form and the pages' CSRF tokens.

Every route needs auth but ``GET /api/v1/health`` and the login form (``GET`` and
``POST /login``):

- ``Authorization: Bearer <token>`` (a token of ``vixshield token create``): a wrong,
  revoked or malformed one is a 401 even where a session cookie is sent too.
- else the session cookie (`SESSION_COOKIE`) the login form sets: HttpOnly,
  SameSite=Strict, signed (`vixshield.web.auth`), ``Secure`` over https. A write made
  with it (any method but GET/HEAD/OPTIONS) must send the session's CSRF token in an
  ``X-CSRF-Token`` header, or, for ``POST /logout``, a ``csrf`` form field; the pages
  carry it in ``<meta name="csrf-token">``.

Without auth the API (and any request not asking for HTML) answers 401 with
``{"detail": ...}`` and ``WWW-Authenticate: Bearer``; a page asked for by a browser
answers 401 with the login form. The login form itself is protected by
a CSRF token bound to a pre-session cookie (`LOGIN_COOKIE`). Tokens are read from the
request headers or the login form's body only (never a query string, so they do not
reach access logs), and no response echoes one.
"""

from __future__ import annotations

import hmac
import html
import re
import secrets
from collections.abc import Awaitable, Callable
from urllib.parse import parse_qs

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from vixshield.errors import UserError
from vixshield.web.auth import SESSION_MAX_AGE, Session, csrf_token, login_csrf
from vixshield.web.pages import render
from vixshield.web.source import WebSource

__all__ = ["LOGIN_COOKIE", "SESSION_COOKIE", "install", "page"]

SESSION_COOKIE = "vs_session"
LOGIN_COOKIE = "vs_login"
_FORM_LIMIT = 4096  # bytes of a login or logout form
_SAFE = frozenset({"GET", "HEAD", "OPTIONS"})
_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}
_LOGIN_CSS = (
    "body{font:16px system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem;"
    "color:#1d2733}input,button{font:inherit;padding:.5rem;width:100%;box-sizing:border-box;"
    "margin:.3rem 0}.error{color:#a3261b}code{background:#eef1f5;padding:0 .2rem}"
)


def _is_public(request: Request) -> bool:
    path, method = request.url.path, request.method
    if method in ("GET", "HEAD") and path in ("/api/v1/health", "/login"):
        return True
    return method == "POST" and path == "/login"


def _login_page(
    request: Request, source: WebSource, status: int, message: str | None, target: str
) -> Response:
    """The login form: its CSRF token bound to the pre-session nonce cookie (the one the
    browser holds, else a fresh one)."""
    secret = source.tokens.secret
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        "<link rel='icon' href='data:,'>",
        f"<title>VixShield: log in</title><style>{_LOGIN_CSS}</style></head><body>",
        "<h1>VixShield</h1>",
    ]
    if message:
        parts.append(f"<p class='error' id='login-error'>{html.escape(message)}</p>")
    nonce = request.cookies.get(LOGIN_COOKIE, "")
    if not re.fullmatch(r"[0-9a-f]{32}", nonce):
        nonce = secrets.token_hex(16)
    if secret is None:
        parts.append(
            "<p id='no-tokens'>No API token exists yet: create one with "
            "<code>vixshield token create NAME</code>, then reload.</p>"
        )
    else:
        parts += [
            "<form method='post' action='/login' id='login-form'>",
            "<label for='token'>API token (<code>vixshield token create NAME</code>)</label>",
            "<input id='token' name='token' type='password' autocomplete='off' required>",
            f"<input type='hidden' name='csrf' value='{login_csrf(secret, nonce)}'>",
            f"<input type='hidden' name='next' value='{html.escape(target, quote=True)}'>",
            "<button type='submit'>Log in</button></form>",
        ]
    parts.append("</body></html>")
    response = HTMLResponse("".join(parts), status_code=status)
    response.set_cookie(LOGIN_COOKIE, nonce, max_age=900, httponly=True, samesite="strict")
    return response


def _safe_target(target: str) -> str:
    """A same-site path to go to after login (``/`` for anything else)."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def _deny(request: Request, source: WebSource, detail: str) -> Response:
    page = "text/html" in request.headers.get("accept", "")
    if request.url.path.startswith("/api/") or request.method not in ("GET", "HEAD") or not page:
        return JSONResponse(
            status_code=401, content={"detail": detail}, headers={"WWW-Authenticate": "Bearer"}
        )
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return _login_page(request, source, 401, None, target)


def _authenticate(request: Request, source: WebSource) -> Session | str:
    """The request's session, or why it has none."""
    store = source.tokens
    header = request.headers.get("authorization")
    if header is not None:
        scheme, _, token = header.partition(" ")
        name = store.verify(token.strip()) if scheme.lower() == "bearer" and token else None
        return Session(name, None) if name else "invalid or revoked API token"
    cookie = request.cookies.get(SESSION_COOKIE)
    session = store.session(cookie) if cookie else None
    if session is None:
        return (
            "authentication required: send 'Authorization: Bearer <token>' (create one "
            "with `vixshield token create NAME`) or log in at /login"
        )
    if request.method not in _SAFE and request.url.path != "/logout":
        secret = store.secret or ""
        sent = request.headers.get("x-csrf-token", "").encode("utf-8")
        if not hmac.compare_digest(sent, csrf_token(secret, session.nonce or "").encode()):
            return "csrf"
    return session


def page(request: Request, source: WebSource, name: str) -> HTMLResponse:
    """The static page ``name`` with the session's CSRF token filled in."""
    session: Session = request.state.session
    secret = source.tokens.secret
    token = csrf_token(secret, session.nonce) if secret and session.nonce else ""
    return HTMLResponse(render(name).replace("__CSRF__", token))


def install(app: FastAPI, source: WebSource) -> None:
    """Add the auth middleware and the ``/login``, ``/logout`` routes to ``app``."""

    @app.middleware("http")
    async def _guard(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        if _is_public(request):
            response = await call_next(request)
        else:
            try:
                found = _authenticate(request, source)
            except UserError as err:
                return JSONResponse(status_code=503, content={"detail": str(err)})
            if found == "csrf":
                response = JSONResponse(
                    status_code=403,
                    content={"detail": "missing or wrong X-CSRF-Token for this session"},
                )
            elif isinstance(found, str):
                response = _deny(request, source, found)
            else:
                request.state.session = found
                response = await call_next(request)
        for key, value in _HEADERS.items():
            response.headers.setdefault(key, value)
        if request.url.path.startswith("/api/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.get("/login", include_in_schema=False)
    def login_form(request: Request, next: str = "/") -> Response:
        return _login_page(request, source, 200, None, _safe_target(next))

    @app.post("/login", include_in_schema=False)
    async def login(request: Request) -> Response:
        raw = await request.body()
        if len(raw) > _FORM_LIMIT:
            return JSONResponse(status_code=413, content={"detail": "login form too large"})
        form = parse_qs(raw.decode("utf-8", "replace"))
        token = (form.get("token") or [""])[0].strip()
        sent = (form.get("csrf") or [""])[0]
        target = _safe_target((form.get("next") or ["/"])[0])
        store = source.tokens
        secret = store.secret
        nonce = request.cookies.get(LOGIN_COOKIE, "")
        want = login_csrf(secret, nonce) if secret and nonce else ""
        if not want or not hmac.compare_digest(sent.encode("utf-8"), want.encode("ascii")):
            return _login_page(request, source, 403, "The login form expired: try again.", target)
        name = store.verify(token) if token else None
        if name is None:
            return _login_page(request, source, 401, "Invalid or revoked token.", target)
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(
            SESSION_COOKIE,
            store.issue_session(name),
            max_age=SESSION_MAX_AGE,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
        )
        response.delete_cookie(LOGIN_COOKIE)
        return response

    @app.post("/logout", include_in_schema=False)
    async def logout(request: Request) -> Response:
        session: Session = request.state.session
        if session.nonce is not None:
            raw = await request.body()
            form = parse_qs(raw[:_FORM_LIMIT].decode("utf-8", "replace"))
            sent = (form.get("csrf") or [""])[0].encode("utf-8")
            want = csrf_token(source.tokens.secret or "", session.nonce).encode("ascii")
            if not hmac.compare_digest(sent, want):
                return JSONResponse(status_code=403, content={"detail": "missing or wrong csrf"})
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE)
        return response
