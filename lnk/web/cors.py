"""Other origins: ``LNK_CORS_ORIGINS`` lets pages on those origins call /api (flask-cors) and open
the Socket.IO connection. Without it, browsers keep both same-origin only.

Credentials are off: other origins authenticate with a Bearer token, never with the login cookie,
so a page on another origin cannot act with a signed-in visitor's session."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from flask_cors import CORS

# Headers a cross-origin script may read besides the CORS-safelisted ones.
EXPOSED = [
    "Retry-After",
    "ETag",
    "Content-Range",
    "Accept-Ranges",
    "Content-Disposition",
    "Allow",
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
]


def configure_cors(app: Flask, origins: tuple[str, ...]) -> None:
    if not origins:
        return
    CORS(
        app,
        resources={r"/api/*": {"origins": list(origins)}},
        supports_credentials=False,
        expose_headers=EXPOSED,
        max_age=600,
    )


def socket_origins(origins: tuple[str, ...]) -> Callable[[Any, dict], bool] | str | None:
    """Flask-SocketIO's ``cors_allowed_origins``: None keeps the server's own origin only;
    otherwise the listed origins are allowed as well (``*``: any)."""
    if not origins:
        return None
    if "*" in origins:
        return "*"
    allowed = set(origins)

    def check(origin: Any, environ: dict) -> bool:
        return origin in allowed or origin in _own_origins(environ)

    return check


def _own_origins(environ: dict) -> set[str]:
    """The origin the request was made to, directly or through a proxy (as Engine.IO sees it)."""
    scheme, host = environ.get("wsgi.url_scheme", "http"), environ.get("HTTP_HOST")
    if not host:
        return set()
    own = {f"{scheme}://{host}"}
    forwarded_host = environ.get("HTTP_X_FORWARDED_HOST", host).split(",")[0].strip()
    forwarded_proto = environ.get("HTTP_X_FORWARDED_PROTO", scheme).split(",")[0].strip()
    own.add(f"{forwarded_proto}://{forwarded_host}")
    return own
