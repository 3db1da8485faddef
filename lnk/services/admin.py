"""The admin console's rules. Every function here is for platform admins only and checks it
itself, so no view (or future caller) can skip the check.

Suspensions and roles go through ``accounts`` (which publishes ``UserSuspended``, disconnecting
the user's sockets); deleting a flagged message goes through ``messages.delete_message`` (which
lets a platform admin delete for everyone and raises ``messageUpdated``).
"""

from __future__ import annotations

from dataclasses import dataclass

from lnk.domain.models import Message, User
from lnk.errors import Forbidden, NotFound
from lnk.services import accounts, audit, messages
from lnk.services.context import ServiceContext, unit_of_work
from lnk.services.pagination import clamp_limit, decode_cursor, encode_cursor


@dataclass(frozen=True)
class Overview:
    users: int
    suspended_users: int
    flagged_messages: int


@dataclass(frozen=True)
class FlaggedMessage:
    """A message in the moderators' queue with its sender (None if the account is gone)."""

    message: Message
    sender: User | None


def require_admin(actor: User) -> None:
    if not actor.is_admin:
        raise Forbidden("admins only")


def overview(ctx: ServiceContext, actor: User) -> Overview:
    """Counts for the console's front page (each an index count, not a scan of messages)."""
    require_admin(actor)
    return Overview(
        users=ctx.store.users.count(),
        suspended_users=ctx.store.users.count_suspended(),
        flagged_messages=ctx.store.messages.count_flagged(),
    )


def list_users(
    ctx: ServiceContext, actor: User, q: str | None, limit: int | None, cursor: str | None
) -> tuple[list[User], str | None]:
    """Users whose username or display name starts with ``q``, by username, a page at a time."""
    require_admin(actor)
    return accounts.search_users(ctx, q, limit, cursor)


@unit_of_work
def set_suspended(ctx: ServiceContext, actor: User, user_id: str, suspended: bool) -> User:
    """Suspends (signing the user out everywhere) or reinstates a user; never the actor."""
    require_admin(actor)
    changed = accounts.set_suspended(ctx, actor, user_id, suspended)
    audit.record(ctx, actor, "user.suspend" if suspended else "user.reinstate", "user", user_id)
    return changed


@unit_of_work
def set_role(ctx: ServiceContext, actor: User, user_id: str, role: str) -> User:
    """Makes a user an admin or a plain user again; an admin cannot demote itself."""
    require_admin(actor)
    changed = accounts.set_role(ctx, actor, user_id, role)
    audit.record(ctx, actor, "user.role", "user", user_id, {"role": role})
    return changed


def flagged_messages(
    ctx: ServiceContext, actor: User, limit: int | None, cursor: str | None
) -> tuple[list[FlaggedMessage], str | None]:
    """The moderators' queue, newest first, a page at a time."""
    require_admin(actor)
    limit = clamp_limit(limit, 20)
    before = decode_cursor(cursor, m=str)["m"] if cursor else None
    found = ctx.store.messages.flagged(limit + 1, before_id=before)
    page = found[:limit]
    next_cursor = encode_cursor({"m": page[-1].id}) if len(found) > limit else None
    return _with_senders(ctx, page), next_cursor


@unit_of_work
def dismiss_flag(ctx: ServiceContext, actor: User, message_id: str) -> FlaggedMessage:
    """Takes a message off the queue, leaving it as it is (idempotent)."""
    require_admin(actor)
    if ctx.store.messages.get(message_id) is None:
        raise NotFound("message not found")
    ctx.store.messages.set_flagged(message_id, False)
    audit.record(ctx, actor, "flag.dismiss", "message", message_id)
    return _reloaded(ctx, message_id)


@unit_of_work
def delete_flagged(ctx: ServiceContext, actor: User, message_id: str) -> FlaggedMessage:
    """Deletes the message for everyone, then takes it off the queue."""
    require_admin(actor)
    messages.delete_message(ctx, actor, message_id)
    ctx.store.messages.set_flagged(message_id, False)
    audit.record(ctx, actor, "flag.delete", "message", message_id)
    return _reloaded(ctx, message_id)


def _reloaded(ctx: ServiceContext, message_id: str) -> FlaggedMessage:
    message = ctx.store.messages.get(message_id)
    if message is None:
        raise NotFound("message not found")
    return _with_senders(ctx, [message])[0]


def _with_senders(ctx: ServiceContext, page: list[Message]) -> list[FlaggedMessage]:
    senders = accounts.users_by_id(ctx, {m.sender_id for m in page})
    return [FlaggedMessage(m, senders.get(m.sender_id)) for m in page]
