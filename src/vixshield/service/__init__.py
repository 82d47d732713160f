"""vixshield.service: the daily service (config, journal, order tickets, notifications).

``run_daily(journal, account, policy, market, date)`` is one run of ``vixshield daily``;
`Journal` the SQLite journal in the data home; `build_ticket` a broker-ready order;
`notify` the e-mail and webhook notifications; `load_config` the user's configuration.
"""

from vixshield.service.config import Config, NotifyConfig, Webhook, config_path, load_config
from vixshield.service.daily import DailyResult, StaleInputs, decision_session, run_daily
from vixshield.service.journal import Account, Journal, journal_path
from vixshield.service.notify import Delivery, Message, notify
from vixshield.service.tickets import Ticket, build_ticket, occ_symbol, parse_occ_symbol

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
    "notify",
    "occ_symbol",
    "parse_occ_symbol",
    "run_daily",
]
