"""Bookings: the confirmed deals that accepted offers and confirmed requests create."""

from __future__ import annotations

from lnk.domain.models import Booking, User
from lnk.errors import NotFound, ValidationFailed
from lnk.services.context import ServiceContext
from lnk.services.pagination import clamp_limit, decode_cursor, encode_cursor

ROLES = ("client", "provider")


def list_bookings(
    ctx: ServiceContext,
    actor: User,
    *,
    role: str | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> tuple[list[Booking], str | None]:
    """The caller's bookings as client, as provider, or (no role) both; newest first."""
    if role is not None and role not in ROLES:
        raise ValidationFailed.field("role", "must be client or provider")
    limit = clamp_limit(limit, 20)
    before_id = decode_cursor(cursor, id=str)["id"] if cursor else None
    items = ctx.store.bookings.list_for_user(actor.id, role, limit + 1, before_id)
    next_cursor = None
    if len(items) > limit:
        items = items[:limit]
        next_cursor = encode_cursor({"id": items[-1].id})
    return items, next_cursor


def get_booking(ctx: ServiceContext, actor: User, booking_id: str) -> Booking:
    """One of the caller's bookings (as client or provider); anyone else's is not found."""
    booking = ctx.store.bookings.get(booking_id)
    if booking is None or actor.id not in (booking.client_id, booking.provider_id):
        raise NotFound("booking not found")
    return booking


def other_party(booking: Booking, actor: User) -> str:
    """The id of the person on the other side of the booking from the caller."""
    return booking.provider_id if actor.id == booking.client_id else booking.client_id
