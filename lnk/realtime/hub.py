"""The realtime state of one process: connected sockets, presence, typing, rate limits, and the
background upkeep that ends typing, announces users offline, beats the presence heartbeat and
cuts off sockets that stopped reading."""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime
from typing import Any

from flask_socketio import SocketIO

from lnk.config import Settings
from lnk.domain.models import User
from lnk.presenters import iso
from lnk.realtime.last_seen import LastSeenRecorder
from lnk.realtime.presence import MemoryPresence, PresenceRegistry
from lnk.realtime.ratelimit import SocketRateLimiter
from lnk.realtime.stalls import StallGuard
from lnk.realtime.typing import TypingRegistry
from lnk.services import blocks, conversations
from lnk.services.context import ServiceContext

log = logging.getLogger(__name__)

NAMESPACE = "/messaging"
TICK_SECONDS = 0.25


def user_room(user_id: str) -> str:
    return "user:" + user_id


def api_room(user_id: str) -> str:
    """A user's sockets that take message events as JSON (everything but the browser pages)."""
    return "api:" + user_id


def page_room(user_id: str) -> str:
    """A user's browser-page sockets: message events arrive as rendered fragments."""
    return "page:" + user_id


def conversation_room(conversation_id: str) -> str:
    return "conv:" + conversation_id


class Hub:
    """Everything the namespace and the broadcaster share (one per app)."""

    def __init__(self, ctx: ServiceContext, settings: Settings, socketio: SocketIO) -> None:
        self.ctx = ctx
        self.settings = settings
        self.socketio = socketio
        self.typing = TypingRegistry(settings.typing_ttl)
        self.limiter = SocketRateLimiter(settings.ratelimit_enabled, settings.redis_url)
        self.users: dict[str, User] = {}  # sid -> user, for the sockets of this process
        self._presence: PresenceRegistry | None = None
        self.last_seen = LastSeenRecorder(ctx)
        self.stalls = StallGuard(socketio, settings.stall_backlog, settings.stall_seconds)
        self.manager: Any = None  # the Socket.IO client manager (set by init_realtime)
        self._started = False
        self._closed = False
        self._start_lock = threading.Lock()

    @property
    def presence(self) -> PresenceRegistry:
        if self._presence is None:
            s = self.settings
            if s.redis_url:
                from lnk.realtime.redis_presence import RedisPresence

                self._presence = RedisPresence(s.redis_url, s.offline_grace, s.presence_ttl)
            else:
                self._presence = MemoryPresence(s.offline_grace)
        return self._presence

    def ensure_started(self) -> None:
        """Starts the upkeep with the first socket (not at import: CLI commands build the app
        too). The presence heartbeat is written before this process registers any socket."""
        if self._started:
            return
        with self._start_lock:
            if self._started:
                return
            self.presence.maintain(time.time())
            self.socketio.start_background_task(self._upkeep)
            if self.socketio.async_mode == "gevent":
                from lnk.realtime.server import GcTuner

                GcTuner.start(self.socketio)
            self._started = True

    def close(self) -> None:
        """At shutdown: lets the other processes forget this one's sockets at once, and records
        when the users only this process knew of were last seen."""
        self._closed = True
        if self._presence is not None:
            now = time.time()
            for user_id, last_seen in self._presence.stranded(now):
                self.last_seen.add(user_id, last_seen)
            self.last_seen.flush(now)
            self._presence.close()

    def emit(self, event: str, payload: dict, rooms: list[str]) -> None:
        """One emit to many rooms (an empty list must not become a broadcast to everyone).
        This process's sockets get it at once; the other processes' copy goes through the
        message queue's outbox, so this never waits on Redis."""
        if rooms:
            self.socketio.emit(event, payload, to=rooms, namespace=NAMESPACE)

    def resync(self, reason: str) -> None:
        """Tells this process's sockets that they may have missed events: clients catch up
        with ``afterSeq`` (see the README's realtime contract)."""
        self.socketio.server.emit(
            "resync", {"reason": reason}, namespace=NAMESPACE, ignore_queue=True
        )

    # presence

    def user_connected(self, user: User, sid: str) -> None:
        self.users[sid] = user
        if self.presence.connect(user.id, sid):
            self.emit("userOnline", {"userId": user.id}, self._contact_rooms(user.id))

    def user_disconnected(self, sid: str) -> None:
        user = self.users.pop(sid, None)
        if user is None:
            return
        for conversation_id, user_id in self.typing.drop_socket(sid):
            self.emit_typing(conversation_id, user_id, False)
        self.presence.disconnect(user.id, sid, time.time())

    def _contact_rooms(self, user_id: str) -> list[str]:
        contacts = conversations.contacts_of(self.ctx, user_id)
        return [user_room(u) for u in contacts - blocks.hidden_from(self.ctx, user_id)]

    def _announce_offline(self, user_id: str, last_seen: float) -> None:
        """To the user's contacts; the instant is stored after the tick's announcements."""
        when = iso(datetime.fromtimestamp(last_seen, UTC))
        self.emit(
            "userOffline", {"userId": user_id, "lastSeenAt": when}, self._contact_rooms(user_id)
        )
        self.last_seen.add(user_id, last_seen)

    # typing

    def emit_typing(self, conversation_id: str, user_id: str, typing: bool) -> None:
        """To the conversation's room, except the typing user's own sockets."""
        payload = {"conversationId": conversation_id, "userId": user_id, "typing": typing}
        self.socketio.emit(
            "userTyping",
            payload,
            to=conversation_room(conversation_id),
            skip_sid=self._typing_not_for(user_id) or None,
            namespace=NAMESPACE,
        )

    def _typing_not_for(self, user_id: str) -> list[str]:
        """The typing user's own sockets and those of everyone it blocked or was blocked by."""
        sids = list(self.presence.sids(user_id))
        for other in blocks.hidden_from(self.ctx, user_id):
            sids.extend(self.presence.sids(other))
        return sids

    # upkeep

    def _upkeep(self) -> None:
        while not self._closed:
            self.socketio.sleep(TICK_SECONDS)
            try:
                self.tick(time.time())
            except Exception:  # keep the loop alive (e.g. Redis restarting)
                log.exception("realtime upkeep failed")

    def tick(self, now: float) -> None:
        for conversation_id, user_id in self.typing.expired(now):
            self.emit_typing(conversation_id, user_id, False)
        presence = self.presence
        for user_id, last_seen in presence.due_offline(now) + presence.maintain(now):
            self._announce_offline(user_id, last_seen)
        self.last_seen.flush(now)
        for user_id in presence.take_online():
            self.emit("userOnline", {"userId": user_id}, self._contact_rooms(user_id))
        self.stalls.check(time.monotonic())
