"""What a due outbox item still has to say, decided when it is sent.

A digest keeps the messages the user has not read (a state change of a deal is kept even when its
message was read long ago), drops deleted and hidden ones, and is cancelled altogether when the
conversation is muted, the user left it or switched the channel off, or nothing is left.
"""

from __future__ import annotations

from dataclasses import dataclass

from lnk.domain.models import Conversation, Message, Participant, User
from lnk.domain.notifications import (
    KIND_CONVERSATION,
    REASON_DEAL_UPDATE,
    REASON_MESSAGE,
    NotificationSettings,
    OutboxItem,
)
from lnk.services.context import ServiceContext
from lnk.services.messages import preview_of
from lnk.services.notifications import wants_email

MAX_LINES = 20
MAX_TEXT_CHARS = 500
# when one message is in a digest for several reasons, the one that survives reading wins
_REASON_RANK = {REASON_MESSAGE: 0, "deal": 1, REASON_DEAL_UPDATE: 2}


@dataclass
class DigestLine:
    message: Message
    sender_name: str
    reason: str
    text: str


@dataclass
class Digest:
    user: User
    settings: NotificationSettings
    conversation: Conversation
    title: str
    lines: list[DigestLine]
    more: int  # lines left out beyond MAX_LINES

    @property
    def has_deals(self) -> bool:
        return any(line.reason != REASON_MESSAGE for line in self.lines)


def compose(ctx: ServiceContext, item: OutboxItem) -> Digest | None:
    """The digest to send for a conversation item, or None when nothing is to be sent."""
    if item.kind != KIND_CONVERSATION or item.conversation_id is None:
        return None
    store = ctx.store
    user = store.users.get(item.user_id)
    if user is None or user.suspended:
        return None
    settings = store.notification_settings.get(user.id)
    participant = store.conversations.get_participant(item.conversation_id, user.id)
    if participant is None or participant.muted:
        return None
    reasons: dict[str, str] = {}
    for entry in item.entries:
        if item.channel == "email" and not wants_email(settings, entry.reason):
            continue
        if item.channel == "push" and not settings.push:
            continue
        known = reasons.get(entry.message_id)
        if known is None or _REASON_RANK.get(entry.reason, 0) > _REASON_RANK.get(known, 0):
            reasons[entry.message_id] = entry.reason
    lines = []
    for message_id, reason in reasons.items():
        message = store.messages.get(message_id)
        if message is None or not _still_news(ctx, message, participant, reason):
            continue
        lines.append(DigestLine(message, "", reason, _text(message, reason)))
    if not lines:
        return None
    conversation = store.conversations.get(item.conversation_id)
    if conversation is None:
        return None
    lines.sort(key=lambda line: line.message.seq)
    people = store.users.get_many({line.message.sender_id for line in lines})
    people.update(store.users.get_many(p.user_id for p in conversation.participants[:3]))
    for line in lines:
        sender = people.get(line.message.sender_id)
        line.sender_name = sender.display_name if sender else "Someone"
    more = max(0, len(lines) - MAX_LINES)
    return Digest(
        user=user,
        settings=settings,
        conversation=conversation,
        title=_title(conversation, user.id, people),
        lines=lines[-MAX_LINES:],
        more=more,
    )


def _still_news(
    ctx: ServiceContext, message: Message, participant: Participant, reason: str
) -> bool:
    if message.deleted or message.seq <= participant.cleared_seq:
        return False
    if ctx.store.messages.is_hidden(message.id, participant.user_id):
        return False
    if reason == REASON_DEAL_UPDATE:
        return True
    return not _read(ctx, message, participant)


def _read(ctx: ServiceContext, message: Message, participant: Participant) -> bool:
    if participant.unread_count == 0 or message.seq <= participant.last_read_seq:
        return True
    return any(r.user_id == participant.user_id for r in ctx.store.messages.reads(message.id))


def _text(message: Message, reason: str) -> str:
    if message.type == "text":
        text = " ".join(message.content.split())
        return text if len(text) <= MAX_TEXT_CHARS else text[: MAX_TEXT_CHARS - 1] + "…"
    if reason == REASON_DEAL_UPDATE:
        deal = message.service_offer or message.booking_request
        kind = "Offer" if message.service_offer else "Booking request"
        if deal is not None:
            return f"{kind} “{deal.title}” was {deal.status}"
    offer = message.service_offer
    if offer is not None:
        return f"Offer: {offer.title}, {offer.price} {offer.currency}, {offer.duration_minutes} min"
    return preview_of(message)


def _title(conversation: Conversation, user_id: str, people: dict[str, User]) -> str:
    if conversation.type == "group":
        return conversation.title or "Group"
    for p in conversation.participants:
        if p.user_id != user_id:
            other = people.get(p.user_id)
            return other.display_name if other else "Direct message"
    return "Direct message"
