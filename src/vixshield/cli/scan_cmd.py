"""CLI: ``vixshield scan --date D``: put-call parity, VIX forward and VX curve scan of one day.

Scans real quotes only. With no real SPX (or VIX) chain on the date it says so and
skips that part (modeled prices satisfy parity by construction, so scanning them
would prove nothing); the VX curve kink scan still runs where the day's VX futures
are real. The report says which inputs were real. Costs are the policy's
(`vixshield.strategy.policy.CostsPolicy`); ``--at-touch`` fills at the quoted bid
and ask instead of the policy's spread share.

The day's chain comes through the public markets API (`Markets.chain`, origin
``"real"`` where the store holds the chain); `_real_chain` turns it back into the
data layer's long frame, so the scanner (`vixshield.markets.parity`,
`vixshield.markets.vx_curve_scan`) does not depend on how chains are stored.
"""

from __future__ import annotations

import sys
from dataclasses import asdict, replace
from typing import TYPE_CHECKING, Annotated, Any

import typer

from vixshield.cli._errors import parse_date, user_errors
from vixshield.cli._sources import DATA_HELP, choose_source, open_markets, source_note
from vixshield.errors import NotListed, UserError

if TYPE_CHECKING:
    import pandas as pd

    from vixshield.markets import Markets
    from vixshield.markets.costs import CostModel
    from vixshield.markets.parity import Finding

__all__ = ["register", "scan_day"]

DEFAULT_POLICY = "alvh-442"

NO_REAL_CHAIN = (
    "no real {und} option chain on {day}: parity not scanned "
    "(modeled prices satisfy parity by construction)"
)


def _load_market(source: str) -> Markets:
    """The markets layer over ``--data`` (the seam tests replace)."""
    return open_markets(source)


def _real_chain(markets: Markets, day: pd.Timestamp, und: str) -> pd.DataFrame | None:
    """The day's real chain of ``und`` in long form, or None where the chain is modeled."""
    import pandas as pd

    ch = markets.chain(day, und)  # type: ignore[arg-type]
    if ch.origin != "real":
        return None
    q = ch.quotes
    cols = ["root", "expiry", "settlement", "strike", "right", "bid", "ask", "iv"]
    out = q[cols].assign(quote_date=pd.Timestamp(day), underlying=und)
    return out.reset_index(drop=True)


def scan_day(
    markets: Markets,
    day: pd.Timestamp,
    costs: CostModel,
    *,
    kink_threshold: float,
    min_edge: float = 0.0,
) -> dict[str, Any]:
    """The scan report of one day: inputs (real or not), messages, parity, findings, summary."""
    from vixshield.markets.parity import scan_parity, scan_summary
    from vixshield.markets.vx_curve_scan import real_curve, vix_forward_gaps, vx_kinks

    messages: list[str] = []
    inputs: dict[str, str] = {}
    findings: list[Finding] = []
    parity: list[dict[str, Any]] = []
    chains: dict[str, pd.DataFrame | None] = {}
    for und in ("SPX", "VIX"):
        try:
            chains[und] = _real_chain(markets, day, und)
        except NotListed as err:
            chains[und] = None
            messages.append(f"{und} options: {err}")
        inputs[f"{und.lower()}_chain"] = "real" if chains[und] is not None else "none"
        if chains[und] is None:
            messages.append(NO_REAL_CHAIN.format(und=und, day=day.date()))
    spx = chains["SPX"]
    if spx is not None:
        res = scan_parity(spx, day, "SPX", costs, min_edge=min_edge)
        parity += [asdict(p) for p in res.parity]
        findings += res.findings
        messages += [f"not fitted: {s}" for s in res.skipped]
    try:
        curve = markets.vx_curve(day)
    except NotListed as err:
        curve = None
        messages.append(f"VX futures: {err}; curve not scanned")
    real = real_curve(curve) if curve is not None else None
    n_real = 0 if real is None else len(real)
    inputs["vx_curve"] = f"real ({n_real} months)" if n_real else "none"
    if curve is not None and n_real < len(curve):
        messages.append(f"VX curve: {len(curve) - n_real} modeled months left out of the scan")
    if real is not None and n_real >= 3:
        findings += vx_kinks(real, costs, kink_threshold)
    elif curve is not None:
        messages.append(f"VX curve: {n_real} real months (need 3): kinks not scanned")
    vix = chains["VIX"]
    gaps: list[dict[str, Any]] = []
    if vix is not None:
        vx = real if real is not None else _empty_curve()
        par, found, notes = vix_forward_gaps(vix, vx, day, costs, min_edge=min_edge)
        gaps = [{**asdict(p), "vx_future": f, "gap": p.forward - f} for p, f in par]
        findings += found
        messages += notes
    findings.sort(key=lambda f: -f.edge)
    return {
        "date": day,
        "inputs": inputs,
        "costs": asdict(costs),
        "kink_threshold": kink_threshold,
        "messages": messages,
        "parity": parity,
        "vix_forward": gaps,
        "findings": [asdict(f) for f in findings],
        "summary": asdict(scan_summary(findings)),
    }


