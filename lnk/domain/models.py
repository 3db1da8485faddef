"""Domain objects: plain dataclasses shared by services, storage adapters and views.

No Flask and no database here. Datetimes are timezone-aware UTC; ids are 24-hex ObjectId strings;
money is ``Decimal``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

USER_ROLES = ("user", "admin")
PARTICIPANT_ROLES = ("owner", "admin", "member")
MESSAGE_TYPES = ("text", "media", "service_offer", "booking_request", "location", "system")
OFFER_STATUSES = ("pending", "accepted", "declined", "withdrawn", "expired")
REQUEST_STATUSES = ("pending", "confirmed", "declined", "cancelled", "expired")


@dataclass
class User:
    id: str
    username: str
    display_name: str
    password_hash: str
    role: str = "user"
    suspended: bool = False
    avatar_url: str | None = None
    created_at: datetime | None = None
    # When the user's last socket went away (see lnk/services/presence.py); None: never seen.
    last_seen_at: datetime | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


@dataclass
class Participant:
    """One user's membership of a conversation and its own view state.

    ``cleared_seq``: messages with ``seq <= cleared_seq`` are invisible to this user (set when it
    deletes the conversation for itself, or joins a group later). ``deleted_at`` is set by that soft
    delete and cleared again when a new message makes the conversation reappear.
    ``last_read_seq`` is a watermark: every countable message up to it has been read.
    """

    conversation_id: str
    user_id: str
    role: str = "member"
    joined_at: datetime | None = None
    unread_count: int = 0
    archived: bool = False
    muted: bool = False
    deleted_at: datetime | None = None
    cleared_seq: int = 0
    last_read_seq: int = 0
    last_activity_at: datetime | None = None


@dataclass
class LastMessage:
    id: str
    seq: int
    sender_id: str
    type: str
    preview: str
    created_at: datetime


@dataclass
class Conversation:
    id: str
    type: str  # "direct" | "group"
    title: str | None
    created_by: str
    created_at: datetime
    updated_at: datetime
    last_seq: int = 0
    last_message: LastMessage | None = None
    last_message_at: datetime | None = None
    participants: list[Participant] = field(default_factory=list)

    def participant(self, user_id: str) -> Participant | None:
        for p in self.participants:
            if p.user_id == user_id:
                return p
        return None

    @property
    def participant_ids(self) -> list[str]:
        return [p.user_id for p in self.participants]


@dataclass
class FileMeta:
    id: str
    owner_id: str
    name: str
    size: int
    mime_type: str
    storage_key: str
    width: int | None = None
    height: int | None = None
    thumbnail_key: str | None = None
    created_at: datetime | None = None


@dataclass
class Location:
    latitude: float
    longitude: float
    name: str | None = None
    address: str | None = None


@dataclass
class ServiceOffer:
    service_package_id: str
    title: str
    description: str
    price: Decimal
    currency: str
    duration_minutes: int
    note: str | None
    status: str
    expires_at: datetime
    responded_at: datetime | None = None
    booking_id: str | None = None


@dataclass
class BookingRequest:
    service_package_id: str
    provider_id: str
    title: str
    requested_start: datetime
    duration_minutes: int
    note: str | None
    status: str
    expires_at: datetime
    booking_id: str | None = None
    responded_at: datetime | None = None
    # The package's price when the request was sent: the booking is made at this price even
    # if the provider changes the package meanwhile (None only on requests sent before).
    price: Decimal | None = None
    currency: str | None = None
    # Why it was declined when the system declined it: "overlap" (the provider confirmed another
    # booking at an overlapping time); None when a person declined it.
    declined_because: str | None = None


@dataclass
class ReplyPreview:
    """What a reply shows of the message it answers. Stored as a reference only: ``preview``
    (and ``seq``) are filled from the original as it is when the reply is read."""

    id: str
    sender_id: str
    type: str
    preview: str
    seq: int | None = None


@dataclass
class Message:
    id: str
    conversation_id: str
    sender_id: str
    type: str
    seq: int
    created_at: datetime
    content: str = ""
    client_id: str | None = None
    attachments: list[FileMeta] = field(default_factory=list)
    location: Location | None = None
    service_offer: ServiceOffer | None = None
    booking_request: BookingRequest | None = None
    reply_to: ReplyPreview | None = None
    reactions: dict[str, str] = field(default_factory=dict)  # user id -> emoji
    edited_at: datetime | None = None
    deleted: bool = False
    flagged: bool = False
    counts_unread: bool = True  # decided by the services when it is sent
    # Hidden pending review (reported by enough users): set on the copy shown to a viewer.
    held: bool = False


@dataclass
class MessageRead:
    message_id: str
    user_id: str
    read_at: datetime


@dataclass
class ServicePackage:
    id: str
    owner_id: str
    title: str
    description: str
    price: Decimal
    currency: str
    duration_minutes: int
    active: bool = True
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass
class Booking:
    id: str
    service_package_id: str
    provider_id: str
    client_id: str
    conversation_id: str
    message_id: str
    start: datetime | None
    duration_minutes: int
    price: Decimal
    currency: str
    status: str = "confirmed"
    created_at: datetime | None = None
