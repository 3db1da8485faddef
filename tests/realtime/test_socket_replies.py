"""Pushed replies follow the same rule as read ones: a member who joined after the message a
reply answers gets the reply without its preview; the others get the original's current text."""

from __future__ import annotations


def test_a_reply_pushed_to_a_later_member_carries_no_preview(api, socket_factory):
    alice, bob, carol = api.users(3, "quote")
    gid = api.group(alice, [bob], "Quotes")["id"]
    original = api.send(alice, gid, "my card is 4111 1111 1111 1111")
    api.json("PUT", f"/api/conversations/{gid}", alice, json={"addParticipantIds": [carol.id]})
    b, c = socket_factory(bob), socket_factory(carol)
    reply = api.send(bob, gid, "got it", replyToId=original["id"])
    to_bob = b.wait_for("newMessage", lambda d: d["message"]["id"] == reply["id"])
    to_carol = c.wait_for("newMessage", lambda d: d["message"]["id"] == reply["id"])
    assert to_bob["message"]["replyTo"]["preview"] == original["content"]
    assert to_carol["message"]["replyTo"] is None
    api.json("PUT", f"/api/messages/{reply['id']}", bob, json={"content": "got it, thanks"})
    edited = c.wait_for("messageUpdated", lambda d: d["message"]["id"] == reply["id"])
    assert edited["message"]["replyTo"] is None and edited["message"]["content"] == "got it, thanks"
    api.request("DELETE", f"/api/messages/{original['id']}", alice, expect=204)
    api.json("POST", f"/api/messages/{reply['id']}/reaction", alice, json={"emoji": "👍"})
    reacted = b.wait_for(
        "messageUpdated", lambda d: d["message"]["id"] == reply["id"] and d["action"] == "reaction"
    )
    assert reacted["message"]["replyTo"]["preview"] == "Message deleted"