def _empty_curve() -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame({"expiry": pd.to_datetime([]), "value": [], "dte": [], "origin": []})


def _leg_text(leg: dict[str, Any]) -> str:
    qty = f"{leg['quantity']:g} " if leg["quantity"] != 1.0 else ""
    what = f"{leg['root']} {leg['expiry'].date()}"
    if leg["instrument"] == "option":
        what += f" {leg['strike']:g}{leg['right']}"
    elif leg["instrument"] == "forward":
        what += " forward"
    return f"{leg['side']} {qty}{what} @ {leg['price']:.2f}"


def _print(report: dict[str, Any]) -> None:
    out = sys.stdout
    out.write(f"scan {report['date'].date()}\n")
    out.write("inputs: " + ", ".join(f"{k} {v}" for k, v in report["inputs"].items()) + "\n")
    for m in report["messages"]:
        out.write(f"  {m}\n")
    for p in report["parity"]:
        out.write(
            f"  parity {p['root']} {p['expiry'].date()}: forward {p['forward']:.2f}, "
            f"rate {p['rate']:.3%}, {p['strikes']} strikes, "
            f"max deviation {p['max_deviation']:.3f}\n"
        )
    for g in report["vix_forward"]:
        out.write(
            f"  VIX {g['expiry'].date()}: options imply {g['forward']:.3f}, "
            f"VX {g['vx_future']:.3f} (gap {g['gap']:+.3f})\n"
        )
    s = report["summary"]
    out.write(f"{s['count']} findings, max edge ${s['max_edge']:,.2f} per contract set\n")
    for f in report["findings"]:
        legs = "; ".join(_leg_text(leg) for leg in f["legs"])
        out.write(
            f"  {f['kind']} {f['underlying']} {f['expiry'].date()}: edge ${f['edge']:,.2f} "
            f"({f['size_note']}): {legs}\n    {f['note']}\n"
        )


def scan_cmd(
    date: Annotated[str, typer.Option("--date", help="Quote date, YYYY-MM-DD.")],
    data: Annotated[str | None, typer.Option("--data", help=DATA_HELP)] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print a JSON document.")] = False,
    policy: Annotated[
        str, typer.Option("--policy", "-p", help="Preset or policy TOML whose costs to use.")
    ] = DEFAULT_POLICY,
    kink_threshold: Annotated[
        float | None,
        typer.Option("--kink-threshold", help="Vol points off the neighbours' line (default 1)."),
    ] = None,
    min_edge: Annotated[
        float, typer.Option("--min-edge", help="Dollars per contract set a finding must beat.")
    ] = 0.0,
    at_touch: Annotated[
        bool, typer.Option("--at-touch", help="Fill at the quoted bid/ask (spread share 0.5).")
    ] = False,
) -> None:
    """Put-call parity, conversions/reversals/boxes, VIX forward and VX curve kinks of one day."""
    with user_errors(), source_note() as keep_note:
        from vixshield.markets.vx_curve_scan import DEFAULT_KINK_THRESHOLD
        from vixshield.report.json_out import dumps_stable
        from vixshield.strategy.policy import load_policy

        day = parse_date(date, "--date")
        assert day is not None
        threshold = DEFAULT_KINK_THRESHOLD if kink_threshold is None else kink_threshold
        if not threshold > 0.0:
            raise UserError(f"--kink-threshold: expected > 0 vol points, got {threshold}")
        costs = load_policy(policy).costs.model()
        if at_touch:
            costs = replace(costs, spread_share=0.5)
        source, note = choose_source(data)
        markets = _load_market(source)
        keep_note(note)
        report = scan_day(markets, day, costs, kink_threshold=threshold, min_edge=min_edge)
        report["data"] = source
        if json_output:
            sys.stdout.write(dumps_stable(report))
            return
        _print(report)


def register(app: typer.Typer) -> None:
    """Add ``scan`` to ``app``."""
    app.command("scan")(scan_cmd)
