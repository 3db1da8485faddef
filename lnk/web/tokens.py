"""Minting the API's JWTs: every token names its login (see ``lnk.services.sessions``)."""

from __future__ import annotations

from flask import Response
from flask_jwt_extended import create_access_token, create_refresh_token

from lnk.domain.models import User
from lnk.services import sessions
from lnk.services.context import ServiceContext


def access_token(user_id: str, login_id: str) -> str:
    return create_access_token(identity=user_id, additional_claims={sessions.LOGIN_CLAIM: login_id})


def refresh_token(user_id: str, login_id: str) -> str:
    return create_refresh_token(
        identity=user_id, additional_claims={sessions.LOGIN_CLAIM: login_id}
    )


def new_login(ctx: ServiceContext, user: User) -> tuple[str, str]:
    """The access and refresh token of a new login of ``user``."""
    login_id = sessions.start_login(ctx, user)
    return access_token(user.id, login_id), refresh_token(user.id, login_id)


def no_store(response: Response) -> Response:
    """An answer carrying a token is never kept by a cache (nor the browser's history)."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response
