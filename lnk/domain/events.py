"""Domain events: past-tense facts that services publish after their write has committed.

The realtime broadcaster subscribes to them and decides rooms and payloads; services never know
about Socket.IO. ``audience`` is always the list of user ids that must hear about the event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from lnk.domain.models import Message


@dataclass(frozen=True)
class MessageSent:
    message: Message
    audience: tuple[str, ...]


@dataclass(frozen=True)
class MessageResent:
    """A send repeated with the same ``clientId``: nothing new was stored, but the message is
    announced again (an earlier announcement may have been lost; clients dedupe by id)."""

    message: Message
    audience: tuple[str, ...]


@dataclass(frozen=True)
class MessageUpdated:
    """An existing message changed; ``action`` is edited|deleted|reaction|offer|booking, or
    held|released (hidden pending review, or shown again; sent to everyone but the sender)."""

    message: Message
    action: str
    audience: tuple[str, ...]


@dataclass(frozen=True)
class MessagesRead:
    conversation_id: str
    user_id: str
    message_ids: tuple[str, ...]
    read_at: datetime
    audience: tuple[str, ...]  # the other participants; the reader gets ConversationUpdated


@dataclass(frozen=True)
class ConversationUpdated:
    """A conversation's state changed for these users; each must get its own view of it."""

    conversation_id: str
    audience: tuple[str, ...]


@dataclass(frozen=True)
class UserSuspended:
    user_id: str


@dataclass(frozen=True)
class LoginsEnded:
    """These logins of the user were revoked (logout, logout everywhere, password change): the
    sockets opened with their tokens must close."""

    user_id: str
    login_ids: tuple[str, ...]


@dataclass(frozen=True)
class BlockChanged:
    """``blocker_id`` blocked or unblocked ``blocked_id``: both must learn what may pass between
    them now (each direction can still hold a block of its own)."""

    blocker_id: str
    blocked_id: str


DomainEvent = (
    MessageSent
    | MessageResent
    | MessageUpdated
    | MessagesRead
    | ConversationUpdated
    | UserSuspended
    | LoginsEnded
    | BlockChanged
)
