"""JWT configuration: token lifetimes, cookies with CSRF double submit, revocation, suspension."""

from __future__ import annotations

from flask import Flask
from flask_jwt_extended.exceptions import CSRFError

from lnk.config import Settings
from lnk.errors import Forbidden, Unauthorized
from lnk.extensions import jwt
from lnk.services import accounts, sessions
from lnk.web.context import ctx
from lnk.web.problems import problem_response


def configure_jwt(app: Flask, settings: Settings) -> None:
    app.config.update(
        JWT_SECRET_KEY=settings.signing_key(),
        JWT_ACCESS_TOKEN_EXPIRES=settings.access_token_ttl,
        JWT_REFRESH_TOKEN_EXPIRES=settings.refresh_token_ttl,
        JWT_TOKEN_LOCATION=["headers", "cookies"],
        JWT_COOKIE_SECURE=settings.cookie_secure,
        JWT_COOKIE_SAMESITE="Lax",
        JWT_COOKIE_CSRF_PROTECT=True,  # double submit: csrf_access_token cookie + X-CSRF-TOKEN
        JWT_CSRF_IN_COOKIES=True,
        JWT_ACCESS_COOKIE_PATH="/",
        JWT_REFRESH_COOKIE_PATH="/session",  # only the routes that renew or end a session
        JWT_REFRESH_CSRF_COOKIE_PATH="/",  # the page script reads it to renew the session
        JWT_SESSION_COOKIE=False,
    )
    jwt.init_app(app)

    # The JWTManager is shared by every app of the process: callbacks must use the app of the
    # request (``ctx()``), never one captured here.
    @jwt.token_in_blocklist_loader
    def _revoked(_header: dict, payload: dict) -> bool:
        return sessions.is_revoked(ctx(), payload)

    @jwt.user_lookup_loader
    def _lookup(_header: dict, payload: dict):
        return accounts.active_user(ctx(), payload["sub"])

    def unauthorized(message: str):
        return problem_response(Unauthorized(message))

    jwt.unauthorized_loader(lambda msg: unauthorized("missing access token"))
    jwt.invalid_token_loader(lambda msg: unauthorized("invalid token"))
    jwt.expired_token_loader(lambda h, p: unauthorized("token has expired"))
    jwt.revoked_token_loader(lambda h, p: unauthorized("token has been revoked"))
    jwt.user_lookup_error_loader(lambda h, p: unauthorized("unknown user"))
    jwt.token_verification_failed_loader(lambda h, p: unauthorized("invalid token"))

    @app.errorhandler(CSRFError)
    def _csrf(_error: CSRFError):
        return problem_response(Forbidden("missing or invalid CSRF token"))
