"""One-line previews of messages: the conversation list's last message, and what a reply shows
of the message it answers.

A reply keeps only a reference to the original. Its preview is built from the original as it is
when the reply is read, so deleting or editing a message also changes every quote of it, and a
viewer never sees, through a reply, a message from before its own join or clear point.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from lnk.domain.models import Message, ReplyPreview
from lnk.services.context import ServiceContext
from lnk.store.base import NewMessage

PREVIEW_CHARS = 120
DELETED = "Message deleted"


def preview_of(message: Message | NewMessage) -> str:
    """The one-line text shown for a message in the conversation list."""
    if getattr(message, "deleted", False):
        return DELETED
    text = " ".join((message.content or "").split())
    if message.type == "media":
        count = len(message.attachments)
        label = f"📎 {count} attachment{'s' if count != 1 else ''}"
        text = f"{label}: {text}" if text else label
    elif message.type == "location":
        loc = message.location
        text = "📍 " + (
            (loc.name or loc.address) if loc and (loc.name or loc.address) else "Location"
        )
    elif message.type == "service_offer" and message.service_offer:
        text = f"Offer: {message.service_offer.title} ({message.service_offer.status})"
    elif message.type == "booking_request" and message.booking_request:
        req = message.booking_request
        text = f"Booking request: {req.title} ({req.status})"
    return text[:PREVIEW_CHARS]


def reply_reference(original: Message) -> ReplyPreview:
    """What a new reply stores: who and what it answers, no copy of the text."""
    return ReplyPreview(original.id, original.sender_id, original.type, "", original.seq)


def with_live_replies(
    ctx: ServiceContext, messages: Iterable[Message], cleared_seq: int = 0
) -> list[Message]:
    """``messages`` with each reply preview rebuilt from its original as it is now: "Message
    deleted" for a deleted one, the current text for an edited one, and no preview at all when
    the original is gone or at or before ``cleared_seq`` (the viewer's join or clear point)."""
    items = list(messages)
    wanted = [m.reply_to.id for m in items if m.reply_to is not None and not m.deleted]
    originals = ctx.store.messages.get_many(wanted) if wanted else {}
    out = []
    for message in items:
        if message.reply_to is not None:
            original = None if message.deleted else originals.get(message.reply_to.id)
            message = replace(message, reply_to=_live(original, cleared_seq))
        out.append(message)
    return out


def _live(original: Message | None, cleared_seq: int) -> ReplyPreview | None:
    if original is None or original.seq <= cleared_seq:
        return None
    return ReplyPreview(
        original.id, original.sender_id, original.type, preview_of(original), original.seq
    )


def reply_blind(ctx: ServiceContext, message: Message, audience: Iterable[str]) -> set[str]:
    """Those of ``audience`` who may not see what ``message`` answers (they joined or cleared
    the conversation after the original): pushes to them carry no reply preview."""
    reply = message.reply_to
    if reply is None or reply.seq is None:
        return set()
    conversation = ctx.store.conversations.get(message.conversation_id)
    if conversation is None:
        return set()
    cleared = {p.user_id: p.cleared_seq for p in conversation.participants}
    return {u for u in audience if u in cleared and cleared[u] >= reply.seq}


def without_reply(message: Message) -> Message:
    """The message as shown to someone who may not see what it answers."""
    return replace(message, reply_to=None)
