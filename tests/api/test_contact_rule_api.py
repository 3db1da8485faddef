"""The contact-info rule covers every text a person types into a message: sends, edits, and a
shared location's name and address (a warning in the answer, the message flagged)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.both_engines


def warning_codes(body: dict) -> list[str]:
    return [w["code"] for w in body.get("warnings", [])]


def test_an_edit_that_adds_contact_details_is_warned_and_flagged(client, pair, ctx):
    alice, _, cid = pair
    sent = client.post(
        f"/api/conversations/{cid}/messages", json={"content": "see you"}, headers=alice.headers
    ).get_json()
    assert warning_codes(sent) == []
    edited = client.put(
        f"/api/messages/{sent['id']}",
        json={"content": "call me on +1 212 555 0123"},
        headers=alice.headers,
    )
    assert edited.status_code == 200
    assert warning_codes(edited.get_json()) == ["contact_info"]
    assert ctx.store.messages.get(sent["id"]).flagged is True


def test_a_harmless_edit_is_not_flagged(client, pair, ctx):
    alice, _, cid = pair
    sent = client.post(
        f"/api/conversations/{cid}/messages", json={"content": "see you"}, headers=alice.headers
    ).get_json()
    edited = client.put(
        f"/api/messages/{sent['id']}", json={"content": "see you soon"}, headers=alice.headers
    ).get_json()
    assert warning_codes(edited) == []
    assert ctx.store.messages.get(sent["id"]).flagged is False


@pytest.mark.parametrize(
    "place",
    [{"name": "write to me: me@example.com"}, {"address": "Main St 1, phone 030 1234 5678"}],
)
def test_a_location_name_or_address_with_contact_details_is_warned_and_flagged(
    client, pair, ctx, place
):
    alice, _, cid = pair
    response = client.post(
        f"/api/conversations/{cid}/messages/location",
        json={"latitude": 52.5, "longitude": 13.4, **place},
        headers=alice.headers,
    )
    assert response.status_code == 201
    body = response.get_json()
    assert warning_codes(body) == ["contact_info"]
    assert ctx.store.messages.get(body["id"]).flagged is True
