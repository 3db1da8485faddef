"""Registration, login, token refresh and logout, and the user directory."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, make_response
from flask_jwt_extended import decode_token, get_jwt, verify_jwt_in_request
from flask_jwt_extended.exceptions import JWTExtendedException
from jwt.exceptions import ExpiredSignatureError, PyJWTError

from lnk.domain.models import User
from lnk.errors import Unauthorized
from lnk.presenters import iso, response_stats_json, user_json
from lnk.services import accounts, last_seen, notifications, responsiveness, sessions
from lnk.web import limits, tokens
from lnk.web.api import schemas as s
from lnk.web.api.notifications import own_user_json
from lnk.web.api.routing import endpoint
from lnk.web.context import bearer_token, ctx, current_claims

bp = Blueprint("api_auth", __name__, url_prefix="/api")


def token_answer(body: dict, status: int = 200) -> Response:
    return tokens.no_store(make_response(jsonify(body), status))


def issue_tokens(user: User) -> dict:
    access, refresh = tokens.new_login(ctx(), user)
    return {"user": own_user_json(user), "accessToken": access, "refreshToken": refresh}


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
    limit=limits.REGISTER,
    errors=(409, 422, 503),
)
def register(body: s.RegisterBody):
    """An ``email`` is optional; a link mailed to it verifies it."""
    email = notifications.normalise_email(body.email) if body.email else None
    user = accounts.register(ctx(), body.username, body.password, body.display_name)
    if email:
        notifications.set_email(ctx(), user, email)
    return token_answer(issue_tokens(user), 201)


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
    limit=limits.LOGIN,
    errors=(401, 403, 503),
)
def login(body: s.LoginBody):
    """The same 401 for an unknown user and a wrong password. One bucket per client address
    with the login form; repeated failures for one account make that account wait (429)."""
    user = limits.authenticate(body.username, body.password)
    return token_answer(issue_tokens(user))


def _decoded(token: str | None) -> dict:
    if not token or len(token) > 4096:
        raise Unauthorized("missing refresh token")
    try:
        return decode_token(token)
    except ExpiredSignatureError:
        raise Unauthorized("token has expired") from None
    except (PyJWTError, JWTExtendedException):
        raise Unauthorized("invalid token") from None


@endpoint(
    bp,
    "/auth/refresh",
    "POST",
    summary="Rotate the refresh token: a new access and refresh token",
    tag="auth",
    operation_id="refreshToken",
    bearer=True,
    response=s.TokenPairOut,
    auth=False,
    limit="60/minute",
    errors=(401, 403),
)
def refresh():
    """Needs the refresh token as Bearer token. It is used up: keep the new refresh token.
    Presenting a refresh token that was already used revokes the whole login (every token
    issued since that login) and answers 401."""
    user, login_id = sessions.rotate_refresh(ctx(), _decoded(bearer_token()))
    return token_answer(
        {
            "accessToken": tokens.access_token(user.id, login_id),
            "refreshToken": tokens.refresh_token(user.id, login_id),
        }
    )


@endpoint(
    bp,
    "/auth/logout",
    "POST",
    summary="Log out: revoke this login",
    tag="auth",
    operation_id="logout",
    bearer=True,
    status=204,
    body=s.LogoutBody,
    auth=False,
    errors=(401,),
)
def logout(body: s.LogoutBody):
    """Needs a token of the login as Bearer token (access or refresh). Revokes every token of
    that login (and of the given refresh token's login) and closes the sockets opened with them."""
    verify_jwt_in_request(verify_type=False, locations=["headers", "cookies"])
    claims = get_jwt()
    ended = [sessions.login_of(claims)]
    if body.refresh_token:
        try:
            other = decode_token(body.refresh_token, allow_expired=True)
        except (PyJWTError, JWTExtendedException):
            other = {}
        if other.get("sub") == claims["sub"]:
            ended.append(sessions.login_of(other))
    sessions.end_logins(ctx(), claims["sub"], [i for i in ended if i])
    return "", 204


@endpoint(
    bp,
    "/auth/logout-all",
    "POST",
    summary="Log out everywhere",
    tag="auth",
    operation_id="logoutAll",
    status=204,
    errors=(401,),
)
def logout_all(user: User):
    """Revokes every token of every login of the caller and closes all its sockets."""
    sessions.end_all_logins(ctx(), user.id)
    return "", 204


@endpoint(
    bp,
    "/users/me/password",
    "PUT",
    summary="Change the password",
    tag="users",
    operation_id="changePassword",
    status=204,
    body=s.PasswordChangeBody,
    limit=limits.PASSWORD,
    errors=(403, 503),
)
def change_password(user: User, body: s.PasswordChangeBody):
    """403 when ``currentPassword`` is wrong. Every other login of the caller is revoked and its
    sockets closed; the login making this call stays signed in."""
    sessions.change_password(
        ctx(),
        user,
        body.current_password,
        body.new_password,
        keep=sessions.login_of(current_claims()),
    )
    return "", 204


@endpoint(
    bp,
    "/users/me",
    "GET",
    summary="The signed-in user",
    tag="users",
    operation_id="getCurrentUser",
    response=s.MeOut,
)
def me(user: User):
    """With the user's own notification address (``email``, ``emailVerified``)."""
    return jsonify(own_user_json(user))


@endpoint(
    bp,
    "/users",
    "GET",
    summary="Find users by username or display-name prefix",
    tag="users",
    operation_id="listUsers",
    query=s.UserQuery,
    response=s.ListOut[s.UserOut],
    limit=limits.USER_SEARCH,
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
    response=s.UserDetailOut,
    errors=(404,),
)
def get_user(user: User, id: str):
    """`responseStats` (null for users without service packages): over the last 90 days, the
    share of new direct conversations others opened with the user that it answered within 24
    hours (`responseRate`, 0-1, null until one counts), the median minutes to that first answer,
    and how many conversations count (one opened less than 24 hours ago and not answered yet
    does not). `lastSeenAt`: when the user's last connection went away, only for people who
    share a conversation with it and neither block the other (null otherwise)."""
    found = accounts.get_user(ctx(), id)
    return jsonify(
        {
            **user_json(found),
            "responseStats": response_stats_json(responsiveness.stats(ctx(), found.id)),
            "lastSeenAt": iso(last_seen.of_user(ctx(), user, found)),
        }
    )
