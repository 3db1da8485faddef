"""Message search: every term must start a word of the text, case-insensitively."""

from __future__ import annotations

from lnk.domain.models import Conversation, Message, User
from lnk.domain.search_text import query_terms
from lnk.errors import ValidationFailed
from lnk.services.context import ServiceContext
from lnk.services.conversations import require_participant
from lnk.services.deadlines import as_seen
from lnk.services.pagination import clamp_limit, decode_cursor, encode_cursor
from lnk.services.previews import with_live_replies


def search_messages(
    ctx: ServiceContext,
    actor: User,
    q: str,
    *,
    conversation_id: str | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> tuple[list[tuple[Message, Conversation]], str | None]:
    if not 1 <= len(q or "") <= 200:
        raise ValidationFailed.field("q", "must be 1-200 characters")
    terms = query_terms(q)
    if not terms:
        raise ValidationFailed.field("q", "must contain at least one letter or digit")
    if conversation_id:
        require_participant(ctx, actor, conversation_id)
    limit = clamp_limit(limit, 20)
    before_id = decode_cursor(cursor, id=str)["id"] if cursor else None
    found = ctx.store.messages.search(
        actor.id, terms, conversation_id=conversation_id, before_id=before_id, limit=limit + 1
    )
    next_cursor = None
    if len(found) > limit:
        found = found[:limit]
        next_cursor = encode_cursor({"id": found[-1].id})
    # a message held pending review is not found by anyone but its sender
    held = ctx.store.reports.held_among(m.id for m in found)
    found = [m for m in found if m.id not in held or m.sender_id == actor.id]
    conversations: dict[str, Conversation] = {}
    for message in found:
        if message.conversation_id not in conversations:
            conv = ctx.store.conversations.get(message.conversation_id)
            if conv is not None:
                conversations[conv.id] = conv
    now = ctx.clock.now()
    results = []
    for message in found:
        conversation = conversations.get(message.conversation_id)
        me = conversation.participant(actor.id) if conversation else None
        if conversation is None or me is None:
            continue
        if message.reply_to is not None:
            message = with_live_replies(ctx, [message], me.cleared_seq)[0]
        results.append((as_seen(message, now), conversation))
    return results, next_cursor
