"""Booking requests: a client asks for a start time on the other participant's package.

The package owner confirms (creating a booking at ``requestedStart``) or declines; the requester
may cancel while it is pending. A request expires 24 hours after it is sent. Confirming refuses a
time that overlaps one of the provider's confirmed bookings (409) and then declines the
provider's other pending requests for overlapping times.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from lnk.domain.models import Booking, BookingRequest, Conversation, Message, User
from lnk.domain.rules import overlaps
from lnk.errors import Conflict, Forbidden, ValidationFailed
from lnk.services import deals, moderation
from lnk.services.context import ServiceContext, unit_of_work
from lnk.services.conversations import require_participant
from lnk.services.deadlines import is_past_due
from lnk.services.messages import SendResult, store_new_message
from lnk.store.base import NewMessage, OverlapError


@unit_of_work
def send_booking_request(
    ctx: ServiceContext,
    actor: User,
    conversation_id: str,
    *,
    service_package_id: str,
    requested_start: datetime,
    note: str | None = None,
) -> SendResult:
    conversation, _ = require_participant(ctx, actor, conversation_id)
    provider_id = deals.other_participant(conversation, actor)
    package = ctx.store.packages.get(service_package_id)
    if package is None or package.owner_id != provider_id:
        raise ValidationFailed.field(
            "servicePackageId", "is not a service package of the other participant"
        )
    if not package.active:
        raise ValidationFailed.field("servicePackageId", "this service package is inactive")
    start = _utc_ms(requested_start)
    now = ctx.clock.now()
    if start <= now:
        raise ValidationFailed.field("requestedStart", "must be in the future")
    if start > now + ctx.rules.booking_horizon:
        days = ctx.rules.booking_horizon.days
        raise ValidationFailed.field("requestedStart", f"must be within {days} days from now")
    text = deals.clean_note(note)
    warnings = moderation.screen_text(ctx, conversation.id, text or "")
    request = BookingRequest(
        package.id,
        provider_id,
        package.title,
        start,
        package.duration_minutes,
        text,
        "pending",
        now + ctx.rules.booking_request_ttl,
        price=package.price,
        currency=package.currency,
    )
    new = NewMessage(
        conversation.id,
        actor.id,
        "booking_request",
        booking_request=request,
        flagged=bool(warnings),
    )
    result = store_new_message(ctx, conversation, new)
    result.warnings = warnings
    return result


@unit_of_work
def confirm_request(ctx: ServiceContext, actor: User, message_id: str) -> Message:
    """The provider confirms: the booking is made only if the provider is free then, and the
    provider's other pending requests for overlapping times are declined, all in one unit."""
    message, conversation = deals.load(ctx, actor, message_id, "booking_request")
    request = message.booking_request
    assert request is not None
    if actor.id != request.provider_id:
        raise Forbidden("only the package owner may confirm this request")
    deals.require_pending(ctx, message, conversation)
    price, currency = request.price, request.currency
    if price is None or currency is None:  # sent before requests kept their price
        package = ctx.store.packages.get(request.service_package_id)
        if package is None:
            raise Conflict("the service package of this request no longer exists")
        price, currency = package.price, package.currency
    now = ctx.clock.now()
    confirmed = replace(request, status="confirmed", responded_at=now)
    deals.respond(ctx, message, confirmed)
    try:
        booking = ctx.store.bookings.create(
            Booking(
                "",
                request.service_package_id,
                request.provider_id,
                message.sender_id,
                conversation.id,
                message.id,
                request.requested_start,
                request.duration_minutes,
                price,
                currency,
                "confirmed",
                now,
            ),
            refuse_overlap=True,
        )
    except OverlapError:  # the unit rolls back: the request stays pending, untouched
        raise Conflict("the provider already has a confirmed booking at that time") from None
    updated = deals.transition(ctx, message, "confirmed", replace(confirmed, booking_id=booking.id))
    assert updated is not None  # only this caller moves a request out of "confirmed"
    deals.announce(ctx, conversation, updated)
    _decline_overlapping(ctx, updated)
    return updated


@unit_of_work
def decline_request(ctx: ServiceContext, actor: User, message_id: str) -> Message:
    message, conversation = deals.load(ctx, actor, message_id, "booking_request")
    assert message.booking_request is not None
    if actor.id != message.booking_request.provider_id:
        raise Forbidden("only the package owner may decline this request")
    return _close(ctx, message, conversation, "declined")


@unit_of_work
def cancel_request(ctx: ServiceContext, actor: User, message_id: str) -> Message:
    message, conversation = deals.load(ctx, actor, message_id, "booking_request")
    if actor.id != message.sender_id:
        raise Forbidden("only the requester may cancel this request")
    return _close(ctx, message, conversation, "cancelled")


def _close(
    ctx: ServiceContext, message: Message, conversation: Conversation, status: str
) -> Message:
    deals.require_pending(ctx, message, conversation)
    assert message.booking_request is not None
    updated = deals.respond(
        ctx, message, replace(message.booking_request, status=status, responded_at=ctx.clock.now())
    )
    deals.announce(ctx, conversation, updated)
    return updated


def _decline_overlapping(ctx: ServiceContext, confirmed: Message) -> None:
    """Declines the provider's other pending requests whose time overlaps the new booking."""
    booked = confirmed.booking_request
    assert booked is not None
    now = ctx.clock.now()
    for other in ctx.store.messages.pending_requests_for_provider(booked.provider_id):
        request = other.booking_request
        if (
            other.id == confirmed.id
            or request is None
            or request.status != "pending"
            or is_past_due(other, now)
            or not overlaps(
                request.requested_start,
                request.duration_minutes,
                booked.requested_start,
                booked.duration_minutes,
            )
        ):
            continue
        updated = deals.transition(
            ctx,
            other,
            "pending",
            replace(request, status="declined", responded_at=now, declined_because="overlap"),
        )
        if updated is None:
            continue  # answered meanwhile by someone else
        conversation = ctx.store.conversations.get(updated.conversation_id)
        if conversation is not None:
            deals.announce(ctx, conversation, updated)


def _utc_ms(value: datetime) -> datetime:
    """Aware UTC with millisecond precision (a naive time is taken as UTC); a time that has
    no UTC equivalent (beyond year 9999 once converted) is a 422."""
    try:
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except OverflowError:
        raise ValidationFailed.field("requestedStart", "is out of range") from None
    return value.replace(microsecond=value.microsecond // 1000 * 1000)
