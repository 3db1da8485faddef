"""Service offers: a provider's frozen proposal in a direct conversation, answered once.

The offer snapshots the package (title, description, price, currency, duration) with the custom
values applied, so later edits of the package never change what was offered. The recipient
accepts (creating a booking with no start yet) or declines; the sender may withdraw.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from lnk.domain.models import Booking, Message, ServiceOffer, User
from lnk.errors import Forbidden, ValidationFailed
from lnk.services import deals, moderation
from lnk.services.context import ServiceContext, unit_of_work
from lnk.services.conversations import require_participant
from lnk.services.messages import SendResult, store_new_message
from lnk.services.packages import parse_duration, parse_price
from lnk.store.base import NewMessage


@unit_of_work
def send_offer(
    ctx: ServiceContext,
    actor: User,
    conversation_id: str,
    *,
    service_package_id: str,
    custom_price: object = None,
    custom_duration: object = None,
    note: str | None = None,
    expires_in_hours: int | None = None,
) -> SendResult:
    conversation, _ = require_participant(ctx, actor, conversation_id)
    deals.other_participant(conversation, actor)
    package = ctx.store.packages.get(service_package_id)
    if package is None or package.owner_id != actor.id:
        raise ValidationFailed.field("servicePackageId", "is not one of your service packages")
    if not package.active:
        raise ValidationFailed.field("servicePackageId", "this service package is inactive")
    hours = ctx.rules.offer_default_hours if expires_in_hours is None else expires_in_hours
    if (
        isinstance(hours, bool)
        or not isinstance(hours, int)
        or not (1 <= hours <= ctx.rules.offer_max_hours)
    ):
        raise ValidationFailed.field(
            "expiresInHours", f"must be between 1 and {ctx.rules.offer_max_hours}"
        )
    price = package.price if custom_price is None else parse_price(custom_price, "customPrice")
    duration = (
        package.duration_minutes
        if custom_duration is None
        else parse_duration(custom_duration, "customDuration")
    )
    text = deals.clean_note(note)
    warnings = moderation.screen_text(ctx, conversation.id, text or "")
    offer = ServiceOffer(
        package.id,
        package.title,
        package.description,
        price,
        package.currency,
        duration,
        text,
        "pending",
        ctx.clock.now() + timedelta(hours=hours),
    )
    new = NewMessage(
        conversation.id, actor.id, "service_offer", service_offer=offer, flagged=bool(warnings)
    )
    result = store_new_message(ctx, conversation, new)
    result.warnings = warnings
    return result


@unit_of_work
def accept_offer(ctx: ServiceContext, actor: User, message_id: str) -> Message:
    """The recipient accepts a pending offer; a confirmed booking (``start`` null) is made in
    the same unit of work, so there is never an accepted offer without its booking."""
    message, conversation = deals.load(ctx, actor, message_id, "service_offer")
    if actor.id == message.sender_id:
        raise Forbidden("only the recipient may accept this offer")
    deals.require_pending(ctx, message, conversation)
    offer = message.service_offer
    assert offer is not None
    now = ctx.clock.now()
    accepted = replace(offer, status="accepted", responded_at=now)
    deals.respond(ctx, message, accepted)
    booking = ctx.store.bookings.create(
        Booking(
            "",
            offer.service_package_id,
            message.sender_id,
            actor.id,
            conversation.id,
            message.id,
            None,
            offer.duration_minutes,
            offer.price,
            offer.currency,
            "confirmed",
            now,
        ),
        refuse_overlap=False,
    )
    updated = deals.transition(ctx, message, "accepted", replace(accepted, booking_id=booking.id))
    assert updated is not None  # only this caller moves an offer out of "accepted"
    deals.announce(ctx, conversation, updated)
    return updated


@unit_of_work
def decline_offer(ctx: ServiceContext, actor: User, message_id: str) -> Message:
    message, conversation = deals.load(ctx, actor, message_id, "service_offer")
    if actor.id == message.sender_id:
        raise Forbidden("only the recipient may decline this offer (the sender withdraws it)")
    return _close(ctx, message, conversation, "declined")


@unit_of_work
def withdraw_offer(ctx: ServiceContext, actor: User, message_id: str) -> Message:
    message, conversation = deals.load(ctx, actor, message_id, "service_offer")
    if actor.id != message.sender_id:
        raise Forbidden("only the sender may withdraw this offer")
    return _close(ctx, message, conversation, "withdrawn")


def _close(ctx: ServiceContext, message: Message, conversation, status: str) -> Message:
    deals.require_pending(ctx, message, conversation)
    assert message.service_offer is not None
    updated = deals.respond(
        ctx, message, replace(message.service_offer, status=status, responded_at=ctx.clock.now())
    )
    deals.announce(ctx, conversation, updated)
    return updated
