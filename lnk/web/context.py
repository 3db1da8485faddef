"""Access to the app's ServiceContext and the signed-in user from views."""

from __future__ import annotations

from flask import current_app, g, request
from flask_jwt_extended import verify_jwt_in_request
from flask_jwt_extended.exceptions import JWTExtendedException
from jwt.exceptions import ExpiredSignatureError, PyJWTError

from lnk.domain.models import User
from lnk.errors import Unauthorized
from lnk.extensions import jwt
from lnk.services import accounts, sessions
from lnk.services.context import ServiceContext


def ctx() -> ServiceContext:
    return current_app.extensions["lnk"]


def current_user(optional: bool = False) -> User | None:
    """The authenticated user of this request (Bearer header or access cookie + CSRF).

    Raises a 401 problem without a valid token, 403 for a suspended user."""
    if "lnk_user" in g:
        return g.lnk_user
    token = bearer_token()
    if token is not None:
        g.lnk_user = user_for_access_token(token)
        return g.lnk_user
    found = verify_jwt_in_request(optional=optional)
    if found is None:
        return None
    from flask_jwt_extended import current_user as jwt_user  # loaded by the user lookup loader

    g.lnk_user = jwt_user._get_current_object()
    return g.lnk_user


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    if header[:7].lower() != "bearer ":
        return None
    return header[7:].strip()


def user_for_access_token(token: str) -> User:
    """The user behind a Bearer access token: the API's hot path.

    Signature and expiry checks are cached per token by ``CachingJWTManager``; revocation and
    suspension are checked on every call, as flask-jwt-extended's own flow would."""
    try:
        claims = jwt.verified_claims(token)
    except ExpiredSignatureError:
        raise Unauthorized("token has expired") from None
    except (PyJWTError, JWTExtendedException):
        raise Unauthorized("invalid token") from None
    if claims.get("type") != "access":
        raise Unauthorized("an access token is required")
    if sessions.is_revoked(ctx(), claims):
        raise Unauthorized("token has been revoked")
    user = accounts.active_user(ctx(), claims["sub"])
    g.lnk_claims = claims
    return user


def current_claims() -> dict:
    """The verified claims of the token that authenticated this request."""
    if "lnk_claims" not in g:
        from flask_jwt_extended import get_jwt

        g.lnk_claims = get_jwt()
    return g.lnk_claims


def require_user() -> User:
    user = current_user()
    assert user is not None
    return user
