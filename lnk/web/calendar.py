"""A booking as an iCalendar file (RFC 5545), for adding it to a calendar app."""

from __future__ import annotations

from datetime import timedelta

from icalendar import Calendar, Event

from lnk.domain.models import Booking

PRODUCT_ID = "-//LNK//Bookings//EN"


def booking_calendar(
    booking: Booking, *, title: str, other_name: str, price: str, link: str, now
) -> bytes:
    """One VEVENT in UTC: the package's title with the other person, the price and a link back
    to the conversation; a cancelled booking is marked CANCELLED."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"booking-{booking.id}@lnk")
    event.add("dtstamp", now)
    event.add("dtstart", booking.start)
    event.add("dtend", booking.start + timedelta(minutes=booking.duration_minutes))
    event.add("summary", f"{title} with {other_name}")
    event.add("description", f"{title} · {price}\nConversation: {link}")
    event.add("url", link)
    event.add("status", "CANCELLED" if booking.status == "cancelled" else "CONFIRMED")
    calendar.add_component(event)
    return calendar.to_ical()
