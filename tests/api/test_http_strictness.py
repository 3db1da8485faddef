"""JSON bodies are taken strictly and HTTP details are right: typed fields take their own JSON
type, a non-JSON body is a 415, a wrong method a 405 with ``Allow``; nothing changes on a 4xx."""

from __future__ import annotations

import pytest

from lnk.services.context import Rules

pytestmark = pytest.mark.both_engines


def history(client, user, cid) -> list[dict]:
    return client.get(f"/api/conversations/{cid}/messages", headers=user.headers).get_json()[
        "items"
    ]


@pytest.mark.parametrize(
    "body, field",
    [
        ({"latitude": True, "longitude": 10}, "latitude"),
        ({"latitude": "30", "longitude": 10}, "latitude"),
        ({"latitude": 30, "longitude": "10.5"}, "longitude"),
        ({"latitude": 30, "longitude": False}, "longitude"),
    ],
)
def test_a_number_field_takes_only_a_json_number(client, pair, body, field):
    alice, _, cid = pair
    response = client.post(
        f"/api/conversations/{cid}/messages/location", json=body, headers=alice.headers
    )
    assert response.status_code == 422
    problem = response.get_json()
    assert problem["code"] == "validation_error" and field in problem["errors"]
    assert history(client, alice, cid) == []


@pytest.mark.parametrize("muted", ["yes", 1, "true", 0])
def test_a_boolean_field_takes_only_true_or_false(client, pair, muted):
    alice, _, cid = pair
    response = client.put(f"/api/conversations/{cid}", json={"muted": muted}, headers=alice.headers)
    assert response.status_code == 422
    assert "muted" in response.get_json()["errors"]
    conversation = client.get(f"/api/conversations/{cid}", headers=alice.headers).get_json()
    assert conversation["muted"] is False


def test_strict_bodies_still_take_what_they_document(client, pair):
    alice, _, cid = pair
    sent = client.post(
        f"/api/conversations/{cid}/messages/location",
        json={"latitude": 30, "longitude": -9.25},
        headers=alice.headers,
    )
    assert sent.status_code == 201
    assert sent.get_json()["location"]["latitude"] == 30.0
    muted = client.put(f"/api/conversations/{cid}", json={"muted": True}, headers=alice.headers)
    assert muted.status_code == 200 and muted.get_json()["muted"] is True
    package = client.post(
        "/api/service-packages",
        json={"title": "Cut", "price": "12.50", "durationMinutes": 30},
        headers=alice.headers,
    )
    assert package.status_code == 201 and package.get_json()["price"] == 12.5


def test_a_non_json_body_on_a_json_route_is_415(client, pair):
    alice, _, cid = pair
    for content_type in ("text/plain", "application/x-www-form-urlencoded", None):
        response = client.post(
            f"/api/conversations/{cid}/messages",
            data='{"content": "hello"}',
            content_type=content_type,
            headers=alice.headers,
        )
        assert response.status_code == 415, content_type
        assert response.get_json()["code"] == "unsupported_media_type"
    assert history(client, alice, cid) == []
    vendor_json = client.post(
        f"/api/conversations/{cid}/messages",
        data='{"content": "hello"}',
        content_type="application/vnd.lnk+json",
        headers=alice.headers,
    )
    assert vendor_json.status_code == 201


def test_an_empty_optional_body_needs_no_media_type(client, pair):
    alice, _, cid = pair
    response = client.post(
        f"/api/conversations/{cid}/messages/bulk-mark-read", headers=alice.headers
    )
    assert response.status_code == 200


def test_a_wrong_method_is_405_with_allow(client):
    response = client.patch("/api/conversations")
    assert response.status_code == 405
    assert response.mimetype == "application/problem+json"
    allowed = {m.strip() for m in response.headers["Allow"].split(",")}
    assert {"GET", "POST"} <= allowed and "PATCH" not in allowed


@pytest.mark.parametrize("length", [Rules.max_content_chars + 1, 9000, 30000])
def test_an_over_long_edit_is_422_like_a_send(client, pair, length):
    alice, _, cid = pair
    message = client.post(
        f"/api/conversations/{cid}/messages", json={"content": "short"}, headers=alice.headers
    ).get_json()
    edit = client.put(
        f"/api/messages/{message['id']}", json={"content": "x" * length}, headers=alice.headers
    )
    send = client.post(
        f"/api/conversations/{cid}/messages", json={"content": "x" * length}, headers=alice.headers
    )
    assert (edit.status_code, send.status_code) == (422, 422)
    assert "content" in edit.get_json()["errors"] and "content" in send.get_json()["errors"]
    assert [m["content"] for m in history(client, alice, cid)] == ["short"]


def test_mark_read_takes_at_most_the_documented_number_of_ids(client, pair):
    alice, bob, cid = pair
    sent = client.post(
        f"/api/conversations/{cid}/messages", json={"content": "one"}, headers=alice.headers
    ).get_json()
    too_many = [sent["id"]] * (Rules.max_read_ids + 1)
    response = client.post(
        f"/api/conversations/{cid}/messages/bulk-mark-read",
        json={"messageIds": too_many},
        headers=bob.headers,
    )
    assert response.status_code == 422 and "messageIds" in response.get_json()["errors"]
    unread = client.get(f"/api/conversations/{cid}/unread-count", headers=bob.headers)
    assert unread.get_json()["unreadCount"] == 1
    at_limit = client.post(
        f"/api/conversations/{cid}/messages/bulk-mark-read",
        json={"messageIds": too_many[:-1]},
        headers=bob.headers,
    )
    assert at_limit.status_code == 200 and at_limit.get_json()["unreadCount"] == 0
