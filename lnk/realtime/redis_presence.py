"""Presence shared by several processes through Redis, that heals after Redis faults.

Every change is one atomic script. The process also keeps its own sockets in memory, which is
the truth Redis is rebuilt from: every heartbeat re-asserts them (an emptied Redis is whole again
within one heartbeat) and forgets the ones that are gone. A write that fails (or that is skipped
because Redis is reported down, so that no socket waits on it) is owed: a disconnect is replayed,
a user whose connect could not be registered is announced online once it is.

Keys (prefix p): p+"s:"+uid hash sid->process; p+"on:"+uid the announcement; p+"pending" zset
uid->deadline; p+"hb:"+proc heartbeat with TTL; p+"procs" set; p+"ps:"+proc set of "uid|sid".
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Iterable

import redis

from lnk.realtime.presence import Offline, PresenceRegistry
from lnk.redis_link import RedisHealth, connect

log = logging.getLogger(__name__)

# Announcements owed from a Redis outage wait this long once it is back, so that the other
# processes' listeners (retrying every half second) have resubscribed and hear them.
SETTLE_SECONDS = 1.0

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
# The announcement key may be gone (Redis restarted empty): the user is still owed its offline.
_CLAIM = """
if redis.call('ZREM', KEYS[1], ARGV[1]) == 1 and redis.call('HLEN', KEYS[2]) == 0 then
  redis.call('DEL', KEYS[3])
  return 1
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
# ARGV: prefix, process, offline deadline, heartbeat value, heartbeat TTL (ms), live "uid|sid"...
# Forgets this process's sockets that are no longer live, re-asserts the live ones, beats.
# Returns the users whose announcement had to be re-created.
_SYNC = """
local p, proc = ARGV[1], ARGV[2]
local mine = p .. 'ps:' .. proc
local live = {}
for i = 6, #ARGV do live[ARGV[i]] = true end
for _, member in ipairs(redis.call('SMEMBERS', mine)) do
  if not live[member] then
    local bar = string.find(member, '|', 1, true)
    local uid = string.sub(member, 1, bar - 1)
    redis.call('HDEL', p .. 's:' .. uid, string.sub(member, bar + 1))
    redis.call('SREM', mine, member)
    if redis.call('HLEN', p .. 's:' .. uid) == 0 then
      redis.call('ZADD', p .. 'pending', ARGV[3], uid)
    end
  end
end
local fresh = {}
for i = 6, #ARGV do
  local member = ARGV[i]
  local bar = string.find(member, '|', 1, true)
  local uid = string.sub(member, 1, bar - 1)
  redis.call('SADD', mine, member)
  redis.call('HSET', p .. 's:' .. uid, string.sub(member, bar + 1), proc)
  redis.call('ZREM', p .. 'pending', uid)
  if redis.call('SET', p .. 'on:' .. uid, '1', 'NX') then table.insert(fresh, uid) end
end
redis.call('SET', p .. 'hb:' .. proc, ARGV[4], 'PX', ARGV[5])
redis.call('SADD', p .. 'procs', proc)
return fresh
"""


