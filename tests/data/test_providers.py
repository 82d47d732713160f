"""Provider contract test (run over every provider) against a local HTTP server.

Every provider downloads through the real ``urllib`` code from a
``ThreadingHTTPServer`` on 127.0.0.1 serving the recorded, format-true files in
``tests/data/http_fixtures``; no test reaches the internet.
"""

from __future__ import annotations

import socket
import threading
import urllib.parse
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pandas as pd
import pytest

from vixshield.data.providers import (
    BASE_URL_ENV,
    STOOQ_KEY_ENV,
    CboeIndexProvider,
    CboeQuotesProvider,
    CfeVxProvider,
    Download,
    FetchError,
    FredProvider,
    HttpSession,
    Provider,
    StooqProvider,
    default_providers,
    provider_for,
)
from vixshield.errors import UserError

FIXTURES = Path(__file__).resolve().parent / "http_fixtures"

_DAILY = "/api/global/us_indices/daily_prices/"
_VX = "/data/us/futures/market_statistics/historical_data/VX/"
_QUOTES = "/api/global/delayed_quotes/options/"

ROUTES: dict[str, str] = {
    **{f"{_DAILY}{n}_History.csv": f"cboe/{n}_History.csv" for n in ("VIX", "VIX9D", "VIX3M")},
    **{f"{_DAILY}{n}_History.csv": f"cboe/{n}_History.csv" for n in ("VIX6M", "VVIX", "SKEW")},
    **{
        f"/graph/fredgraph.csv?id={i}": f"fred/{i}.csv"
        for i in ("DTB3", "VIXCLS", "CPIAUCSL", "PPIFIS", "SP500")
    },
    "/q/d/l/?s=^spx&i=d": "stooq/spx.csv",
    f"{_VX}VX_2018-02-14.csv": "cfe/VX_2018-02-14.csv",
    f"{_VX}VX_2018-03-21.csv": "cfe/VX_2018-03-21.csv",
    f"{_QUOTES}_SPX.json": "quotes/_SPX.json",
    f"{_QUOTES}_VIX.json": "quotes/_VIX.json",
}
"""URL path (with query) -> fixture file, as the real sites publish them."""

CFE_EXPIRIES = ("2018-02-14", "2018-03-21")


_EXTRA_QUERY = ("apikey=", "d1=", "d2=", "cosd=")
"""Query parameters the recorded files do not depend on (key, first and last date)."""


def _route_key(path: str) -> str:
    """``path`` without the `_EXTRA_QUERY` parameters (the route of the recorded file)."""
    base, _, query = path.partition("?")
    kept = [q for q in query.split("&") if q and not q.startswith(_EXTRA_QUERY)]
    return base + ("?" + "&".join(kept) if kept else "")


