"""Notification state: a user's address and choices, browser push subscriptions, and the outbox
of notifications waiting to be sent. Plain dataclasses, like the rest of the domain."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

EMAIL_MODES = ("all", "deals", "off")

# An address we can mail: one @, a dotted domain, no white space, a local part of at most 64
# characters, at most 254 in all. The API schemas publish the same pattern.
EMAIL_PATTERN = r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$"
EMAIL_MAX_LENGTH = 254
CHANNELS = ("email", "push")

# Outbox item kinds: a digest of one conversation for one user and channel, or an address check.
KIND_CONVERSATION = "conversation"
KIND_VERIFY_EMAIL = "verify_email"

# Why a message is in a digest: a new chat message, a new offer or booking request, or a change of
# an offer's or request's state. Reading the message cancels the first two, not a state change.
REASON_MESSAGE = "message"
REASON_DEAL = "deal"
REASON_DEAL_UPDATE = "deal_update"

# pending: waiting for due_at; retry: a temporary failure, waiting again; sending: claimed by a
# worker until lease_until; then sent, cancelled (nothing left to say) or failed (given up).
STATUS_PENDING = "pending"
STATUS_RETRY = "retry"
STATUS_SENDING = "sending"
STATUS_SENT = "sent"
STATUS_CANCELLED = "cancelled"
STATUS_FAILED = "failed"
FINISHED = (STATUS_SENT, STATUS_CANCELLED, STATUS_FAILED)


@dataclass
class NotificationSettings:
    user_id: str
    email: str | None = None
    email_verified: bool = False
    email_mode: str = "all"  # all | deals | off
    push: bool = True


@dataclass
class PushSubscription:
    id: str
    user_id: str
    endpoint: str
    p256dh: str  # the browser's public key (base64url)
    auth: str  # the browser's auth secret (base64url)
    created_at: datetime | None = None


@dataclass(frozen=True)
class OutboxEntry:
    """One message a notification is about, and why."""

    message_id: str
    reason: str


@dataclass
class NewNotification:
    """What a service asks the outbox to send. Conversation digests with the same user,
    channel and conversation merge into one pending item: entries add up, the earliest due time
    wins."""

    kind: str
    channel: str
    user_id: str
    due_at: datetime
    conversation_id: str | None = None
    entries: tuple[OutboxEntry, ...] = ()
    payload: dict = field(default_factory=dict)

    @property
    def group_key(self) -> str | None:
        if self.kind != KIND_CONVERSATION or self.conversation_id is None:
            return None
        return f"{self.channel}:{self.user_id}:{self.conversation_id}"


@dataclass
class OutboxItem:
    id: str
    kind: str
    channel: str
    user_id: str
    conversation_id: str | None
    entries: list[OutboxEntry]
    payload: dict
    due_at: datetime
    status: str
    attempts: int = 0
    claimed_by: str | None = None
    lease_until: datetime | None = None
    last_error: str | None = None
    created_at: datetime | None = None
    sent_at: datetime | None = None
