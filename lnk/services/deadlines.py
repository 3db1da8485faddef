"""How offers and booking requests read once their deadline has passed.

A pending offer or request whose ``expiresAt`` is past reads as ``expired`` everywhere, before the
periodic sweep (``lnk.services.expiry``) has stored that and announced it. Kept free of other
service imports so that message loading can use it without an import cycle.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from lnk.domain.models import Message


def is_past_due(message: Message, now: datetime) -> bool:
    """True if the message carries a pending offer or request whose deadline has passed."""
    item = message.service_offer or message.booking_request
    return item is not None and item.status == "pending" and item.expires_at <= now


def as_seen(message: Message, now: datetime) -> Message:
    """The message as clients must see it at ``now`` (a past-due pending item reads expired)."""
    if not is_past_due(message, now):
        return message
    if message.service_offer is not None:
        return replace(message, service_offer=replace(message.service_offer, status="expired"))
    assert message.booking_request is not None
    return replace(message, booking_request=replace(message.booking_request, status="expired"))
