"""The VixShield data home: the folder of the store, the caches and the logs.

Apart from `vixshield.data.store` (re-exported there) so that what needs only the
folder (the cache files, `vixshield.data.cache_files`) does not load the store's
Parquet stack.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["data_home"]


def data_home(home: str | os.PathLike[str] | None = None) -> Path:
    """Return the VixShield data home.

    Parameters
    ----------
    home : path, optional
        Explicit folder; wins over everything else.

    Returns
    -------
    pathlib.Path
        ``home``, else ``$VIXSHIELD_HOME``, else ``$XDG_DATA_HOME/vixshield``,
        else ``~/.local/share/vixshield`` (the XDG default on Linux).
    """
    if home is not None:
        return Path(home).expanduser()
    env = os.environ.get("VIXSHIELD_HOME")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg).expanduser() if xdg else Path(os.path.expanduser("~")) / ".local" / "share"
    return base / "vixshield"
