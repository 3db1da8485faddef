"""Messages: sending, history, editing, deleting and reactions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

import emoji as emoji_lib

from lnk.domain.events import ConversationUpdated, MessageResent, MessageSent, MessageUpdated
from lnk.domain.models import (
    Conversation,
    FileMeta,
    Location,
    Message,
    Participant,
    ReplyPreview,
    User,
)
from lnk.domain.names import clean_name
from lnk.domain.rules import counts_unread
from lnk.errors import Conflict, NotFound, ValidationFailed
from lnk.services import (
    analytics,
    blocks,
    files,
    moderation,
    permissions,
    reports,
    responsiveness,
)
from lnk.services.context import ServiceContext, unit_of_work
from lnk.services.conversations import audience_of, require_membership
from lnk.services.deadlines import as_seen
from lnk.services.pagination import check_seq, clamp_limit, decode_cursor, encode_cursor
from lnk.services.previews import preview_of, reply_reference, with_live_replies
from lnk.store.base import DuplicateError, NewMessage


@dataclass
class SendResult:
    message: Message
    created: bool
    warnings: list[dict] = field(default_factory=list)


def visible_message(
    ctx: ServiceContext, actor: User, message_id: str
) -> tuple[Message, Participant]:
    """A message the actor may see, with the actor's membership of its conversation; else 404."""
    message = ctx.store.messages.get(message_id)
    if message is None:
        raise NotFound("message not found")
    me = ctx.store.conversations.get_participant(message.conversation_id, actor.id)
    if (
        me is None
        or message.seq <= me.cleared_seq
        or ctx.store.messages.is_hidden(message.id, actor.id)
    ):
        raise NotFound("message not found")
    return message, me


def send_message(
    ctx: ServiceContext,
    actor: User,
    conversation_id: str,
    *,
    content: str | None = None,
    attachment_ids: list[str] | None = None,
    reply_to_id: str | None = None,
    client_id: str | None = None,
) -> SendResult:
    """A text message, or a media message when attachments are given (content is the caption)."""

    def prepare() -> tuple[NewMessage, list[dict]]:
        text = (content or "").strip()
        attachments = _own_attachments(ctx, actor, attachment_ids or [])
        if not attachments and not text:
            raise ValidationFailed.field("content", "must not be empty")
        if len(text) > ctx.rules.max_content_chars:
            raise ValidationFailed.field(
                "content", f"must be at most {ctx.rules.max_content_chars} characters"
            )
        warnings = moderation.screen_text(ctx, conversation_id, text)
        new = NewMessage(
            conversation_id,
            actor.id,
            "media" if attachments else "text",
            content=text,
            client_id=client_id,
            attachments=tuple(attachments),
            reply_to=_reply_preview(ctx, actor, conversation_id, reply_to_id),
            flagged=bool(warnings),
        )
        return new, warnings

    return _send_once(ctx, actor, conversation_id, client_id, "text", prepare)


def send_location(
    ctx: ServiceContext,
    actor: User,
    conversation_id: str,
    *,
    latitude: float,
    longitude: float,
    name: str | None = None,
    address: str | None = None,
    client_id: str | None = None,
) -> SendResult:
    def prepare() -> tuple[NewMessage, list[dict]]:
        errors = {}
        if not -90 <= latitude <= 90:
            errors["latitude"] = ["must be between -90 and 90"]
        if not -180 <= longitude <= 180:
            errors["longitude"] = ["must be between -180 and 180"]
        if errors:
            raise ValidationFailed("invalid coordinates", errors=errors)
        location = Location(
            latitude,
            longitude,
            clean_name(name, "name") or None,
            clean_name(address, "address") or None,
        )
        warnings = moderation.screen_text(
            ctx, conversation_id, " ".join(filter(None, (location.name, location.address)))
        )
        new = NewMessage(
            conversation_id,
            actor.id,
            "location",
            location=location,
            client_id=client_id,
            flagged=bool(warnings),
        )
        return new, warnings

    return _send_once(ctx, actor, conversation_id, client_id, "location", prepare)


def _send_once(
    ctx: ServiceContext,
    actor: User,
    conversation_id: str,
    client_id: str | None,
    kind: str,
    prepare: Callable[[], tuple[NewMessage, list[dict]]],
) -> SendResult:
    """One unit: membership, the ``clientId`` repeat check, ``prepare`` and the append. A
    concurrent send with the same ``clientId`` that committed first makes the append fail on
    the unique index; the unit is then rolled back and the earlier message answers."""

    def unit() -> SendResult:
        require_membership(ctx, actor, conversation_id)
        repeat = _earlier_send(ctx, actor, conversation_id, client_id, kind)
        if repeat is not None:
            return repeat
        new, warnings = prepare()
        return _store_and_announce(ctx, new, warnings)

    try:
        return ctx.run_in_unit(unit)
    except DuplicateError:
        repeat = _earlier_send(ctx, actor, conversation_id, client_id, kind)
        if repeat is None:
            raise
        return repeat


