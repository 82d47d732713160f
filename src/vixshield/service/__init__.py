"""vixshield.service: the daily service (config, journal, order tickets, notifications).

``run_daily(journal, account, policy, market, date)`` is one run of ``vixshield daily``;
`Journal` the SQLite journal in the data home; `build_ticket` a broker-ready order;
`vixshield.service.notify` the e-mail and webhook notifications (its function
``notify.notify``: the package attribute ``notify`` is that module, as Python binds a
loaded submodule to its package); `load_config` the user's configuration.

The names are loaded on first access (PEP 562): every command reads the configuration
(`vixshield.service.config`) to choose its data, and importing the journal, the
notifications (smtplib, urllib, ssl) and the daily run for that would cost each
``vixshield backtest`` about 60 ms.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from vixshield._lazy import lazy_names

if TYPE_CHECKING:
    from vixshield.service.config import Config, NotifyConfig, Webhook, config_path, load_config
    from vixshield.service.daily import DailyResult, StaleInputs, decision_session, run_daily
    from vixshield.service.journal import Account, Journal, journal_path
    from vixshield.service.notify import Delivery, Message
    from vixshield.service.tickets import Ticket, build_ticket, occ_symbol, parse_occ_symbol

_HOMES = {
    "config": ("Config", "NotifyConfig", "Webhook", "config_path", "load_config"),
    "daily": ("DailyResult", "StaleInputs", "decision_session", "run_daily"),
    "journal": ("Account", "Journal", "journal_path"),
    "notify": ("Delivery", "Message"),
    "tickets": ("Ticket", "build_ticket", "occ_symbol", "parse_occ_symbol"),
}
_MODULE_OF = {name: f"{__name__}.{module}" for module, names in _HOMES.items() for name in names}

__all__ = [
    "Account",
    "Config",
    "DailyResult",
    "Delivery",
    "Journal",
    "Message",
    "NotifyConfig",
    "StaleInputs",
    "Ticket",
    "Webhook",
    "build_ticket",
    "config_path",
    "decision_session",
    "journal_path",
    "load_config",
    "occ_symbol",
    "parse_occ_symbol",
    "run_daily",
]


__getattr__ = lazy_names(__name__, _MODULE_OF, globals())


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
