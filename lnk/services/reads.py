"""Read receipts and unread counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from lnk.domain.events import ConversationUpdated, MessagesRead
from lnk.domain.models import MessageRead, User
from lnk.errors import ValidationFailed
from lnk.services.context import ServiceContext, unit_of_work
from lnk.services.conversations import audience_of, require_membership
from lnk.services.messages import visible_message


@dataclass
class ReadResult:
    conversation_id: str
    marked_ids: list[str]
    unread_count: int
    read_at: datetime


@unit_of_work
def mark_read(
    ctx: ServiceContext, actor: User, conversation_id: str, message_ids: list[str] | None = None
) -> ReadResult:
    """Marks the given messages (or everything) read. Others hear ``messageRead``; the reader's
    own screens get its new unread count."""
    if message_ids is not None and len(message_ids) > ctx.rules.max_read_ids:
        raise ValidationFailed.field("messageIds", f"at most {ctx.rules.max_read_ids} ids")
    require_membership(ctx, actor, conversation_id)
    now = ctx.clock.now()
    ids = list(dict.fromkeys(message_ids)) if message_ids is not None else None
    marked, unread = ctx.store.messages.mark_read(conversation_id, actor.id, ids, now)
    if marked:
        others = tuple(i for i in audience_of(ctx, conversation_id) if i != actor.id)
        ctx.events.publish(
            [
                MessagesRead(conversation_id, actor.id, tuple(marked), now, others),
                ConversationUpdated(conversation_id, (actor.id,)),
            ]
        )
    return ReadResult(conversation_id, marked, unread, now)


@unit_of_work
def read_message(
    ctx: ServiceContext, actor: User, message_id: str
) -> tuple[str, datetime | None, int]:
    """Marks one message read; returns (message id, when the actor first read it, unread count).
    Reading one's own message is a no-op with no ``readAt``."""
    message, _ = visible_message(ctx, actor, message_id)
    result = mark_read(ctx, actor, message.conversation_id, [message.id])
    if message.sender_id == actor.id:
        return message.id, None, result.unread_count
    read_at = next(
        (r.read_at for r in ctx.store.messages.reads(message.id) if r.user_id == actor.id), None
    )
    return message.id, read_at, result.unread_count


def message_reads(ctx: ServiceContext, actor: User, message_id: str) -> list[MessageRead]:
    message, _ = visible_message(ctx, actor, message_id)
    return ctx.store.messages.reads(message.id)


def conversation_unread(ctx: ServiceContext, actor: User, conversation_id: str) -> int:
    return require_membership(ctx, actor, conversation_id).unread_count
