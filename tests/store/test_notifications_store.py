"""The notification storage contract on both engines: settings, push subscriptions and the
outbox with its compare-and-set claim."""

from __future__ import annotations

import threading

from lnk.domain.notifications import (
    KIND_CONVERSATION,
    KIND_VERIFY_EMAIL,
    REASON_DEAL,
    REASON_MESSAGE,
    NewNotification,
    OutboxEntry,
)
from tests.store.conftest import at


def digest(user_id, conversation_id, *message_ids, due=5.0, reason=REASON_MESSAGE):
    return NewNotification(
        kind=KIND_CONVERSATION,
        channel="email",
        user_id=user_id,
        conversation_id=conversation_id,
        due_at=at(due),
        entries=tuple(OutboxEntry(m, reason) for m in message_ids),
    )


def test_settings_default_until_changed_and_a_new_address_is_unverified(store):
    settings = store.notification_settings
    assert settings.get("u1").email_mode == "all" and settings.get("u1").push is True
    assert settings.get_many(["u1"]) == {}
    assert settings.set_email("u1", "a@example.org").email_verified is False
    assert settings.verify_email("u1", "other@example.org") is False
    assert settings.verify_email("u1", "a@example.org") is True
    assert settings.get("u1").email_verified is True
    assert settings.set_email("u1", "a@example.org").email_verified is True  # unchanged address
    changed = settings.set_email("u1", "b@example.org")
    assert (changed.email, changed.email_verified) == ("b@example.org", False)
    updated = settings.update("u1", email_mode="deals", push=False)
    assert (updated.email, updated.email_mode, updated.push) == ("b@example.org", "deals", False)
    assert set(settings.get_many(["u1", "u2"])) == {"u1"}


def test_push_subscription_endpoints_are_unique_and_removable(store):
    subs = store.push_subscriptions
    subs.add("u1", "https://push.example/1", "key1", "auth1", at())
    subs.add("u1", "https://push.example/2", "key2", "auth2", at(1))
    moved = subs.add("u2", "https://push.example/2", "key3", "auth3", at(2))
    assert (moved.user_id, moved.p256dh) == ("u2", "key3")
    assert [s.endpoint for s in subs.for_user("u1")] == ["https://push.example/1"]
    assert subs.subscribed(["u1", "u2", "u3"]) == {"u1", "u2"}
    assert subs.remove("u1", "https://push.example/2") is False  # not u1's any more
    assert subs.remove_endpoint("https://push.example/2") is True
    assert subs.remove("u1", "https://push.example/1") is True
    assert subs.subscribed(["u1", "u2"]) == set()


def test_digests_of_one_conversation_merge_until_claimed(store):
    outbox = store.outbox
    outbox.enqueue([digest("u1", "c1", "m1", due=5)], at())
    outbox.enqueue([digest("u1", "c1", "m2", "m1", due=1, reason=REASON_DEAL)], at(0.5))
    outbox.enqueue([digest("u1", "c2", "m3"), digest("u2", "c1", "m1")], at(0.5))
    (item, _other) = outbox.for_user("u1")
    assert [(e.message_id, e.reason) for e in item.entries] == [
        ("m1", "message"),
        ("m2", "deal"),
        ("m1", "deal"),
    ]
    assert item.due_at == at(1)  # the earliest due time wins
    assert outbox.claim_due(at(0.9), "w1", at(2), 10) == []

    claimed = outbox.claim_due(at(1), "w1", at(2), 10)
    assert [c.id for c in claimed] == [item.id]
    assert (claimed[0].status, claimed[0].attempts, claimed[0].claimed_by) == ("sending", 1, "w1")
    # a message arriving now starts a new digest instead of joining the one being sent
    outbox.enqueue([digest("u1", "c1", "m4", due=1.5)], at(1.1))
    assert len(outbox.for_user("u1")) == 3
    assert outbox.finish(item.id, "w2", "sent", at(1.2)) is False  # not w2's claim
    assert outbox.finish(item.id, "w1", "sent", at(1.2)) is True
    assert outbox.get(item.id).status == "sent"
    assert outbox.finish(item.id, "w1", "sent", at(1.2)) is False


def test_a_lapsed_lease_is_claimed_again_and_retry_waits_for_its_time(store):
    outbox = store.outbox
    outbox.enqueue(
        [NewNotification(KIND_VERIFY_EMAIL, "email", "u1", at(), payload={"email": "a@x.org"})],
        at(),
    )
    (item,) = outbox.claim_due(at(), "w1", at(1), 5)
    assert item.payload == {"email": "a@x.org"} and item.entries == []
    assert outbox.claim_due(at(0.5), "w2", at(2), 5) == []  # w1's lease still holds
    (again,) = outbox.claim_due(at(1), "w2", at(2), 5)  # w1 died: its lease ran out
    assert (again.id, again.attempts, again.claimed_by) == (item.id, 2, "w2")
    assert outbox.retry(item.id, "w1", at(3), "late") is False
    assert outbox.retry(item.id, "w2", at(3), "421 try later") is True
    assert outbox.claim_due(at(2.9), "w3", at(4), 5) == []
    (third,) = outbox.claim_due(at(3), "w3", at(4), 5)
    assert third.attempts == 3 and third.last_error == "421 try later"
    assert outbox.finish(item.id, "w3", "failed", at(3.5), error="gave up") is True
    assert outbox.get(item.id).last_error == "gave up"
    assert outbox.claim_due(at(100), "w4", at(101), 5) == []


def test_only_items_that_ended_before_the_cutoff_are_purged_in_bounded_batches(store):
    outbox = store.outbox
    outbox.enqueue([digest(f"u{i}", "c1", f"m{i}", due=0) for i in range(5)], at())
    items = outbox.claim_due(at(), "w1", at(1), 10)
    assert len(items) == 5
    for item, status in zip(items[:3], ("sent", "cancelled", "failed"), strict=True):
        assert outbox.finish(item.id, "w1", status, at(0.5)) is True
    assert outbox.retry(items[3].id, "w1", at(60), "later") is True  # still to be sent
    outbox.enqueue([digest("u9", "c1", "m9", due=30)], at())  # pending, never claimed
    # items[4] stays claimed ("sending")

    assert outbox.purge_finished(at(0.5), 10) == 0  # ended at the cutoff, not before it
    assert outbox.purge_finished(at(1), 2) == 2  # at most the limit
    assert outbox.purge_finished(at(1), 10) == 1
    assert outbox.purge_finished(at(1), 10) == 0
    left = {outbox.get(i.id).status if outbox.get(i.id) else None for i in items}
    assert left == {None, "retry", "sending"}
    assert [i.status for i in outbox.for_user("u9")] == ["pending"]


def test_concurrent_claims_take_each_item_exactly_once(concurrent_store):
    outbox = concurrent_store.outbox
    outbox.enqueue([digest(f"u{i}", "c1", "m1", due=0) for i in range(40)], at())
    taken: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(4)

    def worker(name: str) -> None:
        start.wait()
        while True:
            items = outbox.claim_due(at(1), name, at(2), 3)
            if not items:
                return
            with lock:
                taken.extend(i.id for i in items)

    threads = [threading.Thread(target=worker, args=(f"w{n}",)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(taken) == 40 and len(set(taken)) == 40
