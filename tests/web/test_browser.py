"""The pages in headless Chromium (Playwright), served by uvicorn on 127.0.0.1.

A person logs in with the login form (a wrong token refused, the session cookie
HttpOnly), then each page, at a phone width (420 px) and a desktop width (1600 px): no
console or page error, the key elements filled from the API, charts drawn, no
horizontal overflow (``scrollWidth <= innerWidth``), and a screenshot (into the test's
temp folder, and into ``$VIXSHIELD_WEB_SHOTS`` when set, to look at). uvicorn's own logs
(access log on) are captured: the token never appears in them. Chromium is the system
one (``/usr/bin/chromium``, installed by apt): Playwright cannot download browsers
offline.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from vixshield.web import create_app
from vixshield.web.security import SESSION_COOKIE

from .conftest import Auth, Book, free_port, settings

CHROMIUM = Path("/usr/bin/chromium")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.is_file(), reason=f"no Chromium at {CHROMIUM}"),
]


@pytest.fixture(scope="module")
def server(book: Book, auth: Auth) -> Iterator[str]:
    """The app over ``book`` served by uvicorn in a thread; its base URL. uvicorn logs to
    the root logger (``log_config=None``), access log included, for ``caplog``."""
    app = create_app(settings(book, auth), data=book.data)
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="debug", log_config=None, access_log=True
    )
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    started = threading.Event()
    for _ in range(400):  # wait for the socket (not a timing assertion)
        if srv.started:
            started.set()
            break
        started.wait(0.05)
    assert srv.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless system Chromium."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield b
        b.close()


def _log_in(context: Any, server: str, token: str) -> Any:
    """Log in through the form; the page, on the dashboard."""
    page = context.new_page()
    page.goto(server + "/login")
    page.fill("#token", token)
    page.click("#login-form button")
    page.wait_for_url(server + "/")
    return page


@pytest.fixture(scope="module")
def context(browser: Any, server: str, auth: Auth) -> Iterator[Any]:
    """A browser context logged in with the token (its session cookie)."""
    ctx = browser.new_context()
    _log_in(ctx, server, auth.token).close()
    yield ctx
    ctx.close()


def _shot(page: Any, tmp_path: Path, name: str) -> None:
    shot = tmp_path / f"{name}.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    keep = os.environ.get("VIXSHIELD_WEB_SHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(keep) / shot.name)


def _open(
    context: Any, url: str, width: int, chart: str | None = "#equity-chart .main-svg"
) -> tuple[Any, list[str]]:
    """A page at ``width`` px loaded from ``url`` once it says it is ready, and the
    console and page errors it logged."""
    page = context.new_page()
    page.set_viewport_size({"width": width, "height": 900})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    page.wait_for_function("document.body.dataset.ready === '1'")
    if chart:
        page.wait_for_selector(chart)
    return page, errors


def _widths(page: Any) -> dict[str, float]:
    return page.evaluate(  # type: ignore[no-any-return]
        "() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth,"
        " chart: (document.querySelector('.chart') || document.body)"
        ".getBoundingClientRect().right})"
    )


@pytest.mark.parametrize("width", [420, 1600])
def test_dashboard_renders_without_errors_or_overflow(
    server: str, context: Any, book: Book, tmp_path: Path, width: int
) -> None:
    page, errors = _open(context, server + "/", width)
    assert errors == []
    assert page.locator("#error-banner").is_hidden()
    # staleness: the journal and the embedded data end years before today
    stale = page.locator("#stale-banner")
    assert stale.is_visible()
    assert book.days[-1] in stale.inner_text()
    assert "embedded data ends on 2018-12-31" in stale.inner_text()
    banner = page.locator("#origin-banner").inner_text()
    assert "MIXED" in banner and "rate" in banner
    summary = page.locator("#decision-summary").inner_text()
    assert summary.split(" ")[0] in ("Open", "Close", "Hold", "No")
    assert page.locator("#tickets .ticket").count() == len(book.last_doc["tickets"])
    # a row per position and per leg
    legs = sum(len(p["legs"]) for p in book.last_doc["positions"])
    assert (
        page.locator("#positions-table tbody tr").count() == len(book.last_doc["positions"]) + legs
    )
    assert page.locator("#fills-table tbody tr").count() == min(20, len(book.entered))
    assert page.locator("#signals-table tbody tr").count() == min(20, len(book.days))
    sizes = _widths(page)
    assert sizes["scroll"] <= sizes["inner"], sizes
    assert sizes["chart"] <= sizes["inner"], sizes
    _shot(page, tmp_path, f"dashboard-{width}")
    page.close()


def test_a_days_order_tickets_at_phone_width(
    server: str, context: Any, book: Book, tmp_path: Path
) -> None:
    # the session with the most orders, a condor opened among them
    day = max(
        (d for d in book.days if any(t["kind"] == "condor" for t in book.docs[d]["tickets"])),
        key=lambda d: len(book.docs[d]["tickets"]),
    )
    doc = book.docs[day]
    page, errors = _open(context, f"{server}/?date={day}", 420)
    assert errors == []
    assert day in page.locator("#decision h2").inner_text()
    cards = page.locator("#tickets .ticket")
    assert cards.count() == len(doc["tickets"])
    for i, (oid, ticket) in enumerate(zip(doc["order_ids"], doc["tickets"], strict=True)):
        text = cards.nth(i).inner_text()
        assert oid in text
        assert f"limit {ticket['limit']:.2f}" in text
        for leg in ticket["legs"]:
            assert leg["symbol"].split()[-1] in text
    sizes = _widths(page)
    assert sizes["scroll"] <= sizes["inner"], sizes
    _shot(page, tmp_path, "tickets-420")
    page.close()


def test_logging_in_and_out(browser: Any, server: str, auth: Auth) -> None:
    ctx = browser.new_context()
    page = ctx.new_page()
    page.goto(server + "/runs")  # not logged in: the login form, back to /runs after
    assert page.locator("#login-form").is_visible()
    page.fill("#token", auth.revoked)
    page.click("#login-form button")
    assert "Invalid or revoked token" in page.locator("#login-error").inner_text()
    page.fill("#token", auth.token)
    page.click("#login-form button")
    page.wait_for_url(server + "/runs")
    [cookie] = [c for c in ctx.cookies() if c["name"] == SESSION_COOKIE]
    assert cookie["httpOnly"] is True and cookie["sameSite"] == "Strict"
    assert page.evaluate("document.cookie") == ""  # not readable by scripts
    page.wait_for_function("document.body.dataset.ready === '1'")
    page.click("nav form.logout button")
    page.wait_for_url(server + "/login")
    assert [c for c in ctx.cookies() if c["name"] == SESSION_COOKIE] == []
    page.goto(server + "/")
    assert page.locator("#login-form").is_visible()
    ctx.close()


@pytest.mark.parametrize("width", [420, 1600])
def test_runs_page(server: str, context: Any, auth: Auth, tmp_path: Path, width: int) -> None:
    page, errors = _open(context, server + "/runs", width, chart=None)
    assert errors == []
    assert page.locator("#error-banner").is_hidden()
    assert page.locator("#runs-table tbody tr").count() == 1
    row = page.locator("#runs-table tbody tr").first.inner_text()
    assert "bt-march" in row and "alvh-442" in row and "2016-03-01" in row
    assert "sw-k_low" in page.locator("#sweeps-table tbody").inner_text()
    assert "Total return" in page.locator("#run-metrics").inner_text()
    sizes = _widths(page)
    assert sizes["scroll"] <= sizes["inner"], sizes
    _shot(page, tmp_path, f"runs-{width}")
    page.click("#runs-table a[href='/runs/bt-march/report']")
    page.wait_for_url(server + "/runs/bt-march/report")
    assert page.title()
    page.close()


@pytest.mark.parametrize("width", [420, 1600])
def test_data_page(server: str, context: Any, tmp_path: Path, width: int) -> None:
    page, errors = _open(context, server + "/data", width, chart=None)
    assert errors == []
    assert page.locator("#series-table tbody tr").count() == 2  # conftest's store
    banner = page.locator("#stale-banner")
    assert banner.is_visible() and "vix (ends" in banner.inner_text()
    assert "vix (ends" in banner.inner_text() and "1 session behind" in banner.inner_text()
    sizes = _widths(page)
    assert sizes["scroll"] <= sizes["inner"], sizes
    _shot(page, tmp_path, f"data-{width}")
    page.close()


def test_the_token_is_not_in_the_servers_logs_or_pages(
    browser: Any, server: str, auth: Auth, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    ctx = browser.new_context()
    page = _log_in(ctx, server, auth.token)
    page.wait_for_function("document.body.dataset.ready === '1'")
    html = [page.content()]
    for path in ("/runs", "/data"):
        page.goto(server + path)
        page.wait_for_function("document.body.dataset.ready === '1'")
        html.append(page.content())
    ctx.close()
    assert "POST /login" in caplog.text  # the access log was captured
    assert auth.token not in caplog.text
    assert not any(auth.token in h for h in html)
