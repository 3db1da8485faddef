"""Changes made through the REST API reach every participant's sockets, exactly once each."""

from __future__ import annotations

import time


def test_rest_message_reaches_every_participant_socket_exactly_once(api, socket_factory):
    alice, bob, carol, eve = api.users(4, "fan")
    cid = api.group(alice, [bob, carol], "Fan-out")["id"]
    a1, a2, b1, b2, c, e = (socket_factory(u) for u in (alice, alice, bob, bob, carol, eve))
    ok = b1.call("joinConversation", {"conversationId": cid})  # joining the room changes nothing
    assert ok["ok"]
    sent = [api.send(alice, cid, f"message {i}") for i in range(5)]
    for client in (a1, a2, b1, b2, c):
        client.wait_for("newMessage", count=5)
    time.sleep(0.3)
    for client in (a1, a2, b1, b2, c):
        events = client.received("newMessage")
        assert [ev["message"]["id"] for ev in events] == [m["id"] for m in sent]
        assert [ev["message"]["seq"] for ev in events] == [1, 2, 3, 4, 5]
        assert all(ev["conversationId"] == cid for ev in events)
    assert e.received("newMessage") == []


def test_new_message_payload_is_the_rest_representation(api, socket_factory):
    alice, bob = api.users(2, "payload")
    cid = api.direct(alice, bob)["id"]
    b = socket_factory(bob)
    sent = api.send(alice, cid, "same shape", clientId="c-1")
    event = b.wait_for("newMessage")
    assert set(event) == {"conversationId", "message"}
    assert event["message"] == api.json("GET", f"/api/messages/{sent['id']}", bob)
    assert event["message"] == {k: v for k, v in sent.items() if k != "warnings"}
    # a repeat stores nothing new and announces the same message again (clients dedupe by id)
    assert api.send(alice, cid, "same shape", clientId="c-1")["id"] == sent["id"]
    again = b.wait_for("newMessage", count=2)
    assert again == event
    b.assert_none("newMessage", lambda d: d["message"]["id"] != sent["id"], within=0.3)


def test_edit_delete_and_reaction_raise_message_updated_with_their_action(api, socket_factory):
    alice, bob, eve = api.users(3, "upd")
    cid = api.direct(alice, bob)["id"]
    a, b, e = socket_factory(alice), socket_factory(bob), socket_factory(eve)
    message = api.send(alice, cid, "first draft")
    mid = message["id"]
    api.json("PUT", f"/api/messages/{mid}", alice, json={"content": "second draft"})
    api.json("POST", f"/api/messages/{mid}/reaction", bob, json={"emoji": "👍"})
    api.request("DELETE", f"/api/messages/{mid}", alice, expect=204)
    for client in (a, b):
        client.wait_for("messageUpdated", count=3)
        events = client.received("messageUpdated")
        assert [ev["action"] for ev in events] == ["edited", "reaction", "deleted"]
        assert all(set(ev) == {"conversationId", "message", "action"} for ev in events)
        assert events[0]["message"]["content"] == "second draft"
        assert events[0]["message"]["editedAt"] is not None
        assert events[1]["message"]["reactions"] == [
            {"emoji": "👍", "count": 1, "userIds": [bob.id]}
        ]
        assert events[2]["message"]["deleted"] is True
        assert events[2]["message"]["content"] == ""
    e.assert_none("messageUpdated", within=0.2)


def test_conversation_updated_carries_each_users_own_view(api, socket_factory):
    alice, bob, carol = api.users(3, "view")
    cid = api.group(alice, [bob, carol], "Before")["id"]
    api.send(alice, cid, "unread for bob and carol")
    api.json("POST", f"/api/conversations/{cid}/messages/bulk-mark-read", carol, json={})
    a, b, c = (socket_factory(u) for u in (alice, bob, carol))
    api.json("PUT", f"/api/conversations/{cid}", alice, json={"title": "After"})
    views = {}
    for user, client in ((alice, a), (bob, b), (carol, c)):
        conversation = client.wait_for("conversationUpdated")["conversation"]
        assert conversation["title"] == "After"
        views[user.id] = conversation["unreadCount"]
    assert views == {alice.id: 0, bob.id: 1, carol.id: 0}


def test_archive_updates_only_the_archiving_users_screens(api, socket_factory):
    alice, bob = api.users(2, "arch")
    cid = api.direct(alice, bob)["id"]
    a1, a2, b = socket_factory(alice), socket_factory(alice), socket_factory(bob)
    api.json("PUT", f"/api/conversations/{cid}/archive", alice)
    for client in (a1, a2):
        assert client.wait_for("conversationUpdated")["conversation"]["archived"] is True
    b.assert_none("conversationUpdated", within=0.3)


def test_removed_participant_is_told_and_hears_nothing_more_from_the_room(api, socket_factory):
    alice, bob, carol = api.users(3, "removed")
    cid = api.group(alice, [bob, carol], "Members")["id"]
    a, b, c = (socket_factory(u) for u in (alice, bob, carol))
    for client in (a, b, c):
        assert client.call("joinConversation", {"conversationId": cid})["ok"]
    api.json("PUT", f"/api/conversations/{cid}", alice, json={"removeParticipantIds": [carol.id]})
    update = c.wait_for("conversationUpdated")["conversation"]
    assert carol.id not in [p["userId"] for p in update["participants"]]
    b.wait_for("newMessage", lambda d: d["message"]["type"] == "system")
    time.sleep(0.2)
    assert b.call("typing", {"conversationId": cid, "typing": True})["ok"]
    a.wait_for("userTyping")
    c.assert_none("userTyping", within=0.3)
    api.send(alice, cid, "after removal")
    a.wait_for("newMessage", lambda d: d["message"]["content"] == "after removal")
    c.assert_none("newMessage", lambda d: d["message"]["content"] == "after removal", within=0.2)
    assert c.call("typing", {"conversationId": cid})["error"]["code"] == "not_found"


def test_a_new_group_is_announced_to_its_participants(api, socket_factory):
    alice, bob, eve = api.users(3, "newgrp")
    b, e = socket_factory(bob), socket_factory(eve)
    cid = api.group(alice, [bob], "Fresh")["id"]
    assert b.wait_for("conversationUpdated")["conversation"]["id"] == cid
    e.assert_none("conversationUpdated", within=0.2)
