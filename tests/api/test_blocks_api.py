"""Blocking: no direct conversation or send between the two, in either direction, while a block
stands; groups are unchanged; blocks are listed and undone."""

from __future__ import annotations

from datetime import timedelta

import pytest

pytestmark = pytest.mark.both_engines


@pytest.fixture
def trio(client, make_user):
    alice, bob, carol = make_user("alice"), make_user("bob"), make_user("carol")
    direct = client.post(
        "/api/conversations",
        json={"type": "direct", "participantIds": [bob.id]},
        headers=alice.headers,
    ).get_json()["id"]
    group = client.post(
        "/api/conversations",
        json={"type": "group", "title": "G", "participantIds": [bob.id, carol.id]},
        headers=alice.headers,
    ).get_json()["id"]
    return alice, bob, carol, direct, group


def send(client, user, cid, content="hi"):
    return client.post(
        f"/api/conversations/{cid}/messages", json={"content": content}, headers=user.headers
    )


def block(client, user, other):
    return client.post(f"/api/users/{other.id}/block", headers=user.headers)


def test_a_block_is_201_then_200_and_listed_newest_first(client, trio, clock):
    alice, bob, carol, _, _ = trio
    first = block(client, alice, bob)
    assert first.status_code == 201
    assert first.get_json()["user"]["id"] == bob.id and first.get_json()["blockedAt"]
    again = block(client, alice, bob)
    assert again.status_code == 200 and again.get_json() == first.get_json()
    clock.advance(timedelta(minutes=1))
    block(client, alice, carol)
    listed = client.get("/api/users/me/blocks", headers=alice.headers).get_json()["items"]
    assert [b["user"]["id"] for b in listed] == [carol.id, bob.id]
    assert client.get("/api/users/me/blocks", headers=bob.headers).get_json()["items"] == []


@pytest.mark.parametrize("blocker", ["alice", "bob"])
def test_neither_side_sends_into_the_direct_conversation_while_blocked(client, trio, blocker):
    alice, bob, _, direct, group = trio
    a, b = (alice, bob) if blocker == "alice" else (bob, alice)
    block(client, a, b)
    for user in (alice, bob):
        refused = send(client, user, direct)
        assert refused.status_code == 403 and refused.get_json()["code"] == "blocked"
        located = client.post(
            f"/api/conversations/{direct}/messages/location",
            json={"latitude": 1.0, "longitude": 2.0},
            headers=user.headers,
        )
        assert located.status_code == 403 and located.get_json()["code"] == "blocked"
    history = client.get(f"/api/conversations/{direct}/messages", headers=alice.headers)
    assert all(m["type"] == "system" for m in history.get_json()["items"])
    # groups stay as they are
    assert send(client, alice, group).status_code == 201
    assert send(client, bob, group).status_code == 201


def test_a_blocked_user_cannot_start_a_direct_conversation(client, trio, make_user):
    alice, _, carol, _, _ = trio
    block(client, carol, alice)
    for starter, other in ((alice, carol), (carol, alice)):
        refused = client.post(
            "/api/conversations",
            json={"type": "direct", "participantIds": [other.id]},
            headers=starter.headers,
        )
        assert refused.status_code == 403 and refused.get_json()["code"] == "blocked"
    dave = make_user("dave")
    allowed = client.post(
        "/api/conversations",
        json={"type": "direct", "participantIds": [dave.id]},
        headers=alice.headers,
    )
    assert allowed.status_code == 201


def test_unblocking_lets_them_talk_again(client, trio):
    alice, bob, _, direct, _ = trio
    block(client, alice, bob)
    assert send(client, bob, direct).status_code == 403
    assert client.delete(f"/api/users/{bob.id}/block", headers=alice.headers).status_code == 204
    assert client.delete(f"/api/users/{bob.id}/block", headers=alice.headers).status_code == 204
    assert send(client, bob, direct).status_code == 201
    assert client.get("/api/users/me/blocks", headers=alice.headers).get_json()["items"] == []


def test_blocking_oneself_or_nobody_is_refused(client, trio, ctx):
    alice, *_ = trio
    assert client.post(f"/api/users/{alice.id}/block", headers=alice.headers).status_code == 422
    unknown = "0123456789abcdef01234567"
    assert client.post(f"/api/users/{unknown}/block", headers=alice.headers).status_code == 404
    assert client.delete(f"/api/users/{unknown}/block", headers=alice.headers).status_code == 404
    assert client.post(f"/api/users/{unknown}/block").status_code == 401
    assert ctx.store.blocks.related(alice.id) == set()
