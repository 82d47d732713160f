"""The FastAPI app: a JSON API over the journal, the store and saved runs, and its pages.

Every route needs auth (`vixshield.web.security`: a bearer token or the login form's
session cookie) but ``GET /api/v1/health``. Routes (GET, but one; the schema at
``/api/v1/openapi.json``; the interactive docs are off, as they load from a CDN and the
app must work offline):

- ``/api/v1/health``: liveness only (no auth); ``/api/v1/status``: the journal's latest
  signal and whether it is stale.
- ``/api/v1/signal/latest``: the latest recorded signal; ``/api/v1/signal?date=``: the
  one recorded for ``date``, or, where none is, the signal computed for ``date``
  (`vixshield.api.signal`, on a replayed book, not recorded).
- ``/api/v1/signals``, ``/api/v1/signals/{id}``: the signals issued.
- ``/api/v1/positions[?date=]``: open positions with legs, marks, P&L and greeks, marked
  at the latest signal's date (or ``date``).
- ``/api/v1/history``: fills, closed positions, every journal event.
- ``/api/v1/equity``: the account's equity at each signal.
- ``/api/v1/provenance``: real against modeled inputs of the latest signal.
- ``/api/v1/runs``, ``/api/v1/runs/{id}/summary``, ``/api/v1/sweeps``,
  ``/api/v1/data/status``: saved runs and the store (`vixshield.web.routes_runs`).
- ``POST /api/v1/fills``: book an execution as ``vixshield journal fill`` does; only when
  the app was started with ``allow_fills`` (else 403), and only from a same-origin page
  or a client that sends no ``Origin`` (a cross-site page is refused, 403).
- Pages: ``/`` (today's signal, tickets, positions, equity, history, past signals),
  ``/runs`` (saved backtests and sweeps, their reports at ``/runs/{id}/report`` and
  ``/sweeps/{id}/report``), ``/data`` (the store's status), ``/login``, ``/logout``;
  ``/static/...`` their files; ``/vendor/plotly.min.js`` the plotly bundle of the
  installed plotly package (no CDN).

Errors: 401 without auth, 404 for what does not exist (no journal, account, signal,
order, run), 422 for bad input (a malformed or non-trading date, a fill the order cannot
take), 403 for a refused write, 503 where the market data cannot be opened (marks,
computed signals), each with a JSON body ``{"detail": "..."}``.
"""

from __future__ import annotations

import re
from importlib import resources
from typing import Annotated

import pandas as pd
from fastapi import FastAPI, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from vixshield import __version__, api
from vixshield.errors import UserError
from vixshield.service.daily import decision_session
from vixshield.web import journal_read as jr
from vixshield.web import marks
from vixshield.web.routes_runs import add_run_routes
from vixshield.web.schemas import (
    EquityOut,
    ErrorOut,
    FillIn,
    FillResultOut,
    HealthOut,
    HistoryOut,
    PositionsOut,
    ProvenanceOut,
    SignalOut,
    SignalsOut,
)
from vixshield.web.schemas_runs import LiveOut
from vixshield.web.security import install, page
from vixshield.web.source import NotFound, Unavailable, WebSettings, WebSource

__all__ = ["Forbidden", "create_app"]


class Forbidden(UserError):
    """A write the app does not accept (the API answers 403)."""


_ERRORS: dict[int | str, dict[str, object]] = {
    404: {"model": ErrorOut, "description": "Not found (no journal, account or signal)."},
    422: {"model": ErrorOut, "description": "Invalid input (a date, an id)."},
    503: {"model": ErrorOut, "description": "The market data cannot be opened."},
}
DateQuery = Annotated[
    str | None,
    Query(description="A trading day, YYYY-MM-DD.", pattern=r"^\d{4}-\d{2}-\d{2}$"),
]


def _parse_day(text: str) -> pd.Timestamp:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise UserError(f"date: expected YYYY-MM-DD, got {text!r}")
    try:
        return pd.Timestamp(text)
    except ValueError:
        raise UserError(f"date: not a valid date: {text!r}") from None


