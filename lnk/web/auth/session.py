"""Browser sessions: the API's own JWTs, kept in HttpOnly cookies, refreshed silently.

flask-jwt-extended sets ``access_token_cookie`` and ``refresh_token_cookie`` (HttpOnly) plus the
readable ``csrf_access_token`` / ``csrf_refresh_token`` cookies; a state-changing request must
echo one of them in ``X-CSRF-TOKEN`` (double submit). Pages and partials call ``page_user()``:
when the access token has expired or is about to, and the refresh token is still good, a new
access token is minted for this request and ``store_refreshed_cookie`` sends it back.
"""

from __future__ import annotations

import hmac
import time
import unicodedata
from datetime import UTC, datetime

from flask import Response, current_app, g, request
from flask_jwt_extended import (
    create_access_token,
    create_refresh_token,
    decode_token,
    set_access_cookies,
    set_refresh_cookies,
    unset_jwt_cookies,
)
from flask_jwt_extended.exceptions import JWTExtendedException
from jwt.exceptions import PyJWTError

from lnk.domain.models import User
from lnk.errors import BadRequest, Forbidden, Unauthorized
from lnk.services import accounts
from lnk.web.context import ctx

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
REFRESH_MARGIN_SECONDS = 120  # refresh an access token this close to its expiry


def _cookie(kind: str) -> str | None:
    name = current_app.config.get(f"JWT_{kind.upper()}_COOKIE_NAME", f"{kind}_token_cookie")
    return request.cookies.get(name)


def _claims(token: str | None, kind: str, *, allow_expired: bool) -> dict | None:
    """Verified claims of a cookie token of this kind (signature, type, not revoked)."""
    if not token:
        return None
    try:
        claims = decode_token(token, allow_expired=allow_expired)
    except (PyJWTError, JWTExtendedException):
        return None
    if claims.get("type") != kind or accounts.is_token_revoked(ctx(), claims["jti"]):
        return None
    return claims


def csrf_header() -> str | None:
    return request.headers.get(
        current_app.config.get("JWT_ACCESS_CSRF_HEADER_NAME", "X-CSRF-TOKEN")
    )


def _check_csrf(*claims: dict | None) -> None:
    """Double submit: the header must carry the CSRF value of one of the presented tokens."""
    sent = csrf_header() or ""
    expected = [c["csrf"] for c in claims if c and c.get("csrf")]
    if not sent or not any(hmac.compare_digest(sent, value) for value in expected):
        raise Forbidden("missing or invalid CSRF token")


def page_user() -> User | None:
    """The signed-in user of this page or partial request, or None (never a JWT error).

    Raises Forbidden for a suspended user or a state-changing request without the CSRF token."""
    if "lnk_user" in g:
        return g.lnk_user
    access = _claims(_cookie("access"), "access", allow_expired=True)
    now = time.time()
    refresh = None
    if access is None or access["exp"] - now < REFRESH_MARGIN_SECONDS:
        refresh = _claims(_cookie("refresh"), "refresh", allow_expired=False)
    if access is not None and access["exp"] <= now and refresh is None:
        access = None
    if access is None and refresh is None:
        return None
    if request.method in UNSAFE_METHODS:
        _check_csrf(access, refresh)
    subject = (access or refresh or {})["sub"]
    try:
        user = accounts.active_user(ctx(), subject)
    except Unauthorized:
        return None
    if refresh is not None:
        g.lnk_new_access_token = create_access_token(identity=user.id)
    g.lnk_user = user
    return user


def store_refreshed_cookie(response: Response) -> Response:
    """after_request hook: sends the access token minted by ``page_user``, if any."""
    token = g.pop("lnk_new_access_token", None)
    if token:
        set_access_cookies(response, token)
    return response


def refresh_access_cookie(response: Response) -> bool:
    """For scripts keeping a long-lived page signed in: a new access cookie from the refresh
    cookie, whose CSRF value must be in the header. False when there is no valid refresh token."""
    refresh = _claims(_cookie("refresh"), "refresh", allow_expired=False)
    if refresh is None:
        return False
    _check_csrf(refresh)
    user = accounts.active_user(ctx(), refresh["sub"])
    set_access_cookies(response, create_access_token(identity=user.id))
    return True


def sign_in(response: Response, user: User) -> None:
    set_access_cookies(response, create_access_token(identity=user.id))
    set_refresh_cookies(response, create_refresh_token(identity=user.id))


def sign_out(response: Response) -> None:
    """Revokes both cookie tokens (expired ones too) and clears the cookies."""
    for kind in ("access", "refresh"):
        claims = _claims(_cookie(kind), kind, allow_expired=True)
        if claims is not None:
            accounts.revoke_token(ctx(), claims["jti"], datetime.fromtimestamp(claims["exp"], UTC))
    unset_jwt_cookies(response)


def safe_next(target: str | None, default: str = "/chat") -> str:
    """Only same-site paths are followed after sign-in (no open redirect, no header
    injection: a target with control or formatting characters is never followed)."""
    if (
        not target
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
        or _has_control(target)
    ):
        return default
    return target


def check_next(target: str | None) -> None:
    """A 400 for a ``next`` holding control or formatting characters (CR/LF would split the
    redirect's headers): refused before the form does anything."""
    if target and _has_control(target):
        raise BadRequest("next: must not contain control characters")


def _has_control(text: str) -> bool:
    return any(unicodedata.category(ch) in ("Cc", "Cf") for ch in text)
