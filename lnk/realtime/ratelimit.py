"""Per-user rate limits on socket events, with the ``limits`` library Flask-Limiter uses.

The storage is Redis when ``REDIS_URL`` is set (limits then hold across processes), else memory.
While Redis does not answer, the counters live in this process's memory: a limit degrades to
per-process, it never fails an event. ``RATELIMIT_ENABLED=false`` turns them off, as it does for
the HTTP API.
"""

from __future__ import annotations

import time

from limits import RateLimitItem, parse, storage, strategies

from lnk.errors import RateLimited
from lnk.redis_link import limits_storage_uri

SOCKET_LIMITS = {
    "joinConversation": "60 per 10 seconds",
    "leaveConversation": "60 per 10 seconds",
    "typing": "30 per 10 seconds",
    "markAsRead": "30 per 10 seconds",
    "getOnlineUsers": "30 per 10 seconds",
}


class SocketRateLimiter:
    def __init__(
        self, enabled: bool, storage_uri: str | None, limits: dict[str, str] | None = None
    ) -> None:
        self.enabled = enabled
        self._items: dict[str, RateLimitItem] = {
            event: parse(text) for event, text in (limits or SOCKET_LIMITS).items()
        }
        self._limiter: strategies.RateLimiter | None = None
        self._fallback: strategies.RateLimiter | None = None
        if enabled:
            backend = storage.storage_from_string(limits_storage_uri(storage_uri))
            self._limiter = strategies.FixedWindowRateLimiter(backend)
            if storage_uri:
                self._fallback = strategies.FixedWindowRateLimiter(storage.MemoryStorage())

    def hit(self, event: str, user_id: str) -> None:
        """Counts one event; raises RateLimited (``rate_limited``) beyond the limit."""
        item = self._items.get(event)
        if self._limiter is None or item is None:
            return
        limiter = self._limiter
        try:
            allowed = limiter.hit(item, "socket", event, user_id)
        except Exception:
            if self._fallback is None:
                raise
            limiter = self._fallback  # shared storage unreachable: count in this process
            allowed = limiter.hit(item, "socket", event, user_id)
        if not allowed:
            try:
                reset = limiter.get_window_stats(item, "socket", event, user_id).reset_time
            except Exception:
                reset = time.time() + item.get_expiry()
            retry = max(1, int(reset - time.time() + 0.999))
            raise RateLimited(f"too many {event} events; retry in {retry} s")