class FixtureServer:
    """A local HTTP server for the recorded files; records every request it sees."""

    def __init__(self, routes: dict[str, str]) -> None:
        self.routes = dict(routes)
        self.requests: list[tuple[str, str]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = urllib.parse.unquote(self.path)
                server.requests.append((path, self.headers.get("User-Agent", "")))
                name = server.routes.get(path) or server.routes.get(_route_key(path))
                if name is None:
                    self.send_error(404, "Not Found")
                    return
                body = (FIXTURES / name).read_bytes()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def __enter__(self) -> FixtureServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


@pytest.fixture()
def server() -> Iterator[FixtureServer]:
    with FixtureServer(ROUTES) as srv:
        yield srv


def closed_port_base() -> str:
    """A base URL on 127.0.0.1 where nothing listens (connection refused)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return f"http://127.0.0.1:{port}"


FACTORIES: dict[str, Callable[[str | None], Provider]] = {
    "cboe": lambda base: CboeIndexProvider(base),
    "stooq": lambda base: StooqProvider(base),
    "fred": lambda base: FredProvider(base),
    "cfe": lambda base: CfeVxProvider(base, expiries=CFE_EXPIRIES),
    "cboe_quotes": lambda base: CboeQuotesProvider(base),
}

CASES = [(name, series) for name, make in FACTORIES.items() for series in make("http://x").series]

SESSION = HttpSession(timeout=5.0)


def _formats() -> object:
    return pytest.importorskip("vixshield.data.formats", reason="data A's parsers not present")


# ------------------------------------------------------------------ the contract
@pytest.mark.parametrize(("name", "series"), CASES)
def test_provider_contract(
    server: FixtureServer, monkeypatch: pytest.MonkeyPatch, name: str, series: str
) -> None:
    monkeypatch.delenv(BASE_URL_ENV, raising=False)
    monkeypatch.delenv(STOOQ_KEY_ENV, raising=False)
    default = FACTORIES[name](None)
    p = FACTORIES[name](server.base)
    # identity and the protocol
    assert isinstance(p, Provider)
    assert p.name == name
    assert len(p.series) == len(set(p.series)) > 0
    # URLs: https by default, under the override base when given, no API key anywhere
    for url in default.urls(series):
        assert url.startswith("https://")
        assert "api_key" not in url and "apikey" not in url
    urls = p.urls(series)
    assert urls and all(u.startswith(server.base + "/") for u in urls)
    assert [u[len(server.base) :] for u in urls] == [
        urllib.parse.urlsplit(u).path + ("?" + q if (q := urllib.parse.urlsplit(u).query) else "")
        for u in default.urls(series)
    ]
    req = p.request(series)
    assert req.series == series and req.urls == urls
    # fetch goes through the real download code and returns the served bytes unchanged
    got = p.fetch(series, SESSION)
    assert [d.url for d in got] == list(urls)
    for d in got:
        assert isinstance(d, Download)
        path = urllib.parse.unquote(d.url[len(server.base) :])
        assert d.data == (FIXTURES / ROUTES[path]).read_bytes()
    assert server.requests and all(ua.startswith("vixshield/") for _, ua in server.requests)
    # the bytes parse as the declared kind and hold the series
    formats = _formats()
    assert req.kind in formats.KINDS  # type: ignore[attr-defined]
    keys: set[str] = set()
    for d in got:
        parsed = formats.parse_bytes(  # type: ignore[attr-defined]
            d.data, source=d.url, kind=req.kind, series=req.parse_series
        )
        assert parsed.kind == req.kind
        keys |= set(parsed.frames)
    assert series in keys


@pytest.mark.parametrize(("name", "series"), CASES)
def test_provider_offline_is_one_line_per_series(name: str, series: str) -> None:
    base = closed_port_base()
    p = FACTORIES[name](base)
    with pytest.raises(FetchError) as info:
        p.fetch(series, SESSION)
    msg = str(info.value)
    assert "\n" not in msg
    assert msg.startswith(f"{series}: cannot reach {base}/")
    assert "refused" in msg.lower()
    assert isinstance(info.value, UserError)


@pytest.mark.parametrize("name", list(FACTORIES))
def test_provider_rejects_unknown_series(name: str) -> None:
    with pytest.raises(UserError, match="not supplied"):
        FACTORIES[name]("http://x").urls("no_such_series")


def test_base_url_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(BASE_URL_ENV, "http://mirror.example:8080/")
    for p in default_providers():
        for s in p.series:
            assert all(u.startswith("http://mirror.example:8080/") for u in p.urls(s))
    # an explicit constructor argument wins over the environment
    assert CboeIndexProvider("http://a").urls("vix") == (
        "http://a/api/global/us_indices/daily_prices/VIX_History.csv",
    )


def test_published_urls() -> None:
    """The documented public download addresses (Cboe, CFE, FRED, stooq)."""
    assert CboeIndexProvider().urls("vvix") == (
        "https://cdn.cboe.com/api/global/us_indices/daily_prices/VVIX_History.csv",
    )
    assert FredProvider().urls("rate") == (
        "https://fred.stlouisfed.org/graph/fredgraph.csv?id=DTB3",
    )
    assert StooqProvider().urls("spx_close") == ("https://stooq.com/q/d/l/?s=^spx&i=d",)
    assert CfeVxProvider(expiries=["2024-01-17"]).urls("vx") == (
        "https://cdn.cboe.com/data/us/futures/market_statistics/historical_data/VX/VX_2024-01-17.csv",
    )
    assert CboeQuotesProvider().urls("chain") == (
        "https://cdn.cboe.com/api/global/delayed_quotes/options/_SPX.json",
        "https://cdn.cboe.com/api/global/delayed_quotes/options/_VIX.json",
    )


def test_http_error_names_status(server: FixtureServer) -> None:
    p = CboeIndexProvider(server.base + "/nowhere")
    with pytest.raises(FetchError, match=r"^vix: cannot reach http://.*VIX_History.csv: HTTP 404"):
        p.fetch("vix", SESSION)


def test_malformed_base_url_is_a_fetch_error() -> None:
    with pytest.raises(FetchError, match=r"^skew: cannot reach nohost/api/.*: invalid URL"):
        CboeIndexProvider("nohost").fetch("skew", SESSION)


def test_cfe_skips_unlisted_contracts_but_not_all(server: FixtureServer) -> None:
    p = CfeVxProvider(server.base, expiries=[*CFE_EXPIRIES, "2018-04-18"])
    got = p.fetch("vx", SESSION)
    assert [d.url.rsplit("/", 1)[1] for d in got] == ["VX_2018-02-14.csv", "VX_2018-03-21.csv"]
    none = CfeVxProvider(server.base, expiries=["2018-04-18"])
    with pytest.raises(FetchError, match=r"^vx: none of 1 contract file\(s\) found"):
        none.fetch("vx", SESSION)


def test_cfe_default_expiries_are_wednesdays_around_today() -> None:
    # Cboe rule: 30 days before a Friday, so a Wednesday unless a holiday moved it earlier.
    exps = CfeVxProvider().expiries()
    today = pd.Timestamp.now().normalize()
    assert 18 <= len(exps) <= 25
    assert sum(e.day_of_week == 2 for e in exps) >= len(exps) - 2
    assert exps[0] < today < exps[-1]


def test_provider_for_prefers_the_first_supplier() -> None:
    provs = default_providers("http://x")
    assert provider_for("vix", provs).name == "cboe"
    assert provider_for("vix", provs, "fred").name == "fred"
    assert provider_for("rate", provs).name == "fred"
    assert provider_for("spx_close", provs).name == "stooq"
    with pytest.raises(UserError, match="known series"):
        provider_for("advances", provs)


# ------------------------------------------------------------------ fetch into the store
def _snapshot(root: Path) -> dict[str, bytes | None]:
    if not root.exists():
        return {}
    return {
        str(p.relative_to(root)): (p.read_bytes() if p.is_file() else None)
        for p in sorted(root.rglob("*"))
    }


def _test_providers(base: str) -> tuple[Provider, ...]:
    return (
        CboeIndexProvider(base),
        StooqProvider(base),
        FredProvider(base),
        CfeVxProvider(base, expiries=CFE_EXPIRIES),
        CboeQuotesProvider(base),
    )


def test_fetch_to_store_downloads_parses_and_keeps_provenance(
    server: FixtureServer, tmp_path: Path
) -> None:
    _formats()
    from vixshield.data.loader import load_store
    from vixshield.data.providers import DEFAULT_SERIES, fetch_to_store
    from vixshield.data.store import Store

    store = Store(tmp_path)
    result = fetch_to_store(None, store, providers=_test_providers(server.base), session=SESSION)
    assert set(DEFAULT_SERIES) <= {w.series for w in result.written}
    # one download per file: VIX_History.csv serves vix and vix_open, stooq all four spx columns
    paths = [p for p, _ in server.requests]
    assert paths.count(f"{_DAILY}VIX_History.csv") == 1
    assert paths.count("/q/d/l/?s=^spx&i=d") == 1
    prov = store.provenance("vix")
    assert (prov.provider, prov.origin) == ("cboe", "real")
    assert prov.source == f"{server.base}{_DAILY}VIX_History.csv"
    assert store.provenance("rate").source.endswith("/graph/fredgraph.csv?id=DTB3")
    assert store.provenance("vx").source.startswith("2 files like ")
    md = load_store(home=tmp_path)
    # Cboe VIX_History.csv (fixture rows are the published values)
    assert md.daily.loc["2018-02-05", "vix"] == 37.32
    assert md.daily.loc["2020-03-16", "vix"] == 82.69
    assert md.daily.loc["2020-03-16", "vix_open"] == 57.83
    assert md.daily.loc["2020-03-16", "spx_close"] == 2386.13
    # DTB3 is published in percent: 1.46 % -> 0.0146 per year
    assert md.daily.loc["2018-02-05", "rate"] == pytest.approx(0.0146)
    # 2020-03-16 is empty in the file: carried forward from 03-13 (0.28 %), stated in provenance
    assert md.daily.loc["2020-03-16", "rate"] == pytest.approx(0.0028)
    assert "forward-filled" in md.provenance["rate"].note
    feb = md.vx[md.vx["date"] == pd.Timestamp("2018-02-05")]
    assert feb["expiry"].dt.strftime("%Y-%m-%d").tolist() == ["2018-02-14", "2018-03-21"]
    assert feb["settle"].tolist() == [33.475, 26.775]
    # a second identical fetch creates no new version
    again = fetch_to_store(["vix"], store, providers=_test_providers(server.base), session=SESSION)
    assert all(w.version is None for w in again.written)
    assert len(store.history("vix")) == 1


def test_fetch_revised_history_shows_as_new_version(server: FixtureServer, tmp_path: Path) -> None:
    _formats()
    from vixshield.data.providers import fetch_to_store
    from vixshield.data.store import Store

    store = Store(tmp_path)
    provs = _test_providers(server.base)
    fetch_to_store(["vvix"], store, providers=provs, session=SESSION)
    # the server now publishes a file where one past value was revised and one day added
    revised = tmp_path / "VVIX_revised.csv"
    text = (FIXTURES / "cboe/VVIX_History.csv").read_text()
    text = text.replace("02/02/2018,125.510000", "02/02/2018,125.500000")
    revised.write_text(text + "03/18/2020,185.000000\n")
    server.routes[f"{_DAILY}VVIX_History.csv"] = str(revised)  # absolute path wins in `/`
    (res,) = fetch_to_store(["vvix"], store, providers=provs, session=SESSION).written
    assert (res.version, res.changed, res.added, res.removed) == (2, 1, 1, 0)
    assert store.read("vvix", version=1).loc["2018-02-02", "value"] == 125.51
    assert store.read("vvix").loc["2018-02-02", "value"] == 125.50


def test_fetch_offline_changes_nothing_and_names_every_series(
    server: FixtureServer, tmp_path: Path
) -> None:
    from vixshield.data.providers import fetch_to_store
    from vixshield.data.store import Store

    store = Store(tmp_path)
    _formats()
    fetch_to_store(["vix"], store, providers=_test_providers(server.base), session=SESSION)
    before = _snapshot(tmp_path)
    # vix reachable, vvix not published (404), rate on a dead host: nothing may be written
    del server.routes[f"{_DAILY}VVIX_History.csv"]
    dead = closed_port_base()
    provs = (CboeIndexProvider(server.base), FredProvider(dead))
    with pytest.raises(FetchError) as info:
        fetch_to_store(["vix", "vvix", "rate"], store, providers=provs, session=SESSION)
    lines = str(info.value).splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(
        f"vvix: cannot reach {server.base}{_DAILY}VVIX_History.csv: HTTP 404"
    )
    assert lines[1].startswith(f"rate: cannot reach {dead}/graph/fredgraph.csv?id=DTB3: ")
    assert _snapshot(tmp_path) == before


def test_cli_fetch_against_local_server(server: FixtureServer, tmp_path: Path) -> None:
    _formats()
    from typer.testing import CliRunner

    from vixshield.cli.app import app
    from vixshield.data.store import Store

    runner = CliRunner()
    out = runner.invoke(
        app,
        ["data", "fetch", "vix", "skew", "--base-url", server.base, "--home", str(tmp_path)],
    )
    assert out.exit_code == 0, out.output
    assert "vix" in out.output and "skew" in out.output
    assert set(Store(tmp_path).series()) == {"vix", "vix_open", "skew"}

    dead = closed_port_base()
    out = runner.invoke(
        app, ["data", "fetch", "vix", "vvix", "--base-url", dead, "--home", str(tmp_path)]
    )
    assert out.exit_code == 2
    assert "Traceback" not in out.output
    err = out.stderr.splitlines()
    assert err[0].startswith(f"error: vix: cannot reach {dead}/")
    assert err[1].startswith(f"error: vvix: cannot reach {dead}/")
    # FRED's VIXCLS stands in for Cboe's VIX close, and is unreachable too
    assert err[2].startswith(
        f"error: vix: fred in place of cboe: cannot reach {dead}/graph/fredgraph.csv?id=VIXCLS"
    )
    assert len(err) == 3


# ------------------------------------------------------------------ stooq's API key
KEY = "stooq-KEY-0123456789"
_STOOQ = "/q/d/l/?s=^spx&i=d"


def test_stooq_key_is_sent_and_shown_nowhere(
    server: FixtureServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(STOOQ_KEY_ENV, raising=False)
    p = StooqProvider(server.base, api_key=KEY)
    assert p.urls("spx_close") == (f"{server.base}{_STOOQ}&apikey=***",)
    assert KEY not in repr(p) and KEY not in str(p.request("spx_close"))
    (got,) = p.fetch("spx_close", SESSION)
    assert [path for path, _ in server.requests] == [f"{_STOOQ}&apikey={KEY}"]
    assert got.url == f"{server.base}{_STOOQ}&apikey=***"
    assert got.data == (FIXTURES / "stooq/spx.csv").read_bytes()
    # the key from the environment where the constructor has none
    monkeypatch.setenv(STOOQ_KEY_ENV, "env-key-42")
    StooqProvider(server.base).fetch("spx_close", SESSION)
    assert server.requests[-1][0] == f"{_STOOQ}&apikey=env-key-42"
    # and never in an error
    dead = closed_port_base()
    with pytest.raises(FetchError) as info:
        StooqProvider(dead, api_key=KEY).fetch("spx_open", SESSION)
    assert KEY not in str(info.value)
    assert str(info.value).startswith(f"spx_open: cannot reach {dead}{_STOOQ}&apikey=***: ")


def test_stooq_html_page_names_the_missing_key(
    server: FixtureServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # what stooq answers a keyless request since 2026: an HTML page with HTTP 200
    page = tmp_path / "page.html"
    page.write_text("<!DOCTYPE html><html><body>verify</body></html>\n")
    server.routes[_STOOQ] = str(page)
    monkeypatch.delenv(STOOQ_KEY_ENV, raising=False)
    with pytest.raises(FetchError, match=r"HTML page, not CSV \(no API key: set providers\."):
        StooqProvider(server.base).fetch("spx_close", SESSION)
    with pytest.raises(FetchError, match=r"HTML page, not CSV \(the key was refused\)"):
        StooqProvider(server.base, api_key=KEY).fetch("spx_close", SESSION)


# ------------------------------------------------------------------ start dates
def test_start_dates_in_each_providers_query() -> None:
    day = pd.Timestamp("2020-03-17").date()
    today = pd.Timestamp.now().strftime("%Y%m%d")
    assert StooqProvider("http://x").urls("spx_close", day) == (
        f"http://x{_STOOQ}&d1=20200317&d2={today}",
    )
    assert FredProvider("http://x").urls("rate", day) == (
        "http://x/graph/fredgraph.csv?id=DTB3&cosd=2020-03-17",
    )
    # Cboe's history files have no start: the whole file
    assert CboeIndexProvider("http://x").urls("vix", day) == CboeIndexProvider("http://x").urls(
        "vix"
    )
    # CFE: only the contracts expiring on or after the start
    cfe = CfeVxProvider("http://x", expiries=CFE_EXPIRIES)
    assert [u.rsplit("/", 1)[1] for u in cfe.urls("vx", pd.Timestamp("2018-02-15").date())] == [
        "VX_2018-03-21.csv"
    ]


# ------------------------------------------------------------------ provider by provider
def _dead_stooq(server: FixtureServer) -> None:
    del server.routes[_STOOQ]  # stooq answers 404: down, or the key refused


def test_fetch_each_writes_what_it_can_and_fred_stands_in_for_stooq(
    server: FixtureServer, tmp_path: Path
) -> None:
    _formats()
    from vixshield.data.providers import fetch_each
    from vixshield.data.store import Store

    _dead_stooq(server)
    store = Store(tmp_path)
    wanted = ["vix", "spx_open", "spx_close", "rate"]
    report = fetch_each(wanted, store, providers=_test_providers(server.base), session=SESSION)
    by = {(o.provider, o.stands_in_for): o for o in report.outcomes}
    assert not by[("stooq", None)].ok and "HTTP 404" in str(by[("stooq", None)].error)
    assert by[("cboe", None)].ok and by[("fred", None)].ok
    assert by[("fred", "stooq")].ok and by[("fred", "stooq")].series == ("spx_close",)
    assert not report.total_failure
    assert set(store.series()) == {"vix", "vix_open", "rate", "spx_close"}
    # FRED SP500 (fixture: the published closes); provenance says it is FRED's
    assert store.read("spx_close").loc["2018-02-05", "value"] == 2648.94
    assert store.provenance("spx_close").provider == "fred"
    (problem,) = report.problems()
    assert problem.startswith("stooq failed (spx_open, spx_close): spx_open: cannot reach ")
    assert problem.endswith("; spx_close taken from fred instead (spx_open not updated)")


def test_fetch_each_without_fallback_suggests_fred(server: FixtureServer, tmp_path: Path) -> None:
    _formats()
    from vixshield.data.providers import fetch_each
    from vixshield.data.store import Store

    _dead_stooq(server)
    provs = _test_providers(server.base)
    report = fetch_each(
        ["spx_close"], Store(tmp_path), providers=provs, session=SESSION, fallback=False
    )
    assert report.total_failure
    (problem,) = report.problems()
    assert problem.endswith("; fred can stand in for spx_close: "
                            "`vixshield data fetch spx_close --provider fred`")  # fmt: skip


def test_fetch_each_asks_only_for_what_is_new(server: FixtureServer, tmp_path: Path) -> None:
    _formats()
    from vixshield.data.providers import fetch_each
    from vixshield.data.store import Store

    store = Store(tmp_path)
    provs = _test_providers(server.base)
    wanted = ["vix", "spx_close", "spx_open", "rate"]
    first = fetch_each(wanted, store, providers=provs, session=SESSION)
    assert all(o.start is None for o in first.outcomes)  # nothing stored: whole histories
    # stooq now publishes one new day only (a site that honours d1 sends what is new)
    new_day = tmp_path / "spx_new.csv"
    new_day.write_text("Date,Open,High,Low,Close,Volume\n2020-03-18,2436.5,2453.57,2280.52,"
                       "2398.1,5000000000\n")  # fmt: skip
    server.routes[_STOOQ] = str(new_day)
    server.requests.clear()
    again = fetch_each(wanted, store, providers=provs, session=SESSION)
    paths = [p for p, _ in server.requests]
    today = pd.Timestamp.now().strftime("%Y%m%d")
    assert f"{_STOOQ}&d1=20200317&d2={today}" in paths  # the last stored stooq day on
    assert "/graph/fredgraph.csv?id=DTB3&cosd=2020-03-17" in paths
    assert f"{_DAILY}VIX_History.csv" in paths  # Cboe: the whole file, merged unchanged
    starts = {o.provider: o.start for o in again.outcomes}
    assert starts == {"cboe": None, "stooq": "2020-03-17", "fred": "2020-03-17"}
    by = {w.series: w for w in again.written}
    assert (by["spx_close"].version, by["spx_close"].added, by["spx_close"].removed) == (2, 1, 0)
    assert by["vix"].version is None and by["rate"].version is None
    close = store.read("spx_close")["value"]
    assert close.loc["2018-02-05"] == 2648.94 and close.loc["2020-03-18"] == 2398.1
    full = fetch_each(["rate"], store, providers=provs, session=SESSION, incremental=False)
    assert full.outcomes[0].start is None
    assert server.requests[-1][0] == "/graph/fredgraph.csv?id=DTB3"


def test_cli_fetch_partial_success_exits_0_with_a_warning(
    server: FixtureServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _formats()
    from typer.testing import CliRunner

    from vixshield.cli.app import app
    from vixshield.data.store import Store

    config = tmp_path / "config.toml"
    config.write_text(f'[providers]\nstooq_api_key = "{KEY}"\n')
    monkeypatch.setenv("VIXSHIELD_CONFIG", str(config))
    monkeypatch.delenv(STOOQ_KEY_ENV, raising=False)
    _dead_stooq(server)
    home = tmp_path / "home"
    args = ["data", "fetch", "vix", "spx_close", "spx_low", "--base-url", server.base]
    out = CliRunner().invoke(app, [*args, "--home", str(home)])
    assert out.exit_code == 0, out.output
    # the key from the config was sent to stooq, and is nowhere in the output
    assert f"{_STOOQ}&apikey={KEY}" in [p for p, _ in server.requests]
    assert KEY not in out.output
    warnings = [w for w in out.stderr.splitlines() if w.startswith("warning: ")]
    assert len(warnings) == 1
    assert warnings[0].startswith("warning: stooq failed (spx_close, spx_low): spx_close: ")
    assert "apikey=***" in warnings[0] and "HTTP 404" in warnings[0]
    assert warnings[0].endswith("spx_close taken from fred instead (spx_low not updated)")
    assert set(Store(home).series()) == {"vix", "vix_open", "spx_close"}
    assert "spx_close" in out.stdout and "vix" in out.stdout


def test_cli_fetch_total_failure_names_the_fallback_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from vixshield.cli.app import app

    monkeypatch.setenv("VIXSHIELD_CONFIG", str(tmp_path / "none.toml"))
    dead = closed_port_base()
    args = ["data", "fetch", "spx_close", "--base-url", dead, "--home", str(tmp_path)]
    out = CliRunner().invoke(app, args)
    assert out.exit_code == 2
    err = out.stderr.splitlines()
    assert len(err) == 2 and "Traceback" not in out.output
    assert err[0].startswith(f"error: spx_close: cannot reach {dead}{_STOOQ}: ")
    assert err[1].startswith(
        f"error: spx_close: fred in place of stooq: cannot reach {dead}/graph/fredgraph.csv"
        "?id=SP500"
    )
    assert not (tmp_path / "store").exists()
