"""Socket.IO client managers: how an emit reaches the sockets of this process and of the others.

``OrderedManager`` (one process) and ``QueueManager`` (several processes over Redis) both pass
``newMessage`` through a ``SeqGate``, so a conversation's messages reach this process's sockets
in ``seq`` order.

``QueueManager`` is python-socketio's ``RedisManager`` with the two halves that talk to Redis
replaced, following the library's extension points (``_publish`` and ``_listen``):

- **Publishing never happens in a request.** An emit is delivered to this process's sockets at
  once and its copy for the other processes goes to an in-process outbox, in order; a background
  task publishes it (in pipelined batches, with 1 s timeouts). While Redis is down or frozen the
  outbox keeps the events, bounded by ``max_events`` and ``max_age``, and publishes them once it
  answers again (at least once: a batch that timed out may have been applied too). If the bound
  forced it to drop events, it first publishes a ``resync`` to every socket of every process.
- **The listener retries every half second** (the library's backs off up to 60 s) and, after
  any reconnect, emits ``resync {reason}`` to this process's sockets: events published while it
  was away are lost to it, and clients catch up with ``afterSeq``.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

import redis
import socketio

from lnk.realtime.logins import DisconnectLoginRooms
from lnk.realtime.ordering import SeqGate, conversation_seq
from lnk.redis_link import RedisHealth, client_options, connect

log = logging.getLogger(__name__)

NAMESPACE = "/messaging"
BATCH = 200  # events per pipelined publish
RETRY_SECONDS = 0.5  # publisher and listener retry this often while Redis is away
SUBSCRIBE_TIMEOUT = 2.0

Missed = Callable[[str], None]  # called with the reason when this process may have missed events


class _GateMixin:
    """Runs the gate's timeout release while (and only while) it holds messages."""

    gate: SeqGate
    server: Any
    _ticking = False
    _tick_lock = threading.Lock()

    def _gated(self, stream: str, seq: int, deliver: Callable[[], Any]) -> None:
        self.gate.submit(stream, seq, deliver)
        if self.gate.held and not self._ticking:
            with self._tick_lock:
                if self._ticking:
                    return
                self._ticking = True
            self.server.start_background_task(self._tick)

    def _tick(self) -> None:
        while True:
            self.server.sleep(self.gate.hold / 4)
            try:
                self.gate.release_due()
            except Exception:
                log.exception("releasing held messages failed")
            with self._tick_lock:
                if not self.gate.held:
                    self._ticking = False
                    return


class OrderedManager(_GateMixin, DisconnectLoginRooms, socketio.Manager):
    """One process, no message queue."""

    def __init__(self, gate: SeqGate) -> None:
        super().__init__()
        self.gate = gate

    def emit(self, event, data, namespace, room=None, skip_sid=None, callback=None, to=None, **kw):  # type: ignore[no-untyped-def]  # noqa: E501
        key = conversation_seq(event, data, to or room) if callback is None else None
        if key is None:
            return super().emit(
                event, data, namespace, room=room, skip_sid=skip_sid, callback=callback, to=to, **kw
            )
        parent = super()
        self._gated(
            *key,
            lambda: parent.emit(event, data, namespace, room=room, skip_sid=skip_sid, to=to, **kw),
        )
        return None