def store_new_message(
    ctx: ServiceContext, conversation: Conversation, new: NewMessage
) -> SendResult:
    """Stores a prepared message and announces it (used by every kind of send)."""
    return _store_and_announce(ctx, new, [], tuple(conversation.participant_ids))


def _store_and_announce(
    ctx: ServiceContext,
    new: NewMessage,
    warnings: list[dict],
    audience: tuple[str, ...] | None = None,
) -> SendResult:
    blocks.check_send(ctx, new.sender_id, new.conversation_id)
    new = replace(new, preview=preview_of(new), counts_unread=counts_unread(new.type))
    message = ctx.store.messages.append(new, ctx.clock.now())
    message = _with_live_reply(ctx, message)
    if audience is None:
        audience = audience_of(ctx, new.conversation_id)
    responsiveness.record(ctx, message, audience)
    analytics.count_sent(ctx, message)
    ctx.events.publish([MessageSent(message, audience)])
    return SendResult(message, True, warnings)


# The kinds of send: a clientId repeated with another kind of send is a conflict, not a repeat.
_SEND_KIND = {"text": "message", "media": "message", "location": "location"}


def _with_live_reply(ctx: ServiceContext, message: Message, cleared_seq: int = 0) -> Message:
    """The message with its reply preview built from the original as it is now."""
    if message.reply_to is None:
        return message
    return with_live_replies(ctx, [message], cleared_seq)[0]


def _earlier_send(
    ctx: ServiceContext, actor: User, conversation_id: str, client_id: str | None, type_: str
) -> SendResult | None:
    """The first send with this ``clientId`` in this conversation, if the client made it.
    A clientId is unique per sender per conversation."""
    if not client_id:
        return None
    earlier = ctx.store.messages.get_by_client_id(conversation_id, actor.id, client_id)
    return _repeat_of(ctx, earlier, type_) if earlier is not None else None


def _repeat_of(ctx: ServiceContext, earlier: Message, type_: str) -> SendResult:
    """The earlier send, announced again: a client retries when it did not get its answer, and
    the first announcement may have been lost with it."""
    if _SEND_KIND.get(earlier.type) != _SEND_KIND.get(type_):
        raise Conflict("this clientId was already used for another kind of message")
    earlier = _with_live_reply(ctx, earlier)
    ctx.events.publish([MessageResent(earlier, audience_of(ctx, earlier.conversation_id))])
    return SendResult(earlier, False)


def _own_attachments(ctx: ServiceContext, actor: User, ids: list[str]) -> list:
    if len(ids) > ctx.rules.max_attachments:
        raise ValidationFailed.field("attachmentIds", f"at most {ctx.rules.max_attachments}")
    if len(set(ids)) != len(ids):
        raise ValidationFailed.field("attachmentIds", "each file may be attached once")
    found = []
    for file_id in ids:
        meta = ctx.store.files.get(file_id)
        if meta is None or meta.owner_id != actor.id:
            raise ValidationFailed.field("attachmentIds", f"{file_id} is not a file you uploaded")
        found.append(meta)
    return found


def _reply_preview(
    ctx: ServiceContext, actor: User, conversation_id: str, reply_to_id: str | None
) -> ReplyPreview | None:
    if not reply_to_id:
        return None
    try:
        target, _ = visible_message(ctx, actor, reply_to_id)
    except NotFound:
        target = None
    if target is None or target.conversation_id != conversation_id or target.deleted:
        raise ValidationFailed.field("replyToId", "is not a message of this conversation")
    return reply_reference(target)


