"""Business rules that are pure functions of domain objects: stated once here, used by the
services, by both storage adapters (through what the services store) and by the pages."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta


def counts_unread(message_type: str) -> bool:
    """Whether a message counts as unread for the other participants until they read it:
    every message but the system's notes about the conversation itself. Decided when the
    message is sent and stored with it."""
    return message_type != "system"


# The longest a service (so a booking) may last: a week.
MAX_DURATION_MINUTES = 7 * 24 * 60


def overlaps(start_a: datetime, minutes_a: int, start_b: datetime, minutes_b: int) -> bool:
    """Whether two bookings' times overlap. Times are half-open intervals
    ``[start, start + minutes)``: one ending exactly when the other starts does not overlap."""
    return start_a < start_b + timedelta(minutes=minutes_b) and start_b < start_a + timedelta(
        minutes=minutes_a
    )


def overlap_window(start: datetime, minutes: int) -> tuple[datetime, datetime]:
    """``(after, before)``: every booking that can overlap ``[start, start + minutes)`` starts
    strictly between these (none lasts more than ``MAX_DURATION_MINUTES``). A store fetches the
    provider's bookings in this range of its ``(provider, start)`` index; ``overlaps`` decides."""
    return start - timedelta(minutes=MAX_DURATION_MINUTES), start + timedelta(minutes=minutes)


def any_overlap(start: datetime, minutes: int, others: Iterable[tuple[datetime, int]]) -> bool:
    """Whether ``[start, start + minutes)`` overlaps any of ``others`` (start, minutes)."""
    return any(overlaps(start, minutes, s, m) for s, m in others)
