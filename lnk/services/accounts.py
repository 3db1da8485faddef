"""Accounts: registration, credentials, token revocation, roles and suspension."""

from __future__ import annotations

import re
from datetime import datetime

from argon2.exceptions import InvalidHashError, VerificationError

from lnk.domain.events import UserSuspended
from lnk.domain.models import User
from lnk.domain.names import clean_name
from lnk.errors import Conflict, Forbidden, NotFound, Unauthorized, ValidationFailed
from lnk.services.context import ServiceContext
from lnk.services.pagination import clamp_limit, decode_cursor, encode_cursor
from lnk.store.base import DuplicateError

USERNAME_RE = re.compile(r"^[A-Za-z0-9_.-]{3,32}$")


def hash_password(ctx: ServiceContext, password: str) -> str:
    """Argon2id, computed in the worker pool (tens of milliseconds of CPU each)."""
    return ctx.workers.run(ctx.hasher.hash, password)


def _verify_password(ctx: ServiceContext, password_hash: str | None, password: str) -> None:
    """Raises ``VerificationError`` on a mismatch; in the worker pool, like hashing. Without a
    stored hash, a dummy one is verified so that both login failures cost the same."""

    def verify() -> None:
        ctx.hasher.verify(password_hash or ctx.dummy_password_hash, password)

    ctx.workers.run(verify)


PASSWORD_MAX = 128
PASSWORD_RULE = "must be 8-128 characters"


def _check_credentials_shape(username: str, password: str) -> None:
    errors: dict[str, list[str]] = {}
    if not USERNAME_RE.match(username or ""):
        errors["username"] = ["must be 3-32 characters of letters, digits, '_', '.' or '-'"]
    if not 8 <= len(password or "") <= PASSWORD_MAX:
        errors["password"] = [PASSWORD_RULE]
    if errors:
        raise ValidationFailed("invalid credentials format", errors=errors)


def register(
    ctx: ServiceContext,
    username: str,
    password: str,
    display_name: str | None = None,
    role: str = "user",
) -> User:
    _check_credentials_shape(username, password)
    display = clean_name(display_name, "displayName") or username
    if len(display) > 64:
        raise ValidationFailed.field("displayName", "must be at most 64 characters")
    try:
        return ctx.store.users.create(
            username, display, hash_password(ctx, password), role, ctx.clock.now()
        )
    except DuplicateError:
        raise Conflict("this username is taken") from None


def authenticate(ctx: ServiceContext, username: str, password: str) -> User:
    """The user for these credentials; the same 401 for an unknown name and a wrong password."""
    user = ctx.store.users.get_by_username(username or "")
    try:
        _verify_password(ctx, user.password_hash if user else None, password or "")
    except (VerificationError, InvalidHashError):
        raise Unauthorized("invalid username or password") from None
    if user is None:
        raise Unauthorized("invalid username or password")
    if user.suspended:
        raise Forbidden("this account is suspended")
    if ctx.hasher.check_needs_rehash(user.password_hash):
        ctx.store.users.update(user.id, password_hash=hash_password(ctx, password))
    return user


def change_password(ctx: ServiceContext, user: User, current: str, new: str) -> None:
    """Replaces the password after checking the current one (403 when it does not match)."""
    try:
        _verify_password(ctx, user.password_hash, current or "")
    except (VerificationError, InvalidHashError):
        raise Forbidden("the current password is not correct") from None
    if not 8 <= len(new or "") <= 128:
        raise ValidationFailed.field("newPassword", "must be 8-128 characters")
    ctx.store.users.update(user.id, password_hash=hash_password(ctx, new))


def active_user(ctx: ServiceContext, user_id: str) -> User:
    """The user behind a valid token: 401 if it no longer exists, 403 if suspended."""
    user = ctx.store.users.get(user_id)
    if user is None:
        raise Unauthorized("unknown user")
    if user.suspended:
        raise Forbidden("this account is suspended")
    return user


def find_by_username(ctx: ServiceContext, username: str) -> User | None:
    return ctx.store.users.get_by_username(username)


def grant_admin(ctx: ServiceContext, user_id: str) -> User:
    """Makes a user a platform admin (operator command; no acting user)."""
    user = ctx.store.users.update(user_id, role="admin")
    if user is None:
        raise NotFound("no such user")
    return user


def reset_password(ctx: ServiceContext, user_id: str, password: str) -> User:
    """Sets a new password (operator command; no acting user, no current password)."""
    if not 8 <= len(password or "") <= PASSWORD_MAX:
        raise ValidationFailed.field("password", PASSWORD_RULE)
    user = ctx.store.users.update(user_id, password_hash=hash_password(ctx, password))
    if user is None:
        raise NotFound("no such user")
    return user


def get_user(ctx: ServiceContext, user_id: str) -> User:
    user = ctx.store.users.get(user_id)
    if user is None:
        raise NotFound("no such user")
    return user


def search_users(
    ctx: ServiceContext, q: str | None, limit: int | None, cursor: str | None
) -> tuple[list[User], str | None]:
    limit = clamp_limit(limit, 20)
    after = decode_cursor(cursor, u=str)["u"] if cursor else None
    users = ctx.store.users.search((q or "").strip().lower(), limit + 1, after_username=after)
    has_more = len(users) > limit
    users = users[:limit]
    next_cursor = encode_cursor({"u": users[-1].username.lower()}) if has_more else None
    return users, next_cursor


def revoke_token(ctx: ServiceContext, jti: str, expires_at: datetime) -> None:
    ctx.store.tokens.revoke(jti, expires_at)


def is_token_revoked(ctx: ServiceContext, jti: str) -> bool:
    return ctx.store.tokens.is_revoked(jti)


def set_suspended(ctx: ServiceContext, actor: User, user_id: str, suspended: bool) -> User:
    if not actor.is_admin:
        raise Forbidden("admins only")
    if user_id == actor.id:
        raise Conflict("you cannot suspend yourself")
    user = ctx.store.users.update(user_id, suspended=suspended)
    if user is None:
        raise NotFound("no such user")
    if suspended:
        ctx.events.publish([UserSuspended(user_id)])
    return user


def set_role(ctx: ServiceContext, actor: User, user_id: str, role: str) -> User:
    if not actor.is_admin:
        raise Forbidden("admins only")
    if role not in ("user", "admin"):
        raise ValidationFailed.field("role", "must be user or admin")
    if user_id == actor.id and role != actor.role:
        raise Conflict("you cannot change your own role")
    user = ctx.store.users.update(user_id, role=role)
    if user is None:
        raise NotFound("no such user")
    return user


def users_by_id(ctx: ServiceContext, user_ids: list[str] | set[str]) -> dict[str, User]:
    """Users for display (one batched lookup)."""
    return ctx.store.users.get_many(user_ids)
