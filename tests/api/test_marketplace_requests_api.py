"""Booking requests over HTTP, on both storage engines: the lifecycle and its permissions, the
overlap rules of confirming, exactly-once answers under races, expiry, bookings by role, and the
contact-info safety net that a confirmed booking turns off."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lnk.presenters import iso
from lnk.services.expiry import expire_due
from tests.api.marketplace_support import (
    act,
    assert_expires_after,
    direct,
    group,
    later,
    offer,
    package,
    race,
    request,
    updates,
)

pytestmark = pytest.mark.both_engines


@pytest.fixture
def shop(client, make_user):
    """alice (provider with a 60-minute package) and bob (client) in a direct conversation."""
    alice, bob = make_user("alice"), make_user("bob")
    return alice, bob, direct(client, alice, bob), package(client, alice)


def test_a_confirmed_request_books_the_requested_time(client, shop, events, clock):
    alice, bob, cid, pkg = shop
    start = later(clock, 48).replace(microsecond=0)
    before = clock.now()
    sent = request(client, bob, cid, pkg["id"], start, note="Short please")
    after = clock.now()
    assert sent.status_code == 201
    message = sent.get_json()
    req = message["bookingRequest"]
    assert message["type"] == "booking_request" and req["status"] == "pending"
    assert req["requestedStart"] == iso(start) and req["durationMinutes"] == 60
    assert req["title"] == "Haircut" and req["note"] == "Short please"
    assert req["bookingId"] is None and req["respondedAt"] is None
    assert_expires_after(message, timedelta(hours=24), before, after)
    events.clear()
    confirmed = act(client, alice, message["id"], "booking/confirm")
    assert confirmed.status_code == 200
    req = confirmed.get_json()["bookingRequest"]
    assert req["status"] == "confirmed" and req["bookingId"] and req["respondedAt"]
    [update] = updates(events, "booking")
    assert update.message.booking_request.status == "confirmed"
    assert set(update.audience) == {alice.id, bob.id}
    [booking] = client.get("/api/bookings?role=provider", headers=alice.headers).get_json()["items"]
    assert booking["id"] == req["bookingId"] and booking["start"] == iso(start)
    assert booking["clientId"] == bob.id and booking["providerId"] == alice.id
    assert booking["price"] == 25 and booking["currency"] == "EUR"
    assert booking["status"] == "confirmed"
    both = client.get("/api/bookings", headers=bob.headers).get_json()["items"]
    assert [b["id"] for b in both] == [booking["id"]]
    for user, action in (
        (alice, "booking/confirm"),
        (alice, "booking/decline"),
        (bob, "booking/cancel"),
    ):
        assert act(client, user, message["id"], action).status_code == 409
    preview = client.get(f"/api/conversations/{cid}", headers=bob.headers).get_json()
    assert preview["lastMessage"]["preview"] == "Booking request: Haircut (confirmed)"


def test_request_validation(client, shop, make_user, clock):
    alice, bob, cid, pkg = shop
    carol = make_user("carol")
    own = package(client, bob)
    soon = later(clock, 5)
    wrong = request(client, bob, cid, own["id"], soon)
    assert wrong.status_code == 422 and "servicePackageId" in wrong.get_json()["errors"]
    past = request(client, bob, cid, pkg["id"], later(clock, -1))
    assert past.status_code == 422 and "requestedStart" in past.get_json()["errors"]
    gid = group(client, alice, bob, carol)
    assert request(client, bob, gid, pkg["id"], soon).status_code == 422
    assert request(client, carol, cid, pkg["id"], soon).status_code == 404
    bad = client.post(
        f"/api/conversations/{cid}/messages/booking-request",
        json={"servicePackageId": pkg["id"], "requestedStart": "tomorrow"},
        headers=bob.headers,
    )
    assert bad.status_code == 422
    client.delete(f"/api/service-packages/{pkg['id']}", headers=alice.headers)
    assert request(client, bob, cid, pkg["id"], soon).status_code == 422


def test_who_may_answer_a_request(client, shop, make_user, clock, events):
    alice, bob, cid, pkg = shop
    carol = make_user("carol")
    mid = request(client, bob, cid, pkg["id"], later(clock, 3)).get_json()["id"]
    assert act(client, bob, mid, "booking/confirm").status_code == 403
    assert act(client, bob, mid, "booking/decline").status_code == 403
    assert act(client, alice, mid, "booking/cancel").status_code == 403
    for action in ("booking/confirm", "booking/decline", "booking/cancel"):
        assert act(client, carol, mid, action).status_code == 404
    assert act(client, alice, mid, "offer/accept").status_code == 422
    cancelled = act(client, bob, mid, "booking/cancel")
    assert cancelled.status_code == 200
    assert cancelled.get_json()["bookingRequest"]["status"] == "cancelled"
    assert act(client, alice, mid, "booking/confirm").status_code == 409
    assert act(client, bob, mid, "booking/cancel").status_code == 409
    other = request(client, bob, cid, pkg["id"], later(clock, 4)).get_json()["id"]
    declined = act(client, alice, other, "booking/decline")
    assert declined.get_json()["bookingRequest"]["status"] == "declined"
    statuses = [u.message.booking_request.status for u in updates(events, "booking")]
    assert statuses == ["cancelled", "declined"]
    assert client.get("/api/bookings", headers=alice.headers).get_json()["items"] == []


def test_confirming_declines_the_providers_overlapping_pending_requests(
    client, shop, make_user, clock, events
):
    alice, bob, cid, pkg = shop
    carol, dave = make_user("carol"), make_user("dave")
    carol_cid, dave_cid = direct(client, carol, alice), direct(client, dave, alice)
    ten = later(clock, 24).replace(minute=0, second=0, microsecond=0)
    mine = request(client, bob, cid, pkg["id"], ten).get_json()["id"]
    clash = request(client, carol, carol_cid, pkg["id"], ten + timedelta(minutes=30)).get_json()
    after = request(client, dave, dave_cid, pkg["id"], ten + timedelta(minutes=60)).get_json()
    events.clear()
    assert act(client, alice, mine, "booking/confirm").status_code == 200
    by_id = {u.message.id: u for u in updates(events, "booking")}
    assert by_id[mine].message.booking_request.status == "confirmed"
    assert by_id[clash["id"]].message.booking_request.status == "declined"
    assert set(by_id[clash["id"]].audience) == {alice.id, carol.id}
    assert after["id"] not in by_id  # touching end to start is no overlap
    seen = client.get(f"/api/messages/{clash['id']}", headers=carol.headers).get_json()
    assert seen["bookingRequest"]["status"] == "declined"
    assert seen["bookingRequest"]["declinedBecause"] == "overlap"  # said why
    mine_seen = client.get(f"/api/messages/{mine}", headers=bob.headers).get_json()
    assert mine_seen["bookingRequest"]["declinedBecause"] is None
    assert act(client, alice, after["id"], "booking/confirm").status_code == 200


def test_confirming_over_a_confirmed_booking_is_409_and_writes_nothing(
    client, shop, make_user, clock, events
):
    alice, bob, cid, pkg = shop
    carol = make_user("carol")
    carol_cid = direct(client, carol, alice)
    ten = later(clock, 30).replace(minute=0, second=0, microsecond=0)
    first = request(client, bob, cid, pkg["id"], ten).get_json()["id"]
    assert act(client, alice, first, "booking/confirm").status_code == 200
    late = request(client, carol, carol_cid, pkg["id"], ten + timedelta(minutes=59)).get_json()
    events.clear()
    refused = act(client, alice, late["id"], "booking/confirm")
    assert refused.status_code == 409 and refused.get_json()["code"] == "conflict"
    assert updates(events, "booking") == []
    still = client.get(f"/api/messages/{late['id']}", headers=carol.headers).get_json()
    assert still["bookingRequest"]["status"] == "pending"
    assert still["bookingRequest"]["bookingId"] is None
    provided = client.get("/api/bookings?role=provider", headers=alice.headers).get_json()
    assert len(provided["items"]) == 1
    assert act(client, alice, late["id"], "booking/decline").status_code == 200


@pytest.mark.threaded
def test_two_simultaneous_confirms_give_one_200_and_one_409(app, client, shop, clock, events):
    alice, bob, cid, pkg = shop
    for i in range(4):
        start = later(clock, 10 + 2 * i)
        mid = request(client, bob, cid, pkg["id"], start).get_json()["id"]
        codes = race(app, [(alice, mid, "booking/confirm"), (alice, mid, "booking/confirm")])
        assert sorted(codes) == [200, 409]
    assert len(client.get("/api/bookings", headers=bob.headers).get_json()["items"]) == 4
    assert len(updates(events, "booking")) == 4


@pytest.mark.threaded
def test_confirm_and_cancel_racing_leave_one_outcome(app, client, shop, clock):
    alice, bob, cid, pkg = shop
    for i in range(4):
        mid = request(client, bob, cid, pkg["id"], later(clock, 10 + 2 * i)).get_json()["id"]
        codes = race(app, [(alice, mid, "booking/confirm"), (bob, mid, "booking/cancel")])
        assert sorted(codes) == [200, 409]
        status = client.get(f"/api/messages/{mid}", headers=bob.headers).get_json()[
            "bookingRequest"
        ]["status"]
        booked = status == "confirmed"
        assert status in ("confirmed", "cancelled") and (codes[0] == 200) == booked


def test_a_request_expires_after_24_hours(client, shop, clock, events, ctx):
    alice, bob, cid, pkg = shop
    mid = request(client, bob, cid, pkg["id"], later(clock, 72)).get_json()["id"]
    clock.advance(timedelta(hours=23, minutes=59))
    assert expire_due(ctx) == 0
    clock.advance(timedelta(minutes=2))
    seen = client.get(f"/api/messages/{mid}", headers=alice.headers).get_json()
    assert seen["bookingRequest"]["status"] == "expired"
    assert act(client, alice, mid, "booking/confirm").status_code == 409
    [update] = updates(events, "booking")  # the refused confirm stored the expiry
    assert update.message.booking_request.status == "expired"
    assert expire_due(ctx) == 0
    fresh = request(client, bob, cid, pkg["id"], later(clock, 72)).get_json()["id"]
    clock.advance(timedelta(hours=25))
    events.clear()
    assert expire_due(ctx) == 1
    [update] = updates(events, "booking")
    assert update.message.id == fresh and set(update.audience) == {alice.id, bob.id}


def test_bookings_role_must_be_client_or_provider(client, shop):
    alice = shop[0]
    assert client.get("/api/bookings?role=admin", headers=alice.headers).status_code == 422


# --- the contact-info safety net ------------------------------------------------------------


def _say(client, user, cid, text):
    return client.post(
        f"/api/conversations/{cid}/messages", json={"content": text}, headers=user.headers
    )


@pytest.mark.parametrize(
    "text", ["mail me at bob@example.com", "call +44 20 7946 0958", "my number is (555) 123-4567"]
)
def test_contact_details_before_a_booking_warn_and_flag(client, shop, ctx, text):
    alice, bob, cid, _ = shop
    response = _say(client, bob, cid, text)
    assert response.status_code == 201
    body = response.get_json()
    assert [w["code"] for w in body["warnings"]] == ["contact_info"]
    assert [m.id for m in ctx.store.messages.flagged(10)] == [body["id"]]


def test_ordinary_text_is_not_flagged(client, shop, ctx):
    alice, bob, cid, _ = shop
    body = _say(
        client, bob, cid, "See you on 24 November at 10:30, it costs 25.50 for 2 people"
    ).get_json()
    assert "warnings" not in body and ctx.store.messages.flagged(10) == []


@pytest.mark.parametrize("how", ["offer", "request"])
def test_a_confirmed_booking_turns_the_safety_net_off(client, shop, ctx, clock, make_user, how):
    alice, bob, cid, pkg = shop
    if how == "offer":
        mid = offer(client, alice, cid, pkg["id"]).get_json()["id"]
        assert act(client, bob, mid, "offer/accept").status_code == 200
    else:
        mid = request(client, bob, cid, pkg["id"], later(clock, 5)).get_json()["id"]
        assert act(client, alice, mid, "booking/confirm").status_code == 200
    body = _say(client, bob, cid, "my email is bob@example.com").get_json()
    assert "warnings" not in body and ctx.store.messages.flagged(10) == []
    other = direct(client, bob, make_user("zed"))
    assert "warnings" in _say(client, bob, other, "bob@example.com").get_json()


def test_an_offer_note_with_contact_details_is_flagged(client, shop, ctx):
    alice, bob, cid, pkg = shop
    response = offer(client, alice, cid, pkg["id"], note="or text me on 555 123 4567")
    assert response.status_code == 201 and response.get_json()["warnings"][0]["code"] == (
        "contact_info"
    )
    assert [m.id for m in ctx.store.messages.flagged(10)] == [response.get_json()["id"]]


def test_a_request_keeps_the_price_it_was_sent_at(client, shop, clock):
    alice, bob, cid, pkg = shop
    sent = request(client, bob, cid, pkg["id"], later(clock, 48)).get_json()
    assert sent["bookingRequest"]["price"] == 25 and sent["bookingRequest"]["currency"] == "EUR"
    raised = client.put(
        f"/api/service-packages/{pkg['id']}",
        json={"price": 250, "currency": "USD"},
        headers=alice.headers,
    )
    assert raised.status_code == 200 and raised.get_json()["price"] == 250
    confirmed = act(client, alice, sent["id"], "booking/confirm")
    assert confirmed.status_code == 200
    assert confirmed.get_json()["bookingRequest"]["price"] == 25
    [booking] = client.get("/api/bookings?role=client", headers=bob.headers).get_json()["items"]
    assert booking["price"] == 25 and booking["currency"] == "EUR"
