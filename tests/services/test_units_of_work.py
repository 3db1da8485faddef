"""Service operations that write more than once are one unit of work on both engines: a failure
injected after some of their writes leaves none of them, and publishes no event (events go out
only after the unit commits)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lnk.domain.events import MessageUpdated
from lnk.errors import Conflict
from lnk.services import accounts, booking_requests, conversations, offers, packages
from lnk.services.messages import send_message

pytestmark = pytest.mark.both_engines


class InjectedFailure(Exception):
    pass


def _fail(*args, **kwargs):
    raise InjectedFailure


@pytest.fixture
def people(ctx):
    return [accounts.register(ctx, name, "long-password") for name in ("ann", "ben", "cat")]


def test_a_group_change_failing_at_its_system_message_changes_nothing(
    ctx, events, people, monkeypatch
):
    ann, ben, cat = people
    group, _ = conversations.create_conversation(ctx, ann, "group", [ben.id], "Before")
    events.clear()
    monkeypatch.setattr(ctx.store.messages, "append", _fail)
    with pytest.raises(InjectedFailure):
        conversations.update_conversation(
            ctx, ann, group.id, title="After", add_ids=[cat.id], roles={ben.id: "admin"}
        )
    monkeypatch.undo()
    stored = ctx.store.conversations.get(group.id)
    assert stored.title == "Before"
    assert sorted(stored.participant_ids) == sorted([ann.id, ben.id])
    assert stored.participant(ben.id).role == "member"
    assert events.events == []


def test_accepting_an_offer_failing_at_the_booking_leaves_it_pending(
    ctx, events, people, monkeypatch
):
    ann, ben, _ = people
    direct, _ = conversations.create_conversation(ctx, ann, "direct", [ben.id])
    package = packages.create_package(ctx, ann, title="Cut", price="10", duration_minutes=30)
    offer = offers.send_offer(ctx, ann, direct.id, service_package_id=package.id).message
    events.clear()
    monkeypatch.setattr(ctx.store.bookings, "create", _fail)
    with pytest.raises(InjectedFailure):
        offers.accept_offer(ctx, ben, offer.id)
    monkeypatch.undo()
    assert ctx.store.messages.get(offer.id).service_offer.status == "pending"
    assert events.events == []
    accepted = offers.accept_offer(ctx, ben, offer.id)  # and it can still be accepted
    assert accepted.service_offer.status == "accepted" and accepted.service_offer.booking_id


def test_confirming_a_request_failing_while_declining_the_others_books_nothing(
    ctx, events, people, monkeypatch
):
    ann, ben, cat = people
    with_ben, _ = conversations.create_conversation(ctx, ann, "direct", [ben.id])
    with_cat, _ = conversations.create_conversation(ctx, ann, "direct", [cat.id])
    package = packages.create_package(ctx, ann, title="Cut", price="10", duration_minutes=60)
    start = ctx.clock.now().replace(microsecond=0) + timedelta(days=2)
    first = booking_requests.send_booking_request(
        ctx, ben, with_ben.id, service_package_id=package.id, requested_start=start
    ).message
    second = booking_requests.send_booking_request(
        ctx, cat, with_cat.id, service_package_id=package.id, requested_start=start
    ).message
    events.clear()
    monkeypatch.setattr(ctx.store.messages, "pending_requests_for_provider", _fail)
    with pytest.raises(InjectedFailure):
        booking_requests.confirm_request(ctx, ann, first.id)
    monkeypatch.undo()
    assert ctx.store.messages.get(first.id).booking_request.status == "pending"
    assert ctx.store.bookings.list_for_user(ann.id, "provider", 10) == []
    assert events.events == []
    booking_requests.confirm_request(ctx, ann, first.id)
    assert ctx.store.messages.get(second.id).booking_request.status == "declined"
    with pytest.raises(Conflict):
        booking_requests.confirm_request(ctx, ann, second.id)


def test_an_answer_to_a_past_due_offer_stores_the_expiry_and_is_refused(ctx, clock, events, people):
    ann, ben, _ = people
    direct, _ = conversations.create_conversation(ctx, ann, "direct", [ben.id])
    package = packages.create_package(ctx, ann, title="Cut", price="10", duration_minutes=30)
    offer = offers.send_offer(
        ctx, ann, direct.id, service_package_id=package.id, expires_in_hours=1
    ).message
    events.clear()
    clock.advance(timedelta(hours=2))
    with pytest.raises(Conflict, match="expired"):
        offers.accept_offer(ctx, ben, offer.id)
    assert ctx.store.messages.get(offer.id).service_offer.status == "expired"
    (event,) = events.events
    assert isinstance(event, MessageUpdated) and event.message.service_offer.status == "expired"


def test_a_send_failing_after_the_message_is_stored_publishes_nothing(
    ctx, events, people, monkeypatch
):
    ann, ben, _ = people
    direct, _ = conversations.create_conversation(ctx, ann, "direct", [ben.id])
    events.clear()
    # the audience lookup comes after the append, inside the same unit
    monkeypatch.setattr(ctx.store.conversations, "participant_ids", _fail)
    with pytest.raises(InjectedFailure):
        send_message(ctx, ann, direct.id, content="hello", client_id="k-1")
    monkeypatch.undo()
    assert events.events == []
    assert ctx.store.messages.get_by_client_id(direct.id, ann.id, "k-1") is None
    assert ctx.store.conversations.get_participant(direct.id, ben.id).unread_count == 0
    retried = send_message(ctx, ann, direct.id, content="hello", client_id="k-1")
    assert retried.created and retried.message.seq == 1


def test_the_pages_offer_exactly_the_edits_and_deletes_the_services_allow(ctx, clock, people):
    from lnk.errors import LnkError
    from lnk.services import messages, permissions

    ann, ben, cat = people
    group, _ = conversations.create_conversation(ctx, ann, "group", [ben.id, cat.id], "G")
    conversations.update_conversation(ctx, ann, group.id, roles={ben.id: "admin"})
    sent = messages.send_message(ctx, cat, group.id, content="hello").message
    window = ctx.rules.edit_window
    for delta, allowed in ((window, True), (window + timedelta(milliseconds=1), False)):
        at = sent.created_at + delta
        assert permissions.can_edit(cat, sent, at, window) is allowed
        assert permissions.can_edit(ann, sent, at, window) is False
    stored = ctx.store.conversations.get(group.id)
    for actor, allowed in ((cat, True), (ben, True), (ann, True)):
        me = stored.participant(actor.id)
        assert permissions.can_delete(actor, sent, stored, me) is allowed
    own = messages.send_message(ctx, ben, group.id, content="mine").message
    assert not permissions.can_delete(cat, own, stored, stored.participant(cat.id))
    with pytest.raises(LnkError):
        messages.delete_message(ctx, cat, own.id)
    clock.advance(window - timedelta(seconds=30))
    messages.edit_message(ctx, cat, sent.id, "edited at the last moment")
