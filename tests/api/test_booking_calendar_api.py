"""A booking as an iCalendar file: for its two parties only, in UTC, parsed back by icalendar."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from icalendar import Calendar

from tests.api.marketplace_support import act, direct, later, offer, package, request

pytestmark = pytest.mark.both_engines


def _booked(client, clock, alice, bob):
    cid = direct(client, alice, bob)
    pkg = package(client, alice)
    start = later(clock, 48).replace(second=0, microsecond=0)
    sent = request(client, bob, cid, pkg["id"], start).get_json()
    confirmed = act(client, alice, sent["id"], "booking/confirm").get_json()
    return cid, start, confirmed["bookingRequest"]["bookingId"]


def test_both_parties_get_the_booking_as_a_calendar_event(client, make_user, clock):
    alice, bob = make_user("alice"), make_user("bob")
    cid, start, booking_id = _booked(client, clock, alice, bob)
    for viewer, other in ((bob, "alice"), (alice, "bob")):
        response = client.get(f"/api/bookings/{booking_id}/calendar.ics", headers=viewer.headers)
        assert response.status_code == 200
        assert response.mimetype == "text/calendar"
        assert response.headers["Content-Disposition"] == (
            f'attachment; filename="booking-{booking_id}.ics"'
        )
        [event] = Calendar.from_ical(response.data).walk("VEVENT")
        assert event.decoded("dtstart") == start.astimezone(UTC)
        assert event.decoded("dtend") - event.decoded("dtstart") == timedelta(minutes=60)
        assert str(event["uid"]) == f"booking-{booking_id}@lnk"
        assert str(event["summary"]).startswith("Haircut with ")
        assert other in str(event["summary"]).lower()
        assert "€25.00" in str(event["description"])
        assert str(event["url"]).endswith(f"/chat/{cid}")
        assert str(event["status"]) == "CONFIRMED"


def test_nobody_else_gets_it_and_an_unknown_id_is_404(client, make_user, clock):
    alice, bob, mallory = make_user("alice"), make_user("bob"), make_user("mallory")
    _, _, booking_id = _booked(client, clock, alice, bob)
    stranger = client.get(f"/api/bookings/{booking_id}/calendar.ics", headers=mallory.headers)
    assert stranger.status_code == 404
    assert stranger.mimetype == "application/problem+json"
    missing = client.get("/api/bookings/0123456789abcdef01234567/calendar.ics", headers=bob.headers)
    assert missing.status_code == 404
    assert client.get(f"/api/bookings/{booking_id}/calendar.ics").status_code == 401


def test_a_booking_with_no_agreed_time_is_409(client, make_user, clock):
    alice, bob = make_user("alice"), make_user("bob")
    cid = direct(client, alice, bob)
    pkg = package(client, alice)
    sent = offer(client, alice, cid, pkg["id"]).get_json()
    accepted = act(client, bob, sent["id"], "offer/accept").get_json()
    booking_id = accepted["serviceOffer"]["bookingId"]
    response = client.get(f"/api/bookings/{booking_id}/calendar.ics", headers=bob.headers)
    assert response.status_code == 409
