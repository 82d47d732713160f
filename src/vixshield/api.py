"""The Python API for notebooks: data, backtests, comparisons, signals, sweeps.

::

    import vixshield as vs

    data = vs.load_data("embedded")          # or "store" (the store at $VIXSHIELD_HOME)
    res = vs.backtest("alvh-442", data, start="2016-01-04", end="2017-12-29",
                      hedge__budget_basis="credit")
    res.summary          # pandas Series of the summary metrics
    res.equity           # pandas Series, dollars, by trading day
    res.trades, res.cycles
    res.plot()           # plotly figures of the HTML report
    vs.compare(["alvh-442", "condor-only"], data)   # DataFrame, one column per policy
    vs.signal(policy="alvh-442", data=data)         # the decision at the latest close

Every function takes the same things the CLI does and runs the same code
(`vixshield.backtest.Backtest`, `vixshield.backtest.replay`, `vixshield.report`), so a
notebook and ``vixshield backtest`` agree to the byte. Policy overrides are dotted
paths into the policy (``hedge.budget_basis``, ``hedge.layers.0.weight``), given as
``overrides={"hedge.budget_basis": "credit"}`` or as keywords with ``__`` for the dots
(``hedge__budget_basis="credit"``); the overridden policy is validated by the policy
schema, errors naming the field (`vixshield.errors.UserError`).

A `Data` holds one `vixshield.markets.Markets`: calibrations and VX curves computed by
one run are reused by the next on the same object, and kept on disk between sessions
(`vixshield.markets.cache`, see `vixshield.cli._sources`).
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from vixshield.data.market import MarketData
from vixshield.errors import UserError
from vixshield.markets.view import Markets
from vixshield.strategy.policy import Policy, load_policy, with_overrides

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from vixshield.backtest.result import BacktestResult
    from vixshield.strategy import StrategyState
    from vixshield.strategy.types import Decision, Position
    from vixshield.sweep.walkforward import WalkForwardResult

__all__ = [
    "Data",
    "Result",
    "Signal",
    "backtest",
    "compare",
    "load_data",
    "resolve_policy",
    "signal",
    "sweep",
    "walk_forward",
]

PolicyArg = str | Path | Policy


# -- data -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Data:
    """A market data set opened for backtests (one `Markets`, reused by every run).

    Attributes
    ----------
    source : str
        ``"embedded"``, ``"store"`` or ``"<MarketData>"`` for a bundle given directly.
    markets : Markets
        The markets layer over the data (real chains in front where the store has them).
    """

    source: str
    markets: Markets

    @property
    def data(self) -> MarketData:
        """The market data bundle (daily series, VX settlements, events, provenance)."""
        return self.markets.data

    @property
    def daily(self) -> pd.DataFrame:
        """The daily series, one row per trading day."""
        return self.markets.data.daily

    @property
    def first_day(self) -> pd.Timestamp:
        """First trading day with an SPX and a VIX close (the default backtest start)."""
        return self._closes()[0]

    @property
    def last_day(self) -> pd.Timestamp:
        """Latest trading day with an SPX and a VIX close (the default signal date)."""
        return self._closes()[-1]

    def _closes(self) -> pd.DatetimeIndex:
        daily = self.daily
        known = daily.index[(daily["spx_close"].notna() & daily["vix"].notna()).to_numpy()]
        if len(known) == 0:
            raise UserError(f"data {self.source}: no day with both an SPX and a VIX close")
        return pd.DatetimeIndex(known)

    def save_cache(self) -> Path | None:
        """Store the calibrations and VX curves computed so far (`Markets.save_cache`)."""
        return self.markets.save_cache()

    def _repr_html_(self) -> str:
        prov = self.data.provenance
        real = sorted(k for k, p in prov.items() if p.origin == "real")
        modeled = sorted(k for k, p in prov.items() if p.origin != "real")
        rows = [
            ("source", self.source),
            ("trading days", f"{self.daily.index[0]:%Y-%m-%d} .. {self.daily.index[-1]:%Y-%m-%d}"),
            ("SPX and VIX closes", f"{self.first_day:%Y-%m-%d} .. {self.last_day:%Y-%m-%d}"),
            ("real series", ", ".join(real) or "none"),
            ("modeled series", ", ".join(modeled) or "none"),
        ]
        return _html_table("VixShield data", rows)


def load_data(source: str | MarketData = "embedded", *, cache: bool = True) -> Data:
    """Open a market data set for `backtest`, `compare` and `signal`.

    Parameters
    ----------
    source : {"embedded", "store"} or MarketData
        The shipped 2014-2018 sample, the local store (``$VIXSHIELD_HOME``, with its
        imported real chains), or a bundle built by hand.
    cache : bool
        Start from, and store, the calibrations and VX curves earlier runs computed on
        the same data and code (`vixshield.markets.cache`; ``$VIXSHIELD_MARKET_CACHE``).

    Raises
    ------
    UserError
        An unknown source name, or a store that cannot be read.
    """
    from vixshield.cli._sources import market_cache, open_markets

    if isinstance(source, MarketData):
        return Data("<MarketData>", Markets(source, cache=market_cache(source) if cache else None))
    if not isinstance(source, str):
        raise UserError(f"data: expected 'embedded', 'store' or a MarketData, got {source!r}")
    return Data(source, open_markets(source, cache=cache))


def _as_data(data: Data | str | MarketData | Markets) -> Data:
    if isinstance(data, Data):
        return data
    if isinstance(data, Markets):
        return Data("<Markets>", data)
    return load_data(data)


# -- policies -------------------------------------------------------------------------


def resolve_policy(
    policy: PolicyArg, overrides: Mapping[str, Any] | None = None, **keyword_overrides: Any
) -> Policy:
    """The policy ``policy`` (preset name, TOML path or `Policy`) with overrides applied.

    ``overrides`` maps dotted paths to values; ``keyword_overrides`` spell the dots
    ``__`` (``hedge__budget_basis="credit"`` is ``hedge.budget_basis``). The result is
    validated by the policy schema; the given policy is never modified.

    Raises
    ------
    UserError
        Unknown preset or file, unknown field, or a value the schema refuses
        (``override a.b=value: [a.b] message (got value)``).
    """
    base = policy if isinstance(policy, Policy) else load_policy(policy)
    changes = dict(overrides or {})
    for name, value in keyword_overrides.items():
        path = name.replace("__", ".")
        if path in changes:
            raise UserError(f"override {path} is given twice")
        changes[path] = value
    if not changes:
        return base
    label = ", ".join(f"{k}={v!r}" for k, v in changes.items())
    return with_overrides(base, changes, f"override {label}")


# -- backtests ------------------------------------------------------------------------

_SCALAR = (str, int, float, bool, type(None))


@dataclass(frozen=True)
class Result:
    """One backtest: the engine's `BacktestResult` with pandas views for notebooks.

    Attributes
    ----------
    raw : BacktestResult
        The run as the engine returned it (what the CLI's files are written from).
    policy : Policy
        The policy that ran (overrides applied).
    document : dict
        The ``summary.json`` document of the run (`vixshield.report.summary.build_summary`).
    markets : Markets or None
        The run's markets (None: no risk graph).
    """

    raw: BacktestResult
    policy: Policy
    document: dict[str, object] = field(repr=False)
    markets: Markets | None = field(default=None, repr=False)
    """The markets the run was priced on (the risk graph reprices the book on them)."""

    @cached_property
    def summary(self) -> pd.Series:
        """The scalar summary metrics (`vixshield.backtest.summary_dict`), by name.

        Nested parts (P&L by component, stress windows, event study, provenance,
        settings) are in `document` and `pnl_by_component`.
        """
        from vixshield.backtest import summary_dict

        flat = {k: v for k, v in summary_dict(self.raw).items() if isinstance(v, _SCALAR)}
        return pd.Series(flat, dtype=object, name=self.raw.policy_name)

    @property
    def pnl_by_component(self) -> pd.Series:
        """P&L of the run by component (condor, each hedge layer, interest, costs), dollars."""
        pnl = self.document.get("pnl_by_component")
        items = dict(pnl) if isinstance(pnl, Mapping) else {}
        return pd.Series(items, dtype="float64", name="pnl")

    @property
    def daily(self) -> pd.DataFrame:
        """Daily frame of the run (`BacktestResult.daily`: equity, P&L columns, regime ...)."""
        return self.raw.daily

    @property
    def equity(self) -> pd.Series:
        """Equity at each close, dollars."""
        return self.raw.daily["equity"]

    @property
    def trades(self) -> pd.DataFrame:
        """One row per executed order leg (`BacktestResult.trades`)."""
        return self.raw.trades

    @property
    def cycles(self) -> pd.DataFrame:
        """One row per condor cycle (`BacktestResult.cycles`)."""
        return self.raw.cycles

    def plot(self, which: str | None = None) -> dict[str, go.Figure] | go.Figure:
        """The figures of the HTML report (`vixshield.report.charts`).

        ``which`` one of ``"equity"``, ``"vix_regime"``, ``"pnl_components"``,
        ``"credit_to_hedge"``, ``"risk_graph"`` (where a condor traded) gives that
        figure; None gives all of them by name.
        """
        from vixshield.report import charts
        from vixshield.report.html import report_risk_graph

        daily = self.raw.daily
        figures: dict[str, go.Figure] = {
            "equity": charts.equity_figure(daily, self.raw.capital),
            "vix_regime": charts.vix_regime_figure(daily),
            "pnl_components": charts.pnl_components_figure(daily),
            "credit_to_hedge": charts.credit_to_hedge_figure(daily),
        }
        graph = report_risk_graph(self.raw, self.markets)
        if graph is not None:
            figures["risk_graph"] = charts.risk_graph_figure(graph)
        if which is None:
            return figures
        if which not in figures:
            raise UserError(f"plot: expected one of {', '.join(figures)}, got {which!r}")
        return figures[which]

    def write(self, out: str | Path) -> list[Path]:
        """Write summary.json, trades.csv, cycles.csv, equity.csv and report.html into ``out``."""
        from vixshield.report.bundle import write_backtest_files

        return write_backtest_files(out, self.raw, self.document, self.markets)

    def _repr_html_(self) -> str:
        from vixshield.report.summary import KEY_METRICS
        from vixshield.report.terminal import fmt_value

        doc = self.document
        rows = [
            ("period", f"{doc.get('start')} .. {doc.get('end')}"),
            ("capital", fmt_value(doc.get("capital"), "usd")),
            ("final equity", fmt_value(doc.get("final_equity"), "usd")),
        ]
        rows += [(label, fmt_value(doc.get(key), kind)) for key, label, kind in KEY_METRICS]
        rows.append(("trades / cycles", f"{len(self.raw.trades)} / {len(self.raw.cycles)}"))
        rows.append(("inputs", _origins_note(doc.get("provenance"), self.raw.trades)))
        return _html_table(f"VixShield backtest: {doc.get('policy')}", rows)

    def __repr__(self) -> str:
        doc = self.document
        return (
            f"Result(policy={doc.get('policy')!r}, {doc.get('start')} .. {doc.get('end')}, "
            f"final_equity={doc.get('final_equity')!r})"
        )


def _origins_note(provenance: object, trades: pd.DataFrame) -> str:
    """What was real and what modeled: the input series and the prices traded."""
    real: list[str] = []
    modeled: list[str] = []
    if isinstance(provenance, Mapping):
        for name, p in sorted(provenance.items()):
            origin = p.get("origin") if isinstance(p, Mapping) else getattr(p, "origin", None)
            (real if origin == "real" else modeled).append(str(name))
    parts = [f"real: {', '.join(real) or 'none'}", f"modeled: {', '.join(modeled) or 'none'}"]
    if len(trades) and "origin" in trades.columns:
        counts = trades["origin"].value_counts()
        fills = ", ".join(f"{int(n)} {o}" for o, n in sorted(counts.items()))
        parts.append(f"fills priced: {fills}")
    return "; ".join(parts)


def _html_table(title: str, rows: Sequence[tuple[str, object]]) -> str:
    body = "".join(
        f"<tr><th style='text-align:left'>{html.escape(str(k))}</th>"
        f"<td style='text-align:left'>{html.escape(str(v))}</td></tr>"
        for k, v in rows
    )
    return f"<div><b>{html.escape(title)}</b><table>{body}</table></div>"


def _day(value: str | pd.Timestamp | None, flag: str) -> pd.Timestamp | None:
    from vixshield.cli._errors import parse_date

    if value is None or isinstance(value, pd.Timestamp):
        return value
    return parse_date(str(value), flag)


def _check_capital(capital: float | None) -> None:
    from vixshield.cli._errors import check_capital

    check_capital(capital, "capital")


def _run(
    policy: Policy,
    data: Data,
    start: pd.Timestamp | None,
    end: pd.Timestamp | None,
    capital: float | None,
) -> Result:
    from vixshield.backtest import Backtest, summary_dict
    from vixshield.report.summary import build_summary

    index = data.daily.index
    for flag, day in (("start", start), ("end", end)):
        if day is not None and not index[0] <= day <= index[-1]:
            raise UserError(
                f"{flag} {day:%Y-%m-%d} is outside the data: it covers "
                f"{index[0]:%Y-%m-%d} to {index[-1]:%Y-%m-%d}"
            )
    if start is not None and end is not None and start > end:
        raise UserError(f"start {start:%Y-%m-%d} is after end {end:%Y-%m-%d}")
    raw = Backtest(policy, data.markets, start=start, end=end, capital=capital).run()
    return Result(raw, policy, build_summary(raw, summary_dict(raw), policy=policy), data.markets)


def backtest(
    policy: PolicyArg = "alvh-442",
    data: Data | str | MarketData | Markets = "embedded",
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
    *,
    capital: float | None = None,
    overrides: Mapping[str, Any] | None = None,
    **keyword_overrides: Any,
) -> Result:
    """Backtest ``policy`` on ``data`` (what ``vixshield backtest`` runs).

    Parameters
    ----------
    policy : str, path or Policy
        Preset name, policy TOML file or a `Policy`.
    data : Data, str or MarketData
        From `load_data` (reused across runs), or a source name opened for this run.
    start, end : date-like, optional
        First and last day simulated (default: the data's first VIX close, its end).
    capital : float, optional
        Starting equity, dollars (default: the policy's).
    overrides, **keyword_overrides
        Policy fields to change (`resolve_policy`).

    Returns
    -------
    Result
    """
    spec = resolve_policy(policy, overrides, **keyword_overrides)
    _check_capital(capital)
    return _run(spec, _as_data(data), _day(start, "start"), _day(end, "end"), capital)


def compare(
    policies: Sequence[PolicyArg],
    data: Data | str | MarketData | Markets = "embedded",
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
    *,
    capital: float | None = None,
) -> pd.DataFrame:
    """Backtest several policies over the same period: the summary metrics side by side.

    Returns a DataFrame with one row per scalar summary metric and one column per policy
    (named by the policy's ``name``); the runs themselves are in ``frame.attrs["results"]``.
    """
    if len(policies) < 1:
        raise UserError("compare needs at least one policy")
    opened = _as_data(data)
    first, last = _day(start, "start"), _day(end, "end")
    _check_capital(capital)
    results: dict[str, Result] = {}
    for p in policies:
        spec = resolve_policy(p)
        if spec.name in results:
            raise UserError(f"policy {spec.name!r} is given twice")
        results[spec.name] = _run(spec, opened, first, last, capital)
    frame = pd.DataFrame({name: r.summary for name, r in results.items()})
    frame.attrs["results"] = results
    return frame


# -- signals --------------------------------------------------------------------------


@dataclass(frozen=True)
class Signal:
    """The decision at one close (what ``vixshield signal`` prints).

    Attributes
    ----------
    decision : Decision
        The strategy's decision (orders, audit, details).
    positions : tuple of Position
        The positions it was taken on (the replayed book, or those given).
    since : Timestamp
        First day of the replay that restored the strategy state.
    document : dict
        The signal document (`vixshield.report.signal_view.build_signal`).
    """

    decision: Decision[StrategyState]
    positions: tuple[Position, ...]
    since: pd.Timestamp
    document: dict[str, object] = field(repr=False)

    @property
    def orders(self) -> pd.DataFrame:
        """The orders at the close, one row each (empty when nothing is traded)."""
        rows = self.document.get("orders")
        return pd.DataFrame(list(rows) if isinstance(rows, list) else [])

    def _repr_html_(self) -> str:
        doc = self.document
        regime = doc.get("regime")
        rows: list[tuple[str, object]] = [
            ("date", doc.get("date")),
            ("policy", doc.get("policy")),
            ("regime", regime.get("name") if isinstance(regime, Mapping) else regime),
            ("condor", doc.get("condor_reason") or "opened"),
            ("orders", len(self.decision.orders)),
            ("replayed from", f"{self.since:%Y-%m-%d}"),
        ]
        for o in self.decision.orders:
            legs = ", ".join(f"{g.ratio:+d} {g.root} {g.strike:g}{g.right}" for g in o.legs)
            rows.append((f"{o.action} {o.kind}", f"{o.contracts} x [{legs}] ({o.reason})"))
        return _html_table("VixShield signal", rows)


def signal(
    date: str | pd.Timestamp | None = None,
    policy: PolicyArg = "alvh-442",
    data: Data | str | MarketData | Markets = "embedded",
    *,
    positions: str | Path | Sequence[Position] | None = None,
    capital: float | None = None,
    since: str | pd.Timestamp | None = None,
    overrides: Mapping[str, Any] | None = None,
    **keyword_overrides: Any,
) -> Signal:
    """The decision at ``date``'s close with the strategy state replayed (``vixshield signal``).

    Parameters
    ----------
    date : date-like, optional
        The close (default: the latest with SPX and VIX closes).
    policy, data, overrides, **keyword_overrides
        As in `backtest`.
    positions : path or sequence of Position, optional
        Open positions (a positions file, `vixshield.report.positions_file`); None takes
        the replayed backtest's own book and account.
    capital : float, optional
        Starting equity of the replay; with ``positions`` also the account (all cash).
    since : date-like, optional
        First day replayed (default: one year before ``date``).
    """
    from vixshield.backtest.close_provenance import close_provenance, decision_options
    from vixshield.backtest.replay import decide_replayed, replay
    from vixshield.report.signal_view import build_signal
    from vixshield.strategy.types import AccountState

    spec = resolve_policy(policy, overrides, **keyword_overrides)
    _check_capital(capital)
    opened = _as_data(data)
    day = _day(date, "date")
    first = _day(since, "since")
    if day is None:
        day = opened.last_day
    elif day not in opened.daily.index:
        raise UserError(f"date {day:%Y-%m-%d} is not a trading day in the data")
    held: tuple[Position, ...] | None = None
    if isinstance(positions, str | Path):
        from vixshield.report.positions_file import PositionContext, load_positions

        layers = tuple(layer.name for layer in spec.hedge.layers)
        context = PositionContext(day, layers=layers, market=opened.markets)
        held = tuple(load_positions(Path(positions), context))
    elif positions is not None:
        held = tuple(positions)
    rep = replay(spec, opened.markets, day, since=first, capital=capital)
    if held is None:
        decision, given = rep.decision, rep.positions
    else:
        equity = float(capital if capital is not None else spec.account.capital)
        account = AccountState(equity=equity, cash=equity, margin=0.0)
        decision, given = decide_replayed(rep, spec, opened.markets, held, account), held
    origin = {"since": rep.since, "positions": "replayed" if held is None else "file"}
    prov = close_provenance(opened.markets, day, decision_options(decision, given))
    doc = build_signal(decision, given, spec.name, origin, prov)
    return Signal(decision, given, rep.since, doc)


# -- sweeps (vixshield.sweep) ---------------------------------------------------------


def _sweep_data(data: Any) -> Any:
    """What `vixshield.sweep` takes: a source name or a market (a `Data`'s markets)."""
    return data.markets if isinstance(data, Data) else data


def sweep(
    grid: Any,
    policy: PolicyArg = "alvh-442",
    data: Data | str | Markets = "embedded",
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
    **options: Any,
) -> pd.DataFrame:
    """A parameter sweep, one row per variant (`vixshield.sweep.sweep_frame`).

    ``grid`` is a GRID.toml path or a mapping of dotted policy paths to lists of values;
    ``data`` a source name or a `Data` (its markets, for in-process runs); ``options``
    are those of `vixshield.sweep.sweep_frame` (``workers``, ``scheduler``, ``out``).
    """
    from vixshield.sweep import sweep_frame

    return sweep_frame(grid, policy=policy, data=_sweep_data(data), start=start, end=end, **options)


def walk_forward(
    grid: Any,
    train_years: float,
    test_years: float,
    metric: str = "calmar",
    **options: Any,
) -> WalkForwardResult:
    """Walk-forward selection over the variants of ``grid`` (`vixshield.sweep.walk_forward`)."""
    from vixshield.sweep import walk_forward as run

    if "data" in options:
        options["data"] = _sweep_data(options["data"])
    return run(grid, train_years, test_years, metric, **options)
