"""Service packages and service offers over HTTP, on both storage engines: exact prices, owner-only
writes, the offer snapshot, every response's permissions, exactly-once answers under races,
expiry (on read and by the sweep) and the realtime events of each step."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from lnk.domain.events import MessageSent
from lnk.services import offers
from lnk.services.expiry import expire_due
from tests.api.marketplace_support import (
    act,
    assert_expires_after,
    direct,
    group,
    offer,
    package,
    race,
    updates,
)

pytestmark = pytest.mark.both_engines


@pytest.fixture
def deal(client, make_user):
    """alice (provider, owns a package) and bob (client) in a direct conversation."""
    alice, bob = make_user("alice"), make_user("bob")
    return alice, bob, direct(client, alice, bob), package(client, alice)


# --- packages -------------------------------------------------------------------------------


def test_package_prices_are_exact_decimals_in_iso_currencies(client, make_user, ctx):
    alice = make_user("alice")
    created = package(client, alice, price="19.90", currency="chf")
    assert created["price"] == 19.9 and created["currency"] == "CHF" and created["active"]
    assert ctx.store.packages.get(created["id"]).price == Decimal("19.90")
    plain = client.post(
        "/api/service-packages",
        json={"title": "Call", "price": 0.1, "durationMinutes": 15},
        headers=alice.headers,
    ).get_json()
    assert plain["currency"] == "USD" and plain["price"] == 0.1
    assert ctx.store.packages.get(plain["id"]).price == Decimal("0.10")


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"price": 19.999}, "price"),
        ({"price": "1.005"}, "price"),
        ({"price": -1}, "price"),
        ({"price": "abc"}, "price"),
        ({"currency": "ABC"}, "currency"),
        ({"currency": "XXX"}, "currency"),
        ({"durationMinutes": 0}, "durationMinutes"),
        ({"title": "   "}, "title"),
    ],
)
def test_invalid_packages_are_422_on_the_field(client, make_user, fields, field):
    alice = make_user("alice")
    body = {"title": "Cut", "price": 10, "durationMinutes": 30, **fields}
    response = client.post("/api/service-packages", json=body, headers=alice.headers)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]


def test_only_the_owner_changes_a_package_and_delete_deactivates(client, make_user):
    alice, bob = make_user("alice"), make_user("bob")
    pid = package(client, alice)["id"]
    url = f"/api/service-packages/{pid}"
    assert client.get(url, headers=bob.headers).status_code == 200
    assert client.put(url, json={"price": 30}, headers=bob.headers).status_code == 403
    assert client.delete(url, headers=bob.headers).status_code == 403
    updated = client.put(url, json={"price": "30.50", "title": "Cut+"}, headers=alice.headers)
    assert updated.status_code == 200 and updated.get_json()["price"] == 30.5
    assert client.delete(url, headers=alice.headers).status_code == 204
    assert client.delete(url, headers=alice.headers).status_code == 204
    assert client.get(url, headers=bob.headers).get_json()["active"] is False
    mine = client.get("/api/service-packages", headers=alice.headers).get_json()["items"]
    assert [p["id"] for p in mine] == [pid]
    theirs = client.get(f"/api/service-packages?ownerId={alice.id}", headers=bob.headers)
    assert theirs.get_json()["items"] == []
    missing = "0" * 24
    assert client.get(f"/api/service-packages/{missing}", headers=bob.headers).status_code == 404
    assert (
        client.put(f"/api/service-packages/{missing}", json={}, headers=bob.headers).status_code
        == 404
    )


def test_package_lists_page_newest_first(client, make_user):
    alice = make_user("alice")
    ids = [package(client, alice, title=f"P{i}")["id"] for i in range(5)]
    first = client.get("/api/service-packages?limit=3", headers=alice.headers).get_json()
    rest = client.get(
        f"/api/service-packages?limit=3&cursor={first['nextCursor']}", headers=alice.headers
    ).get_json()
    assert [p["id"] for p in first["items"] + rest["items"]] == ids[::-1]
    assert rest["nextCursor"] is None


# --- offers ---------------------------------------------------------------------------------


def test_an_offer_snapshots_the_package_with_custom_values(client, deal, events, clock):
    alice, bob, cid, pkg = deal
    before = clock.now()
    response = offer(
        client,
        alice,
        cid,
        pkg["id"],
        customPrice="40.50",
        customDuration=90,
        note="Including styling",
    )
    after = clock.now()
    assert response.status_code == 201
    message = response.get_json()
    snap = message["serviceOffer"]
    assert message["type"] == "service_offer" and message["senderId"] == alice.id
    assert snap["title"] == "Haircut" and snap["description"] == "Wash and cut"
    assert snap["price"] == 40.5 and snap["currency"] == "EUR" and snap["durationMinutes"] == 90
    assert snap["note"] == "Including styling" and snap["status"] == "pending"
    assert snap["respondedAt"] is None
    assert_expires_after(message, timedelta(hours=48), before, after)
    assert events.of_type(MessageSent)[-1].message.id == message["id"]
    client.put(
        f"/api/service-packages/{pkg['id']}",
        json={"title": "Other", "price": 1},
        headers=alice.headers,
    )
    again = client.get(f"/api/messages/{message['id']}", headers=bob.headers).get_json()
    assert again["serviceOffer"]["title"] == "Haircut" and again["serviceOffer"]["price"] == 40.5
    conversation = client.get(f"/api/conversations/{cid}", headers=bob.headers).get_json()
    assert conversation["lastMessage"]["preview"] == "Offer: Haircut (pending)"


def test_offer_validation(client, deal, make_user):
    alice, bob, cid, pkg = deal
    carol = make_user("carol")
    bobs = package(client, bob)
    gid = group(client, alice, bob, carol)
    assert offer(client, alice, gid, pkg["id"]).status_code == 422
    wrong = offer(client, alice, cid, bobs["id"])
    assert wrong.status_code == 422 and "servicePackageId" in wrong.get_json()["errors"]
    assert offer(client, alice, cid, pkg["id"], expiresInHours=721).status_code == 422
    assert offer(client, alice, cid, pkg["id"], expiresInHours=720).status_code == 201
    assert offer(client, alice, cid, pkg["id"], customPrice=1.234).status_code == 422
    assert offer(client, carol, cid, pkg["id"]).status_code == 404
    client.delete(f"/api/service-packages/{pkg['id']}", headers=alice.headers)
    inactive = offer(client, alice, cid, pkg["id"])
    assert inactive.status_code == 422 and "servicePackageId" in inactive.get_json()["errors"]


def test_accepting_an_offer_books_it_once_and_announces_it(client, deal, events):
    alice, bob, cid, pkg = deal
    mid = offer(client, alice, cid, pkg["id"], customPrice=30).get_json()["id"]
    events.clear()
    response = act(client, bob, mid, "offer/accept")
    assert response.status_code == 200
    snap = response.get_json()["serviceOffer"]
    assert snap["status"] == "accepted" and snap["respondedAt"] and snap["bookingId"]
    [update] = updates(events, "offer")
    assert update.message.service_offer.status == "accepted"
    assert set(update.audience) == {alice.id, bob.id}
    [booking] = client.get("/api/bookings?role=client", headers=bob.headers).get_json()["items"]
    assert booking["id"] == snap["bookingId"] and booking["start"] is None
    assert booking["providerId"] == alice.id and booking["clientId"] == bob.id
    assert booking["price"] == 30 and booking["currency"] == "EUR"
    assert booking["status"] == "confirmed" and booking["messageId"] == mid
    assert booking["conversationId"] == cid and booking["durationMinutes"] == 60
    provided = client.get("/api/bookings?role=provider", headers=alice.headers).get_json()
    assert [b["id"] for b in provided["items"]] == [booking["id"]]
    assert client.get("/api/bookings?role=provider", headers=bob.headers).get_json()["items"] == []
    for user, action in ((bob, "offer/accept"), (bob, "offer/decline"), (alice, "offer/withdraw")):
        second = act(client, user, mid, action)
        assert second.status_code == 409 and second.get_json()["code"] == "conflict"
    assert len(updates(events, "offer")) == 1
    preview = client.get(f"/api/conversations/{cid}", headers=alice.headers).get_json()
    assert preview["lastMessage"]["preview"] == "Offer: Haircut (accepted)"


def test_who_may_answer_an_offer(client, deal, make_user):
    alice, bob, cid, pkg = deal
    carol = make_user("carol")
    mid = offer(client, alice, cid, pkg["id"]).get_json()["id"]
    assert act(client, alice, mid, "offer/accept").status_code == 403
    assert act(client, alice, mid, "offer/decline").status_code == 403
    assert act(client, bob, mid, "offer/withdraw").status_code == 403
    for action in ("offer/accept", "offer/decline", "offer/withdraw"):
        assert act(client, carol, mid, action).status_code == 404
    assert act(client, bob, "f" * 24, "offer/accept").status_code == 404
    text = client.post(
        f"/api/conversations/{cid}/messages", json={"content": "hi"}, headers=alice.headers
    ).get_json()["id"]
    assert act(client, bob, text, "offer/accept").status_code == 422
    assert act(client, bob, mid, "booking/confirm").status_code == 422


@pytest.mark.parametrize(
    "user, action, status",
    [("bob", "offer/decline", "declined"), ("alice", "offer/withdraw", "withdrawn")],
)
def test_declining_or_withdrawing_closes_the_offer(client, deal, events, user, action, status):
    alice, bob, cid, pkg = deal
    actor = {"alice": alice, "bob": bob}[user]
    mid = offer(client, alice, cid, pkg["id"]).get_json()["id"]
    response = act(client, actor, mid, action)
    assert response.status_code == 200 and response.get_json()["serviceOffer"]["status"] == status
    assert [u.message.service_offer.status for u in updates(events, "offer")] == [status]
    assert act(client, bob, mid, "offer/accept").status_code == 409
    assert client.get("/api/bookings", headers=bob.headers).get_json()["items"] == []


@pytest.mark.threaded
def test_two_simultaneous_accepts_give_one_200_and_one_409(app, client, deal, events, ctx):
    alice, bob, cid, pkg = deal
    for _ in range(4):
        mid = offer(client, alice, cid, pkg["id"]).get_json()["id"]
        codes = race(app, [(bob, mid, "offer/accept"), (bob, mid, "offer/accept")])
        assert sorted(codes) == [200, 409]
    bookings = client.get("/api/bookings?role=client&limit=100", headers=bob.headers).get_json()
    assert len(bookings["items"]) == 4
    assert len(updates(events, "offer")) == 4


@pytest.mark.threaded
def test_accept_and_withdraw_racing_through_the_service_layer(client, deal, ctx):
    import threading

    alice, bob, cid, pkg = deal
    users = {u.id: u for u in (ctx.store.users.get(alice.id), ctx.store.users.get(bob.id))}
    for _ in range(4):
        mid = offer(client, alice, cid, pkg["id"]).get_json()["id"]
        barrier, outcomes = threading.Barrier(2), []

        def run(fn, user_id, mid=mid, barrier=barrier, outcomes=outcomes):
            barrier.wait()
            try:
                outcomes.append(fn(ctx, users[user_id], mid).service_offer.status)
            except Exception as error:  # noqa: BLE001 - the loser's error is the point
                outcomes.append(getattr(error, "status", repr(error)))

        threads = [
            threading.Thread(target=run, args=(offers.accept_offer, bob.id)),
            threading.Thread(target=run, args=(offers.withdraw_offer, alice.id)),
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert 409 in outcomes and len(outcomes) == 2
        final = client.get(f"/api/messages/{mid}", headers=bob.headers).get_json()
        assert final["serviceOffer"]["status"] in outcomes


def test_an_offer_expires_on_read_and_by_the_sweep(client, deal, events, clock, ctx):
    alice, bob, cid, pkg = deal
    mid = offer(client, alice, cid, pkg["id"], expiresInHours=2).get_json()["id"]
    clock.advance(timedelta(hours=1, minutes=59))
    assert expire_due(ctx) == 0
    assert (
        client.get(f"/api/messages/{mid}", headers=bob.headers).get_json()["serviceOffer"]["status"]
        == "pending"
    )
    clock.advance(timedelta(minutes=2))
    seen = client.get(f"/api/messages/{mid}", headers=bob.headers).get_json()
    assert seen["serviceOffer"]["status"] == "expired"
    history = client.get(f"/api/conversations/{cid}/messages", headers=alice.headers).get_json()
    assert history["items"][0]["serviceOffer"]["status"] == "expired"
    events.clear()
    assert expire_due(ctx) == 1 and expire_due(ctx) == 0
    [update] = updates(events, "offer")
    assert update.message.id == mid and update.message.service_offer.status == "expired"
    assert set(update.audience) == {alice.id, bob.id}
    assert act(client, bob, mid, "offer/accept").status_code == 409
    conversation = client.get(f"/api/conversations/{cid}", headers=bob.headers).get_json()
    assert conversation["lastMessage"]["preview"] == "Offer: Haircut (expired)"


def test_accepting_a_past_due_offer_expires_it_and_is_409(client, deal, events, clock):
    alice, bob, cid, pkg = deal
    mid = offer(client, alice, cid, pkg["id"]).get_json()["id"]
    clock.advance(timedelta(hours=48, seconds=1))
    events.clear()
    assert act(client, bob, mid, "offer/accept").status_code == 409
    assert [u.message.service_offer.status for u in updates(events, "offer")] == ["expired"]
    assert client.get("/api/bookings", headers=bob.headers).get_json()["items"] == []
