"""Authentication of a socket at connect: the access token in ``auth``, or the login cookie."""

from __future__ import annotations

from collections.abc import Mapping

from flask import current_app
from flask_jwt_extended import decode_token
from flask_jwt_extended.exceptions import JWTExtendedException
from jwt.exceptions import PyJWTError

from lnk.domain.models import User
from lnk.errors import Unauthorized
from lnk.services import accounts, sessions
from lnk.services.context import ServiceContext


def token_from(auth: object, cookies: Mapping[str, str]) -> str | None:
    """``auth.token`` (API clients; a ``Bearer`` prefix is tolerated), else the access cookie.

    The cookie path needs no CSRF token: the connect is a GET that changes nothing."""
    if isinstance(auth, Mapping):
        token = auth.get("token")
        if isinstance(token, str) and token:
            return token.removeprefix("Bearer ").strip()
    return cookies.get(current_app.config["JWT_ACCESS_COOKIE_NAME"]) or None


def authenticate(
    ctx: ServiceContext, auth: object, cookies: Mapping[str, str]
) -> tuple[User, dict]:
    """The user behind a valid, unrevoked access token, and the token's claims. Raises
    Unauthorized (missing, invalid, expired or revoked token; unknown user) or Forbidden
    (suspended user)."""
    token = token_from(auth, cookies)
    if token is None or len(token) > 4096:
        raise Unauthorized("missing access token")
    try:
        claims = decode_token(token)
    except (PyJWTError, JWTExtendedException):
        raise Unauthorized("invalid or expired token") from None
    if claims.get("type") != "access" or not isinstance(claims.get("sub"), str):
        raise Unauthorized("an access token is required")
    if sessions.is_revoked(ctx, claims):
        raise Unauthorized("token has been revoked")
    return accounts.active_user(ctx, claims["sub"]), claims
