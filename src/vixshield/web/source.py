"""Where the web app reads from: the journal file, its account, and the market data.

The journal is opened once per request (SQLite connections stay in their thread) and
never created: a missing file is a `NotFound` saying to run ``vixshield init``. The
market data (`vixshield.api.load_data`) is opened on first use and shared, behind a
lock (the routes run in a thread pool).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from vixshield import api
from vixshield.data.store import data_home
from vixshield.errors import UserError
from vixshield.service.config import Config, load_config, resolve_data_source
from vixshield.service.journal import Account, Journal, journal_path
from vixshield.web.auth import TokenStore
from vixshield.web.runs import RUNS_FOLDER

__all__ = ["DEFAULT_ACCOUNT", "NotFound", "Unavailable", "WebSettings", "WebSource"]

DEFAULT_ACCOUNT = "main"  # as ``vixshield daily`` (cli.service_cmd.DEFAULT_ACCOUNT)


class NotFound(UserError):
    """A thing the request names does not exist (the API answers 404)."""


class Unavailable(UserError):
    """The market data cannot be opened (the API answers 503 with the reason)."""


@dataclass(frozen=True)
class WebSettings:
    """What the app serves.

    Attributes
    ----------
    journal : Path, optional
        The journal database (default: ``<data home>/journal.sqlite``).
    account : str, optional
        The account (default: the config file's, else ``"main"``).
    data : str, optional
        ``"embedded"`` or ``"store"`` (default: as ``vixshield daily`` chooses).
    allow_fills : bool
        Accept ``POST /api/v1/fills`` (off by default: the API is otherwise read-only).
    home : Path, optional
        The data home: its token file, its store and its ``runs/`` folder (default:
        `vixshield.data.store.data_home`).
    runs : tuple of Path
        More folders of saved runs (`vixshield.web.runs`), after ``<home>/runs``.
    """

    journal: Path | None = None
    account: str | None = None
    data: str | None = None
    allow_fills: bool = False
    home: Path | None = None
    runs: tuple[Path, ...] = ()


class WebSource:
    """The journal, account and data of one app (`WebSettings`); ``data`` an opened data
    set to use instead of opening ``settings.data`` on first use."""

    def __init__(self, settings: WebSettings, data: api.Data | None = None) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._data: api.Data | None = data
        self._config: Config | None = None

    @property
    def config(self) -> Config:
        """The user's configuration (read once)."""
        if self._config is None:
            self._config = load_config()
        return self._config

    @property
    def home(self) -> Path:
        """The data home served."""
        return data_home(self.settings.home)

    @property
    def tokens(self) -> TokenStore:
        """The API tokens of the data home (`vixshield.web.auth`)."""
        return TokenStore(self.home)

    @property
    def run_roots(self) -> list[Path]:
        """Where saved runs are looked for: ``<home>/runs``, then ``settings.runs``."""
        return [self.home / RUNS_FOLDER, *self.settings.runs]

    @property
    def journal_path(self) -> Path:
        """The journal file served."""
        if self.settings.journal is not None:
            return self.settings.journal
        return journal_path(self.settings.home)

    @property
    def account_name(self) -> str:
        """The account served."""
        return self.settings.account or self.config.account or DEFAULT_ACCOUNT

    @property
    def data_source(self) -> str:
        """``embedded`` or ``store``: the data the marks and computed signals use."""
        if self._data is not None:
            return self._data.source
        return resolve_data_source(self.settings.data, self.config)[0]

    @contextmanager
    def journal(self) -> Iterator[Journal]:
        """The journal, opened for this request; `NotFound` when there is none."""
        path = self.journal_path
        if not path.is_file():
            raise NotFound(f"no journal at {path}: run `vixshield init`, then `vixshield daily`")
        with Journal(path) as journal:
            yield journal

    def account(self, journal: Journal) -> Account:
        """The served account of ``journal``; `NotFound` naming the known ones."""
        name = self.account_name
        known = [a.name for a in journal.accounts()]
        if name not in known:
            raise NotFound(
                f"no account {name!r} in {journal.path} (accounts: {', '.join(known) or 'none'})"
            )
        return journal.account(name)

    def data(self) -> api.Data:
        """The market data, opened on first use (`vixshield.api.load_data`); `Unavailable`
        with the reason where it cannot be."""
        with self._lock:
            if self._data is None:
                source = self.data_source
                try:
                    data = api.load_data(source)
                    _ = data.last_day  # raises where no day has an SPX and a VIX close
                except UserError as err:
                    raise Unavailable(f"the {source} market data cannot be opened: {err}") from None
                self._data = data
            return self._data
