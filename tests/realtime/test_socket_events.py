"""Client events of /messaging and the server events they cause: payloads and audiences."""

from __future__ import annotations

import re
import time

TYPING_TTL = 6.0  # LNK_TYPING_TTL's default, which the live server runs with
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def ok(ack: dict) -> dict:
    assert ack["ok"] is True, ack
    return ack


def error_code(ack: dict) -> str:
    assert ack["ok"] is False, ack
    assert set(ack["error"]) == {"code", "message"}
    return ack["error"]["code"]


def test_join_conversation_answers_for_participants_only(api, socket_factory):
    alice, bob, eve = api.users(3, "join")
    conversation = api.direct(alice, bob)
    a, e = socket_factory(alice), socket_factory(eve)
    ack = ok(a.call("joinConversation", {"conversationId": conversation["id"]}))
    assert ack == {"ok": True, "conversationId": conversation["id"]}
    assert (
        error_code(e.call("joinConversation", {"conversationId": conversation["id"]}))
        == "not_found"
    )
    assert error_code(e.call("joinConversation", {"conversationId": "f" * 24})) == "not_found"
    assert error_code(e.call("joinConversation", {"conversationId": "nope"})) == "not_found"


def test_typing_reaches_others_in_the_room_but_not_the_typist_or_outsiders(api, socket_factory):
    alice, bob, carol, eve = api.users(4, "typ")
    group = api.group(alice, [bob, carol], "Typing")
    cid = group["id"]
    a1, a2, b, c, e = (socket_factory(u) for u in (alice, alice, bob, carol, eve))
    for client in (a1, a2, b):
        ok(client.call("joinConversation", {"conversationId": cid}))
    # carol is a participant but did not join the room; eve is not a participant
    ack = ok(a1.call("typing", {"conversationId": cid, "typing": True}))
    assert ack == {"ok": True, "conversationId": cid, "typing": True}
    event = b.wait_for("userTyping")
    assert event == {"conversationId": cid, "userId": alice.id, "typing": True}
    ok(a1.call("typing", {"conversationId": cid, "typing": True}))  # renewal: no new event
    ok(a1.call("typing", {"conversationId": cid, "typing": False}))
    assert b.wait_for("userTyping", count=2) == {
        "conversationId": cid,
        "userId": alice.id,
        "typing": False,
    }
    time.sleep(0.3)
    assert len(b.received("userTyping")) == 2
    for outsider in (a1, a2, c, e):
        assert outsider.received("userTyping") == []
    assert error_code(e.call("typing", {"conversationId": cid, "typing": True})) == "not_found"


def test_typing_that_is_not_renewed_ends_by_itself_after_six_seconds(api, socket_factory):
    alice, bob = api.users(2, "expire")
    cid = api.direct(alice, bob)["id"]
    a, b = socket_factory(alice), socket_factory(bob)
    ok(b.call("joinConversation", {"conversationId": cid}))
    sent = time.time()  # the server times typing on this same wall clock
    ok(a.call("typing", {"conversationId": cid, "typing": True}))
    b.wait_for("userTyping", lambda d: d["typing"] is True)
    b.wait_for("userTyping", lambda d: d["typing"] is False, timeout=TYPING_TTL + 4)
    # the server read its clock after ``sent``: the state cannot have ended before the TTL
    assert time.time() - sent >= TYPING_TTL


def test_disconnect_ends_typing_at_once(api, socket_factory):
    alice, bob = api.users(2, "gone")
    cid = api.direct(alice, bob)["id"]
    a, b = socket_factory(alice), socket_factory(bob)
    ok(b.call("joinConversation", {"conversationId": cid}))
    sent = time.time()
    ok(a.call("typing", {"conversationId": cid, "typing": True}))
    b.wait_for("userTyping", lambda d: d["typing"] is True)
    a.close()
    b.wait_for("userTyping", lambda d: d["typing"] is False, timeout=TYPING_TTL)
    # ended by the disconnect: before the TTL (counted from after ``sent``) could have ended it
    assert time.time() - sent < TYPING_TTL


def test_leave_conversation_stops_room_events(api, socket_factory):
    alice, bob = api.users(2, "leave")
    cid = api.direct(alice, bob)["id"]
    a, b = socket_factory(alice), socket_factory(bob)
    ok(b.call("joinConversation", {"conversationId": cid}))
    assert ok(b.call("leaveConversation", {"conversationId": cid})) == {
        "ok": True,
        "conversationId": cid,
    }
    ok(a.call("typing", {"conversationId": cid, "typing": True}))
    b.assert_none("userTyping", within=0.5)
    ok(a.call("typing", {"conversationId": cid, "typing": False}))


def test_mark_as_read_acks_unread_count_tells_others_and_updates_the_readers_screens(
    api, socket_factory
):
    alice, bob, carol = api.users(3, "read")
    cid = api.group(alice, [bob, carol], "Reads")["id"]
    first = api.send(alice, cid, "one")
    second = api.send(alice, cid, "two")
    a, b1, b2, c = (socket_factory(u) for u in (alice, bob, bob, carol))
    ack = ok(b1.call("markAsRead", {"conversationId": cid, "messageIds": [first["id"]]}))
    assert ack == {"ok": True, "conversationId": cid, "markedCount": 1, "unreadCount": 1}
    for other in (a, c):
        read = other.wait_for("messageRead")
        assert set(read) == {"conversationId", "userId", "messageIds", "readAt"}
        assert (read["conversationId"], read["userId"], read["messageIds"]) == (
            cid,
            bob.id,
            [first["id"]],
        )
        assert ISO.match(read["readAt"])
    for own in (b1, b2):
        updated = own.wait_for("conversationUpdated")["conversation"]
        assert updated["id"] == cid and updated["unreadCount"] == 1
        assert own.received("messageRead") == []
    ack = ok(b1.call("markAsRead", {"conversationId": cid}))
    assert (ack["markedCount"], ack["unreadCount"]) == (1, 0)
    assert a.wait_for("messageRead", count=2)["messageIds"] == [second["id"]]
    assert b2.wait_for("conversationUpdated", count=2)["conversation"]["unreadCount"] == 0
    ack = ok(b1.call("markAsRead", {"conversationId": cid}))  # nothing new: no events
    assert ack["markedCount"] == 0
    a.assert_none("messageRead", lambda d: d["messageIds"] == [], within=0.3)
    assert len(a.received("messageRead")) == 2


def test_get_online_users_lists_connected_participants_including_the_caller(api, socket_factory):
    alice, bob, carol, eve = api.users(4, "online")
    cid = api.group(alice, [bob, carol], "Online")["id"]
    a = socket_factory(alice)
    socket_factory(bob)
    socket_factory(eve)
    ack = ok(a.call("getOnlineUsers", {"conversationId": cid}))
    assert ack["conversationId"] == cid
    assert sorted(ack["userIds"]) == sorted([alice.id, bob.id])
    e = socket_factory(eve)
    assert error_code(e.call("getOnlineUsers", {"conversationId": cid})) == "not_found"
