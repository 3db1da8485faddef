"""Redis connections that never make a request wait on Redis for long.

redis-py's defaults (5 s timeouts, ten retries with backoff) turn a frozen Redis into requests
that hang for a minute. Every client built here has short timeouts and no automatic retry: the
callers decide what to do instead (queue and retry in the background, or fall back to memory).

``RedisHealth`` probes one Redis from a background task; while it reports the server down,
``GuardedRedisStorage`` (the rate-limit storage) fails at once instead of waiting for a timeout,
and Flask-Limiter's in-memory fallback takes over without a single request blocking on a probe.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import redis
from limits.storage import RedisStorage
from redis.backoff import NoBackoff
from redis.retry import Retry

log = logging.getLogger(__name__)

# Background work (outbox publisher, presence) may wait up to this long for one command.
BACKGROUND_TIMEOUT = 1.0
# Work done inside a request (rate-limit counters) waits at most this long.
REQUEST_TIMEOUT = 0.25
PROBE_SECONDS = 0.5


def client_options(timeout: float = BACKGROUND_TIMEOUT) -> dict[str, Any]:
    """``redis.Redis`` keyword arguments: short timeouts, no retry, keep-alive."""
    return {
        "socket_timeout": timeout,
        "socket_connect_timeout": timeout,
        "socket_keepalive": True,
        "retry": Retry(NoBackoff(), 0),
        "retry_on_error": [],
    }


def connect(url: str, timeout: float = BACKGROUND_TIMEOUT, **extra: Any) -> redis.Redis:
    return redis.Redis.from_url(url, **{**client_options(timeout), **extra})


class RedisHealth:
    """Whether one Redis answers, as seen by a background PING every ``PROBE_SECONDS``.

    One instance per URL and process (``for_url``). ``mark_down`` lets any caller that saw a
    failure report it at once; only a successful probe marks the server up again."""

    _instances: dict[str, RedisHealth] = {}
    _lock = threading.Lock()

    def __init__(self, url: str) -> None:
        self.url = url
        self.up = True
        self.changed_at = time.monotonic()
        self._client = connect(url, timeout=PROBE_SECONDS)
        self._started = False
        self._listeners: list[Callable[[bool], None]] = []

    @classmethod
    def for_url(cls, url: str) -> RedisHealth:
        with cls._lock:
            health = cls._instances.get(url)
            if health is None:
                health = cls._instances[url] = cls(url)
            return health

    def on_change(self, listener: Callable[[bool], None]) -> None:
        self._listeners.append(listener)

    def start(self) -> None:
        """Starts the probe (a greenlet under gevent's monkey-patching, else a daemon thread);
        idempotent. Started by the realtime layer, and by the first reported failure."""
        with self._lock:
            if self._started:
                return
            self._started = True
        threading.Thread(target=self._probe_forever, name="redis-probe", daemon=True).start()

    def _probe_forever(self) -> None:
        while True:
            time.sleep(PROBE_SECONDS)
            self.probe()

    def probe(self) -> bool:
        try:
            self._client.ping()
        except Exception:  # any failure means "do not wait on it"
            self.mark_down()
            return False
        self._set(True)
        return True

    def mark_down(self) -> None:
        self._set(False)
        self.start()

    def _set(self, up: bool) -> None:
        if up == self.up:
            return
        self.up = up
        self.changed_at = time.monotonic()
        if up:
            log.warning("Redis at %s answers again", _safe(self.url))
        else:
            log.warning("Redis at %s does not answer; working without it", _safe(self.url))
        for listener in list(self._listeners):
            try:
                listener(up)
            except Exception:
                log.exception("Redis health listener failed")


def _safe(url: str) -> str:
    """The URL without its password."""
    if "@" not in url:
        return url
    scheme, _, rest = url.partition("://")
    return f"{scheme}://***@{rest.rsplit('@', 1)[1]}"


class GuardedRedisStorage(RedisStorage):
    """The ``limits`` Redis storage behind a ``RedisHealth``: while the server is reported down,
    every call fails at once (Flask-Limiter then counts in memory) and ``check`` answers from
    the probe instead of pinging inside a request. URI scheme ``lnk+redis://`` (or ``lnk+rediss``).
    """

    STORAGE_SCHEME = ["lnk+redis", "lnk+rediss"]

    def __init__(self, uri: str, **options: Any) -> None:
        real = uri.removeprefix("lnk+")
        self.health = RedisHealth.for_url(real)
        super().__init__(real, **{**client_options(REQUEST_TIMEOUT), **options})

    def get_connection(self, readonly: bool = False) -> Any:
        if not self.health.up:
            raise redis.ConnectionError("Redis is reported down")
        return super().get_connection(readonly)

    def incr(self, *args: Any, **kwargs: Any) -> int:
        return self._guard(super().incr, *args, **kwargs)

    def get(self, *args: Any, **kwargs: Any) -> int:
        return self._guard(super().get, *args, **kwargs)

    def get_expiry(self, *args: Any, **kwargs: Any) -> float:
        return self._guard(super().get_expiry, *args, **kwargs)

    def _guard(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except redis.RedisError:
            self.health.mark_down()
            raise

    def check(self) -> bool:
        return self.health.up


def limits_storage_uri(redis_url: str | None) -> str:
    """The rate-limit storage URI for Flask-Limiter and the socket limiter."""
    return "lnk+" + redis_url if redis_url else "memory://"
