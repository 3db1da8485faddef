"""Who may do what to a message: each rule once, as a refusal (the error a service raises) and
as a predicate (what the pages ask before offering the action)."""

from __future__ import annotations

from datetime import datetime, timedelta

from lnk.domain.models import Conversation, Message, Participant, User
from lnk.errors import Conflict, EditWindowExpired, Forbidden, LnkError, ValidationFailed

MANAGER_ROLES = ("owner", "admin")
EDITABLE_TYPES = ("text", "media")


def manages(conversation: Conversation, me: Participant | None) -> bool:
    """A group's owner or admins manage it (direct conversations have no managers)."""
    return conversation.type == "group" and me is not None and me.role in MANAGER_ROLES


def edit_refusal(
    actor: User, message: Message, now: datetime, edit_window: timedelta
) -> LnkError | None:
    """Why ``actor`` may not edit ``message`` now, or None: only the sender, only text and
    captions, not once deleted, and only within the edit window."""
    if message.sender_id != actor.id:
        return Forbidden("only the sender may edit a message")
    if message.type not in EDITABLE_TYPES:
        return ValidationFailed.field("content", "only text messages and captions can be edited")
    if message.deleted:
        return Conflict("this message was deleted")
    if now - message.created_at > edit_window:
        hours = int(edit_window.total_seconds() // 3600)
        return EditWindowExpired(f"messages can be edited for {hours} hours")
    return None


def can_edit(actor: User, message: Message, now: datetime, edit_window: timedelta) -> bool:
    return edit_refusal(actor, message, now, edit_window) is None


def delete_refusal(
    actor: User, message: Message, conversation: Conversation, me: Participant | None
) -> LnkError | None:
    """Why ``actor`` may not delete ``message`` for everyone, or None: the sender, a group's
    owner or admins, or a platform admin; never a system message. (Deleting a deleted message
    again is allowed and changes nothing.)"""
    if not (actor.is_admin or message.sender_id == actor.id or manages(conversation, me)):
        return Forbidden("only the sender or a group admin may delete this message")
    if message.type == "system":
        return ValidationFailed.field("id", "system messages cannot be deleted")
    return None


def can_delete(
    actor: User, message: Message, conversation: Conversation, me: Participant | None
) -> bool:
    return not message.deleted and delete_refusal(actor, message, conversation, me) is None
