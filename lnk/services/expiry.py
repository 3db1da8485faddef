"""The expiry sweep: stores past-due offers and booking requests as expired and announces each.

Reads already show them expired (``lnk.services.deadlines``); the sweep makes that durable and
raises ``messageUpdated`` so open screens change too. Each expiry is a compare-and-set, so several
processes may sweep at once and every item still expires (and is announced) exactly once.
"""

from __future__ import annotations

from lnk.services import deals
from lnk.services.context import ServiceContext

BATCH = 100
MAX_BATCHES = 20


def expire_due(ctx: ServiceContext, *, batch: int = BATCH, max_batches: int = MAX_BATCHES) -> int:
    """Expires what is due now (at most ``batch * max_batches`` items); returns how many."""
    expired = 0
    for _ in range(max_batches):
        due = ctx.store.messages.pending_expired(ctx.clock.now(), batch)
        progressed = 0
        for message in due:
            if deals.expire(ctx, message) is not None:
                expired += 1
                progressed += 1
        if len(due) < batch or progressed == 0:
            break
    return expired
