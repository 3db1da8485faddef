"""Presence registries: which users have sockets, in one process (memory) or many (Redis).

A user is *announced* online from its ``userOnline`` until its ``userOffline``. The last socket
going away does not end that at once: the user becomes *pending* for a grace period, and only if
no socket came back by then is it announced offline (a page reload does not flicker). Claiming an
announcement is atomic, so with several processes exactly one of them emits it.

With Redis (``lnk.realtime.redis_presence``) every process keeps a heartbeat key with a TTL; the
sockets of a process whose heartbeat expired (it died) are reaped by the survivors, and their
users go offline. Whoever announces a user offline also records when it was last seen
(``lnk.realtime.last_seen``).
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Iterable

Offline = tuple[str, float]  # (user id, last seen as a UNIX time)


class PresenceRegistry(ABC):
    """Counts sockets per user and decides when users are announced online and offline."""

    @abstractmethod
    def connect(self, user_id: str, sid: str) -> bool:
        """Registers a socket; True if the user must now be announced online."""

    @abstractmethod
    def disconnect(self, user_id: str, sid: str, now: float) -> None:
        """Forgets a socket; the user's last one makes it pending until ``now`` + grace."""

    @abstractmethod
    def due_offline(self, now: float) -> list[Offline]:
        """Claims the users whose grace ran out with no socket back; each is returned once."""

    @abstractmethod
    def online(self, user_ids: Iterable[str]) -> set[str]:
        """Those of ``user_ids`` that are announced online."""

    @abstractmethod
    def sids(self, user_id: str) -> list[str]:
        """Socket ids of the user (on every process for Redis)."""

    def maintain(self, now: float) -> list[Offline]:
        """Periodic upkeep (heartbeat, reaping dead processes); users who went offline."""
        return []

    def take_online(self) -> list[str]:
        """Users to announce online now that a delayed registration went through."""
        return []

    def stranded(self, now: float) -> list[Offline]:
        """At shutdown: users no one will announce offline once this process is gone (they
        were only known here), with ``now`` or when their last socket left."""
        return []

    def close(self) -> None:
        """Releases resources at shutdown."""
        return None


class MemoryPresence(PresenceRegistry):
    """One process: plain dicts behind a lock (the threading mode has real threads)."""

    def __init__(self, grace: float) -> None:
        self.grace = grace
        self._sockets: dict[str, set[str]] = {}
        self._announced: set[str] = set()
        self._pending: dict[str, float] = {}  # user id -> deadline
        self._lock = threading.Lock()

    def connect(self, user_id: str, sid: str) -> bool:
        with self._lock:
            self._sockets.setdefault(user_id, set()).add(sid)
            self._pending.pop(user_id, None)
            if user_id in self._announced:
                return False
            self._announced.add(user_id)
            return True

    def disconnect(self, user_id: str, sid: str, now: float) -> None:
        with self._lock:
            sids = self._sockets.get(user_id)
            if sids is None:
                return
            sids.discard(sid)
            if not sids:
                del self._sockets[user_id]
                self._pending[user_id] = now + self.grace

    def due_offline(self, now: float) -> list[Offline]:
        if not self._pending:
            return []
        with self._lock:
            due = [(u, d) for u, d in self._pending.items() if d <= now]
            gone = []
            for user_id, deadline in due:
                del self._pending[user_id]
                if user_id not in self._sockets and user_id in self._announced:
                    self._announced.discard(user_id)
                    gone.append((user_id, deadline - self.grace))
            return gone

    def online(self, user_ids: Iterable[str]) -> set[str]:
        return {u for u in user_ids if u in self._announced}

    def sids(self, user_id: str) -> list[str]:
        return list(self._sockets.get(user_id, ()))

    def stranded(self, now: float) -> list[Offline]:
        with self._lock:
            return [
                (u, self._pending[u] - self.grace if u in self._pending else now)
                for u in self._announced
            ]
