"""The ``/messaging`` namespace: thin handlers that validate, rate-limit, call a service and
answer through the acknowledgement with ``{ok: true, ...}`` or ``{ok: false, error}``."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import request
from flask_socketio import Namespace, emit, join_room, leave_room, rooms
from socketio.exceptions import ConnectionRefusedError as Refused

from lnk.domain.models import User
from lnk.errors import LnkError, PayloadTooLarge, Unauthorized, ValidationFailed
from lnk.presenters import iso
from lnk.realtime.auth import authenticate
from lnk.realtime.hub import NAMESPACE, Hub, api_room, conversation_room, page_room, user_room
from lnk.realtime.logins import login_room
from lnk.realtime.wire_json import UNPARSEABLE
from lnk.services import blocks, conversations, reads, sessions
from lnk.store.failures import as_unavailable

log = logging.getLogger(__name__)

MAX_PAYLOAD_BYTES = 64 * 1024

Handler = Callable[["MessagingNamespace", User, dict], dict]


def client_event(name: str) -> Callable[[Handler], Callable[..., dict]]:
    """Wraps a handler: the caller must be connected, the payload an object of bounded size,
    the event within its rate limit; every failure becomes an error ack, never a disconnect."""

    def decorator(fn: Handler) -> Callable[..., dict]:
        @wraps(fn)
        def handler(self: MessagingNamespace, data: Any = None, *_extra: Any) -> dict:
            try:
                user = self.hub.users.get(request.sid)
                if user is None:
                    raise Unauthorized("this socket is not authenticated")
                self.hub.limiter.hit(name, user.id)
                return fn(self, user, payload_of(data))
            except LnkError as error:
                return error.to_ack()
            except Exception as exc:
                unavailable = as_unavailable(exc)
                if unavailable is not None:
                    log.warning("socket event %s: %s", name, unavailable.message)
                    return unavailable.to_ack()
                log.exception("socket event %s failed", name)
                return {
                    "ok": False,
                    "error": {"code": "internal", "message": "an unexpected error occurred"},
                }

        return handler

    return decorator


def payload_of(data: Any) -> dict:
    if not isinstance(data, dict):
        raise ValidationFailed(
            "the payload must be an object", errors={"payload": ["must be an object"]}
        )
    try:
        size = len(json.dumps(data, separators=(",", ":")))
    except (TypeError, ValueError):
        size = MAX_PAYLOAD_BYTES + 1
    if size > MAX_PAYLOAD_BYTES:
        raise PayloadTooLarge(f"socket payloads are limited to {MAX_PAYLOAD_BYTES} bytes")
    return data


def wants_fragments(auth: Any) -> bool:
    """``auth: {fragments: true}`` at connect: a browser page that takes ``newMessage`` and
    ``messageUpdated`` as rendered HTML (see ``lnk.web.chat.push``) instead of message JSON."""
    return isinstance(auth, dict) and auth.get("fragments") is True


def conversation_id_of(data: dict) -> str:
    value = data.get("conversationId")
    if not isinstance(value, str) or not 1 <= len(value) <= 64:
        raise ValidationFailed.field("conversationId", "must be a conversation id")
    return value


def message_ids_of(data: dict) -> list[str] | None:
    value = data.get("messageIds")
    if value is None:
        return None
    # How many ids one call may carry is the service's rule, the same as over HTTP.
    if not isinstance(value, list) or not all(
        isinstance(i, str) and 1 <= len(i) <= 64 for i in value
    ):
        raise ValidationFailed.field("messageIds", "must be a list of message ids")
    return value


class MessagingNamespace(Namespace):
    def __init__(self, hub: Hub) -> None:
        super().__init__(NAMESPACE)
        self.hub = hub

    def trigger_event(self, event: str, *args: Any) -> Any:
        if event == UNPARSEABLE:
            message = "the payload is not JSON this server can read (nested too deeply)"
            return {"ok": False, "error": {"code": "bad_request", "message": message}}
        if not hasattr(self, "on_" + (event or "")):
            return {"ok": False, "error": {"code": "bad_request", "message": "unknown event"}}
        return super().trigger_event(event, *args)

    def on_connect(self, auth: Any = None) -> None:
        hub = self.hub
        try:
            user, claims = authenticate(hub.ctx, auth, request.cookies)
        except LnkError as error:
            raise Refused("unauthorized", {"code": error.code, "message": error.message}) from None
        try:
            hub.ensure_started()
            # Logging out closes this room, on every process. Checked again once in it, so a
            # logout racing this connect cannot miss the socket.
            join_room(login_room(sessions.login_of(claims) or ""))
            if sessions.is_revoked(hub.ctx, claims):
                raise Refused("unauthorized", {"code": "unauthorized", "message": "token revoked"})
            join_room(user_room(user.id))
            join_room(page_room(user.id) if wants_fragments(auth) else api_room(user.id))
            hub.user_connected(user, request.sid)
        except Refused:
            raise
        except Exception:  # e.g. Redis unreachable: refuse cleanly rather than half-connect
            log.exception("socket connect failed")
            hub.users.pop(request.sid, None)
            raise Refused("unavailable", {"code": "internal", "message": "try again"}) from None
        emit(
            "connectionStatus",
            {"status": "connected", "userId": user.id, "serverTime": iso(hub.ctx.clock.now())},
        )

    def on_disconnect(self, reason: Any = None) -> None:
        self.hub.user_disconnected(request.sid)

    def _require_participant(self, user: User, conversation_id: str) -> None:
        """A socket in the conversation's room was checked when it joined (and is taken out of
        the room when it leaves the conversation); otherwise ask the service."""
        if conversation_room(conversation_id) not in rooms():
            conversations.require_participant(self.hub.ctx, user, conversation_id)

    @client_event("joinConversation")
    def on_joinConversation(self, user: User, data: dict) -> dict:
        conversation_id = conversation_id_of(data)
        conversations.require_participant(self.hub.ctx, user, conversation_id)
        join_room(conversation_room(conversation_id))
        return {"ok": True, "conversationId": conversation_id}

    @client_event("leaveConversation")
    def on_leaveConversation(self, user: User, data: dict) -> dict:
        conversation_id = conversation_id_of(data)
        self._require_participant(user, conversation_id)
        leave_room(conversation_room(conversation_id))
        if self.hub.typing.stop(conversation_id, user.id):
            self.hub.emit_typing(conversation_id, user.id, False)
        return {"ok": True, "conversationId": conversation_id}

    @client_event("typing")
    def on_typing(self, user: User, data: dict) -> dict:
        conversation_id = conversation_id_of(data)
        typing = data.get("typing", True)
        if not isinstance(typing, bool):
            raise ValidationFailed.field("typing", "must be true or false")
        self._require_participant(user, conversation_id)
        hub = self.hub
        if typing:
            changed = hub.typing.start(conversation_id, user.id, request.sid, time.time())
        else:
            changed = hub.typing.stop(conversation_id, user.id)
        if changed:
            hub.emit_typing(conversation_id, user.id, typing)
        return {"ok": True, "conversationId": conversation_id, "typing": typing}

    @client_event("markAsRead")
    def on_markAsRead(self, user: User, data: dict) -> dict:
        conversation_id = conversation_id_of(data)
        result = reads.mark_read(self.hub.ctx, user, conversation_id, message_ids_of(data))
        return {
            "ok": True,
            "conversationId": conversation_id,
            "markedCount": len(result.marked_ids),
            "unreadCount": result.unread_count,
        }

    @client_event("getOnlineUsers")
    def on_getOnlineUsers(self, user: User, data: dict) -> dict:
        conversation_id = conversation_id_of(data)
        conversation = conversations.get_conversation(self.hub.ctx, user, conversation_id)
        hidden = blocks.hidden_from(self.hub.ctx, user.id)
        ids = [i for i in conversation.participant_ids if i not in hidden]
        online = self.hub.presence.online(ids) | {user.id}
        return {
            "ok": True,
            "conversationId": conversation_id,
            "userIds": [i for i in ids if i in online],
        }