def create_app(settings: WebSettings | None = None, data: api.Data | None = None) -> FastAPI:
    """The app serving ``settings`` (default: the data home's journal, the config's account).

    ``data`` is an opened data set (`vixshield.api.load_data`) to mark and compute on;
    None opens ``settings.data`` on first use.
    """
    source = WebSource(settings or WebSettings(), data)
    app = FastAPI(
        title="VixShield",
        version=__version__,
        summary="The daily service's journal: signals, tickets, positions, history.",
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    app.state.source = source
    install(app, source)

    @app.exception_handler(NotFound)
    async def _not_found(request: Request, err: NotFound) -> JSONResponse:
        return JSONResponse(status_code=404, content={"detail": str(err)})

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, err: Forbidden) -> JSONResponse:
        return JSONResponse(status_code=403, content={"detail": str(err)})

    @app.exception_handler(Unavailable)
    async def _unavailable(request: Request, err: Unavailable) -> JSONResponse:
        return JSONResponse(status_code=503, content={"detail": str(err)})

    @app.exception_handler(UserError)
    async def _invalid(request: Request, err: UserError) -> JSONResponse:
        return JSONResponse(status_code=422, content={"detail": str(err)})

    @app.get("/api/v1/health", response_model=LiveOut, tags=["status"])
    def health() -> LiveOut:
        """Liveness (the one route that answers without auth; it names nothing else)."""
        return LiveOut(status="ok", version=__version__)

    @app.get("/api/v1/status", response_model=HealthOut, tags=["status"])
    def status() -> HealthOut:
        """Liveness and the freshness of the journal's latest signal."""
        session = decision_session(None)
        path = source.journal_path
        latest: str | None = None
        account: str | None = None
        if path.is_file():
            with source.journal() as journal:
                known = {a.name: a for a in journal.accounts()}
                if source.account_name in known:
                    account = source.account_name
                    rows = jr.signal_rows(journal, known[account])
                    latest = str(rows[-1]["date"]) if rows else None
        stale = latest is None or pd.Timestamp(latest) < session
        if not path.is_file():
            reason: str | None = f"no journal at {path}: run `vixshield init`"
        elif account is None:
            reason = f"no account {source.account_name!r} in the journal"
        elif latest is None:
            reason = "no signal recorded yet: run `vixshield daily`"
        elif stale:
            reason = (
                f"the latest signal is for {latest}, the last completed session is "
                f"{session:%Y-%m-%d}: run `vixshield daily`"
            )
        else:
            reason = None
        return HealthOut(
            status="ok",
            version=__version__,
            journal=str(path),
            journal_exists=path.is_file(),
            account=account,
            latest_signal=latest,
            last_session=f"{session:%Y-%m-%d}",
            stale=stale,
            stale_reason=reason,
        )

    def _latest(date: str | None) -> SignalOut:
        with source.journal() as journal:
            account = source.account(journal)
            if date is None:
                rows = jr.signal_rows(journal, account)
                if not rows:
                    raise NotFound("no signal recorded yet: run `vixshield daily`")
                return jr.recorded_signal(journal, account, rows[-1])
            day = _parse_day(date)
            row = journal.signal(account, day)
            if row is not None:
                return jr.recorded_signal(journal, account, row)
            policy = account.policy
        data = source.data()
        return marks.computed_signal(data, policy, marks.check_day(data, day))

    @app.get("/api/v1/signal/latest", response_model=SignalOut, responses=_ERRORS, tags=["signals"])
    def signal_latest() -> SignalOut:
        """The latest signal recorded in the journal."""
        return _latest(None)

    @app.get("/api/v1/signal", response_model=SignalOut, responses=_ERRORS, tags=["signals"])
    def signal(date: DateQuery = None) -> SignalOut:
        """The latest signal, the one of ``date``, or one computed for ``date``."""
        return _latest(date)

    @app.get("/api/v1/signals", response_model=SignalsOut, responses=_ERRORS, tags=["signals"])
    def signals() -> SignalsOut:
        """Every signal issued to the account, oldest first."""
        with source.journal() as journal:
            account = source.account(journal)
            return SignalsOut(account=account.name, signals=jr.signals_out(journal, account))

    @app.get(
        "/api/v1/signals/{signal_id}", response_model=SignalOut, responses=_ERRORS, tags=["signals"]
    )
    def signal_by_id(signal_id: int) -> SignalOut:
        """One issued signal by its journal id."""
        with source.journal() as journal:
            account = source.account(journal)
            for row in jr.signal_rows(journal, account):
                if int(row["id"]) == signal_id:
                    return jr.recorded_signal(journal, account, row)
        raise NotFound(f"no signal with id {signal_id} for account {source.account_name!r}")

    @app.get("/api/v1/positions", response_model=PositionsOut, responses=_ERRORS, tags=["book"])
    def positions(date: DateQuery = None) -> PositionsOut:
        """Open positions with legs, marks, P&L and greeks (dollars; points per unit)."""
        with source.journal() as journal:
            account = source.account(journal)
            rows = jr.signal_rows(journal, account)
            if date is not None:
                day: pd.Timestamp | None = _parse_day(date)
            else:
                day = pd.Timestamp(rows[-1]["date"]) if rows else None
            if day is None or not journal.positions(account):
                return marks.positions_out(journal, account, None, day)
            data = source.data()
            marks.check_day(data, day)
            return marks.positions_out(journal, account, data.markets, day)

    @app.get("/api/v1/history", response_model=HistoryOut, responses=_ERRORS, tags=["book"])
    def history() -> HistoryOut:
        """Fills, closed positions and every journal event of the account."""
        with source.journal() as journal:
            return jr.history_out(journal, source.account(journal))

    @app.get("/api/v1/equity", response_model=EquityOut, responses=_ERRORS, tags=["book"])
    def equity() -> EquityOut:
        """The account's equity, cash and margin at each recorded signal (dollars)."""
        with source.journal() as journal:
            return jr.equity_out(journal, source.account(journal))

    @app.get("/api/v1/provenance", response_model=ProvenanceOut, responses=_ERRORS, tags=["status"])
    def provenance() -> ProvenanceOut:
        """Which inputs of the latest signal were real and which were modeled."""
        latest = _latest(None)
        try:
            data = source.data()
        except Unavailable:  # the tickets' and recorded versions' origins only; it says so
            return marks.provenance_out(latest, None, source.data_source)
        last = f"{data.last_day:%Y-%m-%d}"
        return marks.provenance_out(latest, data.data.provenance, data.source, last)

    @app.post(
        "/api/v1/fills",
        response_model=FillResultOut,
        responses={**_ERRORS, 403: {"model": ErrorOut, "description": "Fills not accepted."}},
        tags=["book"],
    )
    def post_fill(fill: FillIn, request: Request) -> FillResultOut:
        """Book an execution of one of the account's orders (``vixshield journal fill``)."""
        if not source.settings.allow_fills:
            raise Forbidden(
                "fills are not accepted: start the app with `vixshield serve --allow-fills`"
            )
        origin = request.headers.get("origin")
        if origin is not None and origin != f"{request.url.scheme}://{request.url.netloc}":
            raise Forbidden(f"fills are accepted from this app's own pages only, not {origin}")
        with source.journal() as journal:
            account = source.account(journal)
            if fill.order_id not in {o.id for o in journal.orders(account)}:
                raise NotFound(f"no order {fill.order_id!r} for account {account.name!r}")
            when = None if fill.time is None else fill.time.isoformat()
            done = journal.fill(fill.order_id, fill.price, fill.contracts, when, fill.fees)
        return FillResultOut(
            order_id=done.order_id,
            position_id=done.position_id,
            time=done.time,
            price=done.price,
            contracts=done.contracts,
            fees=done.fees,
            cash=done.cash,
        )

    add_run_routes(app, source)
    app.mount("/static", StaticFiles(packages=[("vixshield.web", "static")]), name="static")

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def dashboard(request: Request) -> HTMLResponse:
        return page(request, source, "index.html")

    @app.get("/runs", response_class=HTMLResponse, include_in_schema=False)
    def runs_page(request: Request) -> HTMLResponse:
        return page(request, source, "runs.html")

    @app.get("/data", response_class=HTMLResponse, include_in_schema=False)
    def data_page(request: Request) -> HTMLResponse:
        return page(request, source, "data.html")

    @app.get("/vendor/plotly.min.js", include_in_schema=False)
    def plotly_js() -> FileResponse:
        bundle = resources.files("plotly") / "package_data" / "plotly.min.js"
        return FileResponse(str(bundle), media_type="text/javascript")

    return app
