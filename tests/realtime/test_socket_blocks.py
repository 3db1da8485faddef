"""Blocks in realtime: two people who blocked one another see neither presence nor typing of the
other, in any conversation; everyone else still sees both. Each check waits for a later event
the same socket must receive after the one that must not arrive (the server emits in order)."""

from __future__ import annotations


def test_blocked_users_see_neither_presence_nor_typing_of_each_other(api, socket_factory):
    alice, bob, carol = api.users(3, "blk")
    api.direct(alice, bob)
    group = api.group(alice, [bob, carol])["id"]
    api.json("POST", f"/api/users/{alice.id}/block", bob)

    c = socket_factory(carol)
    b = socket_factory(bob)
    c.wait_for("userOnline", lambda d: d["userId"] == bob.id)
    a = socket_factory(alice)
    c.wait_for("userOnline", lambda d: d["userId"] == alice.id)
    for sock in (a, b, c):
        assert sock.call("joinConversation", {"conversationId": group})["ok"] is True

    a.call("typing", {"conversationId": group, "typing": True})
    c.wait_for("userTyping", lambda d: d["userId"] == alice.id and d["typing"])
    api.send(alice, group, "after typing")
    b.wait_for("newMessage", lambda d: d["message"]["content"] == "after typing")
    assert b.received("userTyping") == []
    assert b.received("userOnline", lambda d: d["userId"] == alice.id) == []

    b.call("typing", {"conversationId": group, "typing": True})
    c.wait_for("userTyping", lambda d: d["userId"] == bob.id and d["typing"])
    api.send(bob, group, "bob typed")
    a.wait_for("newMessage", lambda d: d["message"]["content"] == "bob typed")
    assert a.received("userTyping") == []

    online_for_bob = b.call("getOnlineUsers", {"conversationId": group})["userIds"]
    assert alice.id not in online_for_bob and carol.id in online_for_bob
    online_for_carol = c.call("getOnlineUsers", {"conversationId": group})["userIds"]
    assert {alice.id, bob.id} <= set(online_for_carol)


def test_after_unblocking_presence_is_told_again(api, socket_factory):
    alice, bob = api.users(2, "unblk")
    api.direct(alice, bob)
    api.json("POST", f"/api/users/{bob.id}/block", alice)
    api.request("DELETE", f"/api/users/{bob.id}/block", alice)
    b = socket_factory(bob)
    socket_factory(alice)
    assert b.wait_for("userOnline") == {"userId": alice.id}


def test_blocking_and_unblocking_tell_both_people_each_from_its_side(api, socket_factory):
    alice, bob, carol = api.users(3, "blkev")
    api.direct(alice, bob)
    a, a2, b, c = (socket_factory(u) for u in (alice, alice, bob, carol))

    api.json("POST", f"/api/users/{bob.id}/block", alice)
    mine = {"userId": bob.id, "blocking": True, "blockedBy": False, "online": False}
    assert a.wait_for("blockUpdated") == mine
    assert a2.wait_for("blockUpdated") == mine  # every socket of the blocker
    theirs = {"userId": alice.id, "blocking": False, "blockedBy": True, "online": False}
    assert b.wait_for("blockUpdated") == theirs

    api.json("POST", f"/api/users/{bob.id}/block", alice)  # already blocked: nothing new
    api.json("POST", f"/api/users/{alice.id}/block", bob)
    both = {"userId": alice.id, "blocking": True, "blockedBy": True, "online": False}
    assert b.wait_for("blockUpdated", lambda d: d["blocking"]) == both
    api.request("DELETE", f"/api/users/{bob.id}/block", alice)
    still = {"userId": bob.id, "blocking": False, "blockedBy": True, "online": False}
    assert a.wait_for("blockUpdated", lambda d: not d["blocking"]) == still  # bob's block stays
    api.request("DELETE", f"/api/users/{alice.id}/block", bob)
    free = {"userId": alice.id, "blocking": False, "blockedBy": False, "online": True}
    assert b.wait_for("blockUpdated", lambda d: not d["blocking"] and not d["blockedBy"]) == free
    cid = api.direct(alice, bob)["id"]
    api.send(alice, cid, "talking again")
    b.wait_for("newMessage", lambda d: d["message"]["content"] == "talking again")
    a.wait_for("newMessage", lambda d: d["message"]["content"] == "talking again")
    # one event per change: two blocks and two unblocks (the repeated block raised none)
    assert len(a.received("blockUpdated")) == 4
    assert a.received("blockUpdated")[-1] == {
        "userId": bob.id,
        "blocking": False,
        "blockedBy": False,
        "online": True,  # presence is told again
    }
    api.send(alice, api.direct(alice, carol)["id"], "hi carol")
    c.wait_for("newMessage", lambda d: d["message"]["content"] == "hi carol")
    assert c.received("blockUpdated") == []
