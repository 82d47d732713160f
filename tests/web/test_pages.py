"""The dashboard's pages: one shared shell around each page's body."""

from __future__ import annotations

from html.parser import HTMLParser
from importlib import resources

import pytest

from vixshield.web.pages import PAGES, render


class _Scan(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.current: list[str] = []
        self.scripts: list[str] = []
        self.mains = 0
        self.ids: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "a" and a.get("aria-current") == "page":
            self.current.append(str(a["href"]))
        if tag == "script" and a.get("src"):
            self.scripts.append(str(a["src"]))
        if tag == "main":
            self.mains += 1
        if a.get("id"):
            self.ids.append(str(a["id"]))


@pytest.mark.parametrize(
    ("name", "path", "own_script"),
    [
        ("index.html", "/", "dashboard.js"),
        ("runs.html", "/runs", "runs.js"),
        ("data.html", "/data", "data.js"),
    ],
)
def test_page_in_shell(name: str, path: str, own_script: str) -> None:
    html = render(name)
    scan = _Scan()
    scan.feed(html)
    assert html.startswith("<!doctype html>") and html.rstrip().endswith("</html>")
    assert scan.current == [path]  # the page marks itself, and only itself
    assert scan.mains == 1
    assert f"/static/{own_script}" in scan.scripts and "/static/common.js" in scan.scripts
    static = resources.files("vixshield.web") / "static"
    for src in scan.scripts:
        if src.startswith("/static/"):
            assert (static / src.removeprefix("/static/")).is_file(), src
    assert html.count("__CSRF__") == 2  # the meta tag and the logout form, filled per session
    assert len(scan.ids) == len(set(scan.ids))
    assert "__" not in html.replace("__CSRF__", "")  # no placeholder left


def test_every_static_page_is_declared() -> None:
    static = resources.files("vixshield.web") / "static"
    pages = {
        p.name for p in static.iterdir() if p.name.endswith(".html") and p.name != "_shell.html"
    }
    assert pages == set(PAGES)