class Outbox:
    """Events waiting to be published, oldest first, bounded in count and age."""

    def __init__(self, max_events: int, max_age: float) -> None:
        self.max_events = max_events
        self.max_age = max_age
        self._items: deque[tuple[float, dict]] = deque()
        self.dropped = 0  # since the last resync announcement
        self.dropped_total = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def put(self, message: dict, now: float | None = None) -> None:
        with self._lock:
            self._items.append((time.monotonic() if now is None else now, message))
            while len(self._items) > self.max_events:
                self._items.popleft()
                self._drop(1)

    def expire(self, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        with self._lock:
            while self._items and now - self._items[0][0] > self.max_age:
                self._items.popleft()
                self._drop(1)

    def _drop(self, count: int) -> None:
        if self.dropped == 0:
            log.warning("message queue outbox full or stale: dropping events (clients will resync)")
        self.dropped += count
        self.dropped_total += count

    def peek(self, count: int) -> list[dict]:
        with self._lock:
            return [m for _, m in list(self._items)[:count]]

    def remove(self, count: int) -> None:
        with self._lock:
            for _ in range(min(count, len(self._items))):
                self._items.popleft()


class QueueManager(_GateMixin, DisconnectLoginRooms, socketio.RedisManager):
    name = "redis-outbox"

    def __init__(
        self,
        url: str,
        gate: SeqGate,
        on_missed: Missed,
        channel: str = "flask-socketio",
        max_events: int = 10_000,
        max_age: float = 300.0,
    ) -> None:
        super().__init__(url, channel=channel, redis_options=client_options())
        self.gate = gate
        self.on_missed = on_missed
        self.outbox = Outbox(max_events, max_age)
        self.health = RedisHealth.for_url(url)
        self.published = 0
        self.reconnects = 0
        self._wake = threading.Event()
        self._publisher: redis.Redis | None = None
        self._drainer_started = False
        self._start_lock = threading.Lock()

    # publishing

    def _publish(self, data: dict) -> None:
        """Called by the library for every emit, disconnect and room change meant for the other
        processes: queue it and return at once."""
        self.outbox.put(data)
        self._start_drainer()
        self._wake.set()

    def _start_drainer(self) -> None:
        if self._drainer_started:
            return
        with self._start_lock:
            if self._drainer_started:
                return
            self._drainer_started = True
        self.health.start()
        self.server.start_background_task(self._drain_forever)

    def _drain_forever(self) -> None:
        failing = False
        while True:
            try:
                if not len(self.outbox) and not self.outbox.dropped:
                    self._wake.wait(1.0)
                    self._wake.clear()
                    self.outbox.expire()
                    continue
                if failing:
                    self.server.sleep(RETRY_SECONDS)
                    self.outbox.expire()
                    # A frozen Redis accepts connections and applies what it was sent once it
                    # resumes: only resend a batch after it answered a PING.
                    if not self.health.probe():
                        continue
                self._publish_batch()
                if failing:
                    log.warning("message queue publishing again (%d waiting)", len(self.outbox))
                failing = False
            except Exception as exc:
                if not failing:
                    log.warning("message queue unreachable, keeping events (%s)", exc)
                failing = True
                self.health.mark_down()

    def _publish_batch(self) -> None:
        self.outbox.expire()
        batch = self.outbox.peek(BATCH)
        messages = list(batch)
        dropped = self.outbox.dropped
        if dropped:
            messages.insert(0, self._resync_message("peer_backlog_dropped"))
        if self._publisher is None:
            self._publisher = connect(self.redis_url)
        pipe = self._publisher.pipeline(transaction=False)
        for message in messages:
            pipe.publish(self.channel, self.json.dumps(message))
        pipe.execute()
        self.outbox.remove(len(batch))
        if dropped:
            self.outbox.dropped -= dropped
        self.published += len(batch)

    def _resync_message(self, reason: str) -> dict:
        return {
            "method": "emit",
            "event": "resync",
            "data": [{"reason": reason}],
            "binary": False,
            "namespace": NAMESPACE,
            "room": None,
            "skip_sid": None,
            "callback": None,
            "host_id": self.host_id,
        }

    # listening

    def _listen(self):  # type: ignore[no-untyped-def]
        """Yields the raw messages of the channel, resubscribing every ``RETRY_SECONDS`` after a
        failure; each resubscription tells ``on_missed``."""
        subscribed_before = False
        failing = False
        while True:
            pubsub = None
            try:
                client = redis.Redis.from_url(
                    self.redis_url,
                    socket_connect_timeout=1.0,
                    socket_keepalive=True,
                    retry=client_options()["retry"],
                )
                pubsub = client.pubsub()
                pubsub.subscribe(self.channel)
                self._await_subscription(pubsub)
                if subscribed_before:
                    self.reconnects += 1
                    log.warning("message queue listener reconnected; asking clients to resync")
                    self.on_missed("reconnected")
                subscribed_before, failing = True, False
                for message in pubsub.listen():
                    if message.get("type") == "message":
                        yield message["data"]
            except Exception as exc:
                if not failing:
                    log.warning("message queue listener lost Redis (%s); retrying", exc)
                failing = True
            finally:
                if pubsub is not None:
                    with contextlib.suppress(Exception):
                        pubsub.close()
            self.server.sleep(RETRY_SECONDS)

    @staticmethod
    def _await_subscription(pubsub: Any) -> None:
        """Returns once Redis confirmed the subscription: from then on nothing is missed."""
        deadline = time.monotonic() + SUBSCRIBE_TIMEOUT
        while time.monotonic() < deadline:
            message = pubsub.get_message(timeout=0.5)
            if message and message.get("type") == "subscribe":
                return
        raise TimeoutError("no subscription confirmation")

    # local delivery, in seq order

    def _handle_emit(self, message: dict) -> None:
        data = message.get("data")
        payload = data[0] if isinstance(data, list) and len(data) == 1 else None
        key = None
        if message.get("callback") is None and not message.get("binary"):
            key = conversation_seq(message.get("event", ""), payload, message.get("room"))
        if key is None:
            return super()._handle_emit(message)
        parent = super()
        self._gated(*key, lambda: parent._handle_emit(message))
        return None
