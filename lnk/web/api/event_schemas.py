"""Payloads of the ``/messaging`` Socket.IO events (pydantic, camelCase on the wire).

They describe the events for the AsyncAPI document (``asyncapi.py``) and reuse the response
models of the HTTP API, so a message or a conversation has one schema in both documents. The
payloads themselves are built by ``lnk.presenters`` and the realtime package.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from lnk.services.context import Rules
from lnk.web.api.schemas import ConversationOut, Instant, MessageOut, Schema

ConversationId = Annotated[str, Field(min_length=1, max_length=64)]

# --- client -> server -------------------------------------------------------------------------


class ConversationRef(Schema):
    """``joinConversation``, ``leaveConversation`` and ``getOnlineUsers``."""

    conversation_id: ConversationId


class TypingIn(Schema):
    conversation_id: ConversationId
    typing: bool = Field(
        default=True, description="false ends it; an unrenewed typing state ends after 6 s"
    )


class MarkAsReadIn(Schema):
    conversation_id: ConversationId
    message_ids: (
        Annotated[
            list[Annotated[str, Field(min_length=1, max_length=64)]],
            Field(
                max_length=Rules.max_read_ids,
                description="the messages to mark read; without it, every message",
            ),
        ]
        | None
    ) = None


# --- acknowledgements -------------------------------------------------------------------------


class AckError(Schema):
    code: str = Field(description="the same codes as the HTTP problems, e.g. `not_found`")
    message: str


class ErrorAck(Schema):
    """Any event's acknowledgement when it failed; the socket stays connected."""

    ok: Literal[False]
    error: AckError


class ConversationAck(Schema):
    ok: Literal[True]
    conversation_id: str


class TypingAck(ConversationAck):
    typing: bool


class MarkAsReadAck(ConversationAck):
    marked_count: int
    unread_count: int


class OnlineUsersAck(ConversationAck):
    user_ids: list[str] = Field(description="the participants online now (the caller included)")


# --- server -> client -------------------------------------------------------------------------


class ConnectionStatusEvent(Schema):
    status: Literal["connected"]
    user_id: str
    server_time: Instant


class NewMessageEvent(Schema):
    conversation_id: str
    message: MessageOut


class MessageUpdatedEvent(Schema):
    conversation_id: str
    message: MessageOut
    action: Literal["edited", "deleted", "reaction", "offer", "booking", "held", "released"] = (
        Field(
            description="`held`: hidden pending review (sent to everyone but the sender, without "
            "content); `released`: shown again after a moderator dismissed the reports"
        )
    )


class MessageReadEvent(Schema):
    conversation_id: str
    user_id: str
    message_ids: list[str]
    read_at: Instant


class UserTypingEvent(Schema):
    conversation_id: str
    user_id: str
    typing: bool


class UserOnlineEvent(Schema):
    user_id: str


class UserOfflineEvent(Schema):
    user_id: str
    last_seen_at: Instant


class BlockUpdatedEvent(Schema):
    """To both people, each from its own side, when one blocks or unblocks the other."""

    user_id: str = Field(description="the other person")
    blocking: bool = Field(description="the recipient blocks that person")
    blocked_by: bool = Field(description="that person blocks the recipient")
    online: bool = Field(
        description="that person is online now; always false while either blocks the other "
        "(no userOnline or userOffline passes between them then)"
    )


class ResyncEvent(Schema):
    reason: Literal["reconnected", "peer_backlog_dropped", "render_failed"] = Field(
        description="reconnected: this process's link to the message queue was down; "
        "peer_backlog_dropped: another process dropped events it could not publish; "
        "render_failed: a page view could not be rendered (page sockets only)"
    )
    conversation_id: str | None = Field(
        default=None, description="the conversation concerned, when only one is"
    )


class ConversationUpdatedEvent(Schema):
    conversation: ConversationOut = Field(description="as the recipient sees it")


class ConnectError(Schema):
    """The data of ``connect_error`` when the server refuses a connection."""

    message: Literal["unauthorized", "unavailable"]
    data: AckError | None = None
