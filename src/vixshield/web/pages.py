"""The dashboard's HTML pages: one shell (head, navigation, banners) around each page's body.

``static/_shell.html`` holds what every page shares; ``static/<page>.html`` only the page's
own ``<main>`` and footer. `render` fills in the title, the scripts, the navigation (with
``aria-current`` on the page itself) and the banners, leaving ``__CSRF__`` for the caller.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

__all__ = ["PAGES", "Page", "render"]


@dataclass(frozen=True)
class Page:
    """A page of the dashboard: its title, path, scripts (in order) and banners."""

    title: str
    path: str
    scripts: tuple[str, ...]
    banners: tuple[tuple[str, str], ...]


_NAV = (("/", "Today"), ("/runs", "Runs"), ("/data", "Data"))
_STALE = ("stale-banner", "warn")
_ORIGIN = ("origin-banner", "info")
_ERROR = ("error-banner", "error")

PAGES: dict[str, Page] = {
    "index.html": Page(
        "VixShield dashboard",
        "/",
        ("/vendor/plotly.min.js", "/static/common.js", "/static/dashboard.js"),
        (_STALE, _ORIGIN, _ERROR),
    ),
    "runs.html": Page(
        "VixShield: saved runs", "/runs", ("/static/common.js", "/static/runs.js"), (_STALE, _ERROR)
    ),
    "data.html": Page(
        "VixShield: data status",
        "/data",
        ("/static/common.js", "/static/data.js"),
        (_STALE, _ERROR),
    ),
}
"""The pages by file name (``static/<name>``)."""


def _static(name: str) -> str:
    return (resources.files("vixshield.web") / "static" / name).read_text(encoding="utf-8")


def _script(src: str) -> str:
    # the plotly bundle loads before the deferred page scripts that draw with it
    defer = "" if src.startswith("/vendor/") else " defer"
    return f'<script src="{src}"{defer}></script>'


@cache
def render(name: str) -> str:
    """The whole HTML of page ``name`` (a key of `PAGES`), ``__CSRF__`` still in place."""
    page = PAGES[name]
    current = ' aria-current="page"'
    nav = " ".join(
        f'<a href="{href}"{current if href == page.path else ""}>{label}</a>'
        for href, label in _NAV
    )
    banners = "\n".join(
        f'  <div id="{ident}" class="banner {kind}" hidden></div>' for ident, kind in page.banners
    )
    return (
        _static("_shell.html")
        .replace("__TITLE__", page.title)
        .replace("__SCRIPTS__", "\n".join(_script(s) for s in page.scripts))
        .replace("__NAV__", nav)
        .replace("__BANNERS__", banners)
        .replace("__BODY__", _static(name).rstrip("\n"))
    )
