"""Turns domain events into Socket.IO emits: the one path by which every screen learns of a change.

Services publish events after their write has committed, from REST requests, pages and socket
handlers alike; this subscriber picks the user rooms and emits. Identical payloads go out in one
emit to the list of rooms (the payload is encoded once); ``conversationUpdated`` carries each
user's own view, so it is one emit per user. With a message queue the emit reaches every process.
"""

from __future__ import annotations

import logging

from lnk.domain.events import (
    ConversationUpdated,
    DomainEvent,
    MessageSent,
    MessagesRead,
    MessageUpdated,
    UserSuspended,
)
from lnk.presenters import conversation_json, iso, message_json
from lnk.realtime.hub import NAMESPACE, Hub, conversation_room, user_room
from lnk.services import accounts, conversations

log = logging.getLogger(__name__)


class Broadcaster:
    def __init__(self, hub: Hub) -> None:
        self.hub = hub

    def __call__(self, event: DomainEvent) -> None:
        if isinstance(event, MessageSent):
            self.hub.emit(
                "newMessage",
                {
                    "conversationId": event.message.conversation_id,
                    "message": message_json(event.message),
                },
                _rooms(event.audience),
            )
        elif isinstance(event, MessageUpdated):
            self.hub.emit(
                "messageUpdated",
                {
                    "conversationId": event.message.conversation_id,
                    "message": message_json(event.message),
                    "action": event.action,
                },
                _rooms(event.audience),
            )
        elif isinstance(event, MessagesRead):
            self.hub.emit(
                "messageRead",
                {
                    "conversationId": event.conversation_id,
                    "userId": event.user_id,
                    "messageIds": list(event.message_ids),
                    "readAt": iso(event.read_at),
                },
                _rooms(event.audience),
            )
        elif isinstance(event, ConversationUpdated):
            self._conversation_updated(event)
        elif isinstance(event, UserSuspended):
            self._disconnect_user(event.user_id)

    def _conversation_updated(self, event: ConversationUpdated) -> None:
        ctx = self.hub.ctx
        conversation = conversations.conversation_by_id(ctx, event.conversation_id)
        if conversation is None:
            return
        members = set(conversation.participant_ids)
        users = accounts.users_by_id(ctx, members | set(event.audience))
        for user_id in dict.fromkeys(event.audience):
            self.hub.emit(
                "conversationUpdated",
                {"conversation": conversation_json(conversation, user_id, users)},
                [user_room(user_id)],
            )
            if user_id not in members:  # removed or left: no more typing or room traffic
                self._leave_room(user_id, conversation.id)

    def _leave_room(self, user_id: str, conversation_id: str) -> None:
        server = self.hub.socketio.server
        for sid in self.hub.presence.sids(user_id):
            server.leave_room(sid, conversation_room(conversation_id), namespace=NAMESPACE)

    def _disconnect_user(self, user_id: str) -> None:
        """A suspended user's sockets, on every process, are disconnected."""
        server = self.hub.socketio.server
        for sid in self.hub.presence.sids(user_id):
            server.disconnect(sid, namespace=NAMESPACE)


def _rooms(audience: tuple[str, ...]) -> list[str]:
    return [user_room(u) for u in dict.fromkeys(audience)]
