"""Request and response schemas of the JSON API (pydantic v2, camelCase on the wire).

Request models ignore unknown fields; JSON bodies are validated in strict mode (see
``routing``). Response models document the payloads for OpenAPI; the payloads themselves are built
by ``lnk.presenters``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from pydantic.alias_generators import to_camel

from lnk.domain.names import NAME_PATTERN
from lnk.domain.notifications import EMAIL_MAX_LENGTH, EMAIL_PATTERN
from lnk.services.context import Rules
from lnk.services.pagination import MAX_SAFE_INT

ObjectId = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{24}$")]
# An email address, or "" where an empty string means "none".
EmailAddress = Annotated[
    str, StringConstraints(max_length=EMAIL_MAX_LENGTH, pattern=f"^$|{EMAIL_PATTERN}")
]
Limit = Annotated[int, Field(ge=1, description="page size; values above 100 are clamped")]
Cursor = Annotated[
    str,
    StringConstraints(max_length=512),
    Field(
        description="the `nextCursor` of the previous page; a cursor this list did not return "
        "is a 422 with `errors.cursor`"
    ),
]
ClientId = Annotated[
    str,
    StringConstraints(min_length=1, max_length=64),
    Field(
        description="chosen by the client to make the send idempotent, unique per sender in a "
        "conversation: repeating it in the same conversation with the same kind of send returns "
        "the first message with 200 and sends nothing; repeating it with another kind of send "
        "(text or media vs. location) is a 409 `conflict`; other conversations have their own"
    ),
]


def Name(max_length: int) -> type[str]:  # noqa: N802 (a type)
    """A name a person types: no control or formatting characters (emoji joiners excepted); the
    pattern documents ``lnk.domain.names``, which applies the rule."""
    return Annotated[  # type: ignore[return-value]
        str,
        StringConstraints(max_length=max_length),
        Field(
            json_schema_extra={"pattern": NAME_PATTERN},
            description="no control or formatting characters (emoji joiners excepted); "
            "stored NFC-normalised and trimmed",
        ),
    ]


# An instant: ISO 8601 in UTC with milliseconds, e.g. 2026-01-31T12:00:00.000Z.
Instant = datetime


class Schema(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")


# --- requests -------------------------------------------------------------------------------


class RegisterBody(Schema):
    username: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]{3,32}$")]
    password: Annotated[str, StringConstraints(min_length=8, max_length=128)]
    display_name: Name(64) | None = None
    email: EmailAddress | None = None


class LoginBody(Schema):
    username: Annotated[str, StringConstraints(max_length=64)]
    password: Annotated[str, StringConstraints(max_length=128)]


class LogoutBody(Schema):
    refresh_token: Annotated[str, StringConstraints(max_length=4096)] | None = None


class PasswordChangeBody(Schema):
    current_password: Annotated[str, StringConstraints(max_length=128)]
    new_password: Annotated[str, StringConstraints(min_length=8, max_length=128)]


class UserQuery(Schema):
    q: Annotated[str, StringConstraints(max_length=64)] | None = None
    limit: Limit | None = None
    cursor: Cursor | None = None


class CreateConversationBody(Schema):
    type: Literal["direct", "group"]
    participant_ids: Annotated[list[ObjectId], Field(min_length=1, max_length=256)]
    title: Name(100) | None = None


class ConversationListQuery(Schema):
    archived: bool = False
    limit: Limit | None = None
    cursor: Cursor | None = None


Role = Literal["owner", "admin", "member"]


class UpdateConversationBody(Schema):
    title: Name(100) | None = None
    muted: bool | None = None
    add_participant_ids: Annotated[list[ObjectId], Field(max_length=256)] | None = None
    remove_participant_ids: Annotated[list[ObjectId], Field(max_length=256)] | None = None
    participant_roles: dict[ObjectId, Role] | None = None


Content = Annotated[
    str,
    StringConstraints(max_length=Rules.max_content_chars),
    Field(description=f"at most {Rules.max_content_chars} characters; trimmed"),
]


def _absent_or(name: str, empty: dict) -> dict:
    """JSON Schema: the field is missing, null, or ``empty``."""
    return {
        "anyOf": [
            {"not": {"required": [name]}},
            {"properties": {name: {"type": "null"}}},
            {"properties": {name: empty}},
        ]
    }


class SendMessageBody(Schema):
    """Text, or a media message when ``attachmentIds`` are given (``content`` is then the
    caption): at least one of non-blank ``content`` and ``attachmentIds``."""

    # "Not (no text and no attachments)": a ``not`` rather than a top-level ``anyOf``, which
    # client generators would turn into a union of bodies without the other fields.
    model_config = ConfigDict(
        json_schema_extra={
            "not": {
                "allOf": [
                    _absent_or("content", {"pattern": r"^\s*$"}),
                    _absent_or("attachmentIds", {"maxItems": 0}),
                ]
            }
        }
    )

    content: Content | None = None
    attachment_ids: (
        Annotated[
            list[ObjectId],
            Field(
                max_length=Rules.max_attachments,
                description="ids of the sender's own uploads, each at most once",
            ),
        ]
        | None
    ) = None
    reply_to_id: ObjectId | None = None
    client_id: ClientId | None = None


class LocationBody(Schema):
    latitude: Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
    longitude: Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]
    name: Name(200) | None = None
    address: Name(500) | None = None
    client_id: ClientId | None = None


class MessageListQuery(Schema):
    before: ObjectId | None = None
    after: ObjectId | None = None
    after_seq: Annotated[int, Field(ge=0, le=MAX_SAFE_INT)] | None = None
    limit: Limit | None = None
    cursor: Cursor | None = None


class BulkReadBody(Schema):
    message_ids: (
        Annotated[
            list[ObjectId],
            Field(
                max_length=Rules.max_read_ids,
                description="the messages to mark read; without it, every message",
            ),
        ]
        | None
    ) = None


class SearchQuery(Schema):
    q: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    conversation_id: ObjectId | None = None
    limit: Limit | None = None
    cursor: Cursor | None = None


class EditMessageBody(Schema):
    content: Annotated[
        Content, Field(description="the new text or caption; a text message's must not be blank")
    ]


class ReactionBody(Schema):
    emoji: Annotated[
        str,
        StringConstraints(min_length=1, max_length=64),
        Field(
            description="a single emoji (one Unicode emoji, with its modifiers and joiners, at "
            "most 16 code points after trimming), e.g. 👍; anything else is a 422",
            examples=["👍"],
        ),
    ]


# --- responses (documentation) --------------------------------------------------------------


class UserOut(Schema):
    id: str
    username: str
    display_name: str
    avatar_url: str | None
    role: Literal["user", "admin"]
    created_at: Instant


class MeOut(UserOut):
    """``user`` as its owner sees it."""

    email: str | None
    email_verified: bool


class ResponseStatsOut(Schema):
    response_rate: float | None
    median_first_response_minutes: int | None
    conversations: int


class UserDetailOut(UserOut):
    response_stats: ResponseStatsOut | None
    last_seen_at: Instant | None = Field(
        description="When the user's last connection went away; null unless the caller shares "
        "a conversation with the user and neither blocks the other (or it was never seen). "
        "Whether it is online now comes from `getOnlineUsers`/`userOnline`."
    )


class AuthOut(Schema):
    user: MeOut
    access_token: str
    refresh_token: str


class TokenPairOut(Schema):
    access_token: str
    refresh_token: str


class UserSummaryOut(Schema):
    id: str
    username: str | None
    display_name: str
    avatar_url: str | None


class ParticipantOut(Schema):
    user_id: str
    role: Role
    joined_at: Instant
    user: UserSummaryOut


class LastMessageOut(Schema):
    id: str
    seq: int
    sender_id: str
    type: str
    preview: str
    created_at: Instant


class ConversationOut(Schema):
    id: str
    type: Literal["direct", "group"]
    title: str | None
    created_by: str
    created_at: Instant
    updated_at: Instant
    participants: list[ParticipantOut]
    last_message: LastMessageOut | None
    last_message_at: Instant | None
    unread_count: int
    archived: bool
    muted: bool


class UnreadCountOut(Schema):
    conversation_id: str
    unread_count: int


class FileOut(Schema):
    id: str
    url: str
    name: str
    size: int
    mime_type: str
    width: int | None
    height: int | None
    thumbnail_url: str | None


class LocationOut(Schema):
    latitude: float
    longitude: float
    name: str | None
    address: str | None


class ServiceOfferOut(Schema):
    service_package_id: str
    title: str
    description: str
    price: float
    currency: str
    duration_minutes: int
    note: str | None
    status: Literal["pending", "accepted", "declined", "withdrawn", "expired"]
    expires_at: Instant
    responded_at: Instant | None
    booking_id: str | None


class BookingRequestOut(Schema):
    service_package_id: str
    title: str
    requested_start: Instant
    duration_minutes: int
    note: str | None
    status: Literal["pending", "confirmed", "declined", "cancelled", "expired"]
    expires_at: Instant
    booking_id: str | None
    responded_at: Instant | None
    price: float | None = Field(
        None, description="the package price when the request was sent; the booking uses it"
    )
    currency: str | None = None
    declined_because: Literal["overlap"] | None = Field(
        None,
        description="set when the server declined it: `overlap` means the provider confirmed "
        "another booking at an overlapping time",
    )


class ReplyOut(Schema):
    id: str
    sender_id: str
    type: str
    preview: str


class ReactionOut(Schema):
    emoji: str
    count: int
    user_ids: list[str]


class MessageOut(Schema):
    id: str
    conversation_id: str
    sender_id: str
    type: Literal["text", "media", "service_offer", "booking_request", "location", "system"]
    content: str
    attachments: list[FileOut]
    location: LocationOut | None
    service_offer: ServiceOfferOut | None
    booking_request: BookingRequestOut | None
    reply_to: ReplyOut | None
    reactions: list[ReactionOut]
    seq: int
    client_id: str | None
    created_at: Instant
    edited_at: Instant | None
    deleted: bool
    held_for_review: bool = Field(
        description="reported by enough users and hidden pending review: others get it without "
        "content, files, location or deal; its sender still sees it whole"
    )


class WarningOut(Schema):
    code: str
    message: str


class SentMessageOut(MessageOut):
    warnings: list[WarningOut] | None = None


class SearchHitOut(MessageOut):
    conversation_title: str | None


class BulkReadOut(Schema):
    conversation_id: str
    marked_count: int
    unread_count: int


class ReadOut(Schema):
    message_id: str
    read_at: Instant | None
    unread_count: int


class ReadEntryOut(Schema):
    user_id: str
    read_at: Instant


class ReadsOut(Schema):
    message_id: str
    reads: list[ReadEntryOut]


T = TypeVar("T")


class ListOut(Schema, Generic[T]):
    items: list[T]
    next_cursor: str | None


class ProblemOut(BaseModel):
    """An RFC 9457 problem; ``code`` is machine-readable, ``errors`` names invalid fields."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    code: str
    errors: dict[str, list[str]] | None = None
