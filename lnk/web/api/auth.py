"""Registration, login, token refresh and logout, and the user directory."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, jsonify
from flask_jwt_extended import (
    create_access_token,
    create_refresh_token,
    decode_token,
    get_jwt,
    verify_jwt_in_request,
)
from jwt.exceptions import PyJWTError

from lnk.domain.models import User
from lnk.presenters import user_json
from lnk.services import accounts
from lnk.web.api import schemas as s
from lnk.web.api.routing import endpoint
from lnk.web.context import ctx

bp = Blueprint("api_auth", __name__, url_prefix="/api")

AUTH_LIMIT = "20/minute"


def issue_tokens(user: User) -> dict:
    return {
        "user": user_json(user),
        "accessToken": create_access_token(identity=user.id),
        "refreshToken": create_refresh_token(identity=user.id),
    }


@endpoint(
    bp,
    "/auth/register",
    "POST",
    summary="Create an account",
    tag="auth",
    operation_id="register",
    status=201,
    body=s.RegisterBody,
    response=s.AuthOut,
    auth=False,
    limit=AUTH_LIMIT,
    errors=(409, 503),
)
def register(body: s.RegisterBody):
    user = accounts.register(ctx(), body.username, body.password, body.display_name)
    return jsonify(issue_tokens(user)), 201


@endpoint(
    bp,
    "/auth/login",
    "POST",
    summary="Log in",
    tag="auth",
    operation_id="login",
    body=s.LoginBody,
    response=s.AuthOut,
    auth=False,
    limit=AUTH_LIMIT,
    errors=(401, 403, 503),
)
def login(body: s.LoginBody):
    """The same 401 for an unknown user and a wrong password."""
    user = accounts.authenticate(ctx(), body.username, body.password)
    return jsonify(issue_tokens(user))


@endpoint(
    bp,
    "/auth/refresh",
    "POST",
    summary="Get a new access token",
    tag="auth",
    operation_id="refreshToken",
    bearer=True,
    response=s.AccessTokenOut,
    auth=False,
    limit=AUTH_LIMIT,
    errors=(401, 403),
)
def refresh():
    """Needs the refresh token as Bearer token."""
    verify_jwt_in_request(refresh=True, locations=["headers"])
    claims = get_jwt()
    accounts.active_user(ctx(), claims["sub"])
    return jsonify({"accessToken": create_access_token(identity=claims["sub"])})


@endpoint(
    bp,
    "/auth/logout",
    "POST",
    summary="Revoke tokens",
    tag="auth",
    operation_id="logout",
    bearer=True,
    status=204,
    body=s.LogoutBody,
    auth=False,
    errors=(401,),
)
def logout(body: s.LogoutBody):
    """Revokes the presented token (access or refresh) and, if given, the refresh token."""
    verify_jwt_in_request(verify_type=False, locations=["headers", "cookies"])
    claims = get_jwt()
    _revoke(claims)
    if body.refresh_token:
        try:
            other = decode_token(body.refresh_token)
        except PyJWTError:
            other = None
        if other and other.get("sub") == claims["sub"]:
            _revoke(other)
    return "", 204


def _revoke(claims: dict) -> None:
    accounts.revoke_token(ctx(), claims["jti"], datetime.fromtimestamp(claims["exp"], UTC))


@endpoint(
    bp,
    "/users/me",
    "GET",
    summary="The signed-in user",
    tag="users",
    operation_id="getCurrentUser",
    response=s.UserOut,
)
def me(user: User):
    return jsonify(user_json(user))


@endpoint(
    bp,
    "/users",
    "GET",
    summary="Find users by username or display-name prefix",
    tag="users",
    operation_id="listUsers",
    query=s.UserQuery,
    response=s.ListOut[s.UserOut],
)
def list_users(user: User, query: s.UserQuery):
    users, cursor = accounts.search_users(ctx(), query.q, query.limit, query.cursor)
    return jsonify({"items": [user_json(u) for u in users], "nextCursor": cursor})


@endpoint(
    bp,
    "/users/<id>",
    "GET",
    summary="A user",
    tag="users",
    operation_id="getUser",
    response=s.UserOut,
    errors=(404,),
)
def get_user(user: User, id: str):
    return jsonify(user_json(accounts.get_user(ctx(), id)))
