"""``lastSeenAt`` on ``GET /api/users/:id``: when the user's last connection went away, shown only
to people who share a conversation with it and not across a block."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lnk.presenters import iso
from lnk.services import last_seen

pytestmark = pytest.mark.both_engines


def seen_by(client, viewer, user):
    response = client.get(f"/api/users/{user.id}", headers=viewer.headers)
    assert response.status_code == 200
    return response.get_json()["lastSeenAt"]


def test_contacts_see_when_a_user_was_last_seen(client, ctx, clock, pair, make_user):
    alice, bob, cid = pair
    carol = make_user("carol")
    assert seen_by(client, bob, alice) is None  # never seen yet
    when = clock.now() - timedelta(minutes=3)
    last_seen.record(ctx, {alice.id: when})
    assert seen_by(client, bob, alice) == iso(when)
    assert seen_by(client, alice, alice) == iso(when)  # one's own
    assert seen_by(client, carol, alice) is None  # shares no conversation with alice


def test_a_block_hides_last_seen_both_ways(client, ctx, clock, pair):
    alice, bob, cid = pair
    when = clock.now()
    last_seen.record(ctx, {alice.id: when, bob.id: when})
    assert client.post(f"/api/users/{bob.id}/block", headers=alice.headers).status_code == 201
    assert seen_by(client, bob, alice) is None
    assert seen_by(client, alice, bob) is None
    assert client.delete(f"/api/users/{bob.id}/block", headers=alice.headers).status_code == 204
    assert seen_by(client, bob, alice) == iso(when)
