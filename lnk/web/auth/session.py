"""Browser sessions: the API's own JWTs, kept in HttpOnly cookies.

flask-jwt-extended sets ``access_token_cookie`` (path ``/``) and ``refresh_token_cookie`` (path
``/session``: only the routes that renew or end a session ever see it) plus the readable
``csrf_access_token`` / ``csrf_refresh_token`` cookies; a state-changing request must echo one of
them in ``X-CSRF-TOKEN`` (double submit). A page form posted by the browser itself (scripts off,
or before htmx wired it) cannot send a header: it carries Flask-WTF's ``csrf_token`` field
instead, as the sign-in forms do.

Identity comes only from an access token that is valid now (signature, type, expiry, not
revoked). A page whose access cookie has expired is sent through ``/session/resume``, which mints
a new access token for the refresh token's own user and comes back; the page script renews the
cookie before it expires through ``POST /session/refresh``.
"""

from __future__ import annotations

import hmac
import unicodedata
from urllib.parse import quote

from flask import Response, current_app, g, request
from flask_jwt_extended import (
    decode_token,
    set_access_cookies,
    set_refresh_cookies,
    unset_jwt_cookies,
)
from flask_jwt_extended.exceptions import JWTExtendedException
from flask_wtf.csrf import ValidationError, validate_csrf
from jwt.exceptions import PyJWTError

from lnk.domain.models import User
from lnk.errors import BadRequest, Forbidden, Unauthorized
from lnk.services import accounts, sessions
from lnk.web import tokens
from lnk.web.context import ctx

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
SESSION_PATH = "/session"  # the refresh cookie's path
FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


def _cookie(kind: str) -> str | None:
    name = current_app.config.get(f"JWT_{kind.upper()}_COOKIE_NAME", f"{kind}_token_cookie")
    return request.cookies.get(name)


def _claims(token: str | None, kind: str, *, allow_expired: bool = False) -> dict | None:
    """Verified claims of a cookie token of this kind (signature, type, expiry unless
    ``allow_expired``, not revoked)."""
    if not token or len(token) > 4096:
        return None
    try:
        claims = decode_token(token, allow_expired=allow_expired)
    except (PyJWTError, JWTExtendedException):
        return None
    if claims.get("type") != kind or not isinstance(claims.get("sub"), str):
        return None
    if sessions.is_revoked(ctx(), claims):
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


def _form_token_valid() -> bool:
    """The request's form carries a valid Flask-WTF ``csrf_token`` (bound to this browser's
    signed session cookie, which another site can neither read nor set)."""
    token = request.form.get("csrf_token") if request.mimetype in FORM_TYPES else None
    if not token:
        return False
    try:
        validate_csrf(token)
    except ValidationError:
        return False
    return True


def page_user() -> User | None:
    """The signed-in user of this page or partial request, or None (never a JWT error): only an
    access cookie that is valid now counts; an expired one is ignored.

    Raises Forbidden for a suspended user or a state-changing request without the CSRF token
    (the header; a form the browser posted itself may carry its ``csrf_token`` field instead)."""
    if "lnk_user" in g:
        return g.lnk_user
    access = _claims(_cookie("access"), "access")
    if access is None:
        return None
    if request.method in UNSAFE_METHODS and (csrf_header() or not _form_token_valid()):
        _check_csrf(access)
    try:
        user = accounts.active_user(ctx(), access["sub"])
    except Unauthorized:
        return None
    g.lnk_user, g.lnk_claims = user, access
    return user


def sign_in_url(target: str) -> str:
    """Where a request without a valid access cookie goes: to renew it and come back when the
    browser seems to hold a refresh cookie (its readable CSRF twin is sent on every path),
    else to the login page."""
    csrf_cookie = current_app.config.get("JWT_REFRESH_CSRF_COOKIE_NAME", "csrf_refresh_token")
    page = SESSION_PATH + "/resume" if request.cookies.get(csrf_cookie) else "/login"
    return f"{page}?next={quote(safe_next(target))}"


def renew_access_cookie(response: Response, *, csrf: bool) -> bool:
    """A new access cookie for the refresh cookie's own user and login; False without a valid
    refresh cookie. ``csrf``: the refresh CSRF value must be in the header (POST)."""
    refresh = _claims(_cookie("refresh"), "refresh")
    if refresh is None:
        return False
    if csrf:
        _check_csrf(refresh)
    try:
        user = accounts.active_user(ctx(), refresh["sub"])
    except Unauthorized:
        return False
    login_id = sessions.login_of(refresh)
    assert login_id is not None  # is_revoked refuses a token without one
    set_access_cookies(response, tokens.access_token(user.id, login_id))
    return True


def sign_in(response: Response, user: User) -> None:
    access, refresh = tokens.new_login(ctx(), user)
    set_access_cookies(response, access)
    set_refresh_cookies(response, refresh)


def page_login() -> str | None:
    """The login of this request's session (after ``page_user``): the one to keep when the
    user ends its other logins."""
    claims = g.get("lnk_claims")
    return sessions.login_of(claims) if claims else None


def sign_out_everywhere(response: Response, user: User) -> None:
    """Ends every login of the user, this session's included (their sockets close), and clears
    the cookies."""
    sessions.end_all_logins(ctx(), user.id)
    unset_jwt_cookies(response)


def sign_out(response: Response) -> None:
    """Ends the login of the session cookies (an expired access cookie still names it), which
    revokes its tokens and closes its sockets, and clears the cookies."""
    for kind in ("access", "refresh"):
        claims = _claims(_cookie(kind), kind, allow_expired=True)
        login_id = sessions.login_of(claims) if claims else None
        if claims is not None and login_id is not None:
            sessions.end_logins(ctx(), claims["sub"], [login_id])
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
