"""Last seen: when a user's last socket went away, kept in the store so that it outlives the
socket (a reloaded page shows it), and who may see it.

Rules:
- It is recorded once per offline transition, by the process that announces the user offline
  (the presence registry claims that announcement atomically, so with several processes sharing
  Redis exactly one records it): the moment the last socket left, or, for the users of a process
  that died, when the survivors found it dead. A recorded instant never moves backwards.
- Only people who share a conversation with the user see it, and not while either of the two
  blocks the other (the same audience as ``userOnline``/``userOffline``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from lnk.domain.models import Conversation, User
from lnk.services import blocks, conversations
from lnk.services.context import ServiceContext


def record(ctx: ServiceContext, seen: Mapping[str, datetime]) -> None:
    """Stores the instants of users announced offline (user id -> when), in one write."""
    ctx.store.users.record_last_seen(seen)


def in_conversation(
    ctx: ServiceContext, viewer: User, conversation: Conversation, users: Mapping[str, User]
) -> dict[str, datetime]:
    """When the conversation's other participants were last seen, as ``viewer`` may see it
    (``users`` holds the participants, as the pages load them anyway); those never seen, and
    those hidden from the viewer by a block, are left out."""
    if conversation.participant(viewer.id) is None:
        return {}
    hidden = blocks.hidden_from(ctx, viewer.id)
    seen = {}
    for user_id in conversation.participant_ids:
        user = users.get(user_id)
        if user_id == viewer.id or user_id in hidden or user is None:
            continue
        if user.last_seen_at is not None:
            seen[user_id] = user.last_seen_at
    return seen


def of_user(ctx: ServiceContext, viewer: User, user: User) -> datetime | None:
    """When ``user`` was last seen, if ``viewer`` may see it (itself, or a contact)."""
    if user.last_seen_at is None or user.id == viewer.id:
        return user.last_seen_at
    if user.id in blocks.hidden_from(ctx, viewer.id):
        return None
    if user.id not in conversations.contacts_of(ctx, viewer.id):
        return None
    return user.last_seen_at
