"""Turns domain events into Socket.IO emits: the one path by which every screen learns of a change.

Services publish events after their write has committed, from REST requests, pages and socket
handlers alike; this subscriber picks the user rooms and emits. Identical payloads go out in one
emit to the list of rooms (the payload is encoded once); ``conversationUpdated`` carries each
user's own view, so it is one emit per user. With a message queue the emit reaches every process.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Protocol

from lnk.domain.events import (
    BlockChanged,
    ConversationUpdated,
    DomainEvent,
    LoginsEnded,
    MessageResent,
    MessageSent,
    MessagesRead,
    MessageUpdated,
    UserSuspended,
)
from lnk.presenters import block_json, conversation_json, iso, message_json
from lnk.realtime.hub import NAMESPACE, Hub, api_room, conversation_room, page_room, user_room
from lnk.realtime.logins import login_room
from lnk.services import accounts, blocks, conversations, previews, reports

if TYPE_CHECKING:
    from lnk.domain.models import Message
    from lnk.web.chat.push import PageVariant

log = logging.getLogger(__name__)


class PageRenderer(Protocol):
    def message_variants(
        self, message: Message, audience: Iterable[str], action: str | None = None
    ) -> list[PageVariant]: ...


class Broadcaster:
    """``pages`` renders the message events for page sockets; without it (no page UI) those
    sockets get the same JSON as everyone else."""

    def __init__(self, hub: Hub, pages: PageRenderer | None = None) -> None:
        self.hub = hub
        self.pages = pages

    def __call__(self, event: DomainEvent) -> None:
        if isinstance(event, MessageSent | MessageResent):
            self._message_events("newMessage", event.message, event.audience, {})
        elif isinstance(event, MessageUpdated):
            self._message_events(
                "messageUpdated",
                event.message,
                event.audience,
                {"action": event.action},
                event.action,
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
        elif isinstance(event, LoginsEnded):
            for login_id in event.login_ids:  # disconnects their sockets on every process
                self.hub.socketio.server.close_room(login_room(login_id), namespace=NAMESPACE)
        elif isinstance(event, BlockChanged):
            self._block_updated(event)

    def _message_events(
        self,
        name: str,
        message: Message,
        audience: tuple[str, ...],
        extra: dict,
        action: str | None = None,
    ) -> None:
        """One payload for everyone, except that members who may not see the message a reply
        answers (joined or cleared after it) get the message without its reply preview."""
        blind = set()
        if message.reply_to is not None:
            blind = previews.reply_blind(self.hub.ctx, message, audience)
        groups = (
            (tuple(u for u in audience if u not in blind), message),
            (tuple(u for u in audience if u in blind), previews.without_reply(message)),
        )
        for users, shown in groups:
            if users:
                payload = {
                    "conversationId": shown.conversation_id,
                    "message": message_json(shown),
                    **extra,
                }
                self._message_event(name, shown, users, payload, action)

    def _message_event(
        self,
        name: str,
        message: Message,
        audience: tuple[str, ...],
        payload: dict,
        action: str | None = None,
    ) -> None:
        """The JSON to API sockets (one encode); to page sockets, each distinct rendered view
        in one emit to the page rooms of the users who see it."""
        users = list(dict.fromkeys(audience))
        if self.pages is None:
            self.hub.emit(name, payload, [r(u) for u in users for r in (api_room, page_room)])
            return
        self.hub.emit(name, payload, [api_room(u) for u in users])
        # Only users with a socket somewhere can have a page open: render for them alone (a send
        # to people who are all away costs no template work; a page that connects later catches
        # up by seq anyway).
        online = self.hub.presence.online(users)
        users = [u for u in users if u in online]
        if not users:
            return
        try:
            variants = self.pages.message_variants(message, users, action)
        except Exception:  # the API sockets were served; the pages catch up instead
            log.exception("rendering %s for pages failed", name)
            self.hub.emit(
                "resync",
                {"reason": "render_failed", "conversationId": message.conversation_id},
                [page_room(u) for u in users],
            )
            return
        for variant in variants:
            self.hub.emit(name, variant.payload, [page_room(u) for u in variant.user_ids])

    def _conversation_updated(self, event: ConversationUpdated) -> None:
        ctx = self.hub.ctx
        conversation = conversations.conversation_by_id(ctx, event.conversation_id)
        if conversation is None:
            return
        members = set(conversation.participant_ids)
        users = accounts.users_by_id(ctx, members | set(event.audience))
        # as others see it: a held last message shows them a neutral preview
        others_view = reports.previews_as_seen_by(ctx, "", [conversation])[0]
        sender = conversation.last_message.sender_id if conversation.last_message else None
        for user_id in dict.fromkeys(event.audience):
            view = conversation if user_id == sender else others_view
            self.hub.emit(
                "conversationUpdated",
                {"conversation": conversation_json(view, user_id, users)},
                [user_room(user_id)],
            )
            if user_id not in members:  # removed or left: no more typing or room traffic
                self._leave_room(user_id, conversation.id)

    def _block_updated(self, event: BlockChanged) -> None:
        """Each of the two gets what now stands between them, from its own side (read at emit
        time, so that two changes crossing each other both end in the stored state), and whether
        the other is online: presence stops while either blocks the other and resumes after."""
        a, b = event.blocker_id, event.blocked_id
        state = blocks.state(self.hub.ctx, a, b)
        online = set() if state.any else self.hub.presence.online([a, b])
        for user_id, other_id, seen in ((a, b, state), (b, a, state.other_side)):
            self.hub.emit(
                "blockUpdated",
                {**block_json(other_id, seen), "online": other_id in online},
                [user_room(user_id)],
            )

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
