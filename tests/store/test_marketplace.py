"""Offers and booking requests on messages, service packages and bookings."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import datetime
from decimal import Decimal

import pytest

from lnk.domain.models import Booking
from lnk.domain.rules import MAX_DURATION_MINUTES
from lnk.store.base import OverlapError, Store
from tests.store.conftest import Builder


def _offer_message(store: Store, make, **offer_fields):
    alice, bob = make.users("alice", "bob")
    direct = make.direct(alice, bob)
    message = make.send(
        direct,
        alice,
        "",
        type="service_offer",
        preview="Offer: Haircut",
        service_offer=make.offer(**offer_fields),
    )
    return alice, bob, direct, message


def test_offer_compare_and_set_succeeds_only_from_the_expected_status(store: Store, make):
    _, _, direct, message = _offer_message(store, make)
    accepted = replace(
        message.service_offer, status="accepted", responded_at=make.at(1), booking_id=Store.new_id()
    )
    updated = store.messages.update_offer(message.id, "pending", accepted, "Offer accepted")
    assert updated.service_offer == accepted
    assert store.messages.get(message.id).service_offer == accepted
    assert store.conversations.get(direct.id).last_message.preview == "Offer accepted"
    declined = replace(accepted, status="declined")
    assert store.messages.update_offer(message.id, "pending", declined, "x") is None
    assert store.messages.get(message.id).service_offer.status == "accepted"
    assert store.messages.update_offer(Store.new_id(), "pending", declined, "x") is None


def test_offer_update_leaves_the_preview_of_a_later_last_message(store: Store, make) -> None:
    alice, _, direct, message = _offer_message(store, make)
    make.send(direct, alice, "anything else?")
    withdrawn = replace(message.service_offer, status="withdrawn")
    assert store.messages.update_offer(message.id, "pending", withdrawn, "withdrawn") is not None
    assert store.conversations.get(direct.id).last_message.preview == "anything else?"


def test_only_one_of_two_concurrent_compare_and_sets_wins(concurrent_store: Store) -> None:
    store = concurrent_store
    make = Builder(store)
    _, _, _, message = _offer_message(store, make)
    results: list[object] = []
    barrier = threading.Barrier(2)

    def respond(status: str) -> None:
        barrier.wait()
        offer = replace(message.service_offer, status=status)
        results.append(store.messages.update_offer(message.id, "pending", offer, status))

    workers = [threading.Thread(target=respond, args=(s,)) for s in ("accepted", "declined")]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    winners = [r for r in results if r is not None]
    assert len(results) == 2 and len(winners) == 1
    assert store.messages.get(message.id).service_offer.status == winners[0].service_offer.status


def test_booking_request_compare_and_set(store: Store, make) -> None:
    alice, bob = make.users("alice", "bob")
    direct = make.direct(alice, bob)
    message = make.send(
        direct, bob, "", type="booking_request", booking_request=make.request(alice)
    )
    confirmed = replace(
        message.booking_request,
        status="confirmed",
        booking_id=Store.new_id(),
        responded_at=make.at(2),
    )
    updated = store.messages.update_booking_request(message.id, "pending", confirmed, "Booked")
    assert updated.booking_request == confirmed
    assert store.conversations.get(direct.id).last_message.preview == "Booked"
    cancelled = replace(confirmed, status="cancelled")
    assert store.messages.update_booking_request(message.id, "pending", cancelled, "x") is None
    assert store.messages.update_booking_request(message.id, "confirmed", cancelled, "x")


def test_pending_expired_lists_only_pending_items_past_their_expiry(store: Store, make):
    alice, bob = make.users("alice", "bob")
    direct = make.direct(alice, bob)
    due = make.send(
        direct, alice, "", type="service_offer", service_offer=make.offer(expires_at=make.at(10))
    )
    due_request = make.send(
        direct,
        bob,
        "",
        type="booking_request",
        booking_request=make.request(alice, expires_at=make.at(20)),
    )
    make.send(
        direct, alice, "", type="service_offer", service_offer=make.offer(expires_at=make.at(40))
    )
    answered = make.send(
        direct, alice, "", type="service_offer", service_offer=make.offer(expires_at=make.at(5))
    )
    store.messages.update_offer(
        answered.id, "pending", replace(answered.service_offer, status="declined"), "declined"
    )
    deleted = make.send(
        direct, alice, "", type="service_offer", service_offer=make.offer(expires_at=make.at(5))
    )
    store.messages.delete_for_everyone(deleted.id, "deleted", make.at(1))
    found = store.messages.pending_expired(make.at(20))
    assert sorted(m.id for m in found) == sorted([due.id, due_request.id])
    assert len(store.messages.pending_expired(make.at(20), limit=1)) == 1
    assert store.messages.pending_expired(make.at(9)) == []
    expired = replace(due.service_offer, status="expired")
    store.messages.update_offer(due.id, "pending", expired, "expired")
    assert [m.id for m in store.messages.pending_expired(make.at(20))] == [due_request.id]


def test_pending_requests_for_provider_lists_pending_requests_of_its_packages(store, make):
    alice, bob, carol = make.users("alice", "bob", "carol")
    with_bob, with_carol = make.direct(alice, bob), make.direct(alice, carol)
    first = make.send(
        with_bob, bob, "", type="booking_request", booking_request=make.request(alice)
    )
    second = make.send(
        with_carol, carol, "", type="booking_request", booking_request=make.request(alice)
    )
    done = make.send(with_bob, bob, "", type="booking_request", booking_request=make.request(alice))
    store.messages.update_booking_request(
        done.id, "pending", replace(done.booking_request, status="cancelled"), "cancelled"
    )
    make.send(with_bob, alice, "", type="booking_request", booking_request=make.request(bob))
    found = store.messages.pending_requests_for_provider(alice.id)
    assert sorted(m.id for m in found) == sorted([first.id, second.id])
    assert store.messages.pending_requests_for_provider(carol.id) == []


def test_flagged_messages_are_listed_newest_first_with_paging(store: Store, make) -> None:
    alice, bob = make.users("alice", "bob")
    direct = make.direct(alice, bob)
    flagged = []
    for i in range(5):
        make.send(direct, alice, f"clean {i}")
        flagged.append(make.send(direct, bob, f"mail me at x{i}@y.z", flagged=True))
    newest = [m.id for m in reversed(flagged)]
    first = store.messages.flagged(3)
    assert [m.id for m in first] == newest[:3] and all(m.flagged for m in first)
    assert [m.id for m in store.messages.flagged(3, before_id=first[-1].id)] == newest[3:]


def test_package_round_trips_an_exact_decimal_price(store: Store, make) -> None:
    alice = make.user("alice")
    created = store.packages.create(
        alice.id, "Haircut", "Short", Decimal("19.90"), "EUR", 30, make.at()
    )
    fetched = store.packages.get(created.id)
    assert fetched == created
    assert fetched.price == Decimal("19.90") and str(fetched.price) == "19.90"
    assert fetched.active and fetched.created_at == fetched.updated_at == make.at()
    assert store.packages.get(Store.new_id()) is None


def test_package_update_sets_given_fields(store: Store, make) -> None:
    alice = make.user("alice")
    package = store.packages.create(alice.id, "Cut", "", Decimal("10"), "USD", 30, make.at())
    updated = store.packages.update(
        package.id,
        make.at(5),
        title="Cut & dry",
        price=Decimal("12.50"),
        duration_minutes=45,
        active=False,
    )
    assert (updated.title, updated.price, updated.duration_minutes) == (
        "Cut & dry",
        Decimal("12.50"),
        45,
    )
    assert not updated.active and updated.updated_at == make.at(5) and updated.currency == "USD"
    assert store.packages.get(package.id) == updated
    assert store.packages.update(Store.new_id(), make.at(), title="x") is None


def test_packages_by_owner_are_newest_first_and_hide_inactive_unless_asked(store, make):
    alice, bob = make.users("alice", "bob")
    made = [
        store.packages.create(alice.id, f"P{i}", "", Decimal(i), "USD", 30, make.at())
        for i in range(5)
    ]
    store.packages.create(bob.id, "Other", "", Decimal(1), "USD", 30, make.at())
    store.packages.update(made[3].id, make.at(), active=False)
    newest = [p.id for p in reversed(made)]
    everything = store.packages.list_by_owner(alice.id, include_inactive=True, limit=10)
    assert [p.id for p in everything] == newest
    active = store.packages.list_by_owner(alice.id, include_inactive=False, limit=10)
    assert [p.id for p in active] == [made[4].id, made[2].id, made[1].id, made[0].id]
    page = store.packages.list_by_owner(
        alice.id, include_inactive=True, limit=2, before_id=newest[1]
    )
    assert [p.id for p in page] == newest[2:4]


def _booking(
    provider: str, client: str, start: datetime | None, minutes: int = 60, status: str = "confirmed"
) -> Booking:
    return Booking(
        "",
        Store.new_id(),
        provider,
        client,
        Store.new_id(),
        Store.new_id(),
        start,
        minutes,
        Decimal("30.00"),
        "EUR",
        status,
        start,
    )


def test_booking_create_assigns_an_id_and_round_trips(store: Store, make) -> None:
    alice, bob = make.users("alice", "bob")
    created = store.bookings.create(_booking(alice.id, bob.id, make.at(60)), refuse_overlap=True)
    assert len(created.id) == 24
    assert store.bookings.get(created.id) == created
    assert store.bookings.get(created.id).price == Decimal("30.00")
    unscheduled = store.bookings.create(_booking(alice.id, bob.id, None), refuse_overlap=True)
    assert store.bookings.get(unscheduled.id).start is None
    assert store.bookings.get(Store.new_id()) is None


def test_overlapping_confirmed_booking_of_the_same_provider_is_refused(store: Store, make):
    alice, bob, carol = make.users("alice", "bob", "carol")
    store.bookings.create(_booking(alice.id, bob.id, make.at(60), 60), refuse_overlap=True)
    for start, minutes in [(30, 60), (90, 10), (119, 30), (50, 120)]:
        with pytest.raises(OverlapError):
            store.bookings.create(
                _booking(alice.id, carol.id, make.at(start), minutes), refuse_overlap=True
            )
    store.bookings.create(_booking(alice.id, carol.id, make.at(120), 30), refuse_overlap=True)
    store.bookings.create(_booking(alice.id, carol.id, make.at(30), 30), refuse_overlap=True)
    store.bookings.create(_booking(bob.id, carol.id, make.at(60), 60), refuse_overlap=True)
    store.bookings.create(_booking(alice.id, carol.id, make.at(60), 60), refuse_overlap=False)
    assert len(store.bookings.list_for_user(alice.id, "provider", 10)) == 4


def test_overlap_reaches_back_the_longest_a_booking_may_last(store: Store, make) -> None:
    """The store fetches candidates by start within the domain's window; a week-long booking
    that started almost a week before still clashes, one that ended exactly at the start not."""
    alice, bob, carol = make.users("alice", "bob", "carol")
    week = MAX_DURATION_MINUTES
    store.bookings.create(_booking(alice.id, bob.id, make.at(0), week), refuse_overlap=True)
    with pytest.raises(OverlapError):  # its last minute
        store.bookings.create(
            _booking(alice.id, carol.id, make.at(week - 1), 30), refuse_overlap=True
        )
    with pytest.raises(OverlapError):  # inside it
        store.bookings.create(_booking(alice.id, carol.id, make.at(60), 30), refuse_overlap=True)
    with pytest.raises(OverlapError):  # around it
        store.bookings.create(
            _booking(alice.id, carol.id, make.at(-10), week + 20), refuse_overlap=True
        )
    with pytest.raises(OverlapError):  # ending in its first minute
        store.bookings.create(_booking(alice.id, carol.id, make.at(-30), 31), refuse_overlap=True)
    after, before = make.at(week), make.at(-30)  # adjacent: right after it, right before it
    store.bookings.create(_booking(alice.id, carol.id, after, 30), refuse_overlap=True)
    store.bookings.create(_booking(alice.id, carol.id, before, 30), refuse_overlap=True)
    assert len(store.bookings.list_for_user(alice.id, "provider", 10)) == 3


def test_cancelled_bookings_do_not_block_the_slot(store: Store, make) -> None:
    alice, bob = make.users("alice", "bob")
    first = store.bookings.create(_booking(alice.id, bob.id, make.at(60)), refuse_overlap=True)
    assert store.bookings.set_status(first.id, "cancelled").status == "cancelled"
    store.bookings.create(_booking(alice.id, bob.id, make.at(60)), refuse_overlap=True)
    assert store.bookings.set_status(Store.new_id(), "cancelled") is None


def test_bookings_are_listed_by_role_newest_first(store: Store, make) -> None:
    alice, bob = make.users("alice", "bob")
    as_provider = store.bookings.create(_booking(alice.id, bob.id, None), refuse_overlap=False)
    as_client = store.bookings.create(_booking(bob.id, alice.id, None), refuse_overlap=False)
    third = store.bookings.create(_booking(alice.id, bob.id, None), refuse_overlap=False)
    ids = lambda items: [b.id for b in items]  # noqa: E731
    assert ids(store.bookings.list_for_user(alice.id, "provider", 10)) == [third.id, as_provider.id]
    assert ids(store.bookings.list_for_user(alice.id, "client", 10)) == [as_client.id]
    both = store.bookings.list_for_user(alice.id, None, 10)
    assert ids(both) == [third.id, as_client.id, as_provider.id]
    assert ids(store.bookings.list_for_user(alice.id, None, 2, before_id=third.id)) == [
        as_client.id,
        as_provider.id,
    ]


def test_has_confirmed_in_conversation(store: Store, make) -> None:
    alice, bob = make.users("alice", "bob")
    booking = store.bookings.create(_booking(alice.id, bob.id, None), refuse_overlap=False)
    assert store.bookings.has_confirmed_in_conversation(booking.conversation_id)
    assert not store.bookings.has_confirmed_in_conversation(Store.new_id())
    store.bookings.set_status(booking.id, "cancelled")
    assert not store.bookings.has_confirmed_in_conversation(booking.conversation_id)


def test_a_booking_request_keeps_its_price_snapshot(store, make) -> None:
    from dataclasses import replace
    from decimal import Decimal

    alice, bob = make.users("alice", "bob")
    chat = make.direct(alice, bob)
    priced = replace(make.request(alice), price=Decimal("19.90"), currency="EUR")
    sent = make.send(chat, bob, "", type="booking_request", booking_request=priced)
    stored = store.messages.get(sent.id).booking_request
    assert stored.price == Decimal("19.90") and stored.currency == "EUR"
    legacy = make.send(chat, bob, "", type="booking_request", booking_request=make.request(alice))
    assert store.messages.get(legacy.id).booking_request.price is None
