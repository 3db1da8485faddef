"""Logins: every token belongs to the login (token family) that issued it, so that one login,
or all of a user's logins, can be revoked at once, and a replayed refresh token ends its login.

A token carries its login id in the ``login`` claim. A token counts as revoked when its own id
or its login (``login:<id>``) is in the revocation list. Refreshing rotates the refresh token:
the presented one is revoked as it is used, and presenting it again (a stolen copy, or the
legitimate client after the thief used it) revokes the whole login.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from lnk.domain.events import LoginsEnded
from lnk.domain.models import User
from lnk.errors import Unauthorized
from lnk.services import accounts
from lnk.services.context import ServiceContext

LOGIN_CLAIM = "login"
_LOGIN_PREFIX = "login:"


def start_login(ctx: ServiceContext, user: User) -> str:
    """A new login for this user; its id goes into every token it issues."""
    login_id = secrets.token_urlsafe(16)
    ctx.store.tokens.record_login(login_id, user.id, ctx.clock.now() + ctx.rules.login_ttl)
    return login_id


def login_of(claims: Mapping[str, Any]) -> str | None:
    value = claims.get(LOGIN_CLAIM)
    return value if isinstance(value, str) and value else None


def is_revoked(ctx: ServiceContext, claims: Mapping[str, Any]) -> bool:
    """A token without a login, whose id is revoked, or whose login ended, is revoked."""
    login_id = login_of(claims)
    if login_id is None or not isinstance(claims.get("jti"), str):
        return True
    return ctx.store.tokens.any_revoked([claims["jti"], _LOGIN_PREFIX + login_id])


def end_logins(ctx: ServiceContext, user_id: str, login_ids: list[str]) -> None:
    """Revokes every token of these logins of the user and closes their sockets."""
    if not login_ids:
        return
    # No token of a login outlives this: it was issued by now and lives at most login_ttl.
    until = ctx.clock.now() + ctx.rules.login_ttl
    for login_id in dict.fromkeys(login_ids):
        ctx.store.tokens.revoke(_LOGIN_PREFIX + login_id, until)
    ctx.events.publish([LoginsEnded(user_id, tuple(dict.fromkeys(login_ids)))])


def end_all_logins(ctx: ServiceContext, user_id: str, *, keep: str | None = None) -> list[str]:
    """Revokes every login of the user (but ``keep``); returns the ended login ids."""
    ended = [i for i in ctx.store.tokens.active_logins(user_id, ctx.clock.now()) if i != keep]
    end_logins(ctx, user_id, ended)
    return ended


def rotate_refresh(ctx: ServiceContext, claims: Mapping[str, Any]) -> tuple[User, str]:
    """Uses up a (signature-checked, unexpired) refresh token: returns its user and login, for
    which the caller issues a new access and refresh token. A refresh token that was already
    used revokes its whole login (401)."""
    login_id = login_of(claims)
    jti = claims.get("jti")
    if claims.get("type") != "refresh" or login_id is None or not isinstance(jti, str):
        raise Unauthorized("a refresh token is required")
    if ctx.store.tokens.is_revoked(_LOGIN_PREFIX + login_id):
        raise Unauthorized("token has been revoked")
    user = accounts.active_user(ctx, str(claims.get("sub")))
    expires_at = ctx.clock.now() + ctx.rules.login_ttl
    if not ctx.store.tokens.revoke_once(jti, expires_at):
        end_logins(ctx, user.id, [login_id])
        raise Unauthorized("this refresh token was already used; the login has been revoked")
    ctx.store.tokens.record_login(login_id, user.id, expires_at)
    return user, login_id


def change_password(
    ctx: ServiceContext, user: User, current: str, new: str, *, keep: str | None
) -> None:
    """Checks the current password, stores the new one and ends every other login."""
    accounts.change_password(ctx, user, current, new)
    end_all_logins(ctx, user.id, keep=keep)


def forget_expired(ctx: ServiceContext) -> int:
    """Drops revocations and logins whose tokens have all expired (a periodic job)."""
    return ctx.store.tokens.purge_expired(ctx.clock.now())
