"""Fixtures shared by the API tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def pair(client, make_user):
    """Alice and Bob in a direct conversation: ``(alice, bob, conversation_id)``."""
    alice, bob = make_user("alice"), make_user("bob")
    cid = client.post(
        "/api/conversations",
        json={"type": "direct", "participantIds": [bob.id]},
        headers=alice.headers,
    ).get_json()["id"]
    return alice, bob, cid
