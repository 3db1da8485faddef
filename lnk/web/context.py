"""Access to the app's ServiceContext and the signed-in user from views."""

from __future__ import annotations

from flask import current_app, g
from flask_jwt_extended import get_jwt, verify_jwt_in_request

from lnk.domain.models import User
from lnk.services.context import ServiceContext


def ctx() -> ServiceContext:
    return current_app.extensions["lnk"]


def current_user(optional: bool = False) -> User | None:
    """The authenticated user of this request (Bearer header or access cookie + CSRF).

    Raises a 401 problem without a valid token, 403 for a suspended user."""
    if "lnk_user" in g:
        return g.lnk_user
    found = verify_jwt_in_request(optional=optional)
    if found is None:
        return None
    from flask_jwt_extended import current_user as jwt_user  # loaded by the user lookup loader

    g.lnk_user = jwt_user._get_current_object()
    return g.lnk_user


def require_user() -> User:
    user = current_user()
    assert user is not None
    return user


def current_claims() -> dict:
    return get_jwt()
