"""Fetch provider by provider: one provider's failure leaves the others' data written.

`fetch_each` is what ``vixshield data fetch`` runs. The series asked for are grouped by
the provider that supplies them; each group is one `fetch_to_store` call (so one
provider's series are written all or nothing, and apart from the others'), except the
`OPTIONAL_SERIES` (VIX9D, VIX3M, VIX6M, VVIX, SKEW: separate Cboe files the strategy
can do without), each fetched apart, so that one of them missing (a renamed file, a
404) is a warning naming it and never blocks the VIX close. Each provider is asked only
for what is new: from the last date the store holds for its series, where its site
takes a first date (`Provider.supports_start`). Where stooq fails, FRED's SP500 stands
in for the S&P 500 close (closes only; FRED publishes the last ten years); where Cboe's
VIX file fails, FRED's VIXCLS stands in for the VIX close (not the open); the outcome
says so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from vixshield.data.providers.base import HttpSession, Provider
from vixshield.data.providers.fetch import ParseFn, fetch_to_store
from vixshield.data.providers.registry import (
    DEFAULT_SERIES,
    OPTIONAL_SERIES,
    default_providers,
    provider_for,
)
from vixshield.data.store import Store, WriteResult
from vixshield.errors import UserError

__all__ = [
    "FALLBACKS",
    "OPTIONAL_SERIES",
    "FetchReport",
    "ProviderOutcome",
    "fetch_each",
    "resume_from",
]

FALLBACKS: dict[tuple[str, str], str] = {("stooq", "spx_close"): "fred", ("cboe", "vix"): "fred"}
"""(provider, series) -> the provider that stands in for it when the first fails."""


@dataclass(frozen=True)
class ProviderOutcome:
    """What one provider's fetch did.

    Attributes
    ----------
    provider : str
        Provider name.
    series : tuple of str
        The series asked of it.
    written : tuple of WriteResult
        What was written (empty where it failed).
    warnings : tuple of str
        The parsers' warnings.
    error : str or None
        Why it failed (one line per series), None where it succeeded.
    start : str or None
        The first date asked for (ISO), None for the whole history.
    stands_in_for : str or None
        The failed provider this one replaced (``"stooq"`` for FRED's SP500,
        ``"cboe"`` for FRED's VIXCLS).
    optional : bool
        True for one of the `OPTIONAL_SERIES`, fetched on its own: its failure leaves
        every other series written.
    """

    provider: str
    series: tuple[str, ...]
    written: tuple[WriteResult, ...] = ()
    warnings: tuple[str, ...] = ()
    error: str | None = None
    start: str | None = None
    stands_in_for: str | None = None
    optional: bool = False

    @property
    def ok(self) -> bool:
        """True where the provider's series were fetched and written."""
        return self.error is None


@dataclass(frozen=True)
class FetchReport:
    """The outcome of every provider a fetch asked, in the order asked."""

    outcomes: tuple[ProviderOutcome, ...]

    @property
    def written(self) -> tuple[WriteResult, ...]:
        """Every series written, all providers."""
        return tuple(w for o in self.outcomes for w in o.written)

    @property
    def failed(self) -> tuple[ProviderOutcome, ...]:
        """The providers that failed."""
        return tuple(o for o in self.outcomes if not o.ok)

    @property
    def total_failure(self) -> bool:
        """True where no provider succeeded."""
        return all(not o.ok for o in self.outcomes)

    def problems(self) -> tuple[str, ...]:
        """One line per failed provider: what failed, why, and what stood in.

        A failed stooq fetch with FRED's SP500 not used names the command that would
        use it; a failed optional series says that the others were written.
        """
        lines: list[str] = []
        stood_in = {o.stands_in_for: o for o in self.outcomes if o.stands_in_for}
        for o in self.failed:
            reasons = "; ".join(o.error.splitlines()) if o.error else ""
            what = "the fallback for " + o.stands_in_for if o.stands_in_for else o.provider
            line = f"{what} failed ({', '.join(o.series)}): {reasons}"
            if o.optional:
                line += "; optional: fetched on its own, no other series waits for it"
            if o.stands_in_for is None:
                for s in o.series:
                    fb = FALLBACKS.get((o.provider, s))
                    if fb is None:
                        continue
                    sub = stood_in.get(o.provider)
                    if sub is not None and sub.ok:
                        rest = [x for x in o.series if x != s]
                        line += f"; {s} taken from {fb} instead" + (
                            f" ({', '.join(rest)} not updated)" if rest else ""
                        )
                    elif sub is None:
                        line += (
                            f"; {fb} can stand in for {s}: "
                            f"`vixshield data fetch {s} --provider {fb}`"
                        )
            lines.append(line)
        return tuple(lines)


def resume_from(store: Store, series: Sequence[str]) -> dt.date | None:
    """The first date to ask for: the earliest last stored date of ``series``.

    None (the whole history) where any of them is not stored yet. The last stored day
    itself is asked for again, so a revised last value shows as a change and the answer
    is never empty.
    """
    lasts: list[dt.date] = []
    for s in series:
        info = store.latest(s)
        if info is None or info.last is None:
            return None
        lasts.append(pd.Timestamp(info.last).date())
    return min(lasts) if lasts else None


def _one(
    p: Provider,
    members: Sequence[str],
    store: Store,
    session: HttpSession,
    parse: ParseFn | None,
    incremental: bool,
    stands_in_for: str | None = None,
    optional: bool = False,
) -> ProviderOutcome:
    start = resume_from(store, members) if (incremental and p.supports_start) else None
    iso = None if start is None else start.isoformat()
    try:
        res = fetch_to_store(
            members,
            store,
            providers=(p,),
            provider=p.name,
            session=session,
            parse=parse,
            start=start,
        )
    except UserError as err:  # unreachable, refused, or an answer that does not parse
        return ProviderOutcome(
            p.name,
            tuple(members),
            error=str(err),
            start=iso,
            stands_in_for=stands_in_for,
            optional=optional,
        )
    return ProviderOutcome(
        p.name, tuple(members), res.written, res.warnings, None, iso, stands_in_for, optional
    )


def fetch_each(
    series: Sequence[str] | None,
    store: Store,
    *,
    providers: Sequence[Provider] | None = None,
    provider: str | None = None,
    session: HttpSession | None = None,
    parse: ParseFn | None = None,
    incremental: bool = True,
    fallback: bool = True,
) -> FetchReport:
    """Fetch ``series`` provider by provider into ``store`` (module docstring).

    Parameters
    ----------
    series : sequence of str, optional
        Series keys; `DEFAULT_SERIES` where None or empty.
    store : Store
        Destination.
    providers : sequence of Provider, optional
        Default: `default_providers`.
    provider : str, optional
        Use only the provider of this name (no fallback then).
    session : HttpSession, optional
        Download settings.
    parse : callable, optional
        Parser (see `fetch_to_store`).
    incremental : bool
        Ask each provider that takes a first date for the days from the last stored
        one on (`resume_from`); False: the whole history.
    fallback : bool
        Where a provider fails, fetch the series `FALLBACKS` names from the other one.

    Returns
    -------
    FetchReport
        One outcome per provider asked, and one per optional series (`OPTIONAL_SERIES`,
        after its provider's others), fallbacks last; nothing raised for a provider's
        failure.

    Raises
    ------
    vixshield.errors.UserError
        A series no provider supplies (before anything is downloaded).
    """
    wanted = list(dict.fromkeys(series or DEFAULT_SERIES))
    provs = tuple(providers) if providers is not None else default_providers()
    sess = session or HttpSession()
    groups: dict[tuple[str, str | None], list[str]] = {}  # (provider, optional series)
    by_name: dict[str, Provider] = {}
    for s in wanted:
        p = provider_for(s, provs, provider)
        groups.setdefault((p.name, s if s in OPTIONAL_SERIES else None), []).append(s)
        by_name[p.name] = p
    order = sorted(groups, key=lambda k: k[1] is not None)  # stable: the main groups first
    outcomes = [
        _one(
            by_name[name],
            groups[(name, opt)],
            store,
            sess,
            parse,
            incremental,
            None,
            opt is not None,
        )
        for name, opt in order
    ]
    if fallback and provider is None:
        for o in list(outcomes):
            for s in o.series if not o.ok else ():
                sub_name = FALLBACKS.get((o.provider, s))
                sub = next((p for p in provs if p.name == sub_name and s in p.series), None)
                if sub is not None:
                    outcomes.append(_one(sub, [s], store, sess, parse, incremental, o.provider))
    return FetchReport(tuple(outcomes))
