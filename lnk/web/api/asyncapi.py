"""The AsyncAPI 3.0 document of the ``/messaging`` Socket.IO namespace, generated from the
pydantic models of ``event_schemas`` (which reuse the HTTP API's message and conversation
models). Served at ``/asyncapi.json``."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from flask import Blueprint, jsonify, request
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from lnk.web.api import event_schemas as e

bp = Blueprint("asyncapi", __name__)

REF = "#/components/schemas/{model}"
CHANNEL = {"$ref": "#/channels/messaging"}


@dataclass(frozen=True)
class ClientEvent:
    """An event the client emits; the server answers through the acknowledgement."""

    name: str
    summary: str
    payload: type[BaseModel]
    ack: type[BaseModel]


@dataclass(frozen=True)
class ServerEvent:
    name: str
    summary: str
    payload: type[BaseModel]


CLIENT_EVENTS = [
    ClientEvent(
        "joinConversation",
        "Join a conversation's room (participants only): typing of the others reaches the socket.",
        e.ConversationRef,
        e.ConversationAck,
    ),
    ClientEvent("leaveConversation", "Leave the room.", e.ConversationRef, e.ConversationAck),
    ClientEvent(
        "typing",
        "Start or stop typing; others in the room get `userTyping`.",
        e.TypingIn,
        e.TypingAck,
    ),
    ClientEvent(
        "markAsRead",
        "Mark messages (or every message) read, as `markMessagesRead` over HTTP.",
        e.MarkAsReadIn,
        e.MarkAsReadAck,
    ),
    ClientEvent(
        "getOnlineUsers",
        "Which participants are online.",
        e.ConversationRef,
        e.OnlineUsersAck,
    ),
]

SERVER_EVENTS = [
    ServerEvent("connectionStatus", "To the socket once connected.", e.ConnectionStatusEvent),
    ServerEvent(
        "newMessage",
        "A message was sent in one of the user's conversations (however it was sent).",
        e.NewMessageEvent,
    ),
    ServerEvent(
        "messageUpdated",
        "A message was edited, deleted, reacted to or answered.",
        e.MessageUpdatedEvent,
    ),
    ServerEvent("messageRead", "Another participant read messages.", e.MessageReadEvent),
    ServerEvent(
        "userTyping",
        "Another participant in a joined room starts or stops typing.",
        e.UserTypingEvent,
    ),
    ServerEvent(
        "userOnline", "A user sharing a conversation connected its first socket.", e.UserOnlineEvent
    ),
    ServerEvent(
        "userOffline", "That user's last socket disconnected (after a grace).", e.UserOfflineEvent
    ),
    ServerEvent(
        "conversationUpdated",
        "Title, members, archive or mute changed, or the user's unread count changed other than "
        "by a new message.",
        e.ConversationUpdatedEvent,
    ),
    ServerEvent(
        "blockUpdated",
        "The user blocked or unblocked someone, or someone blocked or unblocked the user: what "
        "now stands between the two. While either blocks the other, nothing can be sent in "
        "their direct conversation and neither sees the other's presence or typing.",
        e.BlockUpdatedEvent,
    ),
    ServerEvent(
        "resync",
        "This socket may have missed events: catch up every shown conversation with afterSeq "
        "from the last seq held without a gap, refresh the conversation list and ask "
        "getOnlineUsers again. Events are delivered at least once: dedupe by message id.",
        e.ResyncEvent,
    ),
    ServerEvent("connect_error", "The connection was refused.", e.ConnectError),
]


@cache
def build_document() -> dict:
    """The document without ``servers`` (which name the host the request came to)."""
    models = {e.ErrorAck}
    for event in CLIENT_EVENTS:
        models |= {event.payload, event.ack}
    models |= {event.payload for event in SERVER_EVENTS}
    ordered = sorted(models, key=lambda m: m.__name__)
    refs, top = models_json_schema([(m, "serialization") for m in ordered], ref_template=REF)

    def schema(model: type[BaseModel]) -> dict:
        return refs[(model, "serialization")]

    messages: dict[str, dict] = {}
    operations: dict[str, dict] = {}
    for event in SERVER_EVENTS:
        messages[event.name] = _message(event.name, event.summary, schema(event.payload))
        operations[f"on{event.name[0].upper()}{event.name[1:]}"] = {
            "action": "receive",
            "channel": CHANNEL,
            "summary": event.summary,
            "messages": [{"$ref": f"#/channels/messaging/messages/{event.name}"}],
        }
    for event in CLIENT_EVENTS:
        ack = f"{event.name}Ack"
        messages[event.name] = _message(event.name, event.summary, schema(event.payload))
        messages[ack] = _message(
            ack,
            f"The acknowledgement of `{event.name}`.",
            {"oneOf": [schema(event.ack), schema(e.ErrorAck)]},
        )
        operations[event.name] = {
            "action": "send",
            "channel": CHANNEL,
            "summary": event.summary,
            "messages": [{"$ref": f"#/channels/messaging/messages/{event.name}"}],
            "reply": {
                "channel": CHANNEL,
                "messages": [{"$ref": f"#/channels/messaging/messages/{ack}"}],
            },
        }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "LNK messaging realtime API",
            "version": "1.0.0",
            "description": "Socket.IO 4 (Engine.IO 4, WebSocket with long-polling fallback) "
            "namespace `/messaging`. Connect with `auth: {token: <accessToken>}` (or the login "
            "cookie); a refused connection gets `connect_error`. Client events are answered "
            "through the acknowledgement callback with `{ok: true, ...}` or `{ok: false, "
            "error}`. Messages and conversations have the same schemas as in `/openapi.json`. "
            "(Sockets that connect with `auth: {fragments: true}`, as the browser pages do, get "
            "`newMessage` and `messageUpdated` rendered as HTML instead; not described here.)",
        },
        "defaultContentType": "application/json",
        "channels": {
            "messaging": {
                "address": "/messaging",
                "title": "The /messaging namespace",
                "description": "Every socket of a user receives each event once.",
                "messages": {name: {"$ref": f"#/components/messages/{name}"} for name in messages},
            }
        },
        "operations": operations,
        "components": {
            "messages": messages,
            "schemas": top.get("$defs", {}),
            "securitySchemes": {
                "accessToken": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "JWT",
                    "description": "The access token, sent as `auth: {token}` in the Socket.IO "
                    "connect packet.",
                }
            },
        },
    }


def _message(name: str, summary: str, payload: dict) -> dict:
    return {"name": name, "title": name, "summary": summary, "payload": payload}


def document_for_request() -> dict:
    secure = request.scheme == "https"
    server = {
        "host": request.host,
        "protocol": "wss" if secure else "ws",
        "pathname": "/socket.io/",
        "description": "Socket.IO endpoint of this server",
        "security": [{"$ref": "#/components/securitySchemes/accessToken"}],
    }
    document = build_document()
    return {**document, "servers": {"lnk": server}}


@bp.get("/asyncapi.json")
def asyncapi_json():
    return jsonify(document_for_request())
