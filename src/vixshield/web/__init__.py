"""vixshield.web: the dashboard and JSON API over the journal, the store and saved runs.

``create_app(WebSettings(...))`` is the FastAPI app (`vixshield.web.app` lists the
routes, `vixshield.web.security` the auth); ``vixshield serve`` serves it with uvicorn
on 127.0.0.1, and ``vixshield token create NAME`` makes the tokens it accepts
(`vixshield.web.auth`).
"""

from vixshield.web.app import create_app
from vixshield.web.source import NotFound, WebSettings, WebSource

__all__ = ["NotFound", "WebSettings", "WebSource", "create_app"]
