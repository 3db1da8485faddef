"""Response headers every answer gets, whichever blueprint (or none, for an error) produced it.

- Every HTML answer, error pages included: a same-origin-only CSP that also forbids framing,
  no caching, ``nosniff`` and a same-origin referrer.
- Every answer that sets a cookie is ``no-store`` (it may carry a token).
- Cookies are ``Secure`` when the request came over HTTPS (as seen through ``ProxyFix`` when
  ``LNK_TRUSTED_PROXIES`` is set) or the settings ask for it (``LNK_ENV=production``).
"""

from __future__ import annotations

from flask import Flask, Response, has_request_context, request
from flask.sessions import SecureCookieSessionInterface

# Everything a page loads comes from this origin: no CDN, no external host, no inline script.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; "
    "connect-src 'self'; media-src 'self' blob:; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)


def html_headers(response: Response) -> None:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("Cache-Control", "no-store")
    response.headers["Vary"] = "HX-Request, Cookie"
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")


def secure_cookies(response: Response) -> None:
    cookies = response.headers.getlist("Set-Cookie")
    if not cookies:
        return
    response.headers.pop("Set-Cookie")
    for cookie in cookies:
        if "; secure" not in cookie.lower():
            cookie += "; Secure"
        response.headers.add("Set-Cookie", cookie)


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed session cookie (it holds the login form's CSRF secret), ``Secure`` on
    HTTPS too (it is written after the ``after_request`` hooks have run)."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return super().get_cookie_secure(app) or (has_request_context() and request.is_secure)


def install(app: Flask, *, cookie_secure: bool) -> None:
    app.session_interface = SessionInterface()

    @app.after_request
    def _protect(response: Response) -> Response:
        if response.mimetype == "text/html":
            html_headers(response)
        if "Set-Cookie" in response.headers:
            response.headers["Cache-Control"] = "no-store"
            if cookie_secure or request.is_secure:
                secure_cookies(response)
        return response
