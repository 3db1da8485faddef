"""Numbers for admins, from daily counters kept as things happen (never a scan of messages).

Counted per UTC day: ``messages`` sent (not system lines), ``active_users`` (distinct senders),
``offers_sent`` and ``offers_accepted``, ``booking_requests`` sent and ``bookings_confirmed``.
The median provider first-response time comes from the response-time records answered in the
period (``responsiveness``).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from statistics import median

from lnk.domain.models import Message, User
from lnk.errors import Forbidden, ValidationFailed
from lnk.services.context import ServiceContext

PERIODS = (7, 30, 90)
METRICS = (
    "messages",
    "active_users",
    "offers_sent",
    "offers_accepted",
    "booking_requests",
    "bookings_confirmed",
)
SENT = {"service_offer": "offers_sent", "booking_request": "booking_requests"}


def day_of(at: datetime) -> str:
    return at.date().isoformat()


def count_sent(ctx: ServiceContext, message: Message) -> None:
    """Called for every stored message (inside its unit of work)."""
    if message.type == "system":
        return
    day = day_of(message.created_at)
    metrics = ctx.store.metrics
    metrics.add(day, "messages")
    if metrics.mark_active(day, message.sender_id):
        metrics.add(day, "active_users")
    if message.type in SENT:
        metrics.add(day, SENT[message.type])


def count_answer(ctx: ServiceContext, message: Message) -> None:
    """Called when an offer or a booking request is answered."""
    day = day_of(ctx.clock.now())
    if message.service_offer is not None and message.service_offer.status == "accepted":
        ctx.store.metrics.add(day, "offers_accepted")
    if message.booking_request is not None and message.booking_request.status == "confirmed":
        ctx.store.metrics.add(day, "bookings_confirmed")


@dataclass(frozen=True)
class Report:
    days: list[str]
    series: dict[str, list[int]]  # metric -> one value per day
    totals: dict[str, int]
    offer_conversion: float | None  # accepted / sent over the period
    median_first_response_minutes: int | None


def report(ctx: ServiceContext, actor: User, days: int) -> Report:
    if not actor.is_admin:
        raise Forbidden("admins only")
    if days not in PERIODS:
        raise ValidationFailed.field("days", "must be 7, 30 or 90")
    today = ctx.clock.now().date()
    first = today - timedelta(days=days - 1)
    labels = [(first + timedelta(days=i)).isoformat() for i in range(days)]
    found = ctx.store.metrics.series(labels[0], labels[-1])
    series = {m: [found.get((d, m), 0) for d in labels] for m in METRICS}
    totals = {m: sum(values) for m, values in series.items()}
    start = datetime.combine(first, datetime.min.time(), tzinfo=UTC)
    delays = ctx.store.response_times.answered_between(start, start + timedelta(days=days))
    return Report(
        days=labels,
        series=series,
        totals=totals,
        offer_conversion=round(totals["offers_accepted"] / totals["offers_sent"], 3)
        if totals["offers_sent"]
        else None,
        median_first_response_minutes=round(median(delays)) if delays else None,
    )


def as_csv(found: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["day", *METRICS])
    for index, day in enumerate(found.days):
        writer.writerow([day, *(found.series[m][index] for m in METRICS)])
    return out.getvalue()
