"""Each conversation's ``newMessage``s reach this process's sockets in ``seq`` order.

Events of one conversation may reach a process out of order: raised by concurrent requests of
this process, or published by other processes through the message queue while this one raises
its own. The gate remembers the last ``seq`` delivered per conversation; a message that arrives
ahead of a gap is held until the gap fills, or for at most ``hold`` seconds (the missing one may
have been lost with the queue; clients then catch up with ``afterSeq``). The first message of a
conversation this process sees, unless it is seq 1, waits ``first_hold`` (a quarter second) for
its predecessor, which may be in flight from another process. Repeats and late arrivals go out at
once: clients dedupe by message id.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

Deliver = Callable[[], Any]


def conversation_seq(event: str, data: Any, rooms: Any = None) -> tuple[str, int] | None:
    """``(stream, seq)`` of a ``newMessage`` payload, else None. A stream is a conversation as
    one kind of room hears it (``api:``/``page:`` user rooms get different views of a message,
    each view in seq order)."""
    if event != "newMessage" or not isinstance(data, dict):
        return None
    message = data.get("message")
    conversation_id = data.get("conversationId")
    seq = message.get("seq") if isinstance(message, dict) else None
    if isinstance(conversation_id, str) and isinstance(seq, int):
        return f"{conversation_id}|{_room_kind(rooms)}", seq
    return None


def _room_kind(rooms: Any) -> str:
    first = rooms[0] if isinstance(rooms, list | tuple) and rooms else rooms
    return first.split(":", 1)[0] if isinstance(first, str) else ""


class SeqGate:
    def __init__(
        self, hold: float = 1.0, first_hold: float = 0.25, max_conversations: int = 100_000
    ) -> None:
        self.hold = hold
        self.first_hold = first_hold
        self.max_conversations = max_conversations
        self._last: OrderedDict[str, int] = OrderedDict()
        # conversation -> seq -> (deadline, deliveries): one message may be several emits (the
        # JSON for API sockets, rendered views for pages), all held and released together
        self._held: dict[str, dict[int, tuple[float, list[Deliver]]]] = {}
        self._lock = threading.RLock()  # deliveries happen under it, so they keep their order

    def submit(self, conversation_id: str, seq: int, deliver: Deliver) -> None:
        with self._lock:
            last = self._last.get(conversation_id)
            if last is None and seq > 1:
                self._hold(conversation_id, seq, deliver, self.first_hold)
                return
            if last is not None and seq > last + 1:
                self._hold(conversation_id, seq, deliver, self.hold)
                return
            deliver()
            if last is None or seq > last:
                self._remember(conversation_id, seq)
                self._release(conversation_id)

    def _hold(self, conversation_id: str, seq: int, deliver: Deliver, wait: float) -> None:
        held = self._held.setdefault(conversation_id, {})
        held.setdefault(seq, (time.monotonic() + wait, []))[1].append(deliver)

    def _remember(self, conversation_id: str, seq: int) -> None:
        self._last[conversation_id] = seq
        self._last.move_to_end(conversation_id)
        while len(self._last) > self.max_conversations:
            oldest = next(iter(self._last))
            self._flush(oldest)
            del self._last[oldest]

    def _release(self, conversation_id: str) -> None:
        """Delivers the held messages that now follow without a gap."""
        held = self._held.get(conversation_id)
        while held and conversation_id in self._last:
            nxt = self._last[conversation_id] + 1
            item = held.pop(nxt, None)
            if item is None:
                break
            for deliver in item[1]:
                deliver()
            self._last[conversation_id] = nxt
        if not held:
            self._held.pop(conversation_id, None)

    def _flush(self, conversation_id: str) -> None:
        held = self._held.pop(conversation_id, {})
        for seq in sorted(held):
            for deliver in held[seq][1]:
                deliver()
            if seq > self._last.get(conversation_id, 0):
                self._last[conversation_id] = seq

    def release_due(self, now: float | None = None) -> int:
        """Gives up waiting for gaps older than ``hold``; returns how many were delivered."""
        if not self._held:
            return 0
        now = time.monotonic() if now is None else now
        count = 0
        with self._lock:
            for conversation_id in list(self._held):
                held = self._held[conversation_id]
                if min(deadline for deadline, _ in held.values()) <= now:
                    count += sum(len(d) for _, d in held.values())
                    self._flush(conversation_id)
        return count

    @property
    def held(self) -> int:
        return sum(len(d) for h in self._held.values() for _, d in h.values())
