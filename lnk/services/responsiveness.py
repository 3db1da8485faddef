"""How quickly a provider answers, as marketplaces define it: over the last 90 days, the share
of new conversations someone else opened with the provider that it answered within 24 hours, and
the median time to that first answer.

Kept incrementally: when a direct conversation's first message comes from someone other than a
provider (a user owning service packages), the store records it as opened; the provider's first
message after that records the answer. Reading the statistics reads the provider's records of
the last 90 days only, never the messages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from statistics import median

from lnk.domain.models import Message
from lnk.services.context import ServiceContext

WINDOW = timedelta(days=90)
ANSWER_WITHIN = timedelta(hours=24)


@dataclass(frozen=True)
class ResponseStats:
    response_rate: float | None  # 0..1; None until a conversation counts
    median_first_response_minutes: int | None
    conversations: int


def is_provider(ctx: ServiceContext, user_id: str) -> bool:
    return bool(ctx.store.packages.list_by_owner(user_id, include_inactive=True, limit=1))


def record(ctx: ServiceContext, message: Message, participant_ids: tuple[str, ...]) -> None:
    """Called for every stored message (inside its unit of work)."""
    if message.type == "system" or len(participant_ids) != 2:
        return  # only direct conversations (two people) count
    if message.seq == 1:
        others = [u for u in participant_ids if u != message.sender_id]
        conversation = None
        if len(others) == 1 and is_provider(ctx, others[0]):
            conversation = ctx.store.conversations.get(message.conversation_id)
        if conversation is not None and conversation.type == "direct":
            ctx.store.response_times.opened(others[0], conversation.id, message.created_at)
        return
    ctx.store.response_times.answered(
        message.sender_id, message.conversation_id, message.created_at
    )


def stats(ctx: ServiceContext, user_id: str) -> ResponseStats | None:
    """None for a user without service packages. A conversation opened less than 24 hours ago
    and not answered yet does not count (the provider still has time)."""
    if not is_provider(ctx, user_id):
        return None
    now = ctx.clock.now()
    counted = 0
    in_time = 0
    delays: list[float] = []
    for opened_at, answered_at in ctx.store.response_times.since(user_id, now - WINDOW):
        if answered_at is None:
            if now - opened_at < ANSWER_WITHIN:
                continue
            counted += 1
            continue
        counted += 1
        delay = answered_at - opened_at
        delays.append(delay.total_seconds() / 60)
        if delay <= ANSWER_WITHIN:
            in_time += 1
    return ResponseStats(
        response_rate=round(in_time / counted, 3) if counted else None,
        median_first_response_minutes=round(median(delays)) if delays else None,
        conversations=counted,
    )


def usually_replies(found: ResponseStats | None) -> str | None:
    """The chat header's line, e.g. "Usually replies within 2 h"."""
    if found is None or found.median_first_response_minutes is None:
        return None
    minutes = max(1, found.median_first_response_minutes)
    if minutes < 60:
        return f"Usually replies within {minutes} min"
    hours = -(-minutes // 60)
    if hours < 48:
        return f"Usually replies within {hours} h"
    return f"Usually replies within {-(-hours // 24)} days"
