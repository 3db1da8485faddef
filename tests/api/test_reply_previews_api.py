"""A reply's preview is built from the message it answers as that message is now: deleting or
editing the original changes the quote, and nobody sees, through a reply, a message from before
their join or clear point."""

from __future__ import annotations

import pytest

from tests.api.marketplace_support import group

pytestmark = pytest.mark.both_engines

CARD = "my card is 4111 1111 1111 1111"


def send(client, user, cid, content, **extra) -> dict:
    response = client.post(
        f"/api/conversations/{cid}/messages",
        json={"content": content, **extra},
        headers=user.headers,
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def history(client, user, cid) -> dict[str, dict]:
    items = client.get(f"/api/conversations/{cid}/messages", headers=user.headers).get_json()
    return {m["id"]: m for m in items["items"]}


def reply_seen_by(client, user, cid, reply_id) -> dict | None:
    listed = history(client, user, cid)[reply_id]["replyTo"]
    single = client.get(f"/api/messages/{reply_id}", headers=user.headers).get_json()["replyTo"]
    assert listed == single
    return listed


@pytest.fixture
def team(client, make_user):
    alice, bob, carol = make_user("alice"), make_user("bob"), make_user("carol")
    return alice, bob, carol, group(client, alice, bob)


def test_a_deleted_original_shows_message_deleted_in_every_reply(client, team):
    alice, bob, _, gid = team
    original = send(client, alice, gid, CARD)
    reply = send(client, bob, gid, "got it", replyToId=original["id"])
    assert reply["replyTo"]["preview"] == CARD
    assert (
        client.delete(f"/api/messages/{original['id']}", headers=alice.headers).status_code == 204
    )
    for user in (alice, bob):
        seen = reply_seen_by(client, user, gid, reply["id"])
        assert seen["preview"] == "Message deleted" and seen["id"] == original["id"]
    found = client.get("/api/messages/search?q=got", headers=bob.headers).get_json()["items"]
    assert found[0]["replyTo"]["preview"] == "Message deleted"
    assert "card" not in str(
        client.get(f"/api/conversations/{gid}/messages", headers=bob.headers).get_json()
    )


def test_an_edited_original_shows_its_current_text(client, team):
    alice, bob, _, gid = team
    original = send(client, alice, gid, CARD)
    reply = send(client, bob, gid, "got it", replyToId=original["id"])
    edited = client.put(
        f"/api/messages/{original['id']}", json={"content": "never mind"}, headers=alice.headers
    )
    assert edited.status_code == 200
    assert reply_seen_by(client, bob, gid, reply["id"])["preview"] == "never mind"
    reacted = client.post(
        f"/api/messages/{reply['id']}/reaction", json={"emoji": "👍"}, headers=alice.headers
    ).get_json()
    assert reacted["replyTo"]["preview"] == "never mind"


def test_a_member_who_joined_later_sees_no_preview_of_an_earlier_message(client, team):
    alice, bob, carol, gid = team
    original = send(client, alice, gid, CARD)
    client.put(
        f"/api/conversations/{gid}", json={"addParticipantIds": [carol.id]}, headers=alice.headers
    )
    reply = send(client, bob, gid, "got it", replyToId=original["id"])
    assert reply_seen_by(client, carol, gid, reply["id"]) is None
    assert reply_seen_by(client, bob, gid, reply["id"])["preview"] == CARD


def test_a_reply_read_after_clearing_the_conversation_shows_no_earlier_text(client, team):
    alice, bob, _, gid = team
    original = send(client, alice, gid, CARD)
    assert client.delete(f"/api/conversations/{gid}", headers=bob.headers).status_code == 204
    reply = send(client, alice, gid, "as I said", replyToId=original["id"])
    assert reply_seen_by(client, bob, gid, reply["id"]) is None
    assert reply_seen_by(client, alice, gid, reply["id"])["preview"] == CARD


def test_the_stored_reply_keeps_no_copy_of_the_text(client, team, ctx):
    alice, bob, _, gid = team
    original = send(client, alice, gid, CARD)
    reply = send(client, bob, gid, "got it", replyToId=original["id"])
    stored = ctx.store.messages.get(reply["id"]).reply_to
    assert stored.id == original["id"] and "card" not in stored.preview