class RedisPresence(PresenceRegistry):
    """Several processes: the state lives in Redis, rebuilt from each process's own sockets."""

    def __init__(self, url: str, grace: float, ttl: float, prefix: str = "lnk:presence:") -> None:
        self.grace, self.ttl, self.p = grace, ttl, prefix
        self.proc = uuid.uuid4().hex
        self.health = RedisHealth.for_url(url)
        self.r = connect(url, decode_responses=True)
        self._connect = self.r.register_script(_CONNECT)
        self._disconnect = self.r.register_script(_DISCONNECT)
        self._claim = self.r.register_script(_CLAIM)
        self._reap = self.r.register_script(_REAP)
        self._sync = self.r.register_script(_SYNC)
        self._local: dict[str, str] = {}  # sid -> user id, this process's live sockets
        self._owed_disconnects: list[tuple[str, str, float]] = []  # (user id, sid, when)
        self._owed_online: set[str] = set()  # registered late: announce once Redis has them
        self._announce: list[str] = []
        self._announce_later: list[tuple[float, str]] = []  # (not before, user id)
        # One write at a time per process: a heartbeat's snapshot of the live sockets must not
        # be overtaken by a connect or disconnect of the same process.
        self._lock = threading.RLock()
        self._last_beat = 0.0  # the first ``maintain`` beats, before this process takes sockets
        self._last_reap = 0.0
        self._failing = False

    @property
    def beat_seconds(self) -> float:
        return self.ttl / 3

    def _failed(self, what: str, exc: Exception) -> None:
        self.health.mark_down()
        if not self._failing:
            log.warning("presence %s failed (%s); will retry from the heartbeat", what, exc)
        self._failing = True

    def connect(self, user_id: str, sid: str) -> bool:
        keys = [
            self.p + "s:" + user_id,
            self.p + "ps:" + self.proc,
            self.p + "pending",
            self.p + "on:" + user_id,
        ]
        with self._lock:
            self._local[sid] = user_id
            if self.health.up:
                try:
                    args = [sid, self.proc, f"{user_id}|{sid}", user_id]
                    return bool(self._connect(keys=keys, args=args))
                except redis.RedisError as exc:
                    self._failed("connect", exc)
            self._owed_online.add(user_id)
            return False

    def disconnect(self, user_id: str, sid: str, now: float) -> None:
        with self._lock:
            self._local.pop(sid, None)
            if self.health.up:
                try:
                    self._write_disconnect(user_id, sid, now)
                    return
                except redis.RedisError as exc:
                    self._failed("disconnect", exc)
            self._owed_disconnects.append((user_id, sid, now))

    def _write_disconnect(self, user_id: str, sid: str, now: float) -> None:
        keys = [self.p + "s:" + user_id, self.p + "ps:" + self.proc, self.p + "pending"]
        self._disconnect(keys=keys, args=[sid, f"{user_id}|{sid}", now + self.grace, user_id])

    def due_offline(self, now: float) -> list[Offline]:
        if not self.health.up:
            return []
        try:
            due = self.r.zrangebyscore(self.p + "pending", "-inf", now, withscores=True)
            gone = []
            for user_id, deadline in due:
                keys = [self.p + "pending", self.p + "s:" + user_id, self.p + "on:" + user_id]
                if self._claim(keys=keys, args=[user_id]):
                    gone.append((user_id, deadline - self.grace))
            return gone
        except redis.RedisError as exc:
            self._failed("offline check", exc)
            return []

    def online(self, user_ids: Iterable[str]) -> set[str]:
        ids = list(user_ids)
        if self.health.up:
            try:
                pipe = self.r.pipeline(transaction=False)
                for user_id in ids:
                    pipe.exists(self.p + "on:" + user_id)
                return {u for u, found in zip(ids, pipe.execute(), strict=True) if found}
            except redis.RedisError as exc:
                self._failed("lookup", exc)
        local = set(self._local.values())  # the best this process knows on its own
        return {u for u in ids if u in local}

    def sids(self, user_id: str) -> list[str]:
        if self.health.up:
            try:
                return list(self.r.hkeys(self.p + "s:" + user_id))
            except redis.RedisError as exc:
                self._failed("lookup", exc)
        return [sid for sid, uid in self._local.items() if uid == user_id]

    def maintain(self, now: float) -> list[Offline]:
        """Beats (re-asserting this process's sockets) every ``ttl / 3`` and reaps the processes
        whose heartbeat expired every second or so."""
        gone: list[Offline] = []
        if not self.health.up:
            return gone
        try:
            if now - self._last_beat >= self.beat_seconds:
                self._beat(now)
            if now - self._last_reap >= min(max(self.beat_seconds, 0.25), 1.0):
                self._last_reap = now
                gone = self._reap_dead(now)
        except redis.RedisError as exc:
            self._failed("heartbeat", exc)
            return gone
        if self._failing:
            log.warning("presence written again")
        self._failing = False
        return gone

    def _beat(self, now: float) -> None:
        with self._lock:
            owed = self._owed_disconnects
            for index, (user_id, sid, when) in enumerate(owed):
                try:  # not announced before the others' listeners are back (see SETTLE_SECONDS)
                    self._write_disconnect(
                        user_id, sid, max(when, now + SETTLE_SECONDS - self.grace)
                    )
                except redis.RedisError:
                    self._owed_disconnects = owed[index:]
                    raise
            self._owed_disconnects = []
            members = [f"{uid}|{sid}" for sid, uid in self._local.items()]
            args = [self.p, self.proc, now + self.grace, str(now), int(self.ttl * 1000), *members]
            fresh = self._sync(args=args)
            self._last_beat = now
            owed_online, self._owed_online = self._owed_online, set()
            local = set(self._local.values())
            later = now + SETTLE_SECONDS
            self._announce_later.extend(
                (later, u) for u in fresh if u in owed_online and u in local
            )

    def _reap_dead(self, now: float) -> list[Offline]:
        procs = [p for p in self.r.smembers(self.p + "procs") if p != self.proc]
        if not procs:
            return []
        pipe = self.r.pipeline(transaction=False)
        for proc in procs:
            pipe.exists(self.p + "hb:" + proc)
        gone: list[Offline] = []
        for proc, alive in zip(procs, pipe.execute(), strict=True):
            if not alive:
                gone.extend((u, now) for u in self._reap(args=[self.p, proc]))
        return gone

    def take_online(self, now: float | None = None) -> list[str]:
        if self._announce_later:
            now = time.time() if now is None else now
            due = [u for t, u in self._announce_later if t <= now]
            self._announce_later = [(t, u) for t, u in self._announce_later if t > now]
            self._announce.extend(u for u in due if u in set(self._local.values()))
        announce, self._announce = self._announce, []
        return announce

    def close(self) -> None:
        """Stops the heartbeat so the survivors reap this process's sockets at once."""
        try:
            self.r.delete(self.p + "hb:" + self.proc)
            self.r.close()
        except Exception:  # shutting down: Redis may be gone already
            pass
