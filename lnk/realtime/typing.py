"""Typing state: who is typing where, in this process's memory, ending by itself after a TTL.

A state belongs to the socket that started it, so that socket's disconnect ends it at once.
Only changes are announced: renewing an ongoing state just moves its deadline.
"""

from __future__ import annotations

import threading

Key = tuple[str, str]  # (conversation id, user id)


class TypingRegistry:
    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self._states: dict[Key, tuple[str, float]] = {}  # key -> (sid, deadline)
        self._by_sid: dict[str, set[Key]] = {}
        self._lock = threading.Lock()

    def start(self, conversation_id: str, user_id: str, sid: str, now: float) -> bool:
        """Starts or renews; True if the user was not typing there before."""
        key = (conversation_id, user_id)
        with self._lock:
            previous = self._states.get(key)
            if previous is not None and previous[0] != sid:
                self._by_sid.get(previous[0], set()).discard(key)
            self._states[key] = (sid, now + self.ttl)
            self._by_sid.setdefault(sid, set()).add(key)
            return previous is None

    def stop(self, conversation_id: str, user_id: str) -> bool:
        """Ends it; True if the user was typing there."""
        key = (conversation_id, user_id)
        with self._lock:
            state = self._states.pop(key, None)
            if state is None:
                return False
            self._forget(state[0], key)
            return True

    def expired(self, now: float) -> list[Key]:
        """Ends and returns the states that were not renewed in time."""
        if not self._states:
            return []
        with self._lock:
            done = [k for k, (_, deadline) in self._states.items() if deadline <= now]
            for key in done:
                sid, _ = self._states.pop(key)
                self._forget(sid, key)
            return done

    def drop_socket(self, sid: str) -> list[Key]:
        """Ends every state the socket started (it disconnected)."""
        with self._lock:
            keys = self._by_sid.pop(sid, set())
            for key in keys:
                self._states.pop(key, None)
            return sorted(keys)

    def _forget(self, sid: str, key: Key) -> None:
        keys = self._by_sid.get(sid)
        if keys is not None:
            keys.discard(key)
            if not keys:
                del self._by_sid[sid]