def list_messages(
    ctx: ServiceContext,
    actor: User,
    conversation_id: str,
    *,
    before: str | None = None,
    after: str | None = None,
    after_seq: int | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> tuple[list[Message], str | None]:
    """Newest first (optionally before a message), or oldest first after a message or seq."""
    me = require_membership(ctx, actor, conversation_id)
    limit = clamp_limit(limit, 50)
    direction, seq = "before", None
    if cursor:
        data = decode_cursor(cursor, d=str, s=int)
        if data["d"] not in ("before", "after"):
            raise ValidationFailed.field("cursor", "is not a cursor this list returned")
        direction, seq = data["d"], data["s"]
    elif check_seq(after_seq, "afterSeq") is not None:
        direction, seq = "after", after_seq
    elif after or before:
        anchor_id = after or before
        anchor = ctx.store.messages.get(anchor_id or "")
        if anchor is None or anchor.conversation_id != conversation_id:
            raise ValidationFailed.field(
                "after" if after else "before", "is not a message of this conversation"
            )
        direction, seq = ("after" if after else "before"), anchor.seq
    repo = ctx.store.messages
    if direction == "after":
        items = repo.page(
            conversation_id, actor.id, min_seq=me.cleared_seq, after_seq=seq, limit=limit + 1
        )
    else:
        items = repo.page(
            conversation_id, actor.id, min_seq=me.cleared_seq, before_seq=seq, limit=limit + 1
        )
    next_cursor = None
    if len(items) > limit:
        items = items[:limit]
        next_cursor = encode_cursor({"d": direction, "s": items[-1].seq})
    now = ctx.clock.now()
    items = reports.as_seen_by(ctx, actor.id, with_live_replies(ctx, items, me.cleared_seq))
    return [as_seen(m, now) for m in items], next_cursor


def get_message(ctx: ServiceContext, actor: User, message_id: str) -> Message:
    message, me = visible_message(ctx, actor, message_id)
    [message] = reports.as_seen_by(ctx, actor.id, [_with_live_reply(ctx, message, me.cleared_seq)])
    return as_seen(message, ctx.clock.now())


@unit_of_work
def edit_message(
    ctx: ServiceContext, actor: User, message_id: str, content: str
) -> tuple[Message, list[dict]]:
    """The edited message and the warnings the new text raised (it is flagged if any)."""
    message, me = visible_message(ctx, actor, message_id)
    refusal = permissions.edit_refusal(actor, message, ctx.clock.now(), ctx.rules.edit_window)
    if refusal is not None:
        raise refusal
    text = (content or "").strip()
    if not text and message.type == "text":
        raise ValidationFailed.field("content", "must not be empty")
    if len(text) > ctx.rules.max_content_chars:
        raise ValidationFailed.field(
            "content", f"must be at most {ctx.rules.max_content_chars} characters"
        )
    warnings = moderation.screen_text(ctx, message.conversation_id, text)
    draft = replace(message, content=text)
    edited = ctx.store.messages.edit(message_id, text, preview_of(draft), ctx.clock.now())
    assert edited is not None
    if warnings and ctx.store.messages.set_flagged(message_id, True):
        edited = replace(edited, flagged=True)
    edited = _with_live_reply(ctx, edited, me.cleared_seq)
    ctx.events.publish(
        reports.update_events(ctx, edited, "edited", audience_of(ctx, edited.conversation_id))
    )
    return edited, warnings


def delete_message(ctx: ServiceContext, actor: User, message_id: str) -> None:
    """Delete for everyone: the sender, a group owner/admin, or a platform admin. The bytes of
    files no message carries any more are removed once the deletion has committed."""
    released = ctx.run_in_unit(lambda: _delete_for_everyone(ctx, actor, message_id))
    files.delete_bytes(ctx, released)


def _delete_for_everyone(ctx: ServiceContext, actor: User, message_id: str) -> list[FileMeta]:
    message = ctx.store.messages.get(message_id)
    if message is None:
        raise NotFound("message not found")
    conversation = ctx.store.conversations.get(message.conversation_id)
    if conversation is None:
        raise NotFound("message not found")
    me = None
    if not actor.is_admin:  # a platform admin deletes what it cannot see (moderation)
        message, me = visible_message(ctx, actor, message_id)
    refusal = permissions.delete_refusal(actor, message, conversation, me)
    if refusal is not None:
        raise refusal
    deleted = ctx.store.messages.delete_for_everyone(message_id, "Message deleted", ctx.clock.now())
    if deleted is None:
        return []  # already deleted: deleting again changes nothing
    released = ctx.store.files.release([meta.id for meta in message.attachments])
    deleted = replace(deleted, reply_to=None)  # a deleted message quotes nothing either
    audience = tuple(conversation.participant_ids)
    ctx.events.publish(
        [
            MessageUpdated(deleted, "deleted", audience),
            ConversationUpdated(conversation.id, audience),
        ]
    )
    return released


@unit_of_work
def delete_for_me(ctx: ServiceContext, actor: User, message_id: str) -> None:
    message, _ = visible_message(ctx, actor, message_id)
    if ctx.store.messages.hide_for(message.id, actor.id):
        ctx.events.publish([ConversationUpdated(message.conversation_id, (actor.id,))])


@unit_of_work
def react(ctx: ServiceContext, actor: User, message_id: str, emoji: str | None) -> Message:
    """Sets (or with None removes) the actor's one reaction on a message."""
    message, me = visible_message(ctx, actor, message_id)
    if emoji is not None:
        emoji = emoji.strip()
        if not emoji or len(emoji) > 16 or not emoji_lib.is_emoji(emoji):
            raise ValidationFailed.field("emoji", "must be a single emoji")
    if message.deleted:
        raise Conflict("this message was deleted")
    if message.reactions.get(actor.id) == emoji:
        return _with_live_reply(ctx, message, me.cleared_seq)
    updated = ctx.store.messages.set_reaction(message.id, actor.id, emoji)
    assert updated is not None
    updated = _with_live_reply(ctx, updated, me.cleared_seq)
    ctx.events.publish(
        reports.update_events(ctx, updated, "reaction", audience_of(ctx, updated.conversation_id))
    )
    return updated
