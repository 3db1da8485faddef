"""Presence: online with the first socket, offline after the last one plus a grace period,
told only to users who share a conversation. The live server runs with a 1 s grace."""

from __future__ import annotations

import re
import time

from tests.support.net import wait_until

ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
GRACE = 1.0


def test_first_socket_announces_online_to_contacts_only(api, socket_factory):
    alice, bob, eve = api.users(3, "pon")
    api.direct(alice, bob)
    b, e = socket_factory(bob), socket_factory(eve)
    socket_factory(alice)
    assert b.wait_for("userOnline") == {"userId": alice.id}
    socket_factory(alice)  # a second socket of an online user announces nothing
    time.sleep(0.3)
    assert b.received("userOnline") == [{"userId": alice.id}]
    assert e.received("userOnline") == []


def test_offline_follows_the_last_socket_after_the_grace(api, socket_factory):
    alice, bob = api.users(2, "poff")
    cid = api.direct(alice, bob)["id"]
    b = socket_factory(bob)
    a1, a2 = socket_factory(alice), socket_factory(alice)
    b.wait_for("userOnline")
    a1.close()
    time.sleep(GRACE + 0.5)
    assert b.received("userOffline") == []  # one socket is still there
    assert alice.id in b.call("getOnlineUsers", {"conversationId": cid})["userIds"]
    closed = time.time()
    a2.close()
    offline = b.wait_for("userOffline", timeout=GRACE + 3)
    assert time.time() - closed >= GRACE - 0.3
    assert set(offline) == {"userId", "lastSeenAt"} and offline["userId"] == alice.id
    assert ISO.match(offline["lastSeenAt"])
    assert b.call("getOnlineUsers", {"conversationId": cid})["userIds"] == [bob.id]


def test_the_last_disconnect_stores_when_the_user_was_last_seen(api, socket_factory):
    alice, bob = api.users(2, "seen")
    api.direct(alice, bob)

    def stored() -> str | None:
        return api.json("GET", f"/api/users/{alice.id}", bob)["lastSeenAt"]

    assert stored() is None
    b = socket_factory(bob)
    a = socket_factory(alice)
    b.wait_for("userOnline")
    a.close()
    announced = b.wait_for("userOffline", timeout=GRACE + 3)["lastSeenAt"]
    wait_until(lambda: stored() == announced, timeout=5, message="last seen stored")

    # the next visit's offline moves it on
    first = announced
    b.clear()
    a = socket_factory(alice)
    b.wait_for("userOnline")
    a.close()
    announced = b.wait_for("userOffline", timeout=GRACE + 3)["lastSeenAt"]
    assert announced > first
    wait_until(lambda: stored() == announced, timeout=5, message="last seen moved on")


def test_a_reload_within_the_grace_does_not_flicker(api, socket_factory):
    alice, bob = api.users(2, "reload")
    api.direct(alice, bob)
    b = socket_factory(bob)
    a = socket_factory(alice)
    b.wait_for("userOnline")
    a.close()
    socket_factory(alice)
    time.sleep(GRACE + 1)
    assert b.received("userOffline") == []
    assert len(b.received("userOnline")) == 1


def test_presence_counts_every_socket_of_a_user(api, socket_factory):
    alice, bob = api.users(2, "count")
    cid = api.direct(alice, bob)["id"]
    b = socket_factory(bob)
    sockets = [socket_factory(alice) for _ in range(3)]
    b.wait_for("userOnline")
    for client in sockets[:-1]:
        client.close()
        time.sleep(0.1)
    time.sleep(GRACE + 0.5)
    assert alice.id in b.call("getOnlineUsers", {"conversationId": cid})["userIds"]
    sockets[-1].close()
    b.wait_for("userOffline", timeout=GRACE + 3)
    assert len(b.received("userOnline")) == 1 and len(b.received("userOffline")) == 1
