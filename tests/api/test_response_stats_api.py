"""Provider responsiveness on ``GET /api/users/:id``, from a constructed history."""

from __future__ import annotations

from datetime import timedelta

import pytest
from marketplace_support import direct, package

from lnk.services.responsiveness import ResponseStats, usually_replies

pytestmark = pytest.mark.both_engines


def say(client, user, cid, text="hello"):
    response = client.post(
        f"/api/conversations/{cid}/messages", json={"content": text}, headers=user.headers
    )
    assert response.status_code == 201


def stats_of(client, viewer, user):
    body = client.get(f"/api/users/{user.id}", headers=viewer.headers).get_json()
    return body["responseStats"]


def test_stats_count_conversations_others_opened_in_the_last_90_days(client, make_user, clock):
    alice = make_user("alice")
    package(client, alice)
    clients = {
        name: make_user(f"user_{name}") for name in ("old", "c1", "c2", "c3", "c4", "c5", "c6")
    }
    assert stats_of(client, clients["c1"], alice) == {
        "responseRate": None,
        "medianFirstResponseMinutes": None,
        "conversations": 0,
    }

    old = direct(client, clients["old"], alice)
    say(client, clients["old"], old)
    clock.advance(timedelta(minutes=10))
    say(client, alice, old)  # answered, but 100 days ago
    clock.advance(timedelta(days=100))

    cids = {}
    for name in ("c1", "c2", "c3", "c4"):
        cids[name] = direct(client, clients[name], alice)
        say(client, clients[name], cids[name], "are you free?")
        say(client, clients[name], cids[name], "hello?")  # a second message opens nothing
    clock.advance(timedelta(minutes=30))
    say(client, alice, cids["c1"])
    say(client, alice, cids["c1"])  # only the first answer counts
    clock.advance(timedelta(minutes=150))
    say(client, alice, cids["c2"])
    clock.advance(timedelta(hours=27))
    say(client, alice, cids["c3"])  # 30 h: answered, but late
    mine = direct(client, alice, clients["c6"])
    say(client, alice, mine)  # alice opened this one herself
    say(client, clients["c6"], mine)
    fresh = direct(client, clients["c5"], alice)
    say(client, clients["c5"], fresh)  # opened just now: alice still has time

    stats = stats_of(client, clients["c1"], alice)
    assert stats == {
        "responseRate": 0.5,  # c1 and c2 of c1..c4
        "medianFirstResponseMinutes": 180,  # of 30, 180 and 1800
        "conversations": 4,
    }


def test_users_without_packages_have_no_stats(client, make_user):
    alice, bob = make_user("alice"), make_user("bob")
    cid = direct(client, alice, bob)
    say(client, alice, cid)
    say(client, bob, cid)
    assert stats_of(client, alice, bob) is None
    own = client.get("/api/users/me", headers=bob.headers).get_json()
    assert "responseStats" not in own


def test_groups_do_not_count(client, make_user):
    alice, bob, carol = make_user("alice"), make_user("bob"), make_user("carol")
    package(client, alice)
    group = client.post(
        "/api/conversations",
        json={"type": "group", "title": "G", "participantIds": [alice.id, carol.id]},
        headers=bob.headers,
    ).get_json()["id"]
    say(client, bob, group)
    say(client, alice, group)
    assert stats_of(client, bob, alice)["conversations"] == 0


@pytest.mark.parametrize(
    "minutes, line",
    [
        (None, None),
        (0, "Usually replies within 1 min"),
        (45, "Usually replies within 45 min"),
        (61, "Usually replies within 2 h"),
        (120, "Usually replies within 2 h"),
        (60 * 50, "Usually replies within 3 days"),
    ],
)
def test_the_header_line(minutes, line):
    stats = ResponseStats(0.9, minutes, 3)
    assert usually_replies(stats) == line
    assert usually_replies(None) is None
