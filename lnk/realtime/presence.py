"""Presence registries: which users have sockets, in one process (memory) or many (Redis).

A user is *announced* online from its ``userOnline`` until its ``userOffline``. The last socket
going away does not end that at once: the user becomes *pending* for a grace period, and only if
no socket came back by then is it announced offline (a page reload does not flicker). Claiming an
announcement is atomic, so with several processes exactly one of them emits it.

With Redis every process keeps a heartbeat key with a TTL; the sockets of a process whose
heartbeat expired (it died) are reaped by the survivors, and their users go offline.
"""

from __future__ import annotations

import threading
import uuid
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


# Keys (prefix p): p+"s:"+uid hash sid->process; p+"on:"+uid the announcement; p+"pending" zset
# uid->deadline; p+"hb:"+proc heartbeat with TTL; p+"procs" set; p+"ps:"+proc set of "uid|sid".
_CONNECT = """
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('SADD', KEYS[2], ARGV[3])
redis.call('ZREM', KEYS[3], ARGV[4])
if redis.call('SET', KEYS[4], '1', 'NX') then return 1 end
return 0
"""
_DISCONNECT = """
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('SREM', KEYS[2], ARGV[2])
if redis.call('HLEN', KEYS[1]) == 0 then redis.call('ZADD', KEYS[3], ARGV[3], ARGV[4]) end
return 0
"""
_CLAIM = """
if redis.call('ZREM', KEYS[1], ARGV[1]) == 1 and redis.call('HLEN', KEYS[2]) == 0 then
  return redis.call('DEL', KEYS[3])
end
return 0
"""
_REAP = """
local p = ARGV[1]
local proc = ARGV[2]
local gone = {}
for _, member in ipairs(redis.call('SMEMBERS', p .. 'ps:' .. proc)) do
  local bar = string.find(member, '|', 1, true)
  local uid = string.sub(member, 1, bar - 1)
  redis.call('HDEL', p .. 's:' .. uid, string.sub(member, bar + 1))
  if redis.call('HLEN', p .. 's:' .. uid) == 0 and redis.call('DEL', p .. 'on:' .. uid) == 1 then
    redis.call('ZREM', p .. 'pending', uid)
    table.insert(gone, uid)
  end
end
redis.call('DEL', p .. 'ps:' .. proc)
redis.call('SREM', p .. 'procs', proc)
return gone
"""


class RedisPresence(PresenceRegistry):
    """Several processes: the state lives in Redis; every change is one atomic script."""

    def __init__(self, url: str, grace: float, ttl: float, prefix: str = "lnk:presence:") -> None:
        import redis

        self.grace, self.ttl, self.p = grace, ttl, prefix
        self.proc = uuid.uuid4().hex
        self.r = redis.Redis.from_url(url, decode_responses=True, health_check_interval=30)
        self._connect = self.r.register_script(_CONNECT)
        self._disconnect = self.r.register_script(_DISCONNECT)
        self._claim = self.r.register_script(_CLAIM)
        self._reap = self.r.register_script(_REAP)
        self._last_beat = 0.0  # the first ``maintain`` beats, before this process takes sockets
        self._last_reap = 0.0

    def _beat(self, now: float) -> None:
        pipe = self.r.pipeline(transaction=False)
        pipe.set(self.p + "hb:" + self.proc, str(now), px=int(self.ttl * 1000))
        pipe.sadd(self.p + "procs", self.proc)
        pipe.execute()
        self._last_beat = now

    def connect(self, user_id: str, sid: str) -> bool:
        keys = [
            self.p + "s:" + user_id,
            self.p + "ps:" + self.proc,
            self.p + "pending",
            self.p + "on:" + user_id,
        ]
        return bool(self._connect(keys=keys, args=[sid, self.proc, f"{user_id}|{sid}", user_id]))

    def disconnect(self, user_id: str, sid: str, now: float) -> None:
        keys = [self.p + "s:" + user_id, self.p + "ps:" + self.proc, self.p + "pending"]
        self._disconnect(keys=keys, args=[sid, f"{user_id}|{sid}", now + self.grace, user_id])

    def due_offline(self, now: float) -> list[Offline]:
        due = self.r.zrangebyscore(self.p + "pending", "-inf", now, withscores=True)
        gone = []
        for user_id, deadline in due:
            keys = [self.p + "pending", self.p + "s:" + user_id, self.p + "on:" + user_id]
            if self._claim(keys=keys, args=[user_id]):
                gone.append((user_id, deadline - self.grace))
        return gone

    def online(self, user_ids: Iterable[str]) -> set[str]:
        ids = list(user_ids)
        pipe = self.r.pipeline(transaction=False)
        for user_id in ids:
            pipe.exists(self.p + "on:" + user_id)
        return {u for u, found in zip(ids, pipe.execute(), strict=True) if found}

    def sids(self, user_id: str) -> list[str]:
        return list(self.r.hkeys(self.p + "s:" + user_id))

    def maintain(self, now: float) -> list[Offline]:
        """Renews this process's heartbeat and reaps the processes whose heartbeat expired."""
        if now - self._last_beat >= self.ttl / 3:
            self._beat(now)
        gone: list[Offline] = []
        if now - self._last_reap < min(max(self.ttl / 3, 0.25), 5.0):
            return gone
        self._last_reap = now
        procs = [p for p in self.r.smembers(self.p + "procs") if p != self.proc]
        if not procs:
            return gone
        pipe = self.r.pipeline(transaction=False)
        for proc in procs:
            pipe.exists(self.p + "hb:" + proc)
        for proc, alive in zip(procs, pipe.execute(), strict=True):
            if not alive:
                gone.extend((u, now) for u in self._reap(args=[self.p, proc]))
        return gone

    def close(self) -> None:
        """Stops the heartbeat so the survivors reap this process's sockets at once."""
        try:
            self.r.delete(self.p + "hb:" + self.proc)
            self.r.close()
        except Exception:  # shutting down: Redis may be gone already
            pass
