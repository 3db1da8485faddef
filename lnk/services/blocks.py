"""Blocking another user.

Rules:
- A user blocks or unblocks anyone but itself; blocking twice changes nothing.
- While either of two people blocks the other, neither can start a direct conversation with the
  other nor send anything into their direct conversation (403 ``blocked``), and neither sees the
  other's presence or typing. Group conversations they share stay as they are (both still send
  there).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from lnk.domain.events import BlockChanged
from lnk.domain.models import User
from lnk.domain.safety import BlockState
from lnk.errors import Blocked, NotFound, ValidationFailed
from lnk.services.context import ServiceContext

MAX_LISTED = 1000


@dataclass(frozen=True)
class BlockedUser:
    user: User
    blocked_at: datetime


def block(ctx: ServiceContext, actor: User, user_id: str) -> tuple[BlockedUser, bool]:
    """Returns the block and whether it is new."""
    target = _other(ctx, actor, user_id)
    when, created = ctx.store.blocks.block(actor.id, target.id, ctx.clock.now())
    if created:
        ctx.events.publish([BlockChanged(actor.id, target.id)])
    return BlockedUser(target, when), created


def unblock(ctx: ServiceContext, actor: User, user_id: str) -> None:
    """Idempotent: unblocking someone not blocked changes nothing."""
    target = _other(ctx, actor, user_id)
    if ctx.store.blocks.unblock(actor.id, target.id):
        ctx.events.publish([BlockChanged(actor.id, target.id)])


def state(ctx: ServiceContext, user_id: str, other_id: str) -> BlockState:
    """What blocks stand between the two, seen from ``user_id``."""
    return BlockState(*ctx.store.blocks.between(user_id, other_id))


def blocked_users(ctx: ServiceContext, actor: User) -> list[BlockedUser]:
    """The users the actor blocked, newest block first."""
    found = ctx.store.blocks.blocked_by(actor.id, MAX_LISTED)
    users = ctx.store.users.get_many(u for u, _ in found)
    return [BlockedUser(users[u], when) for u, when in found if u in users]


def hidden_from(ctx: ServiceContext, user_id: str) -> set[str]:
    """The users who must not see ``user_id``'s presence or typing, nor it theirs: those it
    blocked or was blocked by. The predicate the realtime layer asks."""
    return ctx.store.blocks.related(user_id)


def check_direct(ctx: ServiceContext, a: str, b: str) -> None:
    """403 ``blocked`` if either of the two blocked the other."""
    if b in ctx.store.blocks.related(a):
        raise Blocked("you cannot message this user")


def check_send(ctx: ServiceContext, sender_id: str, conversation_id: str) -> None:
    """403 ``blocked`` for a send into a direct conversation with someone the sender blocked or
    was blocked by. One indexed lookup when the sender has no blocks either way."""
    related = ctx.store.blocks.related(sender_id)
    if not related:
        return
    conversation = ctx.store.conversations.get(conversation_id)
    if conversation is None or conversation.type != "direct":
        return
    if related & set(conversation.participant_ids):
        raise Blocked("you cannot message this user")


def _other(ctx: ServiceContext, actor: User, user_id: str) -> User:
    if user_id == actor.id:
        raise ValidationFailed.field("id", "you cannot block yourself")
    target = ctx.store.users.get(user_id)
    if target is None:
        raise NotFound("no such user")
    return target
